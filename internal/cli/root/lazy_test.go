package root

import (
	"context"
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/spf13/cobra"
)

func subNames(c *cobra.Command) []string {
	var out []string
	for _, sc := range c.Commands() {
		out = append(out, sc.Name())
	}
	return out
}

// A command line builds the group it names and nothing else; the root's
// help, a misspelt group and completion get the whole tree.
func TestTreeBuiltForTheCommandLine(t *testing.T) {
	f := &cmdutil.Factory{ConfigDir: t.TempDir()}
	for args, want := range map[string]string{
		"group list -o none":         "group",
		"--debug container show":     "container",
		"storage account list":       "storage",
		"acr --help":                 "acr",
		"deployment group create -h": "deployment",
	} {
		got := subNames(newFor(f, strings.Fields(args)))
		if len(got) != 1 || got[0] != want {
			t.Errorf("%q built %v, want only %s", args, got, want)
		}
	}
	full := len(groupOrder)
	for _, args := range []string{"", "--help", "contaner list", "-o json group list", "help group", "__complete group cr"} {
		if got := len(newFor(f, strings.Fields(args)).Commands()); got < full {
			t.Errorf("%q built %d groups, want all %d", args, got, full)
		}
	}
	// The one group is the whole group: its subgroups, [Required] marks and
	// the older `group deployment` spelling.
	g, _, err := newFor(f, []string{"group", "deployment", "create"}).Find([]string{"group", "deployment", "create"})
	if err != nil || g.Name() != "create" {
		t.Fatalf("group deployment create: %v %v", g, err)
	}
	c, _, _ := newFor(f, []string{"group", "create"}).Find([]string{"group", "create"})
	if fl := c.Flags().Lookup("name"); fl == nil || fl.Annotations["aci_required"] == nil {
		t.Fatal("group create's --name is not marked [Required] in the built tree")
	}
	// Value completion is registered for completion requests alone.
	tree := newFor(f, []string{"__complete", "group", "create", "--location", ""})
	cc, _, _ := tree.Find([]string{"group", "create"})
	if _, ok := cc.GetFlagCompletionFunc("location"); !ok {
		t.Fatal("no completion of --location in a completion request")
	}
	cc, _, _ = newFor(f, []string{"group", "create"}).Find([]string{"group", "create"})
	if _, ok := cc.GetFlagCompletionFunc("location"); ok {
		t.Fatal("completion registered for an ordinary command")
	}
	for _, name := range groupOrder {
		if groups[name] == nil {
			t.Errorf("%s is listed but has no builder", name)
		}
	}
}

// The misspelling error and az's suggestion still come from the full tree.
func TestMisspeltGroupStillSuggests(t *testing.T) {
	ios, _, _, _ := cmdutil.Test()
	f := &cmdutil.Factory{IO: ios, ConfigDir: t.TempDir()}
	err := Execute(context.Background(), f, []string{"contaner", "list"})
	var ee *cmdutil.ExitError
	if err == nil || cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "'contaner' is misspelled") {
		t.Fatalf("misspelt group: %v", err)
	}
	if ok := asExit(err, &ee); !ok || len(ee.Hints) == 0 || ee.Hints[0] != "Did you mean 'container' ?" {
		t.Fatalf("hints: %+v", ee)
	}
}

func asExit(err error, target **cmdutil.ExitError) bool {
	e, ok := err.(*cmdutil.ExitError)
	*target = e
	return ok
}
