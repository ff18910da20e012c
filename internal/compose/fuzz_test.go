package compose

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzConvert: whatever a Compose file holds, loading and converting it ends
// with a group or an error, never a panic or a hang.
func FuzzConvert(f *testing.F) {
	for _, name := range []string{"webcache.yaml", "sidecar.yaml", "job.yaml"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("services:\n  a: {image: x, ports: [\"1-3:1-3\"], deploy: {resources: {limits: {memory: 1E}}}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		p := filepath.Join(dir, "compose.yaml")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		proj, err := Load(ctx, LoadOptions{Files: []string{p}, Project: "fuzz"})
		if err != nil {
			return
		}
		r, err := Convert(proj, Options{AllowUnsupported: true, HostsInit: true})
		if err != nil {
			return
		}
		if r.Group == nil || len(r.Group.Properties.Containers) == 0 {
			t.Fatalf("a conversion without containers: %+v", r)
		}
		if _, err := r.Group.YAML(); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Template(); err != nil {
			t.Fatal(err)
		}
	})
}
