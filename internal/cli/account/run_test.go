package account

// The commands over a fake Deps: which subscription and scopes they ask
// for, and what they print and refuse.

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/config"
)

type fake struct {
	dir       string
	profile   *arm.Profile
	cloud     *arm.Cloud
	asked     []string // --subscription values asked for
	scopes    []string
	extended  *bool
	tokenErr  error
	locations []any
}

func newFake(t *testing.T) *fake {
	dir := t.TempDir()
	p, err := arm.LoadProfile(dir)
	if err != nil {
		t.Fatal(err)
	}
	p.Subscriptions = append(p.Subscriptions, []arm.Subscription{
		{ID: "sub-1", Name: "Dev", State: "Enabled", EnvironmentName: "AzureCloud", TenantID: "t1", IsDefault: true, User: arm.User{Name: "u", Type: "user"}},
		{ID: "sub-2", Name: "Old", State: "Disabled", EnvironmentName: "AzureCloud", TenantID: "t1", User: arm.User{Name: "u", Type: "user"}},
		{ID: "sub-3", Name: "Gov", State: "Enabled", EnvironmentName: "AzureUSGovernment", TenantID: "t2", User: arm.User{Name: "u", Type: "user"}},
	}...)
	cfg, err := config.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	clouds, err := arm.LoadClouds(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &fake{profile: p, cloud: clouds.Get("AzureCloud"), dir: dir}
}

func (fk *fake) deps() *Deps {
	return &Deps{
		Account: func(sub string) (*arm.Cloud, *arm.Subscription, *arm.Profile, error) {
			fk.asked = append(fk.asked, sub)
			if sub == "" {
				for i := range fk.profile.Subscriptions {
					if s := &fk.profile.Subscriptions[i]; s.IsDefault && s.EnvironmentName == fk.cloud.Name {
						return fk.cloud, s, fk.profile, nil
					}
				}
				return fk.cloud, nil, fk.profile, nil
			}
			s, ok := fk.profile.Find(fk.cloud.Name, sub)
			if !ok {
				return nil, nil, nil, errors.New("Subscription '" + sub + "' not found.")
			}
			return fk.cloud, s, fk.profile, nil
		},
		Locations: func(_ context.Context, extended bool) ([]any, error) {
			fk.extended = &extended
			return fk.locations, nil
		},
		Token: func(_ context.Context, scopes []string) (azcore.AccessToken, string, error) {
			fk.scopes = scopes
			return azcore.AccessToken{Token: "tok", ExpiresOn: time.Unix(1700000000, 0)}, "client-sub", fk.tokenErr
		},
	}
}

func (fk *fake) run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	ios, _, out, errOut := cmdutil.Test()
	f := &cmdutil.Factory{IO: ios, ConfigDir: t.TempDir(), Globals: cmdutil.Globals{Output: "json"}}
	cmd := NewCmdWith(f, fk.deps())
	cmd.SetArgs(cmdutil.ExpandNArgs(cmd, args))
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

func TestShowAndList(t *testing.T) {
	fk := newFake(t)
	out, _, err := fk.run(t, "show", "-s", "Dev")
	var m map[string]any
	if err != nil || json.Unmarshal([]byte(out), &m) != nil || m["id"] != "sub-1" || m["environmentName"] != "AzureCloud" || !reflect.DeepEqual(fk.asked, []string{"Dev"}) {
		t.Fatalf("show -s Dev: %v %s %v", err, out, fk.asked)
	}
	if _, _, err := fk.run(t, "show", "-n", "nope"); cmdutil.ExitCode(err) != 1 || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("show an unknown subscription: %v", err)
	}
	out, errOut, err := fk.run(t, "list")
	var l []map[string]any
	if err != nil || json.Unmarshal([]byte(out), &l) != nil || len(l) != 1 || l[0]["cloudName"] != "AzureCloud" ||
		!strings.Contains(errOut, "A few accounts are skipped as they don't have 'Enabled' state") {
		t.Fatalf("list: %v %s %s", err, out, errOut)
	}
	out, errOut, _ = fk.run(t, "list", "--all")
	json.Unmarshal([]byte(out), &l)
	if len(l) != 3 || errOut != "" {
		t.Fatalf("--all lists every cloud's, disabled too: %d %q", len(l), errOut)
	}
	fk.profile.Subscriptions = nil
	out, errOut, _ = fk.run(t, "list")
	if out != "[]\n" || !strings.Contains(errOut, `Please run "aci login" to access your accounts.`) {
		t.Fatalf("logged out: %q %q", out, errOut)
	}
	if _, _, err := fk.run(t, "show"); err == nil || !strings.Contains(err.Error(), arm.ErrNotLoggedIn.Error()) {
		t.Fatalf("show logged out: %v", err)
	}
}

func TestSet(t *testing.T) {
	fk := newFake(t)
	if _, _, err := fk.run(t, "set"); cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "--subscription/-s/--name/-n") {
		t.Fatalf("set without a name: %v", err)
	}
	if _, _, err := fk.run(t, "set", "-s", "Gov"); err == nil || err.Error() != "The subscription of 'Gov' doesn't exist in cloud 'AzureCloud'." {
		t.Fatalf("another cloud's subscription: %v", err)
	}
	if _, _, err := fk.run(t, "set", "-n", "sub-2"); err != nil {
		t.Fatal(err)
	}
	reloaded, _ := arm.LoadProfile(fk.dir)
	def := map[string]bool{}
	for _, s := range reloaded.Subscriptions {
		def[s.ID] = s.IsDefault
	}
	if def["sub-1"] || !def["sub-2"] {
		t.Fatalf("after set -n sub-2, saved defaults: %v", def)
	}
}

func TestListLocations(t *testing.T) {
	fk := newFake(t)
	fk.locations = []any{map[string]any{"name": "westus", "displayName": "West US", "id": "/subscriptions/s/locations/westus"}}
	out, _, err := fk.run(t, "list-locations", "--include-extended-locations", "yes")
	if err != nil || fk.extended == nil || !*fk.extended || !strings.Contains(out, `"displayName": "West US"`) {
		t.Fatalf("list-locations: %v %s", err, out)
	}
	if _, _, err := fk.run(t, "list-locations", "--include-extended-locations", "maybe"); cmdutil.ExitCode(err) != 2 {
		t.Fatalf("a value that is not a boolean: %v", err)
	}
}

func TestGetAccessToken(t *testing.T) {
	fk := newFake(t)
	out, _, err := fk.run(t, "get-access-token")
	var m map[string]any
	if err != nil || json.Unmarshal([]byte(out), &m) != nil {
		t.Fatalf("%v %s", err, out)
	}
	if m["accessToken"] != "tok" || m["tokenType"] != "Bearer" || m["expires_on"] != 1700000000.0 || m["subscription"] != "sub-1" || m["tenant"] != "t1" ||
		m["expiresOn"] != time.Unix(1700000000, 0).Local().Format("2006-01-02 15:04:05.000000") {
		t.Fatalf("token: %v", m)
	}
	if want := []string{fk.cloud.Audience() + "/.default"}; !reflect.DeepEqual(fk.scopes, want) {
		t.Fatalf("ARM's scope by default: %v, want %v", fk.scopes, want)
	}
	fk.run(t, "get-access-token", "--resource", "https://storage.azure.com/")
	if !reflect.DeepEqual(fk.scopes, arm.ResourceScopes("https://storage.azure.com/")) {
		t.Fatalf("--resource: %v", fk.scopes)
	}
	fk.run(t, "get-access-token", "--scope", "a/.default", "b/.default")
	if !reflect.DeepEqual(fk.scopes, []string{"a/.default", "b/.default"}) {
		t.Fatalf("--scope: %v", fk.scopes)
	}
	if _, _, err := fk.run(t, "get-access-token", "--resource", "r", "--scope", "s"); cmdutil.ExitCode(err) != 2 {
		t.Fatalf("--resource with --scope: %v", err)
	}
	if _, _, err := fk.run(t, "get-access-token", "--resource-type", "ms-graph"); cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "Allowed values: arm.") {
		t.Fatalf("--resource-type: %v", err)
	}
	fk.tokenErr = errors.New("The login has expired. Please run 'aci login' again.")
	if _, _, err := fk.run(t, "get-access-token"); cmdutil.ExitCode(err) != 1 || !strings.Contains(err.Error(), "has expired") {
		t.Fatalf("a failed token: %v", err)
	}
	// Logged out of the subscription: the client's subscription is printed.
	fk.tokenErr = nil
	fk.profile.Subscriptions = nil
	out, _, _ = fk.run(t, "get-access-token")
	if json.Unmarshal([]byte(out), &m); m["subscription"] != "client-sub" {
		t.Fatalf("no subscription: %v", m)
	}
}
