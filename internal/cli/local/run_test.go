package local

// The commands against a real aci local core started in this process on a
// state dir, with the runtime file the daemon writes: status, env, approve
// and the refusals of start, stop and reset, as a user sees them.

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/local/core"
	"github.com/aci-cli/aci/internal/local/coretest"
	"github.com/aci-cli/aci/internal/local/wire"
)

// instance is a running core whose state dir says it is running.
type instance struct {
	dir string
	h   *coretest.Harness
}

func startInstance(t *testing.T) *instance {
	t.Helper()
	dir := t.TempDir()
	h := coretest.StartWith(t, core.Options{StateDir: dir, Version: "test"}, nil)
	b, _ := json.Marshal(wire.RuntimeInfo{PID: os.Getpid(), Endpoint: h.Srv.BaseURL()})
	if err := os.WriteFile(wire.RuntimeFile(dir), b, 0o600); err != nil {
		t.Fatal(err)
	}
	return &instance{dir: dir, h: h}
}

// runLocal runs `aci local ARGS` and returns stdout, stderr and the error.
func runLocal(t *testing.T, f *cmdutil.Factory, args ...string) (string, string, error) {
	t.Helper()
	ios, _, out, errOut := cmdutil.Test()
	f.IO = ios
	if f.Globals.Output == "" {
		f.Globals.Output = "json"
	}
	cmd := NewCmd(f)
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

func TestStatusOfARunningInstance(t *testing.T) {
	in := startInstance(t)
	f := testFactory(t)
	out, _, err := runLocal(t, f, "status", "--state-dir", in.dir)
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	if st["running"] != true || st["endpoint"] != in.h.Srv.BaseURL() || st["stateDir"] != in.dir || st["pid"] != float64(os.Getpid()) ||
		(st["docker"] != "available" && st["docker"] != "unavailable") {
		t.Fatalf("status: %v", st)
	}
	// The pointer `start` leaves makes --state-dir unnecessary.
	if err := os.WriteFile(stateDirPointer(f), []byte(in.dir+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out2, _, err := runLocal(t, f, "status"); err != nil || !strings.Contains(out2, in.h.Srv.BaseURL()) {
		t.Fatalf("status through the pointer: %v %s", err, out2)
	}
	// A runtime file naming another process is not this instance.
	b, _ := json.Marshal(wire.RuntimeInfo{PID: os.Getpid() + 1, Endpoint: in.h.Srv.BaseURL()})
	os.WriteFile(wire.RuntimeFile(in.dir), b, 0o600)
	if _, _, err := runLocal(t, f, "status", "--state-dir", in.dir); err == nil || !strings.Contains(err.Error(), "is not running (state dir "+in.dir+")") {
		t.Fatalf("a stale pid: %v", err)
	}
}

func TestEnvPrintsWorkingLines(t *testing.T) {
	in := startInstance(t)
	f := testFactory(t)
	out, _, err := runLocal(t, f, "env", "--state-dir", in.dir)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(wire.PrincipalsFile(in.dir))
	var id wire.Principals
	if err := json.Unmarshal(b, &id); err != nil {
		t.Fatal(err)
	}
	ep := in.h.Srv.BaseURL()
	for _, want := range []string{
		"export REQUESTS_CA_BUNDLE=" + wire.CAFile(in.dir) + "\n",
		"export IDENTITY_ENDPOINT=" + ep + "/msi/token\n",
		"export IDENTITY_HEADER=" + id.MSISecret + "\n",
		"az cloud register -n local --endpoint-resource-manager " + ep + "/ --suffix-acr-login-server-endpoint .acr." + wire.LocalSuffix + " --suffix-storage-endpoint " + StorageSuffix(ep) + "\n",
		"az login --service-principal -u " + id.ClientID + " -p " + id.ClientSecret + " --tenant " + id.TenantID + "\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("env lacks %q:\n%s", want, out)
		}
	}
	// The printed principal is a working one.
	if tok := in.h.ClientCredentials(id.ClientID, id.ClientSecret, core.ARMAudience+"/.default"); tok == "" {
		t.Fatal("the printed principal gets no token")
	}
	if err := os.WriteFile(filepath.Join(in.dir, "hosts"), []byte("127.1.0.1 web.westus.azurecontainer.aci.localhost\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, _, err := runLocal(t, f, "env", "--state-dir", in.dir, "--hosts"); err != nil || out != "127.1.0.1 web.westus.azurecontainer.aci.localhost\n" {
		t.Fatalf("--hosts: %v %q", err, out)
	}
	if _, _, err := runLocal(t, f, "env", "--state-dir", t.TempDir()); err == nil || !strings.Contains(err.Error(), "aci local start --detach") {
		t.Fatalf("env without an instance: %v", err)
	}
}

func TestApproveCompletesADeviceSignIn(t *testing.T) {
	in := startInstance(t)
	resp, err := in.h.Client.PostForm(in.h.Srv.BaseURL()+"/adfs/oauth2/devicecode", url.Values{"client_id": {"04b07795-8ddb-461a-bbee-02f9e1bf7b46"}})
	if err != nil {
		t.Fatal(err)
	}
	var dc struct {
		UserCode   string `json:"user_code"`
		DeviceCode string `json:"device_code"`
	}
	json.NewDecoder(resp.Body).Decode(&dc)
	resp.Body.Close()
	if dc.UserCode == "" {
		t.Fatal("no device code")
	}
	poll := func() int {
		r, err := in.h.Client.PostForm(in.h.Srv.BaseURL()+"/adfs/oauth2/token", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"},
			"client_id": {"04b07795-8ddb-461a-bbee-02f9e1bf7b46"}, "device_code": {dc.DeviceCode}})
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		return r.StatusCode
	}
	if poll() == 200 {
		t.Fatal("a token before the approval")
	}
	f := testFactory(t)
	_, errOut, err := runLocal(t, f, "approve", dc.UserCode, "--state-dir", in.dir)
	if err != nil || !strings.Contains(errOut, "Approved: the sign-in waiting on "+dc.UserCode) {
		t.Fatalf("approve: %v %s", err, errOut)
	}
	if code := poll(); code != 200 {
		t.Fatalf("the device sign-in after approval answers %d", code)
	}
	if _, _, err := runLocal(t, f, "approve", "NOTACODE", "--state-dir", in.dir); cmdutil.ExitCode(err) != 1 || !strings.Contains(err.Error(), "is not waiting for a sign-in") {
		t.Fatalf("an unknown code: %v", err)
	}
	if _, _, err := runLocal(t, f, "approve"); cmdutil.ExitCode(err) == 0 {
		t.Fatal("approve without a code")
	}
}

func TestRefusalsOfStartStopAndReset(t *testing.T) {
	in := startInstance(t)
	f := testFactory(t)
	t.Setenv("ACI_LOCAL_PORT", "")
	if _, _, err := runLocal(t, f, "start", "--state-dir", in.dir, "--port", "0"); err == nil || !strings.Contains(err.Error(), "already running at "+in.h.Srv.BaseURL()) {
		t.Fatalf("a second start on one state dir: %v", err)
	}
	if _, _, err := runLocal(t, f, "reset", "--state-dir", in.dir); err == nil || !strings.Contains(err.Error(), "stop it first") {
		t.Fatalf("reset under a running instance: %v", err)
	}
	if _, _, err := runLocal(t, f, "start", "--state-dir", t.TempDir(), "--listen", "0.0.0.0"); cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "--allow-remote") {
		t.Fatalf("a listen address beyond loopback: %v", err)
	}
	if _, _, err := runLocal(t, f, "start", "--state-dir", t.TempDir(), "--port", "70000"); cmdutil.ExitCode(err) != 2 {
		t.Fatalf("--port 70000: %v", err)
	}
	if _, _, err := runLocal(t, f, "stop", "--state-dir", t.TempDir()); err == nil || err.Error() != "aci local is not running." {
		t.Fatalf("stop without an instance: %v", err)
	}
	// parse: relative paths become absolute, the remembered port is used,
	// and a bare --listen host takes the port.
	t.Chdir(t.TempDir())
	os.WriteFile(portPointer(f), []byte("8555\n"), 0o600)
	o := &startOptions{stateDir: "rel", gitRoots: []string{"repos"}, listen: "127.0.0.2"}
	if err := o.parse(f, false); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if o.stateDir != filepath.Join(wd, "rel") || o.gitRoots[0] != filepath.Join(wd, "repos") || o.port != 8555 || o.listen != "127.0.0.2:8555" || o.portGiven {
		t.Fatalf("parsed %+v", o)
	}
	o = &startOptions{stateDir: "/s", port: 9001, listen: "10.0.0.1", remote: true}
	ios, _, _, errOut := cmdutil.Test()
	f.IO = ios
	if err := o.parse(f, true); err != nil || o.listen != "10.0.0.1:9001" || !strings.Contains(errOut.String(), "WARNING: aci local listens on 10.0.0.1:9001") {
		t.Fatalf("--allow-remote: %v %+v %s", err, o, errOut)
	}
}

// configure is what start does once the server answers: register and
// select the cloud "local", then sign aci in with the instance's principal.
func TestConfigurePointsAciAtTheInstance(t *testing.T) {
	in := startInstance(t)
	f := testFactory(t)
	b, _ := os.ReadFile(wire.PrincipalsFile(in.dir))
	var id wire.Principals
	if err := json.Unmarshal(b, &id); err != nil {
		t.Fatal(err)
	}
	if err := configure(f, in.dir, in.h.Srv.BaseURL(), &id); err != nil {
		t.Fatal(err)
	}
	cfg, err := f.Config()
	if err != nil || cfg.Get("cloud", "name", "") != CloudName {
		t.Fatalf("the selected cloud: %v", err)
	}
	clouds, err := f.Clouds()
	if err != nil {
		t.Fatal(err)
	}
	c := clouds.Get(CloudName)
	if c == nil || strings.TrimSuffix(c.ResourceManager(), "/") != in.h.Srv.BaseURL() || c.CABundle != wire.CAFile(in.dir) ||
		c.Suffixes["storageEndpoint"] != StorageSuffix(in.h.Srv.BaseURL()) {
		t.Fatalf("registered cloud: %v %+v", err, c)
	}
	// The sign-in works: the account answers with the instance's subscription.
	cloud, sub, _, err := f.Account()
	if err != nil || cloud.Name != CloudName || sub.ID != in.h.Srv.Identity().SubscriptionID {
		t.Fatalf("account after configure: %v %v %+v", err, cloud, sub)
	}
}
