package stbench2

import (
	"context"
	"io"
	"testing"

	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/cli/root"
)

func BenchmarkGroupList(b *testing.B) {
	for i := 0; i < b.N; i++ {
		ios := &cmdutil.IOStreams{Out: io.Discard, ErrOut: io.Discard}
		f := &cmdutil.Factory{IO: ios, ConfigDir: "/tmp/perfcfg"}
		if err := root.Execute(context.Background(), f, []string{"group", "list", "-o", "json"}); err != nil {
			b.Fatal(err)
		}
	}
}
