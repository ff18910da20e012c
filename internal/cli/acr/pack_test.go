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

// .dockerignore follows Docker's rules: '**' at any depth, '!' bringing
// back what an earlier line left out (even inside an excluded directory),
// comments, and the Dockerfile and .dockerignore always sent.
func TestPackContextDockerignoreRules(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"Dockerfile": "FROM scratch\n", "docs/a.md": "a", "docs/keep.md": "k",
		"src/x/y/z.tmp": "t", "src/x/main.go": "m", "build/out.bin": "b", "build/important.txt": "i",
		".dockerignore": "# comment\n**/*.tmp\ndocs\n!docs/keep.md\nbuild\n!build/important.txt\nDockerfile\n.dockerignore\n",
	}
	for name, body := range files {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := packContext(dir, "", &buf); err != nil {
		t.Fatal(err)
	}
	gz, err := gzip.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var files2 []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			files2 = append(files2, h.Name)
		}
	}
	sort.Strings(files2)
	want := ".dockerignore,Dockerfile,build/important.txt,docs/keep.md,src/x/main.go"
	if got := strings.Join(files2, ","); got != want {
		t.Fatalf("files sent: %s, want %s", got, want)
	}
}
