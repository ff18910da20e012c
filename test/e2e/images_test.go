package e2e

import (
	"strings"
	"testing"
)

// The images today's ACI docs use run on aci local as stand-ins, `aci local
// images` lists what runs (as a table too), and an image that cannot run
// says where to look.
func TestDocsImagesRun(t *testing.T) {
	requireDocker(t)
	env := localEnv(t)
	aci := func(args ...string) result { return run(t, env, aciBin, args...) }
	r := must(t, aci("local", "images", "-o", "table"), 0)
	for _, want := range []string{"Image", "StandsFor", "mcr.microsoft.com/azuredocs/aci-hellofiles", "mcr.microsoft.com/azuredocs/aci-tutorial-sidecar", "mcr.microsoft.com/azuredocs/aci-helloworld"} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("aci local images -o table lacks %q:\n%s", want, r.stdout)
		}
	}
	must(t, aci("group", "create", "-n", "docs", "-l", "westus", "-o", "none"), 0)
	// The docs' file-share quick start: aci-hellofiles writes a file into the
	// share at /aci/logs for each visit.
	must(t, aci("storage", "account", "create", "-n", "docsfiles1", "-g", "docs", "-o", "none"), 0)
	key := strings.TrimSpace(must(t, aci("storage", "account", "keys", "list", "-g", "docs", "-n", "docsfiles1", "--query", "[0].value", "-o", "tsv"), 0).stdout)
	must(t, aci("storage", "share", "create", "-n", "acishare", "--account-name", "docsfiles1", "--account-key", key, "-o", "none"), 0)
	must(t, aci("container", "create", "-g", "docs", "-n", "files", "--image", "mcr.microsoft.com/azuredocs/aci-hellofiles", "--ports", "80",
		"--ip-address", "Public", "--azure-file-volume-account-name", "docsfiles1", "--azure-file-volume-account-key", key,
		"--azure-file-volume-share-name", "acishare", "--azure-file-volume-mount-path", "/aci/logs/", "-o", "none"), 0)
	ip := strings.TrimSpace(must(t, aci("container", "show", "-g", "docs", "-n", "files", "--query", "ipAddress.ip", "-o", "tsv"), 0).stdout)
	getUntil200(t, "http://"+ip+"/")
	if r := must(t, aci("storage", "file", "list", "-s", "acishare", "--account-name", "docsfiles1", "--account-key", key, "--query", "length(@)"), 0); r.stdout == "0\n" {
		t.Fatal("aci-hellofiles wrote nothing into the share")
	}
	must(t, aci("container", "create", "-g", "docs", "-n", "sidecar", "--image", "mcr.microsoft.com/azuredocs/aci-tutorial-sidecar", "--ip-address", "private", "-o", "none"), 0)
	if r := must(t, aci("container", "show", "-g", "docs", "-n", "sidecar", "--query", "provisioningState", "-o", "tsv"), 0); r.stdout != "Succeeded\n" {
		t.Fatalf("the sidecar stand-in: %+v", r)
	}
	r = aci("container", "create", "-g", "docs", "-n", "nope", "--image", "mcr.microsoft.com/azuredocs/aci-no-such-image", "-o", "none")
	if r.code != 1 || !strings.Contains(r.stderr, "InaccessibleImage") || !strings.Contains(r.stderr, "'aci local images' lists them") {
		t.Fatalf("an image that cannot run: %+v", r)
	}
}
