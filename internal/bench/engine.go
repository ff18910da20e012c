package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// Phases in the order they happen; each run records the milliseconds from the
// create request to the moment the phase was first observed.
var Phases = []string{"accepted", "pull_started", "pulled", "started", "provisioned", "ip_assigned", "http_ready", "deleted"}

// Run is one measured create → first HTTP answer (→ delete).
type Run struct {
	Scenario string             `json:"scenario"`
	Index    int                `json:"run"`
	Warmup   bool               `json:"warmup,omitempty"`
	OK       bool               `json:"ok"`
	Failure  string             `json:"failure,omitempty"`
	TotalMS  float64            `json:"total_ms"`
	Phases   map[string]float64 `json:"phases"`
	// Reported are the same phases as the service's own events time them
	// (ms from the create request, on the service's clock), where it does:
	// finer than polling can observe, and kept apart from it.
	Reported map[string]float64 `json:"reported_phases,omitempty"`
	Group    string             `json:"group,omitempty"`
	Started  time.Time          `json:"started"`
	// Lifetime is how long the group existed (for the cost estimate), seconds.
	LifetimeS float64 `json:"lifetime_s"`
	CPU       float64 `json:"cpu"`
	MemoryGB  float64 `json:"memory_gb"`
}

// Scenario is one thing to measure: an image and its resources, or a YAML group.
type Scenario struct {
	Name     string
	Image    string
	CPU      float64
	MemoryGB float64
	Location string
	OSType   string
	Port     int
	Registry *Registry
	// Body, when set, is a full container-group definition (from --file).
	Body map[string]any
	// Docker marks the local `docker run` baseline.
	Docker bool
}

// Registry holds image registry credentials.
type Registry struct{ Server, Username, Password string }

// Service is what the engine needs of ARM.
type Service interface {
	Create(ctx context.Context, rg, name string, body any) error // returns once ARM accepted it
	Get(ctx context.Context, rg, name string) (map[string]any, error)
	Delete(ctx context.Context, rg, name string) error
}

// Baseline runs the same image with `docker run` on this machine.
type Baseline interface {
	Run(ctx context.Context, s Scenario, o Options, mark func(phase string)) (cleanup func() error, err error)
}

// Options configure a benchmark.
type Options struct {
	Group         string
	Runs, Warmup  int
	Concurrency   int
	Timeout       time.Duration
	ProbeInterval time.Duration
	ExpectStatus  int
	Path          string
	Keep          bool
	MeasureDelete bool
	Prefix        string // group names start with it
	RunID         string
	// Progress is told about every finished run (may be nil).
	Progress func(r Run)
	// OnPhase is told when a run reaches a phase (may be nil).
	OnPhase func(scenario string, run int, warmup bool, phase string, elapsed time.Duration)
}

// TagKey marks every group a benchmark creates.
const TagKey = "aci-bench"

// Body builds the container-group PUT body of a scenario.
func (s Scenario) RequestBody(name, runID string) map[string]any {
	if s.Body != nil {
		b := deepCopy(s.Body).(map[string]any)
		tags, _ := b["tags"].(map[string]any)
		if tags == nil {
			tags = map[string]any{}
		}
		tags[TagKey] = runID
		b["tags"] = tags
		delete(b, "name")
		delete(b, "apiVersion")
		if s.Location != "" {
			b["location"] = s.Location
		}
		return b
	}
	port := []any{map[string]any{"protocol": "TCP", "port": s.Port}}
	cprops := map[string]any{"image": s.Image, "ports": port,
		"resources": map[string]any{"requests": map[string]any{"cpu": s.CPU, "memoryInGB": s.MemoryGB}}}
	props := map[string]any{"containers": []any{map[string]any{"name": "bench", "properties": cprops}},
		"osType": s.OSType, "restartPolicy": "Always",
		"ipAddress": map[string]any{"type": "Public", "ports": port}}
	if s.Registry != nil {
		props["imageRegistryCredentials"] = []any{map[string]any{"server": s.Registry.Server, "username": s.Registry.Username, "password": s.Registry.Password}}
	}
	return map[string]any{"location": s.Location, "tags": map[string]any{TagKey: runID}, "properties": props}
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = deepCopy(e)
		}
		return l
	}
	return v
}

// Observation is what one GET of a group tells about its phases.
type Observation struct {
	PullStarted, Pulled, Started bool
	Provisioning                 string
	IP                           string
	Failed                       string // why, when the group failed
	// Times are the phases' times by the service's own events.
	Times map[string]time.Time
}

// Observe extracts phases from a container group as ARM returns it.
func Observe(g map[string]any) Observation {
	o := Observation{Times: map[string]time.Time{}}
	latest := func(phase, ts string) {
		t, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil {
			return
		}
		// A group is as far as its slowest container.
		if cur, ok := o.Times[phase]; !ok || t.After(cur) {
			o.Times[phase] = t
		}
	}
	props, _ := g["properties"].(map[string]any)
	o.Provisioning, _ = props["provisioningState"].(string)
	if ip, ok := props["ipAddress"].(map[string]any); ok {
		o.IP, _ = ip["ip"].(string)
	}
	cs, _ := props["containers"].([]any)
	allStarted := len(cs) > 0
	for _, c := range cs {
		cp, _ := c.(map[string]any)["properties"].(map[string]any)
		iv, _ := cp["instanceView"].(map[string]any)
		started := false
		evs, _ := iv["events"].([]any)
		for _, e := range evs {
			em, _ := e.(map[string]any)
			ts, _ := em["firstTimestamp"].(string)
			switch em["name"] {
			case "Pulling":
				o.PullStarted = true
				latest("pull_started", ts)
			case "Pulled":
				o.PullStarted, o.Pulled = true, true
				latest("pulled", ts)
			case "Started":
				started = true
				latest("started", ts)
			}
		}
		if cur, ok := iv["currentState"].(map[string]any); ok {
			if st, _ := cur["state"].(string); st == "Running" || st == "Terminated" {
				started = true
			}
		}
		allStarted = allStarted && started
	}
	o.Started = allStarted
	if o.Provisioning == "Failed" {
		o.Failed = "provisioning failed"
		if giv, ok := props["instanceView"].(map[string]any); ok {
			if evs, ok := giv["events"].([]any); ok && len(evs) > 0 {
				if m, _ := evs[len(evs)-1].(map[string]any)["message"].(string); m != "" {
					o.Failed += ": " + m
				}
			}
		}
	}
	return o
}

// Engine runs benchmarks.
type Engine struct {
	Svc      Service
	Baseline Baseline
	HTTP     *http.Client

	mu      sync.Mutex
	created map[string]bool // groups that may exist, for cleanup
}

// Created lists the groups a benchmark created and has not deleted.
func (e *Engine) Created() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for g := range e.created {
		out = append(out, g)
	}
	return out
}

func (e *Engine) track(name string, live bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.created == nil {
		e.created = map[string]bool{}
	}
	if live {
		e.created[name] = true
	} else {
		delete(e.created, name)
	}
}

// Benchmark runs every scenario (warm-ups first) and returns all runs; on
// cancellation it still deletes what it created (unless Keep).
func (e *Engine) Benchmark(ctx context.Context, scenarios []Scenario, o Options) ([]Run, error) {
	type job struct {
		s      Scenario
		i      int
		warmup bool
	}
	// Runs alternate between scenarios (a1 b1 a2 b2 ...), after every
	// scenario's warm-up, so a drift in the machine's load (a daemon still
	// removing the last run's containers, a neighbour) is shared by all of
	// them instead of landing on whichever ran last.
	var jobs []job
	for _, s := range scenarios {
		for i := 0; i < o.Warmup; i++ {
			jobs = append(jobs, job{s, i, true})
		}
	}
	for i := 0; i < o.Runs; i++ {
		for _, s := range scenarios {
			jobs = append(jobs, job{s, i, false})
		}
	}
	ch := make(chan job)
	var mu sync.Mutex
	var runs []Run
	var wg sync.WaitGroup
	n := max(o.Concurrency, 1)
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				r := e.one(ctx, j.s, j.i, j.warmup, o)
				mu.Lock()
				runs = append(runs, r)
				mu.Unlock()
				if o.Progress != nil {
					o.Progress(r)
				}
			}
		}()
	}
feed:
	for _, j := range jobs {
		select {
		case ch <- j:
		case <-ctx.Done():
			break feed
		}
	}
	close(ch)
	wg.Wait()
	// Reports list runs by scenario as given, then warm-ups, then index,
	// whatever order they finished in.
	rank := map[string]int{}
	for i, s := range scenarios {
		if _, ok := rank[s.Name]; !ok {
			rank[s.Name] = i
		}
	}
	sort.SliceStable(runs, func(i, j int) bool {
		a, b := runs[i], runs[j]
		if rank[a.Scenario] != rank[b.Scenario] {
			return rank[a.Scenario] < rank[b.Scenario]
		}
		if a.Warmup != b.Warmup {
			return a.Warmup
		}
		return a.Index < b.Index
	})
	if !o.Keep {
		if err := e.Cleanup(o.Group); err != nil && ctx.Err() == nil {
			return runs, fmt.Errorf("cleaning up: %w", err)
		}
	}
	return runs, ctx.Err()
}

// Cleanup deletes every group this engine created that still exists.
func (e *Engine) Cleanup(rg string) error {
	var errs []error
	for _, g := range e.Created() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		if err := e.Svc.Delete(ctx, rg, g); err != nil {
			errs = append(errs, err)
		} else {
			e.track(g, false)
		}
		cancel()
	}
	return errors.Join(errs...)
}

func (e *Engine) one(ctx context.Context, s Scenario, i int, warmup bool, o Options) Run {
	r := Run{Scenario: s.Name, Index: i, Warmup: warmup, Phases: map[string]float64{}, Reported: map[string]float64{}, Started: time.Now().UTC(), CPU: s.CPU, MemoryGB: s.MemoryGB}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	t0 := time.Now()             // monotonic: every phase is measured from here
	wall0 := time.Now().Round(0) // the same instant on the wall clock, for the service's timestamps
	changed := true
	mark := func(p string) {
		if _, ok := r.Phases[p]; !ok {
			r.Phases[p] = float64(time.Since(t0).Microseconds()) / 1000
			changed = true
			if o.OnPhase != nil {
				o.OnPhase(s.Name, i, warmup, p, time.Since(t0))
			}
		}
	}
	fail := func(why string) Run {
		r.OK, r.Failure = false, why
		return r
	}
	if s.Docker {
		return e.oneDocker(ctx, s, o, &r, t0, mark)
	}
	name := fmt.Sprintf("%s-%s-%s-%d", o.Prefix, o.RunID, shortName(s.Name), i)
	if warmup {
		name += "w"
	}
	r.Group = name
	e.track(name, true)
	err := e.Svc.Create(ctx, o.Group, name, s.RequestBody(name, o.RunID))
	if err != nil {
		return fail("create: " + err.Error())
	}
	mark("accepted")
	url := ""
	wait := 10 * time.Millisecond
	for {
		if ctx.Err() != nil {
			return fail(fmt.Sprintf("timeout after %s (last phase: %s)", o.Timeout, lastPhase(r.Phases)))
		}
		if url != "" && allSeen(r.Phases) {
			// Every phase the group reports is in: from here the probe alone
			// times the run. Reading on cost the engine a Status call per read
			// (a list and an inspect) while the container it times starts.
		} else if g, err := e.Svc.Get(ctx, o.Group, name); err == nil {
			ob := Observe(g)
			if ob.Failed != "" {
				e.finish(o, &r, name, t0)
				return fail(ob.Failed)
			}
			if ip := r.observe(ob, wall0, mark); ip != "" && url == "" {
				url = fmt.Sprintf("http://%s:%d%s", ip, s.Port, o.Path)
			}
		}
		if url != "" && e.probe(ctx, url, o) {
			mark("http_ready")
			break
		}
		// Adaptive probing: fast right after a phase changes (10 ms, so a
		// phase is seen within ~10 ms of when it happens), backing off by half
		// each try to the probe interval, which bounds the load on the service.
		if changed {
			// Never slower than the probe interval: a 5 ms interval waited
			// 10 ms after each phase, twice per run, which was charged to
			// the service and not to docker run's flat probing.
			wait, changed = min(10*time.Millisecond, o.ProbeInterval), false
		} else if wait = wait * 3 / 2; wait > o.ProbeInterval {
			wait = o.ProbeInterval
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
	if len(r.Reported) == 0 {
		r.Reported = nil
	}
	r.OK, r.TotalMS = true, r.Phases["http_ready"]
	e.finish(o, &r, name, t0)
	return r
}

// oneDocker is one run of the raw-Docker baseline.
func (e *Engine) oneDocker(ctx context.Context, s Scenario, o Options, r *Run, t0 time.Time, mark func(string)) Run {
	cleanup, err := e.Baseline.Run(ctx, s, o, mark)
	r.LifetimeS = time.Since(t0).Seconds()
	if cleanup != nil && !o.Keep {
		dt := time.Now()
		if cerr := cleanup(); cerr == nil && o.MeasureDelete {
			r.Phases["deleted"] = r.Phases["http_ready"] + float64(time.Since(dt).Microseconds())/1000
		}
	}
	if err != nil {
		r.OK, r.Failure = false, err.Error()
		return *r
	}
	r.OK, r.TotalMS = true, r.Phases["http_ready"]
	return *r
}

// allSeen says whether a run has every phase a read of its group can show.
func allSeen(phases map[string]float64) bool {
	for _, p := range []string{"started", "provisioned", "ip_assigned"} {
		if _, ok := phases[p]; !ok {
			return false
		}
	}
	return true
}

// observe marks the phases a GET of the group shows, keeps the service's
// own timestamps (relative to wall0), and returns the group's IP once it
// has one.
func (r *Run) observe(ob Observation, wall0 time.Time, mark func(string)) string {
	for p, t := range ob.Times {
		if ms := float64(t.Sub(wall0).Microseconds()) / 1000; ms >= 0 {
			r.Reported[p] = ms
		}
	}
	for _, ph := range []struct {
		seen bool
		name string
	}{{ob.PullStarted, "pull_started"}, {ob.Pulled, "pulled"}, {ob.Started, "started"}, {ob.Provisioning == "Succeeded", "provisioned"}, {ob.IP != "", "ip_assigned"}} {
		if ph.seen {
			mark(ph.name)
		}
	}
	return ob.IP
}

// finish deletes the run's group (timed with MeasureDelete) unless Keep.
func (e *Engine) finish(o Options, r *Run, name string, t0 time.Time) {
	if o.Keep {
		r.LifetimeS = time.Since(t0).Seconds()
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := e.Svc.Delete(ctx, o.Group, name); err == nil {
		e.track(name, false)
		if o.MeasureDelete {
			r.Phases["deleted"] = float64(time.Since(t0).Microseconds()) / 1000
		}
	}
	r.LifetimeS = time.Since(t0).Seconds()
}

// probe is one HTTP try; a refused connection or another status is "not yet".
func (e *Engine) probe(ctx context.Context, url string, o Options) bool {
	tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(tctx, http.MethodGet, url, nil)
	resp, err := e.HTTP.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == o.ExpectStatus
}

func lastPhase(p map[string]float64) string {
	last := "none"
	for _, ph := range Phases {
		if _, ok := p[ph]; ok {
			last = ph
		}
	}
	return last
}

func shortName(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
		}
	}
	out := b.String()
	if len(out) > 12 {
		out = out[len(out)-12:]
	}
	if out == "" {
		out = "s"
	}
	return out
}
