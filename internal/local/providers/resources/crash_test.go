package resources_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aci-cli/aci/internal/local/core"
	"github.com/aci-cli/aci/internal/local/coretest"
	"github.com/aci-cli/aci/internal/local/providers/resources"
	"github.com/aci-cli/aci/internal/local/providers/storage"
)

// TestMain doubles as an aci local child with the deployments provider, for
// the kill -9 and SIGTERM tests.
func TestMain(m *testing.M) {
	coretest.ServeChild("ACI_LOCAL_DEPLOY_CHILD", func(s *core.Server) {
		storage.New(s, "")
		resources.New(s)
	})
	os.Exit(m.Run())
}

type child struct {
	*coretest.Child
	cmd *exec.Cmd
	sub string
}

func startChild(t *testing.T, dir string) *child {
	c := coretest.StartChild(t, "ACI_LOCAL_DEPLOY_CHILD", dir)
	t.Cleanup(func() { c.Cmd.Process.Kill(); c.Cmd.Wait() })
	return &child{Child: c, cmd: c.Cmd, sub: c.Subscription}
}

func (c *child) do(t *testing.T, method, path, body string) (int, map[string]any) {
	t.Helper()
	st, b, err := c.Do(method, path, body)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	return st, m
}

// slowTemplate takes a second or two to evaluate, within every limit.
const slowTemplate = `{"properties": {"mode": "Incremental", "template": {` + head + `,
  "variables": {"copy": [{"name": "a", "count": 400, "input": "[length(union(range(0, 10000), range(copyIndex('a'), 10000)))]"}]},
  "resources": [], "outputs": {"n": {"type": "int", "value": "[length(variables('a'))]"}}}}}`

// kill -9 while a deployment is being evaluated: the next start fails it
// with a reason instead of evaluating it again (a template that kills the
// process would otherwise kill every start), and the server serves on.
func TestKilledWhileEvaluating(t *testing.T) {
	dir := t.TempDir()
	interrupted := 0
	for round := 0; round < 4 && interrupted == 0; round++ {
		c := startChild(t, dir)
		rg := "/subscriptions/" + c.sub + "/resourcegroups/rg"
		if st, m := c.do(t, "PUT", rg+coretest.V, `{"location":"westus"}`); st >= 300 {
			t.Fatalf("group: %d %v", st, m)
		}
		name := fmt.Sprintf("slow%d", round)
		path := rg + "/providers/Microsoft.Resources/deployments/" + name + v
		if st, m := c.do(t, "PUT", path, slowTemplate); st != 201 {
			t.Fatalf("put: %d %v", st, m)
		}
		time.Sleep(300 * time.Millisecond) // the background run is evaluating
		c.cmd.Process.Signal(syscall.SIGKILL)
		c.cmd.Wait()

		c = startChild(t, dir)
		deadline := time.Now().Add(20 * time.Second)
		var state string
		var p map[string]any
		for {
			_, m := c.do(t, "GET", path, "")
			p = props(m)
			state, _ = p["provisioningState"].(string)
			if state == "Succeeded" || state == "Failed" || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		switch {
		case state == "Failed":
			e, _ := p["error"].(map[string]any)
			if e["code"] != "DeploymentInterrupted" || !strings.Contains(fmt.Sprint(e["message"]), "not evaluated again") {
				t.Fatalf("a deployment killed while evaluating failed without saying why: %v", e)
			}
			interrupted++
		case state != "Succeeded":
			t.Fatalf("deployment %s after a restart: %q", name, state)
		}
		if st, _ := c.do(t, "GET", rg+coretest.V, ""); st != 200 {
			t.Fatalf("the server after the restart: %d", st)
		}
		c.cmd.Process.Signal(syscall.SIGTERM)
		c.cmd.Wait()
	}
	if interrupted == 0 {
		t.Fatal("no kill landed during an evaluation in 4 rounds: the test proves nothing")
	}
}

// SIGTERM stops aci local promptly, a template mid-evaluation included.
func TestSigtermDuringEvaluation(t *testing.T) {
	dir := t.TempDir()
	c := startChild(t, dir)
	rg := "/subscriptions/" + c.sub + "/resourcegroups/rg"
	c.do(t, "PUT", rg+coretest.V, `{"location":"westus"}`)
	if st, m := c.do(t, "PUT", rg+"/providers/Microsoft.Resources/deployments/slow"+v, slowTemplate); st != 201 {
		t.Fatalf("put: %d %v", st, m)
	}
	time.Sleep(300 * time.Millisecond)
	done := make(chan error, 1)
	c.cmd.Process.Signal(syscall.SIGTERM)
	go func() { done <- c.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the child's exit: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("SIGTERM during an evaluation did not stop aci local within 5 s")
	}
}

// The 2 KB template that took all memory fails with ARM's InvalidTemplate
// (its outputs are evaluated last, as ARM does), and the server answers on.
func TestDoublingTemplateOverHTTP(t *testing.T) {
	h := start(t)
	vars := []string{`"v0": "xxxxxxxxxxxxxxxx"`}
	for i := 1; i < 26; i++ {
		vars = append(vars, fmt.Sprintf(`"v%d": "[concat(variables('v%d'), variables('v%d'))]"`, i, i-1, i-1))
	}
	body := `{"properties": {"mode": "Incremental", "template": {` + head + `, "variables": {` + strings.Join(vars, ",") +
		`}, "resources": [], "outputs": {"o": {"type": "string", "value": "[variables('v25')]"}}}}}`
	d := deploy(t, h, "boom", body)
	raw, _ := json.Marshal(props(d)["error"])
	if props(d)["provisioningState"] != "Failed" || !strings.Contains(string(raw), "InvalidTemplate") || !strings.Contains(string(raw), "bytes for one value") {
		t.Fatalf("the doubling template: %v", d)
	}
	if a := h.Do("GET", h.RG("rg")+coretest.V, ""); a.Status != 200 {
		t.Fatalf("after it: %d", a.Status)
	}
}
