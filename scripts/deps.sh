#!/usr/bin/env bash
# Installs what the test suite needs beyond Go: the real az CLI (Debian's
# azure-cli, 2.45) for the side-by-side tests, curl for the demo, git for
# gitRepo volumes, gcc for the cgo build test, busybox-static for aci local's
# hello-world image.
# Idempotent; uses sudo when not root.
set -euo pipefail
need=()
command -v az >/dev/null 2>&1 || need+=(azure-cli)
command -v git >/dev/null 2>&1 || need+=(git)
command -v curl >/dev/null 2>&1 || need+=(curl)
# A C compiler: the cgo build test builds aci the way `go install` does with one.
command -v gcc >/dev/null 2>&1 || need+=(gcc)
# A static busybox gives aci local's hello-world image a shell (exec tests).
[ -x /bin/busybox ] || need+=(busybox-static)
# etcd for the real Kubernetes control plane the connector's tests run against.
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing: ${need[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
