package completion

import (
	"bytes"
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/spf13/cobra"
)

// Each shell gets its script from the root command, bash with the
// fallbacks that make it work without bash-completion; an unknown shell
// is refused with az's choice error.
func TestScriptsPerShell(t *testing.T) {
	for shell, marker := range map[string]string{"bash": "__start_aci", "zsh": "#compdef aci", "fish": "complete -c aci", "powershell": "Register-ArgumentCompleter"} {
		root := &cobra.Command{Use: "aci"}
		root.AddCommand(NewCmd(), &cobra.Command{Use: "group", Run: func(*cobra.Command, []string) {}})
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetArgs([]string{"completion", shell})
		if err := root.Execute(); err != nil {
			t.Fatalf("%s: %v", shell, err)
		}
		if !strings.Contains(out.String(), marker) {
			t.Errorf("%s script lacks %q", shell, marker)
		}
		if shell == "bash" {
			header, _, _ := strings.Cut(out.String(), "__start_aci")
			if !strings.Contains(header, "if ! declare -F _get_comp_words_by_ref") {
				t.Error("the bash fallbacks come before the functions that call them")
			}
		}
	}
	root := &cobra.Command{Use: "aci"}
	root.AddCommand(NewCmd())
	root.SetArgs([]string{"completion", "tcsh"})
	root.SilenceErrors, root.SilenceUsage = true, true
	if err := root.Execute(); cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "'tcsh' is not a valid value") {
		t.Fatalf("tcsh: %v", err)
	}
}
