#!/usr/bin/env bash
# The private-image flow: a registry, docker login, a push, the repository
# commands, a group pulling the image with the registry's credentials.
# Needs Docker (and, on aci local, the hello image: aci local images).
set -euo pipefail
ACI=${ACI:-aci}
RG=${RG:-acr-example}
REG=${REG:-examplereg$RANDOM}
"$ACI" group create -n "$RG" -l westus -o none
trap '"$ACI" group delete -n "$RG" --yes >/dev/null 2>&1 || true' EXIT

"$ACI" acr create -n "$REG" -g "$RG" --sku Basic --admin-enabled true -o table
"$ACI" acr login -n "$REG"
LS=$("$ACI" acr show -n "$REG" --query loginServer -o tsv)
docker tag mcr.microsoft.com/azuredocs/aci-helloworld:latest "$LS/hello:v1"
docker push "$LS/hello:v1" >/dev/null
docker rmi "$LS/hello:v1" >/dev/null
"$ACI" acr repository show-tags -n "$REG" --repository hello -o tsv

PW=$("$ACI" acr credential show -n "$REG" --query "passwords[0].value" -o tsv)
ip=$("$ACI" container create -g "$RG" -n private --image "$LS/hello:v1" --registry-login-server "$LS" \
  --registry-username "$REG" --registry-password "$PW" --ip-address Public --query ipAddress.ip -o tsv)
for _ in $(seq 1 50); do curl -fsS -o /dev/null "http://$ip/" && break; sleep 0.2; done
curl -fsS "http://$ip/" | grep -q "Welcome to Azure Container Instances"
echo "private image answers at http://$ip/"
