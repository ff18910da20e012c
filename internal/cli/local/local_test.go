package local

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/local/wire"
)

func testFactory(t *testing.T) *cmdutil.Factory {
	t.Helper()
	ios, _, _, _ := cmdutil.Test()
	return &cmdutil.Factory{IO: ios, ConfigDir: t.TempDir()}
}

// The state dir and port aci local start last used are remembered, so
// status, env, stop and reset find that instance; a pointer that no longer
// names a directory falls back to the default.
func TestStateDirAndPortPointers(t *testing.T) {
	f := testFactory(t)
	if got := defaultStateDir(f); got != filepath.Join(f.ConfigDir, "local") {
		t.Fatalf("default state dir %s", got)
	}
	other := t.TempDir()
	if err := os.WriteFile(stateDirPointer(f), []byte(other+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := defaultStateDir(f); got != other {
		t.Fatalf("remembered state dir %s, want %s", got, other)
	}
	if err := os.WriteFile(stateDirPointer(f), []byte("relative/dir"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := defaultStateDir(f); got != filepath.Join(f.ConfigDir, "local") {
		t.Fatalf("a relative pointer is ignored: %s", got)
	}
	t.Setenv("ACI_LOCAL_PORT", "")
	if p, err := startPort(f); err != nil || p != DefaultPort {
		t.Fatalf("default port %d %v", p, err)
	}
	if err := os.WriteFile(portPointer(f), []byte("8443"), 0o600); err != nil {
		t.Fatal(err)
	}
	if p, err := startPort(f); err != nil || p != 8443 {
		t.Fatalf("remembered port %d %v", p, err)
	}
	t.Setenv("ACI_LOCAL_PORT", "9000")
	if p, err := startPort(f); err != nil || p != 9000 {
		t.Fatalf("ACI_LOCAL_PORT wins: %d %v", p, err)
	}
	t.Setenv("ACI_LOCAL_PORT", "http")
	if _, err := startPort(f); cmdutil.ExitCode(err) != 2 {
		t.Fatalf("a port that is not one: %v", err)
	}
}

func TestServerArgsAndHelpers(t *testing.T) {
	o := &startOptions{stateDir: "/s", listen: "127.0.0.1:1", gitRoots: []string{"/g1", "/g2"}, tokenLife: time.Hour, hostsFile: "none"}
	want := []string{"serve", "--state-dir", "/s", "--listen", "127.0.0.1:1", "--allow-remote=false", "--git-repo-root", "/g1",
		"--git-repo-root", "/g2", "--token-lifetime", "1h0m0s", "--hosts-file", "none"}
	if got := serverArgs(o); !reflect.DeepEqual(got, want) {
		t.Fatalf("serverArgs:\n%v\nwant\n%v", got, want)
	}
	if got := StorageSuffix("https://127.0.0.1:8443"); got != "core."+wire.LocalSuffix+":8443" {
		t.Fatalf("storage suffix %s", got)
	}
	for in, want := range map[string]string{"/plain/path-1.2_x": "/plain/path-1.2_x", "has space": "'has space'", "it's": `'it'\''s'`} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
	if got := lastLine("first\nsecond\n"); got != "second" {
		t.Fatalf("lastLine %q", got)
	}
	// No runtime file, or one naming nobody, is no instance.
	if ri, _ := running(t.TempDir()); ri != nil {
		t.Fatalf("an empty state dir runs %+v", ri)
	}
	dir := t.TempDir()
	if err := os.WriteFile(wire.RuntimeFile(dir), []byte(`{"endpoint":"https://127.0.0.1:1","pid":1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if ri, _ := running(dir); ri != nil {
		t.Fatalf("a stale runtime file counts as running: %+v", ri)
	}
}
