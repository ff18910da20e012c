// Package options is the ACI connector's command line, without Kubernetes'
// packages: aci defines `aci connector run`'s flags (for its help and
// reference pages) and hands them to the aci-connector binary unchanged.
package options

import (
	"os"
	"time"

	"github.com/spf13/pflag"
)

// Options are `aci connector run`'s flags.
type Options struct {
	ResourceGroup  string
	Location       string
	NodeName       string
	Kubeconfig     string
	OSType         string
	CPU            string
	Memory         string
	Pods           string
	GPU            string
	KubeletAddress string
	KubeletPort    int
	ClientCAFile   string
	TLSCertFile    string
	TLSKeyFile     string
	StatusInterval time.Duration
	Workers        int
	DeleteOnExit   bool
	Subscription   string
}

// Defaults are the seed's: ACI_RESOURCE_GROUP and ACI_REGION from the
// environment, the node named aci-connector, virtual-kubelet's capacity.
func Defaults() Options {
	addr := os.Getenv("VKUBELET_POD_IP")
	if addr == "" {
		addr = "127.0.0.1"
	}
	return Options{
		ResourceGroup:  os.Getenv("ACI_RESOURCE_GROUP"),
		Location:       os.Getenv("ACI_REGION"),
		NodeName:       "aci-connector",
		Kubeconfig:     os.Getenv("KUBECONFIG"),
		OSType:         "Linux",
		CPU:            "800",
		Memory:         "4Ti",
		Pods:           "800",
		GPU:            "0",
		KubeletAddress: addr,
		KubeletPort:    10250,
		StatusInterval: 5 * time.Second,
		Workers:        10,
	}
}

// AddFlags defines the flags on fs, bound to o.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVarP(&o.ResourceGroup, "resource-group", "g", o.ResourceGroup, "Name of resource group. The pods' container groups are created there. Default: $ACI_RESOURCE_GROUP.")
	fs.StringVarP(&o.Location, "location", "l", o.Location, "Location of the container groups. Default: $ACI_REGION, else the resource group's location.")
	fs.StringVar(&o.NodeName, "node-name", o.NodeName, "Name of the virtual node in Kubernetes.")
	fs.StringVar(&o.Kubeconfig, "kubeconfig", o.Kubeconfig, "The kubeconfig of the cluster. Default: $KUBECONFIG, else the in-cluster service account.")
	fs.StringVar(&o.OSType, "os-type", o.OSType, "The node's operating system.  Allowed values: Linux, Windows.")
	fs.StringVar(&o.CPU, "cpu", o.CPU, "CPU capacity the node advertises.")
	fs.StringVar(&o.Memory, "memory", o.Memory, "Memory capacity the node advertises.")
	fs.StringVar(&o.Pods, "pods", o.Pods, "Number of pods the node advertises.")
	fs.StringVar(&o.GPU, "gpu", o.GPU, "GPUs (nvidia.com/gpu) the node advertises.")
	fs.StringVar(&o.KubeletAddress, "kubelet-address", o.KubeletAddress, "Address of the node's kubelet API (its InternalIP), which the API server calls for logs and exec. Default: $VKUBELET_POD_IP, else 127.0.0.1.")
	fs.IntVar(&o.KubeletPort, "kubelet-port", o.KubeletPort, "Port of the node's kubelet API (0: any free port).")
	fs.StringVar(&o.ClientCAFile, "client-ca-file", o.ClientCAFile, "CA of the API server's kubelet client certificate (its --kubelet-client-certificate). Without it only bearer tokens reach the kubelet API, and kubectl logs and exec are refused.")
	fs.StringVar(&o.TLSCertFile, "tls-cert-file", o.TLSCertFile, "Serving certificate of the kubelet API. Default: a self-signed one.")
	fs.StringVar(&o.TLSKeyFile, "tls-key-file", o.TLSKeyFile, "Key of --tls-cert-file.")
	fs.DurationVar(&o.StatusInterval, "status-interval", o.StatusInterval, "How often running pods' status is read from ACI (starting pods: every second).")
	fs.IntVar(&o.Workers, "workers", o.Workers, "Pods created or deleted at once.")
	fs.BoolVar(&o.DeleteOnExit, "delete-groups-on-exit", o.DeleteOnExit, "Delete the node's container groups when the connector exits (by default they keep running).")
}

// Args is o as a command line for aci-connector run: only what differs
// from the defaults, so the environment still fills the rest there.
func (o *Options) Args(fs *pflag.FlagSet) []string {
	var args []string
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Changed {
			args = append(args, "--"+f.Name+"="+f.Value.String())
		}
	})
	return args
}
