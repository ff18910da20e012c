package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
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

// TestInitBudget: what every command pays before it runs is each linked
// package's init. Measured in bytes allocated (GODEBUG=inittrace=1), which
// do not depend on the machine's load as times do: regexps, templates and
// tables built at init, not on first use, are what this catches.
func TestInitBudget(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "aci")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1", "ACI_CONFIG_DIR="+t.TempDir())
	var trace strings.Builder
	cmd.Stderr = &trace
	if err := cmd.Run(); err != nil {
		t.Fatalf("aci version: %v", err)
	}
	const totalBudget, ownBudget = 450 << 10, 100 << 10 // bytes
	var total, own int
	type pkg struct {
		name  string
		bytes int
	}
	var pkgs []pkg
	for _, line := range strings.Split(trace.String(), "\n") {
		// init PKG @T ms, C ms clock, B bytes, N allocs
		f := strings.Fields(line)
		if len(f) < 10 || f[0] != "init" || f[8] != "bytes," {
			continue
		}
		b, err := strconv.Atoi(f[7])
		if err != nil {
			t.Fatalf("unreadable trace line %q", line)
		}
		total += b
		if strings.HasPrefix(f[1], "github.com/aci-cli/aci/") {
			own += b
		}
		pkgs = append(pkgs, pkg{f[1], b})
	}
	if len(pkgs) == 0 {
		t.Fatalf("no init trace:\n%s", trace.String())
	}
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].bytes > pkgs[j].bytes })
	if total > totalBudget || own > ownBudget {
		var top []string
		for _, p := range pkgs[:min(8, len(pkgs))] {
			top = append(top, fmt.Sprintf("%s %d B", p.name, p.bytes))
		}
		t.Fatalf("init allocates %d B (budget %d), aci's own packages %d B (budget %d); the largest:\n%s",
			total, totalBudget, own, ownBudget, strings.Join(top, "\n"))
	}
	t.Logf("init: %d B in all, %d B in aci's packages", total, own)
}
