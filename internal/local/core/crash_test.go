package core_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"github.com/aci-cli/aci/internal/local/core"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv("ACI_LOCAL_CRASH_CHILD"); dir != "" {
		srv, err := core.New(core.Options{StateDir: dir, Version: "crash-child"})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if err := srv.Start(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		os.WriteFile(filepath.Join(dir, "endpoint.tmp"), []byte(srv.BaseURL()), 0o600)
		os.Rename(filepath.Join(dir, "endpoint.tmp"), filepath.Join(dir, "endpoint"))
		// SIGTERM is the orderly stop: Close waits for resumed operations.
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM)
		<-sig
		srv.Close()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

type child struct {
	cmd      *exec.Cmd
	endpoint string
	client   *http.Client
	token    string
}

func startChild(t *testing.T, dir string) *child {
	t.Helper()
	os.Remove(filepath.Join(dir, "endpoint"))
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "ACI_LOCAL_CRASH_CHILD="+dir)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "endpoint")); err == nil {
			c.endpoint = string(b)
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("child did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	pem, _ := os.ReadFile(core.CAFile(dir))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	c.client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	var id core.Identity
	b, _ := os.ReadFile(filepath.Join(dir, "principals.json"))
	json.Unmarshal(b, &id)
	resp, err := c.client.PostForm(c.endpoint+"/adfs/oauth2/token", url.Values{"grant_type": {"client_credentials"},
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

func (c *child) do(method, path, body string) (int, error) {
	req, _ := http.NewRequest(method, c.endpoint+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// TestCrashSafety kills the server with SIGKILL at random moments of a
// create/delete workload; after each restart every acknowledged create is there,
// every acknowledged delete completes, and no operation stays InProgress.
func TestCrashSafety(t *testing.T) {
	dir := t.TempDir()
	var sub string
	{
		c := startChild(t, dir)
		var id core.Identity
		b, _ := os.ReadFile(filepath.Join(dir, "principals.json"))
		json.Unmarshal(b, &id)
		sub = id.SubscriptionID
		c.cmd.Process.Kill()
		c.cmd.Wait()
	}
	rgPath := func(n string) string {
		return "/subscriptions/" + sub + "/resourcegroups/" + n + "?api-version=2021-04-01"
	}
	var mu sync.Mutex
	created := map[string]bool{} // acknowledged creates
	deleted := map[string]bool{} // acknowledged deletes
	touched := map[string]bool{} // a delete was sent but its coretest.Answer was lost
	rounds := 6
	for round := 0; round < rounds; round++ {
		c := startChild(t, dir)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					name := fmt.Sprintf("r%d-w%d-%d", round, w, i)
					code, err := c.do("PUT", rgPath(name), `{"location":"westus"}`)
					if err == nil && (code == 201 || code == 200) {
						mu.Lock()
						created[name] = true
						mu.Unlock()
					}
					if i%3 == 2 {
						victim := fmt.Sprintf("r%d-w%d-%d", round, w, i-1)
						mu.Lock()
						ok := created[victim]
						if ok {
							touched[victim] = true
						}
						mu.Unlock()
						if ok {
							if code, err := c.do("DELETE", rgPath(victim), ""); err == nil && code == 202 {
								mu.Lock()
								deleted[victim] = true
								delete(touched, victim)
								mu.Unlock()
							}
						}
					}
				}
			}(w)
		}
		time.Sleep(time.Duration(30+rand.IntN(200)) * time.Millisecond)
		c.cmd.Process.Signal(syscall.SIGKILL)
		close(stop)
		wg.Wait()
		c.cmd.Wait()
	}
	c := startChild(t, dir)
	defer func() { c.cmd.Process.Kill(); c.cmd.Wait() }()
	if len(created) < 20 {
		t.Fatalf("workload too small to mean anything: %d creates", len(created))
	}
	deadline := time.Now().Add(10 * time.Second)
	for name := range created {
		if touched[name] {
			continue
		}
		for {
			code, err := c.do("GET", rgPath(name), "")
			if err != nil {
				t.Fatal(err)
			}
			if !deleted[name] && code != 200 {
				t.Fatalf("acknowledged create %s lost: %d", name, code)
			}
			if !deleted[name] || code == 404 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("acknowledged delete of %s never finished: %d", name, code)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// No operation may stay InProgress: resumed ones finish before an orderly stop.
	c.cmd.Process.Signal(syscall.SIGTERM)
	c.cmd.Wait()
	st, err := core.OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	ops, _ := st.Operations()
	st.Close()
	for _, op := range ops {
		if op.Status == "InProgress" {
			t.Fatalf("operation %s still InProgress after restart", op.ID)
		}
	}
	t.Logf("%d acknowledged creates, %d acknowledged deletes, %d operations checked over %d crashes", len(created), len(deleted), len(ops), rounds)
}
