package root_test

import (
	"os"
	"path/filepath"
	"testing"

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
