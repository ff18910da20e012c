package core_test

import (
	"encoding/json"
	"fmt"
	"github.com/aci-cli/aci/internal/local/core"
	"github.com/aci-cli/aci/internal/local/coretest"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	coretest.ServeChild("ACI_LOCAL_CRASH_CHILD", nil)
	os.Exit(m.Run())
}

type child struct{ *coretest.Child }

func startChild(t *testing.T, dir string) *child {
	return &child{coretest.StartChild(t, "ACI_LOCAL_CRASH_CHILD", dir)}
}

func (c *child) do(method, path, body string) (int, error) {
	st, _, err := c.Do(method, path, body)
	return st, err
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
		c.Cmd.Process.Kill()
		c.Cmd.Wait()
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
		c.Cmd.Process.Signal(syscall.SIGKILL)
		close(stop)
		wg.Wait()
		c.Cmd.Wait()
	}
	c := startChild(t, dir)
	defer func() { c.Cmd.Process.Kill(); c.Cmd.Wait() }()
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
	c.Cmd.Process.Signal(syscall.SIGTERM)
	c.Cmd.Wait()
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
