package e2e

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCgoBuild: built the way `go install` builds on a machine with a C
// compiler (cgo on, so dynamically linked), aci local's built-in images still
// run: they carry the binary's loader and libraries.
func TestCgoBuild(t *testing.T) {
	requireDocker(t)
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Fatal("this test needs a C compiler (Debian's gcc), as a cgo build does")
	}
	dir := t.TempDir()
	for _, b := range []string{"aci", "aci-local"} {
		build := exec.Command("go", "build", "-o", filepath.Join(dir, b), "../../cmd/"+b)
		build.Env = append(os.Environ(), "CGO_ENABLED=1")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("cgo build of %s: %v\n%s", b, err, out)
		}
	}
	f, err := elf.Open(filepath.Join(dir, "aci-local"))
	if err != nil {
		t.Fatal(err)
	}
	dynamic := false
	for _, p := range f.Progs {
		dynamic = dynamic || p.Type == elf.PT_INTERP
	}
	f.Close()
	if !dynamic {
		t.Fatal("a cgo build came out static: this test would prove nothing")
	}
	bin := filepath.Join(dir, "aci")
	env := []string{"ACI_CONFIG_DIR=" + t.TempDir()}
	must(t, run(t, env, bin, "local", "start", "--detach", "--port", "0", "-o", "none"), 0)
	t.Cleanup(func() {
		run(t, env, bin, "local", "stop")
		run(t, env, bin, "local", "reset")
	})
	must(t, run(t, env, bin, "group", "create", "-n", "rg", "-l", "westus", "-o", "none"), 0)
	must(t, run(t, env, bin, "container", "create", "-g", "rg", "-n", "hello", "--image", "mcr.microsoft.com/azuredocs/aci-helloworld",
		"--ip-address", "Public", "-o", "none"), 0)
	ip := strings.TrimSpace(must(t, run(t, env, bin, "container", "show", "-g", "rg", "-n", "hello", "--query", "ipAddress.ip", "-o", "tsv"), 0).stdout)
	if page := getUntil200(t, "http://"+ip+"/"); !strings.Contains(page, "Azure Container Instances") {
		t.Fatalf("hello page: %.200s", page)
	}
	if r := must(t, run(t, env, bin, "container", "exec", "-g", "rg", "-n", "hello", "--", "echo", "from-inside"), 0); r.stdout != "from-inside\n" {
		t.Fatalf("exec: %q", r.stdout)
	}
}
