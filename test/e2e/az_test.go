package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// requireAz finds the real az CLI; it is part of the test suite (make deps
// installs Debian's azure-cli), so its absence fails the test instead of skipping.
func requireAz(t testing.TB) string {
	t.Helper()
	az, err := exec.LookPath("az")
	if err != nil {
		t.Fatal("the real az CLI is needed (apt-get install -y azure-cli, or `make deps`)")
	}
	return az
}

// TestAzAgainstLocal runs the real az 2.45 against aci local, then the same steps
// with aci, and requires the same outputs and exit codes.
func TestAzAgainstLocal(t *testing.T) {
	az := requireAz(t)
	env := localEnv(t)
	azEnv := azLoggedIn(t, az, env)
	steps := []struct {
		args []string
		code int
		want string // a line the output must contain ("" = empty output)
	}{
		{[]string{"group", "create", "-n", "RG", "-l", "westus", "--tags", "env=e2e"}, 0, `"provisioningState": "Succeeded"`},
		{[]string{"group", "list", "-o", "table"}, 0, "RG      westus      Succeeded"},
		{[]string{"group", "show", "-n", "RG"}, 0, `"env": "e2e"`},
		{[]string{"group", "show", "-n", "RG", "-o", "tsv"}, 0, "westus"},
		{[]string{"group", "exists", "-n", "RG"}, 0, "true"},
		{[]string{"group", "exists", "-n", "nope"}, 0, "false"},
		{[]string{"group", "show", "-n", "nope"}, 3, ""},
		{[]string{"provider", "register", "-n", "Microsoft.ContainerInstance", "--wait"}, 0, ""},
		{[]string{"provider", "show", "-n", "Microsoft.ContainerInstance", "--query", "registrationState", "-o", "tsv"}, 0, "Registered"},
		{[]string{"provider", "show", "-n", "Microsoft.ContainerInstance", "-o", "table"}, 0, "Microsoft.ContainerInstance  RegistrationRequired  Registered"},
		{[]string{"account", "list-locations", "--query", "[?name=='westus'].displayName", "-o", "tsv"}, 0, "West US"},
		{[]string{"group", "delete", "-n", "RG", "--yes"}, 0, ""},
		{[]string{"group", "exists", "-n", "RG"}, 0, "false"},
	}
	// The whole sequence under az first (it ends with the group deleted), then the
	// same sequence under aci against the same endpoint: outputs must be identical.
	var azOut []result
	for _, s := range steps {
		ra := run(t, azEnv, az, s.args...)
		if ra.code != s.code || (s.want == "" && ra.stdout != "") || !strings.Contains(ra.stdout, s.want) {
			t.Fatalf("az %v: exit %d\nstdout:\n%s\nstderr:\n%s", s.args, ra.code, ra.stdout, ra.stderr)
		}
		azOut = append(azOut, ra)
	}
	for i, s := range steps {
		ri := run(t, env, aciBin, s.args...)
		if ri.code != s.code || ri.stdout != azOut[i].stdout {
			t.Fatalf("aci %v: exit %d (want %d)\naci:\n%s\naz:\n%s\naci stderr:\n%s", s.args, ri.code, s.code, ri.stdout, azOut[i].stdout, ri.stderr)
		}
	}
	// az's own config dir holds what we told it; nothing of aci's secrets leaks into
	// aci local's request log.
	log, err := os.ReadFile(filepath.Join(strings.TrimPrefix(env[0], "ACI_CONFIG_DIR="), "local", "requests.log"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(log), "Bearer") || regexp.MustCompile(`eyJ[\w-]+\.eyJ[\w-]+\.`).Match(log) {
		t.Fatal("request log holds tokens")
	}
	if !strings.Contains(string(log), "AZURECLI/2.45") {
		t.Fatal("az's requests are not in the log")
	}
}

// azLoggedIn is a fresh az config dir pointed at aci local and logged in,
// exactly as the lines of `aci local env` say.
func azLoggedIn(t testing.TB, az string, env []string) []string {
	t.Helper()
	lines := must(t, run(t, env, aciBin, "local", "env"), 0).stdout
	azEnv := []string{"AZURE_CONFIG_DIR=" + t.TempDir(), "AZURE_CORE_COLLECT_TELEMETRY=false", "AZURE_CORE_NO_COLOR=true"}
	for _, l := range strings.Split(strings.TrimSpace(lines), "\n") {
		if v, ok := strings.CutPrefix(l, "export "); ok {
			azEnv = append(azEnv, v)
			continue
		}
		// Each line as a shell runs it (the README pipes them to sh).
		must(t, run(t, append(append([]string{}, azEnv...), "AZURE_CORE_OUTPUT=none", "PATH="+filepath.Dir(az)+":/usr/bin:/bin"), "bash", "-c", l), 0)
	}
	return azEnv
}

// TestAzContainers: the real az 2.45 manages container groups on aci local.
func TestAzContainers(t *testing.T) {
	az := requireAz(t)
	requireDocker(t)
	env := localEnv(t)
	azEnv := azLoggedIn(t, az, env)
	must(t, run(t, azEnv, az, "group", "create", "-n", "azrg", "-l", "westus", "-o", "none"), 0)
	r := must(t, run(t, azEnv, az, "container", "create", "-g", "azrg", "-n", "azweb", "--image", "mcr.microsoft.com/azuredocs/aci-helloworld",
		"--ip-address", "Public", "--query", "ipAddress.ip", "-o", "tsv"), 0)
	ip := strings.TrimSpace(r.stdout)
	if !strings.HasPrefix(ip, "127.0.2.") {
		t.Fatalf("az create: %+v", r)
	}
	getUntil200(t, "http://"+ip+":80/")
	r = must(t, run(t, azEnv, az, "container", "show", "-g", "azrg", "-n", "azweb", "--query", "instanceView.state", "-o", "tsv"), 0)
	if r.stdout != "Running\n" {
		t.Fatalf("az show: %+v", r)
	}
	r = must(t, run(t, azEnv, az, "container", "list", "-o", "table"), 0)
	if !strings.Contains(r.stdout, "azweb   azrg") || !strings.Contains(r.stdout, ip+":80") {
		t.Fatalf("az list:\n%s", r.stdout)
	}
	// aci prints the same table for the same call (az shows the list's Succeeded).
	if ri := must(t, run(t, env, aciBin, "container", "list", "-o", "table"), 0); ri.stdout != r.stdout {
		t.Fatalf("aci list differs:\n%s\naz:\n%s", ri.stdout, r.stdout)
	}
	if r := must(t, run(t, azEnv, az, "container", "logs", "-g", "azrg", "-n", "azweb"), 0); !strings.Contains(r.stdout, "GET / ") {
		t.Fatalf("az logs: %+v", r)
	}
	must(t, run(t, azEnv, az, "container", "delete", "-g", "azrg", "-n", "azweb", "--yes", "-o", "none"), 0)
	if n := dockerObjects(t, env); n != 0 {
		t.Fatalf("%d Docker objects left after az container delete", n)
	}
}
