package bench

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/bench"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/spf13/cobra"
)

func testFactory(t *testing.T) *cmdutil.Factory {
	t.Helper()
	ios, _, _, _ := cmdutil.Test()
	return &cmdutil.Factory{IO: ios, ConfigDir: t.TempDir()}
}

// Scenarios are the product of images, sizes and locations, named only by
// what varies; files add one each; the docker baseline one per image.
func TestScenarios(t *testing.T) {
	f := testFactory(t)
	file := filepath.Join(t.TempDir(), "group.yaml")
	if err := os.WriteFile(file, []byte("apiVersion: 2019-12-01\nproperties:\n  containers: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	o := &Options{Images: []string{"app:1", "app:2"}, CPUs: []float64{1, 2}, Memories: []float64{1.5}, Locations: []string{"westus", "eastus"},
		Files: []string{file}, Port: 8080, Baseline: "docker", OSType: "Linux"}
	scs, err := scenarios(f, o)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range scs {
		names = append(names, s.Name)
	}
	want := []string{"app:1 1cpu/1.5gb @westus", "app:1 2cpu/1.5gb @westus", "app:2 1cpu/1.5gb @westus", "app:2 2cpu/1.5gb @westus", "group.yaml @westus",
		"app:1 1cpu/1.5gb @eastus", "app:1 2cpu/1.5gb @eastus", "app:2 1cpu/1.5gb @eastus", "app:2 2cpu/1.5gb @eastus", "group.yaml @eastus",
		"app:1 [docker run]", "app:2 [docker run]"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Fatalf("scenarios:\n%s\nwant\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
	if !scs[len(scs)-1].Docker || scs[0].Port != 8080 || scs[4].Body == nil {
		t.Fatalf("scenario fields: %+v", scs[0])
	}
	o.Files = []string{filepath.Join(t.TempDir(), "missing.yaml")}
	if _, err := scenarios(f, o); err == nil || !strings.Contains(err.Error(), "No such file") {
		t.Fatalf("a missing file: %v", err)
	}
}

func TestCheckRefusesBeforeCreating(t *testing.T) {
	f := testFactory(t)
	cmd := &cobra.Command{Use: "bench"}
	for _, c := range []struct {
		o    Options
		code int
		want string
	}{
		{Options{Images: []string{"a"}, Runs: 1, Concurrency: 1}, 2, "--resource-group"},
		{Options{Group: "rg", Runs: 1, Concurrency: 1}, 2, "--image or --file"},
		{Options{Group: "rg", Images: []string{"a"}, Runs: 0, Concurrency: 1}, 2, "--runs and --concurrency"},
		{Options{Group: "rg", Images: []string{"a"}, Runs: 1, Concurrency: 1, Chart: "c.gif"}, 2, ".svg or .png"},
		{Options{Group: "rg", Images: []string{"a"}, Runs: 1, Concurrency: 1, Baseline: "podman"}, 2, "docker"},
		{Options{Group: "rg", Images: []string{"a"}, Runs: 1, Concurrency: 1}, 0, ""},
	} {
		o := c.o
		err := o.check(f, cmd)
		if c.code == 0 {
			if err != nil {
				t.Errorf("%+v: %v", c.o, err)
			}
			continue
		}
		if cmdutil.ExitCode(err) != c.code || (c.want != "" && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%+v: %v, want exit %d with %q", c.o, err, c.code, c.want)
		}
	}
}

func sampleRuns() []bench.Run {
	var runs []bench.Run
	for i, total := range []float64{900, 1000, 1100} {
		runs = append(runs, bench.Run{Scenario: "app", Index: i, OK: true, TotalMS: total, CPU: 1, MemoryGB: 1.5, LifetimeS: 2,
			Phases: map[string]float64{"accepted": 50, "ip_assigned": total - 100, "http_ready": total}})
	}
	runs = append(runs, bench.Run{Scenario: "app", Index: 3, Failure: "create: quota"})
	return runs
}

// The exports are the documented files; the human summary states what was
// measured and why a run failed.
func TestExportsAndSummary(t *testing.T) {
	dir := t.TempDir()
	runs := sampleRuns()
	rep := bench.NewReport("test", map[string]string{"os": "linux"}, runs, bench.DefaultPrices)
	o := &Options{ExportJSON: filepath.Join(dir, "r.json"), ExportCSV: filepath.Join(dir, "r.csv"), ExportMD: filepath.Join(dir, "r.md"), Chart: filepath.Join(dir, "r.svg")}
	if err := exports(o, rep, runs); err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	b, _ := os.ReadFile(o.ExportJSON)
	if err := json.Unmarshal(b, &back); err != nil || back["tool"] != "aci" {
		t.Fatalf("json export: %v %s", err, b)
	}
	if csv, _ := os.ReadFile(o.ExportCSV); strings.Count(string(csv), "\n") != 5 {
		t.Fatalf("csv has a header and one row per run:\n%s", csv)
	}
	if svg, _ := os.ReadFile(o.Chart); !strings.HasPrefix(string(svg), "<svg") {
		t.Fatalf("chart: %.40s", svg)
	}
	ios, _, out, _ := cmdutil.Test()
	f := &cmdutil.Factory{IO: ios, ConfigDir: t.TempDir()}
	cmd := &cobra.Command{Use: "bench"}
	cmd.Flags().String("output", "", "")
	if err := print(f, cmd, rep); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Time from the create request to the first HTTP answer", "1000.0", "Run #4 of app failed: create: quota", "Estimated ACI cost"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	// Nothing measured: no empty tables, only the failures.
	only := bench.NewReport("test", nil, runs[3:], bench.DefaultPrices)
	ios, _, out, _ = cmdutil.Test()
	f.IO = ios
	if err := print(f, cmd, only); err != nil || !strings.Contains(out.String(), "No run answered") || strings.Contains(out.String(), "Estimated") {
		t.Fatalf("nothing measured: %v\n%s", err, out)
	}
}
