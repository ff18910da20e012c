package stbench2

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/cli/root"
)

func BenchmarkGroupCreate(b *testing.B) {
	for i := 0; i < b.N; i++ {
		ios := &cmdutil.IOStreams{Out: io.Discard, ErrOut: io.Discard}
		f := &cmdutil.Factory{IO: ios, ConfigDir: "/tmp/perfcfg"}
		if err := root.Execute(context.Background(), f, []string{"group", "create", "-n", fmt.Sprintf("pc-%d", i), "-l", "westus", "-o", "none"}); err != nil {
			b.Fatal(err)
		}
	}
}
