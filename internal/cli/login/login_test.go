package login_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/clitest"
)

// TestServicePrincipalOnCustomCloud logs in with a client secret against a
// registered custom cloud whose authority is ADFS-style, as aci local publishes.
func TestServicePrincipalOnCustomCloud(t *testing.T) {
	s := clitest.NewServer(t)
	e := &clitest.Env{T: t, Server: s, ConfigDir: t.TempDir(), HTTPClient: s.Client()}
	if r := e.Run("cloud", "register", "--name", "custom", "--endpoint-resource-manager", s.URL+"/"); r.Code != 0 {
		t.Fatal(r)
	}
	r := e.Run("cloud", "show", "-n", "custom", "--query", "endpoints.activeDirectory", "-o", "tsv")
	if r.Stdout != s.URL+"/adfs\n" {
		t.Fatalf("metadata not used: %+v", r)
	}
	e.Run("cloud", "set", "--name", "custom")
	r = e.Run("login", "--service-principal", "-u", "app", "-p", "s3cr3t-value", "--tenant", clitest.Tenant, "--debug")
	if r.Code != 0 {
		t.Fatalf("login: %+v", r)
	}
	if !strings.Contains(r.Stdout, `"cloudName": "custom"`) || !strings.Contains(r.Stdout, `"type": "servicePrincipal"`) {
		t.Fatalf("login output: %s", r.Stdout)
	}
	if !strings.Contains(r.Stderr, "DEBUG: Request URL:") {
		t.Fatalf("--debug logged nothing: %s", r.Stderr)
	}
	for _, secret := range []string{"s3cr3t-value", "eyJ"} {
		if strings.Contains(r.Stderr, secret) {
			t.Fatalf("--debug leaked %q:\n%s", secret, r.Stderr)
		}
	}
	st, err := os.Stat(filepath.Join(e.ConfigDir, "service_principal_entries.json"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secret file mode: %v %v", st, err)
	}
	// Later commands reuse the stored principal; --debug shows no bearer token.
	s.Add("GET", "/subscriptions/"+clitest.Subscription+"/resourcegroups", clitest.Response{Status: 200, Body: `{"value":[]}`})
	r = e.Run("group", "list", "--debug")
	if r.Code != 0 || r.Stdout != "[]\n" || strings.Contains(r.Stderr, "Bearer ey") || !strings.Contains(r.Stderr, "'Authorization': 'REDACTED'") {
		t.Fatalf("group list: %+v", r)
	}
	if r := e.Run("logout"); r.Code != 0 {
		t.Fatal(r)
	}
	if r := e.Run("group", "list"); r.Code != 1 || r.Stderr != "ERROR: Please run 'aci login' to setup account.\n" {
		t.Fatalf("after logout: %+v", r)
	}
}

func TestWrongSecret(t *testing.T) {
	s := clitest.NewServer(t)
	e := &clitest.Env{T: t, Server: s, ConfigDir: t.TempDir(), HTTPClient: s.Client()}
	e.Run("cloud", "register", "--name", "custom", "--endpoint-resource-manager", s.URL+"/")
	e.Run("cloud", "set", "--name", "custom")
	r := e.Run("login", "--service-principal", "-u", "app", "-p", "wrong", "--tenant", clitest.Tenant)
	if r.Code != 1 || !strings.HasPrefix(r.Stderr, "ERROR: Authentication failed") || strings.Contains(r.Stderr, "wrong") {
		t.Fatalf("%+v", r)
	}
}
