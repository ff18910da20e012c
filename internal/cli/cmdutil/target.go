package cmdutil

import (
	"strings"

	"github.com/spf13/cobra"
)

// Target is the resource a show/delete/update/wait/action verb acts on: -g/-n
// (the group defaulting to `defaults.group`), or az's --ids, whose ids must be
// of Type ("Microsoft.ContainerInstance/containerGroups"). Every command group
// uses this one helper, so --ids behaves the same everywhere.
type Target struct {
	Group, Name string
	IDs         []string
	// Type is the resource type --ids must name; NameHelp is -n's help.
	Type, NameHelp string
	idCapable      bool
}

// Flags adds -g and -n.
func (t *Target) Flags(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&t.Group, "resource-group", "g", "", "Name of resource group. You can configure the default group using 'aci configure --defaults group=<name>'.")
	cmd.Flags().StringVarP(&t.Name, "name", "n", "", t.NameHelp)
}

// IDFlags adds -g, -n and --ids.
func (t *Target) IDFlags(cmd *cobra.Command) {
	t.idCapable = true
	t.Flags(cmd)
	cmd.Flags().StringArrayVar(&t.IDs, "ids", nil, "One or more resource IDs (space-delimited). If provided, no other 'Resource Id' arguments should be specified.")
	NArgs(cmd, "ids")
}

// Resolve fills the group from the configured default and reports what is
// missing (the name only when needName).
func (t *Target) Resolve(f *Factory, needName bool) error {
	t.defaultGroup(f)
	var m Missing
	m.Need("--resource-group/-g", t.Group)
	if needName {
		m.Need("--name/-n", t.Name)
	}
	return m.Err()
}

// defaultGroup fills an empty group from `defaults.group`.
func (t *Target) defaultGroup(f *Factory) {
	f.Default(&t.Group, "group")
}

// Targets expands --ids (or -g/-n) into the resources to act on.
func (t *Target) Targets(f *Factory) ([]Target, error) {
	if len(t.IDs) == 0 {
		if t.idCapable {
			// az's wording (and exit 1) where --ids could stand in.
			t.defaultGroup(f)
			var missing []string
			if t.Group == "" {
				missing = append(missing, "--resource-group")
			}
			if t.Name == "" {
				missing = append(missing, "--name")
			}
			if len(missing) > 0 {
				return nil, Fail("(%s | --ids) are required", strings.Join(missing, " "))
			}
			return []Target{*t}, nil
		}
		if err := t.Resolve(f, true); err != nil {
			return nil, err
		}
		return []Target{*t}, nil
	}
	if t.Name != "" || t.Group != "" {
		return nil, UsageError("usage error: --ids IDS | --resource-group/-g RG --name/-n NAME")
	}
	var out []Target
	for _, id := range t.IDs {
		rg, name, ok := ParseResourceID(id, t.Type)
		if !ok {
			return nil, UsageError("argument --ids: invalid resource ID: '%s'", id)
		}
		out = append(out, Target{Group: rg, Name: name, Type: t.Type, NameHelp: t.NameHelp})
	}
	return out, nil
}

// ParseResourceID splits /subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}
// and checks that it names a resource of typ ("Namespace/type", any case).
func ParseResourceID(id, typ string) (group, name string, ok bool) {
	parts := strings.Split(strings.Trim(id, "/"), "/")
	if len(parts) != 8 || !strings.EqualFold(parts[0], "subscriptions") || !strings.EqualFold(parts[2], "resourceGroups") ||
		!strings.EqualFold(parts[4], "providers") {
		return "", "", false
	}
	for _, p := range parts {
		if p == "" {
			return "", "", false
		}
	}
	if !strings.EqualFold(parts[5]+"/"+parts[6], typ) {
		return "", "", false
	}
	return parts[3], parts[7], true
}
