package template

// numericFuncs do integer arithmetic.
func numericFuncs() map[string]builtin {
	return map[string]builtin{
		"add":   arithmetic(func(a, b int64) int64 { return a + b }, false),
		"sub":   arithmetic(func(a, b int64) int64 { return a - b }, false),
		"mul":   arithmetic(func(a, b int64) int64 { return a * b }, false),
		"div":   arithmetic(func(a, b int64) int64 { return a / b }, true),
		"mod":   arithmetic(func(a, b int64) int64 { return a % b }, true),
		"min":   extreme(func(n, best int64) bool { return n < best }),
		"max":   extreme(func(n, best int64) bool { return n > best }),
		"range": {min: 2, max: 2, fn: rangeFunc},
	}
}

func arithmetic(op func(a, b int64) int64, divides bool) builtin {
	return builtin{min: 2, max: 2, fn: func(in *invocation) (any, error) {
		a, err := in.integer(0)
		if err != nil {
			return nil, err
		}
		b, err := in.integer(1)
		if err != nil {
			return nil, err
		}
		if divides && b == 0 {
			return nil, in.fail("cannot divide by zero.")
		}
		return op(a, b), nil
	}}
}

// extreme is min() and max(): of its arguments, or of one array.
func extreme(better func(n, best int64) bool) builtin {
	return builtin{min: 1, max: -1, fn: func(in *invocation) (any, error) {
		vals := in.args
		if arr, ok := in.args[0].([]any); ok && len(in.args) == 1 {
			vals = arr
		}
		var best int64
		for i, v := range vals {
			n, ok := v.(int64)
			if !ok {
				return nil, in.fail("expects integers. The provided value is of type '%s'.", typeName(v))
			}
			if i == 0 || better(n, best) {
				best = n
			}
		}
		return best, nil
	}}
}

func rangeFunc(in *invocation) (any, error) {
	a, err := in.integer(0)
	if err != nil {
		return nil, err
	}
	n, err := in.integer(1)
	if err != nil {
		return nil, err
	}
	if n < 0 || n > 10000 {
		return nil, in.fail("count must be between 0 and 10000.")
	}
	out := make([]any, n)
	for i := range out {
		out[i] = a + int64(i)
	}
	return out, nil
}
