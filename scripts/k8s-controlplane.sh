#!/usr/bin/env bash
# A real Kubernetes control plane on this machine, from upstream code, for the
# ACI connector's tests: etcd (Debian's etcd-server), and kube-apiserver,
# kube-scheduler and kube-controller-manager built from k8s.io/kubernetes in
# the module test/k8s/controlplane (kept out of aci's go.mod).
#
#   scripts/k8s-controlplane.sh build        build once, cached by version
#   scripts/k8s-controlplane.sh up DIR       start the plane in DIR (kubeconfig: DIR/kubeconfig)
#   scripts/k8s-controlplane.sh down DIR     stop it
#   scripts/k8s-controlplane.sh bin          print the directory of the binaries (kubectl too)
#
# A virtual node reaches logs and exec when it trusts DIR/kubelet-ca.crt
# (--client-ca-file): the API server calls kubelets with a certificate from it.
#
# The build takes about 20 minutes the first time on 2 cores (measured: 20 min
# for all four, kubectl included); the binaries are
# kept in $ACI_K8S_CACHE (default ~/.cache/aci/k8s/VERSION) and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=v1.37.2
CACHE=${ACI_K8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aci/k8s}/$VERSION
BINS=(kube-apiserver kube-scheduler kube-controller-manager kubectl)

build() {
  local missing=()
  for b in "${BINS[@]}"; do [ -x "$CACHE/$b" ] || missing+=("$b"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  mkdir -p "$CACHE"
  # Without the version stamped, the server reports v0.0.0-master+$Format:%H$,
  # which kubectl cannot parse.
  local ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=37"
  for b in "${missing[@]}"; do
    echo "building $b $VERSION into $CACHE (cached for later runs)" >&2
    (cd test/k8s/controlplane && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$CACHE/$b.tmp" "k8s.io/kubernetes/cmd/$b")
    mv "$CACHE/$b.tmp" "$CACHE/$b"
  done
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

up() {
  local dir=$1
  build
  command -v etcd >/dev/null || { echo "etcd is missing: apt-get install -y etcd-server (scripts/deps.sh does)" >&2; exit 1; }
  mkdir -p "$dir/certs" "$dir/etcd"
  local etcd_port peer_port api_port
  etcd_port=$(free_port); peer_port=$(free_port); api_port=$(free_port)
  openssl genrsa -out "$dir/sa.key" 2048 2>/dev/null
  local token; token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  echo "$token,admin,admin,system:masters" > "$dir/tokens.csv"
  # The API server's client certificate for kubelets (logs, exec), from a CA
  # of its own that a virtual node is given as its --client-ca-file.
  openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj /CN=aci-test-kubelet-client-ca \
    -keyout "$dir/kubelet-ca.key" -out "$dir/kubelet-ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=kube-apiserver-kubelet-client" \
    -keyout "$dir/kubelet-client.key" -out "$dir/kubelet-client.csr" 2>/dev/null
  openssl x509 -req -days 7 -in "$dir/kubelet-client.csr" -CA "$dir/kubelet-ca.crt" -CAkey "$dir/kubelet-ca.key" \
    -CAcreateserial -out "$dir/kubelet-client.crt" 2>/dev/null
  etcd --data-dir "$dir/etcd" --listen-client-urls "http://127.0.0.1:$etcd_port" \
    --advertise-client-urls "http://127.0.0.1:$etcd_port" --listen-peer-urls "http://127.0.0.1:$peer_port" \
    > "$dir/etcd.log" 2>&1 &
  echo $! > "$dir/etcd.pid"
  "$CACHE/kube-apiserver" --etcd-servers="http://127.0.0.1:$etcd_port" --secure-port="$api_port" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --endpoint-reconciler-type=none \
    --service-account-issuer=https://kubernetes.default.svc --service-account-key-file="$dir/sa.key" \
    --service-account-signing-key-file="$dir/sa.key" --cert-dir="$dir/certs" \
    --service-cluster-ip-range=10.96.0.0/16 --token-auth-file="$dir/tokens.csv" \
    --authorization-mode=Node,RBAC --allow-privileged=true --kubelet-client-certificate="$dir/kubelet-client.crt" \
    --kubelet-client-key="$dir/kubelet-client.key" --kubelet-preferred-address-types=InternalIP \
    > "$dir/apiserver.log" 2>&1 &
  echo $! > "$dir/apiserver.pid"
  local server="https://127.0.0.1:$api_port"
  for _ in $(seq 1 300); do
    [ -s "$dir/certs/apiserver.crt" ] && curl -sf --cacert "$dir/certs/apiserver.crt" -H "Authorization: Bearer $token" "$server/readyz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  cat > "$dir/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: $server
    certificate-authority: $dir/certs/apiserver.crt
users:
- name: admin
  user:
    token: $token
contexts:
- name: local
  context: {cluster: local, user: admin}
current-context: local
EOF
  chmod 600 "$dir/kubeconfig"
  "$CACHE/kube-controller-manager" --kubeconfig="$dir/kubeconfig" --service-account-private-key-file="$dir/sa.key" \
    --root-ca-file="$dir/certs/apiserver.crt" --controllers='*,-nodeipam' --bind-address=127.0.0.1 --secure-port=0 \
    > "$dir/controller-manager.log" 2>&1 &
  echo $! > "$dir/controller-manager.pid"
  "$CACHE/kube-scheduler" --kubeconfig="$dir/kubeconfig" --bind-address=127.0.0.1 --secure-port=0 \
    > "$dir/scheduler.log" 2>&1 &
  echo $! > "$dir/scheduler.pid"
  echo "$dir/kubeconfig"
}

down() {
  local dir=$1 pid
  for p in scheduler controller-manager apiserver etcd; do
    [ -f "$dir/$p.pid" ] || continue
    pid=$(cat "$dir/$p.pid")
    kill "$pid" 2>/dev/null || true
    # kube-apiserver drains for a while on SIGTERM: 10 s, then it is killed.
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$dir/$p.pid"
  done
}

case "${1:-}" in
  build) build ;;
  up) up "${2:?usage: $0 up DIR}" ;;
  down) down "${2:?usage: $0 down DIR}" ;;
  bin) build >&2; echo "$CACHE" ;;
  *) echo "usage: $0 build | up DIR | down DIR | bin" >&2; exit 2 ;;
esac
