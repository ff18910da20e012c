// Package docker runs aci local's container groups as Docker containers.
package docker

// The Docker runtime talks to the Engine API through github.com/docker/docker/client
// (v28). The newer github.com/moby/moby/client refuses engines older than API
// 1.44, and Debian's docker.io here speaks 1.41; v28 negotiates down to it.

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/build"
	"io"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aci-cli/aci/internal/local/runtime"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/client"
	"github.com/docker/docker/pkg/stdcopy"
	"github.com/docker/go-connections/nat"
)

const (
	labelState     = "aci.local/state"
	labelGroup     = "aci.local/group"
	labelContainer = "aci.local/container"
	labelRole      = "aci.local/role"
)

// DockerRuntime runs groups as Docker containers: a pause container holds the
// group's network namespace and published ports and each container joins it
// (a single-container group publishes its ports itself).
type DockerRuntime struct {
	cli      *client.Client
	stateKey string // labels every object this state dir made
	exe      string // aci's own binary, baked into the built-in images
	once     sync.Once
	imgErr   error
	pause    string
	hello    string
	builtins map[string]string // stand-in tag -> image
}

// Connect connects to the engine (DOCKER_HOST or the default socket) and
// checks that it answers, negotiating the API version down to the engine's.
func Connect() (*client.Client, error) {
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := cli.Ping(ctx); err != nil {
		cli.Close()
		return nil, fmt.Errorf("no Docker engine: %v", err)
	}
	cli.NegotiateAPIVersion(ctx)
	return cli, nil
}

// New connects the runtime of one state dir to the engine.
func New(stateDir string) (*DockerRuntime, error) {
	cli, err := Connect()
	if err != nil {
		return nil, err
	}
	exe, _ := os.Executable()
	h := sha256.Sum256([]byte(stateDir))
	return &DockerRuntime{cli: cli, stateKey: hex.EncodeToString(h[:6]), exe: exe}, nil
}

// Name is "docker".
func (d *DockerRuntime) Name() string { return "docker" }

// EnsureImages builds the pause and hello-world images from aci-local's own
// binary when they are missing (nothing can be pulled here, and nothing needs
// to be). A dynamically linked binary (a cgo build) brings its loader and
// libraries along.
func (d *DockerRuntime) EnsureImages(ctx context.Context) error {
	d.once.Do(func() {
		sum, err := fileHash(d.exe)
		if err != nil {
			d.imgErr = err
			return
		}
		// The sample image has a shell; a static busybox on this machine (Debian's
		// busybox-static) gives ours one, so exec and command lines work.
		busybox := staticBusybox()
		bsum := "nosh"
		if busybox != "" {
			if bsum, err = fileHash(busybox); err != nil {
				d.imgErr = err
				return
			}
			bsum = bsum[:6]
		}
		d.pause = "aci-local/pause:" + sum
		if _, err := d.cli.ImageInspect(ctx, d.pause); err != nil {
			if err := d.build(ctx, d.pause, `["/aci-local","pause"]`, ""); err != nil {
				d.imgErr = fmt.Errorf("building %s: %w", d.pause, err)
				return
			}
		}
		d.builtins = map[string]string{}
		for _, b := range runtime.Builtins {
			tag := "aci-local/" + b.Tag + ":" + sum + "-" + bsum
			entry, _ := json.Marshal(append([]string{"/aci-local"}, b.Entry...))
			if strings.HasPrefix(b.Entry[0], "/") {
				entry, _ = json.Marshal(b.Entry)
			}
			if _, err := d.cli.ImageInspect(ctx, tag); err != nil {
				if err := d.build(ctx, tag, string(entry), busybox); err != nil {
					d.imgErr = fmt.Errorf("building %s: %w", tag, err)
					return
				}
			}
			d.builtins[b.Tag] = tag
			// Also answer to the names users and templates write.
			for _, n := range b.Names {
				if i := strings.LastIndex(n, "/"); !strings.Contains(n[i+1:], ":") {
					n += ":latest"
				}
				if err := d.cli.ImageTag(ctx, tag, n); err != nil {
					d.imgErr = err
					return
				}
			}
		}
		d.hello = d.builtins["helloworld"]
	})
	return d.imgErr
}

func fileHash(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

// libDirs are where the dynamic loader looks (Debian's multiarch first).
func libDirs() []string {
	dirs, _ := filepath.Glob("/lib/*-linux-gnu*")
	more, _ := filepath.Glob("/usr/lib/*-linux-gnu*")
	return append(append(dirs, more...), "/lib64", "/usr/lib64", "/lib", "/usr/lib")
}

// sharedLibraries lists what a dynamically linked ELF binary needs at run time:
// its loader and every DT_NEEDED library, transitively; nothing for a static
// one (or a non-ELF system).
func sharedLibraries(exe string) ([]string, error) {
	f, err := elf.Open(exe)
	if err != nil {
		return nil, nil
	}
	defer f.Close()
	var interp string
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			b := make([]byte, p.Filesz)
			if _, err := p.ReadAt(b, 0); err != nil {
				return nil, err
			}
			interp = strings.TrimRight(string(b), "\x00")
		}
	}
	if interp == "" {
		return nil, nil
	}
	out := []string{interp}
	seen := map[string]bool{interp: true}
	queue, _ := f.ImportedLibraries()
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		found := ""
		for _, dir := range libDirs() {
			if p := filepath.Join(dir, name); fileExists(p) {
				found = p
				break
			}
		}
		if found == "" {
			return nil, fmt.Errorf("%s needs %s, which is not on this machine", exe, name)
		}
		if seen[found] {
			continue
		}
		seen[found] = true
		out = append(out, found)
		if lf, err := elf.Open(found); err == nil {
			more, _ := lf.ImportedLibraries()
			lf.Close()
			queue = append(queue, more...)
		}
	}
	return out, nil
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

// staticBusybox returns a statically linked busybox on this machine, if any.
func staticBusybox() string {
	for _, p := range []string{"/bin/busybox", "/usr/bin/busybox"} {
		f, err := elf.Open(p)
		if err != nil {
			continue
		}
		static := true
		for _, pr := range f.Progs {
			static = static && pr.Type != elf.PT_INTERP
		}
		f.Close()
		if static {
			return p
		}
	}
	return ""
}

// build makes a FROM-scratch image holding aci-local's own binary (with its
// loader and libraries when it is dynamically linked) and busybox.
func (d *DockerRuntime) build(ctx context.Context, tag, entrypoint, busybox string) error {
	dockerfile := "FROM scratch\nCOPY aci-local /aci-local\n"
	files := [][2]string{{"aci-local", d.exe}}
	libs, err := sharedLibraries(d.exe)
	if err != nil {
		return err
	}
	for _, l := range libs {
		files = append(files, [2]string{"rootfs" + l, l})
	}
	if len(libs) > 0 {
		dockerfile += "COPY rootfs/ /\n"
	}
	if busybox != "" {
		files = append(files, [2]string{"busybox", busybox})
		dockerfile += "COPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n"
	}
	dockerfile += "EXPOSE 80\nENTRYPOINT " + entrypoint + "\n"
	// The context streams to the engine from the files themselves: read
	// whole and tarred in memory, it held the 44 MB binary twice per image
	// and took aci local's peak past 170 MB while it built its images.
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeContext(pw, files, dockerfile)) }()
	defer pr.Close()
	resp, err := d.cli.ImageBuild(ctx, pr, build.ImageBuildOptions{Tags: []string{tag}, Remove: true, ForceRemove: true,
		Labels: map[string]string{"aci.local/builtin": "true"}})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(sc.Bytes(), &m) == nil && m.Error != "" {
			return errors.New(m.Error)
		}
	}
	return sc.Err()
}

// writeContext writes a build context: each file (name in the context,
// path on this machine) executable, then the Dockerfile.
func writeContext(w io.Writer, files [][2]string, dockerfile string) error {
	tw := tar.NewWriter(w)
	for _, f := range files {
		if err := addFile(tw, f[0], f[1]); err != nil {
			return err
		}
	}
	if err := tw.WriteHeader(&tar.Header{Name: "Dockerfile", Mode: 0o644, Size: int64(len(dockerfile))}); err != nil {
		return err
	}
	if _, err := io.WriteString(tw, dockerfile); err != nil {
		return err
	}
	return tw.Close()
}

func addFile(tw *tar.Writer, name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: st.Size()}); err != nil {
		return err
	}
	_, err = io.CopyN(tw, f, st.Size())
	return err
}

func (d *DockerRuntime) objectName(g *runtime.GroupSpec, c string) string {
	return "aci-" + g.Key + "-" + c
}

func (d *DockerRuntime) labels(g *runtime.GroupSpec, c, role string) map[string]string {
	return map[string]string{labelState: d.stateKey, labelGroup: g.Key, labelContainer: c, labelRole: role}
}

// resolveImage finds an image locally. Nothing is pulled from the internet: only
// registries on loopback (aci local's own, later) are reachable.
func (d *DockerRuntime) resolveImage(ctx context.Context, g *runtime.GroupSpec, ref string) (string, error) {
	if b, ok := runtime.BuiltinFor(ref); ok {
		if err := d.EnsureImages(ctx); err != nil {
			return "", err
		}
		return d.builtins[b.Tag], nil
	}
	host := strings.SplitN(ref, "/", 2)[0]
	if strings.Contains(ref, "/") && (strings.HasPrefix(host, "127.") || strings.HasPrefix(host, "localhost")) {
		// A registry image is always pulled, as ACI does: the registry (and
		// the group's credentials) decide, not a copy Docker happens to hold.
		auth := ""
		for _, r := range g.Registries {
			if strings.EqualFold(r.Server, host) {
				b, _ := json.Marshal(map[string]string{"username": r.Username, "password": r.Password, "serveraddress": r.Server})
				auth = encodeAuth(b)
			}
		}
		pctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
		defer cancel()
		rc, err := d.cli.ImagePull(pctx, ref, image.PullOptions{RegistryAuth: auth})
		if err == nil {
			_, err = io.Copy(io.Discard, rc)
			rc.Close()
			if err == nil {
				return ref, nil
			}
		}
		return "", &runtime.ErrImage{Image: ref, Reason: pullFailure(ref, err)}
	}
	if _, err := d.cli.ImageInspect(ctx, ref); err == nil {
		return ref, nil
	}
	return "", &runtime.ErrImage{Image: ref, Reason: fmt.Sprintf("image %s is not on this machine and aci local pulls only from registries on loopback. It runs images in the Docker engine ('docker build' or 'docker load' one), images pushed to an aci local registry ('aci acr create', then 'docker push'), and stand-ins for %s ('aci local images' lists them)", ref, runtime.StandIns())}
}

// pullFailure says why a pull failed in ACI's words, not the daemon's.
func pullFailure(ref string, err error) string {
	msg := strings.ToLower(err.Error())
	switch {
	case strings.Contains(msg, "unauthorized") || strings.Contains(msg, "authentication required") || strings.Contains(msg, "401"):
		return fmt.Sprintf("failed to resolve reference %q: failed to authorize: 401 Unauthorized", ref)
	case strings.Contains(msg, "manifest unknown") || strings.Contains(msg, "not found") || strings.Contains(msg, "name unknown"):
		return fmt.Sprintf("failed to resolve reference %q: %s: not found", ref, ref)
	case strings.Contains(msg, "connection refused") || strings.Contains(msg, "no such host"):
		return fmt.Sprintf("failed to resolve reference %q: the registry is not reachable", ref)
	}
	return fmt.Sprintf("failed to pull and unpack image %q", ref)
}

// CheckImages resolves every image of the group.
func (d *DockerRuntime) CheckImages(ctx context.Context, g *runtime.GroupSpec) error {
	if err := d.EnsureImages(ctx); err != nil {
		return err
	}
	for _, c := range append(append([]runtime.ContainerSpec{}, g.InitContainers...), g.Containers...) {
		if _, err := d.resolveImage(ctx, g, c.Image); err != nil {
			return err
		}
	}
	return nil
}

// Run creates and starts the pause container, then every container.
func (d *DockerRuntime) Run(ctx context.Context, g *runtime.GroupSpec, event runtime.EventFunc) error {
	if err := d.EnsureImages(ctx); err != nil {
		return err
	}
	images := map[string]string{}
	for _, c := range append(append([]runtime.ContainerSpec{}, g.InitContainers...), g.Containers...) {
		event(c.Name, "Pulling", fmt.Sprintf("pulling image \"%s\"", c.Image))
		img, err := d.resolveImage(ctx, g, c.Image)
		if err != nil {
			event(c.Name, "Failed", fmt.Sprintf("Failed to pull image \"%s\": %v", c.Image, err))
			return err
		}
		images[c.Name] = img
		event(c.Name, "Pulled", fmt.Sprintf("Successfully pulled image \"%s\"", c.Image))
	}
	mounts, err := runtime.PrepareVolumes(ctx, g)
	if err != nil {
		return err
	}
	exposed, bindings := nat.PortSet{}, nat.PortMap{}
	for _, p := range g.Ports {
		np := nat.Port(fmt.Sprintf("%d/%s", p.Port, strings.ToLower(p.Protocol)))
		exposed[np] = struct{}{}
		bindings[np] = append(bindings[np], nat.PortBinding{HostIP: g.IP, HostPort: strconv.Itoa(p.Port)})
	}
	policy := map[string]string{"Always": "always", "OnFailure": "on-failure", "Never": "no"}[g.RestartPolicy]
	if len(g.Containers) == 1 && len(g.InitContainers) == 0 {
		// One container needs no pause container to share a namespace with: it
		// publishes the group's ports itself, which halves the Docker work of the
		// common case.
		c := g.Containers[0]
		id, err := d.createContainer(ctx, g, c, images[c.Name], "", mounts, policy, exposed, bindings)
		if err != nil {
			return err
		}
		event(c.Name, "Created", "Created container")
		if err := d.cli.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
			return fmt.Errorf("starting %s (is %s:%v free?): %w", c.Name, g.IP, g.Ports, err)
		}
		event(c.Name, "Started", "Started container")
		return nil
	}
	pauseName := d.objectName(g, "pause")
	pauseID, err := d.createNamed(ctx, &container.Config{Image: d.pause, ExposedPorts: exposed, Labels: d.labels(g, "", "pause"),
		Hostname: g.Name}, &container.HostConfig{PortBindings: bindings, RestartPolicy: container.RestartPolicy{Name: "unless-stopped"},
		ExtraHosts: groupHosts(g),
		CapDrop:    []string{"ALL"}, ReadonlyRootfs: true, SecurityOpt: []string{"no-new-privileges"}}, pauseName)
	if err != nil {
		return fmt.Errorf("creating the group's network: %w", err)
	}
	if err := d.cli.ContainerStart(ctx, pauseID, container.StartOptions{}); err != nil {
		return fmt.Errorf("starting the group's network (is %s:%v free?): %w", g.IP, g.Ports, err)
	}
	for _, c := range g.InitContainers {
		if err := d.runInit(ctx, g, c, images[c.Name], pauseName, mounts, event); err != nil {
			return err
		}
	}
	for _, c := range g.Containers {
		id, err := d.createContainer(ctx, g, c, images[c.Name], pauseName, mounts, policy, nil, nil)
		if err != nil {
			return err
		}
		event(c.Name, "Created", "Created container")
		if err := d.cli.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
			return fmt.Errorf("starting %s: %w", c.Name, err)
		}
		event(c.Name, "Started", "Started container")
	}
	return nil
}

// runInit runs an init container in the group's namespaces to its end; a
// non-zero exit fails the group, as on ACI.
func (d *DockerRuntime) runInit(ctx context.Context, g *runtime.GroupSpec, c runtime.ContainerSpec, image, pauseName string, mounts map[string]runtime.HostDir, event runtime.EventFunc) error {
	id, err := d.createContainer(ctx, g, c, image, pauseName, mounts, "no", nil, nil)
	if err != nil {
		return err
	}
	event(c.Name, "Started", "Started container")
	if err := d.cli.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		return err
	}
	wc, errc := d.cli.ContainerWait(ctx, id, container.WaitConditionNotRunning)
	select {
	case r := <-wc:
		if r.StatusCode != 0 {
			return fmt.Errorf("init container %s exited with %d", c.Name, r.StatusCode)
		}
		return nil
	case err := <-errc:
		return err
	}
}

// groupHosts makes every container name of a group resolve to the group's
// shared localhost, so its containers reach each other by name as Compose
// services do. The containers joined to the pause container read its
// /etc/hosts, so the entries live there.
func groupHosts(g *runtime.GroupSpec) []string {
	var hosts []string
	for _, c := range append(append([]runtime.ContainerSpec{}, g.InitContainers...), g.Containers...) {
		hosts = append(hosts, c.Name+":127.0.0.1")
	}
	return hosts
}

// createContainer makes one container: joined to the pause container's network
// namespace, or (pauseName "") publishing the group's ports itself.
func (d *DockerRuntime) createContainer(ctx context.Context, g *runtime.GroupSpec, c runtime.ContainerSpec, img, pauseName string, mounts map[string]runtime.HostDir, policy string, exposed nat.PortSet, bindings nat.PortMap) (string, error) {
	var env []string
	for _, e := range c.Env {
		env = append(env, e[0]+"="+e[1])
	}
	cpu := c.CPU
	if max := float64(goruntime.NumCPU()); cpu > max {
		cpu = max // a request beyond this machine still runs, capped
	}
	// A second wall behind the path checks: no privilege escalation, only the
	// capabilities ordinary images need (the default set minus raw sockets,
	// mknod and audit), and a read-only root for aci local's own images.
	hc := &container.HostConfig{RestartPolicy: container.RestartPolicy{Name: container.RestartPolicyMode(policy)},
		Resources:      container.Resources{NanoCPUs: int64(cpu * 1e9), Memory: int64(c.Memory * (1 << 30)), PidsLimit: ptr(int64(4096))},
		CapDrop:        []string{"ALL"},
		CapAdd:         []string{"CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT"},
		SecurityOpt:    []string{"no-new-privileges"},
		ReadonlyRootfs: img == d.hello}
	if pauseName != "" {
		hc.NetworkMode = container.NetworkMode("container:" + pauseName)
	} else {
		hc.PortBindings = bindings
		hc.ExtraHosts = groupHosts(g)
	}
	for _, m := range c.Mounts {
		hd, ok := mounts[m.Volume]
		if !ok {
			return "", fmt.Errorf("container %s mounts unknown volume %s", c.Name, m.Volume)
		}
		hc.Mounts = append(hc.Mounts, mount.Mount{Type: mount.TypeBind, Source: hd.Source, Target: m.Path, ReadOnly: hd.ReadOnly || m.ReadOnly})
	}
	cfg := &container.Config{Image: img, Env: env, Labels: d.labels(g, c.Name, "container"), AttachStdout: true, AttachStderr: true,
		ExposedPorts: exposed}
	if pauseName == "" {
		cfg.Hostname = g.Name
	}
	if len(c.Command) > 0 {
		// ACI's command replaces the image's entrypoint (and its arguments).
		cfg.Entrypoint = c.Command
		cfg.Cmd = []string{}
	}
	id, err := d.createNamed(ctx, cfg, hc, d.objectName(g, c.Name))
	if err != nil {
		return "", fmt.Errorf("creating %s: %w", c.Name, err)
	}
	return id, nil
}

func (d *DockerRuntime) list(ctx context.Context, extra ...filters.KeyValuePair) ([]container.Summary, error) {
	args := filters.NewArgs(append([]filters.KeyValuePair{filters.Arg("label", labelState+"="+d.stateKey)}, extra...)...)
	return d.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: args})
}

func (d *DockerRuntime) groupObjects(ctx context.Context, g *runtime.GroupSpec) ([]container.Summary, error) {
	return d.list(ctx, filters.Arg("label", labelGroup+"="+g.Key))
}

// Status inspects every container of the group.
func (d *DockerRuntime) Status(ctx context.Context, g *runtime.GroupSpec) (map[string]runtime.ContainerStatus, error) {
	objs, err := d.groupObjects(ctx, g)
	if err != nil {
		return nil, err
	}
	out := map[string]runtime.ContainerStatus{}
	for _, o := range objs {
		name := o.Labels[labelContainer]
		if o.Labels[labelRole] != "container" {
			continue
		}
		in, err := d.cli.ContainerInspect(ctx, o.ID)
		if err != nil {
			continue
		}
		st := runtime.ContainerStatus{RestartCount: in.RestartCount}
		st.StartTime, _ = time.Parse(time.RFC3339Nano, in.State.StartedAt)
		switch in.State.Status {
		case "running":
			st.State = "Running"
		case "restarting", "created":
			st.State = "Waiting"
		default:
			st.State = "Terminated"
			st.FinishTime, _ = time.Parse(time.RFC3339Nano, in.State.FinishedAt)
			code := in.State.ExitCode
			st.ExitCode = &code
			st.DetailStatus = "Completed"
			if code != 0 {
				st.DetailStatus = "Error"
			}
			if in.State.OOMKilled {
				st.DetailStatus = "OOMKilled"
			}
		}
		out[name] = st
	}
	return out, nil
}

func (d *DockerRuntime) each(ctx context.Context, g *runtime.GroupSpec, role string, f func(id string) error) error {
	objs, err := d.groupObjects(ctx, g)
	if err != nil {
		return err
	}
	var errs []error
	for _, o := range objs {
		if role == "" || o.Labels[labelRole] == role {
			if err := f(o.ID); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// Stop stops every container, then the group's network holder.
func (d *DockerRuntime) Stop(ctx context.Context, g *runtime.GroupSpec) error {
	t := 10
	if err := d.each(ctx, g, "container", func(id string) error { return d.cli.ContainerStop(ctx, id, container.StopOptions{Timeout: &t}) }); err != nil {
		return err
	}
	return d.each(ctx, g, "pause", func(id string) error { return d.cli.ContainerStop(ctx, id, container.StopOptions{Timeout: &t}) })
}

// Start re-creates the group from its spec, as ACI does after a stop.
func (d *DockerRuntime) Start(ctx context.Context, g *runtime.GroupSpec, event runtime.EventFunc) error {
	if err := d.Remove(ctx, g); err != nil {
		return err
	}
	return d.Run(ctx, g, event)
}

// Restart restarts every container in place (restart counts grow).
func (d *DockerRuntime) Restart(ctx context.Context, g *runtime.GroupSpec, event runtime.EventFunc) error {
	t := 10
	return d.each(ctx, g, "container", func(id string) error {
		in, err := d.cli.ContainerInspect(ctx, id)
		if err != nil {
			return err
		}
		event(in.Config.Labels[labelContainer], "Killing", "Killing container with id "+id[:12]+".")
		if err := d.cli.ContainerRestart(ctx, id, container.StopOptions{Timeout: &t}); err != nil {
			return err
		}
		event(in.Config.Labels[labelContainer], "Started", "Started container")
		return nil
	})
}

// SetVolumeReadOnly makes volume read-only (or writable again) in every
// running container of the group that mounts it writable: a share past its
// quota stops taking writes from containers too.
func (d *DockerRuntime) SetVolumeReadOnly(ctx context.Context, g *runtime.GroupSpec, volume string, readOnly bool) error {
	for _, v := range g.Volumes {
		if v.Name == volume && v.AzureFile.ReadOnly {
			return nil // read-only whatever the quota
		}
	}
	targets := map[string][]string{} // container name -> mount paths
	for _, cs := range [][]runtime.ContainerSpec{g.Containers, g.InitContainers} {
		for _, c := range cs {
			for _, m := range c.Mounts {
				if m.Volume == volume && !m.ReadOnly {
					targets[c.Name] = append(targets[c.Name], m.Path)
				}
			}
		}
	}
	return d.each(ctx, g, "container", func(id string) error {
		in, err := d.cli.ContainerInspect(ctx, id)
		if err != nil || in.State == nil || !in.State.Running || in.State.Pid <= 0 {
			return nil
		}
		var errs []error
		for _, p := range targets[in.Config.Labels[labelContainer]] {
			if err := remount(in.State.Pid, p, readOnly); err != nil {
				errs = append(errs, fmt.Errorf("%s in %s: %w", p, in.Config.Labels[labelContainer], err))
			}
		}
		return errors.Join(errs...)
	})
}

// Remove deletes every Docker object of the group and its volume data.
func (d *DockerRuntime) Remove(ctx context.Context, g *runtime.GroupSpec) error {
	rm := func(id string) error { return d.removeContainer(ctx, id) }
	if err := d.each(ctx, g, "container", rm); err != nil {
		return err
	}
	if err := d.each(ctx, g, "pause", rm); err != nil {
		return err
	}
	if g.SecretDir != "" {
		if err := os.RemoveAll(g.SecretDir); err != nil {
			return err
		}
	}
	return os.RemoveAll(g.VolumeDir)
}

// removeContainer removes one container, idempotently: gone already is done,
// and a removal another request (or a run killed mid-way) started is waited
// for, so a resumed operation never fails on "removal already in progress".
func (d *DockerRuntime) removeContainer(ctx context.Context, id string) error {
	for attempt := 0; ; attempt++ {
		err := d.cli.ContainerRemove(ctx, id, container.RemoveOptions{Force: true, RemoveVolumes: true})
		if err == nil || cerrdefs.IsNotFound(err) {
			return nil
		}
		if !strings.Contains(err.Error(), "already in progress") || attempt >= 100 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// createNamed creates a container under a fixed name. A leftover of the same
// name is removed and the create retried: after a crash the engine may still
// be finishing a create the dead process asked for, so a few tries are needed.
func (d *DockerRuntime) createNamed(ctx context.Context, cfg *container.Config, hc *container.HostConfig, name string) (string, error) {
	for attempt := 0; ; attempt++ {
		res, err := d.cli.ContainerCreate(ctx, cfg, hc, nil, nil, name)
		if err == nil {
			return res.ID, nil
		}
		if !(cerrdefs.IsConflict(err) || strings.Contains(err.Error(), "is already in use")) || attempt >= 10 {
			return "", err
		}
		if rerr := d.removeContainer(ctx, name); rerr != nil {
			return "", err
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(time.Duration(50*(attempt+1)) * time.Millisecond):
		}
	}
}

func (d *DockerRuntime) containerID(ctx context.Context, g *runtime.GroupSpec, name string) (string, error) {
	objs, err := d.list(ctx, filters.Arg("label", labelGroup+"="+g.Key), filters.Arg("label", labelContainer+"="+name))
	if err != nil {
		return "", err
	}
	for _, o := range objs {
		if o.Labels[labelRole] == "container" {
			return o.ID, nil
		}
	}
	return "", fmt.Errorf("container %s: %w", name, runtime.ErrNoContainer)
}

// Logs returns a container's output (stdout and stderr interleaved as written).
func (d *DockerRuntime) Logs(ctx context.Context, g *runtime.GroupSpec, name string, tail int, timestamps bool) (string, error) {
	id, err := d.containerID(ctx, g, name)
	if err != nil {
		return "", err
	}
	opts := container.LogsOptions{ShowStdout: true, ShowStderr: true, Timestamps: timestamps}
	if tail > 0 {
		opts.Tail = strconv.Itoa(tail)
	}
	// ACI shows the current container's output: after a restart, only what
	// this run wrote (Docker keeps every run's lines).
	// The cut is where the previous run ended: Docker keeps its FinishedAt
	// while the container runs again (this run's first lines may carry
	// times from before the engine recorded its StartedAt). A container that
	// is not running has only its own run's FinishedAt: no cut.
	if in, err := d.cli.ContainerInspect(ctx, id); err == nil && in.State != nil && in.State.Running {
		started, err1 := time.Parse(time.RFC3339Nano, in.State.StartedAt)
		finished, err2 := time.Parse(time.RFC3339Nano, in.State.FinishedAt)
		if err1 == nil && err2 == nil && finished.Year() > 1 && !finished.After(started) {
			opts.Since = finished.Format(time.RFC3339Nano)
		}
	}
	rc, err := d.cli.ContainerLogs(ctx, id, opts)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	var out bytes.Buffer
	if _, err := stdcopy.StdCopy(&out, &out, rc); err != nil {
		return "", err
	}
	return out.String(), nil
}

// Exec runs argv in a running container without a TTY, so pipes stay clean.
func (d *DockerRuntime) Exec(ctx context.Context, g *runtime.GroupSpec, name string, argv []string, stdin io.Reader, stdout io.Writer) (int, error) {
	id, err := d.containerID(ctx, g, name)
	if err != nil {
		return 0, err
	}
	ex, err := d.cli.ContainerExecCreate(ctx, id, container.ExecOptions{Cmd: argv, AttachStdin: true, AttachStdout: true, AttachStderr: true})
	if err != nil {
		return 0, err
	}
	hj, err := d.cli.ContainerExecAttach(ctx, ex.ID, container.ExecAttachOptions{})
	if err != nil {
		return 0, err
	}
	defer hj.Close()
	go func() {
		// stdin ends with the client or the process: either way, the
		// half-close tells the process there is no more.
		_, _ = io.Copy(hj.Conn, stdin)
		_ = hj.CloseWrite()
	}()
	if _, err := stdcopy.StdCopy(stdout, stdout, hj.Reader); err != nil && !errors.Is(err, io.EOF) {
		return 0, err
	}
	return d.execExit(ctx, ex.ID)
}

// execExit waits briefly for an exec whose streams ended to report its code.
func (d *DockerRuntime) execExit(ctx context.Context, id string) (int, error) {
	for i := 0; i < 50; i++ {
		in, err := d.cli.ContainerExecInspect(ctx, id)
		if err != nil {
			return 0, err
		}
		if !in.Running {
			return in.ExitCode, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return 0, nil
}

// ExecTTY runs argv in a running container with a terminal of rows x cols.
func (d *DockerRuntime) ExecTTY(ctx context.Context, g *runtime.GroupSpec, name string, argv []string, rows, cols uint, stdin io.Reader, stdout io.Writer) (int, error) {
	id, err := d.containerID(ctx, g, name)
	if err != nil {
		return 0, err
	}
	size := [2]uint{rows, cols}
	ex, err := d.cli.ContainerExecCreate(ctx, id, container.ExecOptions{Cmd: argv, AttachStdin: true, AttachStdout: true, AttachStderr: true,
		Tty: true, ConsoleSize: &size, Env: []string{"TERM=xterm"}})
	if err != nil {
		return 0, err
	}
	hj, err := d.cli.ContainerExecAttach(ctx, ex.ID, container.ExecAttachOptions{Tty: true, ConsoleSize: &size})
	if err != nil {
		return 0, err
	}
	defer hj.Close()
	go func() {
		// stdin ends with the client or the process: either way, the
		// half-close tells the process there is no more.
		_, _ = io.Copy(hj.Conn, stdin)
		_ = hj.CloseWrite()
	}()
	// With a terminal the stream is raw: no stdout/stderr framing.
	if _, err := io.Copy(stdout, hj.Reader); err != nil && !errors.Is(err, io.EOF) {
		return 0, err
	}
	return d.execExit(ctx, ex.ID)
}

// Reconcile removes Docker objects of this state dir whose group is gone.
func (d *DockerRuntime) Reconcile(ctx context.Context, known func(string) bool) error {
	objs, err := d.list(ctx)
	if err != nil {
		return err
	}
	for _, o := range objs {
		if !known(o.Labels[labelGroup]) {
			if err := d.cli.ContainerRemove(ctx, o.ID, container.RemoveOptions{Force: true, RemoveVolumes: true}); err != nil && !cerrdefs.IsNotFound(err) {
				return err
			}
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// encodeAuth is the X-Registry-Auth encoding: base64url of the JSON credentials.
func encodeAuth(b []byte) string { return base64.URLEncoding.EncodeToString(b) }

// AddressesInUse lists the host IPs of every published port on this engine.
func (d *DockerRuntime) AddressesInUse(ctx context.Context) map[string]bool {
	used := map[string]bool{}
	cs, err := d.cli.ContainerList(ctx, container.ListOptions{All: true})
	if err != nil {
		return used
	}
	for _, c := range cs {
		for _, p := range c.Ports {
			used[p.IP] = true
		}
	}
	return used
}
