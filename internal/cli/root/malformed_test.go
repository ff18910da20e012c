package root_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/clitest"
	"github.com/aci-cli/aci/internal/shlex"
)

// TestMalformedCorpus runs every row of testdata/malformed.txt: a malformed
// command line must end with its exit code and one "ERROR: ..." line, print
// nothing on stdout, send no request and never show a Go panic.
func TestMalformedCorpus(t *testing.T) {
	const path = "testdata/malformed.txt"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	update := os.Getenv("ACI_UPDATE_MALFORMED") != ""
	s := clitest.NewServer(t)
	e := clitest.NewEnv(t, s)
	var out []string
	n := 0
	for _, line := range strings.Split(strings.TrimRight(string(raw), "\n"), "\n") {
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			out = append(out, line)
			continue
		}
		n++
		cols := strings.SplitN(line, " | ", 3)
		args, err := shlex.Split(cols[0])
		if err != nil {
			t.Fatalf("%q: %v", cols[0], err)
		}
		before := len(s.Requests())
		r := e.Run(args...)
		if len(s.Requests()) != before {
			t.Errorf("%s: sent a request", cols[0])
		}
		first, _, _ := strings.Cut(r.Stderr, "\n")
		if strings.Contains(r.Stderr, "goroutine ") || strings.Contains(r.Stderr, "panic:") || strings.Contains(r.Stderr, ".go:") {
			t.Errorf("%s: Go internals on stderr: %s", cols[0], r.Stderr)
		}
		if r.Stdout != "" {
			t.Errorf("%s: stdout %q", cols[0], r.Stdout)
		}
		if r.Code == 0 || !strings.HasPrefix(first, "ERROR: ") {
			t.Errorf("%s: exit %d, stderr %q: not an error", cols[0], r.Code, r.Stderr)
		}
		if update {
			out = append(out, cols[0]+" | "+strconv.Itoa(r.Code)+" | "+first)
			continue
		}
		if len(cols) != 3 {
			t.Errorf("%s: no expected exit code and line (see the file's header)", cols[0])
			continue
		}
		if want, _ := strconv.Atoi(cols[1]); r.Code != want || first != cols[2] {
			t.Errorf("%s:\n got %d | %s\nwant %s | %s", cols[0], r.Code, first, cols[1], cols[2])
		}
	}
	if n < 100 {
		t.Fatalf("the corpus has %d command lines; keep at least 100", n)
	}
	if update {
		os.WriteFile(path, []byte(strings.Join(out, "\n")+"\n"), 0o644)
	}
}
