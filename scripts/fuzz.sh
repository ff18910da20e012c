#!/usr/bin/env bash
# Runs every fuzz target for a while: `scripts/fuzz.sh 10s` is CI's short run,
# `scripts/fuzz.sh 30m` a long one. A failure leaves its input under the
# package's testdata/fuzz, where `go test` replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
time=${1:-10s}
targets=(
  "./internal/local/providers/containerinstance FuzzGroupBody"
  "./internal/local/core FuzzGroupName"
  "./internal/output FuzzQuery"
  "./internal/arm FuzzParseError"
  "./internal/cli/container FuzzGroupFile"
  "./internal/cli/container FuzzResourceID"
  "./internal/local/template FuzzParse"
  "./internal/compose FuzzConvert"
)
for t in "${targets[@]}"; do
  set -- $t
  echo "fuzz $2 ($1) for $time"
  go test -run '^$' -fuzz "^$2\$" -fuzztime "$time" "$1"
done
