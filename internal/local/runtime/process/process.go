// Package process is aci local's runtime where no Docker engine is reachable.
package process

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aci-cli/aci/internal/hello"
	"github.com/aci-cli/aci/internal/local/runtime"
)

// ProcessRuntime is used where no Docker engine is reachable: it can run only the
// built-in hello-world image, serving it from this process, so the quick start
// works anywhere. Everything else fails fast, naming the missing engine.
type ProcessRuntime struct {
	mu     sync.Mutex
	groups map[string]*processGroup
	why    string
}

type processGroup struct {
	servers []*http.Server
	log     *syncBuffer
	started time.Time
	stopped bool
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// New explains in why that Docker is missing.
func New(why string) *ProcessRuntime {
	return &ProcessRuntime{groups: map[string]*processGroup{}, why: why}
}

// Name is "process".
func (p *ProcessRuntime) Name() string { return "process" }

func (p *ProcessRuntime) noEngine(image string) error {
	return &runtime.ErrImage{Image: image, Reason: fmt.Sprintf("no Docker engine is reachable (%s); without one aci local runs only %s ('aci local images' lists what runs with one)", p.why, runtime.BuiltinHelloImage)}
}

// CheckImages accepts only the built-in hello-world image.
func (p *ProcessRuntime) CheckImages(ctx context.Context, g *runtime.GroupSpec) error {
	for _, c := range append(append([]runtime.ContainerSpec{}, g.InitContainers...), g.Containers...) {
		if !runtime.IsHelloImage(c.Image) || len(g.Containers) != 1 || len(g.InitContainers) > 0 {
			return p.noEngine(c.Image)
		}
	}
	return nil
}

// Run serves the hello page on every group port.
func (p *ProcessRuntime) Run(ctx context.Context, g *runtime.GroupSpec, event runtime.EventFunc) error {
	for _, c := range g.Containers {
		if !runtime.IsHelloImage(c.Image) || len(g.Containers) != 1 {
			event(c.Name, "Failed", p.noEngine(c.Image).Error())
			return p.noEngine(c.Image)
		}
	}
	pg := &processGroup{log: &syncBuffer{}, started: time.Now()}
	ports := g.Ports
	if len(ports) == 0 {
		ports = []runtime.Port{{Port: 80, Protocol: "TCP"}}
	}
	c := g.Containers[0]
	event(c.Name, "Pulled", "Image \""+c.Image+"\" is built into aci local")
	for _, port := range ports {
		ln, err := net.Listen("tcp", net.JoinHostPort(g.IP, strconv.Itoa(port.Port)))
		if err != nil {
			pg.stop()
			return fmt.Errorf("listening on %s:%d: %w", g.IP, port.Port, err)
		}
		srv := &http.Server{Handler: hello.Handler(pg.log), ReadHeaderTimeout: 10 * time.Second}
		pg.servers = append(pg.servers, srv)
		go func() { _ = srv.Serve(ln) }() // ends with ErrServerClosed on Remove
		fmt.Fprintf(pg.log, "listening on port %d\n", port.Port)
	}
	event(c.Name, "Started", "Started container")
	p.mu.Lock()
	p.groups[g.Key] = pg
	p.mu.Unlock()
	return nil
}

func (pg *processGroup) stop() {
	for _, s := range pg.servers {
		s.Close()
	}
	pg.stopped = true
}

// Status reports the hello container as running while it serves.
func (p *ProcessRuntime) Status(ctx context.Context, g *runtime.GroupSpec) (map[string]runtime.ContainerStatus, error) {
	p.mu.Lock()
	pg := p.groups[g.Key]
	p.mu.Unlock()
	out := map[string]runtime.ContainerStatus{}
	for _, c := range g.Containers {
		switch {
		case pg == nil:
			// Not running in this process (aci local restarted): no state, so
			// Reconcile serves the group again.
		case pg.stopped:
			zero := 0
			out[c.Name] = runtime.ContainerStatus{State: "Terminated", StartTime: pg.started, FinishTime: time.Now(), ExitCode: &zero, DetailStatus: "Completed"}
		default:
			out[c.Name] = runtime.ContainerStatus{State: "Running", StartTime: pg.started}
		}
	}
	return out, nil
}

// Stop closes the listeners.
func (p *ProcessRuntime) Stop(ctx context.Context, g *runtime.GroupSpec) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pg := p.groups[g.Key]; pg != nil {
		pg.stop()
	}
	return nil
}

// Start serves again.
func (p *ProcessRuntime) Start(ctx context.Context, g *runtime.GroupSpec, event runtime.EventFunc) error {
	if err := p.Remove(ctx, g); err != nil {
		return err
	}
	return p.Run(ctx, g, event)
}

// Restart is Start for a process.
func (p *ProcessRuntime) Restart(ctx context.Context, g *runtime.GroupSpec, event runtime.EventFunc) error {
	return p.Start(ctx, g, event)
}

// Remove stops serving and forgets the group.
func (p *ProcessRuntime) Remove(ctx context.Context, g *runtime.GroupSpec) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pg := p.groups[g.Key]; pg != nil {
		pg.stop()
		delete(p.groups, g.Key)
	}
	return nil
}

// Logs returns the request log.
func (p *ProcessRuntime) Logs(ctx context.Context, g *runtime.GroupSpec, name string, tail int, timestamps bool) (string, error) {
	p.mu.Lock()
	pg := p.groups[g.Key]
	p.mu.Unlock()
	if pg == nil {
		return "", nil
	}
	s := pg.log.String()
	if tail > 0 {
		lines := strings.SplitAfter(s, "\n")
		if lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
		if len(lines) > tail {
			lines = lines[len(lines)-tail:]
		}
		s = strings.Join(lines, "")
	}
	return s, nil
}

// Exec is not possible without containers.
func (p *ProcessRuntime) Exec(ctx context.Context, g *runtime.GroupSpec, name string, argv []string, stdin io.Reader, stdout io.Writer) (int, error) {
	return 0, errors.New("exec needs the Docker runtime: " + p.why)
}

// Reconcile has nothing to clean: processes die with aci local.
func (p *ProcessRuntime) Reconcile(ctx context.Context, known func(string) bool) error { return nil }

// AddressesInUse: the process runtime's listeners are probed by the allocator.
func (p *ProcessRuntime) AddressesInUse(ctx context.Context) map[string]bool {
	return map[string]bool{}
}
