package template

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// builtin is one template function: its arity, whether its result is (part
// of) a value that exists already and so spends no budget, and its body.
// max < 0 means no upper bound.
type builtin struct {
	min, max int
	free     bool // returns (part of) a value that exists already
	lazy     bool // evaluates its own arguments (if)
	fn       func(*invocation) (any, error)
}

// builtins is ARM's function table, keyed by lower-cased name, as
// text/template's builtins(): adding a function is adding a row. It is
// filled in init because some functions evaluate their arguments, and Eval
// looks functions up here.
var builtins map[string]builtin

func init() {
	builtins = map[string]builtin{}
	for _, table := range []map[string]builtin{scopeFuncs(), stringFuncs(), logicFuncs(), collectionFuncs(), numericFuncs()} {
		for name, b := range table {
			builtins[name] = b
		}
	}
}

// invocation is one call being evaluated: the arguments, already evaluated
// unless the function is lazy (if), and typed accessors that fail with
// ARM's messages.
type invocation struct {
	s    *Scope
	c    *Call
	name string // lower-cased
	args []any
}

func (s *Scope) call(c *Call, args []any) (any, error) {
	name := strings.ToLower(c.Name)
	b, ok := builtins[name]
	if !ok {
		return nil, invalidTemplate("The template function '%s' is not valid. Please see https://aka.ms/arm-template-functions for usage details.", c.Name)
	}
	in := &invocation{s: s, c: c, name: name, args: args}
	if err := in.arity(b.min, b.max); err != nil {
		return nil, err
	}
	return b.fn(in)
}

func (in *invocation) fail(format string, a ...any) error {
	return invalidTemplate("The template language function '%s' %s", in.c.Name, fmt.Sprintf(format, a...))
}

func (in *invocation) arity(min, max int) error {
	n := len(in.c.Args)
	if n >= min && (max < 0 || n <= max) {
		return nil
	}
	switch {
	case min == max:
		return in.fail("must have %d argument(s).", min)
	case max < 0:
		return in.fail("must have at least %d argument(s).", min)
	}
	return in.fail("must have %d to %d arguments.", min, max)
}

func (in *invocation) str(i int) (string, error) {
	v, ok := in.args[i].(string)
	if !ok {
		return "", in.typeError(i, "String")
	}
	return v, nil
}

func (in *invocation) integer(i int) (int64, error) {
	v, ok := in.args[i].(int64)
	if !ok {
		return 0, in.typeError(i, "Integer")
	}
	return v, nil
}

func (in *invocation) boolean(i int) (bool, error) {
	v, ok := in.args[i].(bool)
	if !ok {
		return false, in.typeError(i, "Boolean")
	}
	return v, nil
}

func (in *invocation) typeError(i int, want string) error {
	return in.fail("expects its parameter %sto be of type '%s'. The provided value is of type '%s'.", ordinal(i, len(in.args)), want, typeName(in.args[i]))
}

// strs is every argument as a string.
func (in *invocation) strs() ([]string, error) {
	parts := make([]string, len(in.args))
	for i := range in.args {
		v, err := in.str(i)
		if err != nil {
			return nil, err
		}
		parts[i] = v
	}
	return parts, nil
}

// optStr is argument i as a string, or def when it was not given.
func (in *invocation) optStr(i int, def string) (string, error) {
	if len(in.args) <= i {
		return def, nil
	}
	return in.str(i)
}

// reserve charges n bytes the function is about to build.
func (in *invocation) reserve(n int64) error {
	return in.s.b.reserve(in.c.Name, n)
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
