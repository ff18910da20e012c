package e2e

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// TestLocalCloudStaysOnLoopback runs aci local and a user's session against it
// inside a network namespace that has nothing but loopback: a request (or a
// DNS lookup) for anything beyond 127.0.0.0/8 would fail there, so every
// command succeeding shows that nothing of the local cloud leaves the machine.
func TestLocalCloudStaysOnLoopback(t *testing.T) {
	for _, tool := range []string{"unshare", "ip"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed (util-linux, iproute2)", tool)
		}
	}
	cfg := t.TempDir()
	script := fmt.Sprintf(`set -eu
ip link set lo up
export ACI_CONFIG_DIR=%[1]s DOCKER_HOST=unix:///nonexistent HTTPS_PROXY= HTTP_PROXY=
A=%[2]s
trap 'rc=$?; [ $rc -eq 0 ] || { echo "--- server.log"; cat "$ACI_CONFIG_DIR/local/server.log" 2>/dev/null | tail -40; }; $A local stop >/dev/null 2>&1 || true' EXIT
$A local start --detach --port 0 -o none
$A group create -n rg -l westus -o none
$A group list --query "[].name" -o tsv
$A account list-locations --query "length(@)" -o tsv
$A provider show -n Microsoft.ContainerInstance --query namespace -o tsv
$A container create -g rg -n hello --image mcr.microsoft.com/azuredocs/aci-helloworld --ip-address Public --query provisioningState -o tsv
$A container show -g rg -n hello --query "instanceView.state" -o tsv
$A container logs -g rg -n hello
$A container delete -g rg -n hello --yes -o none
$A group delete -n rg --yes
echo done
`, cfg, aciBin)
	out, err := exec.Command("unshare", "-n", "sh", "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("in a loopback-only network: %v\n%s", err, out)
	}
	for _, want := range []string{"rg\n", "12\n", "Microsoft.ContainerInstance\n", "Succeeded\n", "Running\n", "listening on port 80", "done\n"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
}
