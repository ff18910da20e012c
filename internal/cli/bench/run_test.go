package bench

// `aci bench` end to end on a fake service: the real timing engine creates,
// polls and probes a real HTTP listener, then the command reports, exports,
// cleans up and says what failed.

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aci-cli/aci/internal/bench"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/spf13/cobra"
)

// groupsFake provisions each group over three polls at the listener's IP.
type groupsFake struct {
	mu      sync.Mutex
	polls   map[string]int
	ip      string
	bodies  []map[string]any
	deleted []string
	reject  string // an image ARM refuses
}

func (g *groupsFake) Create(_ context.Context, _, name string, body any) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	b, _ := json.Marshal(body)
	var m map[string]any
	json.Unmarshal(b, &m)
	g.bodies = append(g.bodies, m)
	if strings.Contains(string(b), `"image":"`+g.reject+`"`) {
		return errors.New("(InaccessibleImage) The image could not be pulled.")
	}
	g.polls[name] = 0
	return nil
}

func (g *groupsFake) Get(_ context.Context, _, name string) (map[string]any, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := g.polls[name]
	g.polls[name]++
	props := map[string]any{"provisioningState": "Pending"}
	events := []any{}
	if n >= 1 {
		events = append(events, map[string]any{"name": "Pulling"}, map[string]any{"name": "Pulled"}, map[string]any{"name": "Started"})
	}
	if n >= 2 {
		props["provisioningState"] = "Succeeded"
		props["ipAddress"] = map[string]any{"ip": g.ip}
	}
	props["containers"] = []any{map[string]any{"properties": map[string]any{"instanceView": map[string]any{"events": events}}}}
	return map[string]any{"properties": props}, nil
}

func (g *groupsFake) Delete(_ context.Context, _, name string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.deleted = append(g.deleted, name)
	return nil
}

func benchCmd(t *testing.T, fake *groupsFake, args ...string) (string, string, error) {
	t.Helper()
	ios, _, out, errOut := cmdutil.Test()
	f := &cmdutil.Factory{IO: ios, ConfigDir: t.TempDir(), Globals: cmdutil.Globals{Output: "json"}}
	cmd := newCmd(f, func(_ *cmdutil.Factory, o *Options, scs []bench.Scenario) (*bench.Engine, error) {
		for i := range scs {
			if scs[i].Location == "" {
				scs[i].Location = "westus"
			}
		}
		return &bench.Engine{Svc: fake, HTTP: &http.Client{}}, nil
	})
	root := &cobra.Command{Use: "aci"} // as in aci: nargs flags are read below the root
	root.AddCommand(cmd)
	args = append([]string{"bench"}, args...)
	root.SetArgs(cmdutil.ExpandNArgs(root, args))
	root.SilenceErrors, root.SilenceUsage = true, true
	err := root.Execute()
	return out.String(), errOut.String(), err
}

func TestBenchEndToEndOnAFake(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			w.WriteHeader(204)
		}
	}))
	defer srv.Close()
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	fake := &groupsFake{polls: map[string]int{}, ip: host, reject: "private/app"}
	dir := t.TempDir()
	out, _, err := benchCmd(t, fake, "-g", "rg", "--image", "app:1", "--cpu", "1", "2", "--runs", "2", "--concurrency", "2",
		"--port", port, "--probe-interval", "1ms", "--path", "/healthz", "--expect-status", "204",
		"--export-json", filepath.Join(dir, "r.json"), "--export-csv", filepath.Join(dir, "r.csv"), "--chart", filepath.Join(dir, "r.svg"))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// Two scenarios (cpu 1 and 2) x two runs, each created, probed and deleted.
	if len(fake.bodies) != 4 || len(fake.deleted) != 4 {
		t.Fatalf("created %d, deleted %d", len(fake.bodies), len(fake.deleted))
	}
	var cpus []string
	for _, b := range fake.bodies {
		c := b["properties"].(map[string]any)["containers"].([]any)[0].(map[string]any)["properties"].(map[string]any)
		cpus = append(cpus, strconv.FormatFloat(c["resources"].(map[string]any)["requests"].(map[string]any)["cpu"].(float64), 'f', -1, 64))
		if b["location"] != "westus" || !strings.HasPrefix(fake.deleted[0], Prefix+"-") {
			t.Fatalf("body %v, deleted %v", b, fake.deleted)
		}
	}
	if strings.Count(strings.Join(cpus, ","), "2") != 2 {
		t.Fatalf("cpus sent %v", cpus)
	}
	if !strings.Contains(out, "app:1 1cpu/1.5gb") || !strings.Contains(out, "app:1 2cpu/1.5gb") || !strings.Contains(out, "HTTP ready") {
		t.Fatalf("summary:\n%s", out)
	}
	var rec bench.Report
	b, _ := os.ReadFile(filepath.Join(dir, "r.json"))
	if err := json.Unmarshal(b, &rec); err != nil || len(rec.Runs) != 4 || rec.Environment["resourceGroup"] != "rg" || rec.Environment["concurrency"] != "2" {
		t.Fatalf("json export: %v %+v", err, rec.Environment)
	}
	for _, r := range rec.Runs {
		if !r.OK || r.Phases["http_ready"] < r.Phases["ip_assigned"] {
			t.Fatalf("a run: %+v", r)
		}
	}
	if svg, _ := os.ReadFile(filepath.Join(dir, "r.svg")); !strings.HasPrefix(string(svg), "<svg") {
		t.Fatal("no chart")
	}
}

func TestBenchFailuresAreReported(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	fake := &groupsFake{polls: map[string]int{}, ip: host, reject: "private/app"}
	out, _, err := benchCmd(t, fake, "-g", "rg", "--image", "private/app", "--image", "ok", "--runs", "1", "--port", port, "--probe-interval", "1ms")
	if err == nil || !strings.Contains(err.Error(), "1 run(s) of 'private/app' failed") {
		t.Fatalf("a refused image: %v\n%s", err, out)
	}
	if !strings.Contains(out, "InaccessibleImage") {
		t.Fatalf("the failure is shown:\n%s", out)
	}
	// Nothing is created when the options are wrong.
	fake = &groupsFake{polls: map[string]int{}}
	if _, _, err := benchCmd(t, fake, "-g", "rg", "--image", "x", "--runs", "0"); cmdutil.ExitCode(err) != 2 || len(fake.bodies) != 0 {
		t.Fatalf("--runs 0: %v, %d created", err, len(fake.bodies))
	}
}
