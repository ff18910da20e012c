package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The README's Compose project on aci local, end to end: up, the sidecar
// calling web by its service name, the group's address answering, logs
// prefixed by service and in time order, exec, a named volume shared by two
// services that survives down and up, updates in place or by recreation,
// convert deploying with `container create --file`, and down --volumes
// leaving nothing behind.
func TestCompose(t *testing.T) {
	requireDocker(t)
	env := localEnv(t)
	must(t, run(t, env, aciBin, "group", "create", "-n", "demo", "-l", "westus", "-o", "none"), 0)
	file, _ := filepath.Abs("../../examples/compose/compose.yaml")
	compose := func(args ...string) result {
		return run(t, env, aciBin, append([]string{"compose", "-f", file}, args...)...)
	}

	r := must(t, compose("up", "-g", "demo", "-o", "json"), 0)
	var rows []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) != 2 {
		t.Fatalf("up: %v %+v", err, r)
	}
	for _, want := range []string{"Creating storage account", "Creating file share", "Creating container group hello-compose"} {
		if !strings.Contains(r.stderr, want) {
			t.Fatalf("up said nothing of %q: %s", want, r.stderr)
		}
	}
	ip := ""
	for _, row := range rows {
		if row["state"] != "Running" {
			t.Fatalf("not running: %v", row)
		}
		if m := regexp.MustCompile(`^([0-9.]+):80->80/tcp$`).FindStringSubmatch(row["ports"].(string)); row["service"] == "web" && m != nil {
			ip = m[1]
		}
	}
	if ip == "" {
		t.Fatalf("web publishes no address: %v", rows)
	}
	// The group's address answers.
	var body string
	for i := 0; i < 50 && !strings.Contains(body, "Hello files"); i++ {
		if resp, err := (&http.Client{Timeout: 2 * time.Second}).Get("http://" + ip + "/"); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
		} else {
			time.Sleep(200 * time.Millisecond)
		}
	}
	if !strings.Contains(body, "Hello files") {
		t.Fatalf("http://%s/ answered %q", ip, body)
	}

	// The sidecar reaches web by name: its lines quote web's page.
	var logs result
	for i := 0; i < 60; i++ {
		logs = must(t, compose("logs", "-g", "demo", "--timestamps"), 0)
		if strings.Contains(logs.stdout, "sidecar | ") && strings.Contains(logs.stdout, "web says: <html>") && strings.Contains(logs.stdout, "web     | ") {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if !strings.Contains(logs.stdout, "web says: <html>") {
		t.Fatalf("the sidecar did not reach web by name:\n%s", logs.stdout)
	}
	// Every line carries its service; the timestamps never go back.
	var last time.Time
	lineRE := regexp.MustCompile(`^(web    |sidecar) \| (\S+) `)
	for _, l := range strings.Split(strings.TrimSpace(logs.stdout), "\n") {
		m := lineRE.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("a line without its service prefix: %q", l)
		}
		at, err := time.Parse(time.RFC3339Nano, m[2])
		if err != nil {
			t.Fatalf("timestamp of %q: %v", l, err)
		}
		if at.Before(last) {
			t.Fatalf("lines out of order at %q", l)
		}
		last = at
	}
	if only := must(t, compose("logs", "-g", "demo", "sidecar"), 0); strings.Contains(only.stdout, "web     | ") || !strings.Contains(only.stdout, "sidecar | ") {
		t.Fatalf("logs sidecar: %s", only.stdout)
	}

	// exec, with the remote exit status.
	if r := must(t, compose("exec", "-g", "demo", "web", "--", "cat", "/etc/hosts"), 0); !strings.Contains(r.stdout, "sidecar") {
		t.Fatalf("exec: %+v", r)
	}
	if r := compose("exec", "-g", "demo", "sidecar", "--", "sh", "-c", "exit 3"); r.code != 3 {
		t.Fatalf("exec exit status: %+v", r)
	}
	if r := compose("exec", "-g", "demo", "nosuch", "--", "true"); r.code != 1 || !strings.Contains(r.stderr, "no such service: nosuch") {
		t.Fatalf("exec of an unknown service: %+v", r)
	}

	// The volume web writes is the one the sidecar reads, and outlives the group.
	count := func() int {
		r := must(t, compose("exec", "-g", "demo", "sidecar", "--", "sh", "-c", "ls /data | wc -l"), 0)
		n, err := strconv.Atoi(strings.TrimSpace(r.stdout))
		if err != nil {
			t.Fatalf("count: %+v", r)
		}
		return n
	}
	before := count()
	if before == 0 {
		t.Fatal("the sidecar sees none of web's files")
	}
	must(t, compose("down", "-g", "demo"), 0)
	if r := must(t, run(t, env, aciBin, "container", "list", "-g", "demo", "-o", "tsv"), 0); r.stdout != "" {
		t.Fatalf("down left a group: %s", r.stdout)
	}
	must(t, compose("up", "-g", "demo", "-o", "none"), 0)
	if after := count(); after < before {
		t.Fatalf("the volume lost files across down/up: %d then %d", before, after)
	}

	// Same file again: in place. More memory: recreated, and said why.
	if r := must(t, compose("up", "-g", "demo", "-o", "none"), 0); !strings.Contains(r.stderr, "in place") {
		t.Fatalf("second up: %s", r.stderr)
	}
	override := filepath.Join(t.TempDir(), "bigger.yaml")
	os.WriteFile(override, []byte("services:\n  web:\n    deploy:\n      resources:\n        limits:\n          memory: 1G\n"), 0o644)
	if r := must(t, run(t, env, aciBin, "compose", "-f", file, "-f", override, "up", "-g", "demo", "-o", "none"), 0); !strings.Contains(r.stderr, "Recreating container group hello-compose: ACI cannot change the resources of web in place") {
		t.Fatalf("up with more memory: %s", r.stderr)
	}

	// convert's YAML deploys as a container group file.
	must(t, compose("down", "-g", "demo"), 0)
	yml := filepath.Join(t.TempDir(), "group.yaml")
	conv := must(t, compose("convert"), 0)
	if strings.Contains(conv.stdout, "initContainers") {
		t.Fatalf("aci local needs no hosts init container:\n%s", conv.stdout)
	}
	os.WriteFile(yml, []byte(conv.stdout), 0o644)
	if r := must(t, run(t, env, aciBin, "container", "create", "-g", "demo", "--file", yml, "--query", "properties.containers[].name", "-o", "tsv"), 0); r.stdout != "sidecar\nweb\n" {
		t.Fatalf("container create --file: %+v", r)
	}
	if r := must(t, compose("ps", "-g", "demo", "-o", "table"), 0); !strings.Contains(r.stdout, "Service") || !strings.Contains(r.stdout, "Running") {
		t.Fatalf("ps: %s", r.stdout)
	}

	// down --volumes leaves nothing: no group, share, account or container.
	must(t, compose("down", "-g", "demo", "--volumes"), 0)
	for _, args := range [][]string{{"container", "list", "-g", "demo"}, {"storage", "account", "list", "-g", "demo"}} {
		if r := must(t, run(t, env, aciBin, append(args, "-o", "tsv")...), 0); r.stdout != "" {
			t.Fatalf("%v after down --volumes: %s", args, r.stdout)
		}
	}
	if n := dockerObjects(t, env); n != 0 {
		t.Fatalf("%d Docker objects left", n)
	}

	// What ACI cannot do is refused in one line, before anything is created.
	bad := filepath.Join(t.TempDir(), "compose.yaml")
	os.WriteFile(bad, []byte("services:\n  a:\n    image: nginx\n    privileged: true\n"), 0o644)
	if r := run(t, env, aciBin, "compose", "-f", bad, "up", "-g", "demo"); r.code != 1 ||
		r.stderr != "ERROR: service \"a\": privileged: ACI does not run privileged containers\n" {
		t.Fatalf("refusal: %+v", r)
	}
}
