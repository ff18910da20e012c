package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The names aci local hands out resolve for every client on the machine: a
// group's FQDN answers curl-style HTTP, the real az's storage data-plane
// commands with --account-name/--account-key (which find the account only in
// a host name ACCOUNT.file.core.SUFFIX) reach the account, and the real az's
// acr build uploads its context and pushes. aci local keeps
// them in /etc/hosts, as root may, and takes them out when it stops.
func TestNamesResolveForEveryClient(t *testing.T) {
	requireDocker(t)
	az := requireAz(t)
	if os.Geteuid() != 0 {
		t.Fatal("aci local keeps its names in /etc/hosts as root: this test runs as root (as CI does)")
	}
	env := localEnv(t)
	cfg := strings.TrimPrefix(env[0], "ACI_CONFIG_DIR=")
	aci := func(args ...string) result { return run(t, env, aciBin, args...) }
	must(t, aci("group", "create", "-n", "names", "-l", "westus", "-o", "none"), 0)
	must(t, aci("container", "create", "-g", "names", "-n", "web", "--image", "mcr.microsoft.com/azuredocs/aci-helloworld",
		"--ip-address", "Public", "--dns-name-label", "aci-names-e2e", "-o", "none"), 0)
	fqdn := strings.TrimSpace(must(t, aci("container", "show", "-g", "names", "-n", "web", "--query", "ipAddress.fqdn", "-o", "tsv"), 0).stdout)
	if fqdn != "aci-names-e2e.westus.azurecontainer.io" {
		t.Fatalf("fqdn %q", fqdn)
	}
	if page := getUntil200(t, "http://"+fqdn+"/"); !strings.Contains(page, "Welcome to Azure Container Instances") {
		t.Fatalf("http://%s/ answered %q", fqdn, page)
	}
	if r := must(t, aci("local", "env", "--hosts"), 0); !strings.Contains(r.stdout, fqdn) {
		t.Fatalf("aci local env --hosts: %q", r.stdout)
	}

	// The real az with an account name and key.
	must(t, aci("storage", "account", "create", "-n", "namesacct1", "-g", "names", "-o", "none"), 0)
	key := strings.TrimSpace(must(t, aci("storage", "account", "keys", "list", "-g", "names", "-n", "namesacct1", "--query", "[0].value", "-o", "tsv"), 0).stdout)
	src := filepath.Join(t.TempDir(), "up.txt")
	os.WriteFile(src, []byte("from the real az\n"), 0o644)
	// And the real az's acr build, whose upload URL must read as
	// ACCOUNT.blob.SUFFIX/CONTAINER/BLOB: a FROM scratch image of the static
	// aci-local binary.
	must(t, aci("acr", "create", "-n", "namesreg1", "-g", "names", "--sku", "Basic", "-o", "none"), 0)
	ctxDir := t.TempDir()
	bin, err := os.ReadFile(filepath.Join(filepath.Dir(aciBin), "aci-local"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(ctxDir, "server"), bin, 0o755)
	os.WriteFile(filepath.Join(ctxDir, "Dockerfile"), []byte("FROM scratch\nCOPY server /server\nENTRYPOINT [\"/server\", \"hello-server\", \"--port\", \"80\"]\n"), 0o644)
	script := `set -e; eval "$("$ACI" local env)" >/dev/null
az storage share create -n azshare --account-name namesacct1 --account-key "$KEY" -o none
az storage file upload -s azshare --source "$SRC" --account-name namesacct1 --account-key "$KEY" -o none --no-progress
cd "$CTX" && az acr build -r namesreg1 -t built/byaz:v1 . >/dev/null`
	cmd := exec.Command("bash", "-c", script)
	cmd.Env = cleanEnv(append(append([]string{}, env...), "ACI="+aciBin, "KEY="+key, "SRC="+src, "CTX="+ctxDir, "AZURE_CONFIG_DIR="+t.TempDir(),
		"AZURE_CORE_COLLECT_TELEMETRY=false", "PATH="+filepath.Dir(az)+":/usr/bin:/bin"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("az storage with --account-name/--account-key: %v\n%s", err, out)
	}
	if r := must(t, aci("storage", "file", "list", "-s", "azshare", "--account-name", "namesacct1", "--account-key", key, "--query", "[].name", "-o", "tsv"), 0); r.stdout != "up.txt\n" {
		t.Fatalf("the share az wrote to holds %q", r.stdout)
	}
	if r := must(t, aci("acr", "repository", "show-tags", "-n", "namesreg1", "--repository", "built/byaz", "-o", "tsv"), 0); r.stdout != "v1\n" {
		t.Fatalf("az acr build pushed %q", r.stdout)
	}

	// Stopped, the names are gone from /etc/hosts.
	must(t, aci("local", "stop"), 0)
	b, _ := os.ReadFile("/etc/hosts")
	if strings.Contains(string(b), fqdn) || strings.Contains(string(b), filepath.Join(cfg, "local")) {
		t.Fatalf("/etc/hosts keeps a stopped instance's names:\n%s", b)
	}
}
