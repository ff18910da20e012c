package compose

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"maps"
	"math"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aci-cli/aci/internal/compose/model"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"
)

// The document's types are model's (aci links model without this package).
type (
	Group                   = model.Group
	GroupProperties         = model.GroupProperties
	Container               = model.Container
	ContainerProperties     = model.ContainerProperties
	InitContainer           = model.InitContainer
	InitContainerProperties = model.InitContainerProperties
	Resources               = model.Resources
	ResourceSpec            = model.ResourceSpec
	GPU                     = model.GPU
	Port                    = model.Port
	EnvVar                  = model.EnvVar
	VolumeMount             = model.VolumeMount
	Probe                   = model.Probe
	ExecProbe               = model.ExecProbe
	HTTPGet                 = model.HTTPGet
	IPAddress               = model.IPAddress
	Volume                  = model.Volume
	AzureFile               = model.AzureFile
	Share                   = model.Share
	Result                  = model.Result
)

// Markers and the api-version, as model has them.
const (
	ProjectTag       = model.ProjectTag
	ShareMetadataKey = model.ShareMetadataKey
	APIVersion       = model.APIVersion
)

// HostsImage writes the service names into the group's /etc/hosts on Azure
// (aci local resolves them itself): a small shell image from Microsoft's
// registry, not Docker Hub's rate limits.
const HostsImage = "mcr.microsoft.com/cbl-mariner/busybox:2.0"

// Options steer a conversion.
type Options struct {
	Location string
	// AllowUnsupported turns refusals of keys ACI cannot honour into
	// warnings; the keys are then ignored.
	AllowUnsupported bool
	// HostsInit adds the init container that makes service names resolve
	// (Azure); aci local resolves a group's container names itself.
	HostsInit bool
	// Warn reports what is ignored.
	Warn func(format string, a ...any)
}

// Error is a refusal: the service (if any), the key and why.
type Error struct {
	Service, Key, Reason string
}

func (e *Error) Error() string {
	if e.Service == "" {
		return fmt.Sprintf("%s: %s", e.Key, e.Reason)
	}
	return fmt.Sprintf("service %q: %s: %s", e.Service, e.Key, e.Reason)
}

var nameRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// GroupName is the container group of a project: its name with '_' as '-'.
func GroupName(project string) string {
	return strings.ReplaceAll(strings.ToLower(project), "_", "-")
}

// DefaultAccount is the storage account of a project's named volumes when the
// file names none: 3-24 lowercase letters and digits, stable per project.
func DefaultAccount(project string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(project) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	name := b.String()
	if len(name) > 12 {
		name = name[:12]
	}
	sum := sha256.Sum256([]byte(project))
	return "acic" + name + hex.EncodeToString(sum[:])[:8]
}

// shareName makes a valid share name (3-63: lowercase letters, digits,
// single hyphens, alphanumeric ends) from a volume's name.
func shareName(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9'):
			b.WriteRune(r)
		default:
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "-") {
				b.WriteByte('-')
			}
		}
	}
	out := strings.Trim(b.String(), "-")
	if len(out) > 63 {
		out = strings.Trim(out[:63], "-")
	}
	for len(out) < 3 {
		out += "0"
	}
	return out
}

type converter struct {
	p   *types.Project
	o   Options
	res *Result
	g   *Group
}

func (c *converter) warn(format string, a ...any) {
	if c.o.Warn != nil {
		c.o.Warn(format, a...)
	}
}

// unsupported refuses a key, or with AllowUnsupported warns that it is ignored.
func (c *converter) unsupported(service, key, reason string) error {
	e := &Error{Service: service, Key: key, Reason: reason}
	if c.o.AllowUnsupported {
		c.warn("%s (ignored: --allow-unsupported)", e.Error())
		return nil
	}
	return e
}

// Convert maps a project to one container group and the shares it needs.
func Convert(p *types.Project, o Options) (*Result, error) {
	name := GroupName(p.Name)
	if !nameRE.MatchString(name) || len(name) > 63 {
		return nil, &Error{Key: "name", Reason: fmt.Sprintf("%q cannot name a container group (lowercase letters, digits and '-', at most 63); choose another with -p", p.Name)}
	}
	if len(p.Services) == 0 {
		return nil, &Error{Key: "services", Reason: "the project has no service to run (are its services behind a --profile?)"}
	}
	c := &converter{p: p, o: o, res: &Result{Project: p.Name}}
	c.g = &Group{APIVersion: APIVersion, Name: name, Type: "Microsoft.ContainerInstance/containerGroups", Location: o.Location,
		Tags: map[string]string{ProjectTag: p.Name}}
	if err := c.projectLevel(); err != nil {
		return nil, err
	}
	volumes := map[string]bool{}
	var restarts []string
	var restartFrom []string
	var platforms []string
	dns := ""
	for _, sn := range p.ServiceNames() {
		s := p.Services[sn]
		ct, err := c.service(s, volumes)
		if err != nil {
			return nil, err
		}
		c.g.Properties.Containers = append(c.g.Properties.Containers, *ct)
		if r, explicit := restartOf(s); explicit {
			restarts = append(restarts, r)
			restartFrom = append(restartFrom, sn)
		}
		if s.Platform != "" {
			platforms = append(platforms, s.Platform)
		}
		if s.DomainName != "" {
			if dns != "" && dns != s.DomainName {
				return nil, &Error{Service: sn, Key: "domainname", Reason: fmt.Sprintf("%q differs from %q: a container group has one DNS name label", s.DomainName, dns)}
			}
			dns = s.DomainName
		}
	}
	// One restart policy for the group: the services that say must agree;
	// none saying is Compose's default, "no".
	c.g.Properties.RestartPolicy = "Never"
	for i, r := range restarts {
		if r != restarts[0] {
			return nil, &Error{Service: restartFrom[i], Key: "restart", Reason: fmt.Sprintf("%s differs from service %q's %s: a container group has one restart policy", r, restartFrom[0], restarts[0])}
		}
		c.g.Properties.RestartPolicy = r
	}
	c.g.Properties.OSType = "Linux"
	for _, pl := range platforms {
		os := "Linux"
		if strings.HasPrefix(strings.ToLower(pl), "windows") {
			os = "Windows"
		}
		if pl != platforms[0] && !strings.EqualFold(strings.SplitN(pl, "/", 2)[0], strings.SplitN(platforms[0], "/", 2)[0]) {
			return nil, &Error{Key: "platform", Reason: fmt.Sprintf("%q and %q differ: a container group runs one OS", platforms[0], pl)}
		}
		c.g.Properties.OSType = os
	}
	if err := c.ports(dns); err != nil {
		return nil, err
	}
	if o.HostsInit && len(c.g.Properties.Containers) > 1 {
		var names []string
		for _, ct := range c.g.Properties.Containers {
			names = append(names, ct.Name)
		}
		c.g.Properties.InitContainers = append(c.g.Properties.InitContainers, InitContainer{Name: "aci-compose-hosts",
			Properties: InitContainerProperties{Image: HostsImage,
				Command: []string{"/bin/sh", "-c", "echo '127.0.0.1 " + strings.Join(names, " ") + "' >> /etc/hosts"}}})
	}
	if err := c.registries(); err != nil {
		return nil, err
	}
	sort.Slice(c.g.Properties.Volumes, func(i, j int) bool { return c.g.Properties.Volumes[i].Name < c.g.Properties.Volumes[j].Name })
	c.res.Group = c.g
	return c.res, nil
}

// projectLevel checks what applies to the whole project.
func (c *converter) projectLevel() error {
	for _, n := range slices.Sorted(maps.Keys(c.p.Networks)) {
		if n == "default" {
			continue
		}
		c.warn("networks: %q is ignored: a container group's containers share one network", n)
	}
	if len(c.p.Configs) > 0 {
		if err := c.unsupported("", "configs", "ACI has no configs; use secrets (mounted under /run/secrets) instead"); err != nil {
			return err
		}
	}
	return nil
}

// refusals are the keys ACI has nothing for, and why.
func refusals(s types.ServiceConfig) map[string]string {
	r := map[string]string{}
	if s.NetworkMode != "" {
		r["network_mode"] = "a container group is one network namespace, which its containers always share"
	}
	if s.Pid != "" {
		r["pid"] = "ACI gives no access to the host's or another container's processes"
	}
	if s.Ipc != "" {
		r["ipc"] = "ACI gives no access to the host's or another container's IPC namespace"
	}
	if s.Privileged {
		r["privileged"] = "ACI does not run privileged containers"
	}
	if len(s.CapAdd) > 0 {
		r["cap_add"] = "ACI does not grant extra Linux capabilities"
	}
	if len(s.Devices) > 0 {
		r["devices"] = "ACI gives no access to host devices (GPUs: use gpus or deploy.resources.reservations.devices)"
	}
	if s.User != "" {
		r["user"] = "ACI runs a container as its image's user; set USER in the image"
	}
	if s.WorkingDir != "" {
		r["working_dir"] = "ACI has no working-directory setting; set WORKDIR in the image"
	}
	if len(s.Sysctls) > 0 {
		r["sysctls"] = "ACI sets no kernel parameters"
	}
	if len(s.Ulimits) > 0 {
		r["ulimits"] = "ACI sets no ulimits"
	}
	if len(s.SecurityOpt) > 0 {
		r["security_opt"] = "ACI takes no security options"
	}
	if len(s.ExtraHosts) > 0 {
		r["extra_hosts"] = "ACI has no host-entry setting (service names resolve without it)"
	}
	if len(s.Configs) > 0 {
		r["configs"] = "ACI has no configs; use secrets (mounted under /run/secrets) instead"
	}
	if len(s.VolumesFrom) > 0 {
		r["volumes_from"] = "mount the same named volume in both services instead"
	}
	if n := s.GetScale(); n > 1 {
		r["deploy.replicas"] = fmt.Sprintf("one service is one container of the group, not %d; run another project (-p) to scale out", n)
	}
	for dep, d := range s.DependsOn {
		if d.Condition != "" && d.Condition != types.ServiceConditionStarted {
			r["depends_on."+dep+".condition"] = fmt.Sprintf("ACI starts a group's containers together and cannot wait for %q to be %s", dep, strings.TrimPrefix(d.Condition, "service_"))
		}
	}
	return r
}

func (c *converter) service(s types.ServiceConfig, volumes map[string]bool) (*Container, error) {
	sn := s.Name
	if !nameRE.MatchString(sn) || len(sn) > 63 {
		return nil, &Error{Service: sn, Key: "name", Reason: "a container name takes lowercase letters, digits and '-' (at most 63); rename the service"}
	}
	refused := refusals(s)
	for _, k := range slices.Sorted(maps.Keys(refused)) {
		if err := c.unsupported(sn, k, refused[k]); err != nil {
			return nil, err
		}
	}
	image := s.Image
	if s.Build != nil {
		if image == "" {
			return nil, &Error{Service: sn, Key: "build", Reason: "ACI runs images from a registry and builds nothing: build and push the image (aci acr build), then set image"}
		}
		c.warn("service %q: build is ignored: ACI pulls image %s from its registry", sn, image)
	}
	if image == "" {
		return nil, &Error{Service: sn, Key: "image", Reason: "the service names no image"}
	}
	if s.ContainerName != "" && s.ContainerName != sn {
		c.warn("service %q: container_name is ignored: the container is named after the service", sn)
	}
	ct := &Container{Name: sn, Properties: ContainerProperties{Image: image}}
	// ACI's command replaces the image's entrypoint: Compose's entrypoint and
	// command together are the command line.
	if len(s.Entrypoint) > 0 || len(s.Command) > 0 {
		ct.Properties.Command = append(append([]string{}, s.Entrypoint...), s.Command...)
	}
	for _, k := range slices.Sorted(maps.Keys(s.Environment)) {
		v := s.Environment[k]
		if v == nil {
			continue // unset and not in the environment: Compose leaves it out too
		}
		ct.Properties.EnvironmentVariables = append(ct.Properties.EnvironmentVariables, EnvVar{Name: k, Value: *v})
	}
	res, err := c.resources(s)
	if err != nil {
		return nil, err
	}
	ct.Properties.Resources = res
	if s.HealthCheck != nil && !s.HealthCheck.Disable && len(s.HealthCheck.Test) > 0 && s.HealthCheck.Test[0] != "NONE" {
		pr, err := probeFrom(sn, "healthcheck", s.HealthCheck.Test, s.HealthCheck.Interval, s.HealthCheck.Timeout, s.HealthCheck.Retries, s.HealthCheck.StartPeriod)
		if err != nil {
			return nil, err
		}
		ct.Properties.LivenessProbe = pr
	}
	if x, ok := s.Extensions["x-aci-readiness"]; ok {
		pr, err := readiness(sn, x)
		if err != nil {
			return nil, err
		}
		ct.Properties.ReadinessProbe = pr
	}
	if err := c.mounts(s, ct, volumes); err != nil {
		return nil, err
	}
	if err := c.secrets(s, ct); err != nil {
		return nil, err
	}
	for _, e := range s.Expose {
		lo, hi, err := portRange(strings.SplitN(e, "/", 2)[0])
		if err != nil {
			return nil, &Error{Service: sn, Key: "expose", Reason: fmt.Sprintf("%q is not a port or a range of ports", e)}
		}
		for n := lo; n <= hi; n++ {
			ct.Properties.Ports = append(ct.Properties.Ports, Port{Port: n, Protocol: protocolOf(e)})
		}
	}
	return ct, nil
}

// portRange reads "80" or "8000-8010".
func portRange(s string) (int, int, error) {
	a, b, isRange := strings.Cut(s, "-")
	lo, err := strconv.Atoi(a)
	if err != nil || lo < 1 || lo > 65535 {
		return 0, 0, fmt.Errorf("bad port %q", s)
	}
	if !isRange {
		return lo, lo, nil
	}
	hi, err := strconv.Atoi(b)
	if err != nil || hi < lo || hi > 65535 {
		return 0, 0, fmt.Errorf("bad range %q", s)
	}
	return lo, hi, nil
}

func protocolOf(spec string) string {
	if strings.HasSuffix(strings.ToLower(spec), "/udp") {
		return "UDP"
	}
	return "TCP"
}

// dedupePorts keeps each port's first mention, in order, in linear time (a
// port range can expand to thousands).
func dedupePorts(l []Port) []Port {
	seen := make(map[Port]bool, len(l))
	out := l[:0]
	for _, p := range l {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// ports publishes every service's ports on the group's address: published
// must equal target, and one port belongs to one service.
func (c *converter) ports(dns string) error {
	owner := map[Port]string{}
	var public []Port
	for i := range c.g.Properties.Containers {
		ct := &c.g.Properties.Containers[i]
		s := c.p.Services[ct.Name]
		for _, sp := range s.Ports {
			proto := "TCP"
			if strings.EqualFold(sp.Protocol, "udp") {
				proto = "UDP"
			}
			if sp.Published != "" && sp.Published != strconv.Itoa(int(sp.Target)) {
				return &Error{Service: ct.Name, Key: "ports", Reason: fmt.Sprintf("%s:%d publishes container port %d on port %s, but a container group publishes a port on its own number: write \"%d:%d\" or \"%d\"", sp.Published, sp.Target, sp.Target, sp.Published, sp.Target, sp.Target, sp.Target)}
			}
			if sp.HostIP != "" {
				c.warn("service %q: ports: host address %s is ignored: a container group has its own address", ct.Name, sp.HostIP)
			}
			p := Port{Port: int(sp.Target), Protocol: proto}
			if o, ok := owner[p]; ok && o != ct.Name {
				return &Error{Service: ct.Name, Key: "ports", Reason: fmt.Sprintf("port %d is also published by service %q: a group's containers share one network, so a port belongs to one service", p.Port, o)}
			}
			if _, ok := owner[p]; !ok {
				owner[p] = ct.Name
				public = append(public, p)
			}
			ct.Properties.Ports = append(ct.Properties.Ports, p)
		}
		ct.Properties.Ports = dedupePorts(ct.Properties.Ports)
	}
	if x, ok := c.p.Extensions["x-aci-dns-label"].(string); ok && x != "" {
		dns = x
	}
	if len(public) == 0 {
		if dns != "" {
			return &Error{Key: "x-aci-dns-label", Reason: "a DNS name label needs a public address, and no service publishes a port"}
		}
		return nil
	}
	c.g.Properties.IPAddress = &IPAddress{Type: "Public", Ports: public, DNSNameLabel: dns}
	return nil
}

// restartOf maps a service's restart policy; explicit says whether it set one.
func restartOf(s types.ServiceConfig) (string, bool) {
	if s.Deploy != nil && s.Deploy.RestartPolicy != nil {
		switch s.Deploy.RestartPolicy.Condition {
		case "none":
			return "Never", true
		case "on-failure":
			return "OnFailure", true
		default:
			return "Always", true
		}
	}
	switch {
	case s.Restart == "":
		return "Never", false
	case s.Restart == "no":
		return "Never", true
	case strings.HasPrefix(s.Restart, "on-failure"):
		return "OnFailure", true
	default: // always, unless-stopped
		return "Always", true
	}
}

// Defaults of a container without resources, as az container create's.
const (
	defaultCPU    = 1.0
	defaultMemory = 1.5
)

func gb(b types.UnitBytes) float64 { return math.Ceil(float64(b)/(1<<30)*10) / 10 }
func cpu(n float64) float64        { return math.Max(0.01, math.Round(n*100)/100) }

func (c *converter) resources(s types.ServiceConfig) (Resources, error) {
	var limCPU, reqCPU float64
	var limMem, reqMem types.UnitBytes
	var devices []types.DeviceRequest
	if s.Deploy != nil {
		if l := s.Deploy.Resources.Limits; l != nil {
			limCPU, limMem = float64(l.NanoCPUs), l.MemoryBytes
		}
		if r := s.Deploy.Resources.Reservations; r != nil {
			reqCPU, reqMem = float64(r.NanoCPUs), r.MemoryBytes
			devices = r.Devices
		}
	}
	if limCPU == 0 && s.CPUS > 0 {
		limCPU = float64(s.CPUS)
	}
	if limMem == 0 && s.MemLimit > 0 {
		limMem = s.MemLimit
	}
	if reqMem == 0 && s.MemReservation > 0 {
		reqMem = s.MemReservation
	}
	var r Resources
	r.Requests.CPU, r.Requests.MemoryInGB = defaultCPU, defaultMemory
	// Requests are what the group reserves: the reservation, else the limit.
	switch {
	case reqCPU > 0:
		r.Requests.CPU = cpu(reqCPU)
	case limCPU > 0:
		r.Requests.CPU = cpu(limCPU)
	}
	switch {
	case reqMem > 0:
		r.Requests.MemoryInGB = gb(reqMem)
	case limMem > 0:
		r.Requests.MemoryInGB = gb(limMem)
	}
	if limCPU > 0 || limMem > 0 {
		r.Limits = &ResourceSpec{CPU: r.Requests.CPU, MemoryInGB: r.Requests.MemoryInGB}
		if limCPU > 0 {
			r.Limits.CPU = cpu(limCPU)
		}
		if limMem > 0 {
			r.Limits.MemoryInGB = gb(limMem)
		}
		if r.Limits.CPU < r.Requests.CPU || r.Limits.MemoryInGB < r.Requests.MemoryInGB {
			return r, &Error{Service: s.Name, Key: "deploy.resources", Reason: "the limits are below the reservations"}
		}
	}
	gpus := 0
	for _, d := range append(append([]types.DeviceRequest{}, s.Gpus...), devices...) {
		isGPU := len(s.Gpus) > 0
		for _, cp := range d.Capabilities {
			isGPU = isGPU || cp == "gpu"
		}
		if !isGPU {
			continue
		}
		if d.Count < 0 {
			return r, &Error{Service: s.Name, Key: "gpus", Reason: "\"all\" is not a number: ACI allocates a given count of GPUs"}
		}
		n := int(d.Count)
		if n == 0 {
			n = max(1, len(d.IDs))
		}
		gpus += n
	}
	if gpus > 0 {
		sku := "V100"
		if x, ok := s.Extensions["x-aci-gpu-sku"].(string); ok && x != "" {
			sku = x
		}
		r.Requests.GPU = &GPU{Count: gpus, SKU: sku}
	}
	return r, nil
}

func seconds(d *types.Duration) int {
	if d == nil {
		return 0
	}
	return int(math.Ceil(time.Duration(*d).Seconds()))
}

func probeFrom(service, key string, test []string, interval, timeout *types.Duration, retries *uint64, start *types.Duration) (*Probe, error) {
	p := &Probe{PeriodSeconds: seconds(interval), TimeoutSeconds: seconds(timeout), InitialDelaySeconds: seconds(start)}
	if retries != nil {
		p.FailureThreshold = int(*retries)
	}
	switch {
	case len(test) >= 2 && test[0] == "CMD":
		p.Exec = &ExecProbe{Command: append([]string{}, test[1:]...)}
	case len(test) == 2 && test[0] == "CMD-SHELL":
		p.Exec = &ExecProbe{Command: []string{"/bin/sh", "-c", test[1]}}
	default:
		return nil, &Error{Service: service, Key: key + ".test", Reason: fmt.Sprintf("%q is neither [\"CMD\", ...] nor [\"CMD-SHELL\", \"...\"]", test)}
	}
	return p, nil
}

// readiness reads x-aci-readiness: a healthcheck's keys, or http_get.
func readiness(service string, x any) (*Probe, error) {
	m, ok := x.(map[string]any)
	if !ok {
		return nil, &Error{Service: service, Key: "x-aci-readiness", Reason: "must be a mapping (test or http_get, interval, timeout, retries, start_period)"}
	}
	dur := func(k string) (*types.Duration, error) {
		v, ok := m[k]
		if !ok {
			return nil, nil
		}
		d, err := time.ParseDuration(fmt.Sprint(v))
		if err != nil {
			return nil, &Error{Service: service, Key: "x-aci-readiness." + k, Reason: fmt.Sprintf("%v is not a duration", v)}
		}
		td := types.Duration(d)
		return &td, nil
	}
	interval, err := dur("interval")
	if err != nil {
		return nil, err
	}
	timeout, err := dur("timeout")
	if err != nil {
		return nil, err
	}
	start, err := dur("start_period")
	if err != nil {
		return nil, err
	}
	var retries *uint64
	if v, ok := m["retries"]; ok {
		n, err := strconv.ParseUint(fmt.Sprint(v), 10, 32)
		if err != nil {
			return nil, &Error{Service: service, Key: "x-aci-readiness.retries", Reason: fmt.Sprintf("%v is not a count", v)}
		}
		retries = &n
	}
	if hg, ok := m["http_get"].(map[string]any); ok {
		port, err := strconv.Atoi(fmt.Sprint(hg["port"]))
		if err != nil || port <= 0 {
			return nil, &Error{Service: service, Key: "x-aci-readiness.http_get.port", Reason: "a port number is required"}
		}
		p := &Probe{HTTPGet: &HTTPGet{Port: port}, PeriodSeconds: seconds(interval), TimeoutSeconds: seconds(timeout), InitialDelaySeconds: seconds(start)}
		if s, ok := hg["path"].(string); ok {
			p.HTTPGet.Path = s
		}
		if s, ok := hg["scheme"].(string); ok {
			p.HTTPGet.Scheme = s
		}
		if retries != nil {
			p.FailureThreshold = int(*retries)
		}
		return p, nil
	}
	var test []string
	switch t := m["test"].(type) {
	case string:
		test = []string{"CMD-SHELL", t}
	case []any:
		for _, v := range t {
			test = append(test, fmt.Sprint(v))
		}
	default:
		return nil, &Error{Service: service, Key: "x-aci-readiness", Reason: "needs test or http_get"}
	}
	return probeFrom(service, "x-aci-readiness", test, interval, timeout, retries, start)
}

// mounts maps a service's volumes and tmpfs to group volumes.
func (c *converter) mounts(s types.ServiceConfig, ct *Container, declared map[string]bool) error {
	sn := s.Name
	anon := 0
	emptyDir := func(target string, ro bool) {
		anon++
		name := fmt.Sprintf("%s-tmp%d", sn, anon)
		c.g.Properties.Volumes = append(c.g.Properties.Volumes, Volume{Name: name, EmptyDir: &struct{}{}})
		ct.Properties.VolumeMounts = append(ct.Properties.VolumeMounts, VolumeMount{Name: name, MountPath: target, ReadOnly: ro})
	}
	for _, t := range s.Tmpfs {
		emptyDir(strings.SplitN(t, ":", 2)[0], false)
	}
	for _, v := range s.Volumes {
		switch {
		case v.Type == types.VolumeTypeTmpfs, v.Type == types.VolumeTypeVolume && v.Source == "":
			emptyDir(v.Target, v.ReadOnly)
		case v.Type == types.VolumeTypeVolume:
			name, err := c.namedVolume(sn, v.Source, declared)
			if err != nil {
				return err
			}
			ct.Properties.VolumeMounts = append(ct.Properties.VolumeMounts, VolumeMount{Name: name, MountPath: v.Target, ReadOnly: v.ReadOnly})
		case v.Type == types.VolumeTypeBind:
			if err := c.unsupported(sn, "volumes", fmt.Sprintf("%s is a bind mount; ACI cannot mount this machine's files: use a named volume (an Azure file share), a secret, or put the files in the image", v.Source)); err != nil {
				return err
			}
		default:
			if err := c.unsupported(sn, "volumes", fmt.Sprintf("volumes of type %s are not supported by ACI", v.Type)); err != nil {
				return err
			}
		}
	}
	return nil
}

// namedVolume adds (once) the Azure file share volume of a named volume.
func (c *converter) namedVolume(service, key string, declared map[string]bool) (string, error) {
	name := shareName(key)
	if declared[key] {
		return name, nil
	}
	vc, ok := c.p.Volumes[key]
	if !ok {
		return "", &Error{Service: service, Key: "volumes", Reason: fmt.Sprintf("volume %q is not declared under the top-level volumes", key)}
	}
	if vc.Driver != "" && vc.Driver != "local" && vc.Driver != "azure_file" {
		c.warn("volume %q: driver %s is ignored: named volumes are Azure file shares", key, vc.Driver)
	}
	account, _ := c.p.Extensions["x-aci-storage-account"].(string)
	if account == "" {
		account = DefaultAccount(c.p.Name)
	}
	share := shareName(vc.Name)
	if vc.Name == "" {
		share = shareName(c.p.Name + "-" + key)
	}
	if v := vc.DriverOpts["storage_account_name"]; v != "" {
		account = v
	}
	if v := vc.DriverOpts["share_name"]; v != "" {
		share = v
	}
	declared[key] = true
	c.g.Properties.Volumes = append(c.g.Properties.Volumes, Volume{Name: name, AzureFile: &AzureFile{ShareName: share, StorageAccountName: account}})
	c.res.Shares = append(c.res.Shares, Share{Volume: key, Account: account, Name: share, External: bool(vc.External)})
	return name, nil
}

// secrets mounts a service's secrets as files of one secret volume at
// /run/secrets, where Compose puts them.
func (c *converter) secrets(s types.ServiceConfig, ct *Container) error {
	if len(s.Secrets) == 0 {
		return nil
	}
	files := map[string]string{}
	for _, ref := range s.Secrets {
		sc, ok := c.p.Secrets[ref.Source]
		if !ok {
			return &Error{Service: s.Name, Key: "secrets", Reason: fmt.Sprintf("secret %q is not declared under the top-level secrets", ref.Source)}
		}
		target := ref.Target
		if target == "" {
			target = ref.Source
		}
		target = strings.TrimPrefix(target, "/run/secrets/")
		if strings.Contains(target, "/") {
			return &Error{Service: s.Name, Key: "secrets." + ref.Source + ".target", Reason: "ACI mounts secrets as files of one directory, /run/secrets: the target must be a file name there"}
		}
		var content []byte
		switch {
		case bool(sc.External):
			return &Error{Service: s.Name, Key: "secrets." + ref.Source, Reason: "an external secret lives in a swarm; give the secret a file or environment variable"}
		case sc.Content != "":
			content = []byte(sc.Content)
		case sc.Environment != "":
			v, ok := c.p.Environment[sc.Environment]
			if !ok {
				return &Error{Service: s.Name, Key: "secrets." + ref.Source, Reason: fmt.Sprintf("environment variable %s is not set", sc.Environment)}
			}
			content = []byte(v)
		case sc.File != "":
			b, err := os.ReadFile(sc.File)
			if err != nil {
				return &Error{Service: s.Name, Key: "secrets." + ref.Source, Reason: err.Error()}
			}
			content = b
		default:
			return &Error{Service: s.Name, Key: "secrets." + ref.Source, Reason: "the secret has no file, environment or content"}
		}
		files[target] = base64.StdEncoding.EncodeToString(content)
	}
	name := s.Name + "-secrets"
	c.g.Properties.Volumes = append(c.g.Properties.Volumes, Volume{Name: name, Secret: files})
	ct.Properties.VolumeMounts = append(ct.Properties.VolumeMounts, VolumeMount{Name: name, MountPath: "/run/secrets", ReadOnly: true})
	return nil
}

// registries lists the registries of the images other than Docker Hub's and
// Microsoft's: the caller looks up their logins.
func (c *converter) registries() error {
	seen := map[string]bool{}
	for _, ct := range c.g.Properties.Containers {
		ref, err := reference.ParseNormalizedNamed(ct.Properties.Image)
		if err != nil {
			return &Error{Service: ct.Name, Key: "image", Reason: fmt.Sprintf("%q is not an image reference: %v", ct.Properties.Image, err)}
		}
		host := reference.Domain(ref)
		if seen[host] || host == "docker.io" || host == "mcr.microsoft.com" {
			continue
		}
		seen[host] = true
		c.res.Registries = append(c.res.Registries, host)
	}
	return nil
}
