package root_test

import (
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/cli/root"
	"github.com/aci-cli/aci/internal/clitest"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestBadInput: malformed invocations give az's one-line error and exit code,
// before any request is sent.
func TestBadInput(t *testing.T) {
	s := clitest.NewServer(t)
	e := clitest.NewEnv(t, s)
	cases := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"group", "lst"}, 2, "ERROR: 'lst' is misspelled or not recognized by the system.\nDid you mean 'list' ?\n"},
		{[]string{"grup"}, 2, "ERROR: 'grup' is misspelled or not recognized by the system.\nDid you mean 'group' ?\n"},
		{[]string{"group", "list", "--tagz", "x"}, 2, "ERROR: unrecognized arguments: --tagz\nDid you mean '--tag' ?\n"},
		{[]string{"group", "list", "extra"}, 2, "ERROR: unrecognized arguments: extra\n"},
		{[]string{"group", "list", "-o", "foo"}, 2, "ERROR: aci group list: 'foo' is not a valid value for '--output'. Allowed values: json, jsonc, yaml, yamlc, table, tsv, none.\n"},
		{[]string{"group", "show", "-n", "x", "--query", "[bad"}, 2, "ERROR: argument --query: invalid jmespath_type value: '[bad'\nTo learn more about --query, please visit: 'https://docs.microsoft.com/cli/azure/query-azure-cli'\n"},
		{[]string{"group", "create", "-n", "x"}, 2, "ERROR: the following arguments are required: --location/-l\n"},
		{[]string{"group", "create"}, 2, "ERROR: the following arguments are required: --name/--resource-group/-n/-g, --location/-l\n"},
		{[]string{"group", "show"}, 2, "ERROR: the following arguments are required: --name/--resource-group/-n/-g\n"},
		{[]string{"group", "delete", "-n", "x", "-f", "Bogus"}, 2, "ERROR: aci group delete: 'Bogus' is not a valid value for '--force-deletion-types'. Allowed values: Microsoft.Compute/virtualMachines, Microsoft.Compute/virtualMachineScaleSets, Microsoft.Databricks/workspaces.\n"},
		{[]string{"provider", "show"}, 2, "ERROR: the following arguments are required: --namespace/-n\n"},
		{[]string{"group", "list", "--only-show-errors", "--debug"}, 1, "ERROR: --only-show-errors can't be used together with --debug or --verbose\n"},
		{[]string{"account", "set", "-s", "nope"}, 1, "ERROR: The subscription of 'nope' doesn't exist in cloud 'replay'.\n"},
		{[]string{"configure", "--scope", "team"}, 2, "ERROR: aci configure: 'team' is not a valid value for '--scope'. Allowed values: global, local.\n"},
	}
	for _, c := range cases {
		r := e.Run(c.args...)
		if r.Code != c.code || r.Stderr != c.stderr || r.Stdout != "" {
			t.Errorf("%v: exit %d stderr %q stdout %q", c.args, r.Code, r.Stderr, r.Stdout)
		}
	}
	if n := len(s.Requests()); n != 0 {
		t.Fatalf("bad input sent %d requests", n)
	}
}

func TestQueryRuntimeError(t *testing.T) {
	s := clitest.NewServer(t)
	s.Add("GET", "/subscriptions/"+clitest.Subscription+"/resourcegroups", clitest.Response{Status: 200, Body: `{"value":[]}`})
	e := clitest.NewEnv(t, s)
	r := e.Run("group", "list", "--query", "nosuch(@)")
	if r.Code != 1 || r.Stdout != "" || r.Stderr[:56] != "ERROR: Invalid jmespath query supplied for `--query`: un" {
		t.Fatalf("%+v", r)
	}
}

func TestVersionAndHelp(t *testing.T) {
	e := &clitest.Env{T: t, ConfigDir: t.TempDir()}
	if r := e.Run("--version"); r.Code != 0 || r.Stdout != "aci 0.1.0-dev\n" {
		t.Fatalf("%+v", r)
	}
	if r := e.Run("version", "--query", "aci", "-o", "tsv"); r.Code != 0 || r.Stdout != "0.1.0-dev\n" {
		t.Fatalf("%+v", r)
	}
	if r := e.Run("group"); r.Code != 0 || len(r.Stdout) == 0 {
		t.Fatalf("group help: %+v", r)
	}
	if r := e.Run("completion", "bash"); r.Code != 0 || len(r.Stdout) < 100 {
		t.Fatalf("completion: %+v", r)
	}
}

// Errors are red and warnings yellow on a terminal, as az's; NO_COLOR and
// core.no_color turn that off; piped stderr never gets colour.
func TestErrorColours(t *testing.T) {
	s := clitest.NewServer(t)
	s.Add("GET", "/subscriptions/"+clitest.Subscription+"/resourcegroups/nope", clitest.Response{Status: 404,
		Body: `{"error":{"code":"ResourceGroupNotFound","message":"Resource group 'nope' could not be found."}}`})
	e := clitest.NewEnv(t, s)
	plain := "ERROR: (ResourceGroupNotFound) Resource group 'nope' could not be found.\nCode: ResourceGroupNotFound\nMessage: Resource group 'nope' could not be found.\n"
	if r := e.Run("group", "show", "-n", "nope"); r.Code != 3 || r.Stderr != plain {
		t.Fatalf("piped: %q", r.Stderr)
	}
	e.StderrTTY = true
	if r := e.Run("group", "show", "-n", "nope"); r.Code != 3 || r.Stderr != "\x1b[31m"+strings.TrimSuffix(plain, "\n")+"\x1b[0m\n" {
		t.Fatalf("terminal: %q", r.Stderr)
	}
	t.Setenv("NO_COLOR", "1")
	if r := e.Run("group", "show", "-n", "nope"); r.Stderr != plain {
		t.Fatalf("NO_COLOR: %q", r.Stderr)
	}
	t.Setenv("NO_COLOR", "")
	t.Setenv("AZURE_CORE_NO_COLOR", "true")
	if r := e.Run("group", "show", "-n", "nope"); r.Stderr != plain {
		t.Fatalf("core.no_color: %q", r.Stderr)
	}
}

// pflag reads a backticked word in a flag's help as its value name
// ("--subscription aci account set -s NAME_OR_ID"): help text quotes with '.
func TestNoBackticksInFlagHelp(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		check := func(f *pflag.Flag) {
			if strings.Contains(f.Usage, "`") {
				t.Errorf("%s --%s: backtick in help %q", c.CommandPath(), f.Name, f.Usage)
			}
		}
		c.PersistentFlags().VisitAll(check)
		c.Flags().VisitAll(check)
		for _, sc := range c.Commands() {
			walk(sc)
		}
	}
	io, _, _, _ := cmdutil.Test()
	walk(root.New(&cmdutil.Factory{IO: io, ConfigDir: t.TempDir()}))
}
