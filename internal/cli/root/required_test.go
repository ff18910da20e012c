package root_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/cli/root"
	"github.com/aci-cli/aci/internal/clitest"
	"github.com/spf13/cobra"
)

// noArgRuns are commands that do something (start a server, sign in, open a
// prompt) when given no arguments: they are not run bare by the walk.
var noArgRuns = map[string]bool{
	"aci local start": true, "aci local stop": true, "aci local reset": true, "aci local status": true, "aci local env": true,
	"aci local images": true, "aci local approve": true, "aci login": true, "aci logout": true, "aci configure": true,
	"aci compose up": true, "aci compose down": true, "aci compose ps": true, "aci compose logs": true, "aci compose config": true,
	"aci compose convert": true, "aci compose exec": true, "aci bench": true,
}

var requiredRE = regexp.MustCompile(`the following arguments are required: (.*)`)

// Every command marks [Required] in its help each argument it refuses to run
// without: the walk runs every command bare and reads az's "the following
// arguments are required" answer against the help.
func TestRequiredArgumentsMarkedInHelp(t *testing.T) {
	e := clitest.NewEnv(t, clitest.NewServer(t))
	ios, _, _, _ := cmdutil.Test()
	tree := root.New(&cmdutil.Factory{IO: ios, ConfigDir: t.TempDir()})
	var leaves []*cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sc := range c.Commands() {
			if sc.IsAvailableCommand() {
				walk(sc)
			}
		}
		if c.Runnable() && !c.HasAvailableSubCommands() {
			leaves = append(leaves, c)
		}
	}
	walk(tree)
	checked := 0
	for _, c := range leaves {
		path := c.CommandPath()
		if noArgRuns[path] {
			continue
		}
		args := strings.Fields(path)[1:]
		r := e.Run(args...)
		m := requiredRE.FindStringSubmatch(r.Stderr)
		if m == nil {
			continue
		}
		help := e.Run(append(args, "--help")...).Stdout
		for _, a := range strings.Split(m[1], ", ") {
			a = strings.TrimSpace(a)
			if !strings.HasPrefix(a, "--") {
				continue // a positional argument
			}
			long := strings.Split(a, "/")[0]
			if !regexp.MustCompile(`\n    ` + regexp.QuoteMeta(long) + `( -\w)? \[Required\]`).MatchString(help) {
				t.Errorf("%s requires %s but its help does not mark it [Required]", path, long)
			}
			checked++
		}
	}
	if checked < 20 {
		t.Fatalf("only %d required arguments were checked: the walk proves little", checked)
	}
}
