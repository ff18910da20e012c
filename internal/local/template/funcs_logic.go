package template

import (
	"reflect"
	"strconv"
	"strings"
)

// logicFuncs compare, combine and convert booleans, and choose.
func logicFuncs() map[string]builtin {
	return map[string]builtin{
		"if":              {min: 3, max: 3, free: true, lazy: true, fn: ifFunc},
		"equals":          {min: 2, max: 2, fn: func(in *invocation) (any, error) { return reflect.DeepEqual(in.args[0], in.args[1]), nil }},
		"less":            comparison(func(c int) bool { return c < 0 }),
		"lessorequals":    comparison(func(c int) bool { return c <= 0 }),
		"greater":         comparison(func(c int) bool { return c > 0 }),
		"greaterorequals": comparison(func(c int) bool { return c >= 0 }),
		"not":             {min: 1, max: 1, fn: notFunc},
		"and":             {min: 2, max: -1, fn: fold(true, func(a, b bool) bool { return a && b })},
		"or":              {min: 2, max: -1, fn: fold(false, func(a, b bool) bool { return a || b })},
		"true":            {fn: func(*invocation) (any, error) { return true, nil }},
		"false":           {fn: func(*invocation) (any, error) { return false, nil }},
		"null":            {fn: func(*invocation) (any, error) { return nil, nil }},
		"int":             {min: 1, max: 1, fn: intFunc},
		"bool":            {min: 1, max: 1, fn: boolFunc},
	}
}

// ifFunc evaluates only the branch it takes.
func ifFunc(in *invocation) (any, error) {
	cond, err := in.s.Eval(in.c.Args[0])
	if err != nil {
		return nil, err
	}
	b, ok := cond.(bool)
	if !ok {
		return nil, in.fail("expects its first parameter to be of type 'Boolean'. The provided value is of type '%s'.", typeName(cond))
	}
	if b {
		return in.s.Eval(in.c.Args[1])
	}
	return in.s.Eval(in.c.Args[2])
}

// comparison orders two integers or two strings.
func comparison(holds func(int) bool) builtin {
	return builtin{min: 2, max: 2, fn: func(in *invocation) (any, error) {
		var cmp int
		switch a := in.args[0].(type) {
		case int64:
			b, err := in.integer(1)
			if err != nil {
				return nil, err
			}
			cmp = compareInt(a, b)
		case string:
			b, err := in.str(1)
			if err != nil {
				return nil, err
			}
			cmp = strings.Compare(a, b)
		default:
			return nil, in.fail("expects its parameters to be integers or strings. The provided value is of type '%s'.", typeName(in.args[0]))
		}
		return holds(cmp), nil
	}}
}

func notFunc(in *invocation) (any, error) {
	b, err := in.boolean(0)
	return !b, err
}

// fold is and() and or(): every argument must be a boolean, so none is
// skipped.
func fold(start bool, op func(a, b bool) bool) func(*invocation) (any, error) {
	return func(in *invocation) (any, error) {
		acc := start
		for i := range in.args {
			b, err := in.boolean(i)
			if err != nil {
				return nil, err
			}
			acc = op(acc, b)
		}
		return acc, nil
	}
}

func intFunc(in *invocation) (any, error) {
	switch v := in.args[0].(type) {
	case int64:
		return v, nil
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return nil, in.fail("cannot convert '%s' to an integer.", v)
		}
		return n, nil
	}
	return nil, in.fail("expects its parameter to be an integer or a string. The provided value is of type '%s'.", typeName(in.args[0]))
}

func boolFunc(in *invocation) (any, error) {
	switch v := in.args[0].(type) {
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
		return nil, in.fail("cannot convert '%s' to a boolean.", v)
	}
	return nil, in.fail("expects its parameter to be a boolean, an integer or a string. The provided value is of type '%s'.", typeName(in.args[0]))
}
