package cmdutil

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

const (
	groupAnnotation    = "aci_arg_group"
	requiredAnnotation = "aci_required"
)

// ArgGroup files flags under a heading in help, as az groups its arguments
// ("Azure File Volume Arguments", "Network Arguments", ...).
func ArgGroup(cmd *cobra.Command, group string, names ...string) {
	for _, n := range names {
		_ = cmd.Flags().SetAnnotation(n, groupAnnotation, []string{group})
	}
}

// Required marks flags [Required] in help. The command still checks them
// itself, to answer with az's own wording.
func Required(cmd *cobra.Command, names ...string) {
	for _, n := range names {
		_ = cmd.Flags().SetAnnotation(n, requiredAnnotation, []string{"true"})
	}
}

// Usage renders a command's help as az lays it out: its arguments
// ([Required] first), then each argument group, then the global arguments,
// then described examples ("# what it does" above each command line).
func Usage(c *cobra.Command) string {
	var b strings.Builder
	b.WriteString("Usage:\n")
	if c.Runnable() {
		fmt.Fprintf(&b, "  %s\n", c.UseLine())
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(&b, "  %s [command]\n", c.CommandPath())
	}
	if len(c.Aliases) > 0 {
		fmt.Fprintf(&b, "\nAliases:\n  %s\n", c.NameAndAliases())
	}
	if c.HasAvailableSubCommands() {
		b.WriteString("\nAvailable Commands:\n")
		width := 0
		for _, sc := range c.Commands() {
			if sc.IsAvailableCommand() || sc.Name() == "help" {
				width = max(width, len(sc.Name()))
			}
		}
		for _, sc := range c.Commands() {
			if sc.IsAvailableCommand() {
				fmt.Fprintf(&b, "  %-*s  %s\n", width, sc.Name(), sc.Short)
			}
		}
	}
	groups := map[string]*pflag.FlagSet{}
	var order []string
	c.LocalFlags().VisitAll(func(fl *pflag.Flag) {
		if fl.Hidden {
			return
		}
		g := "Arguments"
		if a := fl.Annotations[groupAnnotation]; len(a) > 0 {
			g = a[0] + " Arguments"
		}
		if groups[g] == nil {
			groups[g] = pflag.NewFlagSet(g, pflag.ContinueOnError)
			order = append(order, g)
		}
		cp := *fl
		if fl.Annotations[requiredAnnotation] != nil {
			cp.Usage = "[Required] " + fl.Usage
		}
		groups[g].AddFlag(&cp)
	})
	sort.SliceStable(order, func(i, j int) bool {
		if (order[i] == "Arguments") != (order[j] == "Arguments") {
			return order[i] == "Arguments"
		}
		return order[i] < order[j]
	})
	for _, g := range order {
		fs := groups[g]
		// [Required] arguments lead their group, as in az's help.
		var req, rest []*pflag.Flag
		fs.VisitAll(func(fl *pflag.Flag) {
			if strings.HasPrefix(fl.Usage, "[Required] ") {
				req = append(req, fl)
			} else {
				rest = append(rest, fl)
			}
		})
		ordered := pflag.NewFlagSet(g, pflag.ContinueOnError)
		ordered.SortFlags = false
		for _, fl := range append(req, rest...) {
			ordered.AddFlag(fl)
		}
		fmt.Fprintf(&b, "\n%s:\n%s", g, ordered.FlagUsages())
	}
	if c.HasAvailableInheritedFlags() {
		fmt.Fprintf(&b, "\nGlobal Arguments:\n%s", c.InheritedFlags().FlagUsages())
	}
	if c.Example != "" {
		fmt.Fprintf(&b, "\nExamples:\n%s\n", c.Example)
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(&b, "\nUse \"%s [command] --help\" for more information about a command.\n", c.CommandPath())
	}
	return b.String()
}
