package containerinstance

import (
	"context"
	"errors"
	"io"
	"sync"

	"github.com/aci-cli/aci/internal/local/runtime"
)

// fakeRuntime runs nothing but records what it was asked, and prepares volumes
// with the Docker runtime's own code, so what a request would put on the host
// can be checked without an engine.
type fakeRuntime struct {
	mu      sync.Mutex
	running map[string]*runtime.GroupSpec // by group key
	runs    []*runtime.GroupSpec
	removes int
	calls   []string // stop, start, restart, remove, in order
	// failRun, when set, is what Run answers (after reporting a Pulling event).
	failRun error
	// status, when set, overrides what a running group's containers report.
	status map[string]runtime.ContainerStatus
	// exec answers Exec: the output for the given stdin, and an exit code.
	exec func(argv []string, stdin []byte) (string, int)
	// hold, when set, keeps Run from returning (after its Started events)
	// until it is closed.
	hold chan struct{}
	// statusCalls counts Status.
	statusCalls int
}

func newFakeRuntime() *fakeRuntime { return &fakeRuntime{running: map[string]*runtime.GroupSpec{}} }

func (f *fakeRuntime) Name() string                                                { return "fake" }
func (f *fakeRuntime) CheckImages(ctx context.Context, g *runtime.GroupSpec) error { return nil }

func (f *fakeRuntime) Run(ctx context.Context, g *runtime.GroupSpec, event runtime.EventFunc) error {
	f.mu.Lock()
	fail := f.failRun
	f.mu.Unlock()
	if fail != nil {
		for _, c := range g.Containers {
			event(c.Name, "Pulling", "pulling image \""+c.Image+"\"")
		}
		return fail
	}
	if _, err := runtime.PrepareVolumes(ctx, g); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.running[g.Key] = g
	f.runs = append(f.runs, g)
	for _, c := range g.Containers {
		event(c.Name, "Started", "Started container")
	}
	if hold := f.hold; hold != nil {
		f.mu.Unlock()
		<-hold
		f.mu.Lock()
	}
	return nil
}

func (f *fakeRuntime) Status(ctx context.Context, g *runtime.GroupSpec) (map[string]runtime.ContainerStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.statusCalls++
	out := map[string]runtime.ContainerStatus{}
	if f.running[g.Key] != nil {
		for _, c := range g.Containers {
			out[c.Name] = runtime.ContainerStatus{State: "Running"}
			if st, ok := f.status[c.Name]; ok {
				out[c.Name] = st
			}
		}
	}
	return out, nil
}

func (f *fakeRuntime) Stop(ctx context.Context, g *runtime.GroupSpec) error {
	f.call("stop")
	return nil
}

func (f *fakeRuntime) Start(ctx context.Context, g *runtime.GroupSpec, event runtime.EventFunc) error {
	f.call("start")
	f.Remove(ctx, g)
	return f.Run(ctx, g, event)
}

func (f *fakeRuntime) Restart(ctx context.Context, g *runtime.GroupSpec, event runtime.EventFunc) error {
	f.call("restart")
	for _, c := range g.Containers {
		event(c.Name, "Killing", "Killing container")
		event(c.Name, "Started", "Started container")
	}
	return nil
}

func (f *fakeRuntime) Remove(ctx context.Context, g *runtime.GroupSpec) error {
	f.call("remove")
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.running, g.Key)
	f.removes++
	return nil
}

func (f *fakeRuntime) call(name string) {
	f.mu.Lock()
	f.calls = append(f.calls, name)
	f.mu.Unlock()
}

func (f *fakeRuntime) callLog() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeRuntime) set(fn func(f *fakeRuntime)) {
	f.mu.Lock()
	fn(f)
	f.mu.Unlock()
}

func (f *fakeRuntime) Logs(ctx context.Context, g *runtime.GroupSpec, c string, tail int, ts bool) (string, error) {
	return "", nil
}

func (f *fakeRuntime) Exec(ctx context.Context, g *runtime.GroupSpec, c string, argv []string, in io.Reader, out io.Writer) (int, error) {
	f.mu.Lock()
	fn := f.exec
	f.mu.Unlock()
	if fn == nil {
		return 0, errors.New("fake")
	}
	stdin, _ := io.ReadAll(in)
	text, code := fn(argv, stdin)
	io.WriteString(out, text)
	return code, nil
}

func (f *fakeRuntime) Reconcile(ctx context.Context, known func(string) bool) error { return nil }

func (f *fakeRuntime) AddressesInUse(ctx context.Context) map[string]bool { return map[string]bool{} }

func (f *fakeRuntime) runCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.runs)
}

func (f *fakeRuntime) lastRun() *runtime.GroupSpec {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.runs) == 0 {
		return nil
	}
	return f.runs[len(f.runs)-1]
}
