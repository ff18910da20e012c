package bench

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// report re-renders a recorded benchmark: the same summary, and exports
// recomputed by this version's statistics.
func TestReportFromARecording(t *testing.T) {
	dir := t.TempDir()
	rec := filepath.Join(dir, "runs.json")
	rep := bench.NewReport("v0.9", map[string]string{"os": "linux"}, sampleRuns(), bench.Prices{VCPUSecond: 0.5, GBSecond: 0.25})
	if err := exports(&Options{ExportJSON: rec}, rep, rep.Runs); err != nil {
		t.Fatal(err)
	}
	ios, _, out, _ := cmdutil.Test()
	f := &cmdutil.Factory{IO: ios, ConfigDir: t.TempDir()}
	cmd := NewCmd(f)
	md := filepath.Join(dir, "again.md")
	cmd.SetArgs([]string{"report", "--from", rec, "--export-markdown", md})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Run #4 of app failed: create: quota") || !strings.Contains(out.String(), "1000.0") {
		t.Fatalf("summary:\n%s", out)
	}
	b, err := os.ReadFile(md)
	if err != nil || !strings.Contains(string(b), "app") {
		t.Fatalf("markdown: %v %s", err, b)
	}
	// The recorded prices are used, not today's defaults.
	var again bench.Report
	json2 := filepath.Join(dir, "again.json")
	if err := reportRun(f, cmd, &Options{ExportJSON: json2}, rec); err != nil {
		t.Fatal(err)
	}
	jb, _ := os.ReadFile(json2)
	if err := json.Unmarshal(jb, &again); err != nil || again.Version != "v0.9" {
		t.Fatalf("recomputed report: %v %s", err, jb)
	}
	if p, _ := again.Cost["prices"].(map[string]any); p["vcpu_second"] != 0.5 || p["gb_second"] != 0.25 {
		t.Fatalf("prices: %v", again.Cost)
	}
	notOurs := filepath.Join(dir, "other.json")
	os.WriteFile(notOurs, []byte(`{"tool":"hyperfine"}`), 0o600)
	for _, from := range []string{notOurs, filepath.Join(dir, "missing.json")} {
		if err := reportRun(f, cmd, &Options{}, from); cmdutil.ExitCode(err) != 1 {
			t.Errorf("report --from %s: %v", from, err)
		}
	}
}

type fakeGroups struct {
	list    []any
	deleted []string
	failOn  string
}

func (g *fakeGroups) List(context.Context, string) ([]any, error) { return g.list, nil }
func (g *fakeGroups) Delete(_ context.Context, _, name string) error {
	if name == g.failOn {
		return errors.New("delete failed")
	}
	g.deleted = append(g.deleted, name)
	return nil
}

// cleanup deletes what a benchmark made, by tag or by name, and nothing else.
func TestCleanup(t *testing.T) {
	g := &fakeGroups{list: []any{
		map[string]any{"name": Prefix + "-abc-1"},
		map[string]any{"name": "renamed", "tags": map[string]any{bench.TagKey: "x"}},
		map[string]any{"name": "production", "tags": map[string]any{"team": "web"}},
		map[string]any{"name": "aci-benchmark"},
	}}
	ios, _, out, _ := cmdutil.Test()
	f := &cmdutil.Factory{IO: ios, ConfigDir: t.TempDir(), Globals: cmdutil.Globals{Output: "tsv"}}
	if err := cleanupRun(f, g, "rg"); err != nil {
		t.Fatal(err)
	}
	if strings.Join(g.deleted, ",") != Prefix+"-abc-1,renamed" || out.String() != Prefix+"-abc-1\nrenamed\n" {
		t.Fatalf("deleted %v, printed %q", g.deleted, out.String())
	}
	out.Reset()
	if err := cleanupRun(f, &fakeGroups{}, "rg"); err != nil || out.String() != "" {
		t.Fatalf("nothing to clean: %v %q", err, out.String())
	}
	g = &fakeGroups{list: g.list[:1], failOn: Prefix + "-abc-1"}
	if err := cleanupRun(f, g, "rg"); err == nil {
		t.Fatal("a failed delete is an error")
	}
}

// The live line: on a terminal only, with the run in flight, what is done
// and an ETA once a run has finished.
func TestProgressLine(t *testing.T) {
	ios, _, _, errOut := cmdutil.Test()
	f := &cmdutil.Factory{IO: ios, ConfigDir: t.TempDir()}
	p := &progress{f: f, total: 4, runs: 2, warmup: 1, concurrency: 2}
	p.phase("app", 0, false, "ip_assigned", 1500*time.Millisecond)
	if errOut.Len() != 0 {
		t.Fatal("no terminal, no progress")
	}
	ios.StderrTTY = true
	p.phase("app", 0, true, "ip_assigned", 1500*time.Millisecond)
	if got := errOut.String(); !strings.Contains(got, "[0/4 done] app · warm-up 1/1 · ") || !strings.Contains(got, " at 1.5s") || strings.Contains(got, "ETA") {
		t.Fatalf("phase line %q", got)
	}
	errOut.Reset()
	p.done(bench.Run{Scenario: "app", Index: 1, OK: true, TotalMS: 2400, LifetimeS: 10})
	if got := errOut.String(); !strings.Contains(got, "[1/4 done] app · run 2/2: 2400 ms · ETA 15s") {
		t.Fatalf("done line %q", got)
	}
	errOut.Reset()
	p.done(bench.Run{Scenario: "app", Index: 0, Failure: "timeout"})
	if got := errOut.String(); !strings.Contains(got, "run 1/2: failed: timeout") {
		t.Fatalf("failed line %q", got)
	}
	f.Globals.OnlyShowErrors = true
	errOut.Reset()
	p.phase("app", 1, false, "http_ready", time.Second)
	if errOut.Len() != 0 {
		t.Fatal("--only-show-errors")
	}
	if decimal(0.0000125) != "0.0000125" || ms(12.345) != "12.3" || len(randomID()) != 8 {
		t.Fatal("formatting helpers")
	}
}

// The warnings that make figures doubtful: a cold first run (unless
// --warmup already left it out) and outliers.
func TestWarnings(t *testing.T) {
	var runs []bench.Run
	for i, total := range []float64{5000, 1000, 1010, 990, 1005, 995, 1000, 1002} {
		runs = append(runs, bench.Run{Scenario: "app", Index: i, OK: true, TotalMS: total, CPU: 1, MemoryGB: 1.5, LifetimeS: 2,
			Phases: map[string]float64{"accepted": 50, "ip_assigned": total - 100, "http_ready": total}})
	}
	rep := bench.NewReport("test", nil, runs, bench.DefaultPrices)
	if !rep.Summaries[0].SlowFirstRun {
		t.Fatalf("a first run five times the rest is slow: %+v", rep.Summaries[0])
	}
	ios, _, _, errOut := cmdutil.Test()
	f := &cmdutil.Factory{IO: ios, ConfigDir: t.TempDir()}
	warnings(f, &Options{}, rep)
	if !strings.Contains(errOut.String(), "The first run of 'app' was much slower than the rest (a cold cache?); consider --warmup 1.") {
		t.Fatalf("warnings: %q", errOut.String())
	}
	errOut.Reset()
	warnings(f, &Options{Warmup: 1}, rep)
	if strings.Contains(errOut.String(), "first run") {
		t.Fatalf("with --warmup the first run is not blamed: %q", errOut.String())
	}
	// The same runs, steady: nothing to say.
	runs[0].TotalMS, runs[0].Phases["http_ready"], runs[0].Phases["ip_assigned"] = 1001, 1001, 901
	errOut.Reset()
	warnings(f, &Options{}, bench.NewReport("test", nil, runs, bench.DefaultPrices))
	if errOut.Len() != 0 {
		t.Fatalf("steady runs: %q", errOut.String())
	}
}
