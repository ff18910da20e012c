package configure

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/cli/cmdutil"
)

func run(t *testing.T, dir string, tty bool, in string, args ...string) (string, string, error) {
	t.Helper()
	ios, _, out, errOut := cmdutil.Test()
	ios.In, ios.StdinTTY = strings.NewReader(in), tty
	f := &cmdutil.Factory{IO: ios, ConfigDir: dir, Globals: cmdutil.Globals{Output: "json"}}
	cmd := NewCmd(f)
	cmd.SetArgs(cmdutil.ExpandNArgs(cmd, args))
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

func TestDefaultsSetListAndClear(t *testing.T) {
	dir := t.TempDir()
	for _, k := range []string{"ACI_DEFAULTS_ACR", "AZURE_DEFAULTS_ACR"} {
		t.Setenv(k, "") // restored after the test
		os.Unsetenv(k)
	}
	if _, _, err := run(t, dir, false, "", "--defaults", "group=rg1", "location=westus"); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, dir, false, "", "--list-defaults")
	src := filepath.Join(dir, "config")
	if rel, err := filepath.Rel(mustGetwd(), src); err == nil && !strings.HasPrefix(rel, "..") {
		src = rel
	}
	want := `[
  {
    "name": "group",
    "source": "` + src + `",
    "value": "rg1"
  },
  {
    "name": "location",
    "source": "` + src + `",
    "value": "westus"
  }
]
`
	if err != nil || out != want {
		t.Fatalf("list:\n%s\nwant\n%s", out, want)
	}
	// The environment is a source too, and wins.
	t.Setenv("AZURE_DEFAULTS_ACR", "envreg")
	out, _, _ = run(t, dir, false, "", "-l")
	if !strings.Contains(out, `"name": "acr",`) || !strings.Contains(out, `"source": "AZURE_DEFAULTS_ACR"`) {
		t.Fatalf("an env default: %s", out)
	}
	// '' clears a default; a cleared one is not listed.
	if _, _, err := run(t, dir, false, "", "--defaults", "location=''"); err != nil {
		t.Fatal(err)
	}
	out, _, _ = run(t, dir, false, "", "--list-defaults", "true")
	if strings.Contains(out, "westus") || !strings.Contains(out, "rg1") {
		t.Fatalf("after clearing location: %s", out)
	}
	// --list-defaults false is no listing: with nothing else, the prompt.
	if _, _, err := run(t, dir, false, "", "--list-defaults=false"); err == nil || err.Error() != "This command is interactive and no tty available." {
		t.Fatalf("no tty: %v", err)
	}
	if _, _, err := run(t, dir, false, "", "--defaults", "novalue"); err == nil || !strings.Contains(err.Error(), "usage error: --defaults STRING=STRING") {
		t.Fatalf("a pair without '=': %v", err)
	}
	if _, _, err := run(t, dir, false, "", "--scope", "team"); cmdutil.ExitCode(err) != 2 {
		t.Fatalf("--scope team: %v", err)
	}
}

func TestLocalScope(t *testing.T) {
	t.Chdir(t.TempDir())
	dir := t.TempDir()
	if _, _, err := run(t, dir, false, "", "--scope", "local", "--defaults", "group=here"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(".aci", "config"))
	if err != nil || !strings.Contains(string(b), "group = here") {
		t.Fatalf("./.aci/config: %v %q", err, b)
	}
	if _, err := os.Stat(filepath.Join(dir, "config")); !os.IsNotExist(err) {
		t.Fatal("--scope local wrote the global config")
	}
}

func TestInteractiveChoices(t *testing.T) {
	for in, want := range map[string]string{"3\n": "yaml", "\n": "json", "9\n": "json", "table\n": "json", "7": "none"} {
		dir := t.TempDir()
		_, errOut, err := run(t, dir, true, in)
		b, _ := os.ReadFile(filepath.Join(dir, "config"))
		if err != nil || !strings.Contains(string(b), "output = "+want) || !strings.Contains(errOut, " [5] table\n") ||
			!strings.Contains(errOut, "Your settings can be found at ") {
			t.Errorf("answer %q: %v, config %q", in, err, b)
		}
	}
}
