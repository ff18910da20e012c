package output

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// OrderedMap is a dict whose key order matters for table and tsv output: a --query
// multi-select hash or a table transformer's row. JSON and YAML still sort its keys,
// as az does.
type OrderedMap struct {
	Keys   []string
	Values map[string]any
}

// NewOrderedMap builds an OrderedMap from alternating key, value arguments.
func NewOrderedMap(kv ...any) *OrderedMap {
	m := &OrderedMap{Values: map[string]any{}}
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		m.Keys = append(m.Keys, k)
		m.Values[k] = kv[i+1]
	}
	return m
}

// keysOf returns a dict's keys in the order az uses for table/tsv rows: insertion
// order for ordered dicts, Python code-point order otherwise.
func keysOf(v any) ([]string, map[string]any, bool) {
	switch m := v.(type) {
	case *OrderedMap:
		return m.Keys, m.Values, true
	case map[string]any:
		ks := make([]string, 0, len(m))
		for k := range m {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return ks, m, true
	}
	return nil, nil, false
}

func sortedKeys(v any) ([]string, map[string]any, bool) {
	ks, vals, ok := keysOf(v)
	if !ok {
		return nil, nil, false
	}
	if _, ordered := v.(*OrderedMap); ordered {
		ks = append([]string(nil), ks...)
		sort.Strings(ks)
	}
	return ks, vals, true
}

// pyFloat renders a float as Python's repr() does.
func pyFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	a := math.Abs(f)
	if a != 0 && (a >= 1e16 || a < 1e-4) {
		s := strconv.FormatFloat(f, 'e', -1, 64)
		// Go writes e+16 / e-05 like Python already; only the mantissa needs no ".0".
		return s
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// pyInt renders an integral float64 as Python prints an int.
func pyInt(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e18 {
		return strconv.FormatInt(int64(f), 10)
	}
	return pyFloat(f)
}

// scalarString is Python's str() of a scalar as table and tsv cells use it.
func (r *renderer) scalarString(key string, v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return x
	case float64:
		return r.number(key, x)
	case pyFloatVal:
		return pyFloat(float64(x))
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return ""
}

// pyFloatVal is a number Python holds as a float, found through a --query
// that renamed or moved its key (see keepFloats).
type pyFloatVal float64

func (r *renderer) number(key string, f float64) string {
	if r.floatKeys[key] || f != math.Trunc(f) {
		return pyFloat(f)
	}
	return pyInt(f)
}
