package cmdutil

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

const (
	nargsAnnotation    = "aci_nargs"
	optionalAnnotation = "aci_optional_value"
)

// OptionalValue makes a flag take its value optionally, like argparse's
// nargs='?': `--flag` alone means def, and `--flag VALUE` (not only
// `--flag=VALUE`, all pflag knows) gives VALUE.
func OptionalValue(cmd *cobra.Command, name, def string) {
	fl := cmd.Flags().Lookup(name)
	fl.NoOptDefVal = def
	_ = cmd.Flags().SetAnnotation(name, optionalAnnotation, []string{"true"})
}

// NArgs marks a string-slice flag as taking several space-separated values, like
// argparse's nargs='+' (`--tags a=b c`), which pflag cannot parse by itself.
func NArgs(cmd *cobra.Command, name string) {
	_ = cmd.Flags().SetAnnotation(name, nargsAnnotation, []string{"true"})
}

// ExpandNArgs rewrites `--flag v1 v2` into `--flag=v1 --flag=v2` for the flags
// marked with NArgs on the command that args select.
func ExpandNArgs(root *cobra.Command, args []string) []string {
	cmd, _, err := root.Find(args)
	if err != nil || cmd == nil {
		return args
	}
	isNArgs := func(tok string) (string, bool) {
		var fl *pflag.Flag
		switch {
		case strings.HasPrefix(tok, "--") && !strings.Contains(tok, "="):
			fl = cmd.Flags().Lookup(tok[2:])
		case strings.HasPrefix(tok, "-") && len(tok) == 2:
			fl = cmd.Flags().ShorthandLookup(tok[1:])
		}
		if fl == nil || fl.Annotations[nargsAnnotation] == nil {
			return "", false
		}
		return fl.Name, true
	}
	var out []string
	for i := 0; i < len(args); i++ {
		tok := abbrev(cmd, args[i])
		if tok == "--" {
			out = append(out, args[i:]...)
			break
		}
		if name, ok := isOptional(cmd, tok); ok {
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
				out = append(out, "--"+name+"="+args[i])
			} else {
				out = append(out, tok)
			}
			continue
		}
		name, ok := isNArgs(tok)
		if !ok {
			out = append(out, tok)
			continue
		}
		n := 0
		for i+1 < len(args) && (!strings.HasPrefix(args[i+1], "-") || args[i+1] == "-" || isNegativeNumber(args[i+1])) {
			i++
			out = append(out, "--"+name+"="+args[i])
			n++
		}
		if n == 0 {
			out = append(out, tok) // let pflag report the missing value
		}
	}
	return out
}

// isOptional reports whether tok is a bare OptionalValue flag of cmd.
func isOptional(cmd *cobra.Command, tok string) (string, bool) {
	var fl *pflag.Flag
	switch {
	case strings.HasPrefix(tok, "--") && !strings.Contains(tok, "="):
		fl = cmd.Flags().Lookup(tok[2:])
	case strings.HasPrefix(tok, "-") && len(tok) == 2:
		fl = cmd.Flags().ShorthandLookup(tok[1:])
	}
	if fl == nil || fl.Annotations[optionalAnnotation] == nil {
		return "", false
	}
	return fl.Name, true
}

// abbrev expands a unique prefix of a long option to the option (argparse's
// allow_abbrev), e.g. `--tag` for `--tags` where no `--tag` exists.
func abbrev(cmd *cobra.Command, tok string) string {
	if !strings.HasPrefix(tok, "--") || len(tok) < 4 {
		return tok
	}
	name, val, hasVal := strings.Cut(tok[2:], "=")
	if cmd.Flags().Lookup(name) != nil {
		return tok
	}
	var match string
	n := 0
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if strings.HasPrefix(f.Name, name) {
			match = f.Name
			n++
		}
	})
	if n != 1 {
		return tok
	}
	if hasVal {
		return "--" + match + "=" + val
	}
	return "--" + match
}

func isNegativeNumber(s string) bool {
	if len(s) < 2 || s[0] != '-' {
		return false
	}
	for _, c := range s[1:] {
		if (c < '0' || c > '9') && c != '.' {
			return false
		}
	}
	return true
}

// Missing collects required arguments that were not given.
type Missing []string

// Need records name (as az prints it, e.g. "--location/-l") if value is empty.
func (m *Missing) Need(name, value string) {
	if value == "" {
		*m = append(*m, name)
	}
}

// Err is az's argparse error for missing arguments.
func (m Missing) Err() error {
	if len(m) == 0 {
		return nil
	}
	return UsageError("the following arguments are required: %s", strings.Join(m, ", "))
}

// Choice validates a value against allowed values, with az's message.
func Choice(cmd *cobra.Command, flag, value string, allowed ...string) (string, error) {
	for _, a := range allowed {
		if strings.EqualFold(a, value) {
			return a, nil
		}
	}
	return "", UsageError("%s: '%s' is not a valid value for '%s'. Allowed values: %s.", cmd.CommandPath(), value, flag, strings.Join(allowed, ", "))
}

// ParseTags parses az's `key[=value]` list; a single ” clears all tags.
func ParseTags(items []string) map[string]*string {
	tags := map[string]*string{}
	for _, it := range items {
		if it == "" || it == "''" || it == `""` {
			continue
		}
		k, v, _ := strings.Cut(it, "=")
		val := v
		tags[k] = &val
	}
	return tags
}

// GroupCommand makes a command group behave as az's: help without arguments, the
// misspelling error (exit 2) with a suggestion for an unknown subcommand.
func GroupCommand(cmd *cobra.Command) *cobra.Command {
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return c.Help()
		}
		return UnknownCommand(c, args[0])
	}
	return cmd
}

// UnknownCommand is az's error for a misspelled subcommand.
func UnknownCommand(c *cobra.Command, name string) error {
	e := &ExitError{Code: 2, Err: fmt.Errorf("'%s' is misspelled or not recognized by the system.", name)}
	var names []string
	for _, sc := range c.Commands() {
		if sc.IsAvailableCommand() {
			names = append(names, sc.Name())
		}
	}
	if s := closest(name, names); s != "" {
		e.Hints = append(e.Hints, fmt.Sprintf("Did you mean '%s' ?", s))
	}
	return e
}

// FlagError turns pflag's errors into az's "unrecognized arguments" with a hint.
func FlagError(c *cobra.Command, err error) error {
	msg := err.Error()
	var bad string
	switch {
	case strings.HasPrefix(msg, "unknown flag: "):
		bad = strings.TrimPrefix(msg, "unknown flag: ")
	case strings.HasPrefix(msg, "unknown shorthand flag: "):
		// unknown shorthand flag: 'x' in -x
		if i := strings.LastIndex(msg, " in "); i >= 0 {
			bad = msg[i+4:]
		}
	}
	if bad == "" {
		return UsageError("%s", argparseWording(c, msg))
	}
	e := &ExitError{Code: 2, Err: fmt.Errorf("unrecognized arguments: %s", bad)}
	var names []string
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, "--"+f.Name)
		}
	})
	if s := closest(bad, names); s != "" {
		e.Hints = append(e.Hints, fmt.Sprintf("Did you mean '%s' ?", s))
	}
	return e
}

// closest returns the candidate nearest to s by edit distance, if near enough.
func closest(s string, candidates []string) string {
	sort.Strings(candidates)
	best, bestD := "", 1<<30
	for _, c := range candidates {
		d := levenshtein(strings.ToLower(s), strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	if bestD <= len(s)/3 {
		return best
	}
	return ""
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}

var (
	invalidValueRE  = lazyRegexp(`^invalid argument "(.*)" for "(?:-\w, )?(--[\w-]+)" flag: (.*)$`)
	needsArgLongRE  = lazyRegexp(`^flag needs an argument: (--[\w-]+)$`)
	needsArgShortRE = lazyRegexp(`^flag needs an argument: '(\w)' in -\w$`)
)

// argparseWording says pflag's value errors as argparse does, without Go's
// strconv details: "argument --tail: invalid int value: 'abc'".
func argparseWording(c *cobra.Command, msg string) string {
	if m := invalidValueRE().FindStringSubmatch(msg); m != nil {
		kind := "value"
		switch {
		case strings.Contains(m[3], "ParseInt"), strings.Contains(m[3], "ParseUint"):
			kind = "int value"
		case strings.Contains(m[3], "ParseFloat"):
			kind = "float value"
		case strings.Contains(m[3], "ParseBool"):
			kind = "boolean value"
		case strings.Contains(m[3], "duration"), strings.Contains(m[3], "negative"):
			kind = "duration value (seconds, or a Go duration such as 90s or 5m)"
		}
		return fmt.Sprintf("argument %s: invalid %s: '%s'", m[2], kind, m[1])
	}
	if m := needsArgLongRE().FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("argument %s: expected one argument", argName(c, c.Flags().Lookup(strings.TrimPrefix(m[1], "--")), m[1]))
	}
	if m := needsArgShortRE().FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("argument %s: expected one argument", argName(c, c.Flags().ShorthandLookup(m[1]), "-"+m[1]))
	}
	return msg
}

func argName(c *cobra.Command, f *pflag.Flag, fallback string) string {
	if f == nil {
		return fallback
	}
	if f.Shorthand != "" {
		return "--" + f.Name + "/-" + f.Shorthand
	}
	return "--" + f.Name
}

// typedValue renames a flag's value type in help ("numbers", not float64Slice).
type typedValue struct {
	pflag.Value
	typ string
}

func (v typedValue) Type() string { return v.typ }

// Readable makes a flag's help read as people write: its value type named
// typ and its default shown as def (pflag prints [1.000000] and 1.25e-05).
func Readable(cmd *cobra.Command, name, typ, def string) {
	f := cmd.Flags().Lookup(name)
	if f == nil {
		return
	}
	if typ != "" {
		f.Value = typedValue{f.Value, typ}
	}
	f.DefValue = def
}

// Seconds is a duration flag that takes az's integer seconds ("90") or a Go
// duration ("90s", "5m"), so every wait command's --timeout and --interval
// read the same.
type Seconds time.Duration

func (s *Seconds) String() string { return time.Duration(*s).String() }
func (s *Seconds) Type() string   { return "seconds" }

func (s *Seconds) Set(v string) error {
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return fmt.Errorf("must not be negative")
		}
		*s = Seconds(time.Duration(n) * time.Second)
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return fmt.Errorf("invalid duration")
	}
	*s = Seconds(d)
	return nil
}

// D is the duration.
func (s Seconds) D() time.Duration { return time.Duration(s) }

// SecondsVar defines a Seconds flag with a default.
func SecondsVar(cmd *cobra.Command, p *Seconds, name string, def time.Duration, usage string) {
	*p = Seconds(def)
	cmd.Flags().Var(p, name, usage)
	cmd.Flags().Lookup(name).DefValue = strconv.Itoa(int(def / time.Second))
}

// lazyRegexp compiles expr on first use: package-level regexps compile in
// init, on every command's start-up, whether or not the command needs them.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
