// Package bench implements `aci bench`: how fast a container group goes from the
// create request to a working HTTP answer, phase by phase, over many runs.
package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/bench"
	"github.com/aci-cli/aci/internal/build"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/output"
	"github.com/olekukonko/tablewriter"
	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
)

// Prefix starts the name of every group a benchmark creates.
const Prefix = "acibench"

// Options are `aci bench`'s arguments.
type Options struct {
	Group, OSType, Location, Baseline string
	Images, Files, Locations          []string
	CPUs, Memories                    []float64
	Port, Runs, Warmup, Concurrency   int
	ExpectStatus                      int
	Path                              string
	Timeout, ProbeInterval            time.Duration
	Keep, MeasureDelete               bool
	RegistryServer, RegistryUser      string
	RegistryPassword                  string
	ExportJSON, ExportCSV, ExportMD   string
	Chart                             string
	Prices                            bench.Prices

	// engine builds the timing engine for the scenarios (tests give one
	// over a fake service).
	engine func(f *cmdutil.Factory, o *Options, scs []bench.Scenario) (*bench.Engine, error)
}

type service struct{ cg *arm.ContainerGroups }

func (s service) Create(ctx context.Context, rg, name string, body any) error {
	_, err := s.cg.CreateOrUpdate(ctx, rg, name, "", body, false, nil)
	return err
}
func (s service) Get(ctx context.Context, rg, name string) (map[string]any, error) {
	return s.cg.Get(ctx, rg, name)
}
func (s service) List(ctx context.Context, rg string) ([]any, error) {
	return s.cg.List(ctx, rg)
}
func (s service) Delete(ctx context.Context, rg, name string) error {
	_, err := s.cg.Delete(ctx, rg, name, nil)
	if ae, ok := err.(*arm.Error); ok && ae.NotFound() {
		return nil
	}
	return err
}

// NewCmd builds `aci bench`.
func NewCmd(f *cmdutil.Factory) *cobra.Command { return newCmd(f, engine) }

func newCmd(f *cmdutil.Factory, newEngine func(*cmdutil.Factory, *Options, []bench.Scenario) (*bench.Engine, error)) *cobra.Command {
	o := &Options{Prices: bench.DefaultPrices, engine: newEngine}
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Time container groups from the create request to a working HTTP answer, phase by phase.",
		Long: "Create container groups (many runs, optionally in parallel), time each phase on one monotonic clock\n" +
			"from ARM answers and one HTTP probe (no CLI start-ups inside), then delete them. Phases: accepted,\n" +
			"pull_started, pulled, started, provisioned, ip_assigned, http_ready (and deleted with --measure-delete).\n" +
			"Repeat --image/--cpu/--memory/--location/--file to compare scenarios; --baseline docker adds `docker run`.",
		Example: "  aci bench -g rg --image mcr.microsoft.com/azuredocs/aci-helloworld --runs 10 --chart bench.svg\n" +
			"  aci bench -g rg --image app:1 --image app:2 --baseline docker --export-json runs.json",
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.check(f, cmd); err != nil {
				return err
			}
			return run(f, cmd, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&o.Group, "resource-group", "g", "", "Resource group to create the benchmark's groups in.")
	fl.StringArrayVar(&o.Images, "image", nil, "Image to benchmark (repeat to compare).")
	fl.StringArrayVarP(&o.Files, "file", "f", nil, "A container-group YAML to benchmark (repeat to compare).")
	fl.Float64SliceVar(&o.CPUs, "cpu", []float64{1}, "CPU cores (repeat to compare).")
	fl.Float64SliceVar(&o.Memories, "memory", []float64{1.5}, "Memory in GB (repeat to compare).")
	fl.StringArrayVarP(&o.Locations, "location", "l", nil, "Location (repeat to compare; default: the resource group's).")
	fl.StringVar(&o.OSType, "os-type", "Linux", "Linux or Windows.")
	fl.IntVar(&o.Port, "port", 80, "Port the HTTP probe uses.")
	fl.StringVar(&o.Path, "path", "/", "Path the HTTP probe requests.")
	fl.IntVar(&o.ExpectStatus, "expect-status", 200, "The HTTP status that counts as ready.")
	fl.IntVar(&o.Runs, "runs", 10, "Measured runs per scenario.")
	fl.IntVar(&o.Warmup, "warmup", 0, "Unmeasured runs per scenario first.")
	fl.IntVar(&o.Concurrency, "concurrency", 1, "Runs in parallel.")
	fl.DurationVar(&o.Timeout, "timeout", 10*time.Minute, "A run that has not answered by then fails.")
	fl.DurationVar(&o.ProbeInterval, "probe-interval", 100*time.Millisecond, "Time between ARM polls and HTTP tries.")
	fl.BoolVar(&o.Keep, "keep", false, "Do not delete the groups afterwards.")
	fl.BoolVar(&o.MeasureDelete, "measure-delete", false, "Also time the delete.")
	fl.StringVar(&o.Baseline, "baseline", "", "Add a baseline scenario: docker (docker run on this machine).")
	fl.StringVar(&o.RegistryServer, "registry-login-server", "", "Image registry login server.")
	fl.StringVar(&o.RegistryUser, "registry-username", "", "Image registry user name.")
	fl.StringVar(&o.RegistryPassword, "registry-password", "", "Image registry password.")
	fl.StringVar(&o.ExportJSON, "export-json", "", "Write every run, the statistics, the version and environment as JSON.")
	fl.StringVar(&o.ExportCSV, "export-csv", "", "Write one CSV row per run.")
	fl.StringVar(&o.ExportMD, "export-markdown", "", "Write the summary tables as Markdown.")
	fl.StringVar(&o.Chart, "chart", "", "Draw the runs' phases (a waterfall) and each scenario's distribution: FILE.svg or FILE.png.")
	fl.Float64Var(&o.Prices.VCPUSecond, "price-vcpu-second", bench.DefaultPrices.VCPUSecond, "Price of a vCPU-second for the cost estimate.")
	fl.Float64Var(&o.Prices.GBSecond, "price-gb-second", bench.DefaultPrices.GBSecond, "Price of a GB-second for the cost estimate.")
	cmdutil.Readable(cmd, "cpu", "numbers", "1")
	cmdutil.Readable(cmd, "memory", "numbers", "1.5")
	cmdutil.Readable(cmd, "price-vcpu-second", "", "0.0000125")
	cmdutil.Readable(cmd, "price-gb-second", "", "0.0000125")
	for _, n := range []string{"image", "file", "cpu", "memory", "location"} {
		cmdutil.NArgs(cmd, n)
	}
	cmd.AddCommand(newCleanup(f), newReport(f))
	return cmd
}

func scenarios(f *cmdutil.Factory, o *Options) ([]bench.Scenario, error) {
	var reg *bench.Registry
	if o.RegistryServer != "" {
		reg = &bench.Registry{Server: o.RegistryServer, Username: o.RegistryUser, Password: o.RegistryPassword}
	}
	locs := o.Locations
	if len(locs) == 0 {
		locs = []string{""}
	}
	var out []bench.Scenario
	label := func(parts ...string) string { return strings.Join(parts, " ") }
	for _, loc := range locs {
		for _, img := range o.Images {
			for _, cpu := range o.CPUs {
				for _, mem := range o.Memories {
					name := img
					if len(o.CPUs) > 1 || len(o.Memories) > 1 {
						name = label(name, fmt.Sprintf("%gcpu/%ggb", cpu, mem))
					}
					if len(o.Locations) > 1 {
						name = label(name, "@"+loc)
					}
					out = append(out, bench.Scenario{Name: name, Image: img, CPU: cpu, MemoryGB: mem, Location: loc, OSType: o.OSType, Port: o.Port, Registry: reg})
				}
			}
		}
		for _, file := range o.Files {
			b, err := os.ReadFile(file)
			if err != nil {
				return nil, cmdutil.Fail("No such file or directory: %s", file)
			}
			var doc map[string]any
			if err := yaml.Unmarshal(b, &doc); err != nil {
				return nil, cmdutil.Fail("Error while parsing yaml file:\n\n%s: %v", file, err)
			}
			name := filepath.Base(file)
			if len(o.Locations) > 1 {
				name = label(name, "@"+loc)
			}
			out = append(out, bench.Scenario{Name: name, Body: doc, Location: loc, Port: o.Port, CPU: 1, MemoryGB: 1.5})
		}
	}
	if o.Baseline == "docker" {
		for _, img := range o.Images {
			out = append(out, bench.Scenario{Name: img + " [docker run]", Image: img, CPU: o.CPUs[0], MemoryGB: o.Memories[0], Port: o.Port, Docker: true})
		}
	}
	return out, nil
}

// run benchmarks every scenario, then reports, exports and says what failed.
func run(f *cmdutil.Factory, cmd *cobra.Command, o *Options) error {
	scs, err := scenarios(f, o)
	if err != nil {
		return err
	}
	e, err := o.engine(f, o, scs)
	if err != nil {
		return err
	}
	runID := randomID()
	total := len(scs) * (o.Runs + o.Warmup)
	prog := &progress{f: f, total: total, runs: o.Runs, warmup: o.Warmup, concurrency: o.Concurrency, start: time.Now()}
	opts := bench.Options{Group: o.Group, Runs: o.Runs, Warmup: o.Warmup, Concurrency: o.Concurrency, Timeout: o.Timeout,
		ProbeInterval: o.ProbeInterval, ExpectStatus: o.ExpectStatus, Path: o.Path, Keep: o.Keep, MeasureDelete: o.MeasureDelete,
		Prefix: Prefix, RunID: runID, Progress: prog.done, OnPhase: prog.phase}
	runs, berr := e.Benchmark(f.Context(), scs, opts)
	if f.IO.StderrTTY {
		fmt.Fprint(f.IO.ErrOut, "\x1b[K")
	}
	if berr != nil && len(runs) == 0 {
		return berr
	}
	env := map[string]string{"os": runtime.GOOS, "arch": runtime.GOARCH, "go": runtime.Version(), "cpus": fmt.Sprint(runtime.NumCPU()),
		"resourceGroup": o.Group, "runId": runID, "concurrency": fmt.Sprint(o.Concurrency), "probeInterval": o.ProbeInterval.String()}
	if cloud, _, _, err := f.Account(); err == nil {
		env["cloud"] = cloud.Name
		env["endpoint"] = cloud.ResourceManager()
	}
	rep := bench.NewReport(build.Version, env, runs, o.Prices)
	if err := exports(o, rep, runs); err != nil {
		return err
	}
	warnings(f, o, rep)
	if err := print(f, cmd, rep); err != nil {
		return err
	}
	if berr != nil {
		return berr
	}
	for _, s := range rep.Summaries {
		if s.Total.Failures > 0 {
			return cmdutil.Fail("%d run(s) of '%s' failed; see the failure column of --export-csv or --export-json.", s.Total.Failures, s.Scenario)
		}
	}
	return nil
}

// check refuses what cannot run, before anything is created.
func (o *Options) check(f *cmdutil.Factory, cmd *cobra.Command) error {
	f.Default(&o.Group, "group")
	var m cmdutil.Missing
	m.Need("--resource-group/-g", o.Group)
	if len(o.Images) == 0 && len(o.Files) == 0 {
		m.Need("--image or --file", "")
	}
	if err := m.Err(); err != nil {
		return err
	}
	if o.Baseline != "" && o.Baseline != "docker" {
		_, err := cmdutil.Choice(cmd, "--baseline", o.Baseline, "docker")
		return err
	}
	if o.Runs < 1 || o.Concurrency < 1 || o.Warmup < 0 {
		return cmdutil.UsageError("--runs and --concurrency must be at least 1, --warmup at least 0.")
	}
	if o.Chart != "" && !strings.HasSuffix(o.Chart, ".svg") && !strings.HasSuffix(o.Chart, ".png") {
		return cmdutil.UsageError("--chart takes a .svg or .png file name.")
	}
	return nil
}

// engine is the timing engine on the account's container groups (and on
// Docker for the baseline); scenarios without a location take the resource
// group's, which must exist.
func engine(f *cmdutil.Factory, o *Options, scs []bench.Scenario) (*bench.Engine, error) {
	c, err := f.ARM()
	if err != nil {
		return nil, err
	}
	cg, err := c.ContainerGroups()
	if err != nil {
		return nil, err
	}
	rgs, err := c.ResourceGroups()
	if err != nil {
		return nil, err
	}
	g, err := rgs.Get(f.Context(), o.Group)
	if err != nil {
		return nil, err
	}
	for i := range scs {
		if scs[i].Location == "" {
			scs[i].Location, _ = g["location"].(string)
		}
	}
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil}}
	e := &bench.Engine{Svc: service{cg}, HTTP: hc}
	if o.Baseline == "docker" {
		b, err := bench.NewDockerBaseline(hc)
		if err != nil {
			return nil, cmdutil.Fail("%v", err)
		}
		e.Baseline = b
	}
	return e, nil
}

// warnings says what makes the figures doubtful: a cold first run, outliers.
func warnings(f *cmdutil.Factory, o *Options, rep bench.Report) {
	for _, s := range rep.Summaries {
		if s.SlowFirstRun && o.Warmup == 0 {
			f.Warn("The first run of '%s' was much slower than the rest (a cold cache?); consider --warmup 1.", s.Scenario)
		}
		for _, w := range bench.OutlierWarnings(s, rep.Runs) {
			f.Warn("%s", w)
		}
	}
}

func exports(o *Options, rep bench.Report, runs []bench.Run) error {
	write := func(path string, fn func(*os.File) error) error {
		if path == "" {
			return nil
		}
		fh, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := fn(fh); err != nil {
			fh.Close()
			return err
		}
		return fh.Close()
	}
	if err := write(o.ExportJSON, func(w *os.File) error { return bench.WriteJSON(w, rep) }); err != nil {
		return err
	}
	if err := write(o.ExportCSV, func(w *os.File) error { return bench.WriteCSV(w, runs) }); err != nil {
		return err
	}
	if err := write(o.ExportMD, func(w *os.File) error { return bench.WriteMarkdown(w, rep) }); err != nil {
		return err
	}
	title := fmt.Sprintf("aci bench %s: create -> first HTTP answer", rep.Version)
	return write(o.Chart, func(w *os.File) error {
		if strings.HasSuffix(o.Chart, ".png") {
			return bench.WritePNG(w, runs, title)
		}
		return bench.WriteSVG(w, runs, title)
	})
}

// print writes the summary. With -o, the report in its documented schema
// (docs/bench.md: the same records as --export-json) for json and yaml, the
// summary rows for table and tsv. Without, human tables (tablewriter), the
// failures, and hyperfine's comparison line.
func print(f *cmdutil.Factory, cmd *cobra.Command, rep bench.Report) error {
	var rows []any
	for _, s := range rep.Summaries {
		t := s.Total
		rows = append(rows, output.NewOrderedMap("Scenario", s.Scenario, "N", float64(t.N), "Failures", float64(t.Failures),
			"Mean", ms(t.Mean), "StdDev", ms(t.StdDev), "Median", ms(t.Median), "P90", ms(t.P90), "P95", ms(t.P95),
			"Min", ms(t.Min), "Max", ms(t.Max), "Relative", fmt.Sprintf("%.2f", s.Relative)))
	}
	if cmd.Flags().Changed("output") || cmd.Root().PersistentFlags().Changed("output") {
		switch f.Globals.Output {
		case "table", "tsv":
			return f.Print(rows, cmdutil.PrintOptions{})
		}
		return f.Print(bench.Plain(rep), cmdutil.PrintOptions{})
	}
	out := f.IO.Out
	measuredAny := false
	for _, s := range rep.Summaries {
		measuredAny = measuredAny || s.Total.N > 0
	}
	if !measuredAny {
		// Nothing was measured: no empty tables and no $0 estimate, only
		// why each run failed.
		fmt.Fprintln(out, "No run answered; nothing was measured.")
		printFailures(out, rep)
		return nil
	}
	fmt.Fprintln(out, "Time from the create request to the first HTTP answer, in milliseconds:")
	tw := tablewriter.NewWriter(out)
	tw.SetHeader([]string{"Scenario", "Runs", "Failed", "Mean ± σ", "Median", "P90", "P95", "Min", "Max", "Relative (median)"})
	configure(tw)
	for _, s := range rep.Summaries {
		t := s.Total
		tw.Append([]string{s.Scenario, fmt.Sprint(t.N), fmt.Sprint(t.Failures), ms(t.Mean) + " ± " + ms(t.StdDev), ms(t.Median), ms(t.P90),
			ms(t.P95), ms(t.Min), ms(t.Max), fmt.Sprintf("%.2f", s.Relative)})
	}
	tw.Render()
	fmt.Fprintln(out, "\nMedian time from the create request to each phase, in milliseconds:")
	var measured []string
	for _, p := range bench.Phases {
		for _, s := range rep.Summaries {
			if _, ok := s.Phases[p]; ok {
				measured = append(measured, p)
				break
			}
		}
	}
	head := []string{"Scenario"}
	for _, p := range measured {
		head = append(head, bench.PhaseTitle(p))
	}
	tw = tablewriter.NewWriter(out)
	tw.SetHeader(head)
	configure(tw)
	for _, s := range rep.Summaries {
		row := []string{s.Scenario}
		for _, p := range measured {
			if st, ok := s.Phases[p]; ok {
				row = append(row, ms(st.Median))
			} else {
				row = append(row, "–")
			}
		}
		tw.Append(row)
	}
	tw.Render()
	printFailures(out, rep)
	if line := bench.Comparison(rep.Summaries); line != "" {
		fmt.Fprintf(out, "\n%s", line)
	}
	pr := rep.Cost["prices"].(bench.Prices)
	fmt.Fprintf(out, "\nEstimated ACI cost of these runs: $%.6f (%.1f vCPU-s, %.1f GB-s at $%s per vCPU-second and $%s per GB-second).\n",
		rep.Cost["usd"], rep.Cost["vcpu_seconds"], rep.Cost["gb_seconds"], decimal(pr.VCPUSecond), decimal(pr.GBSecond))
	return nil
}

func printFailures(out io.Writer, rep bench.Report) {
	for _, r := range rep.Runs {
		if !r.OK {
			label := ""
			if r.Warmup {
				label = " (warm-up)"
			}
			fmt.Fprintf(out, "\nRun #%d of %s%s failed: %s", r.Index+1, r.Scenario, label, r.Failure)
		}
	}
	fmt.Fprintln(out)
}

// configure styles a human table: plain ASCII, left-aligned, no wrapping.
func configure(tw *tablewriter.Table) {
	tw.SetAutoWrapText(false)
	tw.SetAutoFormatHeaders(false)
	tw.SetAlignment(tablewriter.ALIGN_LEFT)
	tw.SetHeaderAlignment(tablewriter.ALIGN_LEFT)
}

// decimal prints a price as people write it (0.0000125, not 1.25e-05).
// progress draws one live line on stderr (a terminal only): the run in
// flight, its phase and elapsed time, how many are done, and an ETA.
type progress struct {
	f                         *cmdutil.Factory
	mu                        sync.Mutex
	total, finished           int
	runs, warmup, concurrency int
	start                     time.Time
	spent                     time.Duration
}

func (p *progress) show(line string) {
	if !p.f.IO.StderrTTY || p.f.Globals.OnlyShowErrors {
		return
	}
	fmt.Fprintf(p.f.IO.ErrOut, "\x1b[K %s\r", line)
}

func (p *progress) eta() string {
	if p.finished == 0 {
		return ""
	}
	per := p.spent / time.Duration(p.finished)
	left := per * time.Duration(p.total-p.finished) / time.Duration(max(1, p.concurrency))
	return fmt.Sprintf(" · ETA %s", left.Round(time.Second))
}

func (p *progress) label(scenario string, run int, warmup bool) string {
	if warmup {
		return fmt.Sprintf("%s · warm-up %d/%d", scenario, run+1, p.warmup)
	}
	return fmt.Sprintf("%s · run %d/%d", scenario, run+1, p.runs)
}

func (p *progress) phase(scenario string, run int, warmup bool, phase string, elapsed time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.show(fmt.Sprintf("[%d/%d done] %s · %s at %s%s", p.finished, p.total, p.label(scenario, run, warmup), bench.PhaseTitle(phase),
		elapsed.Round(time.Millisecond), p.eta()))
}

func (p *progress) done(r bench.Run) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finished++
	p.spent += time.Duration(r.LifetimeS * float64(time.Second))
	status := fmt.Sprintf("%.0f ms", r.TotalMS)
	if !r.OK {
		status = "failed: " + r.Failure
	}
	p.show(fmt.Sprintf("[%d/%d done] %s: %s%s", p.finished, p.total, p.label(r.Scenario, r.Index, r.Warmup), status, p.eta()))
}

func decimal(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func ms(v float64) string { return fmt.Sprintf("%.1f", v) }

func randomID() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// reportRun reads a recorded benchmark and renders it as a run would.
func reportRun(f *cmdutil.Factory, cmd *cobra.Command, o *Options, from string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return cmdutil.Fail("%v", err)
	}
	var rec bench.Report
	if err := json.Unmarshal(b, &rec); err != nil || rec.Tool != "aci" {
		return cmdutil.Fail("%s is not an aci bench --export-json file.", from)
	}
	prices := bench.DefaultPrices
	if p, ok := rec.Cost["prices"].(map[string]any); ok {
		prices.VCPUSecond, _ = p["vcpu_second"].(float64)
		prices.GBSecond, _ = p["gb_second"].(float64)
	}
	// Recomputed from the runs by this version's statistics, under the
	// version that measured them.
	rep := bench.NewReport(rec.Version, rec.Environment, rec.Runs, prices)
	if err := exports(o, rep, rep.Runs); err != nil {
		return err
	}
	return print(f, cmd, rep)
}

// newReport renders the summary, chart and exports of a benchmark recorded
// with --export-json, without running anything: the README's chart is made
// this way from docs/bench.json (make bench-chart), so CI can tell when the
// committed chart is not what the current tool draws.
func newReport(f *cmdutil.Factory) *cobra.Command {
	o := &Options{}
	var from string
	cmd := &cobra.Command{
		Use:     "report",
		Short:   "Render the summary, chart and exports of a recorded benchmark (--export-json) without running it.",
		Example: "  aci bench report --from runs.json --chart bench.svg --export-markdown bench.md",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var m cmdutil.Missing
			m.Need("--from", from)
			if err := m.Err(); err != nil {
				return err
			}
			return reportRun(f, cmd, o, from)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&from, "from", "", "A file written by aci bench --export-json.")
	fl.StringVar(&o.ExportJSON, "export-json", "", "Write the report (recomputed) as JSON.")
	fl.StringVar(&o.ExportCSV, "export-csv", "", "Write one row per run as CSV.")
	fl.StringVar(&o.ExportMD, "export-markdown", "", "Write the summary as Markdown.")
	fl.StringVar(&o.Chart, "chart", "", "Draw the runs' phases to FILE.svg or FILE.png.")
	return cmd
}

// groups is what cleanup needs: the group's container groups, and delete.
type groups interface {
	List(ctx context.Context, rg string) ([]any, error)
	Delete(ctx context.Context, rg, name string) error
}

// cleanupRun deletes the container groups a benchmark made (by its tag or
// its name prefix) and prints their names.
func cleanupRun(f *cmdutil.Factory, svc groups, rg string) error {
	list, err := svc.List(f.Context(), rg)
	if err != nil {
		return err
	}
	deleted := []any{}
	for _, it := range list {
		g, _ := it.(map[string]any)
		name, _ := g["name"].(string)
		tags, _ := g["tags"].(map[string]any)
		if _, tagged := tags[bench.TagKey]; !tagged && !strings.HasPrefix(name, Prefix+"-") {
			continue
		}
		if err := svc.Delete(f.Context(), rg, name); err != nil {
			return err
		}
		deleted = append(deleted, name)
	}
	return f.Print(deleted, cmdutil.PrintOptions{})
}

func newCleanup(f *cmdutil.Factory) *cobra.Command {
	var rg string
	cmd := &cobra.Command{
		Use:   "cleanup",
		Short: "Delete the groups interrupted benchmarks left in a resource group.",
		RunE: func(cmd *cobra.Command, args []string) error {
			var m cmdutil.Missing
			m.Need("--resource-group/-g", rg)
			if err := m.Err(); err != nil {
				return err
			}
			c, err := f.ARM()
			if err != nil {
				return err
			}
			cg, err := c.ContainerGroups()
			if err != nil {
				return err
			}
			return cleanupRun(f, service{cg}, rg)
		},
	}
	cmd.Flags().StringVarP(&rg, "resource-group", "g", "", "Resource group to clean.")
	return cmd
}
