package root_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aci-cli/aci/internal/clitest"
)

// TestHelpGoldens: az's layout (argument groups, [Required] first, global
// arguments, described examples) for the commands people read most.
// ACI_UPDATE_HELP=1 rewrites the goldens.
func TestHelpGoldens(t *testing.T) {
	e := clitest.NewEnv(t, clitest.NewServer(t))
	for name, args := range map[string][]string{
		"container_create":        {"container", "create", "--help"},
		"storage_account_create":  {"storage", "account", "create", "--help"},
		"deployment_group_create": {"deployment", "group", "create", "--help"},
		"container":               {"container", "--help"},
	} {
		r := e.Run(args...)
		if r.Code != 0 {
			t.Fatalf("%v: %+v", args, r)
		}
		p := filepath.Join("testdata", "help_"+name+".txt")
		if os.Getenv("ACI_UPDATE_HELP") != "" {
			os.WriteFile(p, []byte(r.Stdout), 0o644)
		}
		want, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if r.Stdout != string(want) {
			t.Errorf("%v help changed (ACI_UPDATE_HELP=1 to accept):\n%s", args, r.Stdout)
		}
	}
}

// Help wraps to the terminal's width (COLUMNS here), between words: no line
// runs past it and no word is cut.
func TestHelpWrapsToTerminal(t *testing.T) {
	e := clitest.NewEnv(t, clitest.NewServer(t))
	for _, cols := range []int{60, 80, 120} {
		t.Setenv("COLUMNS", strconv.Itoa(cols))
		r := e.Run("container", "create", "--help")
		if r.Code != 0 {
			t.Fatal(r)
		}
		for _, l := range strings.Split(r.Stdout, "\n") {
			if utf8.RuneCountInString(l) >= cols && !strings.HasPrefix(strings.TrimSpace(l), "aci ") {
				t.Errorf("COLUMNS=%d: a line of %d: %q", cols, utf8.RuneCountInString(l), l)
			}
		}
		// A word the help holds whole is never split across lines.
		if !strings.Contains(r.Stdout, "NAME_OR_ID") || !strings.Contains(r.Stdout, "--azure-file-volume-account-key") {
			t.Errorf("COLUMNS=%d: a word was cut:\n%s", cols, r.Stdout)
		}
	}
}
