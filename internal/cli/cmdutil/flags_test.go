package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/output"
	"github.com/spf13/cobra"
)

// testTree is `root group verb` with the flag shapes the commands use.
func testTree() (*cobra.Command, *cobra.Command, *[]string, *[]string) {
	root := &cobra.Command{Use: "aci"}
	group := GroupCommand(&cobra.Command{Use: "container"})
	var tags, cmdline []string
	verb := &cobra.Command{Use: "create", RunE: func(*cobra.Command, []string) error { return nil }}
	verb.Flags().StringSliceVar(&tags, "tags", nil, "")
	NArgs(verb, "tags")
	verb.Flags().StringSliceVar(&cmdline, "command-line", nil, "")
	NArgs(verb, "command-line")
	verb.Flags().StringP("name", "n", "", "")
	verb.Flags().String("ports", "", "")
	verb.Flags().String("port-mappings", "", "")
	verb.Flags().StringSliceP("env", "e", nil, "")
	NArgs(verb, "env")
	verb.Flags().Int("cpu", 1, "")
	verb.Flags().String("rollback-on-error", "", "")
	OptionalValue(verb, "rollback-on-error", " ")
	group.AddCommand(verb, &cobra.Command{Use: "delete", Run: func(*cobra.Command, []string) {}}, &cobra.Command{Use: "show", Run: func(*cobra.Command, []string) {}})
	root.AddCommand(group)
	return root, verb, &tags, &cmdline
}

func TestExpandNArgs(t *testing.T) {
	root, _, _, _ := testTree()
	for _, c := range []struct{ in, want []string }{
		// Values up to the next option become one flag each.
		{[]string{"container", "create", "--tags", "a=b", "c", "-n", "x"}, []string{"container", "create", "--tags=a=b", "--tags=c", "-n", "x"}},
		// Short forms, negative numbers and a lone "-" are values.
		{[]string{"container", "create", "-e", "A=1", "-5", "-", "--cpu", "2"}, []string{"container", "create", "--env=A=1", "--env=-5", "--env=-", "--cpu", "2"}},
		// A unique prefix is the option (argparse's allow_abbrev)...
		{[]string{"container", "create", "--tag", "k=v"}, []string{"container", "create", "--tags=k=v"}},
		{[]string{"container", "create", "--command", "sh", "-c"}, []string{"container", "create", "--command-line=sh", "-c"}},
		// ...an ambiguous one is left for pflag to refuse.
		{[]string{"container", "create", "--port", "80"}, []string{"container", "create", "--port", "80"}},
		{[]string{"container", "create", "--na=web"}, []string{"container", "create", "--name=web"}},
		// No value: pflag reports it; after "--" nothing is touched.
		{[]string{"container", "create", "--tags"}, []string{"container", "create", "--tags"}},
		{[]string{"container", "create", "--", "--tags", "a"}, []string{"container", "create", "--", "--tags", "a"}},
		// An optional value is taken when a value follows, not an option.
		{[]string{"container", "create", "--rollback-on-error", "good", "-n", "x"}, []string{"container", "create", "--rollback-on-error=good", "-n", "x"}},
		{[]string{"container", "create", "--rollback-on-error", "-n", "x"}, []string{"container", "create", "--rollback-on-error", "-n", "x"}},
		{[]string{"container", "create", "--rollback-on-error"}, []string{"container", "create", "--rollback-on-error"}},
		// An unknown command is left alone.
		{[]string{"nope", "--tags", "a"}, []string{"nope", "--tags", "a"}},
	} {
		if got := ExpandNArgs(root, c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("ExpandNArgs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if !isNegativeNumber("-1.5") || isNegativeNumber("-x") || isNegativeNumber("-") || isNegativeNumber("5") {
		t.Fatal("isNegativeNumber")
	}
}

func TestMissingChoiceAndTags(t *testing.T) {
	var m Missing
	m.Need("--name/-n", "set")
	if m.Err() != nil {
		t.Fatal("nothing missing")
	}
	m.Need("--resource-group/-g", "")
	m.Need("--image", "")
	err := m.Err()
	if ExitCode(err) != 2 || err.Error() != "the following arguments are required: --resource-group/-g, --image" {
		t.Fatalf("missing: %v", err)
	}
	_, verb, _, _ := testTree()
	if v, err := Choice(verb, "--os-type", "linux", "Linux", "Windows"); err != nil || v != "Linux" {
		t.Fatalf("a choice matches in any case and answers its spelling: %q %v", v, err)
	}
	_, err = Choice(verb, "--os-type", "mac", "Linux", "Windows")
	if ExitCode(err) != 2 || err.Error() != "aci container create: 'mac' is not a valid value for '--os-type'. Allowed values: Linux, Windows." {
		t.Fatalf("az's choice error: %v", err)
	}
	tags := ParseTags([]string{"a=1", "b", "c=x=y", "''"})
	got := map[string]string{}
	for k, v := range tags {
		got[k] = *v
	}
	if !reflect.DeepEqual(got, map[string]string{"a": "1", "b": "", "c": "x=y"}) {
		t.Fatalf("tags %v", got)
	}
	if len(ParseTags([]string{"''"})) != 0 || len(ParseTags([]string{`""`})) != 0 {
		t.Fatal("'' clears the tags")
	}
}

func TestGroupAndFlagErrors(t *testing.T) {
	root, verb, _, _ := testTree()
	root.SetArgs([]string{"container", "craete"})
	root.SilenceErrors, root.SilenceUsage = true, true
	err := root.Execute()
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 2 || err.Error() != "'craete' is misspelled or not recognized by the system." ||
		!reflect.DeepEqual(ee.Hints, []string{"Did you mean 'create' ?"}) {
		t.Fatalf("misspelled command: %v %+v", err, ee)
	}
	if e := UnknownCommand(root.Commands()[0], "zzzzzzzz").(*ExitError); len(e.Hints) != 0 {
		t.Fatalf("nothing near: %v", e.Hints)
	}
	for _, c := range []struct {
		pflagErr, want, hint string
	}{
		{"unknown flag: --nmae", "unrecognized arguments: --nmae", "Did you mean '--name' ?"},
		{"unknown shorthand flag: 'x' in -x", "unrecognized arguments: -x", ""},
		{`invalid argument "abc" for "--cpu" flag: strconv.ParseInt: parsing "abc": invalid syntax`, "argument --cpu: invalid int value: 'abc'", ""},
		{`invalid argument "x" for "--cpu" flag: strconv.ParseFloat: parsing "x": invalid syntax`, "argument --cpu: invalid float value: 'x'", ""},
		{`invalid argument "maybe" for "--yes" flag: strconv.ParseBool: parsing "maybe": invalid syntax`, "argument --yes: invalid boolean value: 'maybe'", ""},
		{`invalid argument "-1" for "--timeout" flag: must not be negative`, "argument --timeout: invalid duration value (seconds, or a Go duration such as 90s or 5m): '-1'", ""},
		{"flag needs an argument: --name", "argument --name/-n: expected one argument", ""},
		{"flag needs an argument: 'n' in -n", "argument --name/-n: expected one argument", ""},
		{"flag needs an argument: --ports", "argument --ports: expected one argument", ""},
		{"something else", "something else", ""},
	} {
		err := FlagError(verb, errors.New(c.pflagErr))
		var ee *ExitError
		if !errors.As(err, &ee) || ee.Code != 2 || err.Error() != c.want {
			t.Errorf("FlagError(%q) = %v, want %q", c.pflagErr, err, c.want)
			continue
		}
		if c.hint != "" && !reflect.DeepEqual(ee.Hints, []string{c.hint}) {
			t.Errorf("FlagError(%q) hints %v, want %q", c.pflagErr, ee.Hints, c.hint)
		}
	}
	if d := levenshtein("kitten", "sitting"); d != 3 {
		t.Fatalf("levenshtein %d", d)
	}
}

func TestSecondsAndReadable(t *testing.T) {
	cmd := &cobra.Command{Use: "wait"}
	var s Seconds
	SecondsVar(cmd, &s, "timeout", 90*time.Second, "")
	if s.D() != 90*time.Second || cmd.Flags().Lookup("timeout").DefValue != "90" {
		t.Fatalf("default %v %q", s.D(), cmd.Flags().Lookup("timeout").DefValue)
	}
	for in, want := range map[string]time.Duration{"30": 30 * time.Second, "2m": 2 * time.Minute, "1500ms": 1500 * time.Millisecond, "0": 0} {
		if err := cmd.Flags().Set("timeout", in); err != nil || s.D() != want {
			t.Errorf("--timeout %s = %v (%v), want %v", in, s.D(), err, want)
		}
	}
	for _, bad := range []string{"-1", "soon", "-5s"} {
		if err := cmd.Flags().Set("timeout", bad); err == nil {
			t.Errorf("--timeout %s accepted", bad)
		}
	}
	cmd.Flags().Float64Slice("cpus", []float64{1}, "")
	Readable(cmd, "cpus", "numbers", "1")
	if f := cmd.Flags().Lookup("cpus"); f.Value.Type() != "numbers" || f.DefValue != "1" {
		t.Fatalf("readable: %s %s", f.Value.Type(), f.DefValue)
	}
	Readable(cmd, "absent", "x", "y") // no flag, no panic
}

func TestExitCodesAndErrorText(t *testing.T) {
	notFound := &arm.Error{StatusCode: 404, Code: "ResourceGroupNotFound", Message: "Resource group 'x' could not be found."}
	for _, c := range []struct {
		err  error
		code int
	}{
		{UsageError("bad"), 2},
		{Fail("no"), 1},
		{SilentExit(7), 7},
		{fmt.Errorf("wrapped: %w", notFound), 3},
		{&arm.Error{StatusCode: 409, Code: "Conflict"}, 1},
		{&output.QueryError{Syntax: true}, 2},
		{&output.QueryError{}, 1},
		{errors.New("plain"), 1},
	} {
		if got := ExitCode(c.err); got != c.code {
			t.Errorf("ExitCode(%v) = %d, want %d", c.err, got, c.code)
		}
	}
	if ErrorText(SilentExit(3)) != "" {
		t.Fatal("a silent exit prints nothing")
	}
	e := &ExitError{Code: 2, Err: errors.New("'x' is misspelled"), Hints: []string{"Did you mean 'y' ?"}}
	if got := ErrorText(e); got != "ERROR: 'x' is misspelled\nDid you mean 'y' ?\n" {
		t.Fatalf("hints: %q", got)
	}
	if got := ErrorText(&output.QueryError{Syntax: true, Err: errors.New("bad query")}); !strings.HasPrefix(got, "ERROR: ") || !strings.HasSuffix(got, output.QueryHelp+"\n") {
		t.Fatalf("a query error ends with az's query help: %q", got)
	}
	refused := &url.Error{Op: "Get", URL: "https://127.0.0.1:8443/subscriptions?x=1", Err: syscall.ECONNREFUSED}
	if got := ErrorText(refused); got != "ERROR: Could not connect to https://127.0.0.1:8443: the connection was refused. Is aci local running? Start it with 'aci local start --detach --port 8443'.\n" {
		t.Fatalf("refused on loopback: %q", got)
	}
	refused.URL = "https://management.azure.com/x"
	if got := ErrorText(refused); got != "ERROR: Could not connect to https://management.azure.com: the connection was refused.\n" {
		t.Fatalf("refused elsewhere: %q", got)
	}
	if got := ErrorText(&url.Error{Op: "Get", URL: "https://h/", Err: errors.New("net/http: timeout awaiting response headers")}); !strings.Contains(got, "no response headers within") {
		t.Fatalf("header timeout: %q", got)
	}
	if got := ErrorText(&url.Error{Op: "Get", URL: "https://h/", Err: errors.New("net/http: TLS handshake timeout")}); !strings.Contains(got, "during the TLS handshake") {
		t.Fatalf("handshake timeout: %q", got)
	}
	if got := ErrorText(fmt.Errorf("polling: %w", context.DeadlineExceeded)); got != "ERROR: The operation timed out: polling: context deadline exceeded\n" {
		t.Fatalf("deadline: %q", got)
	}
	if got := ErrorText(&url.Error{Op: "Get", URL: "https://h/", Err: errors.New("x509: unknown authority")}); got != "ERROR: The request to https://h failed: x509: unknown authority\n" {
		t.Fatalf("other network errors name the host: %q", got)
	}
}

func TestTargets(t *testing.T) {
	f := &Factory{ConfigDir: t.TempDir()}
	const typ = "Microsoft.ContainerInstance/containerGroups"
	id := func(rg, name string) string {
		return "/subscriptions/s/resourceGroups/" + rg + "/providers/Microsoft.ContainerInstance/containerGroups/" + name
	}
	tg := &Target{Type: typ, IDs: []string{id("rg1", "a"), strings.ToUpper(id("rg2", "b"))}}
	tg.idCapable = true
	got, err := tg.Targets(f)
	if err != nil || len(got) != 2 || got[0].Group != "rg1" || got[0].Name != "a" || got[1].Name != "B" {
		t.Fatalf("--ids: %v %+v", err, got)
	}
	tg = &Target{Type: typ, IDs: []string{id("rg", "a")}, Name: "a"}
	if _, err := tg.Targets(f); ExitCode(err) != 2 || !strings.Contains(err.Error(), "--ids IDS | --resource-group/-g RG --name/-n NAME") {
		t.Fatalf("--ids with -n: %v", err)
	}
	tg = &Target{Type: typ, IDs: []string{"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a"}}
	if _, err := tg.Targets(f); ExitCode(err) != 2 || !strings.Contains(err.Error(), "invalid resource ID") {
		t.Fatalf("an id of another type: %v", err)
	}
	tg = &Target{Type: typ, idCapable: true}
	if _, err := tg.Targets(f); ExitCode(err) != 1 || err.Error() != "(--resource-group --name | --ids) are required" {
		t.Fatalf("az's wording where --ids could stand in: %v", err)
	}
	tg = &Target{Type: typ}
	if _, err := tg.Targets(f); ExitCode(err) != 2 || err.Error() != "the following arguments are required: --resource-group/-g, --name/-n" {
		t.Fatalf("without --ids: %v", err)
	}
	tg = &Target{Type: typ, Group: "rg", Name: "n"}
	if got, err := tg.Targets(f); err != nil || len(got) != 1 || got[0].Group != "rg" {
		t.Fatalf("-g -n: %v %+v", err, got)
	}
	for _, bad := range []string{"", "/subscriptions/s", "/subscriptions/s/resourceGroups//providers/Microsoft.ContainerInstance/containerGroups/x",
		"/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerInstance/containerGroups/x/extra"} {
		if _, _, ok := ParseResourceID(bad, typ); ok {
			t.Errorf("ParseResourceID(%q) accepted", bad)
		}
	}
}

// An optional-value flag (argparse's nargs='?') reads its value with a
// space or an '=', and its default alone; what follows an option is not it.
func TestOptionalValueFlags(t *testing.T) {
	parse := func(args ...string) (string, []string, error) {
		root := &cobra.Command{Use: "aci"}
		var v string
		var rest []string
		c := &cobra.Command{Use: "deploy", Args: cobra.ArbitraryArgs, RunE: func(_ *cobra.Command, a []string) error { rest = a; return nil }}
		c.Flags().StringVar(&v, "rollback-on-error", "", "")
		c.Flags().Bool("no-wait", false, "")
		OptionalValue(c, "rollback-on-error", " ")
		root.AddCommand(c)
		root.SetArgs(ExpandNArgs(root, append([]string{"deploy"}, args...)))
		err := root.Execute()
		return v, rest, err
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--rollback-on-error", "good"}, "good"},
		{[]string{"--rollback-on-error=good"}, "good"},
		{[]string{"--rollback-on-error"}, " "},
		{[]string{"--rollback-on-error", "--no-wait"}, " "},
		{[]string{"--no-wait"}, ""},
	} {
		v, rest, err := parse(c.args...)
		if err != nil || v != c.want || len(rest) != 0 {
			t.Errorf("%v: %q %v %v, want %q", c.args, v, rest, err, c.want)
		}
	}
}
