package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// The project's scripts start, stop and reset only the aci local they
// started, in a config dir of their own: run with a user's ACI_CONFIG_DIR
// exported and the user's aci local running, they leave both as they were
// (make demo used to reset the user's instance from its exit trap).
func TestScriptsLeaveYourInstance(t *testing.T) {
	requireDocker(t)
	env := localEnv(t) // the user's config dir, exported, and its running aci local
	must(t, run(t, env, aciBin, "group", "create", "-n", "mine", "-l", "westus", "-o", "none"), 0)
	script := func(name string, args ...string) result {
		p, _ := filepath.Abs(filepath.Join("..", "..", "scripts", name))
		return run(t, append(append([]string{}, env...), "ACI="+aciBin), p, args...)
	}
	if r := script("demo.sh"); r.code != 0 || !strings.Contains(r.stdout+r.stderr, "group delete -n demo") {
		t.Fatalf("demo.sh beside a running aci local: %+v", r)
	}
	if r := script("bench-vs-docker.sh", "1"); r.code != 0 || !strings.Contains(r.stdout, "ratio") {
		t.Fatalf("bench-vs-docker.sh beside a running aci local: %+v", r)
	}
	must(t, run(t, env, aciBin, "group", "show", "-n", "mine", "-o", "none"), 0)
	if r := must(t, run(t, env, aciBin, "group", "list", "--query", "[].name", "-o", "tsv"), 0); r.stdout != "mine\n" {
		t.Fatalf("the user's instance holds %q after the scripts", r.stdout)
	}
}
