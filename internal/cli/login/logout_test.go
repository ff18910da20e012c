package login

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
)

// logout removes the named (or the default) user's subscriptions and
// nobody else's, and clears stored service principal secrets and tokens.
func TestLogoutRun(t *testing.T) {
	dir := t.TempDir()
	ios, _, _, _ := cmdutil.Test()
	f := &cmdutil.Factory{IO: ios, ConfigDir: dir}
	prof, err := arm.LoadProfile(dir)
	if err != nil {
		t.Fatal(err)
	}
	alice := arm.User{Name: "alice@example.com", Type: "user"}
	bob := arm.User{Name: "bob", Type: "servicePrincipal"}
	prof.Replace("AzureCloud", []arm.Subscription{
		{ID: "s1", Name: "one", User: alice, IsDefault: true, EnvironmentName: "AzureCloud"},
		{ID: "s2", Name: "two", User: bob, EnvironmentName: "AzureCloud"},
	})
	if err := prof.Save(); err != nil {
		t.Fatal(err)
	}
	if err := arm.SaveServicePrincipal(dir, arm.ServicePrincipal{ClientID: "bob", Tenant: "t", ClientSecret: "s3cret"}); err != nil {
		t.Fatal(err)
	}
	if err := logoutRun(&LogoutOptions{f: f}); err != nil {
		t.Fatal(err)
	}
	prof, err = arm.LoadProfile(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(prof.Subscriptions) != 1 || prof.Subscriptions[0].User.Name != "bob" {
		t.Fatalf("after logging out the default user: %+v", prof.Subscriptions)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if b, _ := os.ReadFile(filepath.Join(dir, e.Name())); strings.Contains(string(b), "s3cret") {
			t.Fatalf("%s still holds a service principal's secret", e.Name())
		}
	}
	if err := logoutRun(&LogoutOptions{f: f, Username: "bob"}); err != nil {
		t.Fatal(err)
	}
	if err := logoutRun(&LogoutOptions{f: f}); cmdutil.ExitCode(err) != 1 || !strings.Contains(err.Error(), "There are no active accounts.") {
		t.Fatalf("logout with nobody signed in: %v", err)
	}
	var got *LogoutOptions
	cmd := NewCmdLogout(f, func(o *LogoutOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--username", "carol"})
	if err := cmd.Execute(); err != nil || got.Username != "carol" {
		t.Fatalf("--username: %v %+v", err, got)
	}
}
