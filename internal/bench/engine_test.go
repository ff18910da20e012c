package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// recorded returns the body of az's recorded `container show` (a running group).
func recorded(t *testing.T) map[string]any {
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "az", "recordings", "container", "test_container_create.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Interactions []struct {
			Request struct {
				Headers map[string][]string `yaml:"headers"`
			} `yaml:"request"`
			Response struct {
				Body struct {
					String string `yaml:"string"`
				} `yaml:"body"`
			} `yaml:"response"`
		} `yaml:"interactions"`
	}
	yaml.Unmarshal(b, &c)
	for _, it := range c.Interactions {
		if it.Request.Headers["CommandName"][0] == "container show" {
			var m map[string]any
			json.Unmarshal([]byte(it.Response.Body.String), &m)
			return m
		}
	}
	t.Fatal("no container show")
	return nil
}

func TestObserveRecordedInstanceView(t *testing.T) {
	o := Observe(recorded(t))
	if !o.Started || o.Provisioning != "Succeeded" || o.IP != "20.245.161.63" || o.Failed != "" {
		t.Fatalf("%+v", o)
	}
	failed := map[string]any{"properties": map[string]any{"provisioningState": "Failed", "instanceView": map[string]any{
		"events": []any{map[string]any{"message": "Failed to pull image \"x\""}}}}}
	if o := Observe(failed); o.Failed != `provisioning failed: Failed to pull image "x"` {
		t.Fatalf("%+v", o)
	}
	pending := map[string]any{"properties": map[string]any{"provisioningState": "Pending", "containers": []any{map[string]any{
		"properties": map[string]any{"instanceView": map[string]any{"events": []any{map[string]any{"name": "Pulling"}}}}}}}}
	if o := Observe(pending); !o.PullStarted || o.Pulled || o.Started || o.IP != "" {
		t.Fatalf("%+v", o)
	}
}

// fakeARM provisions a group over a few polls and serves it on a real listener.
type fakeARM struct {
	mu      sync.Mutex
	polls   map[string]int
	ip      string
	port    int
	fail    string // image that fails
	deleted []string
	created []string // in the order asked
}

func (f *fakeARM) Create(ctx context.Context, rg, name string, body any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.polls[name] = 0
	f.created = append(f.created, name)
	img := body.(map[string]any)["properties"].(map[string]any)["containers"].([]any)[0].(map[string]any)["properties"].(map[string]any)["image"]
	if img == "reject" {
		return errors.New("(InaccessibleImage) nope")
	}
	if img == f.fail {
		f.polls[name] = -100
	}
	return nil
}

func (f *fakeARM) Get(ctx context.Context, rg, name string) (map[string]any, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.polls[name]
	f.polls[name]++
	props := map[string]any{"provisioningState": "Pending"}
	var events []any
	if n < 0 {
		props["provisioningState"] = "Failed"
		props["instanceView"] = map[string]any{"events": []any{map[string]any{"message": "boom"}}}
		return map[string]any{"properties": props}, nil
	}
	if n >= 1 {
		events = append(events, map[string]any{"name": "Pulling"})
	}
	if n >= 2 {
		events = append(events, map[string]any{"name": "Pulled"}, map[string]any{"name": "Started"})
	}
	if n >= 3 {
		props["provisioningState"] = "Succeeded"
		props["ipAddress"] = map[string]any{"ip": f.ip}
	}
	props["containers"] = []any{map[string]any{"properties": map[string]any{"instanceView": map[string]any{"events": events}}}}
	return map[string]any{"properties": props}, nil
}

func (f *fakeARM) Delete(ctx context.Context, rg, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deleted = append(f.deleted, name)
	return nil
}

func TestEnginePhasesFailuresAndCleanup(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	p, _ := strconv.Atoi(port)
	arm := &fakeARM{polls: map[string]int{}, ip: host, port: p, fail: "broken"}
	e := &Engine{Svc: arm, HTTP: srv.Client()}
	o := Options{Group: "rg", Runs: 3, Warmup: 1, Concurrency: 2, Timeout: 10 * time.Second, ProbeInterval: time.Millisecond,
		ExpectStatus: 200, Path: "/", Prefix: "acibench", RunID: "t1", MeasureDelete: true}
	scs := []Scenario{{Name: "good", Image: "app", CPU: 1, MemoryGB: 1.5, Port: p},
		{Name: "broken", Image: "broken", CPU: 1, MemoryGB: 1, Port: p},
		{Name: "rejected", Image: "reject", CPU: 1, MemoryGB: 1, Port: p}}
	runs, err := e.Benchmark(context.Background(), scs, o)
	if err != nil || len(runs) != 12 {
		t.Fatalf("%d runs, %v", len(runs), err)
	}
	for _, r := range runs {
		switch r.Scenario {
		case "good":
			if !r.OK {
				t.Fatalf("good run failed: %+v", r)
			}
			prev := -1.0
			for _, ph := range Phases {
				v, ok := r.Phases[ph]
				if !ok {
					t.Fatalf("phase %s missing: %v", ph, r.Phases)
				}
				if v < prev {
					t.Fatalf("phases out of order: %v", r.Phases)
				}
				prev = v
			}
			if r.TotalMS != r.Phases["http_ready"] {
				t.Fatalf("total: %+v", r)
			}
		case "broken":
			if r.OK || r.Failure != "provisioning failed: boom" {
				t.Fatalf("broken: %+v", r)
			}
		case "rejected":
			if r.OK || !strings.HasPrefix(r.Failure, "create: (InaccessibleImage)") {
				t.Fatalf("rejected: %+v", r)
			}
		}
	}
	if len(e.Created()) != 0 || len(arm.deleted) < 8 {
		t.Fatalf("left %v, deleted %d", e.Created(), len(arm.deleted))
	}
	sum := Summarise(runs)
	if len(sum) != 3 || sum[0].Total.N != 3 || sum[1].Total.Failures != 3 || sum[0].Relative != 1 {
		t.Fatalf("summaries: %+v", sum)
	}
}

// Warm-ups first, then runs alternate between scenarios; the runs come back
// by scenario as given, warm-up first, by index.
func TestRunsAlternate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	p, _ := strconv.Atoi(port)
	arm := &fakeARM{polls: map[string]int{}, ip: host, port: p}
	e := &Engine{Svc: arm, HTTP: srv.Client()}
	runs, err := e.Benchmark(context.Background(), []Scenario{{Name: "a", Image: "app", Port: p}, {Name: "b", Image: "app", Port: p}},
		Options{Group: "rg", Runs: 2, Warmup: 1, Concurrency: 1, Timeout: 10 * time.Second, ProbeInterval: time.Millisecond,
			ExpectStatus: 200, Path: "/", Prefix: "x", RunID: "r"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(arm.created, " "); got != "x-r-a-0w x-r-b-0w x-r-a-0 x-r-b-0 x-r-a-1 x-r-b-1" {
		t.Fatalf("create order: %s", got)
	}
	var order []string
	for _, r := range runs {
		order = append(order, fmt.Sprintf("%s%d%v", r.Scenario, r.Index, r.Warmup))
	}
	if got := strings.Join(order, " "); got != "a0true a0false a1false b0true b0false b1false" {
		t.Fatalf("runs: %s", got)
	}
}

func TestCancelledBenchmarkCleansUp(t *testing.T) {
	arm := &fakeARM{polls: map[string]int{}, ip: "127.0.0.1", port: 1}
	e := &Engine{Svc: arm, HTTP: http.DefaultClient}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	// Port 1 never answers: every run waits until the benchmark is cancelled.
	_, err := e.Benchmark(ctx, []Scenario{{Name: "s", Image: "app", Port: 1}}, Options{Group: "rg", Runs: 5, Concurrency: 2,
		Timeout: time.Minute, ProbeInterval: 5 * time.Millisecond, ExpectStatus: 200, Path: "/", Prefix: "acibench", RunID: "c"})
	if !errors.Is(err, context.DeadlineExceeded) || len(e.Created()) != 0 || len(arm.deleted) == 0 {
		t.Fatalf("err %v, left %v, deleted %v", err, e.Created(), arm.deleted)
	}
}

// fixedRuns is a small data set for the export goldens.
func fixedRuns() []Run {
	mk := func(s string, i int, ok bool, total float64) Run {
		r := Run{Scenario: s, Index: i, OK: ok, TotalMS: total, CPU: 1, MemoryGB: 1.5, LifetimeS: 2,
			Started: time.Date(2026, 11, 21, 12, 0, i, 0, time.UTC), Group: "acibench-x-" + strconv.Itoa(i), Phases: map[string]float64{}}
		if ok {
			for k, ph := range Phases[:7] {
				r.Phases[ph] = total * float64(k+1) / 7
			}
		} else {
			r.Failure = "timeout after 10m0s (last phase: accepted)"
			r.Phases["accepted"] = 12.5
		}
		return r
	}
	return []Run{mk("hello", 0, true, 700), mk("hello", 1, true, 350), mk("hello", 2, false, 0),
		{Scenario: "docker hello", Index: 0, OK: true, TotalMS: 300, Phases: map[string]float64{"accepted": 20, "started": 250, "ip_assigned": 250, "http_ready": 300}}}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(path, got, 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestExportGoldens(t *testing.T) {
	runs := fixedRuns()
	rep := NewReport("test", map[string]string{"os": "linux"}, runs, DefaultPrices)
	var b bytes.Buffer
	WriteCSV(&b, runs)
	golden(t, "runs.csv", b.Bytes())
	b.Reset()
	WriteMarkdown(&b, rep)
	golden(t, "summary.md", b.Bytes())
	b.Reset()
	WriteJSON(&b, rep)
	golden(t, "report.json", b.Bytes())
	b.Reset()
	WriteSVG(&b, runs, "test chart")
	golden(t, "chart.svg", b.Bytes())
	if rep.Summaries[0].Total.Failures != 1 || rep.Summaries[1].Scenario != "docker hello" || rep.Summaries[0].Relative < 1.7 {
		t.Fatalf("%+v", rep.Summaries)
	}
	// 3 ACI runs × 2 s × (1 vCPU + 1.5 GB) at 0.0000125 each; the docker run is free.
	if v, g, usd := Cost(runs, DefaultPrices); v != 6 || g != 9 || usd < 0.0001874 || usd > 0.0001876 {
		t.Fatalf("cost %v %v %v", v, g, usd)
	}
	b.Reset()
	if err := WritePNG(&b, runs, "test chart"); err != nil || !bytes.HasPrefix(b.Bytes(), []byte("\x89PNG")) {
		t.Fatalf("png: %v", err)
	}
}

// Once a read has shown every phase (started, provisioned, the address), the
// engine only probes: further reads would cost the service a status call per
// read while the container it times starts.
func TestNoReadsAfterEveryPhase(t *testing.T) {
	var probes atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if probes.Add(1) < 6 { // the app answers from the sixth probe on
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	p, _ := strconv.Atoi(port)
	arm := &fakeARM{polls: map[string]int{}, ip: host, port: p}
	e := &Engine{Svc: arm, HTTP: srv.Client()}
	runs, err := e.Benchmark(context.Background(), []Scenario{{Name: "a", Image: "app", Port: p}},
		Options{Group: "rg", Runs: 1, Concurrency: 1, Timeout: 10 * time.Second, ProbeInterval: time.Millisecond,
			ExpectStatus: 200, Path: "/", Prefix: "x", RunID: "r", Keep: true})
	if err != nil || len(runs) != 1 || !runs[0].OK {
		t.Fatalf("%+v %v", runs, err)
	}
	// Reads 0-3 bring the group to Succeeded with its address; none after.
	if n := arm.polls["x-r-a-0"]; n != 4 || probes.Load() != 6 {
		t.Fatalf("%d reads, %d probes", n, probes.Load())
	}
}
