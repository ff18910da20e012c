package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestQuickStart is the README's quick start, step by step.
func TestQuickStart(t *testing.T) {
	env := localEnv(t)
	must(t, run(t, env, aciBin, "group", "create", "-n", "demo", "-l", "westus", "-o", "none"), 0)
	r := must(t, run(t, env, aciBin, "group", "list", "-o", "table"), 0)
	if r.stdout != "Name    Location    Status\n------  ----------  ---------\ndemo    westus      Succeeded\n" {
		t.Fatalf("group list:\n%s", r.stdout)
	}
	var st map[string]any
	r = must(t, run(t, env, aciBin, "local", "status", "-o", "json"), 0)
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || !strings.HasPrefix(st["endpoint"].(string), "https://127.0.0.1:") || st["runtime"] == "" {
		t.Fatalf("status: %s", r.stdout)
	}
	r = run(t, env, aciBin, "local", "start", "--detach", "--port", "0")
	if r.code != 1 || !strings.Contains(r.stderr, "already running") {
		t.Fatalf("second start: %+v", r)
	}
	r = must(t, run(t, env, aciBin, "local", "env"), 0)
	for _, want := range []string{"export REQUESTS_CA_BUNDLE=", "export SSL_CERT_FILE=", "az cloud register -n local --endpoint-resource-manager " + st["endpoint"].(string) + "/",
		"az cloud set -n local", "az login --service-principal -u ", "export IDENTITY_ENDPOINT=" + st["endpoint"].(string) + "/msi/token", "export IDENTITY_HEADER="} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("env lacks %q:\n%s", want, r.stdout)
		}
	}
	must(t, run(t, env, aciBin, "group", "delete", "-n", "demo", "--yes"), 0)
	r = run(t, env, aciBin, "group", "show", "-n", "demo")
	if r.code != 3 || !strings.HasPrefix(r.stderr, "ERROR: (ResourceGroupNotFound) Resource group 'demo' could not be found.") {
		t.Fatalf("show deleted: %+v", r)
	}
	must(t, run(t, env, aciBin, "local", "stop"), 0)
	if r := run(t, env, aciBin, "local", "status"); r.code != 1 {
		t.Fatalf("status after stop: %+v", r)
	}
	// With nothing listening, a command fails at once, in one line, saying what to do.
	r = run(t, env, aciBin, "group", "list")
	port := st["endpoint"].(string)[strings.LastIndexByte(st["endpoint"].(string), ':')+1:]
	if want := "ERROR: Could not connect to " + st["endpoint"].(string) + ": the connection was refused. Is aci local running? Start it with 'aci local start --detach --port " + port + "'.\n"; r.code != 1 || r.stderr != want {
		t.Fatalf("stopped endpoint: %+v", r)
	}
	// State survives a restart.
	must(t, run(t, env, aciBin, "local", "start", "--detach", "--port", "0", "-o", "none"), 0)
	must(t, run(t, env, aciBin, "group", "create", "-n", "kept", "-l", "eastus", "-o", "none"), 0)
	must(t, run(t, env, aciBin, "local", "stop"), 0)
	must(t, run(t, env, aciBin, "local", "start", "--detach", "--port", "0", "-o", "none"), 0)
	if r := must(t, run(t, env, aciBin, "group", "exists", "-n", "kept"), 0); r.stdout != "true\n" {
		t.Fatalf("after restart: %+v", r)
	}
}

// TestManagedIdentityLogin: `aci login --identity` with what `aci local env`
// prints, and not without its secret.
func TestManagedIdentityLogin(t *testing.T) {
	env := localEnv(t)
	r := must(t, run(t, env, aciBin, "local", "env"), 0)
	var mi []string
	for _, line := range strings.Split(r.stdout, "\n") {
		if kv, ok := strings.CutPrefix(line, "export IDENTITY_"); ok {
			mi = append(mi, "IDENTITY_"+kv)
		}
	}
	if len(mi) != 2 {
		t.Fatalf("env: %s", r.stdout)
	}
	must(t, run(t, append(env, mi...), aciBin, "login", "--identity", "-o", "none"), 0)
	if r := must(t, run(t, append(env, mi...), aciBin, "account", "show", "--query", "user.type", "-o", "tsv"), 0); r.stdout != "servicePrincipal\n" && r.stdout != "managedIdentity\n" {
		t.Fatalf("account after identity login: %q", r.stdout)
	}
	must(t, run(t, append(env, mi...), aciBin, "group", "list", "-o", "none"), 0)
	wrong := append(append([]string{}, env...), mi[0], "IDENTITY_HEADER=wrong")
	if r := run(t, wrong, aciBin, "login", "--identity", "-o", "none"); r.code != 1 || !strings.HasPrefix(r.stderr, "ERROR: ") {
		t.Fatalf("identity login with a wrong secret: %+v", r)
	}
}

// TestStateDirRemembered: after `local start --state-dir DIR`, status, env,
// stop and reset find that instance without the flag.
func TestStateDirRemembered(t *testing.T) {
	env := []string{"ACI_CONFIG_DIR=" + t.TempDir()}
	dir := t.TempDir()
	must(t, run(t, env, aciBin, "local", "start", "--detach", "--port", "0", "--state-dir", dir, "-o", "none"), 0)
	t.Cleanup(func() { run(t, env, aciBin, "local", "stop", "--state-dir", dir) })
	r := must(t, run(t, env, aciBin, "local", "status", "--query", "stateDir", "-o", "tsv"), 0)
	if strings.TrimSpace(r.stdout) != dir {
		t.Fatalf("status found %q, want %q", r.stdout, dir)
	}
	must(t, run(t, env, aciBin, "local", "env"), 0)
	must(t, run(t, env, aciBin, "local", "stop"), 0)
	if r := run(t, env, aciBin, "local", "status"); r.code != 1 || !strings.Contains(r.stderr, dir) {
		t.Fatalf("status after stop: %+v", r)
	}
	must(t, run(t, env, aciBin, "local", "reset"), 0)
}
