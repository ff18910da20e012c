package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// requireDocker fails (never skips) when no Docker engine answers: these tests
// are part of the suite and CI runs them.
func requireDocker(t testing.TB) {
	t.Helper()
	c, err := net.DialTimeout("unix", "/var/run/docker.sock", time.Second)
	if err != nil {
		t.Fatalf("the Docker engine is needed for this test (CI=%s): %v", os.Getenv("CI"), err)
	}
	c.Close()
}

// dockerObjects counts the containers aci local made for one config dir.
func dockerObjects(t *testing.T, env []string) int {
	dir, _ := filepath.Abs(filepath.Join(strings.TrimPrefix(env[0], "ACI_CONFIG_DIR="), "local"))
	h := sha256.Sum256([]byte(dir))
	out, err := exec.Command("docker", "ps", "-aq", "--filter", "label=aci.local/state="+hex.EncodeToString(h[:6])).Output()
	if err != nil {
		t.Fatalf("docker ps: %v", err)
	}
	return len(strings.Fields(string(out)))
}

func getUntil200(t testing.TB, url string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := (&http.Client{Timeout: 2 * time.Second}).Get(url)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return string(b)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never answered 200: %v", url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestContainersOnDocker(t *testing.T) {
	requireDocker(t)
	env := localEnv(t)
	if r := must(t, run(t, env, aciBin, "local", "status", "--query", "runtime", "-o", "tsv"), 0); r.stdout != "docker\n" {
		t.Fatalf("runtime: %s", r.stdout)
	}
	must(t, run(t, env, aciBin, "group", "create", "-n", "rg", "-l", "westus", "-o", "none"), 0)
	r := must(t, run(t, env, aciBin, "container", "create", "-g", "rg", "-n", "hello", "--image", "mcr.microsoft.com/azuredocs/aci-helloworld",
		"--ip-address", "Public", "--dns-name-label", "hello-e2e", "-o", "json"), 0)
	var g map[string]any
	json.Unmarshal([]byte(r.stdout), &g)
	ip := g["ipAddress"].(map[string]any)
	if g["provisioningState"] != "Succeeded" || ip["fqdn"] != "hello-e2e.westus.azurecontainer.io" || !strings.HasPrefix(ip["ip"].(string), "127.0.2.") {
		t.Fatalf("create: %s", r.stdout)
	}
	url := "http://" + ip["ip"].(string) + ":80/"
	if body := getUntil200(t, url); !strings.Contains(body, "Welcome to Azure Container Instances!") {
		t.Fatalf("page: %s", body)
	}
	if r := must(t, run(t, env, aciBin, "container", "logs", "-g", "rg", "-n", "hello"), 0); !strings.Contains(r.stdout, "GET / ") {
		t.Fatalf("logs lack the request: %s", r.stdout)
	}
	if r := must(t, run(t, env, aciBin, "container", "exec", "-g", "rg", "-n", "hello", "--", "ls", "/"), 0); !strings.Contains(r.stdout, "bin\n") {
		t.Fatalf("exec ls: %q", r.stdout)
	}
	cmd := exec.Command(aciBin, "container", "exec", "-g", "rg", "-n", "hello", "--", "sh", "-c", "cat; exit 4")
	cmd.Env = cleanEnv(env)
	cmd.Stdin = strings.NewReader("from a pipe\n")
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 4 || string(out) != "from a pipe\n" {
		t.Fatalf("exec with stdin: %q %v", out, err)
	}
	state := func() string {
		return strings.TrimSpace(must(t, run(t, env, aciBin, "container", "show", "-g", "rg", "-n", "hello", "--query", "instanceView.state", "-o", "tsv"), 0).stdout)
	}
	must(t, run(t, env, aciBin, "container", "stop", "-g", "rg", "-n", "hello"), 0)
	if s := state(); s != "Stopped" {
		t.Fatalf("after stop: %s", s)
	}
	must(t, run(t, env, aciBin, "container", "start", "-g", "rg", "-n", "hello"), 0)
	if s := state(); s != "Running" {
		t.Fatalf("after start: %s", s)
	}
	getUntil200(t, url)
	must(t, run(t, env, aciBin, "container", "restart", "-g", "rg", "-n", "hello"), 0)
	getUntil200(t, url)
	r = must(t, run(t, env, aciBin, "container", "show", "-g", "rg", "-n", "hello", "--query", "containers[0].instanceView.events[].name", "-o", "tsv"), 0)
	for _, ev := range []string{"Pulling", "Pulled", "Created", "Started", "Killing"} {
		if !strings.Contains(r.stdout, ev+"\n") {
			t.Fatalf("events lack %s: %s", ev, r.stdout)
		}
	}
	if r := must(t, run(t, env, aciBin, "container", "show", "-g", "rg", "-n", "hello", "--query", "instanceView.events[0].message", "-o", "tsv"), 0); !strings.Contains(r.stdout, "docker runtime") {
		t.Fatalf("runtime event: %s", r.stdout)
	}

	// A run-once group: its exit code is reported and returned by container wait.
	must(t, run(t, env, aciBin, "container", "create", "-g", "rg", "-n", "once", "--image", "mcr.microsoft.com/azuredocs/aci-helloworld",
		"--restart-policy", "Never", "--command-line", "/bin/sh -c 'echo one; echo two; exit 3'", "--no-wait"), 0)
	if r := run(t, env, aciBin, "container", "wait", "-g", "rg", "-n", "once", "--interval", "200ms"); r.code != 0 || r.stdout != "3\n" ||
		r.stderr != "container 'once' terminated with exit code 3\n" {
		t.Fatalf("wait: %+v", r)
	}
	if r := run(t, env, aciBin, "container", "wait", "-g", "rg", "-n", "once", "--exit-code", "-o", "none"); r.code != 3 {
		t.Fatalf("wait --exit-code: %+v", r)
	}
	r = must(t, run(t, env, aciBin, "container", "show", "-g", "rg", "-n", "once", "--query", "[instanceView.state, containers[0].instanceView.currentState.exitCode]", "-o", "tsv"), 0)
	if r.stdout != "Failed\n3\n" {
		t.Fatalf("run-once state: %q", r.stdout)
	}
	if r := must(t, run(t, env, aciBin, "container", "logs", "-g", "rg", "-n", "once", "--follow"), 0); r.stdout != "one\ntwo\n" {
		t.Fatalf("logs --follow of a terminated container: %q", r.stdout)
	}

	// export → create --file round trip into another group.
	file := filepath.Join(t.TempDir(), "hello.yaml")
	must(t, run(t, env, aciBin, "container", "export", "-g", "rg", "-n", "hello", "-f", file), 0)
	must(t, run(t, env, aciBin, "group", "create", "-n", "rg2", "-l", "westus", "-o", "none"), 0)
	yaml, _ := os.ReadFile(file)
	os.WriteFile(file, []byte(strings.Replace(string(yaml), "dnsNameLabel: hello-e2e", "dnsNameLabel: hello-copy", 1)), 0o600)
	if r := must(t, run(t, env, aciBin, "container", "create", "-g", "rg2", "-f", file, "--query", "properties.provisioningState", "-o", "tsv"), 0); r.stdout != "Succeeded\n" {
		t.Fatalf("create --file: %+v", r)
	}

	// Bad input: ARM's code, a one-line message, nothing left behind.
	before := dockerObjects(t, env)
	dup := filepath.Join(t.TempDir(), "dup.yaml")
	os.WriteFile(dup, []byte("name: dup\nlocation: westus\nproperties:\n  osType: Linux\n  containers:\n  - name: a\n    properties: {image: x, resources: {requests: {cpu: 1, memoryInGB: 1}}}\n  - name: a\n    properties: {image: x, resources: {requests: {cpu: 1, memoryInGB: 1}}}\n"), 0o600)
	both := filepath.Join(t.TempDir(), "both.yaml")
	os.WriteFile(both, []byte("name: both\nlocation: westus\nproperties:\n  osType: Linux\n  containers:\n  - name: a\n    properties:\n      image: mcr.microsoft.com/azuredocs/aci-helloworld\n      resources: {requests: {cpu: 1, memoryInGB: 1}}\n      environmentVariables: [{name: K, value: v, secureValue: s}]\n"), 0o600)
	for _, c := range []struct {
		args []string
		code string
	}{
		{[]string{"container", "create", "-g", "rg", "-n", "bad1", "--image", "no/such-image:1"}, "InaccessibleImage"},
		{[]string{"container", "create", "-g", "rg", "-n", "bad2", "--image", "mcr.microsoft.com/azuredocs/aci-helloworld", "--cpu", "100"}, "InvalidContainerResourceRequests"},
		{[]string{"container", "create", "-g", "rg", "-n", "Bad_Name", "--image", "mcr.microsoft.com/azuredocs/aci-helloworld"}, "InvalidContainerGroupName"},
		{[]string{"container", "create", "-g", "rg", "-f", dup}, "DuplicateContainerName"},
		{[]string{"container", "create", "-g", "rg", "-f", both}, "InvalidEnvironmentVariable"},
	} {
		r := run(t, env, aciBin, c.args...)
		if r.code != 1 || !strings.HasPrefix(r.stderr, "ERROR: ("+c.code+") ") {
			t.Errorf("%v: exit %d: %s", c.args, r.code, r.stderr)
		}
	}
	if r := must(t, run(t, env, aciBin, "container", "list", "-g", "rg", "--query", "[].id", "-o", "tsv"), 0); strings.Count(r.stdout, "/resourceGroups/rg/") != 2 || strings.Count(r.stdout, "\n") != 2 {
		t.Fatalf("a bad create left a group: %s", r.stdout)
	}
	if after := dockerObjects(t, env); after != before {
		t.Fatalf("bad creates left Docker objects: %d -> %d", before, after)
	}

	// Deleting everything leaves no Docker object behind.
	r = must(t, run(t, env, aciBin, "container", "delete", "-g", "rg", "-n", "hello", "-y", "--query", "name", "-o", "tsv"), 0)
	if r.stdout != "hello\n" {
		t.Fatalf("delete prints the group: %q", r.stdout)
	}
	must(t, run(t, env, aciBin, "group", "delete", "-n", "rg", "-y"), 0)
	must(t, run(t, env, aciBin, "group", "delete", "-n", "rg2", "-y"), 0)
	if n := dockerObjects(t, env); n != 0 {
		t.Fatalf("%d Docker objects left", n)
	}
}

// TestWithoutDocker: with no engine reachable aci local still starts, says so,
// serves the built-in hello image from its own process and refuses others fast.
func TestWithoutDocker(t *testing.T) {
	env := []string{"ACI_CONFIG_DIR=" + t.TempDir(), "DOCKER_HOST=unix:///nonexistent/docker.sock"}
	must(t, run(t, env, aciBin, "local", "start", "--detach", "--port", "0", "-o", "none"), 0)
	t.Cleanup(func() { run(t, env, aciBin, "local", "stop") })
	r := must(t, run(t, env, aciBin, "local", "status", "--query", "[runtime, docker]", "-o", "tsv"), 0)
	if r.stdout != "process\nunavailable\n" {
		t.Fatalf("status: %q", r.stdout)
	}
	must(t, run(t, env, aciBin, "group", "create", "-n", "rg", "-l", "westus", "-o", "none"), 0)
	r = must(t, run(t, env, aciBin, "container", "create", "-g", "rg", "-n", "hello", "--image", "mcr.microsoft.com/azuredocs/aci-helloworld",
		"--ip-address", "Public", "--ports", "8080", "--query", "[ipAddress.ip, instanceView.state]", "-o", "tsv"), 0)
	parts := strings.Fields(r.stdout)
	if len(parts) != 2 || parts[1] != "Running" {
		t.Fatalf("create: %q", r.stdout)
	}
	getUntil200(t, "http://"+parts[0]+":8080/")
	if r := must(t, run(t, env, aciBin, "container", "show", "-g", "rg", "-n", "hello", "--query", "instanceView.events[0].message", "-o", "tsv"), 0); !strings.Contains(r.stdout, "process runtime") {
		t.Fatalf("runtime event: %q", r.stdout)
	}
	r = run(t, env, aciBin, "container", "create", "-g", "rg", "-n", "other", "--image", "nginx")
	if r.code != 1 || !strings.Contains(r.stderr, "(InaccessibleImage)") || !strings.Contains(r.stderr, "no Docker engine is reachable") {
		t.Fatalf("other image: %+v", r)
	}
	must(t, run(t, env, aciBin, "container", "delete", "-g", "rg", "-n", "hello", "-y", "-o", "none"), 0)
}

func TestSecretVolumeAndEnvironment(t *testing.T) {
	requireDocker(t)
	env := localEnv(t)
	must(t, run(t, env, aciBin, "group", "create", "-n", "rg", "-l", "westus", "-o", "none"), 0)
	must(t, run(t, env, aciBin, "container", "create", "-g", "rg", "-n", "sec", "--image", "mcr.microsoft.com/azuredocs/aci-helloworld",
		"--secrets", "token=s3cr3t value", "--secrets-mount-path", "/mnt/secrets", "-e", "PLAIN=visible", "--secure-environment-variables", "HIDDEN=classified", "-o", "none"), 0)
	r := must(t, run(t, env, aciBin, "container", "exec", "-g", "rg", "-n", "sec", "--", "sh", "-c", "cat /mnt/secrets/token; echo; echo $PLAIN $HIDDEN"), 0)
	if r.stdout != "s3cr3t value\nvisible classified\n" {
		t.Fatalf("inside the container: %q", r.stdout)
	}
	r = must(t, run(t, env, aciBin, "container", "show", "-g", "rg", "-n", "sec"), 0)
	if strings.Contains(r.stdout, "classified") || strings.Contains(r.stdout, "czNjcjN0") || !strings.Contains(r.stdout, `"secureValue": null`) {
		t.Fatalf("GET returned a secret:\n%s", r.stdout)
	}
	log, _ := os.ReadFile(filepath.Join(strings.TrimPrefix(env[0], "ACI_CONFIG_DIR="), "local", "requests.log"))
	if strings.Contains(string(log), "classified") {
		t.Fatal("the request log holds a secure value")
	}
}

// TestAttach: state until running, then the output once, ending when it terminates.
func TestAttach(t *testing.T) {
	requireDocker(t)
	env := localEnv(t)
	must(t, run(t, env, aciBin, "group", "create", "-n", "rg", "-l", "westus", "-o", "none"), 0)
	must(t, run(t, env, aciBin, "container", "create", "-g", "rg", "-n", "job", "--image", "mcr.microsoft.com/azuredocs/aci-helloworld",
		"--restart-policy", "Never", "--command-line", "/bin/sh -c 'echo first; sleep 3; echo second'", "-o", "none"), 0)
	r := must(t, run(t, env, aciBin, "container", "attach", "-g", "rg", "-n", "job"), 0)
	if !strings.HasPrefix(r.stdout, "Container 'job' is in state '") || !strings.Contains(r.stdout, "\nStart streaming logs:\n") ||
		strings.Count(r.stdout, "first\n") != 1 || strings.Count(r.stdout, "second\n") != 1 {
		t.Fatalf("attach:\n%s", r.stdout)
	}
}

// TestContainerHardening: a second wall behind the path checks: aci local's
// containers run without most capabilities, without privilege escalation,
// with a pid limit, and its own images with a read-only root.
func TestContainerHardening(t *testing.T) {
	requireDocker(t)
	env := localEnv(t)
	must(t, run(t, env, aciBin, "group", "create", "-n", "rg", "-l", "westus", "-o", "none"), 0)
	must(t, run(t, env, aciBin, "container", "create", "-g", "rg", "-n", "hard", "--image", "mcr.microsoft.com/azuredocs/aci-helloworld", "-o", "none"), 0)
	dir, _ := filepath.Abs(filepath.Join(strings.TrimPrefix(env[0], "ACI_CONFIG_DIR="), "local"))
	h := sha256.Sum256([]byte(dir))
	out, err := exec.Command("docker", "ps", "-q", "--filter", "label=aci.local/state="+hex.EncodeToString(h[:6]), "--filter", "label=aci.local/container=hard").Output()
	if err != nil || len(strings.Fields(string(out))) != 1 {
		t.Fatalf("container: %v %q", err, out)
	}
	b, err := exec.Command("docker", "inspect", strings.TrimSpace(string(out))).Output()
	if err != nil {
		t.Fatal(err)
	}
	var in []struct {
		HostConfig struct {
			CapDrop, CapAdd, SecurityOpt []string
			ReadonlyRootfs               bool
			PidsLimit                    *int64
		}
	}
	json.Unmarshal(b, &in)
	hc := in[0].HostConfig
	if strings.Join(hc.CapDrop, ",") != "ALL" || strings.Contains(strings.Join(hc.CapAdd, ","), "NET_RAW") || strings.Contains(strings.Join(hc.CapAdd, ","), "SYS_ADMIN") ||
		strings.Join(hc.SecurityOpt, ",") != "no-new-privileges" || !hc.ReadonlyRootfs || hc.PidsLimit == nil || *hc.PidsLimit != 4096 {
		t.Fatalf("host config: %+v", hc)
	}
}

// TestFollowAfterNoWait: `logs --follow` right after `create --no-wait`
// waits for the container, prints each line once as it comes, and says on
// stderr how a failing container ended.
func TestFollowAfterNoWait(t *testing.T) {
	requireDocker(t)
	env := localEnv(t)
	must(t, run(t, env, aciBin, "group", "create", "-n", "fl", "-l", "westus", "-o", "none"), 0)
	must(t, run(t, env, aciBin, "container", "create", "-g", "fl", "-n", "job", "--image", "mcr.microsoft.com/azuredocs/aci-helloworld",
		"--restart-policy", "Never", "--command-line", "sh -c 'for i in 1 2 3; do echo line $i; sleep 1; done; exit 2'", "--no-wait"), 0)
	r := must(t, run(t, env, aciBin, "container", "logs", "-g", "fl", "-n", "job", "--follow"), 0)
	if r.stdout != "line 1\nline 2\nline 3\n" || !strings.Contains(r.stderr, "container 'job' terminated with exit code 2") || strings.Contains(r.stderr, "runtime object") {
		t.Fatalf("follow: %+v", r)
	}
}

// TestExecTTY: on a terminal, exec gives the command one (a shell with a
// prompt, its exit code returned); through pipes the streams stay plain.
func TestExecTTY(t *testing.T) {
	requireDocker(t)
	if _, err := exec.LookPath("script"); err != nil {
		t.Fatal("script(1) is needed to play the terminal (bsdutils)")
	}
	env := localEnv(t)
	must(t, run(t, env, aciBin, "group", "create", "-n", "tty", "-l", "westus", "-o", "none"), 0)
	must(t, run(t, env, aciBin, "container", "create", "-g", "tty", "-n", "sh", "--image", "mcr.microsoft.com/azuredocs/aci-helloworld", "-o", "none"), 0)
	if r := must(t, run(t, env, aciBin, "container", "exec", "-g", "tty", "-n", "sh", "--", "sh", "-c", "test -t 0 && echo tty || echo plain"), 0); r.stdout != "plain\n" {
		t.Fatalf("through pipes: %q", r.stdout)
	}
	cmd := exec.Command("script", "-qefc", aciBin+" container exec -g tty -n sh --exec-command /bin/sh", "/dev/null")
	cmd.Env = cleanEnv(env)
	in, _ := cmd.StdinPipe()
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	io.WriteString(in, "test -t 0 && echo IS-A-TTY; exit 7\n")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the shell did not end:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "IS-A-TTY") || !strings.Contains(out.String(), "/ # ") {
		t.Fatalf("no terminal:\n%q", out.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != 7 {
		t.Fatalf("exit %d, want the shell's 7:\n%s", code, out.String())
	}
}
