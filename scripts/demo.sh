#!/usr/bin/env bash
# The local quick start: start aci local, run the hello-world container group,
# fetch its page, print its logs, clean up. It uses its own config dir, so it never
# touches your real ~/.aci login or an aci local you run. Without a Docker engine aci local serves the
# hello-world image from its own process, so this works anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
ACI=${ACI:-bin/aci}
OWN_TAG=demo
# shellcheck source=scripts/lib/own-instance.sh
. scripts/lib/own-instance.sh

fetch() { # GET a URL with curl, or with bash alone where curl is missing
  { set +x; } 2>/dev/null
  if command -v curl >/dev/null 2>&1; then curl -s --max-time 5 "$1"; return; fi
  local hostport=${1#http://}; hostport=${hostport%%/*}
  exec 3<>"/dev/tcp/${hostport%:*}/${hostport#*:}"
  printf 'GET / HTTP/1.0\r\nHost: %s\r\n\r\n' "$hostport" >&3
  sed '1,/^\r$/d' <&3
}

set -x
$ACI local start --detach --port 0 -o table
$ACI group create -n demo -l westus -o table
$ACI container create -g demo -n hello --image mcr.microsoft.com/azuredocs/aci-helloworld \
  --ip-address Public --dns-name-label aci-demo -o table
IP=$($ACI container show -g demo -n hello --query ipAddress.ip -o tsv)
for _ in $(seq 1 50); do (fetch "http://$IP:80/" >/dev/null 2>&1) && break; sleep 0.2; done
echo "+ curl http://$IP:80/"
fetch "http://$IP:80/"
set -x
$ACI container logs -g demo -n hello
$ACI container list -o table
$ACI group delete -n demo --yes
$ACI container list -o table
