package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBench: 5 runs × 2 scenarios of the hello image on aci local's Docker
// runtime; every phase present and ordered; exports written; nothing left over.
func TestBench(t *testing.T) {
	requireDocker(t)
	env := localEnv(t)
	must(t, run(t, env, aciBin, "group", "create", "-n", "bench", "-l", "westus", "-o", "none"), 0)
	dir := t.TempDir()
	js, md, chart := filepath.Join(dir, "runs.json"), filepath.Join(dir, "summary.md"), filepath.Join(dir, "chart.svg")
	r := must(t, run(t, env, aciBin, "bench", "-g", "bench", "--image", "mcr.microsoft.com/azuredocs/aci-helloworld",
		"--cpu", "1", "--cpu", "0.5", "--runs", "5", "--export-json", js, "--export-markdown", md, "--chart", chart), 0)
	for _, want := range []string{"Median time from the create request to each phase, in milliseconds:", "| Pull started |", "| IP assigned |",
		"Summary (ratio of medians, the Relative column)\n  ", " times faster than ", "$0.0000125 per vCPU-second"} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("summary lacks %q:\n%s", want, r.stdout)
		}
	}
	var rep struct {
		Version string
		Runs    []struct {
			Scenario string             `json:"scenario"`
			OK       bool               `json:"ok"`
			TotalMS  float64            `json:"total_ms"`
			Phases   map[string]float64 `json:"phases"`
		} `json:"runs"`
	}
	b, _ := os.ReadFile(js)
	if err := json.Unmarshal(b, &rep); err != nil || len(rep.Runs) != 10 {
		t.Fatalf("json: %v %s", err, b)
	}
	scen := map[string]int{}
	for _, run := range rep.Runs {
		scen[run.Scenario]++
		prev := -1.0
		for _, ph := range []string{"accepted", "pull_started", "pulled", "started", "provisioned", "ip_assigned", "http_ready"} {
			v, ok := run.Phases[ph]
			if !ok || v < prev {
				t.Fatalf("%s: phase %s missing or out of order: %v", run.Scenario, ph, run.Phases)
			}
			prev = v
		}
		if !run.OK || run.TotalMS != run.Phases["http_ready"] {
			t.Fatalf("run: %+v", run)
		}
	}
	if len(scen) != 2 {
		t.Fatalf("scenarios: %v", scen)
	}
	for _, f := range []string{md, chart} {
		if st, err := os.Stat(f); err != nil || st.Size() < 200 {
			t.Fatalf("%s: %v", f, err)
		}
	}
	// With a warm-up there is no advice to warm up; the closing line names its statistic.
	r = must(t, run(t, env, aciBin, "bench", "-g", "bench", "--image", "mcr.microsoft.com/azuredocs/aci-helloworld", "--runs", "3", "--warmup", "1",
		"--baseline", "docker"), 0)
	if strings.Contains(r.stderr, "consider --warmup") || !strings.Contains(r.stdout, "Summary (ratio of medians") || !strings.Contains(r.stdout, "Relative (median)") {
		t.Fatalf("bench --warmup 1:\n%s\n%s", r.stdout, r.stderr)
	}
	// A benchmark whose every run fails says why, with no empty table and no cost.
	r = run(t, env, aciBin, "bench", "-g", "bench", "--image", "mcr.microsoft.com/azuredocs/aci-no-such-image", "--runs", "1")
	if r.code != 1 || !strings.Contains(r.stdout, "No run answered") || !strings.Contains(r.stdout, "InaccessibleImage") ||
		strings.Contains(r.stdout, "$0.000000") || strings.Contains(r.stdout, "Median") {
		t.Fatalf("bench with nothing measured: %+v", r)
	}
	// -o json is the export's schema, not Go's %v.
	r = must(t, run(t, env, aciBin, "bench", "-g", "bench", "--image", "mcr.microsoft.com/azuredocs/aci-helloworld", "--runs", "1", "-o", "json"), 0)
	var out map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out["tool"] != "aci" || len(out["runs"].([]any)) != 1 {
		t.Fatalf("-o json: %v\n%s", err, r.stdout)
	}
	if r := must(t, run(t, env, aciBin, "container", "list", "-g", "bench", "-o", "tsv"), 0); r.stdout != "" {
		t.Fatalf("groups left: %s", r.stdout)
	}
	if n := dockerObjects(t, env); n != 0 {
		t.Fatalf("%d Docker objects left", n)
	}
}

// TestBenchInterrupted: Ctrl-C in the middle of a benchmark still deletes every
// group it created.
func TestBenchInterrupted(t *testing.T) {
	requireDocker(t)
	env := localEnv(t)
	must(t, run(t, env, aciBin, "group", "create", "-n", "bench", "-l", "westus", "-o", "none"), 0)
	cmd := exec.Command(aciBin, "bench", "-g", "bench", "--image", "mcr.microsoft.com/azuredocs/aci-helloworld", "--runs", "50", "--concurrency", "2")
	cmd.Env = cleanEnv(env)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until groups exist, then interrupt.
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := must(t, run(t, env, aciBin, "container", "list", "-g", "bench", "--query", "length(@)", "-o", "tsv"), 0)
		if r.stdout != "0\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the benchmark created nothing")
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("aci bench did not stop after Ctrl-C")
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("exit %d after Ctrl-C, want 130", code)
	}
	if r := must(t, run(t, env, aciBin, "container", "list", "-g", "bench", "-o", "tsv"), 0); r.stdout != "" {
		t.Fatalf("groups left after Ctrl-C: %s", r.stdout)
	}
	if n := dockerObjects(t, env); n != 0 {
		t.Fatalf("%d Docker objects left after Ctrl-C", n)
	}
	// bench cleanup finds nothing more to do; with --keep it removes what is left.
	if r := must(t, run(t, env, aciBin, "bench", "cleanup", "-g", "bench"), 0); r.stdout != "[]\n" {
		t.Fatalf("cleanup: %s", r.stdout)
	}
	must(t, run(t, env, aciBin, "bench", "-g", "bench", "--image", "mcr.microsoft.com/azuredocs/aci-helloworld", "--runs", "1", "--keep", "-o", "none"), 0)
	if r := must(t, run(t, env, aciBin, "bench", "cleanup", "-g", "bench", "--query", "length(@)"), 0); r.stdout != "1\n" {
		t.Fatalf("cleanup after --keep: %s", r.stdout)
	}
	if n := dockerObjects(t, env); n != 0 {
		t.Fatalf("%d Docker objects left after bench cleanup", n)
	}
}
