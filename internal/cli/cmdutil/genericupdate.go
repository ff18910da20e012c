package cmdutil

import (
	"encoding/json"
	"strings"
)

// SetPath applies az's generic-update `--set a.b=value` to a decoded resource. The
// value is parsed as JSON unless forceString (az's --force-string).
func SetPath(obj map[string]any, expr string, forceString bool) error {
	path, val, ok := strings.Cut(expr, "=")
	if !ok {
		return UsageError("usage error: --set PROPERTY=VALUE")
	}
	var v any = val
	if !forceString {
		var parsed any
		if json.Unmarshal([]byte(val), &parsed) == nil {
			v = parsed
		}
	}
	keys := strings.Split(path, ".")
	cur := obj
	for _, k := range keys[:len(keys)-1] {
		next, ok := cur[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[k] = next
		}
		cur = next
	}
	cur[keys[len(keys)-1]] = v
	return nil
}

// RemovePath applies `--remove a.b`.
func RemovePath(obj map[string]any, path string) {
	keys := strings.Split(path, ".")
	cur := obj
	for _, k := range keys[:len(keys)-1] {
		next, ok := cur[k].(map[string]any)
		if !ok {
			return
		}
		cur = next
	}
	delete(cur, keys[len(keys)-1])
}
