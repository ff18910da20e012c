package e2e

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A port other than 47443 is kept: `aci local start --port P` is remembered
// for the next start (ACI_LOCAL_PORT overrides it), and `aci local env`'s
// lines bring the real az to the instance again after a restart on another
// port (they used to fail: "The cloud 'local' is already registered").
func TestLocalPortRemembered(t *testing.T) {
	az := requireAz(t)
	cfg := t.TempDir()
	env := []string{"ACI_CONFIG_DIR=" + cfg}
	t.Cleanup(func() {
		run(t, env, aciBin, "local", "stop")
		run(t, env, aciBin, "local", "reset")
	})
	endpoint := func(extra ...string) string {
		t.Helper()
		r := must(t, run(t, append(append([]string{}, env...), extra...), aciBin, "local", "status", "-o", "json"), 0)
		var st map[string]any
		json.Unmarshal([]byte(r.stdout), &st)
		return st["endpoint"].(string)
	}
	azEnv := []string{"AZURE_CONFIG_DIR=" + t.TempDir(), "AZURE_CORE_COLLECT_TELEMETRY=false", "ACI=" + aciBin, "PATH=" + filepath.Dir(az) + ":/usr/bin:/bin"}
	azThere := func() {
		t.Helper()
		cmd := exec.Command("bash", "-c", `set -e; eval "$("$ACI" local env)" >/dev/null; az group list --query "[].name" -o tsv`)
		cmd.Env = cleanEnv(append(append([]string{}, env...), azEnv...))
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "portcheck") {
			t.Fatalf("az through aci local env's lines: %v\n%s", err, out)
		}
	}
	p1, p2, p3 := freePort(t), freePort(t), freePort(t)
	must(t, run(t, env, aciBin, "local", "start", "--detach", "--port", fmt.Sprint(p1), "-o", "none"), 0)
	must(t, run(t, env, aciBin, "group", "create", "-n", "portcheck", "-l", "westus", "-o", "none"), 0)
	azThere()
	must(t, run(t, env, aciBin, "local", "stop"), 0)
	must(t, run(t, env, aciBin, "local", "start", "--detach", "--port", fmt.Sprint(p2), "-o", "none"), 0)
	azThere() // the same lines again, on the new port
	must(t, run(t, env, aciBin, "local", "stop"), 0)
	r := run(t, env, aciBin, "group", "list")
	if want := fmt.Sprintf("Start it with 'aci local start --detach --port %d'.", p2); r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Fatalf("the hint does not name the port: %+v", r)
	}
	must(t, run(t, env, aciBin, "local", "start", "--detach", "-o", "none"), 0)
	if got := endpoint(); got != fmt.Sprintf("https://127.0.0.1:%d", p2) {
		t.Fatalf("a start without --port after --port %d listens at %s", p2, got)
	}
	must(t, run(t, env, aciBin, "local", "stop"), 0)
	must(t, run(t, append(append([]string{}, env...), fmt.Sprintf("ACI_LOCAL_PORT=%d", p3)), aciBin, "local", "start", "--detach", "-o", "none"), 0)
	if got := endpoint(); got != fmt.Sprintf("https://127.0.0.1:%d", p3) {
		t.Fatalf("ACI_LOCAL_PORT=%d: listens at %s", p3, got)
	}
}
