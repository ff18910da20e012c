package template

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

func (s *Scope) call(c *Call, args []any) (any, error) {
	name := strings.ToLower(c.Name)
	fail := func(format string, a ...any) error {
		return invalidTemplate("The template language function '%s' %s", c.Name, fmt.Sprintf(format, a...))
	}
	nargs := func(min, max int) error {
		if len(c.Args) < min || (max >= 0 && len(c.Args) > max) {
			if min == max {
				return fail("must have %d argument(s).", min)
			}
			if max < 0 {
				return fail("must have at least %d argument(s).", min)
			}
			return fail("must have %d to %d arguments.", min, max)
		}
		return nil
	}
	str := func(i int) (string, error) {
		v, ok := args[i].(string)
		if !ok {
			return "", fail("expects its parameter %sto be of type 'String'. The provided value is of type '%s'.", ordinal(i, len(args)), typeName(args[i]))
		}
		return v, nil
	}
	integer := func(i int) (int64, error) {
		v, ok := args[i].(int64)
		if !ok {
			return 0, fail("expects its parameter %sto be of type 'Integer'. The provided value is of type '%s'.", ordinal(i, len(args)), typeName(args[i]))
		}
		return v, nil
	}
	boolean := func(i int) (bool, error) {
		v, ok := args[i].(bool)
		if !ok {
			return false, fail("expects its parameter %sto be of type 'Boolean'. The provided value is of type '%s'.", ordinal(i, len(args)), typeName(args[i]))
		}
		return v, nil
	}
	switch name {
	case "parameters":
		if err := nargs(1, 1); err != nil {
			return nil, err
		}
		n, err := str(0)
		if err != nil {
			return nil, err
		}
		for k, v := range s.params {
			if strings.EqualFold(k, n) {
				return v, nil
			}
		}
		return nil, invalidTemplate("The template parameter '%s' is not found. Please see https://aka.ms/arm-template/#parameters for usage details.", n)
	case "variables":
		if err := nargs(1, 1); err != nil {
			return nil, err
		}
		n, err := str(0)
		if err != nil {
			return nil, err
		}
		return s.Variable(n)
	case "resourcegroup":
		if err := nargs(0, 0); err != nil {
			return nil, err
		}
		tags := s.env.GroupTags
		if tags == nil {
			tags = map[string]any{}
		}
		return map[string]any{"id": "/subscriptions/" + s.env.SubscriptionID + "/resourceGroups/" + s.env.ResourceGroup,
			"name": s.env.ResourceGroup, "type": "Microsoft.Resources/resourceGroups", "location": s.env.Location, "tags": tags,
			"properties": map[string]any{"provisioningState": "Succeeded"}}, nil
	case "subscription":
		if err := nargs(0, 0); err != nil {
			return nil, err
		}
		return map[string]any{"id": "/subscriptions/" + s.env.SubscriptionID, "subscriptionId": s.env.SubscriptionID,
			"tenantId": s.env.TenantID, "displayName": "aci local"}, nil
	case "deployment":
		if err := nargs(0, 0); err != nil {
			return nil, err
		}
		return map[string]any{"name": s.env.DeploymentName, "properties": map[string]any{"templateHash": "", "mode": "Incremental"}}, nil
	case "resourceid":
		if err := nargs(2, -1); err != nil {
			return nil, err
		}
		parts := make([]string, len(args))
		for i := range args {
			v, err := str(i)
			if err != nil {
				return nil, err
			}
			parts[i] = v
		}
		return s.resourceID(parts)
	case "reference":
		if err := nargs(1, 3); err != nil {
			return nil, err
		}
		id, err := str(0)
		if err != nil {
			return nil, err
		}
		apiVersion, full := "", false
		if len(args) > 1 {
			if apiVersion, err = str(1); err != nil {
				return nil, err
			}
		}
		if len(args) > 2 {
			f, err := str(2)
			if err != nil {
				return nil, err
			}
			full = strings.EqualFold(f, "Full")
		}
		id = s.idOf(id)
		if s.static || s.env.Reference == nil {
			return nil, errNotYet
		}
		return s.env.Reference(id, apiVersion, full)
	case "listkeys", "listcredentials", "listcredential", "listsecrets":
		if err := nargs(1, 3); err != nil {
			return nil, err
		}
		id, err := str(0)
		if err != nil {
			return nil, err
		}
		apiVersion := ""
		if len(args) > 1 {
			apiVersion, _ = args[1].(string)
		}
		if s.static || s.env.List == nil {
			return nil, errNotYet
		}
		return s.env.List(s.idOf(id), c.Name, apiVersion)
	case "concat":
		if len(args) == 0 {
			return "", nil
		}
		if err := s.b.reserve(c.Name, shallowSum(args)); err != nil {
			return nil, err
		}
		if _, ok := args[0].([]any); ok {
			out := []any{}
			for i, a := range args {
				arr, ok := a.([]any)
				if !ok {
					return nil, fail("expects its parameter %sto be of type 'Array'. The provided value is of type '%s'.", ordinal(i, len(args)), typeName(a))
				}
				out = append(out, arr...)
			}
			return out, nil
		}
		var b strings.Builder
		for _, a := range args {
			switch a.(type) {
			case []any, map[string]any:
				return nil, fail("expects its parameters to be of the same type: strings and numbers, or arrays.")
			}
			b.WriteString(toString(a))
		}
		return b.String(), nil
	case "format":
		if err := nargs(1, -1); err != nil {
			return nil, err
		}
		f, err := str(0)
		if err != nil {
			return nil, err
		}
		return format(f, args[1:], fail, func(n int) error { return s.b.reserve(c.Name, int64(n)) })
	case "uniquestring":
		if err := nargs(1, -1); err != nil {
			return nil, err
		}
		parts := make([]string, len(args))
		for i := range args {
			v, err := str(i)
			if err != nil {
				return nil, err
			}
			parts[i] = v
		}
		return uniqueString(strings.Join(parts, "-")), nil
	case "guid":
		if err := nargs(1, -1); err != nil {
			return nil, err
		}
		parts := make([]string, len(args))
		for i := range args {
			v, err := str(i)
			if err != nil {
				return nil, err
			}
			parts[i] = v
		}
		return uuid.NewSHA1(guidNamespace, []byte(strings.Join(parts, "-"))).String(), nil
	case "tolower", "toupper", "trim", "base64", "base64tostring":
		if err := nargs(1, 1); err != nil {
			return nil, err
		}
		v, err := str(0)
		if err != nil {
			return nil, err
		}
		switch name {
		case "tolower":
			return strings.ToLower(v), nil
		case "toupper":
			return strings.ToUpper(v), nil
		case "trim":
			return strings.TrimSpace(v), nil
		case "base64":
			return base64.StdEncoding.EncodeToString([]byte(v)), nil
		}
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return nil, fail("was given a value that is not valid base64.")
		}
		return string(b), nil
	case "string":
		if err := nargs(1, 1); err != nil {
			return nil, err
		}
		return toString(args[0]), nil
	case "int":
		if err := nargs(1, 1); err != nil {
			return nil, err
		}
		switch v := args[0].(type) {
		case int64:
			return v, nil
		case string:
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return nil, fail("cannot convert '%s' to an integer.", v)
			}
			return n, nil
		}
		return nil, fail("expects its parameter to be an integer or a string. The provided value is of type '%s'.", typeName(args[0]))
	case "bool":
		if err := nargs(1, 1); err != nil {
			return nil, err
		}
		switch v := args[0].(type) {
		case bool:
			return v, nil
		case int64:
			return v != 0, nil
		case string:
			switch strings.ToLower(v) {
			case "true":
				return true, nil
			case "false":
				return false, nil
			}
			return nil, fail("cannot convert '%s' to a boolean.", v)
		}
		return nil, fail("expects its parameter to be a boolean, an integer or a string. The provided value is of type '%s'.", typeName(args[0]))
	case "json":
		if err := nargs(1, 1); err != nil {
			return nil, err
		}
		v, err := str(0)
		if err != nil {
			return nil, err
		}
		dec := json.NewDecoder(strings.NewReader(v))
		dec.UseNumber()
		var out any
		if err := dec.Decode(&out); err != nil {
			return nil, fail("was given a value that is not valid JSON: %v", err)
		}
		return Normalize(out), nil
	case "if":
		if err := nargs(3, 3); err != nil {
			return nil, err
		}
		cond, err := s.Eval(c.Args[0])
		if err != nil {
			return nil, err
		}
		b, ok := cond.(bool)
		if !ok {
			return nil, fail("expects its first parameter to be of type 'Boolean'. The provided value is of type '%s'.", typeName(cond))
		}
		if b {
			return s.Eval(c.Args[1])
		}
		return s.Eval(c.Args[2])
	case "equals":
		if err := nargs(2, 2); err != nil {
			return nil, err
		}
		return reflect.DeepEqual(args[0], args[1]), nil
	case "less", "lessorequals", "greater", "greaterorequals":
		if err := nargs(2, 2); err != nil {
			return nil, err
		}
		var cmp int
		switch a := args[0].(type) {
		case int64:
			b, err := integer(1)
			if err != nil {
				return nil, err
			}
			cmp = compareInt(a, b)
		case string:
			b, err := str(1)
			if err != nil {
				return nil, err
			}
			cmp = strings.Compare(a, b)
		default:
			return nil, fail("expects its parameters to be integers or strings. The provided value is of type '%s'.", typeName(args[0]))
		}
		switch name {
		case "less":
			return cmp < 0, nil
		case "lessorequals":
			return cmp <= 0, nil
		case "greater":
			return cmp > 0, nil
		}
		return cmp >= 0, nil
	case "not":
		if err := nargs(1, 1); err != nil {
			return nil, err
		}
		b, err := boolean(0)
		return !b, err
	case "and", "or":
		if err := nargs(2, -1); err != nil {
			return nil, err
		}
		acc := name == "and"
		for i := range args {
			b, err := boolean(i)
			if err != nil {
				return nil, err
			}
			if name == "and" {
				acc = acc && b
			} else {
				acc = acc || b
			}
		}
		return acc, nil
	case "true", "false":
		if err := nargs(0, 0); err != nil {
			return nil, err
		}
		return name == "true", nil
	case "null":
		return nil, nargs(0, 0)
	case "length":
		if err := nargs(1, 1); err != nil {
			return nil, err
		}
		switch v := args[0].(type) {
		case string:
			return int64(len([]rune(v))), nil
		case []any:
			return int64(len(v)), nil
		case map[string]any:
			return int64(len(v)), nil
		}
		return nil, fail("expects its parameter to be an array, an object, or a string. The provided value is of type '%s'.", typeName(args[0]))
	case "empty":
		if err := nargs(1, 1); err != nil {
			return nil, err
		}
		switch v := args[0].(type) {
		case nil:
			return true, nil
		case string:
			return v == "", nil
		case []any:
			return len(v) == 0, nil
		case map[string]any:
			return len(v) == 0, nil
		}
		return nil, fail("expects its parameter to be an array, an object, a string or null. The provided value is of type '%s'.", typeName(args[0]))
	case "contains":
		if err := nargs(2, 2); err != nil {
			return nil, err
		}
		switch v := args[0].(type) {
		case string:
			return strings.Contains(v, toString(args[1])), nil
		case []any:
			for _, e := range v {
				if reflect.DeepEqual(e, args[1]) {
					return true, nil
				}
			}
			return false, nil
		case map[string]any:
			k, err := str(1)
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
		return nil, fail("expects its first parameter to be an array, an object, or a string. The provided value is of type '%s'.", typeName(args[0]))
	case "union":
		if err := nargs(1, -1); err != nil {
			return nil, err
		}
		if err := s.b.reserve(c.Name, shallowSum(args)); err != nil {
			return nil, err
		}
		switch args[0].(type) {
		case []any:
			// Duplicates found by their canonical JSON (object keys sorted):
			// linear, where comparing each pair was quadratic.
			out, seen := []any{}, map[string]bool{}
			for i, a := range args {
				arr, ok := a.([]any)
				if !ok {
					return nil, fail("expects its parameters to be all arrays or all objects; parameter %sis of type '%s'.", ordinal(i, len(args)), typeName(a))
				}
				for _, e := range arr {
					k, _ := json.Marshal(e)
					if !seen[string(k)] {
						seen[string(k)] = true
						out = append(out, e)
					}
				}
			}
			return out, nil
		case map[string]any:
			out := map[string]any{}
			for i, a := range args {
				m, ok := a.(map[string]any)
				if !ok {
					return nil, fail("expects its parameters to be all arrays or all objects; parameter %sis of type '%s'.", ordinal(i, len(args)), typeName(a))
				}
				for k, v := range m {
					out[k] = v
				}
			}
			return out, nil
		}
		return nil, fail("expects its parameters to be arrays or objects. The provided value is of type '%s'.", typeName(args[0]))
	case "createarray", "array":
		if name == "array" {
			if err := nargs(1, 1); err != nil {
				return nil, err
			}
			if a, ok := args[0].([]any); ok {
				return a, nil
			}
		}
		return append([]any{}, args...), nil
	case "createobject":
		if len(args)%2 != 0 {
			return nil, fail("must have an even number of arguments: property names and values.")
		}
		out := map[string]any{}
		for i := 0; i < len(args); i += 2 {
			k, err := str(i)
			if err != nil {
				return nil, err
			}
			out[k] = args[i+1]
		}
		return out, nil
	case "split":
		if err := nargs(2, 2); err != nil {
			return nil, err
		}
		v, err := str(0)
		if err != nil {
			return nil, err
		}
		var seps []string
		switch d := args[1].(type) {
		case string:
			seps = []string{d}
		case []any:
			for _, e := range d {
				seps = append(seps, toString(e))
			}
		default:
			return nil, fail("expects its second parameter to be a string or an array of strings. The provided value is of type '%s'.", typeName(args[1]))
		}
		for _, sep := range seps {
			k := int64(len(v)) + 1
			if sep != "" {
				k = int64(strings.Count(v, sep)) + 1
			}
			if err := s.b.reserve(c.Name, 16*k+int64(len(v))); err != nil {
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
	case "replace":
		if err := nargs(3, 3); err != nil {
			return nil, err
		}
		v, err := str(0)
		if err != nil {
			return nil, err
		}
		o, err := str(1)
		if err != nil {
			return nil, err
		}
		n, err := str(2)
		if err != nil {
			return nil, err
		}
		if k := int64(strings.Count(v, o)); k > 0 && len(n) > len(o) {
			if err := s.b.reserve(c.Name, int64(len(v))+k*int64(len(n)-len(o))); err != nil {
				return nil, err
			}
		}
		return strings.ReplaceAll(v, o, n), nil
	case "substring":
		if err := nargs(1, 3); err != nil {
			return nil, err
		}
		v, err := str(0)
		if err != nil {
			return nil, err
		}
		r := []rune(v)
		start, length := int64(0), int64(-1)
		if len(args) > 1 {
			if start, err = integer(1); err != nil {
				return nil, err
			}
		}
		if len(args) > 2 {
			if length, err = integer(2); err != nil {
				return nil, err
			}
		} else {
			length = int64(len(r)) - start
		}
		if start < 0 || length < 0 || start+length > int64(len(r)) {
			return nil, fail("parameters are out of range: 'startIndex' + 'length' must be within the string of length %d.", len(r))
		}
		return string(r[start : start+length]), nil
	case "startswith", "endswith", "indexof", "lastindexof":
		if err := nargs(2, 2); err != nil {
			return nil, err
		}
		v, err := str(0)
		if err != nil {
			return nil, err
		}
		w, err := str(1)
		if err != nil {
			return nil, err
		}
		lv, lw := strings.ToLower(v), strings.ToLower(w)
		switch name {
		case "startswith":
			return strings.HasPrefix(lv, lw), nil
		case "endswith":
			return strings.HasSuffix(lv, lw), nil
		case "indexof":
			return int64(strings.Index(lv, lw)), nil
		}
		return int64(strings.LastIndex(lv, lw)), nil
	case "first", "last":
		if err := nargs(1, 1); err != nil {
			return nil, err
		}
		switch v := args[0].(type) {
		case string:
			if v == "" {
				return "", nil
			}
			r := []rune(v)
			if name == "first" {
				return string(r[0]), nil
			}
			return string(r[len(r)-1]), nil
		case []any:
			if len(v) == 0 {
				return nil, nil
			}
			if name == "first" {
				return v[0], nil
			}
			return v[len(v)-1], nil
		}
		return nil, fail("expects its parameter to be an array or a string. The provided value is of type '%s'.", typeName(args[0]))
	case "add", "sub", "mul", "div", "mod":
		if err := nargs(2, 2); err != nil {
			return nil, err
		}
		a, err := integer(0)
		if err != nil {
			return nil, err
		}
		b, err := integer(1)
		if err != nil {
			return nil, err
		}
		switch name {
		case "add":
			return a + b, nil
		case "sub":
			return a - b, nil
		case "mul":
			return a * b, nil
		}
		if b == 0 {
			return nil, fail("cannot divide by zero.")
		}
		if name == "div" {
			return a / b, nil
		}
		return a % b, nil
	case "min", "max":
		if err := nargs(1, -1); err != nil {
			return nil, err
		}
		vals := args
		if arr, ok := args[0].([]any); ok && len(args) == 1 {
			vals = arr
		}
		var best int64
		for i, v := range vals {
			n, ok := v.(int64)
			if !ok {
				return nil, fail("expects integers. The provided value is of type '%s'.", typeName(v))
			}
			if i == 0 || (name == "min" && n < best) || (name == "max" && n > best) {
				best = n
			}
		}
		return best, nil
	case "range":
		if err := nargs(2, 2); err != nil {
			return nil, err
		}
		a, err := integer(0)
		if err != nil {
			return nil, err
		}
		n, err := integer(1)
		if err != nil {
			return nil, err
		}
		if n < 0 || n > 10000 {
			return nil, fail("count must be between 0 and 10000.")
		}
		out := make([]any, n)
		for i := range out {
			out[i] = a + int64(i)
		}
		return out, nil
	case "take", "skip":
		if err := nargs(2, 2); err != nil {
			return nil, err
		}
		n, err := integer(1)
		if err != nil {
			return nil, err
		}
		clamp := func(l int) int {
			if n < 0 {
				return 0
			}
			if int(n) > l {
				return l
			}
			return int(n)
		}
		switch v := args[0].(type) {
		case string:
			r := []rune(v)
			k := clamp(len(r))
			if name == "take" {
				return string(r[:k]), nil
			}
			return string(r[k:]), nil
		case []any:
			k := clamp(len(v))
			if name == "take" {
				return append([]any{}, v[:k]...), nil
			}
			return append([]any{}, v[k:]...), nil
		}
		return nil, fail("expects its first parameter to be an array or a string. The provided value is of type '%s'.", typeName(args[0]))
	case "coalesce":
		for _, a := range args {
			if a != nil {
				return a, nil
			}
		}
		return nil, nil
	case "padleft":
		if err := nargs(2, 3); err != nil {
			return nil, err
		}
		v := toString(args[0])
		n, err := integer(1)
		if err != nil {
			return nil, err
		}
		pad := " "
		if len(args) > 2 {
			if pad, err = str(2); err != nil {
				return nil, err
			}
		}
		have := int64(utf8.RuneCountInString(v))
		if have >= n || pad == "" {
			return v, nil
		}
		if err := s.b.reserve(c.Name, n-have+int64(len(v))); err != nil {
			return nil, err
		}
		return strings.Repeat(pad[:1], int(n-have)) + v, nil
	case "copyindex":
		if err := nargs(0, 2); err != nil {
			return nil, err
		}
		loop, offset := "", int64(0)
		for i, a := range args {
			switch v := a.(type) {
			case string:
				loop = v
			case int64:
				offset = v
			default:
				return nil, fail("expects a loop name or an offset. Parameter %sis of type '%s'.", ordinal(i, len(args)), typeName(a))
			}
		}
		idx, ok := s.loops[loop]
		if !ok && loop != "" {
			for k, v := range s.loops {
				if strings.EqualFold(k, loop) {
					idx, ok = v, true
				}
			}
		}
		if !ok {
			return nil, invalidTemplate("The template function 'copyIndex' is not expected at this location. The function can only be used in a resource with copy specified.")
		}
		return int64(idx) + offset, nil
	case "newguid":
		return uuid.NewString(), nil
	case "utcnow":
		return nil, fail("can only be used in a parameter's default value, which aci local does not support.")
	}
	return nil, invalidTemplate("The template function '%s' is not valid. Please see https://aka.ms/arm-template-functions for usage details.", c.Name)
}

// errNotYet is reference() or list*() asked for while planning; the value
// comes at deployment time.
var errNotYet = &Error{Code: "InvalidTemplate", Message: "The template function 'reference' is not expected at this location."}

func ordinal(i, n int) string {
	if n <= 1 {
		return ""
	}
	return fmt.Sprintf("#%d ", i+1)
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// toString is ARM's string(): JSON for objects and arrays, True/False for
// booleans.
func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		if x {
			return "True"
		}
		return "False"
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// shallowSum is what concat and union build from args: their bytes, or 16
// per element.
func shallowSum(args []any) int64 {
	var n int64
	for _, a := range args {
		switch x := a.(type) {
		case string:
			n += int64(len(x))
		case []any:
			n += 16 * int64(len(x))
		case map[string]any:
			n += 16 * int64(len(x))
		default:
			n += 16
		}
	}
	return n
}

// format is .NET's composite formatting, which ARM's format() follows:
// {0}, {1}, and {{ }} for literal braces.
func format(f string, args []any, fail func(string, ...any) error, grow func(int) error) (string, error) {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if err := grow(b.Len()); err != nil {
			return "", err
		}
		c := f[i]
		switch {
		case c == '{' && i+1 < len(f) && f[i+1] == '{':
			b.WriteByte('{')
			i++
		case c == '}' && i+1 < len(f) && f[i+1] == '}':
			b.WriteByte('}')
			i++
		case c == '{':
			end := strings.IndexByte(f[i:], '}')
			if end < 0 {
				return "", fail("was given a format string that is not valid: '%s'.", f)
			}
			spec := f[i+1 : i+end]
			idxStr, _, _ := strings.Cut(spec, ":")
			idxStr, _, _ = strings.Cut(idxStr, ",")
			n, err := strconv.Atoi(strings.TrimSpace(idxStr))
			if err != nil || n < 0 || n >= len(args) {
				return "", fail("was given a format string that refers to an argument that is not there: '%s'.", f)
			}
			b.WriteString(toString(args[n]))
			i += end
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// guidNamespace is the namespace guid() hashes its arguments in.
var guidNamespace = uuid.MustParse("11fb06fb-712d-4ddd-98c7-e71bbd588830")

// uniqueString is a deterministic 13-character base-32 hash, as ARM's:
// stable for the same inputs, different for different ones.
func uniqueString(s string) string {
	h := sha1.Sum([]byte(s))
	v := binary.BigEndian.Uint64(h[:8])
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	out := make([]byte, 13)
	for i := range out {
		out[i] = alphabet[v>>59]
		v <<= 5
	}
	return string(out)
}

// resourceID builds an id: [subscriptionId], [resourceGroupName], type, names...
func (s *Scope) resourceID(parts []string) (string, error) {
	ti := -1
	for i, p := range parts {
		if strings.Contains(strings.Trim(p, "/"), "/") && i < 3 {
			ti = i
			break
		}
	}
	if ti < 0 {
		return "", invalidTemplate("The template function 'resourceId' needs a fully qualified resource type ('Namespace/type') among its first three arguments.")
	}
	sub, rg := s.env.SubscriptionID, s.env.ResourceGroup
	switch ti {
	case 1:
		rg = parts[0]
	case 2:
		sub, rg = parts[0], parts[1]
	}
	typ := strings.Split(strings.Trim(parts[ti], "/"), "/")
	names := parts[ti+1:]
	if len(names) != len(typ)-1 {
		return "", invalidTemplate("Unable to evaluate template language function 'resourceId': function requires exactly one multi-segmented argument which must be resource type including resource provider namespace. Current function arguments '%s'. Please see https://aka.ms/arm-template-functions/#resourceid for usage details.", strings.Join(parts, ","))
	}
	id := "/subscriptions/" + sub + "/resourceGroups/" + rg + "/providers/" + typ[0] + "/" + typ[1] + "/" + names[0]
	for i := 2; i < len(typ); i++ {
		id += "/" + typ[i] + "/" + names[i-1]
	}
	return id, nil
}

// idOf turns what reference() was given into an id: an id stays, a name of
// a resource in the template becomes its id.
func (s *Scope) idOf(v string) string {
	if strings.HasPrefix(v, "/") {
		return v
	}
	if s.resolve != nil {
		if id, ok := s.resolve(v); ok {
			return id
		}
	}
	return v
}

// sortedKeys is a map's keys, sorted.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
