package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestPrivateImages is the seed's private-image flow from a clean config dir:
// a registry on aci local, `acr login` through the real Docker CLI, a plain
// `docker push`, the repository commands, a container group pulling the image
// with the registry's credentials, a restart, a wrong password, and the real
// az 2.45 reading the same registry.
func TestPrivateImages(t *testing.T) {
	requireDocker(t)
	az := requireAz(t)
	env := append(localEnv(t), "DOCKER_CONFIG="+t.TempDir())
	docker := func(args ...string) result { return run(t, env, "docker", args...) }
	must(t, run(t, env, aciBin, "local", "images", "-o", "none"), 0)
	must(t, run(t, env, aciBin, "group", "create", "-n", "rg", "-l", "westus", "-o", "none"), 0)

	// Bad input first: nothing may be half-created.
	if r := run(t, env, aciBin, "acr", "create", "-n", "ab", "-g", "rg", "--sku", "Basic"); r.code != 1 || !strings.Contains(r.stderr, "InvalidResourceName") {
		t.Fatalf("short name: %+v", r)
	}
	if r := run(t, env, aciBin, "acr", "create", "-n", "myregistry", "-g", "rg", "--sku", "Gold"); r.code != 2 || !strings.Contains(r.stderr, "'Gold' is not a valid value for '--sku'") {
		t.Fatalf("bad sku: %+v", r)
	}
	if r := run(t, env, aciBin, "acr", "create", "-n", "MyRegistry", "-g", "rg", "--sku", "Basic"); r.code != 1 || !strings.Contains(r.stderr, "must use only lowercase") {
		t.Fatalf("upper case: %+v", r)
	}

	r := must(t, run(t, env, aciBin, "acr", "create", "-n", "myregistry", "-g", "rg", "--sku", "Basic", "--admin-enabled", "true", "-o", "json"), 0)
	var reg map[string]any
	json.Unmarshal([]byte(r.stdout), &reg)
	ls, _ := reg["loginServer"].(string)
	if reg["provisioningState"] != "Succeeded" || reg["adminUserEnabled"] != true || !strings.HasPrefix(ls, "127.") || reg["resourceGroup"] != "rg" {
		t.Fatalf("create: %s", r.stdout)
	}
	if r := run(t, env, aciBin, "acr", "create", "-n", "myregistry", "-g", "other", "--sku", "Basic", "-l", "westus"); r.code == 0 {
		t.Fatalf("duplicate name in another group was accepted: %+v", r)
	}
	if r := must(t, run(t, env, aciBin, "acr", "list", "-o", "table"), 0); !strings.Contains(r.stdout, "myregistry  rg                westus      Basic  "+ls) {
		t.Fatalf("list table:\n%s", r.stdout)
	}
	if r := must(t, run(t, env, aciBin, "acr", "check-name", "-n", "myregistry", "--query", "reason", "-o", "tsv"), 0); r.stdout != "AlreadyExists\n" {
		t.Fatalf("check-name: %+v", r)
	}

	// A push without logging in is refused by the registry.
	image := ls + "/hello:v1"
	must(t, docker("tag", "aci-local/helloworld:latest", image), 0)
	t.Cleanup(func() { exec.Command("docker", "rmi", "-f", image).Run() })
	if r := docker("push", image); r.code == 0 || !strings.Contains(r.stdout+r.stderr, "authentication required") {
		t.Fatalf("push without login: %+v", r)
	}
	if r := must(t, run(t, env, aciBin, "acr", "login", "-n", "myregistry"), 0); !strings.Contains(r.stdout, "Login Succeeded") {
		t.Fatalf("acr login: %+v", r)
	}
	must(t, docker("push", image), 0)
	if r := must(t, run(t, env, aciBin, "acr", "repository", "list", "-n", "myregistry", "-o", "tsv"), 0); r.stdout != "hello\n" {
		t.Fatalf("repository list: %+v", r)
	}
	if r := must(t, run(t, env, aciBin, "acr", "repository", "show-tags", "-n", "myregistry", "--repository", "hello", "-o", "tsv"), 0); r.stdout != "v1\n" {
		t.Fatalf("show-tags: %+v", r)
	}

	// Import into a second registry, by the source's name.
	must(t, run(t, env, aciBin, "acr", "create", "-n", "secondregistry", "-g", "rg", "--sku", "Basic", "-o", "none"), 0)
	must(t, run(t, env, aciBin, "acr", "import", "-n", "secondregistry", "--source", "hello:v1", "-r", "myregistry", "-t", "imported/hello:v1"), 0)
	if r := must(t, run(t, env, aciBin, "acr", "repository", "show-tags", "-n", "secondregistry", "--repository", "imported/hello", "-o", "tsv"), 0); r.stdout != "v1\n" {
		t.Fatalf("imported tags: %+v", r)
	}

	// acr build: a FROM scratch image (the static aci-local binary serving
	// the hello page) built on the engine, pushed, then run as a group.
	buildDir := t.TempDir()
	bin, err := os.ReadFile(filepath.Join(filepath.Dir(aciBin), "aci-local"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(buildDir, "server"), bin, 0o755)
	os.WriteFile(filepath.Join(buildDir, "big.log"), bytes.Repeat([]byte("x"), 1<<20), 0o644)
	os.WriteFile(filepath.Join(buildDir, ".dockerignore"), []byte("*.log\n"), 0o644)
	os.WriteFile(filepath.Join(buildDir, "Dockerfile"), []byte("FROM scratch\nCOPY server /server\nEXPOSE 80\nENTRYPOINT [\"/server\", \"hello-server\", \"--port\", \"80\"]\n"), 0o644)
	r = must(t, run(t, env, aciBin, "acr", "build", "-r", "myregistry", "-t", "built/hello:{{.Run.ID}}", "-t", "built/hello:v1", buildDir), 0)
	if !strings.Contains(r.stdout, "Step 1/4 : FROM scratch") || !strings.Contains(r.stdout, "Run ID: ca1 was successful") || !strings.Contains(r.stderr, "Queued a build with ID: ca1") {
		t.Fatalf("acr build: %+v", r)
	}
	if r := must(t, run(t, env, aciBin, "acr", "repository", "show-tags", "-n", "myregistry", "--repository", "built/hello", "-o", "tsv"), 0); r.stdout != "ca1\nv1\n" {
		t.Fatalf("built tags: %+v", r)
	}
	os.WriteFile(filepath.Join(buildDir, "Dockerfile"), []byte("FROM nothere/base:v1\n"), 0o644)
	if r := run(t, env, aciBin, "acr", "build", "-r", "myregistry", "-t", "broken:v1", buildDir); r.code != 1 || !strings.Contains(r.stderr, "Run failed") ||
		!strings.Contains(r.stdout, "pulls nothing from the internet") {
		t.Fatalf("build from a missing base: %+v", r)
	}
	if r := must(t, run(t, env, aciBin, "acr", "task", "list-runs", "-r", "myregistry", "--query", "[].properties.[runId, status]", "-o", "tsv"), 0); r.stdout != "ca2\tFailed\nca1\tSucceeded\n" {
		t.Fatalf("list-runs: %+v", r)
	}
	if r := must(t, run(t, env, aciBin, "acr", "task", "logs", "-r", "myregistry", "--run-id", "ca1"), 0); !strings.Contains(r.stdout, "Run ID: ca1 was successful") {
		t.Fatalf("task logs: %+v", r)
	}

	// The container group pulls the private image with the admin credentials.
	pw := strings.TrimSpace(must(t, run(t, env, aciBin, "acr", "credential", "show", "-n", "myregistry", "--query", "passwords[0].value", "-o", "tsv"), 0).stdout)
	create := func(name, password string) result {
		return run(t, env, aciBin, "container", "create", "-g", "rg", "-n", name, "--image", image, "--registry-login-server", ls,
			"--registry-username", "myregistry", "--registry-password", password, "--ip-address", "Public", "--ports", "80",
			"--query", "ipAddress.ip", "-o", "tsv")
	}
	ip := strings.TrimSpace(must(t, create("private", pw), 0).stdout)
	if body := getUntil200(t, "http://"+ip+":80/"); !strings.Contains(body, "Welcome to Azure Container Instances!") {
		t.Fatalf("private image answered: %s", body)
	}
	built := run(t, env, aciBin, "container", "create", "-g", "rg", "-n", "built", "--image", ls+"/built/hello:v1", "--registry-login-server", ls,
		"--registry-username", "myregistry", "--registry-password", pw, "--ip-address", "Public", "--ports", "80", "--query", "ipAddress.ip", "-o", "tsv")
	if body := getUntil200(t, "http://"+strings.TrimSpace(must(t, built, 0).stdout)+":80/"); !strings.Contains(body, "Welcome to Azure Container Instances!") {
		t.Fatalf("built image answered: %s", body)
	}
	if r := create("wrongpw", "not-the-password"); r.code != 1 || !strings.Contains(r.stderr, "(InaccessibleImage)") || !strings.Contains(r.stderr, "401 Unauthorized") {
		t.Fatalf("wrong password: %+v", r)
	}

	// Killed with SIGKILL and started again, the registry still serves its
	// images; the engine's copy is gone, so the pull is real.
	must(t, run(t, env, aciBin, "container", "delete", "-g", "rg", "-n", "private", "--yes", "-o", "none"), 0)
	pid := localPID(t, filepath.Join(strings.TrimPrefix(env[0], "ACI_CONFIG_DIR="), "local"))
	if pid == 0 {
		t.Fatal("no aci local pid")
	}
	syscall.Kill(pid, syscall.SIGKILL)
	for alive(pid) {
		time.Sleep(20 * time.Millisecond)
	}
	must(t, docker("rmi", "-f", image), 0)
	must(t, run(t, env, aciBin, "local", "start", "--detach", "-o", "none"), 0)
	ip = strings.TrimSpace(must(t, create("again", pw), 0).stdout)
	getUntil200(t, "http://"+ip+":80/")

	// The real az 2.45 reads the same registry.
	azEnv := azLoggedIn(t, az, env)
	if r := must(t, run(t, azEnv, az, "acr", "show", "-n", "myregistry", "--query", "loginServer", "-o", "tsv"), 0); r.stdout != ls+"\n" {
		t.Fatalf("az acr show: %+v", r)
	}
	if r := must(t, run(t, azEnv, az, "acr", "credential", "show", "-n", "myregistry", "--query", "username", "-o", "tsv"), 0); r.stdout != "myregistry\n" {
		t.Fatalf("az acr credential show: %+v", r)
	}
	if r := must(t, run(t, azEnv, az, "acr", "login", "-n", "myregistry", "--expose-token", "--query", "loginServer", "-o", "tsv"), 0); r.stdout != ls+"\n" {
		t.Fatalf("az acr login --expose-token: %+v", r)
	}
	for _, args := range [][]string{{"repository", "list"}, {"repository", "show-tags", "--repository", "hello"}} {
		azr := must(t, run(t, azEnv, az, append(append([]string{"acr"}, args...), "-n", "myregistry")...), 0)
		acr := must(t, run(t, env, aciBin, append(append([]string{"acr"}, args...), "-n", "myregistry")...), 0)
		if azr.stdout != acr.stdout {
			t.Fatalf("acr %v: aci printed\n%s\naz printed\n%s", args, acr.stdout, azr.stdout)
		}
	}
	if azr, acr := must(t, run(t, azEnv, az, "acr", "list", "-o", "table"), 0), must(t, run(t, env, aciBin, "acr", "list", "-o", "table"), 0); azr.stdout != acr.stdout {
		t.Fatalf("acr list -o table: aci printed\n%s\naz printed\n%s", acr.stdout, azr.stdout)
	}

	// Deleting the group deletes the registry and its storage: the login server is gone.
	must(t, run(t, env, aciBin, "group", "delete", "-n", "rg", "--yes"), 0)
	if r := docker("pull", image); r.code == 0 {
		t.Fatalf("a deleted registry still serves: %+v", r)
	}
}
