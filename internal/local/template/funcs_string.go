package template

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

// stringFuncs build, convert and search strings.
func stringFuncs() map[string]builtin {
	return map[string]builtin{
		"concat":         {max: -1, fn: concatFunc},
		"format":         {min: 1, max: -1, fn: formatFunc},
		"uniquestring":   {min: 1, max: -1, fn: uniqueStringFunc},
		"guid":           {min: 1, max: -1, fn: guidFunc},
		"tolower":        unary(strings.ToLower),
		"toupper":        unary(strings.ToUpper),
		"trim":           {min: 1, max: 1, free: true, fn: unary(strings.TrimSpace).fn},
		"base64":         unary(func(v string) string { return base64.StdEncoding.EncodeToString([]byte(v)) }),
		"base64tostring": {min: 1, max: 1, fn: base64ToStringFunc},
		"string":         {min: 1, max: 1, fn: func(in *invocation) (any, error) { return toString(in.args[0]), nil }},
		"json":           {min: 1, max: 1, fn: jsonFunc},
		"split":          {min: 2, max: 2, fn: splitFunc},
		"replace":        {min: 3, max: 3, fn: replaceFunc},
		"substring":      {min: 1, max: 3, free: true, fn: substringFunc},
		"startswith":     search(func(v, w string) any { return strings.HasPrefix(v, w) }),
		"endswith":       search(func(v, w string) any { return strings.HasSuffix(v, w) }),
		"indexof":        search(func(v, w string) any { return int64(strings.Index(v, w)) }),
		"lastindexof":    search(func(v, w string) any { return int64(strings.LastIndex(v, w)) }),
		"padleft":        {min: 2, max: 3, fn: padLeftFunc},
	}
}

// unary is a function of one string.
func unary(f func(string) string) builtin {
	return builtin{min: 1, max: 1, fn: func(in *invocation) (any, error) {
		v, err := in.str(0)
		if err != nil {
			return nil, err
		}
		return f(v), nil
	}}
}

// search is a case-insensitive question about two strings.
func search(f func(v, w string) any) builtin {
	return builtin{min: 2, max: 2, fn: func(in *invocation) (any, error) {
		v, err := in.str(0)
		if err != nil {
			return nil, err
		}
		w, err := in.str(1)
		if err != nil {
			return nil, err
		}
		return f(strings.ToLower(v), strings.ToLower(w)), nil
	}}
}

// concatFunc joins strings and numbers, or arrays, never a mix.
func concatFunc(in *invocation) (any, error) {
	if len(in.args) == 0 {
		return "", nil
	}
	if err := in.reserve(shallowSum(in.args)); err != nil {
		return nil, err
	}
	if _, ok := in.args[0].([]any); ok {
		out := []any{}
		for i, a := range in.args {
			arr, ok := a.([]any)
			if !ok {
				return nil, in.fail("expects its parameter %sto be of type 'Array'. The provided value is of type '%s'.", ordinal(i, len(in.args)), typeName(a))
			}
			out = append(out, arr...)
		}
		return out, nil
	}
	var b strings.Builder
	for _, a := range in.args {
		switch a.(type) {
		case []any, map[string]any:
			return nil, in.fail("expects its parameters to be of the same type: strings and numbers, or arrays.")
		}
		b.WriteString(toString(a))
	}
	return b.String(), nil
}

func formatFunc(in *invocation) (any, error) {
	f, err := in.str(0)
	if err != nil {
		return nil, err
	}
	return format(f, in.args[1:], in.fail, func(n int) error { return in.reserve(int64(n)) })
}

func uniqueStringFunc(in *invocation) (any, error) {
	parts, err := in.strs()
	if err != nil {
		return nil, err
	}
	return uniqueString(strings.Join(parts, "-")), nil
}

func guidFunc(in *invocation) (any, error) {
	parts, err := in.strs()
	if err != nil {
		return nil, err
	}
	return uuid.NewSHA1(guidNamespace, []byte(strings.Join(parts, "-"))).String(), nil
}

func base64ToStringFunc(in *invocation) (any, error) {
	v, err := in.str(0)
	if err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, in.fail("was given a value that is not valid base64.")
	}
	return string(b), nil
}

func jsonFunc(in *invocation) (any, error) {
	v, err := in.str(0)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(strings.NewReader(v))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, in.fail("was given a value that is not valid JSON: %v", err)
	}
	return Normalize(out), nil
}

// splitFunc splits by one separator or each of several, reserving the
// pieces' cost before building them.
func splitFunc(in *invocation) (any, error) {
	v, err := in.str(0)
	if err != nil {
		return nil, err
	}
	var seps []string
	switch d := in.args[1].(type) {
	case string:
		seps = []string{d}
	case []any:
		for _, e := range d {
			seps = append(seps, toString(e))
		}
	default:
		return nil, in.fail("expects its second parameter to be a string or an array of strings. The provided value is of type '%s'.", typeName(in.args[1]))
	}
	for _, sep := range seps {
		k := int64(len(v)) + 1
		if sep != "" {
			k = int64(strings.Count(v, sep)) + 1
		}
		if err := in.reserve(16*k + int64(len(v))); err != nil {
			return nil, err
		}
	}
	parts := []string{v}
	for _, sep := range seps {
		var next []string
		for _, p := range parts {
			next = append(next, strings.Split(p, sep)...)
		}
		parts = next
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func replaceFunc(in *invocation) (any, error) {
	parts, err := in.strs()
	if err != nil {
		return nil, err
	}
	v, o, n := parts[0], parts[1], parts[2]
	if k := int64(strings.Count(v, o)); k > 0 && len(n) > len(o) {
		if err := in.reserve(int64(len(v)) + k*int64(len(n)-len(o))); err != nil {
			return nil, err
		}
	}
	return strings.ReplaceAll(v, o, n), nil
}

func substringFunc(in *invocation) (any, error) {
	v, err := in.str(0)
	if err != nil {
		return nil, err
	}
	r := []rune(v)
	var start, length int64
	if len(in.args) > 1 {
		if start, err = in.integer(1); err != nil {
			return nil, err
		}
	}
	if len(in.args) > 2 {
		if length, err = in.integer(2); err != nil {
			return nil, err
		}
	} else {
		length = int64(len(r)) - start
	}
	if start < 0 || length < 0 || start+length > int64(len(r)) {
		return nil, in.fail("parameters are out of range: 'startIndex' + 'length' must be within the string of length %d.", len(r))
	}
	return string(r[start : start+length]), nil
}

func padLeftFunc(in *invocation) (any, error) {
	v := toString(in.args[0])
	n, err := in.integer(1)
	if err != nil {
		return nil, err
	}
	pad, err := in.optStr(2, " ")
	if err != nil {
		return nil, err
	}
	have := int64(utf8.RuneCountInString(v))
	if have >= n || pad == "" {
		return v, nil
	}
	if err := in.reserve(n - have + int64(len(v))); err != nil {
		return nil, err
	}
	return strings.Repeat(pad[:1], int(n-have)) + v, nil
}
