package output

import (
	"fmt"
	"strconv"
	"strings"
)

// Formats lists the values -o accepts, in az's order (used in its error message).
var Formats = []string{"json", "jsonc", "yaml", "yamlc", "table", "tsv", "none"}

// ValidFormat reports whether f is one of Formats.
func ValidFormat(f string) bool {
	for _, x := range Formats {
		if x == f {
			return true
		}
	}
	return false
}

// Options says how to print one result.
type Options struct {
	Format string
	Query  *Query
	// Table is the command's table transformer; it is skipped when a query is active,
	// as in az.
	Table func(any) (any, error)
	// FloatKeys names the keys whose numbers Python prints as floats.
	FloatKeys map[string]bool
	// Color enables jsonc/yamlc colours (only when stdout and stderr are terminals).
	Color bool
}

// TableUnavailable is az's message when a transformer cannot handle the result.
const TableUnavailable = "Table output unavailable. Use the --query option to specify an appropriate query. Use --debug for more info."

type renderer struct {
	floatKeys map[string]bool
	color     bool
}

// Render formats data and returns the text to print; "" means print nothing.
func Render(data any, o Options) (string, error) {
	var err error
	if o.Query != nil {
		in := data
		if data, err = o.Query.Apply(in); err != nil {
			return "", err
		}
		if len(o.FloatKeys) > 0 {
			data = keepFloats(o.Query, in, data, o.FloatKeys)
		}
	}
	if data == nil {
		return "", nil
	}
	r := &renderer{floatKeys: o.FloatKeys}
	var b strings.Builder
	switch o.Format {
	case "", "json":
		r.writeJSON(&b, data)
	case "jsonc":
		r.color = o.Color
		r.writeJSON(&b, data)
	case "yaml", "yamlc":
		r.color = o.Color && o.Format == "yamlc"
		r.writeYAML(&b, data)
	case "table":
		sortKeys := o.Query == nil
		if o.Table != nil && o.Query == nil {
			var terr error
			func() {
				defer func() {
					if p := recover(); p != nil {
						terr = fmt.Errorf("%v", p)
					}
				}()
				data, terr = o.Table(data)
			}()
			if terr != nil {
				return "", fmt.Errorf("%s", TableUnavailable)
			}
			sortKeys = false
		}
		r.writeTable(&b, data, sortKeys)
	case "tsv":
		r.writeTSV(&b, data)
	case "none":
		return "", nil
	default:
		return "", fmt.Errorf("unknown output format %q", o.Format)
	}
	return b.String(), nil
}

// floatMark tags a float field's value in a second evaluation of the query.
const floatMark = "\x00aci-float\x00"

// keepFloats finds the numbers of out that came from float fields of in,
// wherever the query moved or renamed them: it runs the query again over a
// copy whose float fields are marked, and where the two results agree in
// shape and the second has a mark, the number is a float (az's "1.0"). A
// query whose filters or functions see the marks differently (comparisons,
// sums) gives a different shape there, and out is left as it was.
func keepFloats(q *Query, in, out any, floatKeys map[string]bool) any {
	marked, err := q.Apply(markFloats(in, "", floatKeys))
	if err != nil {
		return out
	}
	return mergeFloats(out, marked)
}

func markFloats(v any, key string, floatKeys map[string]bool) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = markFloats(e, k, floatKeys)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = markFloats(e, key, floatKeys)
		}
		return l
	case *OrderedMap:
		m := NewOrderedMap()
		for _, k := range x.Keys {
			m.Keys = append(m.Keys, k)
			m.Values[k] = markFloats(x.Values[k], k, floatKeys)
		}
		return m
	case float64:
		if floatKeys[key] {
			return floatMark + strconv.FormatFloat(x, 'g', -1, 64)
		}
	}
	return v
}

func mergeFloats(out, marked any) any {
	switch x := out.(type) {
	case float64:
		if s, ok := marked.(string); ok && s == floatMark+strconv.FormatFloat(x, 'g', -1, 64) {
			return pyFloatVal(x)
		}
	case map[string]any:
		mm, ok := marked.(map[string]any)
		if !ok || len(mm) != len(x) {
			return out
		}
		for k, e := range x {
			x[k] = mergeFloats(e, mm[k])
		}
	case []any:
		ml, ok := marked.([]any)
		if !ok || len(ml) != len(x) {
			return out
		}
		for i, e := range x {
			x[i] = mergeFloats(e, ml[i])
		}
	case *OrderedMap:
		mo, ok := marked.(*OrderedMap)
		if !ok || len(mo.Keys) != len(x.Keys) {
			return out
		}
		for _, k := range x.Keys {
			x.Values[k] = mergeFloats(x.Values[k], mo.Values[k])
		}
	}
	return out
}
