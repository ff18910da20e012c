package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// ledger is what the workload was told: per group, the last acknowledged
// operation and whether an unacknowledged one followed it (its outcome is
// either way).
type ledger struct {
	mu      sync.Mutex
	last    map[string]string // "create" or "delete"
	unacked map[string]bool
}

func (l *ledger) record(name, op string, acked bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if acked {
		l.last[name], l.unacked[name] = op, false
	} else {
		l.unacked[name] = true
	}
}

// TestCrashAtScale SIGKILLs aci local (Docker runtime) again and again while
// workers create, delete and exec container groups through the aci CLI. After
// the last restart: every acknowledged create exists and is Running or says
// why it failed, every acknowledged delete is gone, no record is without
// containers, no container is without a record, and nothing is stuck or
// failed (the image is aci local's own, so only a crash could fail a group).
func TestCrashAtScale(t *testing.T) {
	requireDocker(t)
	kills := 100
	if n, err := strconv.Atoi(os.Getenv("ACI_CRASH_KILLS")); err == nil && n > 0 {
		kills = n
	}
	cfg := t.TempDir()
	env := []string{"ACI_CONFIG_DIR=" + cfg}
	port := freePort(t)
	stateDir := filepath.Join(cfg, "local")
	startLocal := func() {
		t.Helper()
		for i := 0; ; i++ {
			r := run(t, env, aciBin, "local", "start", "--detach", "--port", strconv.Itoa(port), "-o", "none")
			if r.code == 0 {
				return
			}
			if i == 20 {
				t.Fatalf("restart: %+v", r)
			}
			if os.Getenv("ACI_CRASH_VERBOSE") != "" {
				t.Logf("restart failed: %+v", r)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	startLocal()
	t.Cleanup(func() {
		run(t, env, aciBin, "local", "stop")
		run(t, env, aciBin, "local", "reset")
	})
	must(t, run(t, env, aciBin, "group", "create", "-n", "crash", "-l", "westus", "-o", "none"), 0)

	led := &ledger{last: map[string]string{}, unacked: map[string]bool{}}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var opsMu sync.Mutex
	ops := map[string]int{}
	count := func(k string) { opsMu.Lock(); ops[k]++; opsMu.Unlock() }
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var live []string
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				switch r := rand.IntN(10); {
				case r < 5 || len(live) == 0:
					name := fmt.Sprintf("crash-w%d-%d", w, i)
					args := []string{"container", "create", "-g", "crash", "-n", name, "--image", "mcr.microsoft.com/azuredocs/aci-helloworld", "--no-wait", "-o", "none"}
					if i%2 == 0 {
						args = append(args, "--ip-address", "Public")
					}
					t0 := time.Now()
					res := run(t, env, aciBin, args...)
					if os.Getenv("ACI_CRASH_VERBOSE") != "" {
						t.Logf("create %s: %d in %v %s", name, res.code, time.Since(t0), res.stderr)
					}
					led.record(name, "create", res.code == 0)
					if res.code == 0 {
						live = append(live, name)
						count("create acked")
					} else {
						first, _, _ := strings.Cut(res.stderr, "\n")
						count("create failed: " + first[:min(len(first), 60)])
					}
				case r < 8:
					k := rand.IntN(len(live))
					name := live[k]
					res := run(t, env, aciBin, "container", "delete", "-g", "crash", "-n", name, "--yes", "-o", "none")
					led.record(name, "delete", res.code == 0)
					if res.code == 0 {
						live = append(live[:k], live[k+1:]...)
						count("delete acked")
					} else if os.Getenv("ACI_CRASH_VERBOSE") != "" {
						t.Logf("delete %s: %d %s", name, res.code, res.stderr)
					}
				default:
					name := live[rand.IntN(len(live))]
					if res := run(t, env, aciBin, "container", "exec", "-g", "crash", "-n", name, "--exec-command", "echo hi"); res.code == 0 {
						count("exec ok")
					}
				}
			}
		}(w)
	}
	for k := 0; k < kills; k++ {
		time.Sleep(time.Duration(300+rand.IntN(1200)) * time.Millisecond)
		pid := localPID(t, stateDir)
		if pid == 0 {
			startLocal()
			continue
		}
		syscall.Kill(pid, syscall.SIGKILL)
		for alive(pid) {
			time.Sleep(5 * time.Millisecond)
		}
		t0 := time.Now()
		startLocal()
		if os.Getenv("ACI_CRASH_VERBOSE") != "" {
			t.Logf("kill %d: pid %d, restarted in %v", k, pid, time.Since(t0))
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("%d kills; %v", kills, ops)
	if os.Getenv("ACI_CRASH_VERBOSE") != "" {
		b, _ := os.ReadFile(filepath.Join(stateDir, "server.log"))
		t.Logf("server.log:\n%s", b)
	}
	if ops["create acked"] < kills/10 {
		t.Fatalf("the workload hardly ran: %v", ops)
	}

	// Let resumed and reconciled operations finish.
	var groups []map[string]any
	deadline := time.Now().Add(3 * time.Minute)
	for {
		r := must(t, run(t, env, aciBin, "container", "list", "-g", "crash", "-o", "json"), 0)
		groups = nil
		json.Unmarshal([]byte(r.stdout), &groups)
		busy := 0
		for _, g := range groups {
			if st := g["provisioningState"]; st != "Succeeded" && st != "Failed" {
				busy++
			}
		}
		if busy == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d groups still provisioning 3 minutes after the last crash: %s", busy, r.stdout)
		}
		time.Sleep(500 * time.Millisecond)
	}
	existing := map[string]map[string]any{}
	for _, g := range groups {
		existing[g["name"].(string)] = g
	}
	for name, op := range led.last {
		_, exists := existing[name]
		if led.unacked[name] {
			continue // a later operation may or may not have happened
		}
		switch {
		case op == "create" && !exists:
			t.Errorf("acknowledged create of %s is lost", name)
		case op == "delete" && exists:
			t.Errorf("acknowledged delete of %s came back", name)
		}
	}
	// Every group that exists runs, or says why it does not.
	running := dockerByGroup(t, stateDir)
	for name := range existing {
		r := must(t, run(t, env, aciBin, "container", "show", "-g", "crash", "-n", name, "-o", "json"), 0)
		var g map[string]any
		json.Unmarshal([]byte(r.stdout), &g)
		state, _ := g["instanceView"].(map[string]any)["state"].(string)
		switch g["provisioningState"] {
		case "Succeeded":
			if state != "Running" {
				t.Errorf("%s: Succeeded but %s", name, state)
			}
			if running[name] == 0 {
				t.Errorf("%s: a record without containers", name)
			}
		default:
			// The image is aci local's own: nothing but a crash could fail it,
			// and crashes must not (a resumed create is idempotent).
			t.Errorf("%s: %v after the crashes: %s", name, g["provisioningState"], r.stdout)
		}
	}
	for name, n := range running {
		if _, ok := existing[name]; !ok {
			t.Errorf("%d containers of %s have no record", n, name)
		}
	}
}

// alive reports whether pid runs; a zombie (a killed detached server whose
// adoptive parent has not reaped it yet) does not.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// localPID reads the running instance's pid from its state dir.
func localPID(t *testing.T, stateDir string) int {
	b, err := os.ReadFile(filepath.Join(stateDir, "runtime.json"))
	if err != nil {
		return 0
	}
	var ri struct {
		PID int `json:"pid"`
	}
	json.Unmarshal(b, &ri)
	return ri.PID
}

// dockerByGroup counts the Docker objects of a state dir per container name
// (a CLI-created group's one container is named after the group).
func dockerByGroup(t *testing.T, stateDir string) map[string]int {
	abs, _ := filepath.Abs(stateDir)
	h := sha256.Sum256([]byte(abs))
	out, err := exec.Command("docker", "ps", "-a", "--filter", "label=aci.local/state="+hex.EncodeToString(h[:6]),
		"--format", `{{.Label "aci.local/container"}}|{{.State}}`).Output()
	if err != nil {
		t.Fatalf("docker ps: %v", err)
	}
	m := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		name, state, _ := strings.Cut(line, "|")
		if name == "" {
			continue
		}
		if _, ok := m[name]; !ok {
			m[name] = 0
		}
		if state == "running" {
			m[name]++
		}
	}
	return m
}
