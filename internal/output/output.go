package output

import (
	"fmt"
	"io"
	"strings"
)

// Formats lists the values -o accepts, in az's order (used in its error message).
var Formats = []string{"json", "jsonc", "yaml", "yamlc", "table", "tsv", "none"}

// ValidFormat reports whether f is one of Formats.
func ValidFormat(f string) bool {
	for _, x := range Formats {
		if x == f {
			return true
		}
	}
	return false
}

// Options says how to print one result.
type Options struct {
	Format string
	Query  *Query
	// Table is the command's table transformer; it is skipped when a query is active,
	// as in az.
	Table func(any) (any, error)
	// FloatKeys names the keys whose numbers Python prints as floats.
	FloatKeys map[string]bool
	// Color enables jsonc/yamlc colours (only when stdout and stderr are terminals).
	Color bool
}

// TableUnavailable is az's message when a transformer cannot handle the result.
const TableUnavailable = "Table output unavailable. Use the --query option to specify an appropriate query. Use --debug for more info."

type renderer struct {
	floatKeys map[string]bool
	color     bool
}

// Render formats data and returns the text to print; "" means print nothing.
func Render(data any, o Options) (string, error) {
	var err error
	if o.Query != nil {
		if data, err = o.Query.Apply(data); err != nil {
			return "", err
		}
	}
	if data == nil {
		return "", nil
	}
	r := &renderer{floatKeys: o.FloatKeys}
	var b strings.Builder
	switch o.Format {
	case "", "json":
		r.writeJSON(&b, data)
	case "jsonc":
		r.color = o.Color
		r.writeJSON(&b, data)
	case "yaml", "yamlc":
		r.color = o.Color && o.Format == "yamlc"
		r.writeYAML(&b, data)
	case "table":
		sortKeys := o.Query == nil
		if o.Table != nil && o.Query == nil {
			var terr error
			func() {
				defer func() {
					if p := recover(); p != nil {
						terr = fmt.Errorf("%v", p)
					}
				}()
				data, terr = o.Table(data)
			}()
			if terr != nil {
				return "", fmt.Errorf("%s", TableUnavailable)
			}
			sortKeys = false
		}
		r.writeTable(&b, data, sortKeys)
	case "tsv":
		r.writeTSV(&b, data)
	case "none":
		return "", nil
	default:
		return "", fmt.Errorf("unknown output format %q", o.Format)
	}
	return b.String(), nil
}

// Print renders data to w.
func Print(w io.Writer, data any, o Options) error {
	s, err := Render(data, o)
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, s)
	return err
}
