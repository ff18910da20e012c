package login_test

// `aci login` against aci local's real token service, started in this
// process: the device-code flow approved as a person would, the managed
// identity, and logout revoking the sign-in.

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/cli/root"
	"github.com/aci-cli/aci/internal/local/core"
	"github.com/aci-cli/aci/internal/local/coretest"
	"github.com/aci-cli/aci/internal/local/wire"
)

// syncBuffer is stderr read while the command writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type localEnv struct {
	h   *coretest.Harness
	id  wire.Principals
	dir string // aci's config dir
}

// startLocal starts a core and registers it as aci's active cloud "local".
func startLocal(t *testing.T) *localEnv {
	t.Helper()
	state := t.TempDir()
	h := coretest.StartWith(t, core.Options{StateDir: state, Version: "test"}, nil)
	e := &localEnv{h: h, dir: t.TempDir()}
	b, _ := os.ReadFile(wire.PrincipalsFile(state))
	if err := json.Unmarshal(b, &e.id); err != nil {
		t.Fatal(err)
	}
	f := &cmdutil.Factory{ConfigDir: e.dir}
	clouds, err := f.Clouds()
	if err != nil {
		t.Fatal(err)
	}
	ep := h.Srv.BaseURL()
	if err := clouds.Save(&arm.Cloud{Name: "local", CABundle: wire.CAFile(state), Endpoints: map[string]string{"resourceManager": ep + "/",
		"activeDirectory": ep + "/adfs", "activeDirectoryResourceId": wire.ARMAudience, "management": wire.ARMAudience}}); err != nil {
		t.Fatal(err)
	}
	cfg, _ := f.Config()
	if err := cfg.Set("cloud", "name", "local"); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *localEnv) run(t *testing.T, ctx context.Context, errOut *syncBuffer, args ...string) (string, error) {
	t.Helper()
	ios, _, out, _ := cmdutil.Test()
	if errOut != nil {
		ios.ErrOut = errOut
	}
	f := &cmdutil.Factory{IO: ios, Version: "test", ConfigDir: e.dir}
	err := root.Execute(ctx, f, args)
	return out.String(), err
}

func TestDeviceCodeLoginAndLogout(t *testing.T) {
	e := startLocal(t)
	t.Setenv("BROWSER", "")
	var errOut syncBuffer
	done := make(chan error, 1)
	var out string
	go func() {
		var err error
		out, err = e.run(t, context.Background(), &errOut, "login", "--use-device-code")
		done <- err
	}()
	// The prompt names the page and the code; a person signs in there.
	codeRE := regexp.MustCompile(`enter the code ([A-Z0-9]+)`)
	var code string
	for deadline := time.Now().Add(20 * time.Second); code == ""; time.Sleep(20 * time.Millisecond) {
		if m := codeRE.FindStringSubmatch(errOut.String()); m != nil {
			code = m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no device code prompt: %q", errOut.String())
		}
	}
	if !strings.Contains(errOut.String(), e.h.Srv.BaseURL()+"/adfs/device") {
		t.Fatalf("the prompt names no page: %q", errOut.String())
	}
	resp, err := e.h.Client.PostForm(e.h.Srv.BaseURL()+"/adfs/device", url.Values{"user_code": {code}, "username": {e.id.UserName}, "password": {e.id.UserPassword}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("approval: %v %v", err, resp)
	}
	resp.Body.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("login: %v\n%s", err, errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("login did not finish after the approval")
	}
	var subs []map[string]any
	if err := json.Unmarshal([]byte(out), &subs); err != nil || len(subs) != 1 || subs[0]["id"] != e.id.SubscriptionID ||
		subs[0]["user"].(map[string]any)["type"] != "user" || subs[0]["cloudName"] != "local" {
		t.Fatalf("login printed %v %s", err, out)
	}
	// The sign-in works for ARM calls, silently refreshed from the cache.
	if out, err := e.run(t, context.Background(), nil, "group", "list"); err != nil || out != "[]\n" {
		t.Fatalf("group list after login: %v %q", err, out)
	}
	// logout forgets the account and revokes its sign-in.
	if _, err := e.run(t, context.Background(), nil, "logout"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.run(t, context.Background(), nil, "group", "list"); err == nil || !strings.Contains(err.Error(), "aci login") {
		t.Fatalf("after logout: %v", err)
	}
	if _, err := e.run(t, context.Background(), nil, "logout"); err == nil || err.Error() != "There are no active accounts." {
		t.Fatalf("logout twice: %v", err)
	}
}

func TestIdentityLogin(t *testing.T) {
	e := startLocal(t)
	t.Setenv("IDENTITY_ENDPOINT", e.h.Srv.BaseURL()+"/msi/token")
	// First (the SDK keeps an identity's tokens in the process): a wrong
	// header is refused by the endpoint, and nothing is signed in.
	t.Setenv("IDENTITY_HEADER", "not-the-secret")
	fresh := &localEnv{h: e.h, id: e.id, dir: t.TempDir()}
	if err := copyCloud(e.dir, fresh.dir); err != nil {
		t.Fatal(err)
	}
	if _, err := fresh.run(t, context.Background(), nil, "login", "--identity"); err == nil {
		t.Fatal("a wrong IDENTITY_HEADER signed in")
	}
	t.Setenv("IDENTITY_HEADER", e.id.MSISecret)
	out, err := e.run(t, context.Background(), nil, "login", "--identity")
	if err != nil {
		t.Fatal(err)
	}
	var subs []map[string]any
	// az's record: a service principal with assignedIdentityInfo.
	if err := json.Unmarshal([]byte(out), &subs); err != nil || len(subs) != 1 ||
		!reflect.DeepEqual(subs[0]["user"], map[string]any{"assignedIdentityInfo": "MSI", "name": "systemAssignedIdentity", "type": "servicePrincipal"}) {
		t.Fatalf("identity login printed %v %s", err, out)
	}
	if out, err := e.run(t, context.Background(), nil, "group", "list"); err != nil || out != "[]\n" {
		t.Fatalf("group list with the identity: %v %q", err, out)
	}
	if _, err := e.run(t, context.Background(), nil, "login", "--identity", "-p", "x"); cmdutil.ExitCode(err) != 2 {
		t.Fatalf("--identity with a password: %v", err)
	}
}

// copyCloud gives another config dir the same registered, active cloud.
func copyCloud(from, to string) error {
	for _, name := range []string{"clouds.config", "config"} {
		b, err := os.ReadFile(filepath.Join(from, name))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(to, name), b, 0o600); err != nil {
			return err
		}
	}
	return nil
}
