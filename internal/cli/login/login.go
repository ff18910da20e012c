// Package login implements `aci login` and `aci logout`.
package login

import (
	"io"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/auth"
	"github.com/aci-cli/aci/internal/cli/account"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/spf13/cobra"
)

// Options are `aci login`'s arguments.
type Options struct {
	Username, Password, Tenant, Certificate string
	ServicePrincipal, Identity, DeviceCode  bool
	AllowNoSubscriptions                    bool
	Scope                                   string
}

// NewCmdLogin builds `aci login`.
func NewCmdLogin(f *cmdutil.Factory) *cobra.Command {
	o := &Options{}
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Log in to Azure.",
		Example: `  aci login --service-principal -u APP_ID -p SECRET --tenant TENANT
  aci login --identity
  aci login --use-device-code
  aci login --tenant TENANT`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Identity && (o.Password != "" || o.ServicePrincipal || o.Tenant != "") {
				return cmdutil.UsageError("usage error: '--identity' is not applicable with other arguments")
			}
			if o.ServicePrincipal && o.Username == "" {
				return cmdutil.UsageError("usage error: --service-principal --username NAME --password SECRET --tenant TENANT")
			}
			return loginRun(f, o)
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
	fl.StringVar(&o.Scope, "scope", "", "Used in the /authorize request. It can cover only one static resource.")
	return cmd
}

// loginRun signs in and prints the subscriptions, as az login does.
func loginRun(f *cmdutil.Factory, o *Options) error {
	out, err := Login(f, o)
	if err != nil {
		return err
	}
	return f.Print(out, cmdutil.PrintOptions{Table: account.ListTable})
}

// Login signs in with o on the active cloud (see package auth) and returns the
// subscription entries az prints.
func Login(f *cmdutil.Factory, o *Options) ([]any, error) {
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
	co, err := arm.ClientOptions(arm.Options{Version: f.Version, HTTPClient: f.HTTPClient, Debug: debugWriter(f)}, cloud)
	if err != nil {
		return nil, err
	}
	env := auth.Env{Cloud: cloud, Credential: copts, Client: co, ConfigDir: f.ConfigDir, Warn: f.Warn,
		UsageError: cmdutil.UsageError, Fail: cmdutil.Fail}
	subs, err := auth.Login(f.Context(), env, auth.Request(*o))
	if err != nil {
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

// LogoutOptions are `aci logout`'s arguments.
type LogoutOptions struct {
	f        *cmdutil.Factory
	Username string
}

// NewCmdLogout builds `aci logout`; runF replaces logoutRun in tests.
func NewCmdLogout(f *cmdutil.Factory, runF func(*LogoutOptions) error) *cobra.Command {
	o := &LogoutOptions{f: f}
	cmd := &cobra.Command{
		Use:   "logout",
		Short: "Log out to remove access to Azure subscriptions.",
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			return logoutRun(o)
		},
	}
	cmd.Flags().StringVar(&o.Username, "username", "", "Account user; if missing, log out the current active account.")
	return cmd
}

// logoutRun drops the user's subscriptions from the profile, revokes their
// sign-in where the authority can (aci local), and clears the caches.
func logoutRun(o *LogoutOptions) error {
	f := o.f
	clouds, err := f.Clouds()
	if err != nil {
		return err
	}
	prof, err := arm.LoadProfile(f.ConfigDir)
	if err != nil {
		return err
	}
	username := o.Username
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
	if l, err := arm.FindUserLogin(f.ConfigDir, clouds.ActiveName(), username); err == nil && l != nil {
		cloud, err := clouds.Active()
		if err != nil {
			return err
		}
		copts, err := f.CredentialOptions(cloud)
		if err != nil {
			return err
		}
		// The sign-in is revoked, then its tokens leave the cache.
		if err := arm.Logout(f.Context(), copts, *l); err != nil {
			return err
		}
	}
	if err := prof.Save(); err != nil {
		return err
	}
	if err := arm.RemoveServicePrincipals(f.ConfigDir); err != nil {
		return err
	}
	return arm.ClearTokenCache(f.ConfigDir)
}
