// Command aci is a fast, az-compatible CLI for Azure Container Instances.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/aci-cli/aci/internal/build"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/cli/root"
)

func main() {
	f := cmdutil.New(build.Version)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := root.Execute(ctx, f, os.Args[1:])
	interrupted := ctx.Err() != nil
	stop()
	if interrupted {
		// Ctrl-C: the command has cleaned up after itself; exit as shells
		// expect of an interrupted program (128 + SIGINT).
		os.Exit(130)
	}
	if err != nil {
		fmt.Fprint(f.IO.ErrOut, f.ErrorOutput(err))
		os.Exit(cmdutil.ExitCode(err))
	}
}
