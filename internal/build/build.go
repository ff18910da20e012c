// Package build carries version information stamped in by the linker
// (-X github.com/aci-cli/aci/internal/build.Version=...).
package build

import "runtime/debug"

var (
	Version = "0.1.0-dev"
	Commit  = ""
	Date    = ""
)

func init() {
	if Commit != "" {
		return
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				Commit = s.Value
			case "vcs.time":
				Date = s.Value
			}
		}
	}
}
