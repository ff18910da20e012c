package docker

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// A build context is streamed from the files themselves: every file under
// its context name, executable, with its whole content, then the Dockerfile.
func TestWriteContext(t *testing.T) {
	dir := t.TempDir()
	big := bytes.Repeat([]byte("aci-local "), 100_000)
	for name, data := range map[string][]byte{"bin": big, "lib.so": []byte("lib")} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	files := [][2]string{{"aci-local", filepath.Join(dir, "bin")}, {"rootfs/usr/lib/lib.so", filepath.Join(dir, "lib.so")}}
	if err := writeContext(&buf, files, "FROM scratch\n"); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name string
		mode int64
		data []byte
	}{{"aci-local", 0o755, big}, {"rootfs/usr/lib/lib.so", 0o755, []byte("lib")}, {"Dockerfile", 0o644, []byte("FROM scratch\n")}}
	tr := tar.NewReader(&buf)
	for _, w := range want {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		got, _ := io.ReadAll(tr)
		if h.Name != w.name || h.Mode != w.mode || !bytes.Equal(got, w.data) {
			t.Fatalf("entry %s (mode %o, %d bytes), want %s (mode %o, %d bytes)", h.Name, h.Mode, len(got), w.name, w.mode, len(w.data))
		}
	}
	if _, err := tr.Next(); err != io.EOF {
		t.Fatalf("more entries than files: %v", err)
	}
	if err := writeContext(io.Discard, [][2]string{{"gone", filepath.Join(dir, "missing")}}, ""); err == nil {
		t.Fatal("a missing file made a context")
	}
}
