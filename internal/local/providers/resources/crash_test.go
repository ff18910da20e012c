package resources_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
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
// the kill -9 test.
func TestMain(m *testing.M) {
	if dir := os.Getenv("ACI_LOCAL_DEPLOY_CHILD"); dir != "" {
		srv, err := core.New(core.Options{StateDir: dir, Version: "crash-child"})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		storage.New(srv, "")
		resources.New(srv)
		if err := srv.Start(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		os.WriteFile(filepath.Join(dir, "endpoint.tmp"), []byte(srv.BaseURL()), 0o600)
		os.Rename(filepath.Join(dir, "endpoint.tmp"), filepath.Join(dir, "endpoint"))
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM)
		<-sig
		srv.Close()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

type child struct {
	cmd    *exec.Cmd
	base   string
	client *http.Client
	token  string
	sub    string
}

func startChild(t *testing.T, dir string) *child {
	t.Helper()
	os.Remove(filepath.Join(dir, "endpoint"))
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "ACI_LOCAL_DEPLOY_CHILD="+dir)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(15 * time.Second)
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "endpoint")); err == nil {
			c.base = string(b)
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the child never started")
		}
		time.Sleep(20 * time.Millisecond)
	}
	pem, _ := os.ReadFile(core.CAFile(dir))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	c.client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	var id core.Identity
	b, _ := os.ReadFile(filepath.Join(dir, "principals.json"))
	json.Unmarshal(b, &id)
	c.sub = id.SubscriptionID
	resp, err := c.client.PostForm(c.base+"/adfs/oauth2/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {id.ClientID}, "client_secret": {id.ClientSecret}, "scope": {core.ARMAudience + "/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	c.token = tok.AccessToken
	return c
}

func (c *child) do(t *testing.T, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(b, &m)
	return resp.StatusCode, m
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
