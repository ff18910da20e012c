package completion_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The bash script completes in a plain bash without Debian's bash-completion
// package (bash --norc loads none of it): no "command not found", and
// commands and flags come back.
func TestBashWithoutBashCompletion(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal("bash is needed for this test")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "aci")
	build := exec.Command("go", "build", "-o", bin, "../../../cmd/aci")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	complete := func(line string) (string, string) {
		// compopt works only inside a completion bash itself started.
		script := `compopt() { :; }
source <("$ACI" completion bash)
declare -F _init_completion >/dev/null && echo "bash-completion is loaded: the test proves nothing" >&2
COMP_LINE="$LINE"; COMP_POINT=${#COMP_LINE}; read -ra COMP_WORDS <<< "$LINE"
[[ $LINE == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
__start_aci aci
printf '%s\n' "${COMPREPLY[@]}"`
		cmd := exec.Command(bash, "--norc", "--noprofile", "-c", script)
		cmd.Env = append(os.Environ(), "ACI="+bin, "LINE="+line, "ACI_CONFIG_DIR="+dir, "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("%q: %v\n%s", line, err, errb.String())
		}
		return out.String(), errb.String()
	}
	out, errs := complete("aci gro")
	if errs != "" || !strings.Contains(out, "group") {
		t.Fatalf("aci gro<TAB>: %q, stderr %q", out, errs)
	}
	out, errs = complete("aci group create --loc")
	if errs != "" || !strings.Contains(out, "--location") {
		t.Fatalf("aci group create --loc<TAB>: %q, stderr %q", out, errs)
	}
}
