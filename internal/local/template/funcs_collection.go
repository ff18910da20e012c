package template

import (
	"encoding/json"
	"reflect"
	"strings"
)

// collectionFuncs work on arrays and objects (and on strings where ARM
// lets them stand for a sequence).
func collectionFuncs() map[string]builtin {
	return map[string]builtin{
		"length":       {min: 1, max: 1, fn: lengthFunc},
		"empty":        {min: 1, max: 1, fn: emptyFunc},
		"contains":     {min: 2, max: 2, fn: containsFunc},
		"union":        {min: 1, max: -1, fn: unionFunc},
		"createarray":  {max: -1, fn: func(in *invocation) (any, error) { return append([]any{}, in.args...), nil }},
		"array":        {min: 1, max: 1, fn: arrayFunc},
		"createobject": {max: -1, fn: createObjectFunc},
		"first":        {min: 1, max: 1, free: true, fn: end(true)},
		"last":         {min: 1, max: 1, free: true, fn: end(false)},
		"take":         {min: 2, max: 2, free: true, fn: slice(true)},
		"skip":         {min: 2, max: 2, free: true, fn: slice(false)},
		"coalesce":     {max: -1, free: true, fn: coalesceFunc},
	}
}

func lengthFunc(in *invocation) (any, error) {
	switch v := in.args[0].(type) {
	case string:
		return int64(len([]rune(v))), nil
	case []any:
		return int64(len(v)), nil
	case map[string]any:
		return int64(len(v)), nil
	}
	return nil, in.fail("expects its parameter to be an array, an object, or a string. The provided value is of type '%s'.", typeName(in.args[0]))
}

func emptyFunc(in *invocation) (any, error) {
	switch v := in.args[0].(type) {
	case nil:
		return true, nil
	case string:
		return v == "", nil
	case []any:
		return len(v) == 0, nil
	case map[string]any:
		return len(v) == 0, nil
	}
	return nil, in.fail("expects its parameter to be an array, an object, a string or null. The provided value is of type '%s'.", typeName(in.args[0]))
}

// containsFunc: a substring, an element, or a key (case-insensitively).
func containsFunc(in *invocation) (any, error) {
	switch v := in.args[0].(type) {
	case string:
		return strings.Contains(v, toString(in.args[1])), nil
	case []any:
		for _, e := range v {
			if reflect.DeepEqual(e, in.args[1]) {
				return true, nil
			}
		}
		return false, nil
	case map[string]any:
		k, err := in.str(1)
		if err != nil {
			return nil, err
		}
		for kk := range v {
			if strings.EqualFold(kk, k) {
				return true, nil
			}
		}
		return false, nil
	}
	return nil, in.fail("expects its first parameter to be an array, an object, or a string. The provided value is of type '%s'.", typeName(in.args[0]))
}

func unionFunc(in *invocation) (any, error) {
	if err := in.reserve(shallowSum(in.args)); err != nil {
		return nil, err
	}
	mixed := func(i int) error {
		return in.fail("expects its parameters to be all arrays or all objects; parameter %sis of type '%s'.", ordinal(i, len(in.args)), typeName(in.args[i]))
	}
	switch in.args[0].(type) {
	case []any:
		// Duplicates found by their canonical JSON (object keys sorted):
		// linear, where comparing each pair was quadratic.
		out, seen := []any{}, map[string]bool{}
		for i, a := range in.args {
			arr, ok := a.([]any)
			if !ok {
				return nil, mixed(i)
			}
			for _, e := range arr {
				k, err := json.Marshal(e)
				if err != nil {
					return nil, in.fail("was given a value that cannot be compared: %v", err)
				}
				if !seen[string(k)] {
					seen[string(k)] = true
					out = append(out, e)
				}
			}
		}
		return out, nil
	case map[string]any:
		out := map[string]any{}
		for i, a := range in.args {
			m, ok := a.(map[string]any)
			if !ok {
				return nil, mixed(i)
			}
			for k, v := range m {
				out[k] = v
			}
		}
		return out, nil
	}
	return nil, in.fail("expects its parameters to be arrays or objects. The provided value is of type '%s'.", typeName(in.args[0]))
}

// arrayFunc wraps a value in an array, unless it is one already.
func arrayFunc(in *invocation) (any, error) {
	if a, ok := in.args[0].([]any); ok {
		return a, nil
	}
	return append([]any{}, in.args...), nil
}

func createObjectFunc(in *invocation) (any, error) {
	if len(in.args)%2 != 0 {
		return nil, in.fail("must have an even number of arguments: property names and values.")
	}
	out := map[string]any{}
	for i := 0; i < len(in.args); i += 2 {
		k, err := in.str(i)
		if err != nil {
			return nil, err
		}
		out[k] = in.args[i+1]
	}
	return out, nil
}

// end is first() and last(), of a string or an array.
func end(first bool) func(*invocation) (any, error) {
	return func(in *invocation) (any, error) {
		switch v := in.args[0].(type) {
		case string:
			if v == "" {
				return "", nil
			}
			r := []rune(v)
			if first {
				return string(r[0]), nil
			}
			return string(r[len(r)-1]), nil
		case []any:
			if len(v) == 0 {
				return nil, nil
			}
			if first {
				return v[0], nil
			}
			return v[len(v)-1], nil
		}
		return nil, in.fail("expects its parameter to be an array or a string. The provided value is of type '%s'.", typeName(in.args[0]))
	}
}

// slice is take() and skip(), of a string or an array, with the count
// clamped to what is there.
func slice(take bool) func(*invocation) (any, error) {
	return func(in *invocation) (any, error) {
		n, err := in.integer(1)
		if err != nil {
			return nil, err
		}
		clamp := func(l int) int {
			return int(min(max(n, 0), int64(l)))
		}
		switch v := in.args[0].(type) {
		case string:
			r := []rune(v)
			k := clamp(len(r))
			if take {
				return string(r[:k]), nil
			}
			return string(r[k:]), nil
		case []any:
			k := clamp(len(v))
			if take {
				return append([]any{}, v[:k]...), nil
			}
			return append([]any{}, v[k:]...), nil
		}
		return nil, in.fail("expects its first parameter to be an array or a string. The provided value is of type '%s'.", typeName(in.args[0]))
	}
}

func coalesceFunc(in *invocation) (any, error) {
	for _, a := range in.args {
		if a != nil {
			return a, nil
		}
	}
	return nil, nil
}
