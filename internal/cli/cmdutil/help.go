package cmdutil

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"
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

// Usage renders a command's help as az (knack) lays it out, wrapped to the
// terminal: "Command" or "Group" with the summary, subgroups and commands,
// the arguments ([Required] first) and each argument group, the global
// arguments, then described examples. Names sit in one column across every
// group, the text after " : " wraps under itself.
func Usage(c *cobra.Command) string {
	width := helpWidth(c)
	var b strings.Builder
	kind := "Command"
	if c.HasAvailableSubCommands() {
		kind = "Group"
	}
	fmt.Fprintf(&b, "\n%s\n", kind)
	writeHanging(&b, "    "+c.CommandPath()+" : ", c.Short, width)
	if long := strings.TrimSpace(c.Long); long != "" && long != c.Short {
		for _, para := range strings.Split(long, "\n\n") {
			writeWrapped(&b, "        ", strings.Join(strings.Fields(para), " "), width)
		}
	}
	if c.HasAvailableSubCommands() {
		// A group's help lists what is in it; its arguments are its commands'.
		writeCommands(&b, c, width)
		b.WriteString("\n")
		return b.String()
	}
	groups, order := argGroups(c)
	names := 0
	for _, fs := range groups {
		for _, fl := range fs {
			names = max(names, len(flagName(fl)))
		}
	}
	for _, g := range order {
		fmt.Fprintf(&b, "\n%s\n", g)
		for _, fl := range groups[g] {
			writeHanging(&b, "    "+pad(flagName(fl), names)+" : ", flagText(fl), width)
		}
	}
	if ex := examples(c.Example); len(ex) > 0 {
		b.WriteString("\nExamples\n")
		for _, e := range ex {
			if e[0] != "" {
				writeWrapped(&b, "    ", e[0], width)
			}
			fmt.Fprintf(&b, "        %s\n\n", e[1])
		}
	}
	if !strings.HasSuffix(b.String(), "\n\n") {
		b.WriteString("\n")
	}
	return b.String()
}

// helpWidth is the terminal's width (COLUMNS where set), else 80; knack
// wraps at the width less one.
func helpWidth(c *cobra.Command) int {
	if v, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && v > 20 {
		return v - 1
	}
	if f, ok := c.OutOrStdout().(*os.File); ok {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 20 {
			return w - 1
		}
	}
	return 79
}

func pad(s string, n int) string { return s + strings.Repeat(" ", max(0, n-len(s))) }

// writeHanging writes head then text wrapped to width, continuation lines
// indented under the text's start.
func writeHanging(b *strings.Builder, head, text string, width int) {
	indent := strings.Repeat(" ", len(head))
	lines := wrap(text, max(20, width-len(head)))
	if len(lines) == 0 {
		lines = []string{""}
	}
	b.WriteString(strings.TrimRight(head+lines[0], " ") + "\n")
	for _, l := range lines[1:] {
		b.WriteString(indent + l + "\n")
	}
}

func writeWrapped(b *strings.Builder, indent, text string, width int) {
	for _, l := range wrap(text, max(20, width-len(indent))) {
		b.WriteString(indent + l + "\n")
	}
}

// wrap breaks text into lines of at most width runes at spaces, never
// inside a word (a word longer than the line stands alone). Spaces between
// words on a line are kept as written, as Python's textwrap keeps them
// (knack's "sentence.  Default: x." has two).
func wrap(text string, width int) []string {
	var lines []string
	var cur strings.Builder
	curLen := 0
	for _, t := range splitWords(text) {
		n := utf8.RuneCountInString(t.word)
		if curLen > 0 && curLen+len(t.sep)+n > width {
			lines = append(lines, cur.String())
			cur.Reset()
			curLen = 0
		}
		if curLen > 0 {
			cur.WriteString(t.sep)
			curLen += len(t.sep)
		}
		cur.WriteString(t.word)
		curLen += n
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

type spacedWord struct{ sep, word string }

// splitWords is text's words, each with the spaces before it (a newline or
// tab counts as a space).
func splitWords(text string) []spacedWord {
	var out []spacedWord
	sep := ""
	for len(text) > 0 {
		i := strings.IndexFunc(text, func(r rune) bool { return r != ' ' && r != '\n' && r != '\t' && r != '\r' })
		if i < 0 {
			break
		}
		sep = strings.Repeat(" ", i)
		text = text[i:]
		j := strings.IndexAny(text, " \n\t\r")
		if j < 0 {
			j = len(text)
		}
		out = append(out, spacedWord{sep, text[:j]})
		text = text[j:]
	}
	return out
}

// writeCommands lists a group's subgroups and commands as az does.
func writeCommands(b *strings.Builder, c *cobra.Command, width int) {
	var groups, cmds []*cobra.Command
	n := 0
	for _, sc := range c.Commands() {
		if !sc.IsAvailableCommand() {
			continue
		}
		n = max(n, len(sc.Name()))
		if sc.HasAvailableSubCommands() {
			groups = append(groups, sc)
		} else {
			cmds = append(cmds, sc)
		}
	}
	for _, part := range []struct {
		title string
		list  []*cobra.Command
	}{{"Subgroups", groups}, {"Commands", cmds}} {
		if len(part.list) == 0 {
			continue
		}
		fmt.Fprintf(b, "\n%s:\n", part.title)
		for _, sc := range part.list {
			writeHanging(b, "    "+pad(sc.Name(), n)+" : ", sc.Short, width)
		}
	}
}

// argGroups files the command's flags: "Arguments" first, then the named
// groups alphabetically, then "Global Arguments" (the inherited flags and
// --help); [Required] flags lead their group.
func argGroups(c *cobra.Command) (map[string][]*pflag.Flag, []string) {
	groups := map[string][]*pflag.Flag{}
	var order []string
	add := func(g string, fl *pflag.Flag) {
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], fl)
	}
	c.LocalFlags().VisitAll(func(fl *pflag.Flag) {
		if fl.Hidden || fl.Name == "help" {
			return
		}
		g := "Arguments"
		if a := fl.Annotations[groupAnnotation]; len(a) > 0 {
			g = a[0] + " Arguments"
		}
		add(g, fl)
	})
	c.InheritedFlags().VisitAll(func(fl *pflag.Flag) {
		if !fl.Hidden {
			add("Global Arguments", fl)
		}
	})
	if h := c.Flags().Lookup("help"); h != nil {
		add("Global Arguments", h)
	}
	rank := func(g string) int {
		switch g {
		case "Arguments":
			return 0
		case "Global Arguments":
			return 2
		}
		return 1
	}
	sort.SliceStable(order, func(i, j int) bool {
		if rank(order[i]) != rank(order[j]) {
			return rank(order[i]) < rank(order[j])
		}
		return order[i] < order[j]
	})
	for _, g := range order {
		fs := groups[g]
		sort.SliceStable(fs, func(i, j int) bool {
			ri, rj := fs[i].Annotations[requiredAnnotation] != nil, fs[j].Annotations[requiredAnnotation] != nil
			if ri != rj {
				return ri
			}
			return fs[i].Name < fs[j].Name
		})
	}
	return groups, order
}

// flagName is az's name column: "--name -n [Required]".
func flagName(fl *pflag.Flag) string {
	n := "--" + fl.Name
	if fl.Shorthand != "" {
		n += " -" + fl.Shorthand
	}
	if fl.Annotations[requiredAnnotation] != nil {
		n += " [Required]"
	}
	return n
}

// flagText is the help text with az's "Default: x." where the default is
// worth saying.
func flagText(fl *pflag.Flag) string {
	text := strings.TrimSpace(fl.Usage)
	if fl.Name == "help" {
		return "Show this help message and exit."
	}
	switch d := fl.DefValue; {
	case d == "" || d == "false" || d == "[]" || d == "0" || (d == "true" && fl.Value.Type() == "bool"):
	default:
		d = strings.Trim(d, "[]")
		if !strings.HasSuffix(text, ".") {
			text += "."
		}
		text += "  Default: " + d + "."
	}
	return text
}

// examples reads a command's Example text into (description, command line)
// pairs: a "# ..." line describes the command line after it.
func examples(text string) [][2]string {
	var out [][2]string
	desc := ""
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "":
		case strings.HasPrefix(l, "#"):
			d := strings.TrimSpace(strings.TrimLeft(l, "#"))
			if desc != "" {
				desc += " "
			}
			desc += d
		default:
			out = append(out, [2]string{desc, l})
			desc = ""
		}
	}
	return out
}
