// Command aci-connector is the ACI connector for Kubernetes behind
// `aci connector run`; aci finds it beside itself (or on PATH), as it finds
// aci-local. It is a binary of its own so that aci never links client-go.
package main

import (
	"os"

	"github.com/aci-cli/aci/internal/build"
	"github.com/aci-cli/aci/internal/connector"
)

func main() {
	if err := connector.Execute(build.Version, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		os.Exit(1)
	}
}
