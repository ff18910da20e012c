// Package acr implements `aci acr`: container registries (ARM) and their
// repositories (the registry's data plane), as `az acr`.
package acr

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/azshape"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/output"
	"github.com/spf13/cobra"
)

// Service is what the registry commands need from ARM.
type Service interface {
	Create(ctx context.Context, rg, name string, body any, wait bool, tick arm.Progress) (arm.Raw, error)
	Update(ctx context.Context, rg, name string, patch any) (arm.Raw, error)
	Get(ctx context.Context, rg, name string) (arm.Raw, error)
	List(ctx context.Context, rg string) ([]any, error)
	Delete(ctx context.Context, rg, name string, tick arm.Progress) error
	Credentials(ctx context.Context, rg, name, regenerate string) (arm.Raw, error)
	Usages(ctx context.Context, rg, name string) (arm.Raw, error)
	CheckName(ctx context.Context, name string) (arm.Raw, error)
	FindGroup(ctx context.Context, typ, name string) (string, error)
	Import(ctx context.Context, rg, name string, body any, wait bool, tick arm.Progress) error
	Subscription() string
}

// Deps are the services a command uses; tests replace them.
type Deps struct {
	Service   func() (Service, error)
	Registry  func(loginServer, user, password string) (RegistryClient, error)
	Token     func(ctx context.Context, loginServer string) (string, error)
	Docker    func(ctx context.Context, server, user, password string) (string, error)
	Group     func(ctx context.Context, name string) (arm.Raw, error)
	Upload    func(ctx context.Context, sasURL string, f *os.File) error
	FollowLog func(ctx context.Context, sasURL string, w io.Writer, interval time.Duration) (string, error)
}

func defaultDeps(f *cmdutil.Factory) *Deps {
	return &Deps{
		Service: func() (Service, error) {
			c, err := f.ARM()
			if err != nil {
				return nil, err
			}
			return c.Registries()
		},
		Registry: func(ls, user, password string) (RegistryClient, error) { return registryClient(f, ls, user, password) },
		Token: func(ctx context.Context, ls string) (string, error) {
			dp, err := dataPlane(f)
			if err != nil {
				return "", err
			}
			return dp.RegistryRefreshToken(ctx, ls)
		},
		Docker: dockerLogin,
		Upload: func(ctx context.Context, u string, file *os.File) error {
			dp, err := dataPlane(f)
			if err != nil {
				return err
			}
			return dp.UploadBlob(ctx, u, file)
		},
		FollowLog: func(ctx context.Context, u string, w io.Writer, interval time.Duration) (string, error) {
			dp, err := dataPlane(f)
			if err != nil {
				return "", err
			}
			return dp.FollowAppendBlob(ctx, u, w, interval)
		},
		Group: func(ctx context.Context, name string) (arm.Raw, error) {
			c, err := f.ARM()
			if err != nil {
				return nil, err
			}
			rg, err := c.ResourceGroups()
			if err != nil {
				return nil, err
			}
			return rg.Get(ctx, name)
		},
	}
}

// NewCmd builds `aci acr`.
func NewCmd(f *cmdutil.Factory) *cobra.Command { return NewCmdWith(f, defaultDeps(f)) }

// NewCmdWith builds `aci acr` over the given services.
func NewCmdWith(f *cmdutil.Factory, d *Deps) *cobra.Command {
	cmd := cmdutil.GroupCommand(&cobra.Command{Use: "acr", Short: "Manage private registries with Azure Container Registries."})
	cred := cmdutil.GroupCommand(&cobra.Command{Use: "credential", Short: "Manage login credentials for Azure Container Registries."})
	cred.AddCommand(newCredShow(f, d), newCredRenew(f, d))
	cmd.AddCommand(newCreate(f, d), newList(f, d), newShow(f, d), newDelete(f, d), newUpdate(f, d), newCheckName(f, d),
		newShowUsage(f, d), newShowEndpoints(f, d), newLogin(f, d), cred, newRepository(f, d), newImport(f, d), newBuild(f, d), newTask(f, d))
	return cmd
}

// Shape is a registry as az prints it.
func Shape(raw any) any {
	out := azshape.Shape(raw, azshape.Registry)
	azshape.AddResourceGroup(out)
	return out
}

// Table is az's registry_output_format.
func Table(v any) (any, error) {
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	rows := []any{}
	for _, it := range items {
		m, _ := it.(map[string]any)
		sku, _ := m["sku"].(map[string]any)
		created := cell(m["creationDate"])
		if t, err := time.Parse(time.RFC3339Nano, fmt.Sprint(m["creationDate"])); err == nil {
			created = t.UTC().Format("2006-01-02T15:04:05Z")
		}
		rows = append(rows, output.NewOrderedMap("NAME", cell(m["name"]), "RESOURCE GROUP", cell(m["resourceGroup"]),
			"LOCATION", cell(m["location"]), "SKU", cell(sku["name"]), "LOGIN SERVER", cell(m["loginServer"]),
			"CREATION DATE", created, "ADMIN ENABLED", cell(m["adminUserEnabled"])))
	}
	return rows, nil
}

// cell is az's _get_value: missing is " ", booleans as Python prints them.
func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return " "
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}

// target is a registry named by -n (default: defaults.acr) and -g.
type target struct {
	Name, Group string
	// nameFlag is how the command spells the registry's flag in its errors
	// ("--registry/-r" for acr build and acr task); "--name/-n" otherwise.
	nameFlag string
}

func (t *target) flags(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&t.Name, "name", "n", "", "The name of the container registry. It should be specified in lower case. You can configure the default registry name using 'aci configure --defaults acr=<registry name>'.")
	cmd.Flags().StringVarP(&t.Group, "resource-group", "g", "", "Name of resource group. You can configure the default group using 'aci configure --defaults group=<name>'.")
}

// resolve fills defaults, checks the name and, without -g, finds the group.
func (t *target) resolve(f *cmdutil.Factory, d *Deps, needGroup bool) (Service, error) {
	f.Default(&t.Name, "acr")
	if needGroup {
		f.Default(&t.Group, "group")
	}
	var m cmdutil.Missing
	label := t.nameFlag
	if label == "" {
		label = "--name/-n"
	}
	m.Need(label, t.Name)
	if needGroup {
		m.Need("--resource-group/-g", t.Group)
	}
	if err := m.Err(); err != nil {
		return nil, err
	}
	if err := checkName(t.Name); err != nil {
		return nil, err
	}
	svc, err := d.Service()
	if err != nil {
		return nil, err
	}
	if t.Group == "" {
		g, err := svc.FindGroup(f.Context(), arm.RegistryType, t.Name)
		if err != nil {
			return nil, err
		}
		if g == "" {
			return nil, notFound(f, t.Name)
		}
		t.Group = g
	}
	return svc, nil
}

func checkName(n string) error {
	if strings.ToLower(n) != n {
		return cmdutil.Fail("argument error: Registry name must use only lowercase.")
	}
	return nil
}

// notFound is az's answer for a registry name no group holds (exit 3).
func notFound(f *cmdutil.Factory, name string) error {
	sub := ""
	if _, s, _, err := f.Account(); err == nil && s != nil {
		sub = fmt.Sprintf("%s (%s)", s.Name, s.ID)
	}
	return &cmdutil.ExitError{Code: 3, Err: fmt.Errorf("The resource with name '%s' and type '%s' could not be found in subscription '%s'.", name, arm.RegistryType, sub)}
}

var skus = []string{"Basic", "Standard", "Premium"}

func boolFlag(cmd *cobra.Command, name string) (*bool, error) {
	if !cmd.Flags().Changed(name) {
		return nil, nil
	}
	v, _ := cmd.Flags().GetString(name)
	b, err := cmdutil.Choice(cmd, "--"+name, v, "true", "false")
	if err != nil {
		return nil, err
	}
	r := b == "true"
	return &r, nil
}

// CreateOptions are `acr create`'s arguments.
type CreateOptions struct {
	target
	Sku, Location, Admin string
	Tags                 []string

	body map[string]any // built from the flags by parse
}

// parse checks the flags as az does and builds the registry's body.
func (o *CreateOptions) parse(f *cmdutil.Factory, cmd *cobra.Command) error {
	var m cmdutil.Missing
	m.Need("--sku", o.Sku)
	f.Default(&o.Group, "group")
	f.Default(&o.Name, "acr")
	f.Default(&o.Location, "location")
	m.Need("--name/-n", o.Name)
	m.Need("--resource-group/-g", o.Group)
	if err := m.Err(); err != nil {
		return err
	}
	if err := checkName(o.Name); err != nil {
		return err
	}
	sku, err := cmdutil.Choice(cmd, "--sku", o.Sku, skus...)
	if err != nil {
		return err
	}
	admin, err := boolFlag(cmd, "admin-enabled")
	if err != nil {
		return err
	}
	props := map[string]any{"adminUserEnabled": admin != nil && *admin, "anonymousPullEnabled": false}
	o.body = map[string]any{"sku": map[string]any{"name": sku}, "properties": props}
	if cmd.Flags().Changed("tags") {
		o.body["tags"] = cmdutil.ParseTags(o.Tags)
	}
	return nil
}

// createRun creates the registry in its group's location unless one was
// given.
func createRun(f *cmdutil.Factory, d *Deps, o *CreateOptions) error {
	svc, err := d.Service()
	if err != nil {
		return err
	}
	if o.Location == "" {
		g, err := d.Group(f.Context(), o.Group)
		if err != nil {
			return err
		}
		o.Location, _ = g["location"].(string)
	}
	o.body["location"] = o.Location
	sp := f.StartSpinner("Running")
	raw, err := svc.Create(f.Context(), o.Group, o.Name, o.body, true, nil)
	sp.Stop()
	if err != nil {
		return err
	}
	return f.Print(Shape(raw), cmdutil.PrintOptions{Table: Table})
}

func newCreate(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &CreateOptions{}
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create an Azure Container Registry.",
		Example: "  # Create a managed container registry with the Standard SKU.\n" +
			"  aci acr create -n myregistry -g MyResourceGroup --sku Standard\n\n" +
			"  # Create a registry with the admin user enabled, for docker login with a password.\n" +
			"  aci acr create -n myregistry -g MyResourceGroup --sku Basic --admin-enabled true",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.parse(f, cmd); err != nil {
				return err
			}
			return createRun(f, d, o)
		},
	}
	o.flags(cmd)
	cmd.Flags().StringVar(&o.Sku, "sku", "", "The SKU of the container registry. Allowed values: Basic, Premium, Standard.")
	cmd.Flags().StringVarP(&o.Location, "location", "l", "", "Location. Values from: 'aci account list-locations'. Defaults to the resource group's location.")
	cmd.Flags().StringVar(&o.Admin, "admin-enabled", "false", "Indicates whether the admin user is enabled. Allowed values: false, true.")
	cmd.Flags().StringArrayVar(&o.Tags, "tags", nil, "Space-separated tags: key[=value] [key[=value] ...]. Use '' to clear existing tags.")
	cmdutil.NArgs(cmd, "tags")
	cmdutil.Required(cmd, "name", "resource-group", "sku")
	return cmd
}

// listRun lists the registries of a group, or of the subscription.
func listRun(f *cmdutil.Factory, d *Deps, group string) error {
	f.Default(&group, "group")
	svc, err := d.Service()
	if err != nil {
		return err
	}
	list, err := svc.List(f.Context(), group)
	if err != nil {
		return err
	}
	return f.Print(Shape(list), cmdutil.PrintOptions{Table: Table})
}

func newList(f *cmdutil.Factory, d *Deps) *cobra.Command {
	var group string
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "Lists all the container registries under the current subscription.",
		Example: "  # List container registries and show the results in a table.\n  aci acr list -o table",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, args []string) error { return listRun(f, d, group) },
	}
	cmd.Flags().StringVarP(&group, "resource-group", "g", "", "Name of resource group. You can configure the default group using 'aci configure --defaults group=<name>'.")
	return cmd
}

func showRun(f *cmdutil.Factory, d *Deps, o *target) error {
	svc, err := o.resolve(f, d, false)
	if err != nil {
		return err
	}
	raw, err := svc.Get(f.Context(), o.Group, o.Name)
	if err != nil {
		return err
	}
	return f.Print(Shape(raw), cmdutil.PrintOptions{Table: Table})
}

func newShow(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &target{}
	cmd := &cobra.Command{
		Use:     "show",
		Short:   "Get the details of an Azure Container Registry.",
		Example: "  # Get the login server of a registry.\n  aci acr show -n myregistry --query loginServer -o tsv",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, args []string) error { return showRun(f, d, o) },
	}
	o.flags(cmd)
	return cmd
}

// deleteRun asks az's question, then deletes the registry.
func deleteRun(f *cmdutil.Factory, d *Deps, o *target, yes bool) error {
	svc, err := o.resolve(f, d, false)
	if err != nil {
		return err
	}
	if err := f.ConfirmQuestion(yes, fmt.Sprintf("Are you sure you want to delete the registry '%s'?", o.Name)); err != nil {
		return err
	}
	sp := f.StartSpinner("Running")
	defer sp.Stop()
	return svc.Delete(f.Context(), o.Group, o.Name, nil)
}

func newDelete(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &target{}
	var yes bool
	cmd := &cobra.Command{
		Use:     "delete",
		Short:   "Deletes an Azure Container Registry.",
		Example: "  aci acr delete -n myregistry --yes",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, args []string) error { return deleteRun(f, d, o, yes) },
	}
	o.flags(cmd)
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "Do not prompt for confirmation.")
	return cmd
}

// UpdateOptions are `acr update`'s arguments.
type UpdateOptions struct {
	target
	Sku, Admin, Anonymous, Public, DataEndpoint string
	Tags, Set, Add, Remove                      []string
	ForceString                                 bool

	patch map[string]any // built from the flags by parse
}

// patchKeys are the fields of RegistryUpdateParameters outside properties.
var patchTop = map[string]bool{"tags": true, "sku": true, "identity": true}

// parse builds the PATCH: az's getter is an empty RegistryUpdateParameters,
// so it carries what the flags and --set name, nothing else.
func (o *UpdateOptions) parse(cmd *cobra.Command) error {
	patch := map[string]any{}
	if o.Sku != "" {
		sku, err := cmdutil.Choice(cmd, "--sku", o.Sku, skus...)
		if err != nil {
			return err
		}
		patch["sku"] = map[string]any{"name": sku}
	}
	for flag, key := range map[string]string{"admin-enabled": "adminUserEnabled", "anonymous-pull-enabled": "anonymousPullEnabled",
		"data-endpoint-enabled": "dataEndpointEnabled"} {
		b, err := boolFlag(cmd, flag)
		if err != nil {
			return err
		}
		if b != nil {
			patch[key] = *b
		}
	}
	if b, err := boolFlag(cmd, "public-network-enabled"); err != nil {
		return err
	} else if b != nil {
		patch["publicNetworkAccess"] = map[bool]string{true: "Enabled", false: "Disabled"}[*b]
	}
	if cmd.Flags().Changed("tags") {
		patch["tags"] = cmdutil.ParseTags(o.Tags)
	}
	if err := cmdutil.GenericUpdate(patch, o.Set, o.Add, o.Remove, o.ForceString); err != nil {
		return err
	}
	o.patch = map[string]any{}
	props := map[string]any{}
	for k, v := range patch {
		if patchTop[k] {
			o.patch[k] = v
		} else {
			props[k] = v
		}
	}
	if len(props) > 0 {
		o.patch["properties"] = props
	}
	return nil
}

func updateRun(f *cmdutil.Factory, d *Deps, o *UpdateOptions) error {
	svc, err := o.resolve(f, d, false)
	if err != nil {
		return err
	}
	raw, err := svc.Update(f.Context(), o.Group, o.Name, o.patch)
	if err != nil {
		return err
	}
	return f.Print(Shape(raw), cmdutil.PrintOptions{Table: Table})
}

func newUpdate(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &UpdateOptions{}
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Update an Azure Container Registry.",
		Example: "  # Update tags for an Azure Container Registry.\n  aci acr update -n myregistry --tags key1=value1 key2=value2\n\n" +
			"  # Enable the administrator user account for an Azure Container Registry.\n  aci acr update -n myregistry --admin-enabled true",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.parse(cmd); err != nil {
				return err
			}
			return updateRun(f, d, o)
		},
	}
	o.flags(cmd)
	cmd.Flags().StringVar(&o.Sku, "sku", "", "The SKU of the container registry. Allowed values: Basic, Premium, Standard.")
	cmd.Flags().StringVar(&o.Admin, "admin-enabled", "", "Indicates whether the admin user is enabled. Allowed values: false, true.")
	cmd.Flags().StringVar(&o.Anonymous, "anonymous-pull-enabled", "", "Enable registry-wide pull from unauthenticated clients. Allowed values: false, true.")
	cmd.Flags().StringVar(&o.Public, "public-network-enabled", "", "Allow public network access for the container registry. Allowed values: false, true.")
	cmd.Flags().StringVar(&o.DataEndpoint, "data-endpoint-enabled", "", "Enable dedicated data endpoint for client firewall configuration. Allowed values: false, true.")
	cmd.Flags().StringArrayVar(&o.Tags, "tags", nil, "Space-separated tags: key[=value] [key[=value] ...]. Use '' to clear existing tags.")
	cmd.Flags().StringArrayVar(&o.Set, "set", nil, "Update an object by specifying a property path and value to set. Example: --set property1.property2=<value>")
	cmd.Flags().StringArrayVar(&o.Add, "add", nil, "Add an object to a list of objects by specifying a path and key value pairs.")
	cmd.Flags().StringArrayVar(&o.Remove, "remove", nil, "Remove a property or an element from a list.")
	cmd.Flags().BoolVar(&o.ForceString, "force-string", false, "When using 'set' or 'add', preserve string literals instead of attempting to convert to JSON.")
	for _, n := range []string{"tags", "set", "add", "remove"} {
		cmdutil.NArgs(cmd, n)
	}
	return cmd
}

// checkNameRun asks ARM, printing message and reason even when absent, as az.
func checkNameRun(f *cmdutil.Factory, d *Deps, name string) error {
	var m cmdutil.Missing
	m.Need("--name/-n", name)
	if err := m.Err(); err != nil {
		return err
	}
	svc, err := d.Service()
	if err != nil {
		return err
	}
	raw, err := svc.CheckName(f.Context(), name)
	if err != nil {
		return err
	}
	for _, k := range []string{"message", "reason"} {
		if _, ok := raw[k]; !ok {
			raw[k] = nil
		}
	}
	return f.Print(raw, cmdutil.PrintOptions{})
}

func newCheckName(f *cmdutil.Factory, d *Deps) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:     "check-name",
		Short:   "Checks if an Azure Container Registry name is valid and available for use.",
		Example: "  aci acr check-name -n doesthisnameexist",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, args []string) error { return checkNameRun(f, d, name) },
	}
	cmd.Flags().StringVarP(&name, "name", "n", "", "The name of the container registry. It should be specified in lower case.")
	return cmd
}

func showUsageRun(f *cmdutil.Factory, d *Deps, o *target) error {
	svc, err := o.resolve(f, d, false)
	if err != nil {
		return err
	}
	raw, err := svc.Usages(f.Context(), o.Group, o.Name)
	if err != nil {
		return err
	}
	return f.Print(raw, cmdutil.PrintOptions{Table: usageTable})
}

func newShowUsage(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &target{}
	cmd := &cobra.Command{
		Use:     "show-usage",
		Short:   "Get the storage usage for an Azure Container Registry.",
		Example: "  aci acr show-usage -n myregistry -o table",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, args []string) error { return showUsageRun(f, d, o) },
	}
	o.flags(cmd)
	return cmd
}

// usageTable is az's usage_output_format.
func usageTable(v any) (any, error) {
	m, _ := v.(map[string]any)
	rows := []any{}
	items, _ := m["value"].([]any)
	for _, it := range items {
		u, _ := it.(map[string]any)
		rows = append(rows, output.NewOrderedMap("NAME", cell(u["name"]), "LIMIT", cell(u["limit"]),
			"CURRENT VALUE", cell(u["currentValue"]), "UNIT", cell(u["unit"])))
	}
	return rows, nil
}

// showEndpointsRun prints the login server and, when enabled, the data endpoints.
func showEndpointsRun(f *cmdutil.Factory, d *Deps, o *target) error {
	svc, err := o.resolve(f, d, false)
	if err != nil {
		return err
	}
	raw, err := svc.Get(f.Context(), o.Group, o.Name)
	if err != nil {
		return err
	}
	props, _ := raw["properties"].(map[string]any)
	out := map[string]any{"loginServer": props["loginServer"], "dataEndpoints": []any{}}
	if on, _ := props["dataEndpointEnabled"].(bool); on {
		eps := []any{}
		hosts, _ := props["dataEndpointHostNames"].([]any)
		for _, h := range hosts {
			eps = append(eps, map[string]any{"region": raw["location"], "endpoint": h})
		}
		out["dataEndpoints"] = eps
	}
	return f.Print(out, cmdutil.PrintOptions{})
}

func newShowEndpoints(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &target{}
	cmd := &cobra.Command{
		Use:     "show-endpoints",
		Short:   "Display registry endpoints.",
		Example: "  aci acr show-endpoints -n myregistry",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, args []string) error { return showEndpointsRun(f, d, o) },
	}
	o.flags(cmd)
	return cmd
}

func newCredShow(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &target{}
	cmd := &cobra.Command{
		Use:     "show",
		Short:   "Get the login credentials for an Azure Container Registry.",
		Example: "  # Get the username used to log into a container registry.\n  aci acr credential show -n myregistry --query username",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return credentials(f, d, o, "")
		},
	}
	o.flags(cmd)
	return cmd
}

func newCredRenew(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &target{}
	var which string
	cmd := &cobra.Command{
		Use:     "renew",
		Short:   "Regenerate login credentials for an Azure Container Registry.",
		Example: "  aci acr credential renew -n myregistry --password-name password2",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var m cmdutil.Missing
			m.Need("--password-name", which)
			if err := m.Err(); err != nil {
				return err
			}
			w, err := cmdutil.Choice(cmd, "--password-name", which, "password", "password2")
			if err != nil {
				return err
			}
			return credentials(f, d, o, w)
		},
	}
	o.flags(cmd)
	cmd.Flags().StringVar(&which, "password-name", "", "The name of password to regenerate. Allowed values: password, password2.")
	return cmd
}

func credentials(f *cmdutil.Factory, d *Deps, o *target, regenerate string) error {
	svc, err := o.resolve(f, d, false)
	if err != nil {
		return err
	}
	reg, err := svc.Get(f.Context(), o.Group, o.Name)
	if err != nil {
		return err
	}
	if props, _ := reg["properties"].(map[string]any); props["adminUserEnabled"] != true {
		return cmdutil.Fail("Run 'aci acr update -n %s --admin-enabled true' to enable admin first.", o.Name)
	}
	raw, err := svc.Credentials(f.Context(), o.Group, o.Name, regenerate)
	if err != nil {
		return err
	}
	return f.Print(raw, cmdutil.PrintOptions{Table: credTable})
}

// source is import's source: a registry by resource id, login server or
// name (looked up in the subscription), or a login server in --source.
func (o *ImportOptions) source(f *cmdutil.Factory, svc Service) (map[string]any, error) {
	src := map[string]any{}
	switch reg := o.Registry; {
	case strings.HasPrefix(strings.ToLower(reg), "/subscriptions/"):
		src["resourceId"], src["sourceImage"] = reg, o.Source
	case strings.ContainsAny(reg, ".:"):
		src["registryUri"], src["sourceImage"] = reg, o.Source
	case reg != "":
		g, err := svc.FindGroup(f.Context(), arm.RegistryType, reg)
		if err != nil {
			return nil, err
		}
		if g == "" {
			return nil, notFound(f, reg)
		}
		src["resourceId"] = "/subscriptions/" + svc.Subscription() + "/resourceGroups/" + g + "/providers/" + arm.RegistryType + "/" + reg
		src["sourceImage"] = o.Source
	default:
		host, rest, ok := strings.Cut(o.Source, "/")
		if !ok || !(strings.ContainsAny(host, ".:") || host == "localhost") {
			return nil, cmdutil.Fail("Please specify the source registry with --registry, or give --source as LOGIN_SERVER/REPOSITORY[:TAG].")
		}
		src["registryUri"], src["sourceImage"] = host, rest
	}
	return src, nil
}

// credTable is az's credential_output_format.
func credTable(v any) (any, error) {
	m, _ := v.(map[string]any)
	pw, _ := m["passwords"].([]any)
	get := func(i int) string {
		if i < len(pw) {
			p, _ := pw[i].(map[string]any)
			return cell(p["value"])
		}
		return " "
	}
	return []any{output.NewOrderedMap("USERNAME", cell(m["username"]), "PASSWORD", get(0), "PASSWORD2", get(1))}, nil
}

// ImportOptions are `acr import`'s arguments.
type ImportOptions struct {
	target
	Source, Registry, User, Password string
	Images, Repositories             []string
	Force, NoWait                    bool
}

// importRun resolves the source registry and asks ARM to import.
func importRun(f *cmdutil.Factory, d *Deps, o *ImportOptions) error {
	svc, err := o.resolve(f, d, false)
	if err != nil {
		return err
	}
	src, err := o.source(f, svc)
	if err != nil {
		return err
	}
	if o.User != "" {
		src["credentials"] = map[string]any{"username": o.User, "password": o.Password}
	}
	body := map[string]any{"source": src, "mode": "NoForce"}
	if o.Force {
		body["mode"] = "Force"
	}
	if len(o.Images) > 0 {
		body["targetTags"] = o.Images
	}
	if len(o.Repositories) > 0 {
		body["untaggedTargetRepositories"] = o.Repositories
	}
	sp := f.StartSpinner("Running")
	defer sp.Stop()
	return svc.Import(f.Context(), o.Group, o.Name, body, !o.NoWait, nil)
}

func newImport(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &ImportOptions{}
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Imports an image to an Azure Container Registry from another Container Registry.",
		Long: "Imports an image to an Azure Container Registry from another Container Registry. Import removes the need to docker pull, docker tag, docker push.\n\n" +
			"On aci local, the source must be one of its own registries (nothing is fetched from the internet).",
		Example: "  # Import an image from another registry of the subscription, by name.\n  aci acr import -n myregistry --source hello:v1 -r otherregistry\n\n" +
			"  # Import from a login server with its credentials, under another tag.\n  aci acr import -n myregistry --source 127.10.0.2:47443/hello:v1 -u otherregistry -p PASSWORD -t hello:imported",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var m cmdutil.Missing
			m.Need("--source", o.Source)
			if err := m.Err(); err != nil {
				return err
			}
			if (o.User == "") != (o.Password == "") {
				return cmdutil.Fail("Please specify both username and password in non-interactive mode.")
			}
			return importRun(f, d, o)
		},
	}
	o.flags(cmd)
	cmd.Flags().StringVar(&o.Source, "source", "", "Source image name or fully qualified source containing the registry login server. If --registry is used, --source is always relative to it.")
	cmd.Flags().StringVarP(&o.Registry, "registry", "r", "", "The source Azure container registry: a name, login server or resource ID.")
	cmd.Flags().StringVarP(&o.User, "username", "u", "", "The username of source container registry.")
	cmd.Flags().StringVarP(&o.Password, "password", "p", "", "The password of source container registry.")
	cmd.Flags().StringArrayVarP(&o.Images, "image", "t", nil, "The name and tag of the image using the format: '-t repo/image:tag'. Multiple tags are supported by passing -t multiple times.")
	cmd.Flags().StringArrayVar(&o.Repositories, "repository", nil, "The repository name for a manifest-only copy of images. Multiple copies supported by passing --repository multiple times.")
	cmd.Flags().BoolVar(&o.Force, "force", false, "Overwrite the existing tag of the image to be imported.")
	cmd.Flags().BoolVar(&o.NoWait, "no-wait", false, "Do not wait for the import to complete and return immediately after queuing the import.")
	return cmd
}
