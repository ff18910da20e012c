package container

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/azshape"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/output"
	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
)

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expandEnv replaces ${VAR} in every scalar; an unset variable stays as written,
// as az's YAML loader leaves it.
func expandEnv(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!timestamp" {
		// Dates stay text (apiVersion: 2023-05-01 is a version, not a day).
		n.Tag = "!!str"
	}
	if n.Kind == yaml.ScalarNode && n.Tag != "!!binary" {
		n.Value = envRef.ReplaceAllStringFunc(n.Value, func(m string) string {
			if v, ok := os.LookupEnv(m[2 : len(m)-1]); ok {
				return v
			}
			return m
		})
		return
	}
	for _, c := range n.Content {
		expandEnv(c)
	}
}

// loadGroupFile reads a container-group YAML file; errors name the file and line.
func loadGroupFile(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, cmdutil.Fail("No such file or directory: %s", path)
		}
		return nil, cmdutil.Fail("%v", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, cmdutil.Fail("Error while parsing yaml file:\n\n%s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		line := 1
		if len(doc.Content) > 0 {
			line = doc.Content[0].Line
		}
		return nil, cmdutil.Fail("Error while parsing yaml file:\n\n%s: line %d: the file must hold one mapping (a container group definition)", path, line)
	}
	root := doc.Content[0]
	expandEnv(root)
	// Shape checks with line numbers, before anything is sent.
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Value == "properties" && v.Kind != yaml.MappingNode {
			return nil, cmdutil.Fail("Error while parsing yaml file:\n\n%s: line %d: 'properties' must be a mapping", path, v.Line)
		}
		if k.Value == "properties" {
			for j := 0; j+1 < len(v.Content); j += 2 {
				if v.Content[j].Value == "containers" && v.Content[j+1].Kind != yaml.SequenceNode {
					return nil, cmdutil.Fail("Error while parsing yaml file:\n\n%s: line %d: 'containers' must be a list", path, v.Content[j+1].Line)
				}
			}
		}
	}
	var m map[string]any
	if err := root.Decode(&m); err != nil {
		return nil, cmdutil.Fail("Error while parsing yaml file:\n\n%s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return jsonSafe(m).(map[string]any), nil
}

// jsonSafe converts YAML values (map[string]interface{} with any keys) to JSON ones.
func jsonSafe(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = jsonSafe(e)
		}
		return x
	case map[any]any:
		m := map[string]any{}
		for k, e := range x {
			m[fmt.Sprint(k)] = jsonSafe(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = jsonSafe(e)
		}
		return x
	}
	return v
}

// createFromFile is az's _create_update_from_file: the document goes to ARM as is.
func createFromFile(f *cmdutil.Factory, o *CreateOptions) error {
	doc, err := loadGroupFile(o.File)
	if err != nil {
		return err
	}
	name, _ := doc["name"].(string)
	switch {
	case o.Name != "" && name != "" && o.Name != name:
		return cmdutil.Fail("The name parameter and name from yaml definition must match.")
	case o.Name == "" && name == "":
		return cmdutil.Fail("The name of the container group is required")
	case o.Name == "":
		o.Name = name
	}
	doc["name"] = o.Name
	if loc, _ := doc["location"].(string); loc == "" {
		if o.Location == "" {
			if o.Location, err = groupLocation(f, o.Group); err != nil {
				return err
			}
		}
		doc["location"] = o.Location
	}
	apiVersion, _ := doc["apiVersion"].(string)
	svc, err := service(f)
	if err != nil {
		return err
	}
	sp := f.StartSpinner("Running")
	res, err := svc.CreateOrUpdate(f.Context(), o.Group, o.Name, apiVersion, doc, !o.NoWait, nil)
	sp.Stop()
	if err != nil || o.NoWait {
		return err
	}
	return f.Print(azshape.Shape(res, azshape.GenericResource), cmdutil.PrintOptions{Table: Table, FloatKeys: exportFloats})
}

var exportFloats = map[string]bool{"cpu": true, "memoryInGB": true, "memoryInGb": true}

// ExportDoc is what `container export` writes: az's layout (a generic resource's
// attributes, keys sorted) without read-only state, so `create --file` takes it back.
func ExportDoc(raw arm.Raw) map[string]any {
	props, _ := raw["properties"].(map[string]any)
	p := map[string]any{}
	for k, v := range props {
		if k == "instanceView" || k == "provisioningState" {
			continue
		}
		p[k] = v
	}
	var cs []any
	for _, c := range asList(p["containers"]) {
		cm, _ := c.(map[string]any)
		nc := map[string]any{}
		for k, v := range cm {
			nc[k] = v
		}
		if cp, ok := cm["properties"].(map[string]any); ok {
			ncp := map[string]any{}
			for k, v := range cp {
				if k != "instanceView" {
					ncp[k] = v
				}
			}
			nc["properties"] = ncp
		}
		cs = append(cs, nc)
	}
	if cs != nil {
		p["containers"] = cs
	}
	doc := map[string]any{"additional_properties": map[string]any{}, "apiVersion": arm.ContainerAPIVersion,
		"extended_location": raw["extendedLocation"], "location": raw["location"], "name": raw["name"],
		"properties": p, "tags": raw["tags"], "type": raw["type"]}
	if z, ok := raw["zones"]; ok && z != nil {
		doc["zones"] = z
	}
	if id, ok := raw["identity"].(map[string]any); ok {
		e := map[string]any{"type": id["type"]}
		if u, ok := id["userAssignedIdentities"].(map[string]any); ok {
			ids := map[string]any{}
			for k := range u {
				ids[k] = map[string]any{}
			}
			e["user_assigned_identities"] = ids
		}
		doc["identity"] = e
	}
	return doc
}

func newExport(f *cmdutil.Factory) *cobra.Command {
	t := &target{}
	var file string
	cmd := &cobra.Command{
		Use:     "export",
		Short:   "Export a container group in yaml format.",
		Example: "  aci container export -g MyResourceGroup --name mynginx -f output.yaml",
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := t.resolve(f, true); err != nil {
				return err
			}
			var m cmdutil.Missing
			m.Need("--file/-f", file)
			if err := m.Err(); err != nil {
				return err
			}
			svc, err := service(f)
			if err != nil {
				return err
			}
			raw, err := svc.Get(f.Context(), t.Group, t.Name)
			if err != nil {
				return err
			}
			text, err := output.Render(ExportDoc(raw), output.Options{Format: "yaml", FloatKeys: exportFloats})
			if err != nil {
				return err
			}
			return os.WriteFile(file, []byte(text), 0o600)
		},
	}
	t.flags(cmd)
	cmd.Flags().StringVarP(&file, "file", "f", "", "The file path to export the container group.")
	return cmd
}
