package clitest

import (
	"time"

	"context"
	"net/http"
	"testing"

	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/cli/root"
)

// Result is one invocation's outcome.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// Env is a config directory logged in to a Server's cloud.
type Env struct {
	T         testing.TB
	Server    *Server
	ConfigDir string
	// Stdin, and whether the streams are terminals, for the next Run.
	Stdin               string
	StdinTTY, StdoutTTY bool
	StderrTTY           bool
	HTTPClient          *http.Client
}

// NewEnv registers the server as cloud "replay" and logs in with a service
// principal through the real commands.
func NewEnv(t testing.TB, s *Server) *Env {
	t.Helper()
	t.Setenv("ACI_CORE_OUTPUT", "")
	// A login az may have on this machine must not stand in for the test's.
	t.Setenv("AZURE_CONFIG_DIR", t.TempDir())
	e := &Env{T: t, Server: s, ConfigDir: t.TempDir(), HTTPClient: s.Client()}
	for _, args := range [][]string{
		{"cloud", "register", "--name", "replay", "--endpoint-resource-manager", s.URL + "/"},
		{"cloud", "set", "--name", "replay"},
		{"login", "--service-principal", "-u", "replay-client", "-p", "replay-secret", "--tenant", Tenant, "-o", "none"},
	} {
		if r := e.Run(args...); r.Code != 0 {
			t.Fatalf("setup %v: exit %d: %s", args, r.Code, r.Stderr)
		}
	}
	s.Reset()
	return e
}

// Run executes one aci command line.
func (e *Env) Run(args ...string) Result {
	io, in, out, errOut := cmdutil.Test()
	in.WriteString(e.Stdin)
	io.StdinTTY, io.StdoutTTY, io.StderrTTY = e.StdinTTY, e.StdoutTTY, e.StderrTTY
	f := &cmdutil.Factory{IO: io, Version: "test", ConfigDir: e.ConfigDir, HTTPClient: e.HTTPClient,
		Intervals: cmdutil.Intervals{LRO: 10 * time.Millisecond, Provider: 10 * time.Millisecond, Follow: time.Millisecond}}
	err := root.Execute(context.Background(), f, args)
	r := Result{Stdout: out.String(), Stderr: errOut.String()}
	if err != nil {
		r.Stderr += f.ErrorOutput(err)
		r.Code = cmdutil.ExitCode(err)
	}
	return r
}
