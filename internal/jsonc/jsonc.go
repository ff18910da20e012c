// Package jsonc reads JSON with comments, as ARM accepts in templates and
// parameter files: comments become blanks (positions stay true), and a syntax
// error names its line and column.
package jsonc

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// strState follows JSON strings through a scan, escapes included.
type strState struct{ in, esc bool }

// step takes the next byte and reports whether it belongs to a string
// (its quotes included).
func (s *strState) step(c byte) bool {
	switch {
	case s.in && s.esc:
		s.esc = false
	case s.in && c == '\\':
		s.esc = true
	case s.in && c == '"':
		s.in = false
	case s.in:
	case c == '"':
		s.in = true
	default:
		return false
	}
	return true
}

// Strip removes // and /* */ comments outside strings (ARM accepts
// them in templates), keeping newlines so positions still point at the line.
func Strip(b []byte) []byte {
	var out bytes.Buffer
	var st strState
	for i := 0; i < len(b); i++ {
		c := b[i]
		if st.step(c) {
			out.WriteByte(c)
			continue
		}
		if c == '/' && i+1 < len(b) && b[i+1] == '/' {
			for i < len(b) && b[i] != '\n' {
				out.WriteByte(' ')
				i++
			}
			if i < len(b) {
				out.WriteByte('\n')
			}
			continue
		}
		if c == '/' && i+1 < len(b) && b[i+1] == '*' {
			out.WriteString("  ")
			i += 2
			for i < len(b) && !(b[i] == '*' && i+1 < len(b) && b[i+1] == '/') {
				if b[i] == '\n' {
					out.WriteByte('\n')
				} else {
					out.WriteByte(' ')
				}
				i++
			}
			i++
			out.WriteString("  ")
			continue
		}
		out.WriteByte(c)
	}
	return out.Bytes()
}

// Decode decodes JSON with comments (numbers as json.Number); an error says
// where, as "… at line L column C".
func Decode(b []byte) (any, error) {
	clean := Strip(b)
	dec := json.NewDecoder(bytes.NewReader(clean))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	if err == nil {
		if !dec.More() {
			return v, nil
		}
		err = fmt.Errorf("unexpected data after the JSON value")
	}
	off := int64(len(clean))
	if se, ok := err.(*json.SyntaxError); ok {
		off = se.Offset
	}
	line, col := 1, 1
	for i := int64(0); i < off && i < int64(len(clean)); i++ {
		if clean[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return nil, fmt.Errorf("%v at line %d column %d", err, line, col)
}

// Lenient rewrites what Newtonsoft's reader (ARM's) accepts and Go's does
// not: comments, and object keys without quotes. az 2.45 relies on both: it
// sends a deployment's template as `template:{...}`, the file's own text.
func Lenient(b []byte) []byte {
	b = Strip(b)
	var out bytes.Buffer
	var st strState
	expectKey := false
	// The open brackets: a comma separates object members when the
	// innermost is a brace (kept as we go: rescanning would be quadratic).
	var open []byte
	for i := 0; i < len(b); i++ {
		c := b[i]
		if st.step(c) {
			expectKey = false
			out.WriteByte(c)
			continue
		}
		switch {
		case c == '{' || c == '[':
			open = append(open, c)
		case (c == '}' || c == ']') && len(open) > 0:
			open = open[:len(open)-1]
		}
		switch {
		case c == '{' || c == ',':
			expectKey = c == '{' || expectKey || (len(open) > 0 && open[len(open)-1] == '{')
			out.WriteByte(c)
			continue
		case isSpace(c):
			out.WriteByte(c)
			continue
		}
		if expectKey && identStart(c) {
			if j := bareKey(b, i); j > i {
				out.WriteByte('"')
				out.Write(b[i:j])
				out.WriteByte('"')
				i = j - 1
				expectKey = false
				continue
			}
		}
		expectKey = false
		out.WriteByte(c)
	}
	return out.Bytes()
}

func identStart(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// bareKey is the end of an unquoted object key starting at i (an
// identifier followed by a colon), or i when there is none.
func bareKey(b []byte, i int) int {
	j := i
	for j < len(b) && (identStart(b[j]) || b[j] >= '0' && b[j] <= '9') {
		j++
	}
	k := j
	for k < len(b) && isSpace(b[k]) {
		k++
	}
	if k < len(b) && b[k] == ':' {
		return j
	}
	return i
}
