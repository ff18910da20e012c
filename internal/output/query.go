package output

import (
	"fmt"
	"strings"

	jmespath "github.com/jmespath-community/go-jmespath"
	"github.com/jmespath-community/go-jmespath/pkg/parsing"
)

// Query is a compiled --query expression.
type Query struct {
	expr   string
	jp     jmespath.JMESPath
	hashes [][]string // key order of every multi-select hash, to restore projection order
}

// QueryError is an invalid --query; Syntax distinguishes parse errors (exit 2) from
// run-time errors (exit 1), as az does.
type QueryError struct {
	Syntax bool
	Expr   string
	Err    error
}

func (e *QueryError) Error() string {
	if e.Syntax {
		return fmt.Sprintf("argument --query: invalid jmespath_type value: '%s'", e.Expr)
	}
	return fmt.Sprintf("Invalid jmespath query supplied for `--query`: %s", e.Err)
}

// QueryHelp is the line az prints after any --query error.
const QueryHelp = "To learn more about --query, please visit: 'https://docs.microsoft.com/cli/azure/query-azure-cli'"

// CompileQuery parses a JMESPath expression. The parser panics on some inputs
// (a U+0080 in an identifier indexes past a table), so a panic is a syntax
// error here, never a Go stack trace for the user.
func CompileQuery(expr string) (q *Query, err error) {
	defer func() {
		if r := recover(); r != nil {
			q, err = nil, &QueryError{Syntax: true, Expr: expr, Err: fmt.Errorf("%v", r)}
		}
	}()
	jp, err := jmespath.Compile(expr)
	if err != nil {
		return nil, &QueryError{Syntax: true, Expr: expr, Err: err}
	}
	ast, err := parsing.NewParser().Parse(expr)
	if err != nil {
		return nil, &QueryError{Syntax: true, Expr: expr, Err: err}
	}
	q = &Query{expr: expr, jp: jp}
	var walk func(n parsing.ASTNode)
	walk = func(n parsing.ASTNode) {
		if n.NodeType == parsing.ASTMultiSelectHash {
			var keys []string
			for _, c := range n.Children {
				if k, ok := c.Value.(string); ok {
					keys = append(keys, k)
				}
			}
			q.hashes = append(q.hashes, keys)
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(ast)
	return q, nil
}

// Apply runs the query on a deep copy of data (JMESPath's sort_by sorts in place).
func (q *Query) Apply(data any) (res any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &QueryError{Expr: q.expr, Err: fmt.Errorf("%v", p)}
		}
	}()
	out, err := q.jp.Search(deepCopy(data))
	if err != nil {
		msg := err.Error()
		msg = strings.TrimPrefix(msg, "SyntaxError: ")
		return nil, &QueryError{Expr: q.expr, Err: fmt.Errorf("%s", msg)}
	}
	return q.order(out), nil
}

// order turns dicts produced by a multi-select hash back into ordered dicts.
func (q *Query) order(v any) any {
	switch x := v.(type) {
	case []any:
		for i := range x {
			x[i] = q.order(x[i])
		}
		return x
	case map[string]any:
		for k, e := range x {
			x[k] = q.order(e)
		}
		for _, keys := range q.hashes {
			if sameKeys(keys, x) {
				return &OrderedMap{Keys: keys, Values: x}
			}
		}
		return x
	}
	return v
}

func sameKeys(keys []string, m map[string]any) bool {
	if len(keys) != len(m) {
		return false
	}
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			return false
		}
	}
	return true
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case []any:
		c := make([]any, len(x))
		for i, e := range x {
			c[i] = deepCopy(e)
		}
		return c
	case map[string]any:
		c := make(map[string]any, len(x))
		for k, e := range x {
			c[k] = deepCopy(e)
		}
		return c
	case *OrderedMap:
		c := make(map[string]any, len(x.Values))
		for k, e := range x.Values {
			c[k] = deepCopy(e)
		}
		return c
	}
	return v
}

// Plain converts ordered maps to plain maps (for callers that re-query or compare).
func Plain(v any) any { return deepCopy(v) }
