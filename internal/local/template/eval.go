package template

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Scope is what an expression can see.
type Scope struct {
	params    map[string]any
	variables map[string]any // raw (unevaluated) variable values
	varCache  map[string]any
	varBusy   map[string]bool
	env       *Env
	// loops maps a copy loop's name to its current index; "" is the loop of
	// the resource (or variable) being expanded.
	loops map[string]int
	// resolve maps a resource name (as reference() may take it) to its id.
	resolve func(name string) (string, bool)
	// static is set while the engine only plans: reference() and list*()
	// cannot run yet.
	static bool
	// b is the deployment's evaluation budget, shared by every scope.
	b *budget
}

// Env is the deployment's world: where it runs and how to read resources.
type Env struct {
	SubscriptionID, TenantID, ResourceGroup, Location string
	GroupTags                                         map[string]any
	DeploymentName                                    string
	// Reference reads a resource's state (its properties, or all of it with
	// full) once it exists.
	Reference func(id, apiVersion string, full bool) (any, error)
	// List runs a list action (listKeys, listCredentials) on a resource.
	List func(id, action, apiVersion string) (any, error)
	// Ctx ends evaluation when it ends (a cancel, a shutdown).
	Ctx context.Context
	// Limits replace DefaultLimits when set.
	Limits *Limits
}

func (s *Scope) child() *Scope {
	c := *s
	c.loops = map[string]int{}
	for k, v := range s.loops {
		c.loops[k] = v
	}
	return &c
}

// typeName is ARM's name for a value's type, as its errors print it.
func typeName(v any) string {
	switch v.(type) {
	case string:
		return "String"
	case int64:
		return "Integer"
	case bool:
		return "Boolean"
	case []any:
		return "Array"
	case map[string]any:
		return "Object"
	case nil:
		return "Null"
	}
	return fmt.Sprintf("%T", v)
}

// Normalize turns decoded JSON (json.Number, float64) into the engine's
// values: int64 for integers.
func Normalize(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	case float64:
		if x == float64(int64(x)) {
			return int64(x)
		}
		return x
	case int:
		return int64(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = Normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = Normalize(e)
		}
		return out
	}
	return v
}

// Value evaluates every expression string inside a JSON value.
func (s *Scope) Value(v any) (any, error) {
	if err := s.b.step(1); err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case string:
		return s.String(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if k == "copy" {
				if loops, ok := e.([]any); ok && isPropertyCopy(loops) {
					if err := s.propertyCopy(loops, out); err != nil {
						return nil, err
					}
					continue
				}
			}
			r, err := s.Value(e)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, err := s.Value(e)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

func isPropertyCopy(loops []any) bool {
	for _, l := range loops {
		m, ok := l.(map[string]any)
		if !ok || m["input"] == nil || m["name"] == nil {
			return false
		}
	}
	return len(loops) > 0
}

// copyLoop evaluates one copy loop ({"name", "count", "input"}): its
// name and the array of its inputs, one per index. Variables and
// properties loop alike.
func (s *Scope) copyLoop(l any) (string, []any, error) {
	m, _ := l.(map[string]any)
	name, _ := m["name"].(string)
	n, err := s.count(m["count"])
	if err != nil {
		return "", nil, err
	}
	arr := []any{}
	for i := 0; i < n; i++ {
		c := s.child()
		c.loops[name] = i
		v, err := c.Value(m["input"])
		if err != nil {
			return "", nil, err
		}
		arr = append(arr, v)
	}
	return name, arr, nil
}

// propertyCopy expands property loops: "copy": [{"name": "ports", "count": 2,
// "input": {...}}] makes out["ports"] an array of the evaluated inputs.
func (s *Scope) propertyCopy(loops []any, out map[string]any) error {
	for _, l := range loops {
		name, arr, err := s.copyLoop(l)
		if err != nil {
			return err
		}
		out[name] = arr
	}
	return nil
}

func (s *Scope) count(v any) (int, error) {
	c, err := s.Value(v)
	if err != nil {
		return 0, err
	}
	n, ok := c.(int64)
	if !ok || n < 0 || n > 800 {
		return 0, invalidTemplate("The template copy count must be an integer between 0 and 800, not '%v'.", c)
	}
	return int(n), nil
}

// String evaluates a template string: an expression, or a literal.
func (s *Scope) String(str string) (any, error) {
	if !IsExpression(str) {
		return Unescape(str), nil
	}
	n, err := Parse(str[1 : len(str)-1])
	if err != nil {
		return nil, err
	}
	v, err := s.Eval(n)
	if err != nil {
		if te, ok := err.(*Error); ok && te != ErrCanceled && !strings.Contains(te.Message, "'"+str+"'") {
			return nil, &Error{Code: te.Code, Message: "Unable to evaluate template language expression '" + str + "': " + te.Message}
		}
		return nil, err
	}
	return v, nil
}

// Eval evaluates an AST node.
func (s *Scope) Eval(n Node) (any, error) {
	if err := s.b.step(1); err != nil {
		return nil, err
	}
	switch x := n.(type) {
	case *Lit:
		return x.Value, nil
	case *Call:
		args := make([]any, len(x.Args))
		b := builtins[strings.ToLower(x.Name)]
		if !b.lazy {
			for i, a := range x.Args {
				v, err := s.Eval(a)
				if err != nil {
					return nil, err
				}
				args[i] = v
			}
		}
		v, err := s.call(x, args)
		if err == nil && !b.free {
			err = s.b.charge(x.Name, v)
		}
		return v, err
	case *Member:
		v, err := s.Eval(x.X)
		if err != nil {
			return nil, err
		}
		return member(v, x.Name)
	case *Index:
		v, err := s.Eval(x.X)
		if err != nil {
			return nil, err
		}
		i, err := s.Eval(x.I)
		if err != nil {
			return nil, err
		}
		switch c := v.(type) {
		case []any:
			k, ok := i.(int64)
			if !ok {
				return nil, invalidTemplate("The language expression array index must be an integer, not '%s'.", typeName(i))
			}
			if k < 0 || int(k) >= len(c) {
				return nil, invalidTemplate("The language expression array index '%d' is out of bounds (0 - %d).", k, len(c)-1)
			}
			return c[k], nil
		case map[string]any:
			k, ok := i.(string)
			if !ok {
				return nil, invalidTemplate("The language expression object index must be a string, not '%s'.", typeName(i))
			}
			return member(c, k)
		}
		return nil, invalidTemplate("The language expression cannot be indexed: the value is of type '%s'.", typeName(v))
	}
	return nil, invalidTemplate("unknown expression node")
}

// member reads a property, case-insensitively as ARM does.
func member(v any, name string) (any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, invalidTemplate("The language expression property '%s' can't be evaluated, property name must be applied to an object, not '%s'.", name, typeName(v))
	}
	if e, ok := m[name]; ok {
		return e, nil
	}
	keys := make([]string, 0, len(m))
	for k, e := range m {
		if strings.EqualFold(k, name) {
			return e, nil
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return nil, invalidTemplate("The language expression property '%s' doesn't exist, available properties are '%s'.", name, strings.Join(keys, ", "))
}

// Variable evaluates a variable once, refusing cycles.
func (s *Scope) Variable(name string) (any, error) {
	key := strings.ToLower(name)
	if v, ok := s.varCache[key]; ok {
		return v, nil
	}
	var raw any
	found := false
	for k, v := range s.variables {
		if strings.EqualFold(k, name) {
			raw, found = v, true
		}
	}
	if !found {
		return nil, invalidTemplate("The template variable '%s' is not found. Please see https://aka.ms/arm-template/#variables for usage details.", name)
	}
	if s.varBusy[key] {
		return nil, invalidTemplate("The template variable '%s' refers to itself through a cycle of variables.", name)
	}
	s.varBusy[key] = true
	defer delete(s.varBusy, key)
	c := s.child()
	c.loops = map[string]int{}
	v, err := c.Value(raw)
	if err != nil {
		return nil, err
	}
	s.varCache[key] = v
	return v, nil
}
