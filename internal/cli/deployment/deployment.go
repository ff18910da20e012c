// Package deployment implements `aci deployment group` and the older
// spelling `aci group deployment`: ARM template deployments at resource-group
// scope, with az's parameter handling (files, inline JSON, key=value, prompts
// for what is missing), outputs and exit codes.
package deployment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/azshape"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/jsonc"
	"github.com/aci-cli/aci/internal/output"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// Service is what the deployment commands need from ARM.
type Service interface {
	Create(ctx context.Context, rg, name string, body any, wait bool, tick arm.Progress) (arm.Raw, error)
	Validate(ctx context.Context, rg, name string, body any) (arm.Raw, error)
	WhatIf(ctx context.Context, rg, name string, body any) (arm.Raw, error)
	Get(ctx context.Context, rg, name string) (arm.Raw, error)
	List(ctx context.Context, rg, filter string) ([]any, error)
	Delete(ctx context.Context, rg, name string, wait bool) error
	Cancel(ctx context.Context, rg, name string) error
	Export(ctx context.Context, rg, name string) (arm.Raw, error)
	Operations(ctx context.Context, rg, name string) ([]any, error)
	Operation(ctx context.Context, rg, name, id string) (arm.Raw, error)
}

func service(f *cmdutil.Factory) (Service, error) {
	c, err := f.ARM()
	if err != nil {
		return nil, err
	}
	return c.Deployments()
}

// Deps are the services the commands use; tests replace them.
type Deps struct {
	Service func() (Service, error)
}

func defaultDeps(f *cmdutil.Factory) *Deps {
	return &Deps{Service: func() (Service, error) { return service(f) }}
}

// NewCmd builds `aci deployment` (group scope).
func NewCmd(f *cmdutil.Factory) *cobra.Command { return newCmd(f, defaultDeps(f)) }

func newCmd(f *cmdutil.Factory, d *Deps) *cobra.Command {
	cmd := cmdutil.GroupCommand(&cobra.Command{Use: "deployment", Short: "Manage Azure Resource Manager template deployments."})
	group := cmdutil.GroupCommand(&cobra.Command{Use: "group", Short: "Manage Azure Resource Manager template deployments at resource group."})
	group.AddCommand(newCreate(f, d, "create"), newCreate(f, d, "validate"), newCreate(f, d, "what-if"), newShow(f, d), newList(f, d), newDelete(f, d),
		newWait(f, d), newCancel(f, d), newExport(f, d))
	op := cmdutil.GroupCommand(&cobra.Command{Use: "operation", Short: "Manage deployment operations."})
	opGroup := cmdutil.GroupCommand(&cobra.Command{Use: "group", Short: "Manage deployment operations at resource group."})
	opGroup.AddCommand(newOpList(f, d), newOpShow(f, d))
	op.AddCommand(opGroup)
	cmd.AddCommand(group, op)
	return cmd
}

// NewGroupDeployment builds `aci group deployment`, the spelling older
// scripts (and the seed) use.
func NewGroupDeployment(f *cmdutil.Factory) *cobra.Command {
	d := defaultDeps(f)
	cmd := cmdutil.GroupCommand(&cobra.Command{Use: "deployment", Short: "Manage Azure Resource Manager deployments (the older spelling of 'deployment group')."})
	cmd.AddCommand(newCreate(f, d, "create"), newCreate(f, d, "validate"), newShow(f, d), newList(f, d), newDelete(f, d), newWait(f, d), newExport(f, d))
	op := cmdutil.GroupCommand(&cobra.Command{Use: "operation", Short: "Manage deployment operations."})
	op.AddCommand(newOpList(f, d))
	cmd.AddCommand(op)
	// az's words for the old spelling, on every command under it.
	var deprecate func(c *cobra.Command)
	deprecate = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			deprecate(sub)
		}
		if run := c.RunE; run != nil && c.Runnable() && len(c.Commands()) == 0 {
			c.RunE = func(cmd *cobra.Command, args []string) error {
				f.Warn("This command is implicitly deprecated because command group 'group deployment' is deprecated and will be removed in a future release. Use 'deployment group' instead.")
				return run(cmd, args)
			}
		}
	}
	deprecate(cmd)
	return cmd
}

// Shape is a deployment as az prints it.
func Shape(raw any) any { return azshape.Shape(raw, azshape.Deployment) }

// Table is az's deployment table: Name, State, Timestamp, Mode, ResourceGroup.
func Table(v any) (any, error) {
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	rows := []any{}
	for _, it := range items {
		m, _ := it.(map[string]any)
		p, _ := m["properties"].(map[string]any)
		rows = append(rows, output.NewOrderedMap("Name", m["name"], "State", p["provisioningState"], "Timestamp", p["timestamp"],
			"Mode", p["mode"], "ResourceGroup", m["resourceGroup"]))
	}
	return rows, nil
}

// CreateOptions are create's, validate's and what-if's arguments.
type CreateOptions struct {
	Group, Name, TemplateFile, TemplateURI, Mode, Rollback string
	Parameters                                             []string
	NoWait, NoPrompt, NoPretty                             bool

	body map[string]any // built from the flags by parse
}

func newCreate(f *cmdutil.Factory, d *Deps, verb string) *cobra.Command {
	o := &CreateOptions{}
	short := map[string]string{"create": "Start a deployment at resource group.", "validate": "Validate whether a template is valid at resource group.",
		"what-if": "Execute a deployment What-If operation at resource group scope."}[verb]
	cmd := &cobra.Command{
		Use:   verb,
		Short: short,
		Example: "  # Deploy a template with a parameter given inline.\n" +
			"  aci deployment group " + verb + " -g MyResourceGroup --template-file azuredeploy.json --parameters storageaccountname=mystorage\n\n" +
			"  # Parameters from a file, and one more.\n" +
			"  aci deployment group " + verb + " -g MyResourceGroup -f azuredeploy.json -p @params.json -p key=value",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.parse(f, cmd); err != nil {
				return err
			}
			return deployRun(f, d, o, verb)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&o.Group, "resource-group", "g", "", "Name of resource group. You can configure the default group using 'aci configure --defaults group=<name>'.")
	fl.StringVarP(&o.Name, "name", "n", "", "The deployment name. Default to template file base name.")
	fl.StringVarP(&o.TemplateFile, "template-file", "f", "", "The path to the template file (JSON, comments allowed).")
	fl.StringVarP(&o.TemplateURI, "template-uri", "u", "", "The URI to the template file.")
	fl.StringArrayVarP(&o.Parameters, "parameters", "p", nil, "Supply deployment parameter values: a JSON file (@file.json), inline JSON, or <KEY=VALUE> pairs. Repeatable.")
	cmdutil.NArgs(cmd, "parameters")
	fl.StringVar(&o.Mode, "mode", "Incremental", "The deployment mode. Allowed values: Complete, Incremental.")
	cmdutil.Required(cmd, "resource-group")
	fl.BoolVar(&o.NoPrompt, "no-prompt", false, "The option to disable the prompt of missing parameters for ARM template.")
	if verb == "create" {
		fl.BoolVar(&o.NoWait, "no-wait", false, "Do not wait for the long-running operation to finish.")
		fl.StringVar(&o.Rollback, "rollback-on-error", "", "The name of a deployment to roll back to on error, or use as a flag to roll back to the last successful deployment.")
		cmdutil.OptionalValue(cmd, "rollback-on-error", " ")
	}
	if verb == "what-if" {
		fl.BoolVar(&o.NoPretty, "no-pretty-print", false, "Disable pretty-print for What-If results. When set, the output format type will be used.")
	}
	return cmd
}

// parse checks the flags and builds the deployment's body: the template,
// its parameters (asking for missing ones as az does) and the mode.
func (o *CreateOptions) parse(f *cmdutil.Factory, cmd *cobra.Command) error {
	f.Default(&o.Group, "group")
	var m cmdutil.Missing
	m.Need("--resource-group/-g", o.Group)
	if err := m.Err(); err != nil {
		return err
	}
	if (o.TemplateFile == "") == (o.TemplateURI == "") {
		return cmdutil.UsageError("usage error: --template-file FILE | --template-uri URI")
	}
	mode, err := cmdutil.Choice(cmd, "--mode", o.Mode, "Complete", "Incremental")
	if err != nil {
		return err
	}
	o.body, err = deploymentBody(f, cmd, o, mode)
	return err
}

// deployRun validates (create, validate), asks what-if, or deploys.
func deployRun(f *cmdutil.Factory, d *Deps, o *CreateOptions, verb string) error {
	body := o.body
	svc, err := d.Service()
	if err != nil {
		return err
	}
	if verb == "create" || verb == "validate" {
		// az validates before it deploys, and says what is wrong its way.
		raw, err := svc.Validate(f.Context(), o.Group, o.Name, body)
		if err != nil {
			return validationError(err)
		}
		if e, ok := raw["properties"].(map[string]any)["error"].(map[string]any); ok && e != nil {
			return cmdutil.Fail("%s", preflightMessage(e))
		}
		if verb == "validate" {
			return f.Print(Shape(raw), cmdutil.PrintOptions{Table: Table})
		}
	}
	switch verb {
	case "what-if":
		raw, err := svc.WhatIf(f.Context(), o.Group, o.Name, body)
		if err != nil {
			return err
		}
		if o.NoPretty {
			m := whatIfModel(raw)
			azshape.AddResourceGroup(m)
			return f.Print(m, cmdutil.PrintOptions{})
		}
		_, err = io.WriteString(f.IO.Out, whatIfReport(raw))
		return err
	}
	sp := f.StartSpinner("Running")
	raw, err := svc.Create(f.Context(), o.Group, o.Name, body, !o.NoWait, nil)
	sp.Stop()
	if err != nil {
		return err
	}
	if o.NoWait {
		return nil
	}
	return f.Print(Shape(raw), cmdutil.PrintOptions{Table: Table})
}

// deploymentBody reads the template and its parameters (asking for the
// missing ones as az does) and names the deployment after the file when
// --name is not given.
func deploymentBody(f *cmdutil.Factory, cmd *cobra.Command, o *CreateOptions, mode string) (map[string]any, error) {
	tmplBytes, source, err := loadTemplate(f, o)
	if err != nil {
		return nil, err
	}
	tmpl, err := parseJSONC(tmplBytes, source)
	if err != nil {
		return nil, err
	}
	tm, _ := tmpl.(map[string]any)
	defs, _ := tm["parameters"].(map[string]any)
	params, err := parseParameters(defs, o.Parameters)
	if err != nil {
		return nil, err
	}
	if err := missingParameters(f, defs, params, o.NoPrompt); err != nil {
		return nil, err
	}
	if o.Name == "" {
		base := filepath.Base(source)
		if o.TemplateURI != "" {
			base = filepath.Base(strings.SplitN(o.TemplateURI, "?", 2)[0])
		}
		o.Name = strings.TrimSuffix(base, filepath.Ext(base))
		if o.Name == "" {
			o.Name = "deployment1"
		}
	}
	props := map[string]any{"mode": mode, "template": json.RawMessage(tmplBytesClean(tmpl)), "parameters": params}
	if cmd.Flags().Changed("rollback-on-error") {
		if name := strings.TrimSpace(o.Rollback); name != "" {
			props["onErrorDeployment"] = map[string]any{"type": "SpecificDeployment", "deploymentName": name}
		} else {
			props["onErrorDeployment"] = map[string]any{"type": "LastSuccessful"}
		}
	}
	return map[string]any{"properties": props}, nil
}

// validationError is az's text for a refused validation: the error as
// Python's json.dumps prints it, then each detail as "Inner Errors".
func validationError(err error) error {
	var ae *arm.Error
	if !errors.As(err, &ae) || ae.Code == "" {
		return err
	}
	kv := []string{"code", ae.Code, "message", ae.Message}
	if ae.Target != "" {
		kv = append(kv, "target", ae.Target)
	}
	msg := pyDict(kv...)
	for _, d := range ae.Details {
		msg += "\n\nInner Errors: \n" + pyDict("code", d.Code, "message", d.Message)
	}
	return cmdutil.Fail("%s", msg)
}

// preflightMessage is az's "Code - Message" lines for a validation result
// that carries an error.
func preflightMessage(e map[string]any) string {
	lines := []string{fmt.Sprintf("%v - %v", e["code"], e["message"])}
	details, _ := e["details"].([]any)
	for _, d := range details {
		if dm, ok := d.(map[string]any); ok {
			lines = append(lines, preflightMessage(dm))
		}
	}
	return strings.Join(lines, "\n")
}

// pyDict renders string pairs as Python's json.dumps does: ", " and ": "
// separators, non-ASCII escaped.
func pyDict(kv ...string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(pyString(kv[i]) + ": " + pyString(kv[i+1]))
	}
	b.WriteByte('}')
	return b.String()
}

func pyString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r > 0x7f && r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		case r > 0xffff:
			r -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// loadTemplate reads --template-file, or downloads --template-uri here (aci
// local fetches nothing; Azure is sent the template inline too, which it
// accepts).
func loadTemplate(f *cmdutil.Factory, o *CreateOptions) ([]byte, string, error) {
	if o.TemplateFile != "" {
		b, err := os.ReadFile(o.TemplateFile)
		if err != nil {
			return nil, "", cmdutil.Fail("Please ensure the template file '%s' exists: %v", o.TemplateFile, err)
		}
		return b, o.TemplateFile, nil
	}
	ctx, cancel := context.WithTimeout(f.Context(), time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.TemplateURI, nil)
	if err != nil {
		return nil, "", cmdutil.UsageError("argument --template-uri: %v", err)
	}
	hc := f.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: time.Minute}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, "", cmdutil.Fail("Unable to retrieve url %s: %v", o.TemplateURI, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, "", cmdutil.Fail("Unable to retrieve url %s: HTTP %d", o.TemplateURI, resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return b, o.TemplateURI, err
}

// parseJSONC decodes a template or parameters file; a syntax error says where.
func parseJSONC(b []byte, source string) (any, error) {
	v, err := jsonc.Decode(b)
	if err != nil {
		return nil, cmdutil.Fail("Failed to parse '%s', please check whether it is a valid JSON format: %v", source, err)
	}
	return v, nil
}

func tmplBytesClean(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// parseParameters is az's _process_parameters: each value is a parameters
// file (@file or a path), inline JSON, or KEY=VALUE typed by the template.
func parseParameters(defs map[string]any, items []string) (map[string]any, error) {
	params := map[string]any{}
	for _, item := range items {
		if item == "{}" && len(params) == 0 {
			continue
		}
		path := strings.TrimPrefix(item, "@")
		if st, err := os.Stat(path); err == nil && !st.IsDir() {
			b, err := os.ReadFile(path)
			if err != nil {
				return nil, cmdutil.Fail("Failed to parse %s with exception:\n    %v", path, err)
			}
			v, err := parseJSONC(b, path)
			if err != nil {
				return nil, err
			}
			mergeParams(params, v)
			continue
		}
		if strings.HasPrefix(item, "@") {
			return nil, cmdutil.Fail("Unable to parse parameter: %s (no such file)", item)
		}
		trimmed := strings.TrimSpace(item)
		if strings.HasPrefix(trimmed, "{") {
			var v any
			dec := json.NewDecoder(strings.NewReader(string(jsonc.Strip([]byte(trimmed)))))
			dec.UseNumber()
			if err := dec.Decode(&v); err == nil {
				mergeParams(params, v)
				continue
			}
		}
		key, value, ok := strings.Cut(item, "=")
		if !ok {
			return nil, cmdutil.Fail("Unable to parse parameter: %s", item)
		}
		def, found := lookupFold(defs, key)
		if !found {
			return nil, cmdutil.Fail("unrecognized template parameter '%s'. Allowed parameters: %s", key, strings.Join(slices.Sorted(maps.Keys(defs)), ", "))
		}
		dm, _ := def.(map[string]any)
		typ, _ := dm["type"].(string)
		switch strings.ToLower(typ) {
		case "object", "array", "secureobject":
			var v any
			dec := json.NewDecoder(strings.NewReader(value))
			dec.UseNumber()
			if err := dec.Decode(&v); err != nil {
				return nil, cmdutil.Fail("Failed to parse JSON: %s\nError detail: %v", value, err)
			}
			params[key] = map[string]any{"value": v}
		case "bool":
			params[key] = map[string]any{"value": strings.EqualFold(value, "true")}
		case "int":
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil {
				return nil, cmdutil.Fail("invalid literal for int() with base 10: '%s'", value)
			}
			params[key] = map[string]any{"value": n}
		default:
			params[key] = map[string]any{"value": value}
		}
	}
	return params, nil
}

// mergeParams adds a parameters document ({"$schema", "parameters": {...}}
// or the bare object).
func mergeParams(dst map[string]any, v any) {
	m, _ := v.(map[string]any)
	if p, ok := m["parameters"].(map[string]any); ok {
		m = p
	}
	for k, e := range m {
		dst[k] = e
	}
}

func lookupFold(m map[string]any, k string) (any, bool) {
	if v, ok := m[k]; ok {
		return v, true
	}
	for kk, v := range m {
		if strings.EqualFold(kk, k) {
			return v, true
		}
	}
	return nil, false
}

// missingParameters prompts for parameters with no value and no default, on
// a terminal (secure ones without echo), as az does; otherwise it names them.
func missingParameters(f *cmdutil.Factory, defs, params map[string]any, noPrompt bool) error {
	var missing []string
	for _, name := range slices.Sorted(maps.Keys(defs)) {
		dm, _ := defs[name].(map[string]any)
		if _, has := dm["defaultValue"]; has {
			continue
		}
		if v, ok := lookupFold(params, name); ok && v != nil {
			continue
		}
		missing = append(missing, name)
	}
	if len(missing) == 0 {
		return nil
	}
	if noPrompt {
		f.Warn("Missing input parameters: %s ", strings.Join(missing, ", "))
		return nil
	}
	if !f.IO.StdinTTY {
		return cmdutil.Fail("Missing input parameters: %s", strings.Join(missing, ", "))
	}
	for _, name := range missing {
		dm, _ := defs[name].(map[string]any)
		typ, _ := dm["type"].(string)
		lt := strings.ToLower(typ)
		prompt := fmt.Sprintf("Please provide %s value for '%s' (? for help): ", lt, name)
		var value string
		for value == "" {
			fmt.Fprint(f.IO.ErrOut, prompt)
			if strings.HasPrefix(lt, "secure") {
				if fd, ok := f.IO.In.(interface{ Fd() uintptr }); ok && term.IsTerminal(int(fd.Fd())) {
					b, err := term.ReadPassword(int(fd.Fd()))
					fmt.Fprintln(f.IO.ErrOut)
					if err != nil {
						return cmdutil.Fail("Missing input parameters: %s", name)
					}
					value = string(b)
					continue
				}
			}
			if _, err := fmt.Fscanln(f.IO.In, &value); err != nil && value == "" {
				return cmdutil.Fail("Missing input parameters: %s", strings.Join(missing, ", "))
			}
		}
		p, err := parseParameters(defs, []string{name + "=" + value})
		if err != nil {
			return err
		}
		mergeParams(params, p)
	}
	return nil
}

// target is -g and -n.
type target struct{ Group, Name string }

func (t *target) flags(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&t.Group, "resource-group", "g", "", "Name of resource group. You can configure the default group using 'aci configure --defaults group=<name>'.")
	cmd.Flags().StringVarP(&t.Name, "name", "n", "", "The deployment name.")
}

func (t *target) resolve(f *cmdutil.Factory, d *Deps, needName bool) (Service, error) {
	f.Default(&t.Group, "group")
	var m cmdutil.Missing
	m.Need("--resource-group/-g", t.Group)
	if needName {
		m.Need("--name/-n", t.Name)
	}
	if err := m.Err(); err != nil {
		return nil, err
	}
	return d.Service()
}

func deploymentShowRun(f *cmdutil.Factory, d *Deps, t *target) error {
	svc, err := t.resolve(f, d, true)
	if err != nil {
		return err
	}
	raw, err := svc.Get(f.Context(), t.Group, t.Name)
	if err != nil {
		return err
	}
	return f.Print(Shape(raw), cmdutil.PrintOptions{Table: Table})
}

func newShow(f *cmdutil.Factory, d *Deps) *cobra.Command {
	t := &target{}
	cmd := &cobra.Command{Use: "show", Short: "Show a deployment at resource group.", Args: cobra.NoArgs,
		Example: "  aci deployment group show -g MyResourceGroup -n MyDeployment --query properties.outputs",
		RunE:    func(cmd *cobra.Command, args []string) error { return deploymentShowRun(f, d, t) }}
	t.flags(cmd)
	return cmd
}

func deploymentListRun(f *cmdutil.Factory, d *Deps, t *target, filter string) error {
	svc, err := t.resolve(f, d, false)
	if err != nil {
		return err
	}
	list, err := svc.List(f.Context(), t.Group, filter)
	if err != nil {
		return err
	}
	return f.Print(Shape(list), cmdutil.PrintOptions{Table: Table})
}

func newList(f *cmdutil.Factory, d *Deps) *cobra.Command {
	t := &target{}
	var filter string
	cmd := &cobra.Command{Use: "list", Short: "List deployments at resource group.", Args: cobra.NoArgs,
		Example: "  aci deployment group list -g MyResourceGroup -o table",
		RunE:    func(cmd *cobra.Command, args []string) error { return deploymentListRun(f, d, t, filter) }}
	cmd.Flags().StringVarP(&t.Group, "resource-group", "g", "", "Name of resource group. You can configure the default group using 'aci configure --defaults group=<name>'.")
	cmd.Flags().StringVar(&filter, "filter", "", "Filter expression using OData notation, e.g. \"provisioningState eq 'Failed'\".")
	return cmd
}

func deploymentDeleteRun(f *cmdutil.Factory, d *Deps, t *target, noWait bool) error {
	svc, err := t.resolve(f, d, true)
	if err != nil {
		return err
	}
	return svc.Delete(f.Context(), t.Group, t.Name, !noWait)
}

func newDelete(f *cmdutil.Factory, d *Deps) *cobra.Command {
	t := &target{}
	var noWait bool
	cmd := &cobra.Command{Use: "delete", Short: "Delete a deployment at resource group (its resources stay).", Args: cobra.NoArgs,
		Example: "  aci deployment group delete -g MyResourceGroup -n MyDeployment",
		RunE:    func(cmd *cobra.Command, args []string) error { return deploymentDeleteRun(f, d, t, noWait) }}
	t.flags(cmd)
	cmd.Flags().BoolVar(&noWait, "no-wait", false, "Do not wait for the long-running operation to finish.")
	return cmd
}

func cancelRun(f *cmdutil.Factory, d *Deps, t *target) error {
	svc, err := t.resolve(f, d, true)
	if err != nil {
		return err
	}
	return svc.Cancel(f.Context(), t.Group, t.Name)
}

func newCancel(f *cmdutil.Factory, d *Deps) *cobra.Command {
	t := &target{}
	cmd := &cobra.Command{Use: "cancel", Short: "Cancel a deployment at resource group.", Args: cobra.NoArgs,
		Example: "  aci deployment group cancel -g MyResourceGroup -n MyDeployment",
		RunE:    func(cmd *cobra.Command, args []string) error { return cancelRun(f, d, t) }}
	t.flags(cmd)
	return cmd
}

// exportRun prints the template the deployment used.
func exportRun(f *cmdutil.Factory, d *Deps, t *target) error {
	svc, err := t.resolve(f, d, true)
	if err != nil {
		return err
	}
	raw, err := svc.Export(f.Context(), t.Group, t.Name)
	if err != nil {
		return err
	}
	return f.Print(raw["template"], cmdutil.PrintOptions{})
}

func newExport(f *cmdutil.Factory, d *Deps) *cobra.Command {
	t := &target{}
	cmd := &cobra.Command{Use: "export", Short: "Export the template used for a deployment.", Args: cobra.NoArgs,
		Example: "  aci deployment group export -g MyResourceGroup -n MyDeployment > template.json",
		RunE:    func(cmd *cobra.Command, args []string) error { return exportRun(f, d, t) }}
	t.flags(cmd)
	return cmd
}

// WaitOptions are `deployment group wait`'s arguments.
type WaitOptions struct {
	target
	Created, Deleted, Exists bool
	Custom                   string
	Interval, Timeout        time.Duration
}

// waitRun reads the deployment every interval until its condition holds,
// it fails, or the timeout passes.
func waitRun(f *cmdutil.Factory, d *Deps, o *WaitOptions) error {
	svc, err := o.resolve(f, d, true)
	if err != nil {
		return err
	}
	var q *output.Query
	if o.Custom != "" {
		if q, err = output.CompileQuery(o.Custom); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(o.Timeout)
	for {
		raw, err := svc.Get(f.Context(), o.Group, o.Name)
		gone := err != nil && cmdutil.ExitCode(err) == 3
		if err != nil && !gone {
			return err
		}
		state := ""
		if raw != nil {
			p, _ := raw["properties"].(map[string]any)
			state, _ = p["provisioningState"].(string)
		}
		switch {
		case o.Deleted && gone, o.Exists && !gone, o.Created && state == "Succeeded":
			return nil
		case o.Created && (state == "Failed" || state == "Canceled"):
			return cmdutil.Fail("The deployment '%s' ended %s.", o.Name, state)
		case q != nil && !gone:
			if v, err := q.Apply(Shape(raw)); err == nil && v == true {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return cmdutil.ErrWaitTimeout
		}
		select {
		case <-f.Context().Done():
			return f.Context().Err()
		case <-time.After(o.Interval):
		}
	}
}

func newWait(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &WaitOptions{}
	var interval, timeout int
	cmd := &cobra.Command{Use: "wait", Short: "Place the CLI in a waiting state until a deployment condition is met.", Args: cobra.NoArgs,
		Example: "  aci deployment group wait -g MyResourceGroup -n MyDeployment --created",
		RunE: func(cmd *cobra.Command, args []string) error {
			if !o.Created && !o.Deleted && !o.Exists && o.Custom == "" {
				return cmdutil.UsageError("usage error: --created | --deleted | --exists | --custom")
			}
			o.Interval, o.Timeout = time.Duration(interval)*time.Second, time.Duration(timeout)*time.Second
			return waitRun(f, d, o)
		}}
	o.flags(cmd)
	fl := cmd.Flags()
	fl.BoolVar(&o.Created, "created", false, "Wait until created with 'provisioningState' at 'Succeeded'.")
	fl.BoolVar(&o.Deleted, "deleted", false, "Wait until deleted.")
	fl.BoolVar(&o.Exists, "exists", false, "Wait until the resource exists.")
	fl.StringVar(&o.Custom, "custom", "", "Wait until the condition satisfies a custom JMESPath query.")
	fl.IntVar(&interval, "interval", 30, "Polling interval in seconds.")
	fl.IntVar(&timeout, "timeout", 3600, "Maximum wait in seconds.")
	return cmd
}

func opListRun(f *cmdutil.Factory, d *Deps, t *target) error {
	svc, err := t.resolve(f, d, true)
	if err != nil {
		return err
	}
	list, err := svc.Operations(f.Context(), t.Group, t.Name)
	if err != nil {
		return err
	}
	return f.Print(azshape.Shape(list, azshape.DeploymentOperation), cmdutil.PrintOptions{})
}

func newOpList(f *cmdutil.Factory, d *Deps) *cobra.Command {
	t := &target{}
	cmd := &cobra.Command{Use: "list", Short: "List deployment operations at resource group.", Args: cobra.NoArgs,
		Example: "  aci deployment operation group list -g MyResourceGroup -n MyDeployment",
		RunE:    func(cmd *cobra.Command, args []string) error { return opListRun(f, d, t) }}
	t.flags(cmd)
	return cmd
}

// opShowRun prints the operations asked for: one as an object, several as
// a list, as az does.
func opShowRun(f *cmdutil.Factory, d *Deps, t *target, ids []string) error {
	svc, err := t.resolve(f, d, true)
	if err != nil {
		return err
	}
	var out []any
	for _, id := range ids {
		raw, err := svc.Operation(f.Context(), t.Group, t.Name, id)
		if err != nil {
			return err
		}
		out = append(out, map[string]any(raw))
	}
	if len(out) == 1 {
		return f.Print(azshape.Shape(out[0], azshape.DeploymentOperation), cmdutil.PrintOptions{})
	}
	return f.Print(azshape.Shape(out, azshape.DeploymentOperation), cmdutil.PrintOptions{})
}

func newOpShow(f *cmdutil.Factory, d *Deps) *cobra.Command {
	t := &target{}
	var ids []string
	cmd := &cobra.Command{Use: "show", Short: "Get a deployment's operation.", Args: cobra.NoArgs,
		Example: "  aci deployment operation group show -g MyResourceGroup -n MyDeployment --operation-ids 0123456789ABCDEF",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(ids) == 0 {
				return cmdutil.UsageError("the following arguments are required: --operation-ids")
			}
			return opShowRun(f, d, t, ids)
		}}
	t.flags(cmd)
	cmd.Flags().StringArrayVar(&ids, "operation-ids", nil, "A list of operation ids to show.")
	cmdutil.NArgs(cmd, "operation-ids")
	cmdutil.Required(cmd, "operation-ids")
	return cmd
}
