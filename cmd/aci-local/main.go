// Command aci-local is the server behind `aci local`; aci finds it beside
// itself (or on PATH) and runs it.
package main

import (
	"os"

	"github.com/aci-cli/aci/internal/build"
	"github.com/aci-cli/aci/internal/local/daemon"
)

func main() {
	if err := daemon.Execute(build.Version, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		os.Exit(1)
	}
}
