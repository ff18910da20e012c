// Package login implements `aci login` and `aci logout`.
package login

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/account"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/spf13/cobra"
)

// azCLIClientID is the public client id az uses for user sign-in.
const azCLIClientID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"

// Options are `aci login`'s arguments.
type Options struct {
	Username, Password, Tenant, Certificate string
	ServicePrincipal, Identity, DeviceCode  bool
	AllowNoSubscriptions                    bool
}

// NewCmdLogin builds `aci login`.
func NewCmdLogin(f *cmdutil.Factory) *cobra.Command {
	o := &Options{}
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Log in to Azure.",
		Example: `  aci login --service-principal -u APP_ID -p SECRET --tenant TENANT
  aci login --identity
  aci login --use-device-code`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Identity && (o.Password != "" || o.ServicePrincipal || o.Tenant != "") {
				return cmdutil.UsageError("usage error: '--identity' is not applicable with other arguments")
			}
			if o.ServicePrincipal && o.Username == "" {
				return cmdutil.UsageError("usage error: --service-principal --username NAME --password SECRET --tenant TENANT")
			}
			out, err := Login(f, o)
			if err != nil {
				return err
			}
			return f.Print(out, cmdutil.PrintOptions{Table: account.ListTable})
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&o.Username, "username", "u", "", "User name, service principal, or managed service identity ID.")
	fl.StringVarP(&o.Password, "password", "p", "", "Credentials like user password, or for a service principal, provide client secret or a pem file with key and public certificate.")
	fl.BoolVar(&o.ServicePrincipal, "service-principal", false, "The credential representing a service principal.")
	fl.StringVarP(&o.Tenant, "tenant", "t", "", "The AAD tenant, must provide when using service principals.")
	fl.StringVar(&o.Certificate, "certificate", "", "A PEM file with the service principal's key and certificate.")
	fl.BoolVarP(&o.Identity, "identity", "i", false, "Log in using the Virtual Machine's identity.")
	fl.BoolVar(&o.DeviceCode, "use-device-code", false, "Use the device code flow.")
	fl.BoolVar(&o.AllowNoSubscriptions, "allow-no-subscriptions", false, "Support access tenants without subscriptions.")
	return cmd
}

// Login signs in to the active cloud, stores the subscriptions (and a service
// principal's secret) and returns the subscription entries az prints.
func Login(f *cmdutil.Factory, o *Options) ([]any, error) {
	ctx := f.Context()
	clouds, err := f.Clouds()
	if err != nil {
		return nil, err
	}
	cloud, err := clouds.Active()
	if err != nil {
		return nil, err
	}
	copts, err := f.CredentialOptions(cloud)
	if err != nil {
		return nil, err
	}
	user := arm.User{}
	var cred azcore.TokenCredential
	var sp *arm.ServicePrincipal
	switch {
	case o.ServicePrincipal:
		if o.Tenant == "" {
			return nil, cmdutil.UsageError("usage error: --service-principal --username NAME --password SECRET --tenant TENANT")
		}
		sp = &arm.ServicePrincipal{ClientID: o.Username, Tenant: o.Tenant, ClientSecret: o.Password, Certificate: o.Certificate}
		if sp.Certificate == "" && strings.HasSuffix(strings.ToLower(o.Password), ".pem") {
			if _, err := os.Stat(o.Password); err == nil {
				sp.Certificate, sp.ClientSecret = o.Password, ""
			}
		}
		if sp.ClientSecret == "" && sp.Certificate == "" {
			return nil, cmdutil.UsageError("usage error: --service-principal --username NAME --password SECRET --tenant TENANT")
		}
		user = arm.User{Name: o.Username, Type: "servicePrincipal"}
		cred, err = arm.NewServicePrincipalCredential(copts, *sp)
	case o.Identity:
		user = arm.User{Name: "systemAssignedIdentity", Type: "managedIdentity", ClientID: o.Username}
		if o.Username != "" {
			user.Name = "userAssignedIdentity"
		}
		cred, err = arm.NewManagedIdentityCredential(copts, o.Username)
	default:
		if o.Username != "" && o.Password != "" {
			f.Warn("The username/password flow is deprecated; use --use-device-code or a service principal.")
		}
		user = arm.User{Name: o.Username, Type: "user"}
		cred, err = arm.NewDeviceCodeCredential(copts, o.Tenant, func(msg string) { fmt.Fprintln(f.IO.ErrOut, "WARNING: "+msg) })
	}
	if err != nil {
		return nil, err
	}
	scope := cloud.Audience() + "/.default"
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{scope}})
	if err != nil {
		return nil, cmdutil.Fail("%s", authMessage(err))
	}
	tenant := o.Tenant
	if tid := tenantOf(tok.Token); tid != "" {
		tenant = tid
	}
	if user.Type == "user" && user.Name == "" {
		user.Name = claim(tok.Token, "upn")
	}
	key := cloud.Name + "|" + tenant + "|" + user.Type + "|" + user.Name
	if err := arm.ClearTokenCache(f.ConfigDir); err != nil {
		return nil, err
	}
	cached := arm.CachedCredential(staticCredential{tok}, f.ConfigDir, key)
	if _, err := cached.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{scope}}); err != nil {
		return nil, err
	}
	co, err := arm.ClientOptions(arm.Options{Version: f.Version, HTTPClient: f.HTTPClient, Debug: debugWriter(f)}, cloud)
	if err != nil {
		return nil, err
	}
	client := &arm.Client{Cred: cred, Options: co}
	svc, err := client.Subscriptions()
	if err != nil {
		return nil, err
	}
	list, err := svc.List(ctx)
	if err != nil {
		return nil, err
	}
	prof, err := arm.LoadProfile(f.ConfigDir)
	if err != nil {
		return nil, err
	}
	prev, _ := prof.Default(cloud.Name)
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
		var mbt []string
		if l, ok := m["managedByTenants"].([]any); ok {
			for _, t := range l {
				if tm, ok := t.(map[string]any); ok {
					if s, ok := tm["tenantId"].(string); ok {
						mbt = append(mbt, s)
					}
				}
			}
		}
		subs = append(subs, arm.Subscription{ID: id, Name: name, State: state, User: user, TenantID: tid,
			EnvironmentName: cloud.Name, HomeTenantID: tid, ManagedByTenants: mbt})
	}
	if len(subs) == 0 {
		if !o.AllowNoSubscriptions {
			return nil, cmdutil.Fail("No subscriptions found for %s.", user.Name)
		}
		subs = append(subs, arm.Subscription{ID: tenant, Name: "N/A(tenant level account)", State: "Enabled", User: user,
			TenantID: tenant, HomeTenantID: tenant, EnvironmentName: cloud.Name})
	}
	def := 0
	for i, s := range subs {
		if prev != nil && s.ID == prev.ID {
			def = i
		}
	}
	subs[def].IsDefault = true
	if sp != nil {
		sp.Tenant = tenant
		if err := arm.SaveServicePrincipal(f.ConfigDir, *sp); err != nil {
			return nil, err
		}
		if tenant != o.Tenant {
			// Keep the tenant the user named too, so either resolves the secret.
			sp2 := *sp
			sp2.Tenant = o.Tenant
			_ = arm.SaveServicePrincipal(f.ConfigDir, sp2)
		}
	}
	prof.Replace(cloud.Name, subs)
	if err := prof.Save(); err != nil {
		return nil, err
	}
	var out []any
	for _, s := range subs {
		out = append(out, account.Entry(s, "cloudName"))
	}
	return out, nil
}

func debugWriter(f *cmdutil.Factory) io.Writer {
	if f.Globals.Debug {
		return f.IO.ErrOut
	}
	return nil
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

// NewCmdLogout builds `aci logout`.
func NewCmdLogout(f *cmdutil.Factory) *cobra.Command {
	var username string
	cmd := &cobra.Command{
		Use:   "logout",
		Short: "Log out to remove access to Azure subscriptions.",
		RunE: func(cmd *cobra.Command, args []string) error {
			clouds, err := f.Clouds()
			if err != nil {
				return err
			}
			prof, err := arm.LoadProfile(f.ConfigDir)
			if err != nil {
				return err
			}
			if username == "" {
				if d, ok := prof.Default(clouds.ActiveName()); ok {
					username = d.User.Name
				}
			}
			if username == "" {
				return cmdutil.Fail("There are no active accounts.")
			}
			var keep []arm.Subscription
			for _, s := range prof.Subscriptions {
				if s.User.Name != username {
					keep = append(keep, s)
				}
			}
			prof.Subscriptions = keep
			if err := prof.Save(); err != nil {
				return err
			}
			if err := arm.RemoveServicePrincipals(f.ConfigDir); err != nil {
				return err
			}
			return arm.ClearTokenCache(f.ConfigDir)
		},
	}
	cmd.Flags().StringVar(&username, "username", "", "Account user; if missing, log out the current active account.")
	return cmd
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
