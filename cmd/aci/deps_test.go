package main

import (
	"os/exec"
	"strings"
	"testing"
)

// aci's start-up is a budget (test/bench: at least 100× faster than az):
// what only the server or the Compose helper needs must not be linked into
// aci, since every linked package's init runs on every command. compose-go's
// JSON-schema package alone costs about 6 ms; the Docker SDK and bbolt are
// aci-local's; client-go and virtual-kubelet are aci-connector's.
func TestServerOnlyDependenciesStayOut(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, banned := range []string{"github.com/compose-spec/compose-go", "github.com/santhosh-tekuri/jsonschema",
		"github.com/docker/docker", "go.etcd.io/bbolt", "github.com/aci-cli/aci/internal/local/core",
		"github.com/aci-cli/aci/internal/compose\n", "k8s.io/", "github.com/virtual-kubelet/",
		"github.com/aci-cli/aci/internal/connector\n"} {
		if strings.Contains(string(out)+"\n", banned) {
			t.Errorf("aci links %s", strings.TrimSpace(banned))
		}
	}
}
