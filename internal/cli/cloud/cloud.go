// Package cloud implements `aci cloud`: the Azure clouds aci can talk to, built-in
// or registered from any ARM endpoint's metadata (Azure Stack, aci local).
package cloud

import (
	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/spf13/cobra"
)

// lookup requires --name and finds that registered cloud.
func lookup(f *cmdutil.Factory, name string) (*arm.Clouds, *arm.Cloud, error) {
	var m cmdutil.Missing
	m.Need("--name/-n", name)
	if err := m.Err(); err != nil {
		return nil, nil, err
	}
	cs, err := f.Clouds()
	if err != nil {
		return nil, nil, err
	}
	c := cs.Get(name)
	if c == nil {
		return nil, nil, cmdutil.Fail("The cloud '%s' is not registered.", name)
	}
	return cs, c, nil
}

// NewCmd builds `aci cloud`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.GroupCommand(&cobra.Command{Use: "cloud", Short: "Manage registered Azure clouds."})
	cmd.AddCommand(newList(f), newShow(f), newRegister(f, false), newRegister(f, true), newSet(f), newUnregister(f))
	return cmd
}

// listRun lists the registered clouds, the active one marked.
func listRun(f *cmdutil.Factory) error {
	cs, err := f.Clouds()
	if err != nil {
		return err
	}
	var out []any
	for _, c := range cs.List() {
		out = append(out, c.Data(c.Name == cs.ActiveName()))
	}
	return f.Print(out, cmdutil.PrintOptions{})
}

func newList(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List registered clouds.",
		RunE:  func(cmd *cobra.Command, args []string) error { return listRun(f) },
	}
}

// showRun prints a registered cloud (the active one without --name).
func showRun(f *cmdutil.Factory, name string) error {
	cs, err := f.Clouds()
	if err != nil {
		return err
	}
	if name == "" {
		name = cs.ActiveName()
	}
	c := cs.Get(name)
	if c == nil {
		return cmdutil.Fail("The cloud '%s' is not registered.", name)
	}
	return f.Print(c.Data(c.Name == cs.ActiveName()), cmdutil.PrintOptions{})
}

func newShow(f *cmdutil.Factory) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Get the details of a registered cloud.",
		RunE:  func(cmd *cobra.Command, args []string) error { return showRun(f, name) },
	}
	cmd.Flags().StringVarP(&name, "name", "n", "", "Name of a registered cloud.")
	return cmd
}

type registerOptions struct {
	name, rm, ad, adResource, graph, acr, storage, caBundle string
	update                                                  bool
}

func newRegister(f *cmdutil.Factory, update bool) *cobra.Command {
	o := &registerOptions{update: update}
	use, short := "register", "Register a cloud."
	if update {
		use, short = "update", "Update the configuration of a cloud."
	}
	cmd := &cobra.Command{
		Use:     use,
		Short:   short,
		Example: "  aci cloud register -n MyCloud --endpoint-resource-manager https://127.0.0.1:8443/",
		RunE: func(cmd *cobra.Command, args []string) error {
			return registerRun(f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&o.name, "name", "n", "", "Name of a registered cloud.")
	fl.StringVar(&o.rm, "endpoint-resource-manager", "", "The resource management endpoint; its /metadata/endpoints fills in the rest.")
	fl.StringVar(&o.ad, "endpoint-active-directory", "", "The Active Directory login endpoint.")
	fl.StringVar(&o.adResource, "endpoint-active-directory-resource-id", "", "The resource ID to obtain AD tokens for.")
	fl.StringVar(&o.graph, "endpoint-active-directory-graph-resource-id", "", "The Active Directory resource ID.")
	fl.StringVar(&o.acr, "suffix-acr-login-server-endpoint", "", "The Azure Container Registry login server suffix.")
	fl.StringVar(&o.storage, "suffix-storage-endpoint", "", "The endpoint suffix for storage accounts.")
	fl.StringVar(&o.caBundle, "ca-bundle", "", "A PEM file of certificate authorities to trust for this cloud only.")
	return cmd
}

// registerRun registers a cloud, or updates a custom one: the endpoints
// given, and for a new cloud the rest from its /metadata/endpoints.
func registerRun(f *cmdutil.Factory, o *registerOptions) error {
	var m cmdutil.Missing
	m.Need("--name/-n", o.name)
	if err := m.Err(); err != nil {
		return err
	}
	cs, err := f.Clouds()
	if err != nil {
		return err
	}
	c, err := o.target(cs.Get(o.name))
	if err != nil {
		return err
	}
	if o.caBundle != "" {
		c.CABundle = o.caBundle
	}
	if o.rm != "" {
		c.Endpoints["resourceManager"] = o.rm
		if o.ad == "" && !o.update {
			if err := fillFromMetadata(f, c, o.rm); err != nil {
				return err
			}
		}
	}
	set := func(m map[string]string, k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	set(c.Endpoints, "activeDirectory", o.ad)
	set(c.Endpoints, "activeDirectoryResourceId", o.adResource)
	set(c.Endpoints, "activeDirectoryGraphResourceId", o.graph)
	set(c.Suffixes, "acrLoginServerEndpoint", o.acr)
	set(c.Suffixes, "storageEndpoint", o.storage)
	if c.Endpoints["activeDirectory"] == "" {
		return cmdutil.Fail("The cloud's metadata has no login endpoint; pass --endpoint-active-directory.")
	}
	return cs.Save(c)
}

// target is the cloud to change: the registered one for update, a new one
// for register, with az's errors for the wrong one.
func (o *registerOptions) target(existing *arm.Cloud) (*arm.Cloud, error) {
	switch {
	case o.update && existing == nil:
		return nil, cmdutil.Fail("The cloud '%s' is not registered.", o.name)
	case o.update && existing.BuiltIn:
		return nil, cmdutil.Fail("Cannot update the cloud '%s' as it is not a custom cloud.", o.name)
	case o.update:
		return existing, nil
	case existing != nil:
		return nil, cmdutil.Fail("The cloud '%s' is already registered.", o.name)
	case o.rm == "":
		return nil, cmdutil.UsageError("the following arguments are required: --endpoint-resource-manager")
	}
	return &arm.Cloud{Name: o.name, Endpoints: map[string]string{}, Suffixes: map[string]string{}}, nil
}

// fillFromMetadata sets the endpoints the resource manager publishes.
func fillFromMetadata(f *cmdutil.Factory, c *arm.Cloud, rm string) error {
	hc, err := arm.HTTPClient(c)
	if err != nil {
		return err
	}
	if f.HTTPClient != nil {
		hc = f.HTTPClient
	}
	md, err := arm.FetchMetadata(f.Context(), hc, rm)
	if err != nil {
		return cmdutil.Fail("%v", err)
	}
	for k, v := range md {
		if v != "" {
			c.Endpoints[k] = v
		}
	}
	return nil
}

// setRun makes a registered cloud the active one, with az's warnings.
func setRun(f *cmdutil.Factory, name string) error {
	cs, c, err := lookup(f, name)
	if err != nil {
		return err
	}
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	if c.Name == cs.ActiveName() {
		return nil
	}
	if err := cfg.Set("cloud", "name", c.Name); err != nil {
		return err
	}
	f.Warn("Switched active cloud to '%s'.", c.Name)
	prof, err := arm.LoadProfile(f.ConfigDir)
	if err == nil && len(prof.ForCloud(c.Name)) == 0 {
		f.Warn("Use 'aci login' to log in to this cloud.")
	}
	return nil
}

func newSet(f *cmdutil.Factory) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "set",
		Short: "Set the active cloud.",
		RunE:  func(cmd *cobra.Command, args []string) error { return setRun(f, name) },
	}
	cmd.Flags().StringVarP(&name, "name", "n", "", "Name of a registered cloud.")
	return cmd
}

// unregisterRun removes a custom cloud that is not in use.
func unregisterRun(f *cmdutil.Factory, name string) error {
	cs, c, err := lookup(f, name)
	if err != nil {
		return err
	}
	switch {
	case c.BuiltIn:
		return cmdutil.Fail("The cloud '%s' cannot be unregistered as it's not a custom cloud.", name)
	case c.Name == cs.ActiveName():
		return cmdutil.Fail("The cloud '%s' cannot be unregistered as it's currently active.", name)
	}
	return cs.Remove(c.Name)
}

func newUnregister(f *cmdutil.Factory) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "unregister",
		Short: "Unregister a cloud.",
		RunE:  func(cmd *cobra.Command, args []string) error { return unregisterRun(f, name) },
	}
	cmd.Flags().StringVarP(&name, "name", "n", "", "Name of a registered cloud.")
	return cmd
}
