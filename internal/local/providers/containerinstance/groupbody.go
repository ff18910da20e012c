package containerinstance

import (
	"encoding/json"
	"fmt"
	"github.com/aci-cli/aci/internal/local/core"
	"math"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// cgBody is a container group's request body as ACI defines it: the one typed
// form that validation and the runtime both read. A value of the wrong JSON type
// fails decoding (400 InvalidRequestContent) instead of reaching a type
// assertion; list elements are pointers so a null element is seen and refused.
// Fields aci local does not read stay only in the stored body.
type cgBody struct {
	Location   string            `json:"location"`
	Tags       map[string]string `json:"tags"`
	Zones      []string          `json:"zones"`
	Identity   *groupIdentity    `json:"identity"`
	Properties *groupProps       `json:"properties"`
}

type groupIdentity struct {
	Type                   string                     `json:"type"`
	UserAssignedIdentities map[string]json.RawMessage `json:"userAssignedIdentities"`
}

type groupProps struct {
	Containers               []*containerBody `json:"containers"`
	InitContainers           []*containerBody `json:"initContainers"`
	RestartPolicy            string           `json:"restartPolicy"`
	OSType                   string           `json:"osType"`
	Sku                      string           `json:"sku"`
	IPAddress                *ipAddressBody   `json:"ipAddress"`
	Volumes                  []*volumeBody    `json:"volumes"`
	ImageRegistryCredentials []*registryBody  `json:"imageRegistryCredentials"`
	Priority                 string           `json:"priority"`
}

type ipAddressBody struct {
	Ports        []*portBody `json:"ports"`
	Type         string      `json:"type"`
	DNSNameLabel string      `json:"dnsNameLabel"`
	IP           string      `json:"ip"`
}

type portBody struct {
	Port     int    `json:"port"`
	Protocol string `json:"protocol"`
}

// UnmarshalJSON takes a port as a number or as a numeric string, as ACI's
// JSON reader does ("port": "80" appears in Microsoft's own templates).
func (p *portBody) UnmarshalJSON(b []byte) error {
	var raw struct {
		Port     json.RawMessage `json:"port"`
		Protocol string          `json:"protocol"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	p.Protocol = raw.Protocol
	if len(raw.Port) == 0 || string(raw.Port) == "null" {
		return nil
	}
	var s string
	if json.Unmarshal(raw.Port, &s) == nil {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("cannot unmarshal port %q into an integer", s)
		}
		p.Port = n
		return nil
	}
	return json.Unmarshal(raw.Port, &p.Port)
}

type containerBody struct {
	Name       string          `json:"name"`
	Properties *containerProps `json:"properties"`
}

type containerProps struct {
	Image                string        `json:"image"`
	Command              strictStrings `json:"command"`
	LivenessProbe        *probeBody    `json:"livenessProbe"`
	ReadinessProbe       *probeBody    `json:"readinessProbe"`
	EnvironmentVariables []*envBody    `json:"environmentVariables"`
	Ports                []*portBody   `json:"ports"`
	Resources            *resources    `json:"resources"`
	VolumeMounts         []*mountBody  `json:"volumeMounts"`
}

// strictStrings is a JSON array of strings in which a null is an error,
// where encoding/json would quietly make it "".
type strictStrings []string

func (s *strictStrings) UnmarshalJSON(b []byte) error {
	var raw []*string
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make([]string, len(raw))
	for i, p := range raw {
		if p == nil {
			return fmt.Errorf("element %d of a list of strings is null", i)
		}
		out[i] = *p
	}
	*s = out
	return nil
}

// probeBody is a liveness or readiness probe, typed so that a value of the
// wrong type is a 400 here rather than a surprise later.
type probeBody struct {
	Exec *struct {
		Command strictStrings `json:"command"`
	} `json:"exec"`
	HTTPGet *struct {
		Path        string `json:"path"`
		Port        int    `json:"port"`
		Scheme      string `json:"scheme"`
		HTTPHeaders []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"httpHeaders"`
	} `json:"httpGet"`
	InitialDelaySeconds *int32 `json:"initialDelaySeconds"`
	PeriodSeconds       *int32 `json:"periodSeconds"`
	FailureThreshold    *int32 `json:"failureThreshold"`
	SuccessThreshold    *int32 `json:"successThreshold"`
	TimeoutSeconds      *int32 `json:"timeoutSeconds"`
}

// check is ACI's rule for a probe: one action, counts not negative, a port
// that exists.
func (p *probeBody) check() string {
	if (p.Exec == nil) == (p.HTTPGet == nil) {
		return "must have exactly one of 'exec' and 'httpGet'"
	}
	if p.HTTPGet != nil && (p.HTTPGet.Port < 1 || p.HTTPGet.Port > 65535) {
		return "has an httpGet port outside 1-65535"
	}
	if p.Exec != nil && len(p.Exec.Command) == 0 {
		return "has an exec probe without a command"
	}
	for _, n := range []*int32{p.InitialDelaySeconds, p.PeriodSeconds, p.FailureThreshold, p.SuccessThreshold, p.TimeoutSeconds} {
		if n != nil && *n < 0 {
			return "has a negative count or time"
		}
	}
	return ""
}

type envBody struct {
	Name        string  `json:"name"`
	Value       *string `json:"value"`
	SecureValue *string `json:"secureValue"`
}

type resources struct {
	Requests *resourceSet `json:"requests"`
	Limits   *resourceSet `json:"limits"`
}

type resourceSet struct {
	CPU    *float64 `json:"cpu"`
	Memory *float64 `json:"memoryInGB"`
	GPU    *gpuBody `json:"gpu"`
}

type gpuBody struct {
	Count int    `json:"count"`
	SKU   string `json:"sku"`
}

type mountBody struct {
	Name      string `json:"name"`
	MountPath string `json:"mountPath"`
	ReadOnly  bool   `json:"readOnly"`
}

type volumeBody struct {
	Name      string            `json:"name"`
	EmptyDir  json.RawMessage   `json:"emptyDir"`
	Secret    map[string]string `json:"secret"`
	GitRepo   *gitRepoBody      `json:"gitRepo"`
	AzureFile *azureFileBody    `json:"azureFile"`
}

type gitRepoBody struct {
	Repository string `json:"repository"`
	Directory  string `json:"directory"`
	Revision   string `json:"revision"`
}

type azureFileBody struct {
	ShareName          string `json:"shareName"`
	StorageAccountName string `json:"storageAccountName"`
	StorageAccountKey  string `json:"storageAccountKey"`
	ReadOnly           bool   `json:"readOnly"`
}

type registryBody struct {
	Server   string `json:"server"`
	Username string `json:"username"`
	Password string `json:"password"`
	Identity string `json:"identity"`
}

// ACI's fixed limits for a container group.
const (
	minMemoryGB        = 0.1
	maxContainers      = 60
	maxVolumes         = 20
	maxPortsPerIP      = 5
	maxEnvPerContainer = 100
	maxSecretBytes     = 64 << 10
	maxTags            = 50
)

var (
	// secretKeyRE is a file name inside a secret volume, as Kubernetes' ConfigMap
	// and Secret keys: it can never name a directory or climb out of one.
	secretKeyRE  = regexp.MustCompile(`^[-._a-zA-Z0-9]{1,253}$`)
	envNameRE    = regexp.MustCompile(`^[^=\x00-\x1f]+$`)
	gitRevRE     = regexp.MustCompile(`^[A-Za-z0-9][-A-Za-z0-9._/]{0,255}$`)
	imageRefRE   = regexp.MustCompile(`^[^\s\x00-\x1f]+$`)
	registryHost = regexp.MustCompile(`^[A-Za-z0-9.-]+(:[0-9]{1,5})?$`)
)

// decodeGroup parses a container-group body into its typed form.
func decodeGroup(b []byte) (*cgBody, *core.APIError) {
	var g cgBody
	if err := json.Unmarshal(b, &g); err != nil {
		return nil, core.NewError(400, "InvalidRequestContent", fmt.Sprintf("The request content was invalid and could not be deserialized: '%s'.", err.Error()))
	}
	return &g, nil
}

// cores is what the group requests: its containers' CPU (init containers
// run before them and request none).
func (g *cgBody) cores() float64 {
	var n float64
	if g.Properties == nil {
		return 0
	}
	for _, c := range g.Properties.Containers {
		if c != nil && c.Properties != nil && c.Properties.Resources != nil && c.Properties.Resources.Requests != nil && c.Properties.Resources.Requests.CPU != nil {
			n += *c.Properties.Resources.Requests.CPU
		}
	}
	return n
}

// Limits are what a region offers a container group, as the capabilities
// and usages APIs report them and as PUT enforces them. aci local's come
// from aci-local's flags; the defaults are ACI's standard Linux SKU, with
// quotas as large as one machine sensibly runs.
type Limits struct {
	MaxCPU      float64 // per group
	MaxMemoryGB float64 // per group
	CoresQuota  float64 // StandardCores per region
	GroupsQuota int     // container groups per region
}

// DefaultLimits are ACI's per-group maxima for the standard SKU.
func DefaultLimits() Limits {
	return Limits{MaxCPU: 4, MaxMemoryGB: 16, CoresQuota: 1000, GroupsQuota: 1000}
}

// rules are what validation needs beyond the body.
type rules struct {
	limits     Limits
	gitAllowed func(string) bool
}

func bad(code, format string, a ...any) *core.APIError {
	return core.NewError(400, code, fmt.Sprintf(format, a...))
}

func null(what string) *core.APIError {
	return bad("InvalidRequestContent", "The request content was invalid and could not be deserialized: '%s must not contain null'.", what)
}

// validation is one request being checked: what earlier checks learned
// (volumes declared, ports exposed, resources requested) for later ones.
type validation struct {
	rules
	name     string
	volumes  map[string]bool
	exposed  map[portBody]bool
	cpu, mem float64
}

// validate applies ACI's rules to a request, up front, so nothing invalid is
// stored and fails later. Every name that becomes a host path (volume names,
// secret file names, git directories) is checked here, and again where it is
// used (confine), so one missed rule cannot reach the host.
func (g *cgBody) validate(name string, r rules) *core.APIError {
	if r.limits == (Limits{}) {
		r.limits = DefaultLimits()
	}
	v := &validation{rules: r, name: name, volumes: map[string]bool{}, exposed: map[portBody]bool{}}
	if e := v.group(g); e != nil {
		return e
	}
	p := g.Properties
	// Volumes first: mounts refer to them.
	if e := v.volumeList(p.Volumes); e != nil {
		return e
	}
	for _, rc := range p.ImageRegistryCredentials {
		if rc == nil {
			return null("imageRegistryCredentials")
		}
		if !registryHost.MatchString(rc.Server) {
			return bad("InvalidImageRegistryServer", "The image registry server '%s' is invalid.", printable(rc.Server))
		}
	}
	names := map[string]bool{}
	all := append(append([]*containerBody{}, p.Containers...), p.InitContainers...)
	for i, c := range all {
		if c == nil {
			return null("containers")
		}
		if len(c.Name) > 63 || !aciNameRE.MatchString(c.Name) {
			return bad("InvalidContainerName", "The container name '%s' in container group '%s' is invalid. A valid container name must consist of lower case alphanumeric characters or '-', must start and end with an alphanumeric character, and its length must be between 1 and 63.", printable(c.Name), name)
		}
		if names[c.Name] {
			return bad("DuplicateContainerName", "Duplicate container name '%s' found in container group '%s'.", c.Name, name)
		}
		names[c.Name] = true
		if e := v.container(c, i >= len(p.Containers)); e != nil {
			return e
		}
	}
	if v.cpu > r.limits.MaxCPU+1e-9 || v.mem > r.limits.MaxMemoryGB+1e-9 {
		return bad("ContainerGroupResourcesExceedLimit", "The container group '%s' requests %s CPU and %s GB memory in total; a group may have at most %g CPU and %g GB.", name, fmtFloat(v.cpu), fmtFloat(v.mem), r.limits.MaxCPU, r.limits.MaxMemoryGB)
	}
	return v.ipAddress(p.IPAddress)
}

// group checks the group's own fields: name, tags, and the enumerations.
func (v *validation) group(g *cgBody) *core.APIError {
	name := v.name
	if len(name) > 63 || !aciNameRE.MatchString(name) {
		return bad("InvalidContainerGroupName", "The container group name '%s' is invalid. A valid container group name must consist of lower case alphanumeric characters or '-', must start and end with an alphanumeric character, and its length must be between 1 and 63.", name)
	}
	if len(g.Tags) > maxTags {
		return bad("InvalidTagCount", "The resource has %d tags; at most %d are allowed.", len(g.Tags), maxTags)
	}
	for k, val := range g.Tags {
		if k == "" || len(k) > 512 || len(val) > 256 || strings.ContainsAny(k, "<>%&\\?/\x00") || strings.ContainsRune(val, 0) {
			return bad("InvalidTagNameCharacters", "The tag name '%s' or its value is invalid: names are 1 to 512 characters without '<>%%&\\?/', values at most 256.", printable(k))
		}
	}
	p := g.Properties
	if p == nil {
		return bad("InvalidRequestContent", "The request content was invalid and could not be deserialized: 'Required property 'properties' not found in JSON.'.")
	}
	if len(p.Containers) == 0 {
		return bad("MissingContainers", "The container group '%s' has no containers. At least one container is required.", name)
	}
	if n := len(p.Containers) + len(p.InitContainers); n > maxContainers {
		return bad("ContainerGroupTooManyContainers", "The container group '%s' has %d containers; at most %d are allowed.", name, n, maxContainers)
	}
	for _, c := range []struct{ value, code, what, allowed string }{
		{p.RestartPolicy, "InvalidRestartPolicy", "restart policy", "'Always', 'OnFailure' and 'Never'"},
		{p.OSType, "InvalidOsType", "OS type", "'Linux' and 'Windows'"},
		{p.Sku, "InvalidSku", "sku", "'Standard', 'Dedicated' and 'Confidential'"},
		{p.Priority, "InvalidPriority", "priority", "'Regular' and 'Spot'"},
	} {
		if c.value != "" && !slices.Contains(strings.Split(c.allowed, "'"), c.value) {
			return bad(c.code, "The %s '%s' is invalid. Allowed values are %s.", c.what, printable(c.value), c.allowed)
		}
	}
	if g.Identity != nil {
		switch g.Identity.Type {
		case "SystemAssigned", "UserAssigned", "SystemAssigned, UserAssigned", "None":
		default:
			return bad("InvalidIdentityType", "The identity type '%s' is invalid.", printable(g.Identity.Type))
		}
	}
	return nil
}

func (v *validation) volumeList(vols []*volumeBody) *core.APIError {
	if len(vols) > maxVolumes {
		return bad("TooManyVolumes", "The container group '%s' has %d volumes; at most %d are allowed.", v.name, len(vols), maxVolumes)
	}
	for _, vol := range vols {
		if vol == nil {
			return null("volumes")
		}
		if e := vol.validate(v.gitAllowed); e != nil {
			return e
		}
		if v.volumes[vol.Name] {
			return bad("DuplicateVolumeName", "Duplicate volume name '%s' found in container group '%s'.", vol.Name, v.name)
		}
		v.volumes[vol.Name] = true
	}
	return nil
}

// container checks one container (an init container needs no resources
// and exposes nothing to the group).
func (v *validation) container(c *containerBody, init bool) *core.APIError {
	cn := c.Name
	cp := c.Properties
	if cp == nil {
		return bad("InvalidRequestContent", "The request content was invalid and could not be deserialized: 'Required property 'properties' not found in container '%s'.'.", cn)
	}
	if cp.Image == "" {
		return bad("InvalidContainerImage", "The image of container '%s' in container group '%s' is not specified.", cn, v.name)
	}
	if len(cp.Image) > 1024 || !imageRefRE.MatchString(cp.Image) {
		return bad("InvalidContainerImage", "The image '%s' of container '%s' is invalid.", printable(cp.Image), cn)
	}
	for _, a := range cp.Command {
		if strings.ContainsRune(a, 0) {
			return bad("InvalidContainerCommand", "The command of container '%s' contains a NUL character.", cn)
		}
	}
	for kind, p := range map[string]*probeBody{"liveness": cp.LivenessProbe, "readiness": cp.ReadinessProbe} {
		if p == nil {
			continue
		}
		if why := p.check(); why != "" {
			return bad("InvalidContainerProbe", "The %s probe of container '%s' %s.", kind, cn, why)
		}
	}
	for _, check := range []func(*containerProps, string, bool) *core.APIError{v.env, v.ports, v.mounts} {
		if e := check(cp, cn, init); e != nil {
			return e
		}
	}
	if init {
		return nil
	}
	return v.resources(cp, cn)
}

func (v *validation) env(cp *containerProps, cn string, _ bool) *core.APIError {
	if len(cp.EnvironmentVariables) > maxEnvPerContainer {
		return bad("TooManyEnvironmentVariables", "Container '%s' has %d environment variables; at most %d are allowed.", cn, len(cp.EnvironmentVariables), maxEnvPerContainer)
	}
	envs := map[string]bool{}
	for _, e := range cp.EnvironmentVariables {
		if e == nil {
			return null("environmentVariables")
		}
		if len(e.Name) > 1024 || !envNameRE.MatchString(e.Name) {
			return bad("InvalidEnvironmentVariable", "The environment variable name '%s' of container '%s' is invalid: it must be 1 to 1024 characters without '=' or control characters.", printable(e.Name), cn)
		}
		if envs[e.Name] {
			return bad("DuplicateEnvironmentVariable", "Duplicate environment variable '%s' found in container '%s'.", e.Name, cn)
		}
		envs[e.Name] = true
		if e.Value != nil && e.SecureValue != nil {
			return bad("InvalidEnvironmentVariable", "The environment variable '%s' of container '%s' has both a value and a secureValue; give exactly one.", e.Name, cn)
		}
		for _, val := range []*string{e.Value, e.SecureValue} {
			if val != nil && strings.ContainsRune(*val, 0) {
				return bad("InvalidEnvironmentVariable", "The environment variable '%s' of container '%s' contains a NUL character.", e.Name, cn)
			}
		}
	}
	return nil
}

// ports: a port is exposed once in a group; containers share one network.
func (v *validation) ports(cp *containerProps, cn string, init bool) *core.APIError {
	ports := map[portBody]bool{}
	for _, pt := range cp.Ports {
		if pt == nil {
			return null("ports")
		}
		k, e := pt.normal()
		if e != nil {
			return bad(e.Code, "%s (container '%s')", e.Message, cn)
		}
		if ports[k] || (!init && v.exposed[k]) {
			return bad("DuplicateContainerPorts", "The port '%d/%s' is exposed more than once in container group '%s'; containers of a group share one network.", k.Port, k.Protocol, v.name)
		}
		ports[k] = true
	}
	if !init {
		for k := range ports {
			v.exposed[k] = true
		}
	}
	return nil
}

func (v *validation) mounts(cp *containerProps, cn string, _ bool) *core.APIError {
	mounts := map[string]bool{}
	for _, m := range cp.VolumeMounts {
		if m == nil {
			return null("volumeMounts")
		}
		if !v.volumes[m.Name] {
			return bad("VolumeMountRequiresVolume", "The volume mount '%s' of container '%s' names no volume of container group '%s'.", printable(m.Name), cn, v.name)
		}
		if !validMountPath(m.MountPath) {
			return bad("InvalidVolumeMountPath", "The mount path '%s' of volume '%s' in container '%s' is invalid: it must be an absolute path other than '/', without '..' or control characters.", printable(m.MountPath), m.Name, cn)
		}
		if mounts[path.Clean(m.MountPath)] {
			return bad("DuplicateVolumeMountPath", "The mount path '%s' is used twice in container '%s'.", m.MountPath, cn)
		}
		mounts[path.Clean(m.MountPath)] = true
	}
	return nil
}

func (v *validation) resources(cp *containerProps, cn string) *core.APIError {
	if cp.Resources == nil || cp.Resources.Requests == nil {
		return bad("ResourceRequestsNotSpecified", "The resource requests of container '%s' in container group '%s' are not specified.", cn, v.name)
	}
	req := cp.Resources.Requests
	if e := req.check("request", cn, v.limits); e != nil {
		return e
	}
	if lim := cp.Resources.Limits; lim != nil {
		if e := lim.check("limit", cn, v.limits); e != nil {
			return e
		}
		if *lim.CPU < *req.CPU || *lim.Memory < *req.Memory {
			return bad("InvalidContainerResourceLimits", "The resource limits of container '%s' must not be below its requests.", cn)
		}
	}
	v.cpu += *req.CPU
	v.mem += *req.Memory
	return nil
}

func (v *validation) ipAddress(ip *ipAddressBody) *core.APIError {
	if ip == nil {
		return nil
	}
	if ip.Type != "Public" && ip.Type != "Private" {
		return bad("InvalidIpAddressType", "The IP address type '%s' is invalid. Allowed values are 'Public' and 'Private'.", printable(ip.Type))
	}
	if len(ip.Ports) > maxPortsPerIP {
		return bad("TooManyIpAddressPorts", "The IP address of container group '%s' has %d ports; at most %d are allowed.", v.name, len(ip.Ports), maxPortsPerIP)
	}
	seen := map[portBody]bool{}
	for _, pt := range ip.Ports {
		if pt == nil {
			return null("ipAddress.ports")
		}
		k, e := pt.normal()
		if e != nil {
			return e
		}
		if !v.exposed[k] {
			return bad("InvalidIpAddressPort", "The port '%d' in the IP address of container group '%s' is not exposed by any container.", k.Port, v.name)
		}
		if seen[k] {
			return bad("DuplicateIpAddressPort", "The port '%d' appears twice in the IP address of container group '%s'.", k.Port, v.name)
		}
		seen[k] = true
	}
	if l := ip.DNSNameLabel; l != "" && !dnsLabelRE.MatchString(l) {
		return bad("InvalidDnsNameLabel", "The DNS name label '%s' is invalid. It must be 3 to 63 characters of lower case letters, digits and '-', starting with a letter.", printable(l))
	}
	return nil
}

// normal checks a port and returns it with its protocol in canonical case.
func (p *portBody) normal() (portBody, *core.APIError) {
	if p.Port < 1 || p.Port > 65535 {
		return portBody{}, core.NewError(400, "InvalidContainerPort", fmt.Sprintf("The port '%d' is invalid. It must be between 1 and 65535.", p.Port))
	}
	proto := strings.ToUpper(orDefault(p.Protocol, "TCP"))
	if proto != "TCP" && proto != "UDP" {
		return portBody{}, core.NewError(400, "InvalidContainerPortProtocol", fmt.Sprintf("The protocol '%s' of port %d is invalid. Allowed values are 'TCP' and 'UDP'.", printable(p.Protocol), p.Port))
	}
	return portBody{p.Port, proto}, nil
}

func (r *resourceSet) check(kind, cn string, lim Limits) *core.APIError {
	bad := func(format string, a ...any) *core.APIError {
		return core.NewError(400, "InvalidContainerResourceRequests", fmt.Sprintf(format, a...))
	}
	if r.CPU == nil || math.IsNaN(*r.CPU) || *r.CPU <= 0 || *r.CPU > lim.MaxCPU {
		return bad("The CPU %s '%s' of container '%s' is invalid. It must be greater than 0 and at most %g cores.", kind, fmtPtr(r.CPU), cn, lim.MaxCPU)
	}
	if r.Memory == nil || math.IsNaN(*r.Memory) || *r.Memory < minMemoryGB || *r.Memory > lim.MaxMemoryGB {
		return bad("The memory %s '%s' GB of container '%s' is invalid. It must be at least %g and at most %g GB.", kind, fmtPtr(r.Memory), cn, minMemoryGB, lim.MaxMemoryGB)
	}
	if g := r.GPU; g != nil {
		if g.Count != 1 && g.Count != 2 && g.Count != 4 {
			return bad("The GPU count '%d' of container '%s' is invalid. Allowed values are 1, 2 and 4.", g.Count, cn)
		}
		if g.SKU != "K80" && g.SKU != "P100" && g.SKU != "V100" {
			return bad("The GPU sku '%s' of container '%s' is invalid. Allowed values are 'K80', 'P100' and 'V100'.", printable(g.SKU), cn)
		}
	}
	return nil
}

func (v *volumeBody) validate(gitAllowed func(string) bool) *core.APIError {
	bad := func(code, format string, a ...any) *core.APIError {
		return core.NewError(400, code, fmt.Sprintf(format, a...))
	}
	if len(v.Name) > 63 || !aciNameRE.MatchString(v.Name) {
		return bad("InvalidVolumeName", "The volume name '%s' is invalid. A valid volume name must consist of lower case alphanumeric characters or '-', must start and end with an alphanumeric character, and its length must be between 1 and 63.", printable(v.Name))
	}
	kinds := 0
	if len(v.EmptyDir) > 0 && string(v.EmptyDir) != "null" {
		kinds++
	}
	if v.Secret != nil {
		kinds++
		size := 0
		for k, val := range v.Secret {
			if !secretKeyRE.MatchString(k) || k == "." || k == ".." {
				return bad("InvalidSecretVolume", "The secret file name '%s' in volume '%s' is invalid: it must be 1 to 253 letters, digits, '-', '_' or '.', and not '.' or '..'.", printable(k), v.Name)
			}
			if !isBase64(val) {
				return bad("InvalidSecretVolume", "The value of secret '%s' in volume '%s' must be base64 encoded.", k, v.Name)
			}
			size += len(val) * 3 / 4
		}
		if size > maxSecretBytes {
			return bad("InvalidSecretVolume", "The secret volume '%s' holds %d bytes; at most %d are allowed.", v.Name, size, maxSecretBytes)
		}
	}
	if gr := v.GitRepo; gr != nil {
		kinds++
		if gr.Repository == "" {
			return bad("InvalidGitRepoVolume", "The git repository of volume '%s' is not specified.", v.Name)
		}
		if d := gr.Directory; d != "" && d != "." && !validRelPath(d) {
			return bad("InvalidGitRepoVolume", "The directory '%s' of git volume '%s' is invalid: it must be a relative path without '..'.", printable(d), v.Name)
		}
		if gr.Revision != "" && !gitRevRE.MatchString(gr.Revision) {
			return bad("InvalidGitRepoVolume", "The revision '%s' of git volume '%s' is invalid.", printable(gr.Revision), v.Name)
		}
		if gitAllowed != nil && !gitAllowed(gr.Repository) {
			return bad("InvalidGitRepoVolume", "aci local clones only repositories under the directories given to 'aci local start --git-repo-root'; '%s' is not one of them.", printable(gr.Repository))
		}
	}
	if af := v.AzureFile; af != nil {
		kinds++
		if af.ShareName == "" || af.StorageAccountName == "" {
			return bad("InvalidAzureFileVolume", "The Azure File volume '%s' needs a share name and a storage account name.", v.Name)
		}
	}
	if kinds != 1 {
		return bad("InvalidVolume", "The volume '%s' must have exactly one of emptyDir, secret, gitRepo and azureFile.", v.Name)
	}
	return nil
}

// validRelPath is a relative slash path that stays inside its base.
func validRelPath(p string) bool {
	if p == "" || len(p) > 1024 || strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\\\x00") {
		return false
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." || hasControl(seg) {
			return false
		}
	}
	return true
}

func validMountPath(p string) bool {
	if !strings.HasPrefix(p, "/") || len(p) > 1024 || path.Clean(p) == "/" || hasControl(p) {
		return false
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." {
			return false
		}
	}
	return true
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}

// printable keeps an echoed client value readable and bounded in an error.
func printable(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
	if len(s) > 100 {
		s = s[:100] + "..."
	}
	return s
}

func fmtPtr(f *float64) string {
	if f == nil {
		return "null"
	}
	return fmtFloat(*f)
}

func fmtFloat(f float64) string { return fmt.Sprintf("%g", f) }
