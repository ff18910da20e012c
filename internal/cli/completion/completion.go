// Package completion implements `aci completion`: shell completion scripts.
package completion

import (
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/spf13/cobra"
)

// NewCmd builds `aci completion bash|zsh|fish|powershell`.
func NewCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:       "completion bash|zsh|fish|powershell",
		Short:     "Print a shell completion script.",
		Example:   "  source <(aci completion bash)",
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		Args:      cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			root, out := cmd.Root(), cmd.OutOrStdout()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, true)
			case "zsh":
				return root.GenZshCompletion(out)
			case "fish":
				return root.GenFishCompletion(out, true)
			case "powershell":
				return root.GenPowerShellCompletionWithDesc(out)
			}
			_, err := cmdutil.Choice(cmd, "shell", args[0], "bash", "zsh", "fish", "powershell")
			return err
		},
	}
	return cmd
}
