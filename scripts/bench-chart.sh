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
OWN_TAG=bench-chart
# shellcheck source=scripts/lib/own-instance.sh
. scripts/lib/own-instance.sh
$ACI local start --detach --port 0 -o none
$ACI group create -n bench -l westus -o none
$ACI bench -g bench --image mcr.microsoft.com/azuredocs/aci-helloworld --runs "$RUNS" --warmup 1 \
  --baseline docker --export-json docs/bench.json -o none
./scripts/bench-render.sh docs
