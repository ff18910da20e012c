// Package completion implements `aci completion`: shell completion scripts.
package completion

import (
	"bytes"
	"io"
	"strings"

	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/spf13/cobra"
)

// bashFallbacks stand in for the two functions of Debian's bash-completion
// package that cobra's script calls, where that package is not installed:
// without them every TAB printed "_get_comp_words_by_ref: command not found".
// The words are bash's own split, and file completion ignores extensions.
const bashFallbacks = `
if ! declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
_get_comp_words_by_ref()
{
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
}
fi
if ! declare -F _filedir >/dev/null 2>&1; then
_filedir()
{
    local IFS=$'
'
    if [[ ${1-} == -d ]]; then
        COMPREPLY+=($(compgen -d -- "$cur"))
    else
        COMPREPLY+=($(compgen -f -- "$cur"))
    fi
}
fi
`

// bashCompletion is cobra's bash script (V2) with bashFallbacks.
func bashCompletion(root *cobra.Command, out io.Writer) error {
	var b bytes.Buffer
	if err := root.GenBashCompletionV2(&b, true); err != nil {
		return err
	}
	script := b.String()
	// After the header comment: defined before anything calls them.
	if i := strings.Index(script, "\n\n"); i >= 0 {
		script = script[:i+1] + bashFallbacks + script[i+1:]
	}
	_, err := io.WriteString(out, script)
	return err
}

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
				return bashCompletion(root, out)
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
