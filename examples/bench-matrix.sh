#!/usr/bin/env bash
# A small bench matrix: two memory sizes, with a Markdown summary and a chart.
#   OUT=/tmp/bench ./bench-matrix.sh
set -euo pipefail
ACI=${ACI:-aci}
RG=${RG:-bench-example}
OUT=${OUT:-.}
RUNS=${RUNS:-3}
"$ACI" group create -n "$RG" -l westus -o none
trap '"$ACI" group delete -n "$RG" --yes >/dev/null 2>&1 || true' EXIT
"$ACI" bench -g "$RG" --image mcr.microsoft.com/azuredocs/aci-helloworld --memory 0.5 --memory 1.5 \
  --runs "$RUNS" --warmup 1 --export-markdown "$OUT/bench.md" --chart "$OUT/bench.svg" -o none
cat "$OUT/bench.md"
