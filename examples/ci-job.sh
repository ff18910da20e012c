#!/usr/bin/env bash
# A CI step that runs a job in ACI and fails when the job fails: create a
# run-once group, wait for it, read the outcome with --query, clean up.
#   RG=ci JOB_EXIT=0 ./ci-job.sh        (ACI=aci by default; az works the same up to `container wait`)
set -euo pipefail
ACI=${ACI:-aci}
RG=${RG:-ci-example}
JOB=${JOB:-job-$RANDOM}
JOB_EXIT=${JOB_EXIT:-0}

# The group is deleted at the end only if this script made it: a pipeline's
# shared group stays, with no job left in it.
made_group=
if [ "$("$ACI" group exists -n "$RG")" != "true" ]; then
  "$ACI" group create -n "$RG" -l westus -o none
  made_group=1
fi
cleanup() {
  if [ -n "$made_group" ]; then
    "$ACI" group delete -n "$RG" --yes -o none >/dev/null 2>&1 || true
  else
    "$ACI" container delete -g "$RG" -n "$JOB" --yes -o none >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

"$ACI" container create -g "$RG" -n "$JOB" --image mcr.microsoft.com/azuredocs/aci-helloworld \
  --restart-policy Never --command-line "/bin/sh -c 'echo working; exit $JOB_EXIT'" --no-wait -o none

# `container wait` prints the container's exit code once it terminated (as
# `docker wait` does); its own status says whether the wait worked, so a
# missing group or a timeout fails this script right here (set -e).
status=$("$ACI" container wait -g "$RG" -n "$JOB" --condition terminated)

# The same outcome, read from the group as a script would read it from az.
state=$("$ACI" container show -g "$RG" -n "$JOB" --query "containers[0].instanceView.currentState.state" -o tsv)
code=$("$ACI" container show -g "$RG" -n "$JOB" --query "containers[0].instanceView.currentState.exitCode" -o tsv)
echo "job $JOB: state=$state exitCode=$code"
"$ACI" container logs -g "$RG" -n "$JOB"

if [ "$status" -ne 0 ] || [ "$code" != "0" ]; then
  echo "job $JOB failed with exit code $code" >&2
  exit "$status"
fi
