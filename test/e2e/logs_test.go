package e2e

import (
	"strings"
	"testing"
	"time"
)

// After a restart, `container logs` shows the current container's output,
// as ACI does, not every run's.
func TestLogsAfterRestart(t *testing.T) {
	requireDocker(t)
	env := localEnv(t)
	aci := func(args ...string) result { return run(t, env, aciBin, args...) }
	must(t, aci("group", "create", "-n", "lr", "-l", "westus", "-o", "none"), 0)
	must(t, aci("container", "create", "-g", "lr", "-n", "runs", "--image", "mcr.microsoft.com/azuredocs/aci-helloworld", "-o", "none",
		"--command-line", "/bin/sh -c 'echo this run started; sleep 600'"), 0)
	waitLines := func(want int) string {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			r := must(t, aci("container", "logs", "-g", "lr", "-n", "runs"), 0)
			if n := strings.Count(r.stdout, "this run started"); n == want {
				return r.stdout
			} else if n > want || time.Now().After(deadline) {
				t.Fatalf("logs show %d runs' lines, want %d:\n%s", n, want, r.stdout)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	waitLines(1)
	must(t, aci("container", "restart", "-g", "lr", "-n", "runs"), 0)
	time.Sleep(time.Second)
	waitLines(1)
}
