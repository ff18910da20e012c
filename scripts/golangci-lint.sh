#!/usr/bin/env bash
# Runs golangci-lint at the pinned version (.golangci.yml says what it
# checks), building it once into a cache: about two minutes the first time
# on 2 cores, then nothing.
#
#   scripts/golangci-lint.sh [ARGS...]   default: run ./...
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=v2.15.0
CACHE=${ACI_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aci/tools}/golangci-lint-$VERSION
if [ ! -x "$CACHE/golangci-lint" ]; then
  echo "building golangci-lint $VERSION into $CACHE (cached for later runs)" >&2
  mkdir -p "$CACHE"
  GOBIN="$CACHE" GOFLAGS=-mod=mod go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$VERSION"
fi
if [ $# -eq 0 ]; then
  set -- run ./...
fi
exec "$CACHE/golangci-lint" "$@"
