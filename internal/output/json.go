package output

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/fatih/color"
)

// The colours of pygments' TerminalFormatter, which az's jsonc and yamlc
// use: keys bright blue, strings yellow, other literals blue. Forced on: the
// caller has already decided (terminals, core.no_color, NO_COLOR).
var (
	cKey = forced(color.FgHiBlue)
	cStr = forced(color.FgYellow)
	cLit = forced(color.FgBlue)
)

func forced(a color.Attribute) *color.Color {
	c := color.New(a)
	c.EnableColor()
	return c
}

// writeJSON writes v as Python's json.dumps(v, indent=2, sort_keys=True,
// ensure_ascii=False) does, followed by a newline.
func (r *renderer) writeJSON(b *strings.Builder, v any) {
	r.jsonValue(b, "", v, 0)
	b.WriteByte('\n')
}

func (r *renderer) paint(b *strings.Builder, colour *color.Color, s string) {
	if r.color {
		b.WriteString(colour.Sprint(s))
		return
	}
	b.WriteString(s)
}

func (r *renderer) jsonValue(b *strings.Builder, key string, v any, depth int) {
	switch x := v.(type) {
	case nil:
		r.paint(b, cLit, "null")
	case bool:
		if x {
			r.paint(b, cLit, "true")
		} else {
			r.paint(b, cLit, "false")
		}
	case string:
		if r.color {
			r.paint(b, cStr, pyQuote(x))
		} else {
			writeQuoted(b, x)
		}
	case float64:
		r.paint(b, cLit, r.number(key, x))
	case pyFloatVal:
		r.paint(b, cLit, pyFloat(float64(x)))
	case int:
		r.paint(b, cLit, fmt.Sprint(x))
	case int64:
		r.paint(b, cLit, fmt.Sprint(x))
	case []any:
		if len(x) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[\n")
		for i, e := range x {
			indent(b, depth+1)
			r.jsonValue(b, key, e, depth+1)
			if i < len(x)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		indent(b, depth)
		b.WriteByte(']')
	default:
		ks, vals, ok := sortedKeys(v)
		if !ok {
			r.paint(b, cStr, pyQuote(fmt.Sprint(v)))
			return
		}
		if len(ks) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{\n")
		for i, k := range ks {
			indent(b, depth+1)
			if r.color {
				r.paint(b, cKey, pyQuote(k))
			} else {
				writeQuoted(b, k)
			}
			b.WriteString(": ")
			r.jsonValue(b, k, vals[k], depth+1)
			if i < len(ks)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		indent(b, depth)
		b.WriteByte('}')
	}
}

func indent(b *strings.Builder, depth int) {
	for i := 0; i < depth; i++ {
		b.WriteString("  ")
	}
}

// writeQuoted writes pyQuote(s) into b; a string with nothing to escape
// (nearly every one) is copied as it is, without building another.
func writeQuoted(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			b.WriteString(pyQuote(s))
			return
		}
	}
	b.WriteByte('"')
	b.WriteString(s)
	b.WriteByte('"')
}

// pyQuote quotes s as Python's json module does with ensure_ascii=False.
func pyQuote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				b.WriteString(`\"`)
			case '\\':
				b.WriteString(`\\`)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			case '\b':
				b.WriteString(`\b`)
			case '\f':
				b.WriteString(`\f`)
			default:
				if c < 0x20 {
					fmt.Fprintf(&b, `\u%04x`, c)
				} else {
					b.WriteByte(c)
				}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString(`\ufffd`)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
	return b.String()
}
