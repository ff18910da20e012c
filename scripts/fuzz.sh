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
  "./internal/connector FuzzGroupName"
)
# Go 1.26's fuzz coordinator can fail a run at the -fuzztime boundary with a
# bare "context deadline exceeded" and no failing input (golang/go#75804,
# fixed in Go 1.27). Such a run is retried once; a run that writes a failing
# input under testdata/fuzz fails at once, as does a second bare failure.
corpus() { find "$1/testdata/fuzz/$2" -type f 2>/dev/null | wc -l || true; }
for t in "${targets[@]}"; do
  set -- $t
  for attempt in 1 2; do
    echo "fuzz $2 ($1) for $time"
    before=$(corpus "$1" "$2")
    log=$(mktemp)
    if go test -run '^$' -fuzz "^$2\$" -fuzztime "$time" "$1" 2>&1 | tee "$log"; [ "${PIPESTATUS[0]}" -eq 0 ]; then
      rm -f "$log"
      break
    fi
    if [ "$attempt" -eq 1 ] && [ "$(corpus "$1" "$2")" -eq "$before" ] && grep -q 'context deadline exceeded' "$log"; then
      echo "fuzz $2: the Go 1.26 coordinator's deadline race (no failing input written); once more"
      rm -f "$log"
      continue
    fi
    rm -f "$log"
    exit 1
  done
done
