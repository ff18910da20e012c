package cloud_test

import (
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/clitest"
)

func TestCloudCommands(t *testing.T) {
	s := clitest.NewServer(t)
	e := &clitest.Env{T: t, Server: s, ConfigDir: t.TempDir(), HTTPClient: s.Client()}
	r := e.Run("cloud", "list", "-o", "table")
	want := "IsActive    Name               Profile\n----------  -----------------  ---------\nTrue        AzureCloud         latest\nFalse       AzureChinaCloud    latest\nFalse       AzureUSGovernment  latest\n"
	if r.Code != 0 || r.Stdout != want {
		t.Fatalf("list:\n%s", r.Stdout)
	}
	if r := e.Run("cloud", "show", "--query", "endpoints.resourceManager", "-o", "tsv"); r.Stdout != "https://management.azure.com/\n" {
		t.Fatalf("show: %+v", r)
	}
	if r := e.Run("cloud", "register", "-n", "stack", "--endpoint-resource-manager", s.URL+"/"); r.Code != 0 {
		t.Fatalf("register: %+v", r)
	}
	if r := e.Run("cloud", "register", "-n", "stack", "--endpoint-resource-manager", s.URL+"/"); r.Code != 1 || !strings.Contains(r.Stderr, "already registered") {
		t.Fatalf("register twice: %+v", r)
	}
	if r := e.Run("cloud", "update", "-n", "stack", "--suffix-storage-endpoint", "local.test"); r.Code != 0 {
		t.Fatalf("update: %+v", r)
	}
	if r := e.Run("cloud", "show", "-n", "stack", "--query", "[suffixes.storageEndpoint, endpoints.activeDirectoryResourceId]", "-o", "tsv"); r.Stdout != "local.test\nhttps://management.core.windows.net/\n" {
		t.Fatalf("after update: %+v", r)
	}
	if r := e.Run("cloud", "set", "-n", "stack"); r.Code != 0 || !strings.Contains(r.Stderr, "Switched active cloud to 'stack'.") {
		t.Fatalf("set: %+v", r)
	}
	for _, c := range []struct{ args, msg string }{
		{"cloud unregister -n stack", "currently active"},
		{"cloud unregister -n AzureCloud", "not a custom cloud"},
		{"cloud set -n nowhere", "The cloud 'nowhere' is not registered."},
		{"cloud update -n AzureCloud --suffix-storage-endpoint x", "not a custom cloud"},
	} {
		if r := e.Run(strings.Fields(c.args)...); r.Code != 1 || !strings.Contains(r.Stderr, c.msg) {
			t.Errorf("%s: %+v", c.args, r)
		}
	}
	e.Run("cloud", "set", "-n", "AzureCloud")
	if r := e.Run("cloud", "unregister", "-n", "stack"); r.Code != 0 {
		t.Fatalf("unregister: %+v", r)
	}
	if r := e.Run("cloud", "show", "-n", "stack"); r.Code != 1 {
		t.Fatalf("still there: %+v", r)
	}
}
