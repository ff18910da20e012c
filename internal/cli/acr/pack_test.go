package acr

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestPackContext(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"Dockerfile": "FROM scratch\n", "app/main.go": "package main\n", "app/debug.log": "x",
		".git/HEAD": "ref", ".dockerignore": "*.log\napp/*.log\nsecret\n", "secret/key": "k", "keep.txt": "k"} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755)
		os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644)
	}
	os.Symlink("keep.txt", filepath.Join(dir, "link"))
	outside := filepath.Join(t.TempDir(), "Build.dockerfile")
	os.WriteFile(outside, []byte("FROM scratch\nCOPY keep.txt /\n"), 0o644)

	names := func(dockerfile string) (string, []string, map[string]string) {
		var buf bytes.Buffer
		in, err := packContext(dir, dockerfile, &buf)
		if err != nil {
			t.Fatal(err)
		}
		gz, err := gzip.NewReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(gz)
		var out []string
		links := map[string]string{}
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, h.Name)
			if h.Typeflag == tar.TypeSymlink {
				links[h.Name] = h.Linkname
			}
		}
		sort.Strings(out)
		return in, out, links
	}
	in, got, links := names("")
	if in != "Dockerfile" || strings.Join(got, ",") != ".dockerignore,Dockerfile,app,app/main.go,keep.txt,link" || links["link"] != "keep.txt" {
		t.Fatalf("context %s: %v %v", in, got, links)
	}
	in, got, _ = names(outside)
	if !strings.HasSuffix(in, "_Build.dockerfile") || !strings.Contains(strings.Join(got, ","), in) {
		t.Fatalf("outside Dockerfile as %q: %v", in, got)
	}
	if in, _, _ = names(filepath.Join(dir, "Dockerfile")); in != "Dockerfile" {
		t.Fatalf("inside Dockerfile as %q", in)
	}
}
