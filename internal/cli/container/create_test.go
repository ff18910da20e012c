package container

// create's run function on fakes: the location it defaults to, what it
// sends with and without --file, the key lookup for Azure File volumes.

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
)

type sent struct {
	apiVersion string
	body       map[string]any
}

func createDeps(t *testing.T, svc *fakeService, out *sent) deps {
	t.Helper()
	d, _, _ := fakeDeps(t, svc, "json", false)
	d.Location = func(_ context.Context, rg string) (string, error) {
		if rg == "missing" {
			return "", &arm.Error{StatusCode: 404, Code: "ResourceGroupNotFound", Message: "Resource group 'missing' could not be found."}
		}
		return "westeurope", nil
	}
	d.AccountKey = func(_ context.Context, account string) (string, error) {
		if account == "nokeys" {
			return "", errors.New("Storage account 'nokeys' not found.")
		}
		return "key-of-" + account, nil
	}
	svc.put = func(rg, name, apiVersion string, body any) (arm.Raw, error) {
		b, _ := json.Marshal(body)
		out.apiVersion, out.body = apiVersion, nil
		json.Unmarshal(b, &out.body)
		return arm.Raw(cg(name, "Running", 0)), nil
	}
	return d
}

// parseCreate runs create's command line to its options (runF captures them).
func parseCreate(t *testing.T, d deps, args ...string) (*CreateOptions, error) {
	t.Helper()
	var got *CreateOptions
	cmd := newCreateWith(d, func(o *CreateOptions) error { got = o; return nil })
	cmd.SetArgs(cmdutil.ExpandNArgs(cmd, args))
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if err := cmd.Execute(); err != nil {
		return nil, err
	}
	return got, nil
}

func TestCreateRunFromFlags(t *testing.T) {
	svc := &fakeService{}
	var s sent
	d := createDeps(t, svc, &s)
	o, err := parseCreate(t, d, "-g", "rg", "-n", "web", "--image", "nginx", "--azure-file-volume-share-name", "data",
		"--azure-file-volume-account-name", "acct", "--azure-file-volume-mount-path", "/data")
	if err != nil {
		t.Fatal(err)
	}
	if err := createRun(o); err != nil {
		t.Fatal(err)
	}
	if s.body["location"] != "westeurope" || s.apiVersion != "" || svc.calls[0] != "put rg/web wait=true" {
		t.Fatalf("sent %v %q %v", s.body["location"], s.apiVersion, svc.calls)
	}
	af := s.body["properties"].(map[string]any)["volumes"].([]any)[0].(map[string]any)["azureFile"].(map[string]any)
	if af["storageAccountKey"] != "key-of-acct" {
		t.Fatalf("the key looked up: %v", af)
	}
	// --location is kept; --no-wait prints nothing.
	svc.calls = nil
	o, _ = parseCreate(t, d, "-g", "rg", "-n", "web", "--image", "nginx", "-l", "eastus", "--no-wait")
	d2, out, _ := fakeDeps(t, svc, "json", false)
	o.deps.f = d2.f
	if err := createRun(o); err != nil || s.body["location"] != "eastus" || out.Len() != 0 || svc.calls[0] != "put rg/web wait=false" {
		t.Fatalf("--no-wait: %v %v %q %v", err, s.body["location"], out, svc.calls)
	}
	// A group that does not exist is az's 404 (exit 3), before any PUT.
	svc.calls = nil
	o, _ = parseCreate(t, d, "-g", "missing", "-n", "web", "--image", "nginx")
	if err := createRun(o); cmdutil.ExitCode(err) != 3 || len(svc.calls) != 0 {
		t.Fatalf("missing group: %v %v", err, svc.calls)
	}
	// A key that cannot be found refuses the create, naming the flag to use.
	if _, err := parseCreate(t, d, "-g", "rg", "-n", "web", "--image", "nginx", "--azure-file-volume-share-name", "data",
		"--azure-file-volume-account-name", "nokeys", "--azure-file-volume-mount-path", "/data"); err == nil || !strings.Contains(err.Error(), "--azure-file-volume-account-key") {
		t.Fatalf("no key: %v", err)
	}
}

func TestCreateRunFromFile(t *testing.T) {
	svc := &fakeService{}
	var s sent
	d := createDeps(t, svc, &s)
	dir := t.TempDir()
	file := filepath.Join(dir, "group.yaml")
	os.WriteFile(file, []byte(`apiVersion: 2023-05-01
name: fromfile
properties:
  osType: Linux
  containers:
  - name: app
    properties:
      image: nginx
      resources: {requests: {cpu: 1, memoryInGB: 1.5}}
  volumes:
  - name: data
    azureFile: {shareName: data, storageAccountName: acct}
`), 0o600)
	o, err := parseCreate(t, d, "-g", "rg", "-f", file)
	if err != nil {
		t.Fatal(err)
	}
	if err := createRun(o); err != nil {
		t.Fatal(err)
	}
	vol := s.body["properties"].(map[string]any)["volumes"].([]any)[0].(map[string]any)["azureFile"].(map[string]any)
	if s.apiVersion != "2023-05-01" || s.body["name"] != "fromfile" || s.body["location"] != "westeurope" || vol["storageAccountKey"] != "key-of-acct" ||
		svc.calls[0] != "put rg/fromfile wait=true" {
		t.Fatalf("sent %q %v, calls %v", s.apiVersion, s.body, svc.calls)
	}
	// -n must match the file's name; one of them is needed.
	o, _ = parseCreate(t, d, "-g", "rg", "-f", file, "-n", "other")
	if err := createRun(o); err == nil || err.Error() != "The name parameter and name from yaml definition must match." {
		t.Fatalf("name mismatch: %v", err)
	}
	nameless := filepath.Join(dir, "nameless.yaml")
	os.WriteFile(nameless, []byte("properties:\n  containers: []\n"), 0o600)
	o, _ = parseCreate(t, d, "-g", "rg", "-f", nameless)
	if err := createRun(o); err == nil || err.Error() != "The name of the container group is required" {
		t.Fatalf("no name: %v", err)
	}
	o, _ = parseCreate(t, d, "-g", "rg", "-f", nameless, "-n", "given", "-l", "northeurope")
	if err := createRun(o); err != nil || s.body["name"] != "given" || s.body["location"] != "northeurope" {
		t.Fatalf("-n and -l with a nameless file: %v %v", err, s.body)
	}
}
