package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The baseline speaks the Docker Engine API itself (five calls over the unix
// socket) instead of importing the Docker client, which would put the engine
// SDK's dependencies in every aci command's start-up.

// DockerBaseline times `docker run -p` → first HTTP answer for an image on the
// local engine, the comparison the 2017 benchmark made. Ports are published on a
// loopback address of their own (127.0.3.0/24), never on Docker's bridge.
type DockerBaseline struct {
	engine *http.Client
	http   *http.Client

	// taken holds the addresses of runs in flight: concurrent runs probing
	// for a free address could otherwise pick the same one, and the second
	// start failed ("port is already allocated").
	mu    sync.Mutex
	taken map[string]bool
}

// NewDockerBaseline connects to the local engine (DOCKER_HOST=unix://... or
// the default socket).
func NewDockerBaseline(hc *http.Client) (*DockerBaseline, error) {
	sock := "/var/run/docker.sock"
	if h := os.Getenv("DOCKER_HOST"); strings.HasPrefix(h, "unix://") {
		sock = strings.TrimPrefix(h, "unix://")
	}
	engine := &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{Timeout: 3 * time.Second}).DialContext(ctx, "unix", sock)
		}}}
	d := &DockerBaseline{engine: engine, http: hc}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := d.call(ctx, "GET", "/_ping", nil, nil); err != nil {
		return nil, fmt.Errorf("--baseline docker needs a Docker engine: %v", err)
	}
	return d, nil
}

// call does one Engine API request; a status of 300 or more is an error
// carrying the engine's message.
func (d *DockerBaseline) call(ctx context.Context, method, path string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://docker"+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := d.engine.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 300 {
		var e struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(b, &e) != nil || e.Message == "" {
			e.Message = strings.TrimSpace(string(b))
		}
		return resp.StatusCode, fmt.Errorf("docker: %s", e.Message)
	}
	if out != nil {
		return resp.StatusCode, json.Unmarshal(b, out)
	}
	return resp.StatusCode, nil
}

// claim picks an address of 127.0.3.0/24 whose port is free on this
// machine and that no run in flight holds; release gives it back.
func (d *DockerBaseline) claim(port int) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := 2; i < 255; i++ {
		ip := "127.0.3." + strconv.Itoa(i)
		if d.taken[ip] {
			continue
		}
		ln, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
		if err == nil {
			ln.Close()
			if d.taken == nil {
				d.taken = map[string]bool{}
			}
			d.taken[ip] = true
			return ip, nil
		}
	}
	return "", fmt.Errorf("no free address in 127.0.3.0/24 for port %d", port)
}

func (d *DockerBaseline) release(ip string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.taken, ip)
}

// Run creates, starts and probes one container; mark records the phases.
func (d *DockerBaseline) Run(ctx context.Context, s Scenario, o Options, mark func(string)) (func() error, error) {
	ip, err := d.claim(s.Port)
	if err != nil {
		return nil, err
	}
	created := false
	defer func() {
		if !created { // nothing holds the address: the cleanup will not run
			d.release(ip)
		}
	}()
	img := s.Image
	if _, err := d.call(ctx, "GET", "/images/"+url.PathEscape(img)+"/json", nil, nil); err != nil {
		return nil, fmt.Errorf("image %s is not on this machine (for the hello-world image run `aci local images`)", img)
	}
	p := fmt.Sprintf("%d/tcp", s.Port)
	var res struct {
		ID string `json:"Id"`
	}
	if _, err := d.call(ctx, "POST", "/containers/create", map[string]any{
		"Image": img, "ExposedPorts": map[string]any{p: map[string]any{}}, "Labels": map[string]string{TagKey: o.RunID},
		"HostConfig": map[string]any{"PortBindings": map[string]any{p: []map[string]string{{"HostIp": ip, "HostPort": strconv.Itoa(s.Port)}}},
			"NanoCpus": int64(s.CPU * 1e9), "Memory": int64(s.MemoryGB * (1 << 30))},
	}, &res); err != nil {
		return nil, err
	}
	created = true
	cleanup := func() error {
		defer d.release(ip) // once the container (and its port) is gone
		c, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if code, err := d.call(c, "DELETE", "/containers/"+res.ID+"?force=1", nil, nil); err != nil && code != http.StatusNotFound {
			return err
		}
		return nil
	}
	mark("accepted")
	if _, err := d.call(ctx, "POST", "/containers/"+res.ID+"/start", nil, nil); err != nil {
		return cleanup, err
	}
	mark("started")
	mark("ip_assigned")
	target := fmt.Sprintf("http://%s:%d%s", ip, s.Port, o.Path)
	for {
		tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		req, _ := http.NewRequestWithContext(tctx, http.MethodGet, target, nil)
		resp, err := d.http.Do(req)
		cancel()
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == o.ExpectStatus {
				mark("http_ready")
				return cleanup, nil
			}
		}
		select {
		case <-ctx.Done():
			return cleanup, fmt.Errorf("timeout after %s waiting for %s", o.Timeout, target)
		case <-time.After(o.ProbeInterval):
		}
	}
}
