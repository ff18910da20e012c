package template

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/aci-cli/aci/internal/jsonc"
)

// Template is a deployment template, decoded (values normalized).
type Template struct {
	Schema         string         `json:"$schema"`
	ContentVersion string         `json:"contentVersion"`
	Parameters     map[string]any `json:"parameters"`
	Variables      map[string]any `json:"variables"`
	Resources      []any          `json:"resources"`
	Outputs        map[string]any `json:"outputs"`
}

// Resource is one resource instance the template deploys.
type Resource struct {
	Type, Name, APIVersion, ID string
	// DependsOn are the ids this resource waits for (explicit and implied by
	// reference()/list*()).
	DependsOn []string
	raw       map[string]any
	scope     *Scope // with its copy index set
}

// Plan is a template ready to deploy: parameters bound, resources expanded
// and ordered.
type Plan struct {
	Resources []*Resource // in an order that respects dependsOn
	Params    map[string]any
	// ParamTypes are the declared types, lower-cased ("securestring" ...).
	ParamTypes map[string]string
	tmpl       *Template
	scope      *Scope
}

// Decode reads a template body.
// The template may come as an object or, as az sends it, as a string
// holding the template's text (comments allowed, as ARM allows them).
func Decode(raw json.RawMessage) (*Template, error) {
	text := []byte(raw)
	var s string
	if json.Unmarshal(raw, &s) == nil {
		text = []byte(s)
	}
	v, err := jsonc.Decode(text)
	if err != nil {
		return nil, invalidTemplate("Deployment template parse failed: '%v'.", err)
	}
	m, ok := Normalize(v).(map[string]any)
	if !ok {
		return nil, invalidTemplate("Deployment template parse failed: 'the template must be a JSON object'.")
	}
	t := &Template{}
	t.Schema, _ = m["$schema"].(string)
	t.ContentVersion, _ = m["contentVersion"].(string)
	t.Parameters, _ = m["parameters"].(map[string]any)
	t.Variables, _ = m["variables"].(map[string]any)
	t.Outputs, _ = m["outputs"].(map[string]any)
	switch r := m["resources"].(type) {
	case []any:
		t.Resources = r
	case nil:
	default:
		return nil, invalidTemplate("Deployment template validation failed: 'The template 'resources' must be an array.'.")
	}
	if t.Schema == "" {
		return nil, invalidTemplate("Deployment template validation failed: 'Required property '$schema' not found in JSON.'.")
	}
	if t.ContentVersion == "" {
		return nil, invalidTemplate("Deployment template validation failed: 'Required property 'contentVersion' not found in JSON.'.")
	}
	// Every expression must parse and name known functions before anything
	// is deployed, as ARM validates the whole template first.
	for _, part := range []struct {
		name string
		v    any
	}{{"parameters", t.Parameters}, {"variables", t.Variables}, {"resources", t.Resources}, {"outputs", t.Outputs}} {
		if err := checkExpressions(part.name, part.v); err != nil {
			return nil, err
		}
	}
	return t, nil
}

var knownFunctions = map[string]bool{}

func init() {
	for _, f := range strings.Fields(`add and array base64 base64tostring bool coalesce concat contains copyindex createarray createobject
		deployment div empty endswith equals false first format greater greaterorequals guid if indexof int json last lastindexof
		length less lessorequals listcredential listcredentials listkeys listsecrets max min mod mul newguid not null or padleft
		parameters range reference replace resourcegroup resourceid skip split startswith string sub subscription substring take
		tolower toupper trim true union uniquestring utcnow variables`) {
		knownFunctions[f] = true
	}
}

// checkExpressions parses every expression under v (at path) and checks its
// functions exist.
func checkExpressions(path string, v any) error {
	switch x := v.(type) {
	case string:
		if !IsExpression(x) {
			return nil
		}
		n, err := Parse(x[1 : len(x)-1])
		if err != nil {
			return invalidTemplate("Deployment template validation failed: 'The template language expression '%s' at '%s' is not valid: %v'.", x, path, err)
		}
		var bad *Call
		Walk(n, func(n Node) {
			if c, ok := n.(*Call); ok && bad == nil && !knownFunctions[strings.ToLower(c.Name)] {
				bad = c
			}
		})
		if bad != nil {
			return invalidTemplate("Deployment template validation failed: 'The template function '%s' at '%s' (position %d of '%s') is not valid. Please see https://aka.ms/arm-template-functions for usage details.'.", bad.Name, path, bad.At+2, x)
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if err := checkExpressions(path+"."+k, x[k]); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range x {
			if err := checkExpressions(fmt.Sprintf("%s[%d]", path, i), e); err != nil {
				return err
			}
		}
	}
	return nil
}

var paramTypes = map[string]string{"string": "String", "securestring": "String", "int": "Integer", "bool": "Boolean",
	"object": "Object", "secureobject": "Object", "array": "Array"}

// NewPlan binds parameters (the request's {"name": {"value": v}}) and
// expands the resources.
func NewPlan(t *Template, given map[string]any, env *Env) (*Plan, error) {
	p := &Plan{tmpl: t, Params: map[string]any{}, ParamTypes: map[string]string{}}
	s := &Scope{params: p.Params, variables: t.Variables, varCache: map[string]any{}, varBusy: map[string]bool{}, env: env, loops: map[string]int{}, b: newBudget(env)}
	p.scope = s
	for name := range given {
		if _, ok := lookupFold(t.Parameters, name); !ok {
			return nil, invalidTemplate("Deployment template validation failed: 'The template parameters '%s' in the parameters file are not valid; they are not present in the original template and can therefore not be provided at deployment time. The only supported parameters for this template are '%s'. Please see https://aka.ms/arm-pass-parameter-values for usage details.'.", name, strings.Join(slices.Sorted(maps.Keys(t.Parameters)), ", "))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(t.Parameters)) {
		def, _ := t.Parameters[name].(map[string]any)
		typ, _ := def["type"].(string)
		want, ok := paramTypes[strings.ToLower(typ)]
		if !ok {
			return nil, invalidTemplate("Deployment template validation failed: 'The template parameter '%s' has an invalid type '%s'. The supported types are 'string, securestring, int, bool, object, secureObject, array'.'.", name, typ)
		}
		p.ParamTypes[name] = strings.ToLower(typ)
		var v any
		if g, ok := lookupFold(given, name); ok {
			gm, _ := g.(map[string]any)
			if _, has := gm["value"]; !has {
				if _, isRef := gm["reference"]; isRef {
					return nil, invalidTemplate("Deployment template validation failed: 'The parameter '%s' is a Key Vault reference, which aci local cannot resolve.'.", name)
				}
			}
			v = Normalize(gm["value"])
		} else if d, has := def["defaultValue"]; has {
			var err error
			if v, err = s.Value(d); err != nil {
				return nil, err
			}
		} else {
			return nil, invalidTemplate("Deployment template validation failed: 'The value for the template parameter '%s' is not provided. Please see https://aka.ms/arm-create-parameter-file for usage details.'.", name)
		}
		if got := typeName(v); got != want && !(want == "Integer" && got == "String" && isIntString(v)) {
			return nil, invalidTemplate("Deployment template validation failed: 'Template parameter JToken type is not valid. Expected '%s'. Actual '%s'. Please see https://aka.ms/arm-create-parameter-file for usage details.'.", want, got)
		}
		if want == "Integer" {
			if sv, ok := v.(string); ok {
				v = parseIntString(sv)
			}
		}
		if err := checkConstraints(name, def, v); err != nil {
			return nil, err
		}
		p.Params[name] = v
	}
	if err := p.expand(); err != nil {
		return nil, err
	}
	return p, nil
}

// badNameSegment says what is wrong with a resource's name or type segments
// ("" when nothing is): each becomes a segment of the resource's id, a URL
// path, so none may carry a query, a fragment, an escape, a backslash, a
// control character or a dot segment ("x?y=1" would otherwise deploy "x").
func badNameSegment(parts ...[]string) string {
	for _, ps := range parts {
		for _, p := range ps {
			switch {
			case p == "":
				return "a segment is empty"
			case p == "." || p == "..":
				return "'" + p + "' is not a name"
			case strings.ContainsAny(p, "?#%&\\"):
				return "names cannot contain '?', '#', '%', '&' or '\\'"
			case strings.IndexFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0:
				return "names cannot contain control characters"
			}
		}
	}
	return ""
}

func isIntString(v any) bool {
	s, _ := v.(string)
	_, err := fmt.Sscan(s, new(int64))
	return s != "" && err == nil
}

func parseIntString(s string) int64 {
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		return 0
	}
	return n
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

func checkConstraints(name string, def map[string]any, v any) error {
	if allowed, ok := def["allowedValues"].([]any); ok {
		found := false
		for _, a := range allowed {
			if jsonEqual(a, v) {
				found = true
			}
		}
		if !found {
			var list []string
			for _, a := range allowed {
				list = append(list, toString(a))
			}
			return invalidTemplate("Deployment template validation failed: 'The provided value '%s' for the template parameter '%s' is not valid. The parameter value is not part of the allowed value(s): '%s'.'.", toString(v), name, strings.Join(list, ","))
		}
	}
	if n, ok := v.(int64); ok {
		if mn, ok := def["minValue"].(int64); ok && n < mn {
			return invalidTemplate("Deployment template validation failed: 'The provided value '%d' for the template parameter '%s' is not valid. The parameter value must be greater than or equal to %d.'.", n, name, mn)
		}
		if mx, ok := def["maxValue"].(int64); ok && n > mx {
			return invalidTemplate("Deployment template validation failed: 'The provided value '%d' for the template parameter '%s' is not valid. The parameter value must be less than or equal to %d.'.", n, name, mx)
		}
	}
	var length int64 = -1
	switch x := v.(type) {
	case string:
		length = int64(len([]rune(x)))
	case []any:
		length = int64(len(x))
	}
	if length >= 0 {
		if mn, ok := def["minLength"].(int64); ok && length < mn {
			return invalidTemplate("Deployment template validation failed: 'The provided value for the template parameter '%s' is not valid. Length of the value should be greater than or equal to '%d'.'.", name, mn)
		}
		if mx, ok := def["maxLength"].(int64); ok && length > mx {
			return invalidTemplate("Deployment template validation failed: 'The provided value for the template parameter '%s' is not valid. Length of the value should be less than or equal to '%d'.'.", name, mx)
		}
	}
	return nil
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// expand evaluates each resource's condition, copy, type and name, resolves
// dependsOn and the dependencies reference() implies, and orders them.
func (p *Plan) expand() error {
	s := p.scope
	if err := s.copyVariables(); err != nil {
		return err
	}
	x := &expansion{s: s, loops: map[string][]*Resource{}}
	if err := x.walk(p.tmpl.Resources, "", "", nil); err != nil {
		return err
	}
	idx, err := indexResources(x.all, x.loops)
	if err != nil {
		return err
	}
	s.resolve = func(name string) (string, bool) {
		if rs := idx.byName[strings.ToLower(name)]; len(rs) == 1 {
			return rs[0].ID, true
		}
		return "", false
	}
	for _, pr := range x.all {
		if err := pr.resolveDeps(idx); err != nil {
			return err
		}
	}
	ordered, err := order(x.all, idx.byID)
	if err != nil {
		return err
	}
	p.Resources = ordered
	return nil
}

// copyVariables turns the variables' "copy" loops into arrays, before
// anything reads a variable.
func (s *Scope) copyVariables() error {
	loops, ok := s.variables["copy"].([]any)
	if !ok {
		return nil
	}
	vars := map[string]any{}
	for k, v := range s.variables {
		if k != "copy" {
			vars[k] = v
		}
	}
	s.variables = vars
	for _, l := range loops {
		name, arr, err := s.copyLoop(l)
		if err != nil {
			return err
		}
		s.varCache[strings.ToLower(name)] = arr
		vars[name] = arr
	}
	return nil
}

// expansion collects the template's resources, copies expanded and nested
// resources flattened.
type expansion struct {
	s     *Scope
	all   []pending
	loops map[string][]*Resource // copy loop name (lower case) -> its resources
}

func (x *expansion) walk(list []any, parentType, parentName string, parentDeps []string) error {
	for _, r := range list {
		raw, ok := r.(map[string]any)
		if !ok {
			return invalidTemplate("Deployment template validation failed: 'Each resource must be an object.'.")
		}
		count, loopName := 1, ""
		if cp, ok := raw["copy"].(map[string]any); ok {
			loopName, _ = cp["name"].(string)
			n, err := x.s.count(cp["count"])
			if err != nil {
				return err
			}
			count = n
		}
		for i := 0; i < count; i++ {
			c := x.s.child()
			if loopName != "" {
				c.loops[""], c.loops[loopName] = i, i
			}
			c.static = true
			res, err := instance(raw, c, parentType, parentName)
			if err != nil {
				return err
			}
			if res == nil {
				continue // its condition is false
			}
			deps, _ := raw["dependsOn"].([]any)
			for _, pd := range parentDeps {
				deps = append(deps, pd)
			}
			x.all = append(x.all, pending{res: res, deps: deps, loopName: loopName})
			if loopName != "" {
				x.loops[strings.ToLower(loopName)] = append(x.loops[strings.ToLower(loopName)], res)
			}
			if kids, ok := raw["resources"].([]any); ok {
				if err := x.walk(kids, res.Type, res.Name, []string{res.ID}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// instance is one resource of the template in scope c (one copy of it),
// or nil when its condition is false.
func instance(raw map[string]any, c *Scope, parentType, parentName string) (*Resource, error) {
	if cond, has := raw["condition"]; has {
		v, err := c.Value(cond)
		if err != nil {
			return nil, err
		}
		b, ok := v.(bool)
		if !ok {
			return nil, invalidTemplate("Deployment template validation failed: 'The template resource condition must be a boolean, not '%s'.'.", typeName(v))
		}
		if !b {
			return nil, nil
		}
	}
	tv, err := c.Value(raw["type"])
	if err != nil {
		return nil, err
	}
	nv, err := c.Value(raw["name"])
	if err != nil {
		return nil, err
	}
	av, _ := c.Value(raw["apiVersion"])
	typ, _ := tv.(string)
	name, _ := nv.(string)
	apiVersion, _ := av.(string)
	if typ == "" || name == "" || apiVersion == "" {
		return nil, invalidTemplate("Deployment template validation failed: 'The template resource '%s' of type '%s' must have a name, a type and an apiVersion.'.", name, typ)
	}
	// A nested resource's type is relative to its parent's unless it
	// names its namespace; so is its name unless it is complete.
	if parentType != "" && !strings.Contains(strings.Split(typ, "/")[0], ".") {
		typ = parentType + "/" + typ
	}
	if parentType != "" && strings.Count(name, "/") < strings.Count(typ, "/")-1 {
		name = parentName + "/" + name
	}
	segs := strings.Split(typ, "/")
	names := strings.Split(name, "/")
	if bad := badNameSegment(names, segs); bad != "" {
		return nil, invalidTemplate("Deployment template validation failed: 'The template resource '%s' of type '%s' has an invalid name: %s.'.", name, typ, bad)
	}
	if len(segs) < 2 || len(names) != len(segs)-1 {
		return nil, invalidTemplate("Deployment template validation failed: 'The template resource '%s' for type '%s' has incorrect segment lengths. A nested resource type must have identical number of segments as its resource name.'.", name, typ)
	}
	id := "/subscriptions/" + c.env.SubscriptionID + "/resourceGroups/" + c.env.ResourceGroup + "/providers/" + segs[0] + "/" + segs[1] + "/" + names[0]
	for k := 2; k < len(segs); k++ {
		id += "/" + segs[k] + "/" + names[k-1]
	}
	return &Resource{Type: typ, Name: name, APIVersion: apiVersion, ID: id, raw: raw, scope: c}, nil
}

// resourceIndex finds a template's resources by what dependsOn may name.
type resourceIndex struct {
	byID   map[string]*Resource   // lower-cased id
	byName map[string][]*Resource // lower-cased name, whole and last segment
	loops  map[string][]*Resource
}

func indexResources(all []pending, loops map[string][]*Resource) (*resourceIndex, error) {
	idx := &resourceIndex{byID: map[string]*Resource{}, byName: map[string][]*Resource{}, loops: loops}
	for _, pr := range all {
		key := strings.ToLower(pr.res.ID)
		if idx.byID[key] != nil {
			return nil, invalidTemplate("Deployment template validation failed: 'The resource '%s' is defined multiple times in a template. Please see https://aka.ms/arm-template/#resources for usage details.'.", pr.res.ID)
		}
		idx.byID[key] = pr.res
		short := pr.res.Name[strings.LastIndex(pr.res.Name, "/")+1:]
		idx.byName[strings.ToLower(short)] = append(idx.byName[strings.ToLower(short)], pr.res)
		if short != pr.res.Name {
			idx.byName[strings.ToLower(pr.res.Name)] = append(idx.byName[strings.ToLower(pr.res.Name)], pr.res)
		}
	}
	return idx, nil
}

// find maps a dependsOn entry (an id, a name, "type/name" or a copy loop)
// to resources.
func (idx *resourceIndex) find(ref string) []*Resource {
	if r := idx.byID[strings.ToLower(ref)]; r != nil {
		return []*Resource{r}
	}
	if rs := idx.loops[strings.ToLower(ref)]; rs != nil {
		return rs
	}
	if rs := idx.byName[strings.ToLower(ref)]; rs != nil {
		return rs
	}
	for _, r := range idx.byID {
		if strings.EqualFold(r.Type+"/"+r.Name, ref) || strings.HasSuffix(strings.ToLower(r.ID), "/"+strings.ToLower(strings.TrimPrefix(ref, "/"))) {
			return []*Resource{r}
		}
	}
	return nil
}

// resolveDeps fills the resource's DependsOn: what it names, and what its
// reference() and list*() calls read.
func (pr pending) resolveDeps(idx *resourceIndex) error {
	seen := map[string]bool{}
	add := func(r *Resource) {
		if r != pr.res && !seen[strings.ToLower(r.ID)] {
			seen[strings.ToLower(r.ID)] = true
			pr.res.DependsOn = append(pr.res.DependsOn, r.ID)
		}
	}
	for _, d := range pr.deps {
		v, err := pr.res.scope.Value(d)
		if err != nil {
			return err
		}
		ref, _ := v.(string)
		// A dependency on a resource the template does not deploy (already
		// there, or dropped by its condition) waits for nothing.
		for _, r := range idx.find(ref) {
			add(r)
		}
	}
	for _, id := range implied(pr.res.raw, pr.res.scope) {
		for _, r := range idx.find(id) {
			add(r)
		}
	}
	return nil
}

type pending struct {
	res      *Resource
	deps     []any
	loopName string
}

// implied finds the resources reference() and list*() calls read, where the
// argument can be evaluated before deploying.
func implied(raw map[string]any, s *Scope) []string {
	var out []string
	var visit func(v any)
	visit = func(v any) {
		switch x := v.(type) {
		case string:
			if !IsExpression(x) {
				return
			}
			n, err := Parse(x[1 : len(x)-1])
			if err != nil {
				return
			}
			Walk(n, func(n Node) {
				c, ok := n.(*Call)
				if !ok || len(c.Args) == 0 {
					return
				}
				name := strings.ToLower(c.Name)
				if name != "reference" && !strings.HasPrefix(name, "list") {
					return
				}
				v, err := s.Eval(c.Args[0])
				if id, ok := v.(string); err == nil && ok {
					out = append(out, id)
				}
			})
		case map[string]any:
			for k, e := range x {
				if k != "dependsOn" && k != "resources" {
					visit(e)
				}
			}
		case []any:
			for _, e := range x {
				visit(e)
			}
		}
	}
	visit(raw)
	return out
}

// order sorts resources so each comes after what it depends on (Kahn's
// algorithm, stable in template order); a cycle is ARM's error.
func order(all []pending, byID map[string]*Resource) ([]*Resource, error) {
	indeg := map[*Resource]int{}
	users := map[*Resource][]*Resource{}
	for _, pr := range all {
		indeg[pr.res] += 0
		for _, d := range pr.res.DependsOn {
			dep := byID[strings.ToLower(d)]
			indeg[pr.res]++
			users[dep] = append(users[dep], pr.res)
		}
	}
	var out []*Resource
	done := map[*Resource]bool{}
	for len(out) < len(all) {
		progressed := false
		for _, pr := range all {
			r := pr.res
			if done[r] || indeg[r] > 0 {
				continue
			}
			done[r] = true
			out = append(out, r)
			for _, u := range users[r] {
				indeg[u]--
			}
			progressed = true
		}
		if !progressed {
			var cyc []string
			for _, pr := range all {
				if !done[pr.res] {
					cyc = append(cyc, pr.res.Type+"/"+pr.res.Name)
				}
			}
			sort.Strings(cyc)
			return nil, invalidTemplate("Deployment template validation failed: 'Circular dependency detected on resource: '%s'. Please see https://aka.ms/arm-template/#resources for usage details.'.", strings.Join(cyc, "', '"))
		}
	}
	return out, nil
}

// Body evaluates a resource's body for its PUT: everything but the
// template-only keys, with reference() now able to read what is deployed.
func (p *Plan) Body(r *Resource) (map[string]any, error) {
	p.scope.b.restart()
	c := r.scope.child()
	c.static = false
	c.resolve = p.scope.resolve
	out := map[string]any{}
	for k, v := range r.raw {
		switch k {
		case "type", "name", "apiVersion", "dependsOn", "copy", "condition", "resources", "comments", "metadata":
			continue
		}
		e, err := c.Value(v)
		if err != nil {
			return nil, err
		}
		out[k] = e
	}
	return out, nil
}

// Outputs evaluates the template's outputs: {"name": {"type": "String",
// "value": v}}; secure outputs are left out.
func (p *Plan) Outputs() (map[string]any, error) {
	p.scope.b.restart()
	c := p.scope.child()
	c.static = false
	out := map[string]any{}
	for _, name := range slices.Sorted(maps.Keys(p.tmpl.Outputs)) {
		def, _ := p.tmpl.Outputs[name].(map[string]any)
		typ, _ := def["type"].(string)
		if cond, has := def["condition"]; has {
			v, err := c.Value(cond)
			if err != nil {
				return nil, err
			}
			if b, _ := v.(bool); !b {
				continue
			}
		}
		v, err := c.Value(def["value"])
		if err != nil {
			return nil, err
		}
		lt := strings.ToLower(typ)
		if lt == "securestring" || lt == "secureobject" {
			continue
		}
		want := paramTypes[lt]
		if want != "" && typeName(v) != want {
			return nil, invalidTemplate("The template output '%s' is not valid: the value is of type '%s' and the output is declared '%s'.", name, typeName(v), typ)
		}
		out[name] = map[string]any{"type": displayType(typ), "value": v}
	}
	return out, nil
}

// displayType is how ARM echoes a declared type ("string" -> "String").
func displayType(t string) string {
	switch strings.ToLower(t) {
	case "string":
		return "String"
	case "securestring":
		return "SecureString"
	case "int":
		return "Int"
	case "bool":
		return "Bool"
	case "object":
		return "Object"
	case "secureobject":
		return "SecureObject"
	case "array":
		return "Array"
	}
	return t
}

// EchoParameters is the deployment's parameters as ARM returns them: every
// parameter with its type, secure values left out.
func (p *Plan) EchoParameters() map[string]any {
	out := map[string]any{}
	for name, v := range p.Params {
		t := p.ParamTypes[name]
		if t == "securestring" || t == "secureobject" {
			out[name] = map[string]any{"type": displayType(t)}
			continue
		}
		out[name] = map[string]any{"type": displayType(t), "value": v}
	}
	return out
}
