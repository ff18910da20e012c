package e2e

import (
	"bytes"
	"context"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aci-cli/aci/internal/clitest"
	"github.com/aci-cli/aci/internal/shlex"
	"gopkg.in/yaml.v3"
)

// scenario is one differential scenario of test/azdiff/scenarios.yaml.
type scenario struct {
	Name      string   `yaml:"name"`
	Cassettes []string `yaml:"cassettes"`
	Commands  []string `yaml:"commands"`
}

// TestAzDiff: the same command lines under the real az and under aci, each
// against its own fresh replay of the same recorded traffic, must print the
// same stdout and exit with the same code.
func TestAzDiff(t *testing.T) {
	az := requireAz(t)
	b, err := os.ReadFile("../azdiff/scenarios.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var scenarios []scenario
	if err := yaml.Unmarshal(b, &scenarios); err != nil {
		t.Fatal(err)
	}
	if len(scenarios) < 10 {
		t.Fatalf("only %d scenarios", len(scenarios))
	}
	for _, sc := range scenarios {
		sc := sc
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			var azOut, aciOut []result
			var azErr, aciErr error
			var wg sync.WaitGroup
			wg.Add(2)
			go func() { defer wg.Done(); azOut, azErr = replayRun(t, sc, "az", az) }()
			go func() { defer wg.Done(); aciOut, aciErr = replayRun(t, sc, "aci", aciBin) }()
			wg.Wait()
			if azErr != nil || aciErr != nil {
				t.Fatalf("setup: az: %v; aci: %v", azErr, aciErr)
			}
			same := 0
			for i, c := range sc.Commands {
				a, b := azOut[i], aciOut[i]
				if a.code == b.code && a.stdout == b.stdout {
					same++
					continue
				}
				t.Errorf("%s\n  az  exit %d:\n%s  az stderr: %.300s\n  aci exit %d:\n%s  aci stderr: %.300s", c, a.code, a.stdout, a.stderr, b.code, b.stdout, b.stderr)
			}
			t.Logf("identical: %d/%d", same, len(sc.Commands))
		})
	}
}

// replayRun logs tool in to a fresh replay of the scenario's cassettes and runs
// its commands in order.
func replayRun(t *testing.T, sc scenario, tool, bin string) ([]result, error) {
	s := clitest.NewServer(t)
	s.RetryAfter = "1"
	for _, c := range sc.Cassettes {
		s.LoadCassette(t, c)
	}
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw}), 0o644)
	cfg := filepath.Join(dir, tool+"-config")
	var env []string
	var setup [][]string
	if tool == "az" {
		env = []string{"AZURE_CONFIG_DIR=" + cfg, "REQUESTS_CA_BUNDLE=" + ca, "AZURE_CORE_COLLECT_TELEMETRY=false", "AZURE_CORE_NO_COLOR=true"}
		setup = [][]string{
			{"cloud", "register", "-n", "replay", "--endpoint-resource-manager", s.URL + "/",
				"--suffix-acr-login-server-endpoint", ".azurecr.io", "--suffix-storage-endpoint", "core.windows.net"},
			{"cloud", "set", "-n", "replay"},
		}
	} else {
		env = []string{"ACI_CONFIG_DIR=" + cfg, "SSL_CERT_FILE=" + ca, "NO_COLOR=1"}
		setup = [][]string{
			{"cloud", "register", "--name", "replay", "--endpoint-resource-manager", s.URL + "/"},
			{"cloud", "set", "--name", "replay"},
		}
	}
	setup = append(setup, []string{"login", "--service-principal", "-u", "replay-client", "-p", "replay-secret", "--tenant", clitest.Tenant, "-o", "none"})
	for _, step := range setup {
		if r := runTimed(t, env, bin, step...); r.code != 0 {
			return nil, fmt.Errorf("%v: exit %d: %s", step, r.code, r.stderr)
		}
	}
	var out []result
	for _, c := range sc.Commands {
		args, err := shlex.Split(c)
		if err != nil {
			return nil, fmt.Errorf("%q: %v", c, err)
		}
		out = append(out, runTimed(t, env, bin, args...))
	}
	return out, nil
}

// runTimed is run with a time limit, as a hung command must fail the test.
func runTimed(t *testing.T, env []string, name string, args ...string) result {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = cleanEnv(env)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		r.code, r.stderr = 127, err.Error()
	}
	if ctx.Err() != nil {
		r.code, r.stderr = 124, "timed out: "+strings.Join(args, " ")
	}
	return r
}
