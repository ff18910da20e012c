package bench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/aci-cli/aci/internal/local/runtime/docker"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
	"github.com/docker/go-connections/nat"
)

// DockerBaseline times `docker run -p` → first HTTP answer for an image on the
// local engine, the comparison the 2017 benchmark made. Ports are published on a
// loopback address of their own (127.0.3.0/24), never on Docker's bridge.
type DockerBaseline struct {
	cli  *client.Client
	http *http.Client
}

// NewDockerBaseline connects to the local engine.
func NewDockerBaseline(hc *http.Client) (*DockerBaseline, error) {
	cli, err := docker.Connect()
	if err != nil {
		return nil, fmt.Errorf("--baseline docker needs a Docker engine: %v", err)
	}
	return &DockerBaseline{cli: cli, http: hc}, nil
}

func freeLoopback(port int) (string, error) {
	for i := 2; i < 255; i++ {
		ip := "127.0.3." + strconv.Itoa(i)
		ln, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
		if err == nil {
			ln.Close()
			return ip, nil
		}
	}
	return "", fmt.Errorf("no free address in 127.0.3.0/24 for port %d", port)
}

// Run creates, starts and probes one container; mark records the phases.
func (d *DockerBaseline) Run(ctx context.Context, s Scenario, o Options, mark func(string)) (func() error, error) {
	ip, err := freeLoopback(s.Port)
	if err != nil {
		return nil, err
	}
	img := s.Image
	if _, err := d.cli.ImageInspect(ctx, img); err != nil {
		return nil, fmt.Errorf("image %s is not on this machine (for the hello-world image run `aci local images`)", img)
	}
	p := nat.Port(fmt.Sprintf("%d/tcp", s.Port))
	res, err := d.cli.ContainerCreate(ctx, &container.Config{Image: img, ExposedPorts: nat.PortSet{p: {}}, Labels: map[string]string{TagKey: o.RunID}},
		&container.HostConfig{PortBindings: nat.PortMap{p: {{HostIP: ip, HostPort: strconv.Itoa(s.Port)}}},
			Resources: container.Resources{NanoCPUs: int64(s.CPU * 1e9), Memory: int64(s.MemoryGB * (1 << 30))}}, nil, nil, "")
	if err != nil {
		return nil, err
	}
	cleanup := func() error {
		c, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		return d.cli.ContainerRemove(c, res.ID, container.RemoveOptions{Force: true})
	}
	mark("accepted")
	if err := d.cli.ContainerStart(ctx, res.ID, container.StartOptions{}); err != nil {
		return cleanup, err
	}
	mark("started")
	mark("ip_assigned")
	url := fmt.Sprintf("http://%s:%d%s", ip, s.Port, o.Path)
	for {
		tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		req, _ := http.NewRequestWithContext(tctx, http.MethodGet, url, nil)
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
			return cleanup, fmt.Errorf("timeout after %s waiting for %s", o.Timeout, url)
		case <-time.After(o.ProbeInterval):
		}
	}
}
