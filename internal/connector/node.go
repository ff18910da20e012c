package connector

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"runtime"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Taint is virtual-kubelet's ACI taint: only pods that tolerate it (or name
// the node) are placed here.
const (
	TaintKey   = "virtual-kubelet.io/provider"
	TaintValue = "azure"
)

// NodeOptions describe the virtual node.
type NodeOptions struct {
	Name     string
	OSType   string // Linux or Windows
	CPU      string
	Memory   string
	Pods     string
	GPU      string
	Location string
	// Address and Port are the kubelet API's (the node's InternalIP).
	Address string
	Port    int
	Version string
}

// ConfigureNode fills the node object virtual-kubelet registers: labels and
// taint as virtual-kubelet's ACI provider sets them, capacity, addresses and
// the kubelet endpoint the API server calls for logs and exec.
func ConfigureNode(n *corev1.Node, o NodeOptions) error {
	os := "linux"
	if o.OSType == "Windows" {
		os = "windows"
	}
	if n.Labels == nil {
		n.Labels = map[string]string{}
	}
	for k, v := range map[string]string{
		"type":                   "virtual-kubelet",
		"kubernetes.io/role":     "agent",
		"kubernetes.io/hostname": o.Name,
		corev1.LabelOSStable:     os,
		corev1.LabelArchStable:   runtime.GOARCH,
		"beta.kubernetes.io/os":  os,
		"alpha.service-controller.kubernetes.io/exclude-balancer": "true",
		"node.kubernetes.io/exclude-from-external-load-balancers": "true",
		corev1.LabelTopologyRegion:                                o.Location,
	} {
		if v != "" {
			n.Labels[k] = v
		}
	}
	n.Spec.Taints = append(n.Spec.Taints, corev1.Taint{Key: TaintKey, Value: TaintValue, Effect: corev1.TaintEffectNoSchedule})
	list := corev1.ResourceList{}
	for name, v := range map[corev1.ResourceName]string{
		corev1.ResourceCPU: o.CPU, corev1.ResourceMemory: o.Memory, corev1.ResourcePods: o.Pods, GPUResource: o.GPU,
	} {
		if v == "" {
			continue
		}
		q, err := resource.ParseQuantity(v)
		if err != nil {
			return err
		}
		list[name] = q
	}
	n.Status.Capacity = list
	n.Status.Allocatable = list.DeepCopy()
	n.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: o.Address}, {Type: corev1.NodeHostName, Address: o.Name}}
	n.Status.DaemonEndpoints = corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: int32(o.Port)}}
	for i := range n.Status.Conditions {
		if c := &n.Status.Conditions[i]; c.Type != corev1.NodeReady && c.Status == "" {
			c.Status, c.Reason = corev1.ConditionFalse, "ACI"
			c.Message = "ACI runs each pod in a container group of its own"
		}
	}
	n.Status.NodeInfo.OperatingSystem = os
	n.Status.NodeInfo.Architecture = runtime.GOARCH
	n.Status.NodeInfo.KubeletVersion = o.Version
	n.Status.NodeInfo.ContainerRuntimeVersion = "aci://" + o.Version
	return nil
}

// selfSigned is a serving certificate for the kubelet API when none is
// given: the API server does not check a kubelet's certificate unless it is
// told a CA (--kubelet-certificate-authority), and then one must be given.
func selfSigned(name, address string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Minute),
		NotAfter:     time.Now().AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{name},
	}
	if ip := net.ParseIP(address); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
