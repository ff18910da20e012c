package output

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

var skipTableKeys = map[string]bool{"id": true, "type": true, "etag": true}

// writeTable renders knack's _TableOutput with tabulate 0.8.9's "simple" format.
func (r *renderer) writeTable(out *strings.Builder, v any, sortKeys bool) {
	items, isList := v.([]any)
	if !isList {
		items = []any{v}
	}
	var cols []string
	seen := map[string]bool{}
	rows := make([]map[string]string, 0, len(items))
	for _, it := range items {
		row := map[string]string{}
		add := func(h, cell string) {
			if !seen[h] {
				seen[h] = true
				cols = append(cols, h)
			}
			row[h] = cell
		}
		switch x := it.(type) {
		case []any:
			for i, e := range x {
				add("Column"+strconv.Itoa(i+1), r.scalarString("", e))
			}
		case map[string]any, *OrderedMap:
			ks, vals, _ := keysOf(x)
			if !sortKeys {
				if om, ok := x.(*OrderedMap); ok {
					ks = om.Keys
				}
			}
			for _, k := range ks {
				if skipTableKeys[k] {
					continue
				}
				val := vals[k]
				if val == nil || isNested(val) {
					continue
				}
				add(capitalize(k), r.scalarString(k, val))
			}
		default:
			add("Result", r.scalarString("", x))
		}
		rows = append(rows, row)
	}
	if len(cols) == 0 {
		out.WriteString("\n")
		return
	}
	widths := make([]int, len(cols))
	for i, c := range cols {
		widths[i] = utf8.RuneCountInString(c) + 2
		for _, row := range rows {
			if n := utf8.RuneCountInString(row[c]); n > widths[i] {
				widths[i] = n
			}
		}
	}
	line := func(cell func(i int) string) {
		var b strings.Builder
		for i := range cols {
			if i > 0 {
				b.WriteString("  ")
			}
			s := cell(i)
			b.WriteString(s)
			b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(s)))
		}
		out.WriteString(strings.TrimRight(b.String(), " "))
		out.WriteByte('\n')
	}
	line(func(i int) string { return cols[i] })
	line(func(i int) string { return strings.Repeat("-", widths[i]) })
	for _, row := range rows {
		line(func(i int) string { return row[cols[i]] })
	}
}

func isNested(v any) bool {
	switch v.(type) {
	case []any, map[string]any, *OrderedMap:
		return true
	}
	return false
}

func capitalize(k string) string {
	if k == "" {
		return k
	}
	r, n := utf8.DecodeRuneInString(k)
	return strings.ToUpper(string(r)) + k[n:]
}

// writeTSV renders knack's _TsvOutput.
func (r *renderer) writeTSV(out *strings.Builder, v any) {
	items, isList := v.([]any)
	if !isList {
		items = []any{v}
	}
	for _, it := range items {
		switch x := it.(type) {
		case map[string]any, *OrderedMap:
			ks, vals, _ := keysOf(x)
			for i, k := range ks {
				if i > 0 {
					out.WriteByte('\t')
				}
				out.WriteString(r.tsvCell(k, vals[k]))
			}
		case []any:
			for i, e := range x {
				if i > 0 {
					out.WriteByte('\t')
				}
				out.WriteString(r.tsvCell("", e))
			}
		case bool:
			out.WriteString(strconv.FormatBool(x))
		default:
			out.WriteString(r.tsvCell("", x))
		}
		out.WriteByte('\n')
	}
}

func (r *renderer) tsvCell(key string, v any) string {
	switch x := v.(type) {
	case []any:
		return strconv.Itoa(len(x))
	case map[string]any, *OrderedMap:
		return ""
	}
	return r.scalarString(key, v)
}
