#!/usr/bin/env bash
# Draws the chart and the summary of docs/bench.json into DIR (default docs).
set -euo pipefail
cd "$(dirname "$0")/.."
ACI=${ACI:-bin/aci}
out=${1:-docs}
ACI_CONFIG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/aci-bench-render.XXXXXX")
export ACI_CONFIG_DIR
trap 'rm -rf "$ACI_CONFIG_DIR"' EXIT
$ACI bench report --from docs/bench.json --chart "$out/bench.png" -o none
$ACI bench report --from docs/bench.json --chart "$out/bench.svg" --export-markdown "$out/bench-summary.md" -o none
