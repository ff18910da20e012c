// Package auth signs aci in: it turns a login request (service principal,
// managed identity, device code) into a credential, proves it with a token,
// lists the subscriptions it sees and records them (and a service principal's
// secret) in the profile. Commands (aci login, aci local start) call it; it
// knows nothing of flags or output.
package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/aci-cli/aci/internal/arm"
)

// Request is what to sign in with.
type Request struct {
	Username, Password, Tenant, Certificate string
	ServicePrincipal, Identity, DeviceCode  bool
	AllowNoSubscriptions                    bool
	// Scope replaces ARM's in the interactive sign-in (az's --scope).
	Scope string
}

// Env is where to sign in and how to talk: the cloud, the options of its
// credentials and ARM clients, the config dir, and how to warn and fail.
type Env struct {
	Cloud      *arm.Cloud
	Credential arm.CredentialOptions
	Client     policy.ClientOptions
	ConfigDir  string
	Warn       func(format string, a ...any)
	// UsageError and Fail make errors with the caller's exit codes.
	UsageError, Fail func(format string, a ...any) error
}

// Login signs in to env's cloud, stores the subscriptions (and a service
// principal's secret) in the profile and returns them, the default marked.
func Login(ctx context.Context, env Env, o Request) ([]arm.Subscription, error) {
	cloud := env.Cloud
	id, err := credentialFor(ctx, env, o)
	if err != nil {
		return nil, err
	}
	user := id.user
	scope := cloud.Audience() + "/.default"
	tok, err := id.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{scope}})
	if err != nil {
		return nil, env.Fail("%s", authMessage(err))
	}
	tenant := o.Tenant
	if tid := tenantOf(tok.Token); tid != "" {
		tenant = tid
	}
	if user.Type == "user" && user.Name == "" {
		user.Name = claim(tok.Token, "upn")
	}
	key := cloud.Name + "|" + tenant + "|" + user.Type + "|" + user.Name
	if err := arm.ClearTokenCache(env.ConfigDir); err != nil {
		return nil, err
	}
	if !id.interactive {
		// A user's tokens live in the MSAL cache; other logins keep their
		// access token here so the next command skips a token request.
		cached := arm.CachedCredential(staticCredential{tok}, env.ConfigDir, key)
		if _, err := cached.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{scope}}); err != nil {
			return nil, err
		}
	}
	prof, err := arm.LoadProfile(env.ConfigDir)
	if err != nil {
		return nil, err
	}
	subs, err := subscriptionsOf(ctx, env, id.cred, user, tenant, o.AllowNoSubscriptions)
	if err != nil {
		return nil, err
	}
	prev, _ := prof.Default(cloud.Name)
	def := 0
	for i, s := range subs {
		if prev != nil && s.ID == prev.ID {
			def = i
		}
	}
	subs[def].IsDefault = true
	if id.sp != nil {
		if err := saveServicePrincipal(env, *id.sp, tenant, o.Tenant); err != nil {
			return nil, err
		}
	}
	prof.Replace(cloud.Name, subs)
	if err := prof.Save(); err != nil {
		return nil, err
	}
	return subs, nil
}

// identity is who signs in and the credential that speaks for them.
type identity struct {
	user        arm.User
	cred        azcore.TokenCredential
	sp          *arm.ServicePrincipal // a service principal's, to store
	interactive bool                  // a user's, whose tokens MSAL caches
}

// credentialFor is the credential of the kind of login asked for: a
// service principal, a managed identity, or a user.
func credentialFor(ctx context.Context, env Env, o Request) (identity, error) {
	copts := env.Credential
	var id identity
	var err error
	switch {
	case o.ServicePrincipal:
		if o.Tenant == "" {
			return id, env.UsageError("usage error: --service-principal --username NAME --password SECRET --tenant TENANT")
		}
		sp := &arm.ServicePrincipal{ClientID: o.Username, Tenant: o.Tenant, ClientSecret: o.Password, Certificate: o.Certificate}
		if sp.Certificate == "" && strings.HasSuffix(strings.ToLower(o.Password), ".pem") {
			if _, err := os.Stat(o.Password); err == nil {
				sp.Certificate, sp.ClientSecret = o.Password, ""
			}
		}
		if sp.ClientSecret == "" && sp.Certificate == "" {
			return id, env.UsageError("usage error: --service-principal --username NAME --password SECRET --tenant TENANT")
		}
		id.sp, id.user = sp, arm.User{Name: o.Username, Type: "servicePrincipal"}
		id.cred, err = arm.NewServicePrincipalCredential(copts, *sp)
	case o.Identity:
		// az's record of an identity login: a service principal with
		// assignedIdentityInfo.
		id.user = arm.User{Name: "systemAssignedIdentity", Type: "servicePrincipal", AssignedIdentityInfo: "MSI"}
		if o.Username != "" {
			id.user.Name, id.user.AssignedIdentityInfo = "userAssignedIdentity", "MSIClient-"+o.Username
		}
		id.cred, err = arm.NewManagedIdentityCredential(copts, o.Username)
	default:
		if o.Username != "" && o.Password != "" {
			env.Warn("The username/password flow is deprecated; use --use-device-code or a service principal.")
		}
		var l arm.UserLogin
		if l, err = interactive(ctx, env, o); err != nil {
			return id, env.Fail("%s", authMessage(err))
		}
		id.user, id.interactive = arm.User{Name: l.Username, Type: "user"}, true
		id.cred, err = arm.NewUserCredential(copts, l)
	}
	return id, err
}

// subscriptionsOf lists what the signed-in identity may use; with
// allowNone, a tenant-level account stands in when there is nothing.
func subscriptionsOf(ctx context.Context, env Env, cred azcore.TokenCredential, user arm.User, tenant string, allowNone bool) ([]arm.Subscription, error) {
	client := &arm.Client{Cred: cred, Options: env.Client}
	svc, err := client.Subscriptions()
	if err != nil {
		return nil, err
	}
	list, err := svc.List(ctx)
	if err != nil {
		return nil, err
	}
	cloud := env.Cloud.Name
	var subs []arm.Subscription
	for _, it := range list {
		m, _ := it.(map[string]any)
		id, _ := m["subscriptionId"].(string)
		name, _ := m["displayName"].(string)
		state, _ := m["state"].(string)
		tid, _ := m["tenantId"].(string)
		if tid == "" {
			tid = tenant
		}
		subs = append(subs, arm.Subscription{ID: id, Name: name, State: state, User: user, TenantID: tid,
			EnvironmentName: cloud, HomeTenantID: tid, ManagedByTenants: managedBy(m)})
	}
	if len(subs) == 0 {
		if !allowNone {
			return nil, env.Fail("No subscriptions found for %s.", user.Name)
		}
		subs = append(subs, arm.Subscription{ID: tenant, Name: "N/A(tenant level account)", State: "Enabled", User: user,
			TenantID: tenant, HomeTenantID: tenant, EnvironmentName: cloud})
	}
	return subs, nil
}

func managedBy(m map[string]any) []string {
	var out []string
	l, _ := m["managedByTenants"].([]any)
	for _, t := range l {
		if tm, ok := t.(map[string]any); ok {
			if s, ok := tm["tenantId"].(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// saveServicePrincipal keeps the secret under the tenant the token named,
// and under the one the user named too, so either resolves it.
func saveServicePrincipal(env Env, sp arm.ServicePrincipal, tenant, named string) error {
	sp.Tenant = tenant
	if err := arm.SaveServicePrincipal(env.ConfigDir, sp); err != nil {
		return err
	}
	if tenant != named {
		sp.Tenant = named
		_ = arm.SaveServicePrincipal(env.ConfigDir, sp)
	}
	return nil
}

// interactive signs a user in: in a browser where one can be opened (az's
// default), else, or with --use-device-code, with a device code.
func interactive(ctx context.Context, env Env, o Request) (arm.UserLogin, error) {
	scopes := []string{env.Cloud.Audience() + "/.default"}
	if o.Scope != "" {
		scopes = []string{o.Scope}
	}
	prompt := func(msg string) { env.Warn("%s", msg) }
	if !o.DeviceCode && arm.CanOpenBrowser() {
		env.Warn("A web browser has been opened to sign in. Please continue the login in the web browser. If no web browser is available or if the web browser fails to open, use device code flow with `aci login --use-device-code`.")
		l, err := arm.InteractiveLogin(ctx, env.Credential, o.Tenant, arm.FlowBrowser, scopes, prompt)
		if err == nil || !browserFailed(err) {
			return l, err
		}
		env.Warn("The browser could not be opened (%s); using the device code flow instead.", strings.TrimSpace(strings.Split(err.Error(), "\n")[0]))
	}
	return arm.InteractiveLogin(ctx, env.Credential, o.Tenant, arm.FlowDeviceCode, scopes, prompt)
}

// browserFailed tells an opener's failure from a refused sign-in.
func browserFailed(err error) bool {
	var ee *exec.Error
	var xe *exec.ExitError
	if errors.As(err, &ee) || errors.As(err, &xe) {
		return true
	}
	m := err.Error()
	return strings.Contains(m, "xdg-open") || strings.Contains(m, "www-browser") || strings.Contains(m, "exit status")
}

type staticCredential struct{ tok azcore.AccessToken }

func (s staticCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return s.tok, nil
}

// authMessage shortens azidentity's multi-line errors to their first useful line.
func authMessage(err error) string {
	msg := err.Error()
	lines := strings.Split(msg, "\n")
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if strings.Contains(l, "AADSTS") || strings.Contains(l, "error_description") || strings.HasPrefix(l, "RESPONSE") {
			return "Authentication failed: " + l
		}
	}
	return "Authentication failed: " + strings.TrimSpace(lines[0])
}

// claim reads a claim of a JWT without verifying it (the token came straight from
// the authority over TLS; az reads tid the same way).
func claim(token, name string) string {
	parts := strings.Split(token, ".")
	if len(parts) < 2 {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return ""
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return ""
	}
	s, _ := m[name].(string)
	return s
}

func tenantOf(token string) string { return claim(token, "tid") }
