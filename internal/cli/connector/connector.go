// Package connector implements `aci connector`: the ACI connector for
// Kubernetes. `run` hands its flags to the aci-connector binary (found
// beside aci, as aci-local is), so that aci never links client-go;
// `manifest` prints what runs the connector inside a cluster.
package connector

import (
	"errors"
	"io"
	"os"
	"os/exec"

	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/connector/options"
	"github.com/aci-cli/aci/internal/local/wire"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// NewCmd builds `aci connector`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "connector",
		Short: "Run Kubernetes pods as container groups: a virtual node (the ACI connector for Kubernetes).",
		Long: "The ACI connector registers a node in a Kubernetes cluster; every pod placed on it (by nodeName,\n" +
			"or by tolerating its taint virtual-kubelet.io/provider=azure:NoSchedule) runs as a container group,\n" +
			"on Azure or on aci local, with kubectl logs and exec reaching it.",
	}
	cmd.AddCommand(NewCmdRun(f, nil), NewCmdManifest(f, nil))
	return cmd
}

// RunOptions are `aci connector run`'s.
type RunOptions struct {
	options.Options
	// Args is the aci-connector command line built from the flags given.
	Args []string
	// Launch runs the binary (tests replace it).
	Launch func(bin string, args, env []string) error
	Find   func() (string, error)
}

// NewCmdRun builds `aci connector run`; runF replaces connectorRun in tests.
func NewCmdRun(f *cmdutil.Factory, runF func(*RunOptions) error) *cobra.Command {
	o := &RunOptions{Options: options.Defaults(), Find: wire.ConnectorBinary, Launch: launcher(f)}
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the virtual node in the foreground until interrupted.",
		Long: "Signs in as every aci command does (aci's login, az's, the environment's service principal -\n" +
			"AZURE_CLIENT_ID, AZURE_CLIENT_SECRET or the seed's AZURE_CLIENT_KEY, AZURE_TENANT_ID,\n" +
			"AZURE_SUBSCRIPTION_ID - or a managed identity) against the active cloud, so Azure and aci local\n" +
			"work the same. Container groups keep running when it exits, unless --delete-groups-on-exit.",
		Example: "  aci connector run -g k8s --kubeconfig ~/.kube/config\n" +
			"  ACI_RESOURCE_GROUP=k8s aci connector run --client-ca-file /etc/kubernetes/pki/ca.crt",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.ResourceGroup == "" {
				return cmdutil.UsageError("the following arguments are required: --resource-group/-g")
			}
			o.Args = append([]string{"run"}, o.Options.Args(cmd.Flags())...)
			if f.Globals.Subscription != "" {
				o.Args = append(o.Args, "--subscription="+f.Globals.Subscription)
			}
			if runF != nil {
				return runF(o)
			}
			return connectorRun(o)
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

func connectorRun(o *RunOptions) error {
	bin, err := o.Find()
	if err != nil {
		return cmdutil.Fail("%v", err)
	}
	return o.Launch(bin, o.Args, nil)
}

// launcher runs aci-connector on our streams with aci's configuration
// directory; its exit status becomes ours.
func launcher(f *cmdutil.Factory) func(bin string, args, env []string) error {
	return func(bin string, args, env []string) error {
		c := exec.CommandContext(f.Context(), bin, args...)
		c.Env = append(append(os.Environ(), "ACI_CONFIG_DIR="+f.ConfigDir), env...)
		c.Stdin, c.Stdout, c.Stderr = f.IO.In, f.IO.Out, f.IO.ErrOut
		c.Cancel = func() error { return c.Process.Signal(os.Interrupt) }
		err := c.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() > 0 {
			return cmdutil.SilentExit(ee.ExitCode())
		}
		return err
	}
}

// ManifestOptions are `aci connector manifest`'s.
type ManifestOptions struct {
	options.Manifest
	Out io.Writer
}

// NewCmdManifest builds `aci connector manifest`.
func NewCmdManifest(f *cmdutil.Factory, runF func(*ManifestOptions) error) *cobra.Command {
	o := &ManifestOptions{}
	cmd := &cobra.Command{
		Use:   "manifest",
		Short: "Print the Kubernetes objects that run the connector inside a cluster.",
		Long: "A service account with its RBAC roles, a Secret with the service principal (the seed's\n" +
			"environment variables), and a Deployment of the connector. Apply it with kubectl apply -f -.",
		Example: "  aci connector manifest -g k8s -l westus | kubectl apply -f -",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Out = f.IO.Out
			fillFromEnv(cmd.Flags(), &o.Manifest)
			if runF != nil {
				return runF(o)
			}
			return o.Write(o.Out)
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&o.ResourceGroup, "resource-group", "g", os.Getenv("ACI_RESOURCE_GROUP"), "Name of resource group for the pods' container groups.")
	fs.StringVarP(&o.Location, "location", "l", os.Getenv("ACI_REGION"), "Location of the container groups (default: the resource group's).")
	fs.StringVar(&o.Namespace, "namespace", "kube-system", "Namespace the connector runs in.")
	fs.StringVar(&o.NodeName, "node-name", "aci-connector", "Name of the virtual node.")
	fs.StringVar(&o.Image, "image", "ghcr.io/aci-cli/aci-connector:latest", "Image holding the aci-connector binary.")
	fs.StringVar(&o.ClientID, "client-id", "", "Service principal's client ID. Default: $AZURE_CLIENT_ID.")
	fs.StringVar(&o.ClientSecret, "client-secret", "", "Service principal's secret. Default: $AZURE_CLIENT_SECRET or $AZURE_CLIENT_KEY.")
	fs.StringVar(&o.TenantID, "tenant-id", "", "Tenant ID. Default: $AZURE_TENANT_ID.")
	fs.StringVar(&o.SubscriptionID, "subscription-id", "", "Subscription ID. Default: $AZURE_SUBSCRIPTION_ID.")
	return cmd
}

// fillFromEnv takes the service principal from the environment where a flag
// was not given (the seed's variable names included).
func fillFromEnv(fs *pflag.FlagSet, m *options.Manifest) {
	set := func(flag string, dst *string, vars ...string) {
		if fs.Changed(flag) {
			return
		}
		for _, v := range vars {
			if s := os.Getenv(v); s != "" {
				*dst = s
				return
			}
		}
	}
	set("client-id", &m.ClientID, "AZURE_CLIENT_ID")
	set("client-secret", &m.ClientSecret, "AZURE_CLIENT_SECRET", "AZURE_CLIENT_KEY")
	set("tenant-id", &m.TenantID, "AZURE_TENANT_ID")
	set("subscription-id", &m.SubscriptionID, "AZURE_SUBSCRIPTION_ID")
}
