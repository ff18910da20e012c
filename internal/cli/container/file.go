package container

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/azshape"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/output"
	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
)

var envRef = lazyRegexp(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expandEnv replaces ${VAR} in every scalar; an unset variable stays as written,
// as az's YAML loader leaves it.
func expandEnv(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!timestamp" {
		// Dates stay text (apiVersion: 2023-05-01 is a version, not a day).
		n.Tag = "!!str"
	}
	if n.Kind == yaml.ScalarNode && n.Tag != "!!binary" {
		n.Value = envRef().ReplaceAllStringFunc(n.Value, func(m string) string {
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

// maxGroupFile bounds a --file: a container group definition is a few KB, and
// ARM takes at most 4 MB of request body.
const maxGroupFile = 4 << 20

// maxYAMLNodes bounds the values a file may expand to through aliases, so a
// "billion laughs" document fails instead of eating the machine.
const maxYAMLNodes = 1 << 20

// loadGroupFile reads a container-group YAML file; errors name the file and line.
func loadGroupFile(path string) (map[string]any, error) {
	fh, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, cmdutil.Fail("No such file or directory: %s", path)
		}
		return nil, cmdutil.Fail("%v", err)
	}
	b, err := io.ReadAll(io.LimitReader(fh, maxGroupFile+1))
	fh.Close()
	if err != nil {
		return nil, cmdutil.Fail("%v", err)
	}
	if len(b) > maxGroupFile {
		return nil, cmdutil.Fail("%s is larger than %d MB; a container group definition must be smaller.", path, maxGroupFile>>20)
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
	budget := maxYAMLNodes
	v, err := nodeValue(root, &budget)
	if err != nil {
		return nil, cmdutil.Fail("Error while parsing yaml file:\n\n%s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return v.(map[string]any), nil
}

// nodeValue converts a YAML node tree to JSON values in one pass. yaml.v3's own
// Decode checks duplicate keys pairwise (quadratic: minutes for a 20 MB file);
// here a map does it, and aliases count against budget.
func nodeValue(n *yaml.Node, budget *int) (any, error) {
	if *budget--; *budget < 0 {
		return nil, fmt.Errorf("the document expands to more than %d values", maxYAMLNodes)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return nodeValue(n.Content[0], budget)
	case yaml.AliasNode:
		return nodeValue(n.Alias, budget)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := nodeValue(c, budget)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		explicit := make(map[string]bool, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, vn := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
				merged, err := nodeValue(vn, budget)
				if err != nil {
					return nil, err
				}
				ms := []any{merged}
				if l, ok := merged.([]any); ok {
					ms = l
				}
				for _, m := range ms {
					mm, ok := m.(map[string]any)
					if !ok {
						return nil, fmt.Errorf("line %d: a merge key needs a mapping", vn.Line)
					}
					for mk, mv := range mm {
						if _, set := out[mk]; !set && !explicit[mk] {
							out[mk] = mv
						}
					}
				}
				continue
			}
			kv, err := nodeValue(k, budget)
			if err != nil {
				return nil, err
			}
			key := fmt.Sprint(kv)
			if kv == nil {
				key = "null"
			}
			if explicit[key] {
				return nil, fmt.Errorf("line %d: mapping key %q already defined", k.Line, key)
			}
			explicit[key] = true
			v, err := nodeValue(vn, budget)
			if err != nil {
				return nil, err
			}
			out[key] = v
		}
		return out, nil
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, err
		}
		return jsonSafe(v), nil
	}
	return nil, fmt.Errorf("line %d: unsupported YAML node", n.Line)
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
func createFromFile(o *CreateOptions) error {
	f := o.f
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
			if o.Location, err = o.deps.Location(f.Context(), o.Group); err != nil {
				return err
			}
		}
		doc["location"] = o.Location
	}
	if props, _ := doc["properties"].(map[string]any); props != nil {
		vols, _ := props["volumes"].([]any)
		if err := fillAzureFileKeys(f, o.accountKey(f), vols); err != nil {
			return err
		}
	}
	apiVersion, _ := doc["apiVersion"].(string)
	svc, err := o.Service()
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

// ExportOptions are `container export`'s arguments.
type ExportOptions struct {
	deps
	target
	File string
}

func newExport(f *cmdutil.Factory, runF func(*ExportOptions) error) *cobra.Command {
	o := &ExportOptions{deps: depsOf(f), target: newTarget()}
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export a container group in yaml format.",
		Example: "  aci container export -g MyResourceGroup --name mynginx -f output.yaml\n" +
			"  aci container export -g MyResourceGroup --name mynginx -f - | less",
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.target.Resolve(f, true); err != nil {
				return err
			}
			var m cmdutil.Missing
			m.Need("--file/-f", o.File)
			if err := m.Err(); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return exportRun(o)
		},
	}
	o.target.Flags(cmd)
	cmd.Flags().StringVarP(&o.File, "file", "f", "", "The file path to export the container group ('-': standard output).")
	return cmd
}

// exportRun writes the group as the YAML `create --file` reads, without
// its secrets.
func exportRun(o *ExportOptions) error {
	svc, err := o.Service()
	if err != nil {
		return err
	}
	raw, err := svc.Get(o.f.Context(), o.Group, o.Name)
	if err != nil {
		return err
	}
	text, err := output.Render(ExportDoc(raw), output.Options{Format: "yaml", FloatKeys: exportFloats})
	if err != nil {
		return err
	}
	if o.File == "-" {
		_, err := io.WriteString(o.f.IO.Out, text)
		return err
	}
	return os.WriteFile(o.File, []byte(text), 0o600)
}

// lazyRegexp compiles expr on first use: package-level regexps compile in
// init, on every command's start-up, whether or not the command needs them.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
