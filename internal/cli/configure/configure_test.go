package configure_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/cli/root"
)

func runConfigure(t *testing.T, ctx context.Context, in io.Reader) (dir, stderr string, err error) {
	t.Helper()
	dir = t.TempDir()
	ios, _, _, errOut := cmdutil.Test()
	ios.In, ios.StdinTTY = in, true
	f := &cmdutil.Factory{IO: ios, Version: "test", ConfigDir: dir}
	err = root.Execute(ctx, f, []string{"configure"})
	return dir, errOut.String(), err
}

// Ctrl-C at the first prompt, or input that ends, writes no setting.
func TestConfigureInterruptedWritesNothing(t *testing.T) {
	pr, pw := io.Pipe() // a terminal nobody types into
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(200 * time.Millisecond); cancel() }() // Ctrl-C
	dir, stderr, err := runConfigure(t, ctx, pr)
	if cmdutil.ExitCode(err) != 1 || !strings.Contains(stderr, "Please enter a choice") {
		t.Fatalf("Ctrl-C at the prompt: %v %q", err, stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "config")); len(b) != 0 {
		t.Fatalf("an interrupted configure wrote settings: %q", b)
	}
	dir, _, err = runConfigure(t, context.Background(), strings.NewReader(""))
	if err == nil || !strings.Contains(err.Error(), "nothing was configured") {
		t.Fatalf("configure on an input that ends: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "config")); len(b) != 0 {
		t.Fatalf("configure wrote settings when the input ended: %q", b)
	}
	// An answer is still written.
	dir, _, err = runConfigure(t, context.Background(), strings.NewReader("5\n"))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "config")); !strings.Contains(string(b), "output = table") {
		t.Fatalf("the answer was not written: %q", b)
	}
}
