// Command gendocs writes the command reference (one Markdown page per command)
// from the Cobra tree, so docs/reference never drifts from the binary.
package main

import (
	"fmt"
	"os"

	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/cli/root"
	"github.com/spf13/cobra/doc"
)

func main() {
	dir := "docs/reference"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f := cmdutil.New("docs")
	cmd := root.New(f)
	cmd.DisableAutoGenTag = true
	if err := doc.GenMarkdownTree(cmd, dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
