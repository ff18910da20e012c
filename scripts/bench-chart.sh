#!/usr/bin/env bash
# Records the README's benchmark: 10 runs (after a warm-up) of the hello-world
# image on aci local against a raw `docker run` of the same image, in
# docs/bench.json; then draws docs/bench.png, docs/bench.svg and
# docs/bench-summary.md from that record with `aci bench report`, as `make
# bench-chart-check` (run by `make test`) redraws them to tell when they are stale.
set -euo pipefail
cd "$(dirname "$0")/.."
ACI=${ACI:-bin/aci}
RUNS=${RUNS:-10}
# A config dir of its own: the aci local this script starts and stops is its own.
ACI_CONFIG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/aci-bench-chart.XXXXXX")
export ACI_CONFIG_DIR
cleanup() {
  $ACI local stop >/dev/null 2>&1 || true
  $ACI local reset --all >/dev/null 2>&1 || true
  rm -rf "$ACI_CONFIG_DIR"
}
trap cleanup EXIT
$ACI local start --detach --port 0 -o none
$ACI group create -n bench -l westus -o none
$ACI bench -g bench --image mcr.microsoft.com/azuredocs/aci-helloworld --runs "$RUNS" --warmup 1 \
  --baseline docker --export-json docs/bench.json -o none
./scripts/bench-render.sh docs
