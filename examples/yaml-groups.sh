#!/usr/bin/env bash
# Creates the YAML groups of this folder, checks them, and deletes them.
set -euo pipefail
ACI=${ACI:-aci}
RG=${RG:-yaml-example}
here=$(cd "$(dirname "$0")" && pwd)
"$ACI" group create -n "$RG" -l westus -o none
trap '"$ACI" group delete -n "$RG" --yes >/dev/null 2>&1 || true' EXIT

# With --file, az prints the generic resource: the IP is under properties.
ip=$("$ACI" container create -g "$RG" --file "$here/app-sidecar.yaml" --query properties.ipAddress.ip -o tsv)
for _ in $(seq 1 50); do curl -fsS -o /dev/null "http://$ip/" && break; sleep 0.2; done
curl -fsS "http://$ip/" | grep -q "Welcome to Azure Container Instances"
echo "app-sidecar answers at http://$ip/"
"$ACI" container list -g "$RG" -o table

TOKEN=s3cret "$ACI" container create -g "$RG" --file "$here/job-with-secrets.yaml" -o none
"$ACI" container wait -g "$RG" -n job-with-secrets --condition terminated
"$ACI" container logs -g "$RG" -n job-with-secrets
