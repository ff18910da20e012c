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
}

func newFakeRuntime() *fakeRuntime { return &fakeRuntime{running: map[string]*runtime.GroupSpec{}} }

func (f *fakeRuntime) Name() string                                                { return "fake" }
func (f *fakeRuntime) CheckImages(ctx context.Context, g *runtime.GroupSpec) error { return nil }

func (f *fakeRuntime) Run(ctx context.Context, g *runtime.GroupSpec, event runtime.EventFunc) error {
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
	return nil
}

func (f *fakeRuntime) Status(ctx context.Context, g *runtime.GroupSpec) (map[string]runtime.ContainerStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]runtime.ContainerStatus{}
	if f.running[g.Key] != nil {
		for _, c := range g.Containers {
			out[c.Name] = runtime.ContainerStatus{State: "Running"}
		}
	}
	return out, nil
}

func (f *fakeRuntime) Stop(ctx context.Context, g *runtime.GroupSpec) error { return nil }

func (f *fakeRuntime) Start(ctx context.Context, g *runtime.GroupSpec, event runtime.EventFunc) error {
	f.Remove(ctx, g)
	return f.Run(ctx, g, event)
}

func (f *fakeRuntime) Restart(ctx context.Context, g *runtime.GroupSpec, event runtime.EventFunc) error {
	return f.Start(ctx, g, event)
}

func (f *fakeRuntime) Remove(ctx context.Context, g *runtime.GroupSpec) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.running, g.Key)
	f.removes++
	return nil
}

func (f *fakeRuntime) Logs(ctx context.Context, g *runtime.GroupSpec, c string, tail int, ts bool) (string, error) {
	return "", nil
}

func (f *fakeRuntime) Exec(ctx context.Context, g *runtime.GroupSpec, c string, argv []string, in io.Reader, out io.Writer) (int, error) {
	return 0, errors.New("fake")
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
