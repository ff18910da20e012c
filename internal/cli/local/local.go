// Package local implements `aci local`: the ARM-compatible endpoint on this machine.
package local

import (
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/spf13/cobra"
)

// NewCmd builds `aci local`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.GroupCommand(&cobra.Command{Use: "local", Short: "Run an ARM-compatible endpoint on this machine."})
}
