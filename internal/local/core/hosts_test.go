package core_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/local/core"
	"github.com/aci-cli/aci/internal/local/coretest"
)

// Each instance keeps a block of its own in the hosts file, rewritten as
// names come and go, next to the file's other lines and other instances'
// blocks, and gone when the instance stops (or is reset).
func TestHostsBlock(t *testing.T) {
	hosts := filepath.Join(t.TempDir(), "hosts")
	os.WriteFile(hosts, []byte("127.0.0.1 localhost\n::1 localhost ip6-localhost\n"), 0o644)
	dirA, dirB := t.TempDir(), t.TempDir()
	a := coretest.StartWith(t, core.Options{StateDir: dirA, Version: "test", HostsFile: hosts}, nil)
	b := coretest.StartWith(t, core.Options{StateDir: dirB, Version: "test", HostsFile: hosts}, nil)
	a.Srv.SetNames("/g/1", "127.0.2.2", "web.westus.azurecontainer.io")
	a.Srv.SetNames("/s/1", "127.0.0.1", "acct.file.core.aci.localhost", "acct.file.aci.localhost")
	b.Srv.SetNames("/g/2", "127.0.2.3", "api.eastus.azurecontainer.io", "evil\n1.2.3.4 bank.example", "a b")
	b.Srv.SetNames("/g/3", "not-an-ip\n", "x.example")
	read := func() string { x, _ := os.ReadFile(hosts); return string(x) }
	got := read()
	for _, want := range []string{"127.0.0.1 localhost\n::1 localhost ip6-localhost\n",
		"# BEGIN aci local " + dirA + "\n127.0.0.1 acct.file.core.aci.localhost acct.file.aci.localhost\n127.0.2.2 web.westus.azurecontainer.io\n# END aci local " + dirA + "\n",
		"# BEGIN aci local " + dirB + "\n127.0.2.3 api.eastus.azurecontainer.io\n# END aci local " + dirB + "\n"} {
		if !strings.Contains(got, want) {
			t.Fatalf("hosts lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "bank.example") || strings.Contains(got, "x.example") || strings.Contains(got, "a b") {
		t.Fatalf("a name or address that is none reached the file:\n%s", got)
	}
	if lines := a.Srv.HostsLines(); len(lines) != 2 {
		t.Fatalf("lines: %v", lines)
	}
	if b, _ := os.ReadFile(core.HostsCopy(dirA)); !strings.Contains(string(b), "web.westus.azurecontainer.io") {
		t.Fatalf("the copy for aci local env --hosts: %q", b)
	}
	a.Srv.DropNames("/g/1")
	if strings.Contains(read(), "web.westus") {
		t.Fatal("a dropped name stayed")
	}
	a.Srv.Close()
	got = read()
	if strings.Contains(got, dirA) || !strings.Contains(got, "api.eastus.azurecontainer.io") || !strings.HasPrefix(got, "127.0.0.1 localhost\n::1 localhost ip6-localhost\n") {
		t.Fatalf("after one instance stopped:\n%s", got)
	}
	if err := core.RemoveHostsBlock(hosts, dirB); err != nil {
		t.Fatal(err)
	}
	if got := read(); got != "127.0.0.1 localhost\n::1 localhost ip6-localhost\n" {
		t.Fatalf("after a reset:\n%q", got)
	}
}
