// Command distreg is the distribution project's registry, as its own
// cmd/registry serves it, with only the filesystem driver linked: the
// upstream baseline `make bench` pushes and pulls through (plain HTTP on
// loopback, no auth).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/distribution/distribution/v3/configuration"
	"github.com/distribution/distribution/v3/registry"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: distreg ADDR ROOTDIR")
		os.Exit(2)
	}
	cfg := &configuration.Configuration{
		Storage: configuration.Storage{"filesystem": configuration.Parameters{"rootdirectory": os.Args[2]}},
	}
	cfg.HTTP.Addr = os.Args[1]
	cfg.Log.Level = "error"
	reg, err := registry.NewRegistry(context.Background(), cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := reg.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
