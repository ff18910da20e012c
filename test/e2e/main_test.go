// Package e2e drives the built aci binary, as a user would, against aci local over
// real HTTPS, and the real az CLI against the same endpoint.
package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var aciBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "aci-e2e")
	if err != nil {
		panic(err)
	}
	aciBin = filepath.Join(dir, "aci")
	// The binaries side by side, as make build puts them (aci finds aci-local
	// and aci-connector beside itself), static as make build makes them.
	// -trimpath as make build: the (large) connector's packages come from the
	// same build cache.
	for _, b := range []string{"aci", "aci-local", "aci-connector"} {
		build := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(dir, b), "../../cmd/"+b)
		build.Stderr = os.Stderr
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "building", b+":", err)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// run executes a command with env added to a clean copy of the environment.
func run(t testing.TB, env []string, name string, args ...string) result {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = cleanEnv(env)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return r
}

func cleanEnv(extra []string) []string {
	var env []string
	for _, e := range os.Environ() {
		k, _, _ := strings.Cut(e, "=")
		if strings.HasPrefix(k, "AZURE_") || strings.HasPrefix(k, "ACI_") || k == "REQUESTS_CA_BUNDLE" || k == "SSL_CERT_FILE" {
			continue
		}
		env = append(env, e)
	}
	return append(env, extra...)
}

// localEnv starts aci local on a free port in a fresh config dir and stops it at
// the end of the test.
func localEnv(t testing.TB) []string {
	t.Helper()
	env := []string{"ACI_CONFIG_DIR=" + t.TempDir()}
	r := run(t, env, aciBin, "local", "start", "--detach", "--port", "0", "-o", "none")
	if r.code != 0 {
		t.Fatalf("local start: %+v", r)
	}
	t.Cleanup(func() {
		run(t, env, aciBin, "local", "stop")
		run(t, env, aciBin, "local", "reset") // also removes the groups' Docker objects
	})
	return env
}

func must(t testing.TB, r result, code int) result {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s", r.code, code, r.stdout, r.stderr)
	}
	return r
}
