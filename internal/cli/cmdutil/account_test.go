package cmdutil

// Which cloud, subscription and credential an invocation uses: aci's own
// login, --subscription, an existing az login read in place, the
// environment, or none (az's "Please run login" error).

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/aci-cli/aci/internal/arm"
)

func saveProfile(t *testing.T, dir string, subs ...arm.Subscription) {
	t.Helper()
	p, err := arm.LoadProfile(dir)
	if err != nil {
		t.Fatal(err)
	}
	p.Subscriptions = subs
	if err := p.Save(); err != nil {
		t.Fatal(err)
	}
}

func sub(id, name, cloud string, def bool) arm.Subscription {
	return arm.Subscription{ID: id, Name: name, State: "Enabled", EnvironmentName: cloud, IsDefault: def, TenantID: "t",
		User: arm.User{Name: "app", Type: "servicePrincipal"}}
}

func TestAccountResolution(t *testing.T) {
	t.Setenv("AZURE_CONFIG_DIR", t.TempDir()) // an empty az: nothing to fall back on
	f, _, _, _ := factory(t, "")
	saveProfile(t, f.ConfigDir, sub("s1", "Dev", "AzureCloud", true), sub("s2", "Prod", "AzureCloud", false), sub("s3", "Gov", "AzureUSGovernment", true))
	cloud, s, _, err := f.Account()
	if err != nil || cloud.Name != "AzureCloud" || s.ID != "s1" {
		t.Fatalf("default: %v %v %+v", err, cloud, s)
	}
	f.Globals.Subscription = "Prod"
	if _, s, _, err := f.Account(); err != nil || s.ID != "s2" {
		t.Fatalf("--subscription by name: %v %+v", err, s)
	}
	f.Globals.Subscription = "s3"
	if _, _, _, err := f.Account(); err == nil || err.Error() != "The subscription of 's3' doesn't exist in cloud 'AzureCloud'." {
		t.Fatalf("another cloud's subscription: %v", err)
	}
	// The active cloud decides which default applies.
	f, _, _, _ = factory(t, "[cloud]\nname = AzureUSGovernment\n")
	saveProfile(t, f.ConfigDir, sub("s1", "Dev", "AzureCloud", true), sub("s3", "Gov", "AzureUSGovernment", true))
	if cloud, s, _, err := f.Account(); err != nil || cloud.Name != "AzureUSGovernment" || s.ID != "s3" {
		t.Fatalf("gov cloud: %v %v %+v", err, cloud, s)
	}
	// Logged out: no subscription, and ARM() says to log in.
	f, _, _, _ = factory(t, "")
	t.Setenv("AZURE_SUBSCRIPTION_ID", "")
	if _, s, _, err := f.Account(); err != nil || s != nil {
		t.Fatalf("logged out: %v %+v", err, s)
	}
	if _, err := f.ARM(); !errors.Is(err, arm.ErrNotLoggedIn) {
		t.Fatalf("ARM logged out: %v", err)
	}
}

func TestAzLoginIsReadInPlace(t *testing.T) {
	az := t.TempDir()
	t.Setenv("AZURE_CONFIG_DIR", az)
	saveProfile(t, az, sub("az-1", "AzSub", "AzureCloud", true), sub("az-2", "AzOther", "AzureCloud", false))
	f, _, _, _ := factory(t, "")
	cloud, s, _, err := f.Account()
	if err != nil || s == nil || s.ID != "az-1" || cloud.Name != "AzureCloud" || f.azDir != az {
		t.Fatalf("az's login: %v %+v %q", err, s, f.azDir)
	}
	f, _, _, _ = factory(t, "")
	f.Globals.Subscription = "AzOther"
	if _, s, _, err := f.Account(); err != nil || s.ID != "az-2" {
		t.Fatalf("az's login with --subscription: %v %+v", err, s)
	}
	// A service principal of az's login is looked for in az's dir; none
	// there is az's "Please run login".
	f, _, _, _ = factory(t, "")
	if _, err := f.ARM(); !errors.Is(err, arm.ErrNotLoggedIn) {
		t.Fatalf("no secret for az's service principal: %v", err)
	}
	// An identity login of az's (a service principal with
	// assignedIdentityInfo) is a managed identity, not a missing secret.
	az2 := t.TempDir()
	t.Setenv("AZURE_CONFIG_DIR", az2)
	msi := sub("az-3", "MsiSub", "AzureCloud", true)
	msi.User = arm.User{Name: "userAssignedIdentity", Type: "servicePrincipal", AssignedIdentityInfo: "MSIClient-1234"}
	saveProfile(t, az2, msi)
	f, _, _, _ = factory(t, "")
	if c, err := f.ARM(); err != nil || c.Subscription != "az-3" || c.Cred == nil {
		t.Fatalf("az's identity login: %v %+v", err, c)
	}
	if id, ok := msi.User.ManagedIdentity(); !ok || id != "1234" {
		t.Fatalf("ManagedIdentity() = %q %v", id, ok)
	}
	if _, ok := (arm.User{Type: "servicePrincipal", Name: "app"}).ManagedIdentity(); ok {
		t.Fatal("a plain service principal is no managed identity")
	}
	if id, ok := (arm.User{Type: "managedIdentity", ClientID: "old"}).ManagedIdentity(); !ok || id != "old" {
		t.Fatal("earlier aci profiles still read")
	}
	t.Setenv("AZURE_CONFIG_DIR", az)
	// aci's own login wins over az's.
	f, _, _, _ = factory(t, "")
	saveProfile(t, f.ConfigDir, sub("aci-1", "Mine", "AzureCloud", true))
	if _, s, _, err := f.Account(); err != nil || s.ID != "aci-1" || f.azDir != "" {
		t.Fatalf("aci's login first: %v %+v", err, s)
	}
	// The same dir as ours is not read twice.
	f, _, _, _ = factory(t, "")
	f.ConfigDir = az
	if _, _, _, ok := f.azAccount(); ok {
		t.Fatal("az's dir is aci's own")
	}
}

type fixedCred struct{ tok string }

func (c fixedCred) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if c.tok == "" {
		return azcore.AccessToken{}, errors.New("no token here")
	}
	return azcore.AccessToken{Token: c.tok, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func TestARMClientAndCredentials(t *testing.T) {
	t.Setenv("AZURE_CONFIG_DIR", t.TempDir())
	f, _, _, _ := factory(t, "")
	saveProfile(t, f.ConfigDir, sub("s1", "Dev", "AzureCloud", true))
	f.Credential = fixedCred{"t"}
	c, err := f.ARM()
	if err != nil || c.Subscription != "s1" {
		t.Fatalf("client: %v %+v", err, c)
	}
	if c2, _ := f.ARM(); c2 != c {
		t.Fatal("one client per invocation")
	}
	// A service principal login finds its secret in the config dir.
	f, _, _, _ = factory(t, "")
	saveProfile(t, f.ConfigDir, sub("s1", "Dev", "AzureCloud", true))
	if _, err := f.ARM(); !errors.Is(err, arm.ErrNotLoggedIn) {
		t.Fatalf("no stored secret: %v", err)
	}
	if err := os.WriteFile(filepath.Join(f.ConfigDir, "service_principal_entries.json"),
		[]byte(`[{"client_id":"app","tenant":"t","client_secret":"x"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	if c, err := f.ARM(); err != nil || c.Subscription != "s1" || c.Cred == nil {
		t.Fatalf("service principal: %v %+v", err, c)
	}
	// A user whose sign-in is gone gets a credential that says so.
	f, _, _, _ = factory(t, "")
	u := sub("s1", "Dev", "AzureCloud", true)
	u.User = arm.User{Name: "someone@example.com", Type: "user"}
	saveProfile(t, f.ConfigDir, u)
	c, err = f.ARM()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"x/.default"}}); err == nil || !strings.Contains(err.Error(), "aci login") {
		t.Fatalf("an expired user login: %v", err)
	}
	// The chain answers with the first credential that can.
	tok, err := chain{fixedCred{}, fixedCred{"second"}}.GetToken(context.Background(), policy.TokenRequestOptions{})
	if err != nil || tok.Token != "second" {
		t.Fatalf("chain: %v %+v", err, tok)
	}
	if _, err := (chain{fixedCred{}, fixedCred{}}).GetToken(context.Background(), policy.TokenRequestOptions{}); err == nil || strings.Count(err.Error(), "no token here") != 2 {
		t.Fatalf("chain of failures keeps each: %v", err)
	}
	// ClientOptions: --debug and --verbose write to stderr.
	f.Globals.Debug = true
	o, _ := f.ClientOptions(nil)
	if o.Debug == nil || o.Verbose == nil || o.Version != f.Version {
		t.Fatalf("debug options %+v", o)
	}
}

func TestContextCarriesPollDelay(t *testing.T) {
	f, _, _, _ := factory(t, "")
	ctx, cancel := context.WithCancel(context.Background())
	f.Ctx = ctx
	f.Intervals.LRO = 3 * time.Millisecond
	c := f.Context()
	cancel()
	if c.Err() == nil {
		t.Fatal("the command's context is the one main cancels")
	}
	f.Ctx = nil
	if f.Context() == nil {
		t.Fatal("a background context without one")
	}
}
