package e2e

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAzDiff runs shared/tools/azdiff.py: the same command lines under the real az
// and under aci against replays of az's recorded traffic must print the same.
func TestAzDiff(t *testing.T) {
	requireAz(t)
	shared, _ := filepath.Abs("../../../shared")
	cases := []struct{ file, scenario string }{
		{filepath.Join(shared, "tools", "scenarios.yaml"), "resource-group"},
		{filepath.Join(shared, "tools", "scenarios.yaml"), "provider"},
		{"../azdiff/scenarios.yaml", "group-formats"},
		{"../azdiff/scenarios.yaml", "group-queries"},
		{"../azdiff/scenarios.yaml", "provider-formats"},
		{filepath.Join(shared, "tools", "scenarios.yaml"), "container-create"},
		{"../azdiff/scenarios.yaml", "container-formats"},
		{"../azdiff/scenarios.yaml", "container-queries"},
		{"../azdiff/scenarios.yaml", "container-confidential"},
		{"../azdiff/scenarios.yaml", "container-acr"},
		{"../azdiff/scenarios.yaml", "container-msi"},
		{"../azdiff/scenarios.yaml", "container-exec"},
	}
	for _, c := range cases {
		t.Run(c.scenario, func(t *testing.T) {
			cmd := exec.Command("/usr/bin/python3", filepath.Join(shared, "tools", "azdiff.py"), "--aci", aciBin,
				"--scenarios", c.file, "--cassette-root", filepath.Join(shared, "reference", "az", "recordings"),
				"--only", c.scenario, "--verbose")
			cmd.Env = cleanEnv(nil)
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "identical: ") {
				t.Fatalf("azdiff %s: %v\n%s", c.scenario, err, out)
			}
			t.Log(strings.TrimSpace(string(out[strings.LastIndex(string(out), "identical: "):])))
		})
	}
}
