package connector

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"

	aci "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerinstance/armcontainerinstance/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Objects reads what a pod refers to: ConfigMaps, Secrets and service
// account tokens (the pod's projected kube-api-access volume).
type Objects interface {
	ConfigMap(ctx context.Context, namespace, name string) (*corev1.ConfigMap, error)
	Secret(ctx context.Context, namespace, name string) (*corev1.Secret, error)
	ServiceAccountToken(ctx context.Context, pod *corev1.Pod, audience string, seconds int64) (string, error)
}

// Unsupported is a pod that asks for what ACI cannot do: the pod fails with
// Reason and one event saying Message, and no group is created.
type Unsupported struct{ Reason, Message string }

func (u *Unsupported) Error() string { return u.Message }

func unsupported(format string, a ...any) error {
	return &Unsupported{Reason: "UnsupportedPodSpec", Message: fmt.Sprintf(format, a...)}
}

// Defaults are what a container gets when its pod says nothing: ACI's (and
// az container create's) 1 core and 1.5 GB.
var (
	DefaultCPU      = 1.0
	DefaultMemoryGB = 1.5
	DefaultGPUSKU   = "K80"
)

// GPUResource is the extended resource a pod requests GPUs by.
const GPUResource corev1.ResourceName = "nvidia.com/gpu"

// GPUSKUAnnotation names the GPU SKU (K80, P100, V100) a pod wants.
const GPUSKUAnnotation = "aci.azure.com/gpu-sku"

// Target is where a pod's group goes.
type Target struct {
	Location string
	Node     string
	Cluster  string
	NodeIP   string
}

// converter turns one pod into one container group.
type converter struct {
	ctx  context.Context
	pod  *corev1.Pod
	obj  Objects
	t    Target
	vols map[string]bool
}

// Convert builds pod's container group, or says why ACI cannot run it.
func Convert(ctx context.Context, pod *corev1.Pod, obj Objects, t Target) (*aci.ContainerGroup, error) {
	c := &converter{ctx: ctx, pod: pod, obj: obj, t: t, vols: map[string]bool{}}
	if err := checkPod(pod); err != nil {
		return nil, err
	}
	props := &aci.ContainerGroupPropertiesProperties{
		OSType:        to(aci.OperatingSystemTypesLinux),
		RestartPolicy: to(restartPolicy(pod.Spec.RestartPolicy)),
	}
	if pod.Spec.NodeSelector[corev1.LabelOSStable] == "windows" {
		props.OSType = to(aci.OperatingSystemTypesWindows)
	}
	vols, err := c.volumes()
	if err != nil {
		return nil, err
	}
	props.Volumes = vols
	for i := range pod.Spec.InitContainers {
		ic, err := c.initContainer(&pod.Spec.InitContainers[i])
		if err != nil {
			return nil, err
		}
		props.InitContainers = append(props.InitContainers, ic)
	}
	for i := range pod.Spec.Containers {
		ct, err := c.container(&pod.Spec.Containers[i])
		if err != nil {
			return nil, err
		}
		props.Containers = append(props.Containers, ct)
	}
	props.IPAddress = groupIP(props.Containers)
	if props.ImageRegistryCredentials, err = c.pullCredentials(); err != nil {
		return nil, err
	}
	return &aci.ContainerGroup{
		Location:   to(t.Location),
		Tags:       c.tags(),
		Properties: props,
	}, nil
}

func (c *converter) tags() map[string]*string {
	tags := map[string]*string{
		TagNamespace: to(c.pod.Namespace),
		TagPod:       to(c.pod.Name),
		TagPodUID:    to(string(c.pod.UID)),
		TagNode:      to(c.t.Node),
	}
	if c.t.Cluster != "" {
		tags[TagCluster] = to(c.t.Cluster)
	}
	return tags
}

// checkPod refuses what no container group can be: the host's namespaces,
// privileged containers, host paths.
func checkPod(pod *corev1.Pod) error {
	s := pod.Spec
	switch {
	case s.HostNetwork:
		return unsupported("ACI cannot run pod %s/%s: hostNetwork is not supported (a container group has its own network).", pod.Namespace, pod.Name)
	case s.HostPID || s.HostIPC:
		return unsupported("ACI cannot run pod %s/%s: hostPID and hostIPC are not supported.", pod.Namespace, pod.Name)
	case len(s.EphemeralContainers) > 0:
		return unsupported("ACI cannot run pod %s/%s: ephemeral containers are not supported.", pod.Namespace, pod.Name)
	}
	for _, ct := range allContainers(pod) {
		if sc := ct.SecurityContext; sc != nil && sc.Privileged != nil && *sc.Privileged {
			return unsupported("ACI cannot run pod %s/%s: container %q is privileged, which ACI does not allow.", pod.Namespace, pod.Name, ct.Name)
		}
		if len(ct.Args) > 0 && len(ct.Command) == 0 {
			return unsupported("ACI cannot run pod %s/%s: container %q has args without a command; ACI replaces the image's entrypoint and cannot append to it. Give the command too.", pod.Namespace, pod.Name, ct.Name)
		}
	}
	for _, v := range s.Volumes {
		if v.HostPath != nil {
			return unsupported("ACI cannot run pod %s/%s: volume %q is a hostPath; ACI has no host to share.", pod.Namespace, pod.Name, v.Name)
		}
	}
	return nil
}

func allContainers(pod *corev1.Pod) []corev1.Container {
	return append(append([]corev1.Container{}, pod.Spec.InitContainers...), pod.Spec.Containers...)
}

func restartPolicy(p corev1.RestartPolicy) aci.ContainerGroupRestartPolicy {
	switch p {
	case corev1.RestartPolicyNever:
		return aci.ContainerGroupRestartPolicyNever
	case corev1.RestartPolicyOnFailure:
		return aci.ContainerGroupRestartPolicyOnFailure
	}
	return aci.ContainerGroupRestartPolicyAlways
}

func (c *converter) container(ct *corev1.Container) (*aci.Container, error) {
	env, err := c.env(ct)
	if err != nil {
		return nil, err
	}
	mounts, err := c.mounts(ct)
	if err != nil {
		return nil, err
	}
	res, err := resources(c.pod, ct)
	if err != nil {
		return nil, err
	}
	p := &aci.ContainerProperties{
		Image:                to(ct.Image),
		Command:              command(ct),
		EnvironmentVariables: env,
		VolumeMounts:         mounts,
		Resources:            res,
	}
	for _, port := range ct.Ports {
		proto := aci.ContainerNetworkProtocolTCP
		if port.Protocol == corev1.ProtocolUDP {
			proto = aci.ContainerNetworkProtocolUDP
		}
		p.Ports = append(p.Ports, &aci.ContainerPort{Port: to(port.ContainerPort), Protocol: to(proto)})
	}
	if p.LivenessProbe, err = c.probe(ct, ct.LivenessProbe, "liveness"); err != nil {
		return nil, err
	}
	if p.ReadinessProbe, err = c.probe(ct, ct.ReadinessProbe, "readiness"); err != nil {
		return nil, err
	}
	if ct.StartupProbe != nil {
		return nil, unsupported("ACI cannot run pod %s/%s: container %q has a startup probe; ACI has liveness and readiness probes only.", c.pod.Namespace, c.pod.Name, ct.Name)
	}
	return &aci.Container{Name: to(ct.Name), Properties: p}, nil
}

func (c *converter) initContainer(ct *corev1.Container) (*aci.InitContainerDefinition, error) {
	if ct.RestartPolicy != nil && *ct.RestartPolicy == corev1.ContainerRestartPolicyAlways {
		return nil, unsupported("ACI cannot run pod %s/%s: init container %q is a sidecar (restartPolicy: Always), which ACI's init containers cannot be.", c.pod.Namespace, c.pod.Name, ct.Name)
	}
	env, err := c.env(ct)
	if err != nil {
		return nil, err
	}
	mounts, err := c.mounts(ct)
	if err != nil {
		return nil, err
	}
	return &aci.InitContainerDefinition{Name: to(ct.Name), Properties: &aci.InitContainerPropertiesDefinition{
		Image: to(ct.Image), Command: command(ct), EnvironmentVariables: env, VolumeMounts: mounts,
	}}, nil
}

// command is Kubernetes' command + args as ACI's one command line, with
// $(VAR) expanded as the kubelet does.
func command(ct *corev1.Container) []*string {
	var out []*string
	for _, s := range append(append([]string{}, ct.Command...), ct.Args...) {
		out = append(out, to(expandEnv(s, ct)))
	}
	return out
}

func (c *converter) env(ct *corev1.Container) ([]*aci.EnvironmentVariable, error) {
	var out []*aci.EnvironmentVariable
	for _, from := range ct.EnvFrom {
		vars, err := c.envFrom(ct, from)
		if err != nil {
			return nil, err
		}
		out = append(out, vars...)
	}
	for _, e := range ct.Env {
		v, err := c.envVar(ct, e)
		if err != nil {
			return nil, err
		}
		if v != nil {
			out = append(out, v)
		}
	}
	return dedupEnv(out), nil
}

// dedupEnv keeps each name's last value (Kubernetes' rule: env over envFrom,
// later over earlier), in first-seen order.
func dedupEnv(vars []*aci.EnvironmentVariable) []*aci.EnvironmentVariable {
	last := map[string]int{}
	for i, v := range vars {
		last[*v.Name] = i
	}
	var out []*aci.EnvironmentVariable
	seen := map[string]bool{}
	for _, v := range vars {
		if seen[*v.Name] {
			continue
		}
		seen[*v.Name] = true
		out = append(out, vars[last[*v.Name]])
	}
	return out
}

func (c *converter) envFrom(ct *corev1.Container, from corev1.EnvFromSource) ([]*aci.EnvironmentVariable, error) {
	var out []*aci.EnvironmentVariable
	switch {
	case from.ConfigMapRef != nil:
		cm, err := c.obj.ConfigMap(c.ctx, c.pod.Namespace, from.ConfigMapRef.Name)
		if err != nil {
			if optional(from.ConfigMapRef.Optional) {
				return nil, nil
			}
			return nil, missing("ConfigMap", c.pod, from.ConfigMapRef.Name, err)
		}
		for _, k := range slices.Sorted(maps.Keys(cm.Data)) {
			out = append(out, &aci.EnvironmentVariable{Name: to(from.Prefix + k), Value: to(cm.Data[k])})
		}
	case from.SecretRef != nil:
		s, err := c.obj.Secret(c.ctx, c.pod.Namespace, from.SecretRef.Name)
		if err != nil {
			if optional(from.SecretRef.Optional) {
				return nil, nil
			}
			return nil, missing("Secret", c.pod, from.SecretRef.Name, err)
		}
		for _, k := range slices.Sorted(maps.Keys(s.Data)) {
			out = append(out, &aci.EnvironmentVariable{Name: to(from.Prefix + k), SecureValue: to(string(s.Data[k]))})
		}
	}
	return out, nil
}

// envVar resolves one variable; a Secret's value travels as a secure value,
// which the service never returns.
// keyRef reads one key of a ConfigMap or Secret for env var env of
// container ct: ok is false (and err nil) when an optional object or key is
// missing.
func (c *converter) keyRef(kind, name, key string, opt *bool, env, ct string, get func() (map[string][]byte, error)) (string, bool, error) {
	data, err := get()
	if err != nil {
		if optional(opt) {
			return "", false, nil
		}
		return "", false, missing(kind, c.pod, name, err)
	}
	v, ok := data[key]
	if !ok {
		if optional(opt) {
			return "", false, nil
		}
		return "", false, fmt.Errorf("%s %s/%s has no key %q (env %s of container %s)", kind, c.pod.Namespace, name, key, env, ct)
	}
	return string(v), true, nil
}

func (c *converter) envVar(ct *corev1.Container, e corev1.EnvVar) (*aci.EnvironmentVariable, error) {
	if e.ValueFrom == nil {
		return &aci.EnvironmentVariable{Name: to(e.Name), Value: to(expandEnv(e.Value, ct))}, nil
	}
	vf := e.ValueFrom
	switch {
	case vf.ConfigMapKeyRef != nil:
		ref := vf.ConfigMapKeyRef
		v, ok, err := c.keyRef("ConfigMap", ref.Name, ref.Key, ref.Optional, e.Name, ct.Name, func() (map[string][]byte, error) {
			cm, err := c.obj.ConfigMap(c.ctx, c.pod.Namespace, ref.Name)
			if err != nil {
				return nil, err
			}
			data := make(map[string][]byte, len(cm.Data))
			for k, v := range cm.Data {
				data[k] = []byte(v)
			}
			return data, nil
		})
		if err != nil || !ok {
			return nil, err
		}
		return &aci.EnvironmentVariable{Name: to(e.Name), Value: to(v)}, nil
	case vf.SecretKeyRef != nil:
		ref := vf.SecretKeyRef
		v, ok, err := c.keyRef("Secret", ref.Name, ref.Key, ref.Optional, e.Name, ct.Name, func() (map[string][]byte, error) {
			s, err := c.obj.Secret(c.ctx, c.pod.Namespace, ref.Name)
			if err != nil {
				return nil, err
			}
			return s.Data, nil
		})
		if err != nil || !ok {
			return nil, err
		}
		return &aci.EnvironmentVariable{Name: to(e.Name), SecureValue: to(v)}, nil
	case vf.FieldRef != nil:
		v, err := c.field(vf.FieldRef.FieldPath)
		if err != nil {
			return nil, err
		}
		return &aci.EnvironmentVariable{Name: to(e.Name), Value: to(v)}, nil
	case vf.ResourceFieldRef != nil:
		return nil, unsupported("ACI cannot run pod %s/%s: env %s of container %q uses resourceFieldRef, which the connector does not resolve.", c.pod.Namespace, c.pod.Name, e.Name, ct.Name)
	}
	return nil, unsupported("ACI cannot run pod %s/%s: env %s of container %q has a source the connector does not know.", c.pod.Namespace, c.pod.Name, e.Name, ct.Name)
}

// podIPPlaceholder stands for status.podIP until the group has its address
// (the group is created, its IP read, and the value set in place).
const podIPPlaceholder = "$(ACI_CONNECTOR_POD_IP)"

func (c *converter) field(p string) (string, error) {
	pod := c.pod
	switch p {
	case "metadata.name":
		return pod.Name, nil
	case "metadata.namespace":
		return pod.Namespace, nil
	case "metadata.uid":
		return string(pod.UID), nil
	case "spec.nodeName":
		return pod.Spec.NodeName, nil
	case "spec.serviceAccountName":
		return pod.Spec.ServiceAccountName, nil
	case "status.hostIP", "status.hostIPs":
		return c.t.NodeIP, nil
	case "status.podIP", "status.podIPs":
		return podIPPlaceholder, nil
	}
	if k, ok := fieldKey(p, "metadata.labels"); ok {
		return pod.Labels[k], nil
	}
	if k, ok := fieldKey(p, "metadata.annotations"); ok {
		return pod.Annotations[k], nil
	}
	return "", unsupported("ACI cannot run pod %s/%s: fieldRef %q is not supported.", pod.Namespace, pod.Name, p)
}

func fieldKey(p, prefix string) (string, bool) {
	rest, ok := strings.CutPrefix(p, prefix+"['")
	if !ok {
		return "", false
	}
	return strings.CutSuffix(rest, "']")
}

// expandEnv does Kubernetes' $(VAR) expansion against the container's
// literal variables defined before use ($$ escapes).
func expandEnv(v string, ct *corev1.Container) string {
	if !strings.Contains(v, "$(") {
		return v
	}
	vals := map[string]string{}
	for _, e := range ct.Env {
		if e.ValueFrom == nil {
			vals[e.Name] = e.Value
		}
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '$' && i+1 < len(v) && v[i+1] == '$' {
			b.WriteByte('$')
			i++
			continue
		}
		if v[i] == '$' && i+1 < len(v) && v[i+1] == '(' {
			if end := strings.IndexByte(v[i:], ')'); end > 0 {
				name := v[i+2 : i+end]
				if val, ok := vals[name]; ok {
					b.WriteString(val)
					i += end
					continue
				}
			}
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

func optional(b *bool) bool { return b != nil && *b }

func missing(kind string, pod *corev1.Pod, name string, err error) error {
	return fmt.Errorf("%s %s/%s, which pod %s uses, cannot be read: %v", kind, pod.Namespace, name, pod.Name, err)
}

// resources maps requests and limits: ACI wants cores and GB in steps of
// 0.01 and 0.1; a request missing is its limit, else ACI's default.
func resources(pod *corev1.Pod, ct *corev1.Container) (*aci.ResourceRequirements, error) {
	req, lim := ct.Resources.Requests, ct.Resources.Limits
	cpu := pick(req, lim, corev1.ResourceCPU)
	mem := pick(req, lim, corev1.ResourceMemory)
	r := &aci.ResourceRequirements{Requests: &aci.ResourceRequests{CPU: to(DefaultCPU), MemoryInGB: to(DefaultMemoryGB)}}
	if cpu != nil {
		r.Requests.CPU = to(math.Max(0.01, math.Ceil(float64(cpu.MilliValue())/10)/100))
	}
	if mem != nil {
		r.Requests.MemoryInGB = to(math.Max(0.1, math.Ceil(float64(mem.Value())/1e8)/10))
	}
	if l := lim.Cpu(); l != nil && !l.IsZero() {
		r.Limits = &aci.ResourceLimits{CPU: to(math.Max(0.01, math.Ceil(float64(l.MilliValue())/10)/100))}
	}
	if l := lim.Memory(); l != nil && !l.IsZero() {
		if r.Limits == nil {
			r.Limits = &aci.ResourceLimits{}
		}
		r.Limits.MemoryInGB = to(math.Max(0.1, math.Ceil(float64(l.Value())/1e8)/10))
	}
	if g := pick(req, lim, GPUResource); g != nil && !g.IsZero() {
		sku := DefaultGPUSKU
		if s := pod.Annotations[GPUSKUAnnotation]; s != "" {
			sku = s
		}
		r.Requests.Gpu = &aci.GpuResource{Count: to(int32(g.Value())), SKU: to(aci.GpuSKU(sku))}
	}
	return r, nil
}

func pick(req, lim corev1.ResourceList, name corev1.ResourceName) *resource.Quantity {
	if q, ok := req[name]; ok {
		return &q
	}
	if q, ok := lim[name]; ok {
		return &q
	}
	return nil
}

func (c *converter) probe(ct *corev1.Container, p *corev1.Probe, kind string) (*aci.ContainerProbe, error) {
	if p == nil {
		return nil, nil
	}
	out := &aci.ContainerProbe{
		InitialDelaySeconds: nonZero(p.InitialDelaySeconds),
		PeriodSeconds:       nonZero(p.PeriodSeconds),
		FailureThreshold:    nonZero(p.FailureThreshold),
		SuccessThreshold:    nonZero(p.SuccessThreshold),
		TimeoutSeconds:      nonZero(p.TimeoutSeconds),
	}
	switch {
	case p.Exec != nil:
		out.Exec = &aci.ContainerExec{}
		for _, s := range p.Exec.Command {
			out.Exec.Command = append(out.Exec.Command, to(s))
		}
	case p.HTTPGet != nil:
		port, err := probePort(ct, p.HTTPGet.Port.String())
		if err != nil {
			return nil, unsupported("ACI cannot run pod %s/%s: the %s probe of container %q: %v.", c.pod.Namespace, c.pod.Name, kind, ct.Name, err)
		}
		g := &aci.ContainerHTTPGet{Port: to(port), Path: to(p.HTTPGet.Path)}
		if p.HTTPGet.Scheme == corev1.URISchemeHTTPS {
			g.Scheme = to(aci.SchemeHTTPS)
		} else {
			g.Scheme = to(aci.SchemeHTTP)
		}
		for _, h := range p.HTTPGet.HTTPHeaders {
			g.HTTPHeaders = append(g.HTTPHeaders, &aci.HTTPHeader{Name: to(h.Name), Value: to(h.Value)})
		}
		out.HTTPGet = g
	default:
		return nil, unsupported("ACI cannot run pod %s/%s: the %s probe of container %q is not exec or httpGet, the only probes ACI has.", c.pod.Namespace, c.pod.Name, kind, ct.Name)
	}
	return out, nil
}

func probePort(ct *corev1.Container, p string) (int32, error) {
	if n, err := strconv.Atoi(p); err == nil {
		return int32(n), nil
	}
	for _, cp := range ct.Ports {
		if cp.Name == p {
			return cp.ContainerPort, nil
		}
	}
	return 0, fmt.Errorf("no port named %q", p)
}

func nonZero(n int32) *int32 {
	if n == 0 {
		return nil
	}
	return &n
}

// groupIP exposes every container port on the group's address (the pod IP).
func groupIP(cs []*aci.Container) *aci.IPAddress {
	var ports []*aci.Port
	seen := map[string]bool{}
	for _, c := range cs {
		for _, p := range c.Properties.Ports {
			proto := aci.ContainerGroupNetworkProtocolTCP
			if p.Protocol != nil && *p.Protocol == aci.ContainerNetworkProtocolUDP {
				proto = aci.ContainerGroupNetworkProtocolUDP
			}
			key := fmt.Sprint(*p.Port, proto)
			if !seen[key] {
				seen[key] = true
				ports = append(ports, &aci.Port{Port: p.Port, Protocol: to(proto)})
			}
		}
	}
	if len(ports) == 0 {
		return nil
	}
	return &aci.IPAddress{Type: to(aci.ContainerGroupIPAddressTypePublic), Ports: ports}
}

// dockerConfig is a kubernetes.io/dockerconfigjson Secret's payload.
type dockerConfig struct {
	Auths map[string]struct {
		Username string `json:"username"`
		Password string `json:"password"`
		Auth     string `json:"auth"`
	} `json:"auths"`
}

func (c *converter) pullCredentials() ([]*aci.ImageRegistryCredential, error) {
	var out []*aci.ImageRegistryCredential
	for _, ref := range c.pod.Spec.ImagePullSecrets {
		s, err := c.obj.Secret(c.ctx, c.pod.Namespace, ref.Name)
		if err != nil {
			return nil, missing("Secret", c.pod, ref.Name, err)
		}
		raw, ok := s.Data[corev1.DockerConfigJsonKey]
		if !ok {
			return nil, fmt.Errorf("image pull secret %s/%s is not of type %s", c.pod.Namespace, ref.Name, corev1.SecretTypeDockerConfigJson)
		}
		var dc dockerConfig
		if err := json.Unmarshal(raw, &dc); err != nil {
			return nil, fmt.Errorf("image pull secret %s/%s: %v", c.pod.Namespace, ref.Name, err)
		}
		for _, server := range slices.Sorted(maps.Keys(dc.Auths)) {
			a := dc.Auths[server]
			user, pass := a.Username, a.Password
			if user == "" && a.Auth != "" {
				if b, err := base64.StdEncoding.DecodeString(a.Auth); err == nil {
					user, pass, _ = strings.Cut(string(b), ":")
				}
			}
			host := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(server, "https://"), "http://"), "/")
			out = append(out, &aci.ImageRegistryCredential{Server: to(host), Username: to(user), Password: to(pass)})
		}
	}
	return out, nil
}

func (c *converter) mounts(ct *corev1.Container) ([]*aci.VolumeMount, error) {
	var out []*aci.VolumeMount
	for _, m := range ct.VolumeMounts {
		if m.SubPath != "" || m.SubPathExpr != "" {
			return nil, unsupported("ACI cannot run pod %s/%s: volume mount %q of container %q uses subPath, which ACI does not have.", c.pod.Namespace, c.pod.Name, m.Name, ct.Name)
		}
		if !c.vols[m.Name] {
			return nil, unsupported("ACI cannot run pod %s/%s: container %q mounts volume %q, which the pod does not define.", c.pod.Namespace, c.pod.Name, ct.Name, m.Name)
		}
		vm := &aci.VolumeMount{Name: to(m.Name), MountPath: to(path.Clean(m.MountPath))}
		if m.ReadOnly {
			vm.ReadOnly = to(true)
		}
		out = append(out, vm)
	}
	return out, nil
}

func to[T any](v T) *T { return &v }
