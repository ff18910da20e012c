#!/usr/bin/env bash
# The local quick start: start aci local, create and list a resource group, clean up.
# Uses its own config dir so it never touches your real ~/.aci login.
set -euo pipefail
cd "$(dirname "$0")/.."
ACI=${ACI:-bin/aci}
export ACI_CONFIG_DIR=${ACI_CONFIG_DIR:-$(mktemp -d)}
trap '$ACI local stop >/dev/null 2>&1 || true' EXIT
set -x
$ACI local start --detach --port 0 -o table
$ACI group create -n demo -l westus -o table
$ACI group list -o table
$ACI provider register -n Microsoft.ContainerInstance --wait
$ACI provider show -n Microsoft.ContainerInstance -o table
$ACI group delete -n demo --yes
$ACI group list -o table
