package e2e

import (
	"strings"
	"testing"
	"time"
)

// A share's quota holds for what containers write through their mounts, not
// only for the File API: past it the share turns read-only in the
// containers that mount it (within the watcher's interval), and writable
// again once files are deleted.
func TestShareQuotaHoldsForContainers(t *testing.T) {
	requireDocker(t)
	env := localEnv(t)
	aci := func(args ...string) result { return run(t, env, aciBin, args...) }
	must(t, aci("group", "create", "-n", "q", "-l", "westus", "-o", "none"), 0)
	must(t, aci("storage", "account", "create", "-n", "quotast1", "-g", "q", "-o", "none"), 0)
	key := strings.TrimSpace(must(t, aci("storage", "account", "keys", "list", "-g", "q", "-n", "quotast1", "--query", "[0].value", "-o", "tsv"), 0).stdout)
	must(t, aci("storage", "share", "create", "-n", "small", "--quota", "1", "--account-name", "quotast1", "--account-key", key, "-o", "none"), 0)
	must(t, aci("container", "create", "-g", "q", "-n", "filler", "--image", "mcr.microsoft.com/azuredocs/aci-helloworld", "-o", "none",
		"--azure-file-volume-share-name", "small", "--azure-file-volume-account-name", "quotast1", "--azure-file-volume-account-key", key,
		"--azure-file-volume-mount-path", "/mnt/small"), 0)
	exec := func(cmd string) result {
		return aci("container", "exec", "-g", "q", "-n", "filler", "--exec-command", "sh -c '"+cmd+"'")
	}
	// 1.2 GiB into a 1 GiB share: the write itself may finish (it is not
	// metered as it happens), then the share stops taking more.
	exec("dd if=/dev/zero of=/mnt/small/big bs=1M count=1200 2>&1")
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := exec("echo more > /mnt/small/after && echo wrote")
		if r.code != 0 && strings.Contains(r.stdout+r.stderr, "Read-only file system") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the share over its quota still takes writes from the container: %+v", r)
		}
		time.Sleep(500 * time.Millisecond)
	}
	// The File API refuses too, and reading still works.
	if r := exec("head -c 3 /mnt/small/big | wc -c"); r.code != 0 || strings.TrimSpace(r.stdout) != "3" {
		t.Fatalf("reading from a full share: %+v", r)
	}
	// Deleting the big file brings the share back under: writable again.
	must(t, aci("storage", "file", "delete", "-s", "small", "-p", "big", "--account-name", "quotast1", "--account-key", key, "-o", "none"), 0)
	deadline = time.Now().Add(30 * time.Second)
	for {
		r := exec("echo more > /mnt/small/after && echo wrote")
		if r.code == 0 && strings.Contains(r.stdout, "wrote") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the share back under its quota stays read-only: %+v", r)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
