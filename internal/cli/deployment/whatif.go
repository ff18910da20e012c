package deployment

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/aci-cli/aci/internal/arm"
)

// The what-if report as az 2.45 prints it (its resource module's
// _formatters.py, without colour): the notice, the legend of the change
// types present, each scope's resources in az's order with the body of what
// is created or deleted and the property changes of what is modified, then
// the counts.

// whatIfChange is one resource's change, as the SDK's WhatIfChange.
type whatIfChange struct {
	kind, id      string
	before, after map[string]any
	delta         []propertyChange
}

// propertyChange is one entry of a Modify's delta.
type propertyChange struct {
	path, kind    string // kind: Create, Delete, Modify, Array
	before, after any
	children      []propertyChange
}

var changeWeight = map[string]int{"Delete": 0, "Create": 1, "Deploy": 2, "Modify": 3, "NoChange": 4, "Ignore": 5}
var changeSymbol = map[string]string{"Create": "+", "Delete": "-", "Modify": "~", "Deploy": "!", "NoChange": "=", "Ignore": "*", "Array": "~"}
var propertyWeight = map[string]int{"Delete": 0, "Create": 1, "Modify": 2, "Array": 2}

// whatIfChanges reads the changes of a what-if answer (ARM's, with
// properties, or the SDK's flattened result).
func whatIfChanges(raw arm.Raw) []whatIfChange {
	list, ok := raw["changes"].([]any)
	if props, isMap := raw["properties"].(map[string]any); !ok && isMap {
		list, _ = props["changes"].([]any)
	}
	var out []whatIfChange
	for _, c := range list {
		m, _ := c.(map[string]any)
		ch := whatIfChange{}
		ch.kind, _ = m["changeType"].(string)
		ch.id, _ = m["resourceId"].(string)
		ch.before, _ = m["before"].(map[string]any)
		ch.after, _ = m["after"].(map[string]any)
		ch.delta = propertyChanges(m["delta"])
		out = append(out, ch)
	}
	return out
}

func propertyChanges(v any) []propertyChange {
	list, _ := v.([]any)
	var out []propertyChange
	for _, x := range list {
		m, _ := x.(map[string]any)
		pc := propertyChange{before: m["before"], after: m["after"], children: propertyChanges(m["children"])}
		pc.path, _ = m["path"].(string)
		pc.kind, _ = m["propertyChangeType"].(string)
		out = append(out, pc)
	}
	return out
}

// splitScope is az's split_resource_id: the scope, and the id below it.
func splitScope(id string) (scope, rel string) {
	if i := strings.Index(strings.ToLower(id), "/providers/"); i >= 0 {
		return id[:i], id[i+len("/providers/"):]
	}
	return id, ""
}

// whatIfReport is az's pretty what-if report, ending in a newline.
func whatIfReport(raw arm.Raw) string {
	changes := whatIfChanges(raw)
	var b strings.Builder
	b.WriteString("Note: The result may contain false positive predictions (noise).\nYou can help us improve the accuracy of the result by opening an issue here: https://aka.ms/WhatIfIssues\n\n")
	writeLegend(&b, changes)
	writeResourceChanges(&b, changes)
	b.WriteString("\nResource changes: ")
	if len(changes) == 0 {
		b.WriteString("no change.\n")
		return b.String()
	}
	sorted := slices.Clone(changes)
	sort.SliceStable(sorted, func(i, j int) bool { return changeWeight[sorted[i].kind] < changeWeight[sorted[j].kind] })
	var parts []string
	for i := 0; i < len(sorted); {
		j := i
		for j < len(sorted) && sorted[j].kind == sorted[i].kind {
			j++
		}
		if sorted[i].kind == "NoChange" {
			parts = append(parts, fmt.Sprintf("%d no change", j-i))
		} else {
			parts = append(parts, fmt.Sprintf("%d to %s", j-i, strings.ToLower(sorted[i].kind)))
		}
		i = j
	}
	b.WriteString(strings.Join(parts, ", ") + ".\n")
	return b.String()
}

func writeLegend(b *strings.Builder, changes []whatIfChange) {
	if len(changes) == 0 {
		return
	}
	kinds := map[string]bool{}
	var add func([]propertyChange)
	add = func(pcs []propertyChange) {
		for _, pc := range pcs {
			k := pc.kind
			if k == "Array" {
				k = "Modify"
			}
			kinds[k] = true
			add(pc.children)
		}
	}
	for _, c := range changes {
		kinds[c.kind] = true
		add(c.delta)
	}
	list := slices.Collect(func(yield func(string) bool) {
		for k := range kinds {
			if !yield(k) {
				return
			}
		}
	})
	sort.Slice(list, func(i, j int) bool { return changeWeight[list[i]] < changeWeight[list[j]] })
	if len(list) == 1 {
		b.WriteString("Resource and property changes are indicated with this symbol:\n")
	} else {
		b.WriteString("Resource and property changes are indicated with these symbols:\n")
	}
	for _, k := range list {
		fmt.Fprintf(b, "  %s %s\n", changeSymbol[k], strings.ToUpper(k[:1])+strings.ToLower(k[1:]))
	}
}

func writeResourceChanges(b *strings.Builder, changes []whatIfChange) {
	if len(changes) == 0 {
		return
	}
	byScope := map[string][]whatIfChange{}
	var scopes []string
	for _, c := range changes {
		s, _ := splitScope(c.id)
		key := strings.ToUpper(s)
		if _, ok := byScope[key]; !ok {
			scopes = append(scopes, key)
		}
		byScope[key] = append(byScope[key], c)
	}
	sort.Strings(scopes)
	b.WriteString("\n")
	if len(scopes) == 1 {
		b.WriteString("The deployment will update the following scope:\n")
	} else {
		b.WriteString("The deployment will update the following scopes\n")
	}
	for _, key := range scopes {
		in := byScope[key]
		scope, _ := splitScope(in[0].id)
		fmt.Fprintf(b, "\nScope: %s\n", scope)
		sort.SliceStable(in, func(i, j int) bool {
			if changeWeight[in[i].kind] != changeWeight[in[j].kind] {
				return changeWeight[in[i].kind] < changeWeight[in[j].kind]
			}
			_, ri := splitScope(in[i].id)
			_, rj := splitScope(in[j].id)
			return ri < rj
		})
		for i, c := range in {
			writeResourceChange(b, c, i == len(in)-1)
		}
	}
}

func writeResourceChange(b *strings.Builder, c whatIfChange, last bool) {
	_, rel := splitScope(c.id)
	b.WriteString("\n  " + changeSymbol[c.kind] + " " + rel)
	// az reads the api-version from before, else after.
	var api any
	if len(c.before) > 0 {
		api = c.before["apiVersion"]
	} else if len(c.after) > 0 {
		api = c.after["apiVersion"]
	}
	if s, _ := api.(string); s != "" {
		b.WriteString(" [" + s + "]")
	}
	switch {
	case c.kind == "Create" && len(c.after) > 0:
		writeJSONValue(b, c.after, "", 0, 2)
	case c.kind == "Delete" && len(c.before) > 0:
		writeJSONValue(b, c.before, "", 0, 2)
	case c.kind == "Modify" && len(c.delta) > 0:
		b.WriteString("\n")
		writePropertyChanges(b, sortedChanges(c.delta, false), 2)
	case last:
		b.WriteString("\n")
	}
}

func sortedChanges(pcs []propertyChange, byIndex bool) []propertyChange {
	out := slices.Clone(pcs)
	sort.SliceStable(out, func(i, j int) bool {
		if byIndex {
			a, _ := strconv.Atoi(out[i].path)
			c, _ := strconv.Atoi(out[j].path)
			if a != c {
				return a < c
			}
			return propertyWeight[out[i].kind] < propertyWeight[out[j].kind]
		}
		if propertyWeight[out[i].kind] != propertyWeight[out[j].kind] {
			return propertyWeight[out[i].kind] < propertyWeight[out[j].kind]
		}
		return out[i].path < out[j].path
	})
	return out
}

func writePropertyChanges(b *strings.Builder, pcs []propertyChange, indent int) {
	width := 0
	for _, pc := range pcs {
		if considerPath(pc) {
			width = max(width, len(pc.path))
		}
	}
	for _, pc := range pcs {
		writePropertyChange(b, pc, width, indent)
		b.WriteString("\n")
	}
}

func considerPath(pc propertyChange) bool {
	switch pc.kind {
	case "Create":
		return isLeaf(pc.after)
	case "Delete", "Modify":
		return isLeaf(pc.before)
	}
	return len(pc.children) == 0
}

func writePropertyChange(b *strings.Builder, pc propertyChange, width, indent int) {
	value := pc.before
	switch pc.kind {
	case "Create":
		value = pc.after
	case "Array":
		value = nil
		if len(pc.children) > 0 {
			value = []any{nil}
		}
	}
	pad := width - len(pc.path) + 1
	if isNonEmptyArray(value) {
		pad = 1
	}
	if isNonEmptyObject(value) {
		pad = 0
	}
	if pc.kind == "Modify" && len(pc.children) > 0 {
		pad = 0
	}
	b.WriteString(strings.Repeat("  ", indent) + changeSymbol[pc.kind] + " " + pc.path + ":" + strings.Repeat(" ", pad))
	switch pc.kind {
	case "Create":
		writeJSONValue(b, pc.after, "", 0, indent+1)
	case "Delete":
		writeJSONValue(b, pc.before, "", 0, indent+1)
	case "Modify":
		if len(pc.children) > 0 {
			b.WriteString("\n\n")
			writePropertyChanges(b, sortedChanges(pc.children, false), indent+1)
			return
		}
		writeJSONValue(b, pc.before, "", 0, indent+1)
		if isNonEmptyObject(pc.before) {
			b.WriteString("\n" + strings.Repeat("  ", indent+1))
		} else {
			b.WriteString(" ")
		}
		b.WriteString("=>")
		if !isNonEmptyObject(pc.after) {
			b.WriteString(" ")
		}
		writeJSONValue(b, pc.after, "", 0, indent+1)
		if !isLeaf(pc.before) && isLeaf(pc.after) {
			b.WriteString("\n")
		}
	case "Array":
		if len(pc.children) == 0 {
			b.WriteString("[]\n")
			return
		}
		b.WriteString("[\n")
		writePropertyChanges(b, sortedChanges(pc.children, true), indent+1)
		b.WriteString(strings.Repeat("  ", indent+1) + "]")
	}
}

// writeJSONValue is az's _format_json: paths joined with dots and padded
// to one column, arrays by index, objects opening with a blank line.
func writeJSONValue(b *strings.Builder, v any, path string, width, indent int) {
	switch {
	case isLeaf(v):
		writeJSONPath(b, path, width-len(path)+1, indent)
		b.WriteString(pyLeaf(v))
	case isNonEmptyArray(v):
		writeJSONPath(b, path, 1, indent)
		writeArray(b, v.([]any), indent)
	default:
		writeObject(b, v.(map[string]any), path, width, indent)
	}
}

func writeJSONPath(b *strings.Builder, path string, pad, indent int) {
	if path == "" {
		return
	}
	b.WriteString(strings.Repeat("  ", indent) + path + ":" + strings.Repeat(" ", max(pad, 0)))
}

func writeArray(b *strings.Builder, a []any, indent int) {
	b.WriteString("[\n")
	last := 0
	for i, x := range a {
		if isLeaf(x) {
			last = i
		}
	}
	width := len(strconv.Itoa(last))
	for i, x := range a {
		p := strconv.Itoa(i)
		if m, ok := x.(map[string]any); ok && len(m) > 0 {
			writeJSONPath(b, p, 0, indent+1)
			writeObject(b, m, "", 0, indent+1)
		} else {
			writeJSONValue(b, x, p, width, indent+1)
		}
		b.WriteString("\n")
	}
	b.WriteString(strings.Repeat("  ", indent) + "]")
}

func writeObject(b *strings.Builder, m map[string]any, path string, width, indent int) {
	root := path == ""
	if root {
		b.WriteString("\n\n")
		width = objectWidth(m)
		indent++
	}
	// aci reads ARM's answer into maps: keys in sorted order (aci local
	// writes them so; Azure's own order is not kept).
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}) {
		child := k
		if !root {
			child = path + "." + k
		}
		writeJSONValue(b, m[k], child, width, indent)
		if !isNonEmptyObject(m[k]) {
			b.WriteString("\n")
		}
	}
}

// objectWidth is the longest dotted path of an object's leaves, arrays left
// out (az keeps their long paths from padding the rest).
func objectWidth(m map[string]any) int {
	w := 0
	for k, v := range m {
		switch {
		case isNonEmptyArray(v):
			continue
		case isNonEmptyObject(v):
			w = max(w, len(k)+1+objectWidth(v.(map[string]any)))
		default:
			w = max(w, len(k))
		}
	}
	return w
}

func isNonEmptyArray(v any) bool  { a, ok := v.([]any); return ok && len(a) > 0 }
func isNonEmptyObject(v any) bool { m, ok := v.(map[string]any); return ok && len(m) > 0 }
func isLeaf(v any) bool           { return !isNonEmptyArray(v) && !isNonEmptyObject(v) }

// pyLeaf is a leaf as az prints it: JSON-ish, numbers as Python's str()
// (a whole number read from JSON is an int), empty lists and objects as
// Python's [] and {}.
func pyLeaf(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case string:
		return `"` + x + `"`
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatInt(int64(x), 10)
		}
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".e") {
			s += ".0"
		}
		return s
	case []any:
		return "[]"
	case map[string]any:
		return "{}"
	}
	return fmt.Sprint(v)
}

// whatIfModel is the result as az prints it with --no-pretty-print: the
// SDK's WhatIfOperationResult, changes flattened, absent fields null.
func whatIfModel(raw arm.Raw) map[string]any {
	list, ok := raw["changes"].([]any)
	if props, isMap := raw["properties"].(map[string]any); !ok && isMap {
		list, _ = props["changes"].([]any)
	}
	changes := []any{}
	for _, c := range list {
		m, _ := c.(map[string]any)
		out := map[string]any{}
		for _, k := range []string{"after", "before", "changeType", "delta", "resourceId", "unsupportedReason"} {
			out[k] = m[k]
		}
		changes = append(changes, out)
	}
	return map[string]any{"changes": changes, "error": raw["error"], "status": raw["status"]}
}
