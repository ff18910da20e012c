package bench

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9*math.Max(1, math.Abs(b)) }

// Known answers (Python statistics.stdev, numpy-style linear percentiles); with
// MAD 0.5 the 9 is an outlier by the modified Z rule.
func TestSummarizeKnownData(t *testing.T) {
	s := Summarize([]float64{2, 4, 4, 4, 5, 5, 7, 9})
	if s.N != 8 || !near(s.Mean, 5) || !near(s.StdDev, 2.138089935299395) || !near(s.Median, 4.5) ||
		!near(s.P90, 7.6) || !near(s.P95, 8.3) || s.Min != 2 || s.Max != 9 || !reflect.DeepEqual(s.Outliers, []int{7}) {
		t.Fatalf("%+v", s)
	}
	one := Summarize([]float64{42})
	if one.Mean != 42 || one.StdDev != 0 || one.Median != 42 || one.P95 != 42 {
		t.Fatalf("%+v", one)
	}
	if z := Summarize(nil); z.N != 0 {
		t.Fatalf("%+v", z)
	}
}

func TestOutliersAndSlowFirstRun(t *testing.T) {
	xs := []float64{9800, 1010, 990, 1005, 1000, 995, 1020}
	if got := Outliers(xs); !reflect.DeepEqual(got, []int{0}) {
		t.Fatalf("outliers %v", got)
	}
	z := ModifiedZ([]float64{1, 2, 3, 4, 100})
	// median 3, MAD 1: (100-3)*0.6745 = 65.4265
	if !near(z[4], 65.4265) || !near(z[0], -1.349) {
		t.Fatalf("z %v", z)
	}
	if !SlowFirstRun(xs) || SlowFirstRun([]float64{1000, 1010, 990, 9800}) {
		t.Fatal("slow first run")
	}
	if got := Outliers([]float64{5, 5, 5, 5}); got != nil {
		t.Fatalf("constant data: %v", got)
	}
}

func TestComparisonAndOutliers(t *testing.T) {
	// The means disagree with the medians (one slow run): the line follows
	// the medians, as the Relative column does, and says so.
	sums := []ScenarioSummary{{Scenario: "aci local", Total: Stats{N: 10, Mean: 380, Median: 420, StdDev: 21}}, {Scenario: "docker run", Total: Stats{N: 10, Mean: 500, Median: 400, StdDev: 20}}}
	got := Comparison(sums)
	if got != "Summary (ratio of medians, the Relative column)\n  docker run ran\n    1.05 times faster than aci local\n" {
		t.Fatalf("comparison: %q", got)
	}
	if Comparison(sums[:1]) != "" {
		t.Fatal("one scenario has nothing to compare")
	}
	var runs []Run
	var totals []float64
	for i := 0; i < 12; i++ {
		v := 400.0 + float64(i%3)
		if i == 7 {
			v = 900
		}
		runs = append(runs, Run{Scenario: "s", Index: i, OK: true, TotalMS: v})
		totals = append(totals, v)
	}
	s := ScenarioSummary{Scenario: "s", Total: Summarize(totals)}
	w := OutlierWarnings(s, runs)
	if len(w) != 1 || !strings.Contains(w[0], "Run #8 of 's' is an outlier: 900.0 ms") {
		t.Fatalf("outliers: %v", w)
	}
	// Fewer than 10 runs: no warning, whatever the statistics say.
	s.Total.N = 9
	if w := OutlierWarnings(s, runs); w != nil {
		t.Fatalf("warned on %d runs: %v", s.Total.N, w)
	}
	if PhaseTitle("ip_assigned") != "IP assigned" || PhaseTitle("pull_started") != "Pull started" {
		t.Fatal("phase titles")
	}
}

func TestObserveKeepsServiceTimes(t *testing.T) {
	g := map[string]any{"properties": map[string]any{"provisioningState": "Creating", "containers": []any{
		map[string]any{"properties": map[string]any{"instanceView": map[string]any{"events": []any{
			map[string]any{"name": "Pulling", "firstTimestamp": "2026-01-01T00:00:00.100Z"},
			map[string]any{"name": "Started", "firstTimestamp": "2026-01-01T00:00:00.350Z"}}}}},
		map[string]any{"properties": map[string]any{"instanceView": map[string]any{"events": []any{
			map[string]any{"name": "Started", "firstTimestamp": "2026-01-01T00:00:00.420Z"}}}}}}}}
	o := Observe(g)
	if !o.PullStarted || !o.Started {
		t.Fatalf("observation: %+v", o)
	}
	if got := o.Times["started"].Format("05.000"); got != "00.420" {
		t.Fatalf("a group starts when its last container does: %s", got)
	}
	if got := o.Times["pull_started"].Format("05.000"); got != "00.100" {
		t.Fatalf("pull started: %s", got)
	}
}

func TestPlainIsTheExportSchema(t *testing.T) {
	rep := NewReport("1.0.0", map[string]string{"os": "linux"}, []Run{{Scenario: "s", OK: true, TotalMS: 10, Phases: map[string]float64{"http_ready": 10}}}, DefaultPrices)
	m := Plain(rep).(map[string]any)
	for _, k := range []string{"tool", "version", "environment", "summaries", "runs", "cost"} {
		if _, ok := m[k]; !ok {
			t.Errorf("-o json lacks %q: %v", k, m)
		}
	}
	run := m["runs"].([]any)[0].(map[string]any)
	if run["total_ms"] != 10.0 || run["phases"].(map[string]any)["http_ready"] != 10.0 {
		t.Fatalf("run record: %v", run)
	}
}
