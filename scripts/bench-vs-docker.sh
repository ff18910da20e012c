#!/usr/bin/env bash
# Compares aci local's create -> first HTTP answer with a raw `docker run` of the same
# image on the same engine, and prints the ratio of the medians (the goal: <= 1.2).
# Usage: scripts/bench-vs-docker.sh [RUNS] [IMAGE]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-10}
IMAGE=${2:-mcr.microsoft.com/azuredocs/aci-helloworld}
ACI=${ACI:-bin/aci}
[ -x "$ACI" ] || make build >/dev/null
OWN_TAG=bench
# shellcheck source=scripts/lib/own-instance.sh
. scripts/lib/own-instance.sh
$ACI local start --detach --port 0 -o none
$ACI group create -n bench -l westus -o none
out=$(mktemp)
$ACI bench -g bench --image "$IMAGE" --runs "$RUNS" --warmup 1 --baseline docker --export-json "$out"
/usr/bin/python3 - "$out" <<'PY'
import json, sys
rep = json.load(open(sys.argv[1]))
med = {s["scenario"]: s["total"]["median_ms"] for s in rep["summaries"]}
docker = next(v for k, v in med.items() if "docker" in k)
local = next(v for k, v in med.items() if "docker" not in k)
print(f"aci local create->HTTP median {local:.1f} ms, docker run->HTTP median {docker:.1f} ms, ratio {local/docker:.2f}")
PY
