// Package template is aci local's ARM template engine: the expression
// language (parsed into an AST by a small recursive-descent parser, not by
// regular expressions), ARM's template functions, and the evaluation of a
// template's parameters, variables, copy loops, conditions, resources (in
// dependency order) and outputs. The deployments provider drives it; it knows
// nothing of HTTP.
package template

import (
	"fmt"
	"strconv"
	"strings"
)

// Node is an expression's AST node.
type Node interface{ pos() int }

// Lit is a string or integer literal.
type Lit struct {
	Value any // string or int64
	At    int
}

// Call is a function call, name(args...).
type Call struct {
	Name string
	Args []Node
	At   int
}

// Member is x.name.
type Member struct {
	X    Node
	Name string
	At   int
}

// Index is x[i].
type Index struct {
	X, I Node
	At   int
}

func (n *Lit) pos() int    { return n.At }
func (n *Call) pos() int   { return n.At }
func (n *Member) pos() int { return n.At }
func (n *Index) pos() int  { return n.At }

// Error is a template error in ARM's terms: a code and a message.
type Error struct {
	Code, Message string
}

func (e *Error) Error() string { return e.Message }

func invalidTemplate(format string, a ...any) *Error {
	return &Error{Code: "InvalidTemplate", Message: fmt.Sprintf(format, a...)}
}

// IsExpression reports whether a template string is an expression: "[...]",
// but not "[[...", which is a literal starting with "[".
func IsExpression(s string) bool {
	return len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' && !strings.HasPrefix(s, "[[")
}

// Unescape is a literal template string: a leading "[[" stands for "[".
func Unescape(s string) string {
	if strings.HasPrefix(s, "[[") {
		return s[1:]
	}
	return s
}

type parser struct {
	src string
	i   int
}

// Parse parses the inside of an expression string (without its brackets);
// errors name the position, counted from the opening bracket as ARM does.
func Parse(src string) (Node, error) {
	p := &parser{src: src}
	p.space()
	n, err := p.expr()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.src) {
		return nil, p.fail("unexpected '%c'", p.src[p.i])
	}
	return n, nil
}

func (p *parser) fail(format string, a ...any) error {
	return invalidTemplate("Unable to parse language expression '%s': %s at position %d. Please see https://aka.ms/arm-template-expressions for usage details.",
		p.src, fmt.Sprintf(format, a...), p.i+1)
}

func (p *parser) space() {
	for p.i < len(p.src) && (p.src[p.i] == ' ' || p.src[p.i] == '\t' || p.src[p.i] == '\n' || p.src[p.i] == '\r') {
		p.i++
	}
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isIdent(c byte) bool      { return isIdentStart(c) || c >= '0' && c <= '9' || c == '.' }

func (p *parser) expr() (Node, error) {
	n, err := p.primary()
	if err != nil {
		return nil, err
	}
	for {
		p.space()
		if p.i >= len(p.src) {
			return n, nil
		}
		switch p.src[p.i] {
		case '.':
			at := p.i
			p.i++
			p.space()
			start := p.i
			for p.i < len(p.src) && (isIdentStart(p.src[p.i]) || p.src[p.i] >= '0' && p.src[p.i] <= '9' || p.src[p.i] == '$') {
				p.i++
			}
			if start == p.i {
				return nil, p.fail("expected a property name after '.'")
			}
			n = &Member{X: n, Name: p.src[start:p.i], At: at}
		case '[':
			at := p.i
			p.i++
			p.space()
			idx, err := p.expr()
			if err != nil {
				return nil, err
			}
			p.space()
			if p.i >= len(p.src) || p.src[p.i] != ']' {
				return nil, p.fail("expected ']'")
			}
			p.i++
			n = &Index{X: n, I: idx, At: at}
		default:
			return n, nil
		}
	}
}

func (p *parser) primary() (Node, error) {
	p.space()
	if p.i >= len(p.src) {
		return nil, p.fail("expected an expression but found the end of the expression")
	}
	at := p.i
	c := p.src[p.i]
	switch {
	case c == '\'':
		p.i++
		var b strings.Builder
		for {
			if p.i >= len(p.src) {
				p.i = at
				return nil, p.fail("the string literal is not terminated")
			}
			if p.src[p.i] == '\'' {
				if p.i+1 < len(p.src) && p.src[p.i+1] == '\'' {
					b.WriteByte('\'')
					p.i += 2
					continue
				}
				p.i++
				return &Lit{Value: b.String(), At: at}, nil
			}
			b.WriteByte(p.src[p.i])
			p.i++
		}
	case c == '-' || c >= '0' && c <= '9':
		p.i++
		for p.i < len(p.src) && p.src[p.i] >= '0' && p.src[p.i] <= '9' {
			p.i++
		}
		n, err := strconv.ParseInt(p.src[at:p.i], 10, 64)
		if err != nil {
			p.i = at
			return nil, p.fail("'%s' is not a valid integer", p.src[at:p.i])
		}
		return &Lit{Value: n, At: at}, nil
	case isIdentStart(c):
		for p.i < len(p.src) && isIdent(p.src[p.i]) {
			p.i++
		}
		name := p.src[at:p.i]
		p.space()
		if p.i >= len(p.src) || p.src[p.i] != '(' {
			return nil, p.fail("expected '(' after the function name '%s'", name)
		}
		p.i++
		call := &Call{Name: name, At: at}
		p.space()
		if p.i < len(p.src) && p.src[p.i] == ')' {
			p.i++
			return call, nil
		}
		for {
			arg, err := p.expr()
			if err != nil {
				return nil, err
			}
			call.Args = append(call.Args, arg)
			p.space()
			if p.i >= len(p.src) {
				return nil, p.fail("expected ')' or ',' but found the end of the expression")
			}
			if p.src[p.i] == ',' {
				p.i++
				continue
			}
			if p.src[p.i] == ')' {
				p.i++
				return call, nil
			}
			return nil, p.fail("expected ')' or ',' but found '%c'", p.src[p.i])
		}
	}
	return nil, p.fail("unexpected '%c'", c)
}

// Walk calls f for n and every node below it.
func Walk(n Node, f func(Node)) {
	f(n)
	switch x := n.(type) {
	case *Call:
		for _, a := range x.Args {
			Walk(a, f)
		}
	case *Member:
		Walk(x.X, f)
	case *Index:
		Walk(x.X, f)
		Walk(x.I, f)
	}
}
