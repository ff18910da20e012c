package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExamples runs every script of examples/ against aci local, as a user
// would after `aci local start`.
func TestExamples(t *testing.T) {
	requireDocker(t)
	env := append(localEnv(t), "ACI="+aciBin, "DOCKER_CONFIG="+t.TempDir())
	must(t, run(t, env, aciBin, "local", "images", "-o", "none"), 0)
	script := func(name string, extra ...string) result {
		p, _ := filepath.Abs(filepath.Join("..", "..", "examples", name))
		return run(t, append(append([]string{}, env...), extra...), p)
	}
	if r := must(t, script("ci-job.sh", "RG=job-ok", "JOB_EXIT=0"), 0); !strings.Contains(r.stdout, "state=Terminated exitCode=0") {
		t.Fatalf("ci-job.sh: %+v", r)
	}
	if r := script("ci-job.sh", "RG=job-fail", "JOB_EXIT=3"); r.code != 3 || !strings.Contains(r.stderr, "failed with exit code 3") {
		t.Fatalf("ci-job.sh with a failing job: %+v", r)
	}
	if r := must(t, script("yaml-groups.sh", "RG=yaml"), 0); !strings.Contains(r.stdout, "app-sidecar answers") || !strings.Contains(r.stdout, "\nok\n") {
		t.Fatalf("yaml-groups.sh: %+v", r)
	}
	if r := must(t, script("private-images.sh", "RG=acr"), 0); !strings.Contains(r.stdout, "private image answers") {
		t.Fatalf("private-images.sh: %+v", r)
	}
	out := t.TempDir()
	if r := must(t, script("bench-matrix.sh", "RG=bench", "RUNS=2", "OUT="+out), 0); !strings.Contains(r.stdout, "1cpu/0.5gb") || !strings.Contains(r.stdout, "1cpu/1.5gb") {
		t.Fatalf("bench-matrix.sh: %+v", r)
	}
	if b, err := os.ReadFile(filepath.Join(out, "bench.svg")); err != nil || !strings.Contains(string(b), "<svg") {
		t.Fatalf("bench chart: %v", err)
	}
	// Every script cleaned up after itself, ci-job.sh its group too.
	if r := must(t, run(t, env, aciBin, "container", "list", "--query", "length(@)"), 0); r.stdout != "0\n" {
		t.Fatalf("container groups left: %s", r.stdout)
	}
	for _, rg := range []string{"job-ok", "job-fail"} {
		if r := must(t, run(t, env, aciBin, "group", "exists", "-n", rg), 0); r.stdout != "false\n" {
			t.Fatalf("ci-job.sh left its group %s", rg)
		}
	}
	// A group the pipeline made itself stays, without the job.
	must(t, run(t, env, aciBin, "group", "create", "-n", "shared", "-l", "westus", "-o", "none"), 0)
	must(t, script("ci-job.sh", "RG=shared", "JOB_EXIT=0"), 0)
	if r := must(t, run(t, env, aciBin, "group", "exists", "-n", "shared"), 0); r.stdout != "true\n" {
		t.Fatal("ci-job.sh deleted a group it did not make")
	}
	if r := must(t, run(t, env, aciBin, "container", "list", "-g", "shared", "--query", "length(@)"), 0); r.stdout != "0\n" {
		t.Fatalf("ci-job.sh left its job in a shared group: %s", r.stdout)
	}
	if n := dockerObjects(t, env); n != 0 {
		t.Fatalf("%d Docker objects left", n)
	}
}
