# Sourced by the scripts that run an aci local of their own (demo, benchmarks):
# a config dir of its own, always, even when ACI_CONFIG_DIR is exported, so
# the instance such a script starts, stops and resets is never the user's.
# Set ACI and OWN_TAG first.
ACI_CONFIG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/aci-${OWN_TAG:-script}.XXXXXX")
export ACI_CONFIG_DIR
own_instance_cleanup() {
  $ACI local stop >/dev/null 2>&1 || true
  $ACI local reset --all >/dev/null 2>&1 || true
  rm -rf "$ACI_CONFIG_DIR"
}
trap own_instance_cleanup EXIT
