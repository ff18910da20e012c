package cloud

import (
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
)

// stack is an Azure Stack-like endpoint that publishes its metadata.
func stack(t *testing.T, status int) *httptest.Server {
	t.Helper()
	s := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metadata/endpoints" || r.URL.Query().Get("api-version") != "2015-01-01" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
		w.Write([]byte(`{"galleryEndpoint":"https://gallery.stack/","graphEndpoint":"https://graph.stack/","portalEndpoint":"https://portal.stack/",
			"authentication":{"loginEndpoint":"https://login.stack/adfs","audiences":["https://management.stack/abc"]}}`))
	}))
	t.Cleanup(s.Close)
	return s
}

func factory(t *testing.T, s *httptest.Server) (*cmdutil.Factory, *strings.Builder) {
	ios, _, _, _ := cmdutil.Test()
	var b strings.Builder
	ios.ErrOut = &b
	f := &cmdutil.Factory{IO: ios, ConfigDir: t.TempDir(), Globals: cmdutil.Globals{Output: "json"}}
	if s != nil {
		f.HTTPClient = s.Client()
	}
	return f, &b
}

func TestRegisterFromMetadata(t *testing.T) {
	s := stack(t, 200)
	// The cloud's own CA bundle is what the metadata is fetched with.
	f, _ := factory(t, nil)
	ca := filepath.Join(t.TempDir(), "stack-ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := registerRun(f, &registerOptions{name: "stack", rm: s.URL + "/", storage: "blob.stack", caBundle: ca}); err != nil {
		t.Fatal(err)
	}
	cs, _ := f.Clouds()
	c := cs.Get("stack")
	want := map[string]string{"resourceManager": s.URL + "/", "activeDirectory": "https://login.stack/adfs", "gallery": "https://gallery.stack/",
		"activeDirectoryGraphResourceId": "https://graph.stack/", "portal": "https://portal.stack/",
		"activeDirectoryResourceId": "https://management.stack/abc", "management": "https://management.stack/abc"}
	for k, v := range want {
		if c.Endpoints[k] != v {
			t.Errorf("endpoint %s = %q, want %q", k, c.Endpoints[k], v)
		}
	}
	if c.Suffixes["storageEndpoint"] != "blob.stack" || c.CABundle != ca || c.BuiltIn {
		t.Fatalf("cloud %+v", c)
	}
	// update changes what is given and keeps the rest, fetching nothing.
	if err := registerRun(f, &registerOptions{name: "stack", update: true, acr: ".acr.stack", rm: "https://other/"}); err != nil {
		t.Fatal(err)
	}
	cs, _ = f.Clouds()
	if c := cs.Get("stack"); c.Suffixes["acrLoginServerEndpoint"] != ".acr.stack" || c.Endpoints["resourceManager"] != "https://other/" ||
		c.Endpoints["activeDirectory"] != "https://login.stack/adfs" {
		t.Fatalf("after update %+v", c)
	}
}

func TestRegisterRefusals(t *testing.T) {
	f, _ := factory(t, stack(t, 500))
	for _, c := range []struct {
		o    registerOptions
		code int
		msg  string
	}{
		{registerOptions{}, 2, "--name/-n"},
		{registerOptions{name: "x"}, 2, "--endpoint-resource-manager"},
		{registerOptions{name: "AzureCloud", rm: "https://x/"}, 1, "The cloud 'AzureCloud' is already registered."},
		{registerOptions{name: "AzureCloud", update: true}, 1, "not a custom cloud"},
		{registerOptions{name: "ghost", update: true}, 1, "The cloud 'ghost' is not registered."},
		{registerOptions{name: "x", rm: "https://127.0.0.1:1/"}, 1, "Unable to get endpoints from the cloud"},
	} {
		err := registerRun(f, &c.o)
		if cmdutil.ExitCode(err) != c.code || err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%+v: %v (exit %d), want %d %q", c.o, err, cmdutil.ExitCode(err), c.code, c.msg)
		}
	}
	s := stack(t, 500)
	f, _ = factory(t, s)
	if err := registerRun(f, &registerOptions{name: "x", rm: s.URL}); err == nil || !strings.Contains(err.Error(), "500 Internal Server Error") {
		t.Fatalf("a failing metadata endpoint: %v", err)
	}
	// With the login endpoint given, no metadata is needed; without one, none is found.
	if err := registerRun(f, &registerOptions{name: "y", rm: s.URL, ad: "https://login/"}); err != nil {
		t.Fatal(err)
	}
	cs, _ := f.Clouds()
	if c := cs.Get("y"); c == nil || c.Endpoints["activeDirectory"] != "https://login/" {
		t.Fatalf("y: %+v", c)
	}
}

func TestSetAndUnregister(t *testing.T) {
	s := stack(t, 200)
	f, errOut := factory(t, s)
	if err := registerRun(f, &registerOptions{name: "stack", rm: s.URL}); err != nil {
		t.Fatal(err)
	}
	if err := setRun(f, "stack"); err != nil || errOut.String() != "WARNING: Switched active cloud to 'stack'.\nWARNING: Use 'aci login' to log in to this cloud.\n" {
		t.Fatalf("set: %v %q", err, errOut.String())
	}
	errOut.Reset()
	if err := setRun(f, "stack"); err != nil || errOut.Len() != 0 {
		t.Fatalf("setting the active cloud again says nothing: %v %q", err, errOut.String())
	}
	if err := unregisterRun(f, "stack"); err == nil || !strings.Contains(err.Error(), "currently active") {
		t.Fatalf("unregister the active cloud: %v", err)
	}
	// With a login in the cloud, set does not ask for one.
	prof, _ := arm.LoadProfile(f.ConfigDir)
	prof.Subscriptions = append(prof.Subscriptions, arm.Subscription{ID: "s", EnvironmentName: "AzureCloud", State: "Enabled"})
	prof.Save()
	errOut.Reset()
	if err := setRun(f, "AzureCloud"); err != nil || errOut.String() != "WARNING: Switched active cloud to 'AzureCloud'.\n" {
		t.Fatalf("set AzureCloud: %v %q", err, errOut.String())
	}
	if err := unregisterRun(f, "stack"); err != nil {
		t.Fatal(err)
	}
	if err := showRun(f, "stack"); err == nil || err.Error() != "The cloud 'stack' is not registered." {
		t.Fatalf("show after unregister: %v", err)
	}
	if err := unregisterRun(f, ""); cmdutil.ExitCode(err) != 2 {
		t.Fatalf("unregister without -n: %v", err)
	}
}
