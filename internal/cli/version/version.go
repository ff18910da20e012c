// Package version implements `aci version`.
package version

import (
	"runtime"

	"github.com/aci-cli/aci/internal/build"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/spf13/cobra"
)

// Data is what `aci version` prints (like `az version`, a JSON object).
func Data() map[string]any {
	return map[string]any{"aci": build.Version, "commit": build.Commit, "date": build.Date,
		"go": runtime.Version(), "platform": runtime.GOOS + "/" + runtime.GOARCH}
}

// NewCmd builds `aci version`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Show the versions of aci and its build.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.Print(Data(), cmdutil.PrintOptions{})
		},
	}
}
