// Package group implements `aci group`: resource groups, as `az group`.
package group

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/azshape"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/output"
	"github.com/spf13/cobra"
)

// Service is what the group commands need from ARM.
type Service interface {
	CreateOrUpdate(ctx context.Context, name, location string, tags map[string]*string, managedBy *string) (arm.Raw, error)
	Get(ctx context.Context, name string) (arm.Raw, error)
	Exists(ctx context.Context, name string) (bool, error)
	List(ctx context.Context, filter string) ([]any, error)
	Delete(ctx context.Context, name, forceTypes string, wait bool, tick arm.Progress) error
}

func service(f *cmdutil.Factory) (Service, error) {
	c, err := f.ARM()
	if err != nil {
		return nil, err
	}
	return c.ResourceGroups()
}

// deps are what every run function gets: the factory (IO, printing, the
// context) and the service, which tests replace with a fake.
type deps struct {
	f       *cmdutil.Factory
	Service func() (Service, error)
}

func depsOf(f *cmdutil.Factory) deps {
	return deps{f: f, Service: func() (Service, error) { return service(f) }}
}

// NewCmd builds `aci group`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.GroupCommand(&cobra.Command{Use: "group", Short: "Manage resource groups and template deployments."})
	cmd.AddCommand(newCreate(f, nil), newList(f, nil), newShow(f, nil), newDelete(f, nil), newExists(f, nil),
		newUpdate(f, nil), newWait(f, nil))
	return cmd
}

// nameFlags registers az's four spellings of the group name (-n -g --name
// --resource-group) on one variable.
func nameFlags(cmd *cobra.Command, v *string) {
	cmd.Flags().StringVarP(v, "name", "n", "", "Name of resource group. You can configure the default group using 'aci configure --defaults group=<name>'.")
	cmd.Flags().StringVarP(v, "resource-group", "g", "", "Name of resource group.")
}

// needGroup fills the group name from the configured default and requires one.
func needGroup(f *cmdutil.Factory, name *string) error {
	f.Default(name, "group")
	var m cmdutil.Missing
	m.Need("--name/--resource-group/-n/-g", *name)
	return m.Err()
}

// Shape is a resource group as az prints it.
func Shape(raw any) any { return azshape.Shape(raw, azshape.ResourceGroup) }

// ListTable is az's transform_resource_group_list.
func ListTable(v any) (any, error) {
	var rows []any
	for _, g := range v.([]any) {
		m := g.(map[string]any)
		var state any
		if p, ok := m["properties"].(map[string]any); ok {
			state = p["provisioningState"]
		}
		rows = append(rows, output.NewOrderedMap("Name", m["name"], "Location", m["location"], "Status", state))
	}
	if rows == nil {
		rows = []any{}
	}
	return rows, nil
}

// CreateOptions are `group create`'s arguments.
type CreateOptions struct {
	deps
	Name, Location, ManagedBy string
	Tags                      []string
	TagsSet                   bool // --tags was given (empty clears)
}

func newCreate(f *cmdutil.Factory, runF func(*CreateOptions) error) *cobra.Command {
	o := &CreateOptions{deps: depsOf(f)}
	cmd := &cobra.Command{
		Use:     "create",
		Short:   "Create a new resource group.",
		Example: "  aci group create -l westus -n MyResourceGroup",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			f.Default(&o.Location, "location")
			var m cmdutil.Missing
			m.Need("--name/--resource-group/-n/-g", o.Name)
			m.Need("--location/-l", o.Location)
			if err := m.Err(); err != nil {
				return err
			}
			o.TagsSet = cmd.Flags().Changed("tags")
			if runF != nil {
				return runF(o)
			}
			return createRun(o)
		},
	}
	nameFlags(cmd, &o.Name)
	cmd.Flags().StringVarP(&o.Location, "location", "l", "", "Location. Values from: 'aci account list-locations'.")
	cmd.Flags().StringArrayVar(&o.Tags, "tags", nil, "Space-separated tags: key[=value] [key[=value] ...]. Use '' to clear existing tags.")
	cmd.Flags().StringVar(&o.ManagedBy, "managed-by", "", "The ID of the resource that manages this resource group.")
	cmdutil.NArgs(cmd, "tags")
	return cmd
}

// ListOptions are `group list`'s arguments.
type ListOptions struct {
	deps
	Tag string
}

func newList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	o := &ListOptions{deps: depsOf(f)}
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List resource groups.",
		Example: "  aci group list --query \"[?location=='westus']\"",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			return listRun(o)
		},
	}
	cmd.Flags().StringVar(&o.Tag, "tag", "", "A single tag in 'key[=value]' format.")
	return cmd
}

// NameOptions are the arguments of commands that take just a group name.
type NameOptions struct {
	deps
	Name string
}

func newShow(f *cmdutil.Factory, runF func(*NameOptions) error) *cobra.Command {
	o := &NameOptions{deps: depsOf(f)}
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Gets a resource group.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := needGroup(f, &o.Name); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return showRun(o)
		},
	}
	nameFlags(cmd, &o.Name)
	return cmd
}

func newExists(f *cmdutil.Factory, runF func(*NameOptions) error) *cobra.Command {
	o := &NameOptions{deps: depsOf(f)}
	cmd := &cobra.Command{
		Use:   "exists",
		Short: "Check if a resource group exists.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := needGroup(f, &o.Name); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return existsRun(o)
		},
	}
	nameFlags(cmd, &o.Name)
	return cmd
}

// DeleteOptions are `group delete`'s arguments.
type DeleteOptions struct {
	deps
	Name, ForceDeletionTypes string
	Yes, NoWait              bool
}

func newDelete(f *cmdutil.Factory, runF func(*DeleteOptions) error) *cobra.Command {
	o := &DeleteOptions{deps: depsOf(f)}
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete a resource group.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := needGroup(f, &o.Name); err != nil {
				return err
			}
			if o.ForceDeletionTypes != "" {
				if _, err := cmdutil.Choice(cmd, "--force-deletion-types", o.ForceDeletionTypes,
					"Microsoft.Compute/virtualMachines", "Microsoft.Compute/virtualMachineScaleSets", "Microsoft.Databricks/workspaces"); err != nil {
					return err
				}
			}
			if err := f.Confirm(o.Yes); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return deleteRun(o)
		},
	}
	nameFlags(cmd, &o.Name)
	cmd.Flags().StringVarP(&o.ForceDeletionTypes, "force-deletion-types", "f", "", "The resource types you want to force delete.")
	cmd.Flags().BoolVarP(&o.Yes, "yes", "y", false, "Do not prompt for confirmation.")
	cmd.Flags().BoolVar(&o.NoWait, "no-wait", false, "Do not wait for the long-running operation to finish.")
	return cmd
}

// UpdateOptions are `group update`'s arguments (az's generic update).
type UpdateOptions struct {
	deps
	TagsSet             bool // --tags was given (empty clears)
	Name                string
	Tags, Set, Add, Rem []string
	ForceString         bool
}

func newUpdate(f *cmdutil.Factory, runF func(*UpdateOptions) error) *cobra.Command {
	o := &UpdateOptions{deps: depsOf(f)}
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Update a resource group.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := needGroup(f, &o.Name); err != nil {
				return err
			}
			o.TagsSet = cmd.Flags().Changed("tags")
			if runF != nil {
				return runF(o)
			}
			return updateRun(o)
		},
	}
	nameFlags(cmd, &o.Name)
	cmd.Flags().StringArrayVar(&o.Tags, "tags", nil, "Space-separated tags: key[=value] [key[=value] ...]. Use '' to clear existing tags.")
	cmd.Flags().StringArrayVar(&o.Set, "set", nil, "Update an object by specifying a property path and value to set. Example: --set property1.property2=<value>")
	cmd.Flags().StringArrayVar(&o.Add, "add", nil, "Add an object to a list of objects by specifying a path and key value pairs.")
	cmd.Flags().StringArrayVar(&o.Rem, "remove", nil, "Remove a property or an element from a list.")
	cmd.Flags().BoolVar(&o.ForceString, "force-string", false, "When using 'set' or 'add', preserve string literals instead of attempting to convert to JSON.")
	cmdutil.NArgs(cmd, "tags")
	cmdutil.NArgs(cmd, "set")
	cmdutil.NArgs(cmd, "add")
	cmdutil.NArgs(cmd, "remove")
	return cmd
}

// WaitOptions are `group wait`'s arguments.
type WaitOptions struct {
	deps
	custom                            *output.Query
	Name                              string
	Created, Updated, Deleted, Exists bool
	Custom                            string
	Interval, Timeout                 cmdutil.Seconds
}

func newWait(f *cmdutil.Factory, runF func(*WaitOptions) error) *cobra.Command {
	o := &WaitOptions{deps: depsOf(f)}
	cmd := &cobra.Command{
		Use:   "wait",
		Short: "Place the CLI in a waiting state until a condition of the resource group is met.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := needGroup(f, &o.Name); err != nil {
				return err
			}
			if !(o.Created || o.Updated || o.Deleted || o.Exists || o.Custom != "") {
				return cmdutil.Fail("incorrect usage: --created | --updated | --deleted | --exists | --custom JMESPATH")
			}
			if o.Custom != "" {
				q, err := output.CompileQuery(o.Custom)
				if err != nil {
					return err
				}
				o.custom = q
			}
			if runF != nil {
				return runF(o)
			}
			return waitRun(o)
		},
	}
	nameFlags(cmd, &o.Name)
	cmd.Flags().BoolVar(&o.Created, "created", false, "Wait until created with 'provisioningState' at 'Succeeded'.")
	cmd.Flags().BoolVar(&o.Updated, "updated", false, "Wait until updated with provisioningState at 'Succeeded'.")
	cmd.Flags().BoolVar(&o.Deleted, "deleted", false, "Wait until deleted.")
	cmd.Flags().BoolVar(&o.Exists, "exists", false, "Wait until the resource exists.")
	cmd.Flags().StringVar(&o.Custom, "custom", "", "Wait until the condition satisfies a custom JMESPath query.")
	cmdutil.SecondsVar(cmd, &o.Interval, "interval", 30*time.Second, "Polling interval in seconds (or a duration: 500ms, 1m).")
	cmdutil.SecondsVar(cmd, &o.Timeout, "timeout", time.Hour, "Maximum wait in seconds (or a duration: 90s, 5m).")
	return cmd
}

func createRun(o *CreateOptions) error {
	svc, err := o.Service()
	if err != nil {
		return err
	}
	var managedBy *string
	if o.ManagedBy != "" {
		managedBy = &o.ManagedBy
	}
	var tags map[string]*string
	if o.TagsSet {
		tags = cmdutil.ParseTags(o.Tags)
	}
	raw, err := svc.CreateOrUpdate(o.f.Context(), o.Name, o.Location, tags, managedBy)
	if err != nil {
		return err
	}
	return o.f.Print(Shape(raw), cmdutil.PrintOptions{})
}

// listFilter is ARM's $filter for az's --tag key[=value].
func listFilter(tag string) string {
	if tag == "" {
		return ""
	}
	k, v, hasV := strings.Cut(tag, "=")
	filter := fmt.Sprintf("tagname eq '%s'", k)
	if hasV {
		filter += fmt.Sprintf(" and tagvalue eq '%s'", v)
	}
	return filter
}

func listRun(o *ListOptions) error {
	svc, err := o.Service()
	if err != nil {
		return err
	}
	list, err := svc.List(o.f.Context(), listFilter(o.Tag))
	if err != nil {
		return err
	}
	return o.f.Print(Shape(list), cmdutil.PrintOptions{Table: ListTable})
}

func showRun(o *NameOptions) error {
	svc, err := o.Service()
	if err != nil {
		return err
	}
	raw, err := svc.Get(o.f.Context(), o.Name)
	if err != nil {
		return err
	}
	return o.f.Print(Shape(raw), cmdutil.PrintOptions{})
}

func existsRun(o *NameOptions) error {
	svc, err := o.Service()
	if err != nil {
		return err
	}
	ok, err := svc.Exists(o.f.Context(), o.Name)
	if err != nil {
		return err
	}
	return o.f.Print(ok, cmdutil.PrintOptions{})
}

func deleteRun(o *DeleteOptions) error {
	svc, err := o.Service()
	if err != nil {
		return err
	}
	sp := o.f.StartSpinner("Running")
	defer sp.Stop()
	return svc.Delete(o.f.Context(), o.Name, o.ForceDeletionTypes, !o.NoWait, nil)
}

// updateRun is az's generic update: GET, change, PUT.
func updateRun(o *UpdateOptions) error {
	svc, err := o.Service()
	if err != nil {
		return err
	}
	raw, err := svc.Get(o.f.Context(), o.Name)
	if err != nil {
		return err
	}
	if o.TagsSet {
		tags := map[string]any{}
		for k, v := range cmdutil.ParseTags(o.Tags) {
			tags[k] = *v
		}
		raw["tags"] = tags
	}
	if err := cmdutil.GenericUpdate(raw, o.Set, o.Add, o.Rem, o.ForceString); err != nil {
		return err
	}
	loc, _ := raw["location"].(string)
	var managedBy *string
	if mb, ok := raw["managedBy"].(string); ok {
		managedBy = &mb
	}
	tags := map[string]*string{}
	if t, ok := raw["tags"].(map[string]any); ok {
		for k, v := range t {
			s := fmt.Sprint(v)
			tags[k] = &s
		}
	}
	res, err := svc.CreateOrUpdate(o.f.Context(), o.Name, loc, tags, managedBy)
	if err != nil {
		return err
	}
	return o.f.Print(Shape(res), cmdutil.PrintOptions{})
}

func waitRun(o *WaitOptions) error {
	svc, err := o.Service()
	if err != nil {
		return err
	}
	sp := o.f.StartSpinner("Waiting")
	defer sp.Stop()
	err = cmdutil.Poll(o.f.Context(), o.Interval.D(), o.Timeout.D(),
		func(ctx context.Context) (bool, error) {
			raw, err := svc.Get(ctx, o.Name)
			return waitDone(o, o.custom, raw, err)
		})
	if errors.Is(err, cmdutil.ErrWaitTimeout) {
		return cmdutil.Fail("Wait operation timed-out after %d seconds", int(o.Timeout.D()/time.Second))
	}
	return err
}

// waitDone decides one poll of `group wait`, as az's WaitCommandOperation.
func waitDone(o *WaitOptions, custom *output.Query, raw arm.Raw, err error) (bool, error) {
	if err != nil {
		if ae, ok := err.(*arm.Error); ok && ae.NotFound() {
			return o.Deleted, nil
		}
		return false, err
	}
	if o.Deleted {
		return false, nil
	}
	if o.Exists {
		return true, nil
	}
	state := ""
	if p, ok := raw["properties"].(map[string]any); ok {
		state, _ = p["provisioningState"].(string)
	}
	if state == "Failed" {
		return false, cmdutil.Fail("The operation failed")
	}
	if o.Created || o.Updated {
		return state == "Succeeded", nil
	}
	res, qerr := custom.Apply(Shape(raw))
	if qerr != nil {
		return false, qerr
	}
	b, _ := json.Marshal(output.Plain(res))
	return res != nil && string(b) != "false" && string(b) != "[]" && string(b) != "{}" && string(b) != `""`, nil
}
