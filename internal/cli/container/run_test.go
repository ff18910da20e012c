package container

// The run functions on a fake Service (function fields, as docker/cli's
// fakeClient): what each asks ARM and what it prints, nothing listening.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/spf13/cobra"
)

type fakeService struct {
	mu     sync.Mutex
	calls  []string
	get    func(rg, name string) (arm.Raw, error)
	list   func(rg string) ([]any, error)
	delete func(rg, name string) (arm.Raw, error)
	logs   func(container string, tail int32, timestamps bool) (string, error)
	put    func(rg, name, apiVersion string, body any) (arm.Raw, error)
}

func (s *fakeService) record(format string, a ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, fmt.Sprintf(format, a...))
}

func (s *fakeService) CreateOrUpdate(_ context.Context, rg, name, apiVersion string, body any, wait bool, _ arm.Progress) (arm.Raw, error) {
	s.record("put %s/%s wait=%v", rg, name, wait)
	if s.put != nil {
		return s.put(rg, name, apiVersion, body)
	}
	return nil, nil
}
func (s *fakeService) Get(_ context.Context, rg, name string) (arm.Raw, error) {
	s.record("get %s/%s", rg, name)
	return s.get(rg, name)
}
func (s *fakeService) List(_ context.Context, rg string) ([]any, error) {
	s.record("list %s", rg)
	return s.list(rg)
}
func (s *fakeService) Delete(_ context.Context, rg, name string, _ arm.Progress) (arm.Raw, error) {
	s.record("delete %s/%s", rg, name)
	return s.delete(rg, name)
}
func (s *fakeService) Restart(_ context.Context, rg, name string, wait bool, _ arm.Progress) error {
	s.record("restart %s/%s wait=%v", rg, name, wait)
	return nil
}
func (s *fakeService) Start(_ context.Context, rg, name string, wait bool, _ arm.Progress) error {
	s.record("start %s/%s wait=%v", rg, name, wait)
	return nil
}
func (s *fakeService) Stop(_ context.Context, rg, name string) error {
	s.record("stop %s/%s", rg, name)
	return nil
}
func (s *fakeService) Logs(_ context.Context, rg, name, container string, tail int32, timestamps bool) (string, error) {
	s.record("logs %s/%s %s tail=%d ts=%v", rg, name, container, tail, timestamps)
	return s.logs(container, tail, timestamps)
}
func (s *fakeService) Exec(context.Context, string, string, string, string, int32, int32) (string, string, error) {
	return "", "", nil
}

func fakeDeps(t *testing.T, svc Service, format string, tty bool) (deps, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	ios, _, out, errOut := cmdutil.Test()
	ios.StdoutTTY = tty
	f := &cmdutil.Factory{IO: ios, ConfigDir: t.TempDir(), Globals: cmdutil.Globals{Output: format}}
	return deps{f: f, Service: func() (Service, error) { return svc, nil }}, out, errOut
}

// cg is a container group as ARM returns it; with state, its instance view.
func cg(name, state string, exitCode int) arm.Raw {
	c := map[string]any{"name": name, "properties": map[string]any{"image": "img",
		"resources": map[string]any{"requests": map[string]any{"cpu": 1.0, "memoryInGB": 1.5}}}}
	g := arm.Raw{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerInstance/containerGroups/" + name,
		"name": name, "location": "westus", "properties": map[string]any{"provisioningState": "Succeeded", "osType": "Linux",
			"containers": []any{c}}}
	if state != "" {
		g["properties"].(map[string]any)["instanceView"] = map[string]any{"state": state}
		c["properties"].(map[string]any)["instanceView"] = map[string]any{"currentState": map[string]any{"state": map[string]string{
			"Succeeded": "Terminated", "Failed": "Terminated", "Running": "Running"}[state], "exitCode": float64(exitCode)}}
	}
	return g
}

func targets(names ...string) []target {
	var ts []target
	for _, n := range names {
		t := newTarget()
		t.Group, t.Name = "rg", n
		ts = append(ts, t)
	}
	return ts
}

func TestShowRunOneAndMany(t *testing.T) {
	svc := &fakeService{get: func(_, name string) (arm.Raw, error) { return cg(name, "Running", 0), nil }}
	d, out, _ := fakeDeps(t, svc, "json", false)
	if err := showRun(&ShowOptions{deps: d, Targets: targets("a")}); err != nil || !strings.HasPrefix(out.String(), "{") {
		t.Fatalf("one group prints an object: %v %s", err, out)
	}
	d, out, _ = fakeDeps(t, svc, "tsv", false)
	if err := showRun(&ShowOptions{deps: d, Targets: targets("a", "b")}); err != nil || strings.Count(out.String(), "\n") != 2 {
		t.Fatalf("--ids of two prints two: %v %q", err, out)
	}
}

// list reads live states only where a person sees them: on a terminal with
// -o table, or with --details.
func TestListRunInstanceViews(t *testing.T) {
	svc := &fakeService{
		list: func(string) ([]any, error) { return []any{map[string]any(cg("a", "", 0))}, nil },
		get:  func(_, name string) (arm.Raw, error) { return cg(name, "Running", 0), nil },
	}
	for _, c := range []struct {
		format               string
		tty, details, noDets bool
		gets                 bool
	}{
		{"json", false, false, false, false},
		{"table", false, false, false, false},
		{"table", true, false, false, true},
		{"table", true, false, true, false},
		{"json", false, true, false, true},
	} {
		svc.calls = nil
		d, out, _ := fakeDeps(t, svc, c.format, c.tty)
		if err := listRun(&ListOptions{deps: d, Group: "rg", Details: c.details, NoDetails: c.noDets}); err != nil {
			t.Fatal(err)
		}
		got := strings.Contains(strings.Join(svc.calls, ","), "get rg/a")
		if got != c.gets {
			t.Errorf("%+v: instance view read=%v (calls %v)", c, got, svc.calls)
		}
		if c.gets && c.format == "table" && !strings.Contains(out.String(), "Running") {
			t.Errorf("the live state is not shown:\n%s", out)
		}
	}
}

func TestDeleteAndActionRuns(t *testing.T) {
	svc := &fakeService{delete: func(_, name string) (arm.Raw, error) {
		if name == "gone" {
			return nil, nil // ARM's 204: nothing to print
		}
		return cg(name, "", 0), nil
	}}
	d, out, _ := fakeDeps(t, svc, "json", false)
	if err := deleteRun(&DeleteOptions{deps: d, Targets: targets("a")}); err != nil || !strings.Contains(out.String(), `"name": "a"`) {
		t.Fatalf("delete: %v %s", err, out)
	}
	d, out, _ = fakeDeps(t, svc, "json", false)
	if err := deleteRun(&DeleteOptions{deps: d, Targets: targets("gone")}); err != nil || out.Len() != 0 {
		t.Fatalf("delete of a missing group prints nothing: %v %q", err, out)
	}
	svc.calls = nil
	for _, c := range []struct {
		cmd    func(*cmdutil.Factory, func(*ActionOptions) error) *cobra.Command
		noWait bool
	}{{newRestart, true}, {newStart, false}, {newStop, false}} {
		var o *ActionOptions
		cmd := c.cmd(d.f, func(opts *ActionOptions) error { o = opts; return nil })
		args := []string{"-g", "rg", "-n", "x"}
		if c.noWait {
			args = append(args, "--no-wait")
		}
		cmd.SetArgs(args)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		o.deps = d
		if err := actionRun(o); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"restart rg/x wait=false", "start rg/x wait=true", "stop rg/x"}
	if !reflect.DeepEqual(svc.calls, want) {
		t.Fatalf("actions sent %v, want %v", svc.calls, want)
	}
}

// wait prints the exit code like docker wait; --exit-code makes it the
// command's status; a timeout says what it waited for.
func TestWaitRun(t *testing.T) {
	var states []arm.Raw
	svc := &fakeService{get: func(string, string) (arm.Raw, error) {
		g := states[0]
		if len(states) > 1 {
			states = states[1:]
		}
		return g, nil
	}}
	opts := func(d deps, cond string, exit bool, timeout time.Duration) *WaitOptions {
		o := &WaitOptions{deps: d, target: targets("job")[0], Condition: cond, ExitCode: exit,
			Interval: cmdutil.Seconds(time.Millisecond), Timeout: cmdutil.Seconds(timeout)}
		return o
	}
	states = []arm.Raw{cg("job", "Running", 0), cg("job", "Failed", 3)}
	d, out, errOut := fakeDeps(t, svc, "json", false)
	if err := waitRun(opts(d, "terminated", false, time.Second)); err != nil || out.String() != "3\n" || !strings.Contains(errOut.String(), "terminated with exit code 3") {
		t.Fatalf("terminated: %v %q %q", err, out, errOut)
	}
	states = []arm.Raw{cg("job", "Failed", 3)}
	d, _, _ = fakeDeps(t, svc, "json", false)
	if err := waitRun(opts(d, "terminated", true, time.Second)); cmdutil.ExitCode(err) != 3 {
		t.Fatalf("--exit-code: %v", err)
	}
	states = []arm.Raw{cg("job", "Running", 0)}
	d, out, _ = fakeDeps(t, svc, "json", false)
	if err := waitRun(opts(d, "running", false, time.Second)); err != nil || out.Len() != 0 {
		t.Fatalf("running: %v %q", err, out)
	}
	d, _, _ = fakeDeps(t, svc, "json", false)
	err := waitRun(opts(d, "terminated", false, 20*time.Millisecond))
	if cmdutil.ExitCode(err) != 1 || !strings.Contains(err.Error(), "waiting for container group 'job' to be terminated") {
		t.Fatalf("timeout: %v", err)
	}
}

// logs prints once with az's extra newline, or follows: each line once,
// waiting for a container not started yet, and the exit code at the end.
func TestLogsRun(t *testing.T) {
	snapshots := []string{"one\n", "one\ntwo\n", "one\ntwo\nthree\n"}
	gets := 0
	svc := &fakeService{
		get: func(_, name string) (arm.Raw, error) {
			gets++
			if gets < 3 {
				return cg(name, "Running", 0), nil
			}
			return cg(name, "Failed", 2), nil
		},
		logs: func(string, int32, bool) (string, error) { return snapshots[min(gets, len(snapshots))-1], nil },
	}
	d, out, _ := fakeDeps(t, svc, "json", false)
	o := &logsOptions{deps: d, target: targets("web")[0], Tail: 5, Timestamps: true}
	if err := logsRun(o); err != nil || out.String() != "one\n\n" {
		t.Fatalf("logs: %v %q", err, out)
	}
	if last := svc.calls[len(svc.calls)-1]; last != "logs rg/web web tail=5 ts=true" {
		t.Fatalf("sent %s", last)
	}
	gets = 0
	d, out, errOut := fakeDeps(t, svc, "json", false)
	d.f.Intervals.Follow = time.Millisecond
	o = &logsOptions{deps: d, target: targets("web")[0], Follow: true}
	if err := logsRun(o); err != nil {
		t.Fatal(err)
	}
	if out.String() != "one\ntwo\nthree\n" || !strings.Contains(errOut.String(), "terminated with exit code 2") {
		t.Fatalf("follow printed %q, %q", out, errOut)
	}
	// A container not running yet is waited for, not an error.
	gets = 0
	notYet := true
	svc.logs = func(string, int32, bool) (string, error) {
		if notYet {
			notYet = false
			return "", &arm.Error{StatusCode: 400, Code: "ContainerNotRunning"}
		}
		return snapshots[min(gets, len(snapshots))-1], nil
	}
	d, out, _ = fakeDeps(t, svc, "json", false)
	d.f.Intervals.Follow = time.Millisecond
	if err := logsRun(&logsOptions{deps: d, target: targets("web")[0], Follow: true}); err != nil || !strings.HasSuffix(out.String(), "three\n") {
		t.Fatalf("follow before the start: %v %q", err, out)
	}
}

// export writes the YAML create --file reads: to a file, or to stdout.
func TestExportRun(t *testing.T) {
	svc := &fakeService{get: func(_, name string) (arm.Raw, error) { return cg(name, "Running", 0), nil }}
	d, out, _ := fakeDeps(t, svc, "json", false)
	if err := exportRun(&ExportOptions{deps: d, target: targets("web")[0], File: "-"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"name: web", "image: img", "location: westus", "osType: Linux"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("export lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out.String(), "instanceView") {
		t.Fatalf("export carries the live state:\n%s", out)
	}
	file := filepath.Join(t.TempDir(), "g.yaml")
	d, _, _ = fakeDeps(t, svc, "json", false)
	if err := exportRun(&ExportOptions{deps: d, target: targets("web")[0], File: file}); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(file); err != nil || !strings.Contains(string(b), "name: web") {
		t.Fatalf("export to a file: %v %q", err, b)
	}
}

// attach prints each new state and event until the container runs, then
// its logs; a container that ended is not waited for.
func TestAttachRun(t *testing.T) {
	views := []map[string]any{
		{"currentState": map[string]any{"state": "Waiting"}, "events": []any{
			map[string]any{"count": 1.0, "lastTimestamp": "2026-01-01T00:00:02Z", "message": "Pulling image"},
			map[string]any{"count": 1.0, "lastTimestamp": "2026-01-01T00:00:01Z", "message": "Scheduled"}}},
		{"currentState": map[string]any{"state": "Waiting"}, "events": []any{
			map[string]any{"count": 1.0, "lastTimestamp": "2026-01-01T00:00:01Z", "message": "Scheduled"},
			map[string]any{"count": 1.0, "lastTimestamp": "2026-01-01T00:00:02Z", "message": "Pulling image"},
			map[string]any{"count": 1.0, "lastTimestamp": "2026-01-01T00:00:03Z", "message": "Pulled image"}}},
		{"currentState": map[string]any{"state": "Running"}},
	}
	gets := 0
	svc := &fakeService{
		get: func(_, name string) (arm.Raw, error) {
			g := cg(name, "", 0)
			c := g["properties"].(map[string]any)["containers"].([]any)[0].(map[string]any)
			c["properties"].(map[string]any)["instanceView"] = views[min(gets, len(views)-1)]
			if gets >= 3 {
				g = cg(name, "Succeeded", 0)
			}
			gets++
			return g, nil
		},
		logs: func(string, int32, bool) (string, error) { return "hello\n", nil },
	}
	d, out, _ := fakeDeps(t, svc, "json", false)
	d.f.Intervals.Follow = time.Millisecond
	if err := attachRun(&logsOptions{deps: d, target: targets("web")[0]}); err != nil {
		t.Fatal(err)
	}
	want := "Container 'web' is in state 'Waiting'...\n" +
		"(count: 1) (last timestamp: 2026-01-01T00:00:01Z) Scheduled\n" +
		"(count: 1) (last timestamp: 2026-01-01T00:00:02Z) Pulling image\n" +
		"(count: 1) (last timestamp: 2026-01-01T00:00:03Z) Pulled image\n" +
		"Container 'web' is in state 'Running'...\n" +
		"\nStart streaming logs:\n" +
		"hello\n"
	if out.String() != want {
		t.Fatalf("attach printed:\n%s\nwant:\n%s", out, want)
	}
	// An unknown container is refused before anything is followed.
	d, _, _ = fakeDeps(t, svc, "json", false)
	if err := attachRun(&logsOptions{deps: d, target: targets("web")[0], Container: "sidecar"}); err == nil {
		t.Fatal("attach to a container the group does not have")
	}
	// Through the command: flags reach the options.
	var got *logsOptions
	cmd := newAttach(d.f, func(o *logsOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"-g", "rg", "-n", "web", "--container-name", "app"})
	if err := cmd.Execute(); err != nil || got.Group != "rg" || got.Name != "web" || got.Container != "app" {
		t.Fatalf("flags: %v %+v", err, got)
	}
}
