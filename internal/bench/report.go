package bench

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// ScenarioSummary is one scenario's statistics.
type ScenarioSummary struct {
	Scenario string           `json:"scenario"`
	Total    Stats            `json:"total"`
	Phases   map[string]Stats `json:"phases"`
	// Relative is the median total over the fastest scenario's (1.00 = fastest).
	Relative     float64 `json:"relative"`
	SlowFirstRun bool    `json:"slow_first_run,omitempty"`
}

// Summarise groups measured (non-warm-up) runs by scenario, in first-seen order.
func Summarise(runs []Run) []ScenarioSummary {
	var order []string
	by := map[string][]Run{}
	for _, r := range runs {
		if r.Warmup {
			continue
		}
		if _, ok := by[r.Scenario]; !ok {
			order = append(order, r.Scenario)
		}
		by[r.Scenario] = append(by[r.Scenario], r)
	}
	var out []ScenarioSummary
	for _, name := range order {
		rs := by[name]
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].Index < rs[j].Index })
		var totals []float64
		phases := map[string][]float64{}
		fails := 0
		for _, r := range rs {
			if !r.OK {
				fails++
				continue
			}
			totals = append(totals, r.TotalMS)
			for p, v := range r.Phases {
				phases[p] = append(phases[p], v)
			}
		}
		s := ScenarioSummary{Scenario: name, Total: Summarize(totals), Phases: map[string]Stats{}, SlowFirstRun: SlowFirstRun(totals)}
		s.Total.Failures = fails
		for p, v := range phases {
			s.Phases[p] = Summarize(v)
		}
		out = append(out, s)
	}
	fastest := 0.0
	for _, s := range out {
		if s.Total.N > 0 && (fastest == 0 || s.Total.Median < fastest) {
			fastest = s.Total.Median
		}
	}
	for i := range out {
		if fastest > 0 && out[i].Total.N > 0 {
			out[i].Relative = out[i].Total.Median / fastest
		}
	}
	return out
}

// Prices are ACI's per-second prices used for the cost estimate.
type Prices struct {
	VCPUSecond float64 `json:"vcpu_second"`
	GBSecond   float64 `json:"gb_second"`
}

// DefaultPrices are the per-second prices quoted in the project's seed material
// (Azure Container Instances pricing: $0.0000125 per core-second and per
// GB-second); override them with --price-vcpu-second / --price-gb-second.
var DefaultPrices = Prices{VCPUSecond: 0.0000125, GBSecond: 0.0000125}

// Cost estimates what the ACI runs cost (the docker baseline is free).
func Cost(runs []Run, p Prices) (vcpuS, gbS, usd float64) {
	for _, r := range runs {
		if strings.Contains(r.Scenario, "docker") {
			continue
		}
		vcpuS += r.CPU * r.LifetimeS
		gbS += r.MemoryGB * r.LifetimeS
	}
	return vcpuS, gbS, vcpuS*p.VCPUSecond + gbS*p.GBSecond
}

// Report is the JSON export: every raw run, the summaries and the context.
type Report struct {
	Tool        string            `json:"tool"`
	Version     string            `json:"version"`
	Environment map[string]string `json:"environment"`
	Summaries   []ScenarioSummary `json:"summaries"`
	Runs        []Run             `json:"runs"`
	Cost        map[string]any    `json:"cost"`
}

// NewReport assembles the export.
func NewReport(version string, env map[string]string, runs []Run, p Prices) Report {
	v, g, usd := Cost(runs, p)
	return Report{Tool: "aci", Version: version, Environment: env, Summaries: Summarise(runs), Runs: runs,
		Cost: map[string]any{"vcpu_seconds": round(v, 3), "gb_seconds": round(g, 3), "usd": round(usd, 6), "prices": p}}
}

func round(x float64, d int) float64 {
	p := 1.0
	for i := 0; i < d; i++ {
		p *= 10
	}
	return float64(int64(x*p+0.5)) / p
}

// WriteJSON writes the report.
func WriteJSON(w io.Writer, r Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteCSV writes one row per run with every phase as a column.
func WriteCSV(w io.Writer, runs []Run) error {
	cw := csv.NewWriter(w)
	head := append([]string{"scenario", "run", "warmup", "ok", "failure", "total_ms"}, Phases...)
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range runs {
		row := []string{r.Scenario, strconv.Itoa(r.Index), strconv.FormatBool(r.Warmup), strconv.FormatBool(r.OK), r.Failure, ms(r.TotalMS)}
		for _, p := range Phases {
			if v, ok := r.Phases[p]; ok {
				row = append(row, ms(v))
			} else {
				row = append(row, "")
			}
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func ms(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// WriteMarkdown writes the summary tables.
func WriteMarkdown(w io.Writer, r Report) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "# aci bench\n\n| scenario | n | failures | mean ± σ (ms) | median | p90 | p95 | min | max | relative (median) |\n|---|---|---|---|---|---|---|---|---|---|\n")
	for _, s := range r.Summaries {
		t := s.Total
		fmt.Fprintf(b, "| %s | %d | %d | %s ± %s | %s | %s | %s | %s | %s | %.2f |\n", s.Scenario, t.N, t.Failures,
			ms(t.Mean), ms(t.StdDev), ms(t.Median), ms(t.P90), ms(t.P95), ms(t.Min), ms(t.Max), s.Relative)
	}
	b.WriteString("\nMedian time from the create request to each phase (ms):\n\n| scenario |")
	for _, p := range Phases {
		b.WriteString(" " + PhaseTitle(p) + " |")
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(Phases)) + "\n")
	for _, s := range r.Summaries {
		b.WriteString("| " + s.Scenario + " |")
		for _, p := range Phases {
			if st, ok := s.Phases[p]; ok {
				b.WriteString(" " + ms(st.Median) + " |")
			} else {
				b.WriteString(" – |")
			}
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(b, "\nEstimated ACI cost of these runs: $%.6f (%.1f vCPU-s, %.1f GB-s).\n",
		r.Cost["usd"], r.Cost["vcpu_seconds"], r.Cost["gb_seconds"])
	_, err := io.WriteString(w, b.String())
	return err
}

// Plain is the report as plain data (maps, lists, numbers): what -o json and
// -o yaml print, the same records as --export-json (docs/bench.md).
func Plain(r Report) any {
	b, _ := json.Marshal(r)
	var v any
	_ = json.Unmarshal(b, &v)
	return v
}

var phaseTitles = map[string]string{"accepted": "Accepted", "pull_started": "Pull started", "pulled": "Pulled", "started": "Started",
	"provisioned": "Provisioned", "ip_assigned": "IP assigned", "http_ready": "HTTP ready", "deleted": "Deleted"}

// PhaseTitle is a phase's name as a heading.
func PhaseTitle(p string) string {
	if t, ok := phaseTitles[p]; ok {
		return t
	}
	return p
}

// Comparison is hyperfine's closing line, on the statistic the Relative
// column uses and named as such: how many times the median of each other
// scenario is the fastest one's. (The mean, which hyperfine uses, follows a
// single slow cold start; the table and this line must not disagree.)
func Comparison(sums []ScenarioSummary) string {
	var ok []ScenarioSummary
	for _, s := range sums {
		if s.Total.N > 0 && s.Total.Median > 0 {
			ok = append(ok, s)
		}
	}
	if len(ok) < 2 {
		return ""
	}
	best := ok[0]
	for _, s := range ok[1:] {
		if s.Total.Median < best.Total.Median {
			best = s
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Summary (ratio of medians, the Relative column)\n  %s ran\n", best.Scenario)
	for _, s := range ok {
		if s.Scenario == best.Scenario {
			continue
		}
		fmt.Fprintf(&b, "    %.2f times faster than %s\n", s.Total.Median/best.Total.Median, s.Scenario)
	}
	return b.String()
}

// OutlierWarnings names the runs whose total is an outlier, and only when
// it means something: at least 10 runs, and a spread beyond noise (10 ms or
// 5% of the median).
func OutlierWarnings(s ScenarioSummary, runs []Run) []string {
	t := s.Total
	if t.N < 10 || len(t.Outliers) == 0 {
		return nil
	}
	var measured []Run
	for _, r := range runs {
		if r.Scenario == s.Scenario && !r.Warmup && r.OK {
			measured = append(measured, r)
		}
	}
	sort.SliceStable(measured, func(i, j int) bool { return measured[i].Index < measured[j].Index })
	var out []string
	for _, i := range t.Outliers {
		if i >= len(measured) {
			continue
		}
		r := measured[i]
		if math.Abs(r.TotalMS-t.Median) < math.Max(10, 0.05*t.Median) {
			continue
		}
		out = append(out, fmt.Sprintf("Run #%d of '%s' is an outlier: %.1f ms against a median of %.1f ms (modified Z-score > 3.5).", r.Index+1, s.Scenario, r.TotalMS, t.Median))
	}
	return out
}
