package output

import (
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

// The emitter below follows PyYAML's safe_dump(default_flow_style=False,
// allow_unicode=True): sorted keys, block style, indentless sequences inside
// mappings, plain scalars unless they would read back as another type, single
// quotes otherwise, and folding of long plain lines at the first space past column 80.

const yamlWidth = 80

var (
	reYAMLBool  = lazyRegexp(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`)
	reYAMLFloat = lazyRegexp(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)
	reYAMLInt   = lazyRegexp(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`)
	reYAMLNull  = lazyRegexp(`^(?:~|null|Null|NULL|)$`)
	reYAMLTime  = lazyRegexp(`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`)
)

type yamlWriter struct {
	r   *renderer
	b   strings.Builder
	col int
}

func (w *yamlWriter) write(s string) {
	w.b.WriteString(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		w.col = utf8.RuneCountInString(s[i+1:])
	} else {
		w.col += utf8.RuneCountInString(s)
	}
}

func (w *yamlWriter) newline(ind int) {
	w.write("\n" + strings.Repeat(" ", ind))
}

func isCollection(v any) bool {
	switch x := v.(type) {
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	case *OrderedMap:
		return len(x.Keys) > 0
	}
	return false
}

func (r *renderer) writeYAML(out *strings.Builder, v any) {
	w := &yamlWriter{r: r}
	if !isCollection(v) {
		plain := w.scalar("", v, 2, false)
		w.write("\n")
		if plain {
			w.write("...\n")
		}
		out.WriteString(w.b.String())
		return
	}
	w.node("", v, 0, false)
	w.write("\n")
	if r.color {
		out.WriteString(colorYAML(w.b.String()))
		return
	}
	out.WriteString(w.b.String())
}

// colorYAML paints block YAML as az's yamlc does: keys, strings and other
// scalars in pygments' colours. It works on the finished text, so folding
// (which counts columns) never sees the escape codes.
func colorYAML(s string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(s, "\n") {
		body := strings.TrimSuffix(line, "\n")
		rest := strings.TrimLeft(body, " ")
		b.WriteString(body[:len(body)-len(rest)])
		for strings.HasPrefix(rest, "- ") {
			b.WriteString("- ")
			rest = rest[2:]
		}
		if k, v, ok := yamlKey(rest); ok {
			b.WriteString(cKey.Sprint(k))
			b.WriteString(":")
			rest = v
			if strings.HasPrefix(rest, " ") {
				b.WriteString(" ")
				rest = rest[1:]
			}
		}
		if rest != "" {
			if reYAMLNull().MatchString(rest) || reYAMLBool().MatchString(rest) || reYAMLInt().MatchString(rest) || reYAMLFloat().MatchString(rest) || rest == "[]" || rest == "{}" {
				b.WriteString(cLit.Sprint(rest))
			} else {
				b.WriteString(cStr.Sprint(rest))
			}
		}
		if strings.HasSuffix(line, "\n") {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// yamlKey splits "key: value" (a plain or quoted key) from a line.
func yamlKey(s string) (key, rest string, ok bool) {
	if s == "" {
		return "", "", false
	}
	if q := s[0]; q == '\'' || q == '"' {
		for i := 1; i < len(s); i++ {
			if s[i] == q && (q == '"' && s[i-1] != '\\' || q == '\'' && !(i+1 < len(s) && s[i+1] == '\'')) {
				if i+1 < len(s) && s[i+1] == ':' {
					return s[:i+1], s[i+2:], true
				}
				return "", "", false
			}
			if q == '\'' && s[i] == '\'' {
				i++
			}
		}
		return "", "", false
	}
	for i := 0; i < len(s); i++ {
		if s[i] == ':' && (i+1 == len(s) || s[i+1] == ' ') {
			return s[:i], s[i+1:], true
		}
	}
	return "", "", false
}

// node writes a collection whose first line starts at the current position; ind is
// the indentation of its entries.
func (w *yamlWriter) node(key string, v any, ind int, first bool) {
	switch x := v.(type) {
	case []any:
		for i, e := range x {
			if i > 0 || first {
				w.newline(ind)
			}
			w.write("- ")
			if isCollection(e) {
				w.node(key, e, ind+2, false)
			} else {
				w.scalar(key, e, ind+2, false)
			}
		}
	default:
		ks, vals, _ := sortedKeys(v)
		for i, k := range ks {
			if i > 0 || first {
				w.newline(ind)
			}
			w.scalar("", k, ind+2, true)
			w.write(":")
			val := vals[k]
			switch {
			case !isCollection(val):
				w.write(" ")
				w.scalar(k, val, ind+2, false)
			case isList(val):
				w.node(k, val, ind, true)
			default:
				w.node(k, val, ind+2, true)
			}
		}
	}
}

func isList(v any) bool { _, ok := v.([]any); return ok }

// scalar writes one scalar and reports whether it was written in plain style.
func (w *yamlWriter) scalar(key string, v any, ind int, isKey bool) bool {
	switch x := v.(type) {
	case nil:
		w.write("null")
	case bool:
		if x {
			w.write("true")
		} else {
			w.write("false")
		}
	case float64, pyFloatVal:
		var s string
		if f, ok := x.(pyFloatVal); ok {
			s = pyFloat(float64(f))
		} else {
			s = w.r.number(key, x.(float64))
		}
		switch s {
		case "inf":
			s = ".inf"
		case "-inf":
			s = "-.inf"
		case "nan":
			s = ".nan"
		}
		if strings.Contains(s, "e") && !strings.Contains(s, ".") {
			s = strings.Replace(s, "e", ".0e", 1)
		}
		w.write(s)
	case []any:
		w.write("[]")
	case map[string]any, *OrderedMap:
		w.write("{}")
	case string:
		return w.str(x, ind, isKey)
	default:
		w.write(w.r.scalarString(key, v))
	}
	return true
}

func (w *yamlWriter) str(s string, ind int, isKey bool) bool {
	style := yamlStyle(s, isKey)
	switch style {
	case '\'':
		w.write("'")
		w.folded(strings.ReplaceAll(s, "'", "''"), ind, !isKey)
		w.write("'")
		return false
	case '"':
		w.write(yamlDoubleQuote(s))
		return false
	}
	w.folded(s, ind, !isKey)
	return true
}

// folded writes s, turning a single space into a line break once the line is past
// the width, as PyYAML's write_plain and write_single_quoted do.
func (w *yamlWriter) folded(s string, ind int, split bool) {
	if !split {
		w.write(s)
		return
	}
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' {
			continue
		}
		single := (i == 0 || s[i-1] != ' ') && (i+1 >= len(s) || s[i+1] != ' ')
		if !single || i+1 >= len(s) {
			continue
		}
		w.write(s[start:i])
		start = i + 1
		if w.col > yamlWidth {
			w.newline(ind)
		} else {
			w.write(" ")
		}
	}
	w.write(s[start:])
}

func yamlStyle(s string, isKey bool) byte {
	if s == "" {
		return '\''
	}
	if reYAMLBool().MatchString(s) || reYAMLFloat().MatchString(s) || reYAMLInt().MatchString(s) ||
		reYAMLNull().MatchString(s) || reYAMLTime().MatchString(s) || s == "<<" || s == "=" {
		return '\''
	}
	plain := !strings.HasPrefix(s, "---") && !strings.HasPrefix(s, "...") && s[0] != ' ' && s[len(s)-1] != ' '
	runes := []rune(s)
	for i, c := range runes {
		if c == '\n' || !yamlPrintable(c) {
			return '"'
		}
		if plain && !plainAt(runes, i) {
			plain = false
		}
	}
	if plain {
		return 0
	}
	return '\''
}

// plainAt says whether the rune at i may stand in a plain scalar, as
// PyYAML's emitter decides: no indicator where it would start something.
func plainAt(runes []rune, i int) bool {
	c := runes[i]
	space := func(j int) bool {
		return j < 0 || j >= len(runes) || runes[j] == ' ' || runes[j] == '\t' || runes[j] == '\n'
	}
	if i == 0 {
		if strings.ContainsRune("#,[]{}&*!|>'\"%@`", c) {
			return false
		}
		return !((c == '?' || c == ':' || c == '-') && space(1))
	}
	return !(c == ':' && space(i+1)) && !(c == '#' && space(i-1))
}

func yamlPrintable(c rune) bool {
	return c == '\t' || (c >= 0x20 && c <= 0x7e) || c == 0x85 || (c >= 0xa0 && c <= 0xd7ff) ||
		(c >= 0xe000 && c <= 0xfffd && c != 0xfeff) || (c >= 0x10000 && c <= 0x10ffff)
}

func yamlDoubleQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range s {
		switch {
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\r':
			b.WriteString(`\r`)
		case !yamlPrintable(c):
			if c <= 0xff {
				b.WriteString(`\x`)
				b.WriteString(strings.ToUpper(hex2(int(c))))
			} else {
				b.WriteString(`\u`)
				b.WriteString(strings.ToUpper(hex4(int(c))))
			}
		default:
			b.WriteRune(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func hex2(n int) string { const h = "0123456789abcdef"; return string([]byte{h[n>>4&15], h[n&15]}) }
func hex4(n int) string { return hex2(n>>8) + hex2(n&0xff) }

// lazyRegexp compiles expr on first use: package-level regexps compile in
// init, on every command's start-up, whether or not the command needs them.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
