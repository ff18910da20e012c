package connector

import (
	"errors"
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/cli/cmdutil"
)

func testFactory(t *testing.T) (*cmdutil.Factory, struct{}) {
	io, _, _, _ := cmdutil.Test()
	return &cmdutil.Factory{IO: io, ConfigDir: t.TempDir()}, struct{}{}
}

// Flags given to `aci connector run` reach aci-connector as given; flags
// left alone stay out, so its environment defaults still apply there.
func TestRunHandsChangedFlagsToTheBinary(t *testing.T) {
	t.Setenv("ACI_RESOURCE_GROUP", "")
	f, _ := testFactory(t)
	var got *RunOptions
	cmd := NewCmdRun(f, func(o *RunOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"-g", "k8s", "--node-name", "vk", "--kubelet-port", "0"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	want := "run --kubelet-port=0 --node-name=vk --resource-group=k8s"
	if strings.Join(got.Args, " ") != want {
		t.Fatalf("args = %q, want %q", got.Args, want)
	}
}

func TestRunNeedsAResourceGroup(t *testing.T) {
	t.Setenv("ACI_RESOURCE_GROUP", "")
	f, _ := testFactory(t)
	cmd := NewCmdRun(f, func(*RunOptions) error { t.Fatal("ran"); return nil })
	cmd.SetArgs(nil)
	err := cmd.Execute()
	if cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "--resource-group") {
		t.Fatalf("err = %v", err)
	}
}

func TestRunFromTheSeedsEnvironment(t *testing.T) {
	t.Setenv("ACI_RESOURCE_GROUP", "from-env")
	f, _ := testFactory(t)
	var got *RunOptions
	cmd := NewCmdRun(f, func(o *RunOptions) error { got = o; return nil })
	cmd.SetArgs(nil)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.ResourceGroup != "from-env" || strings.Join(got.Args, " ") != "run" {
		t.Fatalf("rg %q args %q", got.ResourceGroup, got.Args)
	}
}

func TestRunWithoutTheBinary(t *testing.T) {
	o := &RunOptions{Find: func() (string, error) { return "", errors.New("aci connector needs the aci-connector binary") },
		Launch: func(string, []string, []string) error { t.Fatal("launched"); return nil }}
	if err := connectorRun(o); err == nil || !strings.Contains(err.Error(), "aci-connector binary") {
		t.Fatalf("err = %v", err)
	}
}

func TestRunLaunchesTheBinaryFound(t *testing.T) {
	var bin string
	var args []string
	o := &RunOptions{Args: []string{"run", "--resource-group=x"}, Find: func() (string, error) { return "/opt/aci-connector", nil },
		Launch: func(b string, a, _ []string) error { bin, args = b, a; return nil }}
	if err := connectorRun(o); err != nil {
		t.Fatal(err)
	}
	if bin != "/opt/aci-connector" || strings.Join(args, " ") != "run --resource-group=x" {
		t.Fatalf("launched %s %v", bin, args)
	}
}

// The manifest takes the service principal from the seed's variables
// (AZURE_CLIENT_KEY included) unless flags say otherwise.
func TestManifestFromTheEnvironment(t *testing.T) {
	t.Setenv("AZURE_CLIENT_ID", "cid")
	t.Setenv("AZURE_CLIENT_SECRET", "")
	t.Setenv("AZURE_CLIENT_KEY", "seed-key")
	t.Setenv("AZURE_TENANT_ID", "tid")
	t.Setenv("AZURE_SUBSCRIPTION_ID", "sid")
	io, _, out, _ := cmdutil.Test()
	f := &cmdutil.Factory{IO: io, ConfigDir: t.TempDir()}
	cmd := NewCmdManifest(f, nil)
	cmd.SetArgs([]string{"-g", "k8s", "-l", "westus", "--tenant-id", "flag-tenant"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`AZURE_CLIENT_ID: "cid"`, `AZURE_CLIENT_SECRET: "seed-key"`, `AZURE_TENANT_ID: "flag-tenant"`,
		`ACI_RESOURCE_GROUP: "k8s"`, `ACI_REGION: "westus"`, "kind: Deployment", "name: system:auth-delegator"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("manifest lacks %q", want)
		}
	}
}
