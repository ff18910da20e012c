package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPersistentStorage is the seed's "mount an Azure file share" flow from a
// clean config dir: an account, its key and connection string, a share, a
// container group writing into the mounted share, a file uploaded from the
// host, a second group (its key looked up through ARM) reading both back; a
// renewed key makes the old one fail at once, for the data plane and for a
// mount. Then the real az 2.45 works the same share and prints what aci prints.
func TestPersistentStorage(t *testing.T) {
	requireDocker(t)
	env := localEnv(t)
	aci := func(args ...string) result { return run(t, env, aciBin, args...) }
	must(t, aci("group", "create", "-n", "st", "-l", "westus", "-o", "none"), 0)
	if r := must(t, aci("storage", "account", "create", "-n", "acistore1", "-g", "st", "--sku", "Standard_LRS", "--query", "provisioningState", "-o", "tsv"), 0); r.stdout != "Succeeded\n" {
		t.Fatalf("account create: %+v", r)
	}
	if r := aci("storage", "account", "create", "-n", "acistore1", "-g", "st", "--sku", "Standard_LRS"); r.code != 1 || !strings.Contains(r.stderr, "The storage account named acistore1 is already taken.") {
		t.Fatalf("second create: %+v", r)
	}
	if r := aci("storage", "account", "create", "-n", "Bad-Name", "-g", "st"); r.code != 1 || !strings.Contains(r.stderr, "is not a valid storage account name") {
		t.Fatalf("bad name: %+v", r)
	}
	key := strings.TrimSpace(must(t, aci("storage", "account", "keys", "list", "-g", "st", "-n", "acistore1", "--query", "[0].value", "-o", "tsv"), 0).stdout)
	cs := strings.TrimSpace(must(t, aci("storage", "account", "show-connection-string", "-g", "st", "-n", "acistore1", "-o", "tsv"), 0).stdout)
	if !strings.Contains(cs, "AccountKey="+key) || !strings.Contains(cs, "FileEndpoint=https://127.") {
		t.Fatalf("connection string: %s", cs)
	}
	if r := must(t, aci("storage", "share", "create", "-n", "acishare", "--connection-string", cs), 0); !strings.Contains(r.stdout, `"created": true`) {
		t.Fatalf("share create: %+v", r)
	}

	// A group writes into the share and goes away; what it wrote stays.
	vol := func(key string) []string {
		a := []string{"--azure-file-volume-share-name", "acishare", "--azure-file-volume-account-name", "acistore1", "--azure-file-volume-mount-path", "/aci/logs/"}
		if key != "" {
			a = append(a, "--azure-file-volume-account-key", key)
		}
		return a
	}
	must(t, aci(append([]string{"container", "create", "-g", "st", "-n", "writer", "--image", "mcr.microsoft.com/azuredocs/aci-helloworld",
		"--restart-policy", "Never", "--command-line", "sh -c 'echo written by the container > /aci/logs/from-container.txt'", "-o", "none"}, vol(key)...)...), 0)
	if r := must(t, aci("container", "wait", "-g", "st", "-n", "writer"), 0); r.stdout != "0\n" {
		t.Fatalf("writer: %+v", r)
	}
	if r := aci("container", "show", "-g", "st", "-n", "writer"); strings.Contains(r.stdout, key) || !strings.Contains(r.stdout, `"storageAccountKey": null`) {
		t.Fatalf("GET returned the account key:\n%s", r.stdout)
	}
	must(t, aci("container", "delete", "-g", "st", "-n", "writer", "--yes", "-o", "none"), 0)

	// A file from the host, then a group that names no key: aci finds it.
	src := filepath.Join(t.TempDir(), "from-host.txt")
	os.WriteFile(src, []byte("uploaded from the host\n"), 0o644)
	must(t, aci("storage", "file", "upload", "-s", "acishare", "--source", src, "--connection-string", cs, "-o", "none"), 0)
	must(t, aci(append([]string{"container", "create", "-g", "st", "-n", "reader", "--image", "mcr.microsoft.com/azuredocs/aci-helloworld",
		"--restart-policy", "Never", "--command-line", "sh -c 'cat /aci/logs/from-container.txt /aci/logs/from-host.txt'", "-o", "none"}, vol("")...)...), 0)
	must(t, aci("container", "wait", "-g", "st", "-n", "reader"), 0)
	if r := must(t, aci("container", "logs", "-g", "st", "-n", "reader"), 0); strings.TrimRight(r.stdout, "\n") != "written by the container\nuploaded from the host" {
		t.Fatalf("reader saw: %q", r.stdout)
	}
	dl := filepath.Join(t.TempDir(), "got.txt")
	must(t, aci("storage", "file", "download", "-s", "acishare", "-p", "from-container.txt", "--dest", dl, "--account-name", "acistore1", "--account-key", key, "-o", "none"), 0)
	if b, _ := os.ReadFile(dl); string(b) != "written by the container\n" {
		t.Fatalf("downloaded: %q", b)
	}
	if r := must(t, aci("storage", "file", "list", "-s", "acishare", "--connection-string", cs, "--query", "[].name", "-o", "tsv"), 0); r.stdout != "from-container.txt\nfrom-host.txt\n" {
		t.Fatalf("list: %q", r.stdout)
	}

	// The old key fails at once after a renewal: for the file service and
	// for a mount (the group fails with a clear event).
	must(t, aci("storage", "account", "keys", "renew", "-g", "st", "-n", "acistore1", "--key", "primary", "-o", "none"), 0)
	if r := aci("storage", "share", "exists", "-n", "acishare", "--account-name", "acistore1", "--account-key", key); r.code != 1 || !strings.Contains(r.stderr, "ErrorCode:AuthenticationFailed") {
		t.Fatalf("old key on the data plane: %+v", r)
	}
	r := aci(append([]string{"container", "create", "-g", "st", "-n", "stale", "--image", "mcr.microsoft.com/azuredocs/aci-helloworld", "-o", "none"}, vol(key)...)...)
	if r.code != 1 || !strings.Contains(r.stderr, "Failed to mount Azure File volume 'azurefile'") {
		t.Fatalf("old key on a mount: %+v", r)
	}
	if r := must(t, aci("container", "show", "-g", "st", "-n", "stale", "--query", "instanceView.events[?type=='Warning'].message", "-o", "tsv"), 0); !strings.Contains(r.stdout, "key") {
		t.Fatalf("no event says why: %q", r.stdout)
	}
	if r := aci("container", "create", "-g", "st", "-n", "noshare", "--image", "mcr.microsoft.com/azuredocs/aci-helloworld", "-o", "none",
		"--azure-file-volume-share-name", "missing", "--azure-file-volume-account-name", "acistore1", "--azure-file-volume-mount-path", "/mnt/x"); r.code != 1 || !strings.Contains(r.stderr, "does not exist") {
		t.Fatalf("missing share: %+v", r)
	}

	// Deleting the group deletes the account and its shares.
	stateDir := filepath.Join(strings.TrimPrefix(env[0], "ACI_CONFIG_DIR="), "local", "storage", "acistore1")
	if _, err := os.Stat(filepath.Join(stateDir, "acishare", "from-host.txt")); err != nil {
		t.Fatalf("the share is not where it should be: %v", err)
	}
	azPart(t, env)
	must(t, aci("group", "delete", "-n", "st", "--yes"), 0)
	if _, err := os.Stat(stateDir); !os.IsNotExist(err) {
		t.Fatalf("the account's files outlived its group: %v", err)
	}
}

// azPart drives the real az 2.45 against the same account: ARM commands and
// the file service through the connection string ARM's endpoints make.
func azPart(t *testing.T, env []string) {
	az := requireAz(t)
	azEnv := azLoggedIn(t, az, env)
	azr := func(args ...string) result { return run(t, azEnv, az, args...) }
	aci := func(args ...string) result { return run(t, env, aciBin, args...) }
	same := func(args ...string) {
		t.Helper()
		a, b := must(t, azr(args...), 0), must(t, aci(args...), 0)
		if a.stdout != b.stdout {
			t.Errorf("%v differs:\naz:\n%s\naci:\n%s", args, a.stdout, b.stdout)
		}
	}
	key := strings.TrimSpace(must(t, azr("storage", "account", "keys", "list", "-g", "st", "-n", "acistore1", "--query", "[0].value", "-o", "tsv"), 0).stdout)
	cs := strings.TrimSpace(must(t, azr("storage", "account", "show-connection-string", "-g", "st", "-n", "acistore1", "-o", "tsv"), 0).stdout)
	if !strings.Contains(cs, key) {
		t.Fatalf("az connection string: %s", cs)
	}
	same("storage", "account", "show", "-g", "st", "-n", "acistore1")
	same("storage", "account", "list", "-g", "st", "-o", "table")
	same("storage", "account", "show-connection-string", "-g", "st", "-n", "acistore1")
	same("storage", "account", "keys", "list", "-g", "st", "-n", "acistore1")
	if r := must(t, azr("storage", "share", "create", "-n", "azshare", "--connection-string", cs), 0); !strings.Contains(r.stdout, `"created": true`) {
		t.Fatalf("az share create: %+v", r)
	}
	src := filepath.Join(t.TempDir(), "by-az.txt")
	os.WriteFile(src, []byte("uploaded by az\n"), 0o644)
	must(t, azr("storage", "file", "upload", "-s", "azshare", "--source", src, "--connection-string", cs, "-o", "none"), 0)
	dl := filepath.Join(t.TempDir(), "dl.txt")
	must(t, azr("storage", "file", "download", "-s", "azshare", "-p", "by-az.txt", "--dest", dl, "--connection-string", cs, "-o", "none"), 0)
	if b, _ := os.ReadFile(dl); string(b) != "uploaded by az\n" {
		t.Fatalf("az download: %q", b)
	}
	// aci reads what az wrote, and both print the same listings.
	dl2 := filepath.Join(t.TempDir(), "dl2.txt")
	must(t, aci("storage", "file", "download", "-s", "azshare", "-p", "by-az.txt", "--dest", dl2, "--connection-string", cs, "-o", "none"), 0)
	if b, _ := os.ReadFile(dl2); string(b) != "uploaded by az\n" {
		t.Fatalf("aci download of az's file: %q", b)
	}
	for _, args := range [][]string{
		{"storage", "file", "list", "-s", "acishare", "--connection-string", cs},
		{"storage", "file", "list", "-s", "acishare", "--connection-string", cs, "-o", "table"},
		{"storage", "share", "list", "--connection-string", cs},
		{"storage", "share", "show", "-n", "azshare", "--connection-string", cs},
		{"storage", "share", "exists", "-n", "azshare", "--connection-string", cs},
		{"storage", "file", "show", "-s", "azshare", "-p", "by-az.txt", "--connection-string", cs},
		{"storage", "share-rm", "list", "-g", "st", "--storage-account", "acistore1"},
		{"storage", "share-rm", "show", "-g", "st", "--storage-account", "acistore1", "-n", "acishare"},
	} {
		same(args...)
	}
	// A wrong key is refused with Azure's error for az too.
	bad := strings.Replace(cs, key, "d3JvbmdrZXl3cm9uZ2tleXdyb25na2V5d3JvbmdrZXk=", 1)
	if r := azr("storage", "share", "exists", "-n", "azshare", "--connection-string", bad); r.code == 0 || !strings.Contains(r.stderr, "AuthenticationFailed") {
		t.Fatalf("az with a wrong key: %+v", r)
	}
}
