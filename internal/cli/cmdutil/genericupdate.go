package cmdutil

import (
	"encoding/json"
	"strconv"
	"strings"
)

// az's generic update (`--set`, `--add`, `--remove`, `--force-string`) on a
// resource as decoded JSON, for every update command. Paths are dotted keys
// with list indices: `properties.containers[0].image`, `tags.env`.

var segmentRE = lazyRegexp(`^([^\[\]]*)((?:\[-?\d+\])*)$`)
var indexRE = lazyRegexp(`\[(-?\d+)\]`)

type step struct {
	key   string // "" for an index step
	index int
}

func parsePath(path string) ([]step, error) {
	var steps []step
	for _, seg := range strings.Split(path, ".") {
		m := segmentRE().FindStringSubmatch(seg)
		if m == nil || (m[1] == "" && m[2] == "") {
			return nil, UsageError("invalid property path '%s'", path)
		}
		if m[1] != "" {
			steps = append(steps, step{key: m[1]})
		}
		for _, im := range indexRE().FindAllStringSubmatch(m[2], -1) {
			i, _ := strconv.Atoi(im[1])
			steps = append(steps, step{index: i})
		}
	}
	return steps, nil
}

// lookupKey finds key in m exactly, else ignoring case (az's property names
// are matched without regard to case).
func lookupKey(m map[string]any, key string) string {
	if _, ok := m[key]; ok {
		return key
	}
	for k := range m {
		if strings.EqualFold(k, key) {
			return k
		}
	}
	return key
}

func parseValue(s string, forceString bool) any {
	if forceString {
		return s
	}
	var v any
	if json.Unmarshal([]byte(s), &v) == nil {
		return v
	}
	return s
}

// walk follows steps from root, creating objects on the way when create is set.
// It returns a getter and setter for the final location.
func walk(root map[string]any, path string, create bool) (get func() (any, bool), set func(any) error, del func() error, err error) {
	steps, err := parsePath(path)
	if err != nil {
		return nil, nil, nil, err
	}
	var cur any = root
	for i, s := range steps {
		last := i == len(steps)-1
		switch c := cur.(type) {
		case map[string]any:
			if s.key == "" {
				return nil, nil, nil, Fail("'%s' is not a list", path)
			}
			k := lookupKey(c, s.key)
			if last {
				return func() (any, bool) { v, ok := c[k]; return v, ok },
					func(v any) error { c[k] = v; return nil },
					func() error { delete(c, k); return nil }, nil
			}
			next, ok := c[k]
			if !ok || next == nil {
				if !create {
					return nil, nil, nil, Fail("Couldn't find '%s' in '%s'.", s.key, path)
				}
				if steps[i+1].key == "" {
					next = []any{}
				} else {
					next = map[string]any{}
				}
				c[k] = next
			}
			cur = next
		case []any:
			if s.key != "" {
				return nil, nil, nil, Fail("'%s' in '%s' is a list: index it, e.g. %s[0]", s.key, path, s.key)
			}
			idx := s.index
			if idx < 0 {
				idx += len(c)
			}
			if idx < 0 || idx >= len(c) {
				return nil, nil, nil, Fail("index %d is out of range for '%s' (%d elements)", s.index, path, len(c))
			}
			if last {
				return func() (any, bool) { return c[idx], true },
					func(v any) error { c[idx] = v; return nil },
					nil, nil
			}
			cur = c[idx]
		default:
			return nil, nil, nil, Fail("Couldn't find '%s' in '%s': it is not an object or a list.", s.key, path)
		}
	}
	return nil, nil, nil, UsageError("invalid property path '%s'", path)
}

// SetPath applies `--set a.b[0].c=value`; the value is JSON unless forceString.
func SetPath(obj map[string]any, expr string, forceString bool) error {
	path, val, ok := strings.Cut(expr, "=")
	if !ok || path == "" {
		return UsageError("usage error: --set PROPERTY=VALUE")
	}
	_, set, _, err := walk(obj, path, true)
	if err != nil {
		return err
	}
	return set(parseValue(val, forceString))
}

// AddPath applies `--add LIST VALUE...`: KEY=VALUE pairs make one object to
// append; other values are appended each (as JSON unless forceString). A
// missing list is created.
func AddPath(obj map[string]any, args []string, forceString bool) error {
	if len(args) < 2 {
		return UsageError("usage error: --add LIST KEY=VALUE [KEY=VALUE ...] | --add LIST VALUE [VALUE ...]")
	}
	get, set, _, err := walk(obj, args[0], true)
	if err != nil {
		return err
	}
	cur, ok := get()
	list, isList := cur.([]any)
	if ok && cur != nil && !isList {
		return Fail("'%s' is not a list: --add appends to lists (use --set for properties)", args[0])
	}
	if strings.Contains(args[1], "=") && !strings.HasPrefix(strings.TrimSpace(args[1]), "{") {
		item := map[string]any{}
		for _, kv := range args[1:] {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return UsageError("usage error: --add LIST KEY=VALUE [KEY=VALUE ...]: '%s' is not KEY=VALUE", kv)
			}
			item[k] = parseValue(v, forceString)
		}
		list = append(list, item)
	} else {
		for _, v := range args[1:] {
			list = append(list, parseValue(v, forceString))
		}
	}
	return set(list)
}

// RemovePath applies `--remove PROPERTY` or `--remove LIST INDEX`.
func RemovePath(obj map[string]any, args []string) error {
	if len(args) == 0 || len(args) > 2 {
		return UsageError("usage error: --remove PROPERTY | --remove LIST INDEX")
	}
	get, set, del, err := walk(obj, args[0], false)
	if err != nil {
		return err
	}
	if len(args) == 1 {
		if del == nil {
			return Fail("'%s' is a list element: use --remove LIST INDEX", args[0])
		}
		return del()
	}
	i, err := strconv.Atoi(args[1])
	cur, _ := get()
	list, ok := cur.([]any)
	if !ok {
		return Fail("'%s' is not a list", args[0])
	}
	if i < 0 {
		i += len(list)
	}
	if err != nil || i < 0 || i >= len(list) {
		return Fail("index '%s' is out of range for '%s' (%d elements)", args[1], args[0], len(list))
	}
	return set(append(append([]any{}, list[:i]...), list[i+1:]...))
}

// GenericUpdate applies --set, --add and --remove in az's order (set, add,
// remove); adds and removes are one operation each, as NArgs collects them.
func GenericUpdate(obj map[string]any, set, add, remove []string, forceString bool) error {
	for _, s := range set {
		if err := SetPath(obj, s, forceString); err != nil {
			return err
		}
	}
	if len(add) > 0 {
		if err := AddPath(obj, add, forceString); err != nil {
			return err
		}
	}
	if len(remove) > 0 {
		if err := RemovePath(obj, remove); err != nil {
			return err
		}
	}
	return nil
}
