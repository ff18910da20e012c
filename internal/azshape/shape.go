// Package azshape turns ARM wire JSON into the JSON the Azure CLI prints.
//
// az does not print response bodies: it deserialises them into its Python SDK models
// and serialises those again. That flattens `properties` where the REST spec says
// x-ms-client-flatten, renames keys to camelCase of the Python attribute
// (memoryInGB -> memoryInGb), prints every model field (null when absent), keeps
// unknown top-level keys (msrest's additional_properties) but drops unknown keys
// inside flattened envelopes, re-renders datetimes with Python's isoformat(), and
// adds a resourceGroup key to every dict whose id lies inside a resource group.
// Each resource type is described once here as data (a Spec); commands call Shape.
package azshape

import (
	"strings"
	"time"
)

// Kind says how a field's value is shaped.
type Kind int

const (
	Any   Kind = iota // copied as-is (scalars, tags, free-form objects)
	Float             // a number Python's model declares as float: printed as 1.0
	Time              // an ISO 8601 datetime, re-rendered as Python's isoformat()
	Obj               // a nested model
	List              // a list of nested models (or of scalars when Spec is nil)
	Map               // a dict of nested models (userAssignedIdentities)
)

// Field is one model attribute.
type Field struct {
	Name    string // the key az prints
	Wire    string // the REST key, when it differs
	Kind    Kind
	Spec    *Spec
	Flatten bool // x-ms-client-flatten: the nested object's fields move up one level
}

// Spec is one model: its fields in any order (output sorts keys).
type Spec struct {
	Fields []Field
}

// New builds a Spec; a bare string argument is an Any field of that name.
func New(fields ...any) *Spec {
	s := &Spec{}
	for _, f := range fields {
		switch x := f.(type) {
		case string:
			s.Fields = append(s.Fields, Field{Name: x})
		case Field:
			s.Fields = append(s.Fields, x)
		default:
			panic("azshape: bad field")
		}
	}
	return s
}

// F is a float field, T a datetime, O a nested model, L a list, M a dict of models,
// Flat a flattened envelope. W renames the wire key.
func F(name string) Field             { return Field{Name: name, Kind: Float} }
func T(name string) Field             { return Field{Name: name, Kind: Time} }
func O(name string, s *Spec) Field    { return Field{Name: name, Kind: Obj, Spec: s} }
func L(name string, s *Spec) Field    { return Field{Name: name, Kind: List, Spec: s} }
func Flat(wire string, s *Spec) Field { return Field{Name: wire, Kind: Obj, Spec: s, Flatten: true} }
func (f Field) W(wire string) Field   { f.Wire = wire; return f }
func (f Field) wire() string {
	if f.Wire != "" {
		return f.Wire
	}
	return f.Name
}

// Shape converts a decoded wire body (or a list of them) into az's shape.
func Shape(v any, s *Spec) any {
	var out any
	if l, ok := v.([]any); ok {
		res := make([]any, len(l))
		for i, e := range l {
			res[i] = shapeObj(e, s, true)
		}
		out = res
	} else {
		out = shapeObj(v, s, true)
	}
	AddResourceGroup(out)
	return out
}

func shapeObj(v any, s *Spec, keepUnknown bool) any {
	m, ok := v.(map[string]any)
	if !ok || s == nil {
		return v
	}
	out := make(map[string]any, len(s.Fields))
	var known map[string]bool // wire names the spec read (only to keep the rest)
	if keepUnknown {
		known = make(map[string]bool, len(s.Fields))
	}
	fill(out, m, s, known)
	if keepUnknown {
		for k, val := range m {
			if !known[k] {
				out[k] = val
			}
		}
	}
	return out
}

func fill(out, m map[string]any, s *Spec, known map[string]bool) {
	for _, f := range s.Fields {
		w := f.wire()
		if known != nil {
			known[w] = true
		}
		val := m[w]
		if f.Flatten {
			inner, _ := val.(map[string]any)
			if inner == nil {
				inner = map[string]any{}
			}
			fill(out, inner, f.Spec, nil)
			continue
		}
		out[f.Name] = shapeValue(val, f)
	}
}

func shapeValue(v any, f Field) any {
	if v == nil {
		return nil
	}
	switch f.Kind {
	case Time:
		if s, ok := v.(string); ok {
			return PyTime(s)
		}
	case Obj:
		return shapeObj(v, f.Spec, true)
	case List:
		l, ok := v.([]any)
		if !ok || f.Spec == nil {
			return v
		}
		res := make([]any, len(l))
		for i, e := range l {
			res[i] = shapeObj(e, f.Spec, true)
		}
		return res
	case Map:
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		res := make(map[string]any, len(m))
		for k, e := range m {
			res[k] = shapeObj(e, f.Spec, true)
		}
		return res
	}
	return v
}

// PyTime renders an RFC 3339 timestamp as Python's datetime.isoformat() does
// (microseconds only when non-zero, offset as +00:00).
func PyTime(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		// ARM sometimes omits the zone; Python's parser assumes UTC for those.
		if t, err = time.Parse("2006-01-02T15:04:05.999999999", s); err != nil {
			return s
		}
	}
	out := t.Format("2006-01-02T15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		out += "." + leftPad(us)
	}
	_, off := t.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	return out + sign + two(off/3600) + ":" + two(off%3600/60)
}

func leftPad(us int) string {
	s := "000000" + itoa(us)
	return s[len(s)-6:]
}

func two(n int) string { return string([]byte{byte('0' + n/10), byte('0' + n%10)}) }

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// AddResourceGroup adds resourceGroup to every dict (at any depth) whose id names a
// resource inside a resource group, as az's _resource_group_transform does.
func AddResourceGroup(v any) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			AddResourceGroup(e)
		}
	case map[string]any:
		hasRG := false
		for k := range x {
			if strings.EqualFold(k, "resourcegroup") {
				hasRG = true
			}
		}
		if id, ok := x["id"].(string); ok && id != "" && !hasRG {
			parts := strings.Split(id, "/")
			if len(parts) >= 9 && strings.EqualFold(parts[3], "resourceGroups") {
				x["resourceGroup"] = parts[4]
			}
		}
		for k, e := range x {
			if k == "sourceVault" {
				continue
			}
			AddResourceGroup(e)
		}
	}
}

// FloatKeys collects the names of Float fields of the given specs, for output.
func FloatKeys(specs ...*Spec) map[string]bool {
	keys := map[string]bool{}
	var walk func(s *Spec)
	walk = func(s *Spec) {
		if s == nil {
			return
		}
		for _, f := range s.Fields {
			if f.Kind == Float {
				keys[f.Name] = true
			}
			walk(f.Spec)
		}
	}
	for _, s := range specs {
		walk(s)
	}
	return keys
}
