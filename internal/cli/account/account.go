// Package account implements `aci account`: the subscriptions of the login.
package account

import (
	"context"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/azshape"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/output"
	"github.com/spf13/cobra"
)

// Deps are what the commands read: the login's profile, and through ARM the
// regions and tokens. Tests replace them.
type Deps struct {
	// Account is the active cloud, subscription (nil when logged out) and
	// profile, with --subscription applied.
	Account func(sub string) (*arm.Cloud, *arm.Subscription, *arm.Profile, error)
	// Locations lists the subscription's regions.
	Locations func(ctx context.Context, extended bool) ([]any, error)
	// Token is a token of the login for scopes, and the subscription the
	// client is for.
	Token func(ctx context.Context, scopes []string) (azcore.AccessToken, string, error)
}

func defaultDeps(f *cmdutil.Factory) *Deps {
	return &Deps{
		Account: func(sub string) (*arm.Cloud, *arm.Subscription, *arm.Profile, error) {
			if sub != "" {
				f.Globals.Subscription = sub
			}
			return f.Account()
		},
		Locations: func(ctx context.Context, extended bool) ([]any, error) {
			c, err := f.ARM()
			if err != nil {
				return nil, err
			}
			svc, err := c.Subscriptions()
			if err != nil {
				return nil, err
			}
			return svc.Locations(ctx, c.Subscription, extended)
		},
		Token: func(ctx context.Context, scopes []string) (azcore.AccessToken, string, error) {
			c, err := f.ARM()
			if err != nil {
				return azcore.AccessToken{}, "", err
			}
			tok, err := c.Token(ctx, scopes)
			return tok, c.Subscription, err
		},
	}
}

// NewCmd builds `aci account`.
func NewCmd(f *cmdutil.Factory) *cobra.Command { return NewCmdWith(f, defaultDeps(f)) }

// NewCmdWith builds `aci account` over d.
func NewCmdWith(f *cmdutil.Factory, d *Deps) *cobra.Command {
	cmd := cmdutil.GroupCommand(&cobra.Command{Use: "account", Short: "Manage Azure subscription information."})
	cmd.AddCommand(newShow(f, d), newList(f, d), newSet(f, d), newListLocations(f, d), newGetAccessToken(f, d))
	return cmd
}

// Entry is a subscription as az prints it; cloudKey is environmentName (show) or
// cloudName (list, login).
func Entry(s arm.Subscription, cloudKey string) map[string]any {
	m := map[string]any{
		cloudKey: s.EnvironmentName, "homeTenantId": s.HomeTenantID, "id": s.ID, "isDefault": s.IsDefault,
		"managedByTenants": toAny(s.ManagedByTenants), "name": s.Name, "state": s.State, "tenantId": s.TenantID,
		"user": map[string]any{"name": s.User.Name, "type": s.User.Type},
	}
	if s.User.AssignedIdentityInfo != "" {
		m["user"].(map[string]any)["assignedIdentityInfo"] = s.User.AssignedIdentityInfo
	}
	if s.TenantDefaultDomain != "" {
		m["tenantDefaultDomain"] = s.TenantDefaultDomain
	}
	if s.TenantDisplayName != "" {
		m["tenantDisplayName"] = s.TenantDisplayName
	}
	return m
}

func toAny(l []string) []any {
	out := []any{}
	for _, s := range l {
		out = append(out, map[string]any{"tenantId": s})
	}
	return out
}

// ListTable is az's transform_account_list.
func ListTable(v any) (any, error) {
	var rows []any
	for _, e := range v.([]any) {
		m := e.(map[string]any)
		rows = append(rows, output.NewOrderedMap("Name", m["name"], "CloudName", m["cloudName"],
			"SubscriptionId", m["id"], "TenantId", m["tenantId"], "State", m["state"], "IsDefault", m["isDefault"]))
	}
	if rows == nil {
		rows = []any{}
	}
	return rows, nil
}

func showRun(f *cmdutil.Factory, d *Deps, sub string) error {
	_, s, _, err := d.Account(sub)
	if err != nil {
		return cmdutil.Fail("%v", err)
	}
	if s == nil {
		return cmdutil.Fail("%v", arm.ErrNotLoggedIn)
	}
	return f.Print(Entry(*s, "environmentName"), cmdutil.PrintOptions{})
}

func newShow(f *cmdutil.Factory, d *Deps) *cobra.Command {
	var sub string
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Get the details of a subscription.",
		RunE:  func(cmd *cobra.Command, args []string) error { return showRun(f, d, sub) },
	}
	cmd.Flags().StringVarP(&sub, "name", "n", "", "Name or ID of subscription.")
	cmd.Flags().StringVarP(&sub, "subscription", "s", "", "Name or ID of subscription.")
	return cmd
}

// listRun lists the cloud's enabled subscriptions (all of every cloud with
// --all), with az's warnings.
func listRun(f *cmdutil.Factory, d *Deps, all bool) error {
	cloud, _, prof, err := d.Account("")
	if err != nil {
		return err
	}
	subs := prof.ForCloud(cloud.Name)
	if all {
		subs = prof.Subscriptions
	}
	out := []any{}
	skipped := false
	for _, s := range subs {
		if !all && !strings.EqualFold(s.State, "Enabled") {
			skipped = true
			continue
		}
		out = append(out, Entry(s, "cloudName"))
	}
	if skipped {
		f.Warn("A few accounts are skipped as they don't have 'Enabled' state. Use '--all' to display them.")
	}
	if len(out) == 0 {
		f.Warn(`Please run "aci login" to access your accounts.`)
	}
	return f.Print(out, cmdutil.PrintOptions{Table: ListTable})
}

func newList(f *cmdutil.Factory, d *Deps) *cobra.Command {
	var all, refresh bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "Get a list of subscriptions for the logged in account.",
		RunE:  func(cmd *cobra.Command, args []string) error { return listRun(f, d, all) },
	}
	cmd.Flags().BoolVar(&all, "all", false, "List all subscriptions from all clouds, rather than just 'Enabled' ones.")
	cmd.Flags().BoolVar(&refresh, "refresh", false, "Retrieve up-to-date subscriptions from server.")
	return cmd
}

// setRun makes a subscription (by name or id) the cloud's default.
func setRun(d *Deps, sub string) error {
	cloud, _, prof, err := d.Account("")
	if err != nil {
		return err
	}
	s, ok := prof.Find(cloud.Name, sub)
	if !ok {
		return cmdutil.Fail("The subscription of '%s' doesn't exist in cloud '%s'.", sub, cloud.Name)
	}
	prof.SetDefault(cloud.Name, s.ID)
	return prof.Save()
}

func newSet(f *cmdutil.Factory, d *Deps) *cobra.Command {
	var sub string
	cmd := &cobra.Command{
		Use:   "set",
		Short: "Set a subscription to be the current active subscription.",
		RunE: func(cmd *cobra.Command, args []string) error {
			var m cmdutil.Missing
			m.Need("--subscription/-s/--name/-n", sub)
			if err := m.Err(); err != nil {
				return err
			}
			return setRun(d, sub)
		},
	}
	cmd.Flags().StringVarP(&sub, "subscription", "s", "", "Name or ID of subscription.")
	cmd.Flags().StringVarP(&sub, "name", "n", "", "Name or ID of subscription.")
	return cmd
}

func listLocationsRun(f *cmdutil.Factory, d *Deps, extended bool) error {
	l, err := d.Locations(f.Context(), extended)
	if err != nil {
		return err
	}
	return f.Print(azshape.Shape(l, azshape.Location), cmdutil.PrintOptions{})
}

func newListLocations(f *cmdutil.Factory, d *Deps) *cobra.Command {
	var extended string
	cmd := &cobra.Command{
		Use:   "list-locations",
		Short: "List supported regions for the current subscription.",
		RunE: func(cmd *cobra.Command, args []string) error {
			ext := false
			switch strings.ToLower(extended) {
			case "", "false", "f", "no", "n", "0":
			case "true", "t", "yes", "y", "1":
				ext = true
			default:
				_, err := cmdutil.Choice(cmd, "--include-extended-locations", extended, "true", "false")
				return err
			}
			return listLocationsRun(f, d, ext)
		},
	}
	cmd.Flags().StringVar(&extended, "include-extended-locations", "", "Whether to include extended locations.")
	return cmd
}

// newGetAccessToken is az's `account get-access-token`: a token of the
// current login for ARM (or --resource/--scope), for scripts that call REST
// APIs themselves.
// TokenOptions are `account get-access-token`'s arguments.
type TokenOptions struct {
	Resource, Subscription, ResourceType string
	Scopes                               []string
}

// getAccessTokenRun gets a token for the scopes asked (ARM's by default)
// and prints it as az does, expiresOn in local time.
func getAccessTokenRun(f *cmdutil.Factory, d *Deps, o *TokenOptions) error {
	cloud, s, _, err := d.Account(o.Subscription)
	if err != nil {
		return err
	}
	scopes := o.Scopes
	switch {
	case len(scopes) > 0:
	case o.Resource != "":
		scopes = arm.ResourceScopes(o.Resource)
	default:
		scopes = []string{cloud.Audience() + "/.default"}
	}
	tok, sub, err := d.Token(f.Context(), scopes)
	if err != nil {
		return cmdutil.Fail("%v", err)
	}
	out := map[string]any{"accessToken": tok.Token, "tokenType": "Bearer",
		"expiresOn": tok.ExpiresOn.Local().Format("2006-01-02 15:04:05.000000"), "expires_on": tok.ExpiresOn.Unix()}
	if s != nil {
		out["subscription"], out["tenant"] = s.ID, s.TenantID
	} else {
		out["subscription"] = sub
	}
	return f.Print(out, cmdutil.PrintOptions{})
}

// newGetAccessToken is az's `account get-access-token`: a token of the
// current login for ARM (or --resource/--scope), for scripts that call REST
// APIs themselves.
func newGetAccessToken(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &TokenOptions{}
	cmd := &cobra.Command{
		Use:   "get-access-token",
		Short: "Get a token for utilities to access Azure.",
		Long: "Get a token for utilities to access Azure. The token is valid for at least five minutes; " +
			"its expiresOn is local time, as az prints it.",
		Example: "  aci account get-access-token --query accessToken -o tsv\n" +
			"  aci account get-access-token --resource https://storage.azure.com/",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Resource != "" && len(o.Scopes) > 0 {
				return cmdutil.UsageError("usage error: --resource | --scope")
			}
			if o.ResourceType != "" && o.ResourceType != "arm" && len(o.Scopes) == 0 && o.Resource == "" {
				return cmdutil.UsageError("aci account get-access-token: '%s' is not a valid value for '--resource-type'. Allowed values: arm.", o.ResourceType)
			}
			return getAccessTokenRun(f, d, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Resource, "resource", "", "Azure resource endpoints in AAD v1.0.")
	fl.StringArrayVar(&o.Scopes, "scope", nil, "Space-separated AAD scopes in AAD v2.0. Default to Azure Resource Manager.")
	fl.StringVar(&o.ResourceType, "resource-type", "", "Type of well-known resource: arm.")
	fl.StringVarP(&o.Subscription, "name", "n", "", "Name or ID of subscription to get the access token for.")
	fl.StringVarP(&o.Subscription, "subscription", "s", "", "Name or ID of subscription to get the access token for.")
	cmdutil.NArgs(cmd, "scope")
	return cmd
}
