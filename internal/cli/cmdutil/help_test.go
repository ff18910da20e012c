package cmdutil

import (
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// helpTree is a small `aci demo` tree with az's help ingredients: required
// flags, an argument group, defaults, inherited flags, examples.
func helpTree() (*cobra.Command, *cobra.Command) {
	root := &cobra.Command{Use: "aci"}
	root.PersistentFlags().StringP("output", "o", "json", "Output format.")
	root.PersistentFlags().Bool("debug", false, "Increase logging verbosity to show all debug logs.")
	group := GroupCommand(&cobra.Command{Use: "demo", Short: "Manage demos."})
	sub := GroupCommand(&cobra.Command{Use: "parts", Short: "Manage the parts of demos."})
	sub.AddCommand(&cobra.Command{Use: "list", Short: "List parts.", Run: func(*cobra.Command, []string) {}})
	create := &cobra.Command{Use: "create", Short: "Create a demo.", Long: "It runs until\nstopped.\n\nThen it ends.",
		Example: "  # Create a demo\n  # in westus.\n  aci demo create -n d1 -l westus\n\n  aci demo create -n d2", Run: func(*cobra.Command, []string) {}}
	create.Flags().StringP("name", "n", "", "The demo's name.")
	create.Flags().StringP("location", "l", "", "Location")
	create.Flags().Int("cpu", 1, "CPUs")
	create.Flags().Bool("wait", false, "Wait.")
	create.Flags().String("vnet", "", "The virtual network.")
	create.Flags().StringSlice("ports", []string{"80"}, "Ports to open")
	create.Flags().String("secret", "", "hidden")
	_ = create.Flags().MarkHidden("secret")
	Required(create, "name")
	ArgGroup(create, "Network", "vnet", "ports")
	group.AddCommand(create, sub, &cobra.Command{Use: "gone", Short: "Hidden.", Hidden: true, Run: func(*cobra.Command, []string) {}})
	root.AddCommand(group)
	root.InitDefaultHelpFlag()
	create.InitDefaultHelpFlag()
	return root, create
}

func TestUsageOfACommand(t *testing.T) {
	t.Setenv("COLUMNS", "81")
	_, create := helpTree()
	want := `
Command
    aci demo create : Create a demo.
        It runs until stopped.
        Then it ends.

Arguments
    --name -n [Required] : The demo's name.
    --cpu                : CPUs.  Default: 1.
    --location -l        : Location
    --wait               : Wait.

Network Arguments
    --ports              : Ports to open.  Default: 80.
    --vnet               : The virtual network.

Global Arguments
    --debug              : Increase logging verbosity to show all debug logs.
    --help -h            : Show this help message and exit.
    --output -o          : Output format.  Default: json.

Examples
    Create a demo in westus.
        aci demo create -n d1 -l westus

        aci demo create -n d2

`
	got := Usage(create)
	if got != want {
		t.Fatalf("help:\n%s\nwant:\n%s", got, want)
	}
}

func TestUsageOfAGroupAndWrapping(t *testing.T) {
	t.Setenv("COLUMNS", "81")
	root, _ := helpTree()
	group, _, _ := root.Find([]string{"demo"})
	want := `
Group
    aci demo : Manage demos.

Subgroups:
    parts  : Manage the parts of demos.

Commands:
    create : Create a demo.

`
	if got := Usage(group); got != want {
		t.Fatalf("group help:\n%s\nwant:\n%s", got, want)
	}
	// Text after " : " wraps under itself, never inside a word.
	t.Setenv("COLUMNS", "41")
	c := &cobra.Command{Use: "w", Short: "one two three four five six seven eight nine ten eleven twelve"}
	got := Usage(c)
	if !strings.Contains(got, "    w : one two three four five six\n        seven eight nine ten eleven\n        twelve\n") {
		t.Fatalf("wrapped:\n%s", got)
	}
	if l := wrap("a supercalifragilisticexpialidocious word", 10); !reflect.DeepEqual(l, []string{"a", "supercalifragilisticexpialidocious", "word"}) {
		t.Fatalf("a long word stands alone: %q", l)
	}
	if l := wrap("end.  Default: 1.", 12); !reflect.DeepEqual(l, []string{"end.", "Default: 1."}) {
		t.Fatalf("the spaces at a break go: %q", l)
	}
	if l := wrap("end.  Default: 1.", 40); !reflect.DeepEqual(l, []string{"end.  Default: 1."}) {
		t.Fatalf("two spaces inside a line stay, as textwrap keeps them: %q", l)
	}
	if wrap("", 10) != nil || wrap("  \n ", 10) != nil {
		t.Fatal("empty text has no lines")
	}
}

func TestExamplesAndFlagText(t *testing.T) {
	ex := examples("  # First\n  # continued\n  cmd one\n  cmd two\n\n  # Last\n  cmd three\n")
	want := [][2]string{{"First continued", "cmd one"}, {"", "cmd two"}, {"Last", "cmd three"}}
	if !reflect.DeepEqual(ex, want) {
		t.Fatalf("examples %q", ex)
	}
	c := &cobra.Command{Use: "x"}
	c.Flags().Bool("on", true, "On by default")
	c.Flags().String("mode", "fast", "The mode.")
	c.Flags().StringSlice("empty", nil, "Nothing")
	if got := flagText(c.Flags().Lookup("on")); got != "On by default" {
		t.Fatalf("a true bool's default is not said: %q", got)
	}
	if got := flagText(c.Flags().Lookup("mode")); got != "The mode.  Default: fast." {
		t.Fatalf("%q", got)
	}
	if got := flagText(c.Flags().Lookup("empty")); got != "Nothing" {
		t.Fatalf("%q", got)
	}
}
