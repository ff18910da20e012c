package containerregistry

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"strings"
)

var (
	fromRE = regexp.MustCompile(`(?i)^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?`)
	argRE  = regexp.MustCompile(`(?i)^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)(?:=(\S*))?`)
	varRE  = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?`)
)

// baseImages reads the Dockerfile from a build context (tar.gz) and returns
// the images its FROM lines name (build stages and scratch left out), with
// ARGs declared before the first FROM substituted, as Docker does.
func baseImages(contextFile, dockerfile string, args map[string]*string) ([]string, error) {
	f, err := os.Open(contextFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("the context is not a gzipped tar: %v", err)
	}
	tr := tar.NewReader(gz)
	want := path.Clean(strings.TrimPrefix(dockerfile, "./"))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, fmt.Errorf("the Dockerfile '%s' is not in the context", dockerfile)
		}
		if err != nil {
			return nil, fmt.Errorf("the context cannot be read: %v", err)
		}
		if path.Clean(strings.TrimPrefix(h.Name, "./")) != want || h.Typeflag != tar.TypeReg {
			continue
		}
		return parseFroms(io.LimitReader(tr, 1<<20), args), nil
	}
}

func parseFroms(r io.Reader, args map[string]*string) []string {
	vars := map[string]string{}
	stages := map[string]bool{}
	var out []string
	sc := bufio.NewScanner(r)
	seenFrom := false
	for sc.Scan() {
		line := sc.Text()
		if m := argRE.FindStringSubmatch(line); m != nil && !seenFrom {
			vars[m[1]] = m[2]
			if v, ok := args[m[1]]; ok && v != nil {
				vars[m[1]] = *v
			}
			continue
		}
		m := fromRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		seenFrom = true
		img := varRE.ReplaceAllStringFunc(m[1], func(s string) string { return vars[varRE.FindStringSubmatch(s)[1]] })
		if m[2] != "" {
			stages[strings.ToLower(m[2])] = true
		}
		if strings.EqualFold(img, "scratch") || stages[strings.ToLower(img)] {
			continue
		}
		out = append(out, img)
	}
	return out
}
