package coretest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aci-cli/aci/internal/local/core"
)

// A test binary doubles as an aci local child process, for tests that kill
// the server (kill -9) or stop it (SIGTERM) and start it again on the same
// state dir: TestMain calls ServeChild first, and the test StartChild.

// ServeChild serves as a child when the variable envKey names a state dir:
// setup registers the providers, the endpoint is written to the state dir,
// and SIGTERM is the orderly stop (Close waits for resumed operations). It
// returns only when envKey is unset.
func ServeChild(envKey string, setup func(*core.Server)) {
	dir := os.Getenv(envKey)
	if dir == "" {
		return
	}
	srv, err := core.New(core.Options{StateDir: dir, Version: "crash-child"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if setup != nil {
		setup(srv)
	}
	if err := srv.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	tmp := filepath.Join(dir, "endpoint.tmp")
	if err := os.WriteFile(tmp, []byte(srv.BaseURL()), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "endpoint")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM)
	<-sig
	srv.Close()
	os.Exit(0)
}

// Child is a running child server and a client with a token of it.
type Child struct {
	Cmd          *exec.Cmd
	Endpoint     string
	Client       *http.Client
	Token        string
	Subscription string
}

// StartChild starts this test binary as a child serving dir (see
// ServeChild) and waits until it answers.
func StartChild(t testing.TB, envKey, dir string) *Child {
	t.Helper()
	os.Remove(filepath.Join(dir, "endpoint"))
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envKey+"="+dir)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &Child{Cmd: cmd}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "endpoint")); err == nil {
			c.Endpoint = string(b)
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the child did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.Client = TrustingClient(t, dir)
	c.Client.Timeout = 30 * time.Second
	var id core.Identity
	b, err := os.ReadFile(filepath.Join(dir, "principals.json"))
	if err == nil {
		err = json.Unmarshal(b, &id)
	}
	if err != nil {
		t.Fatal(err)
	}
	c.Subscription = id.SubscriptionID
	resp, err := c.Client.PostForm(c.Endpoint+"/adfs/oauth2/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {id.ClientID}, "client_secret": {id.ClientSecret}, "scope": {core.ARMAudience + "/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	c.Token = tok.AccessToken
	return c
}

// Do sends an ARM request with the child's token; the error is the
// transport's (a killed child).
func (c *Child) Do(method, path, body string) (int, []byte, error) {
	req, _ := http.NewRequest(method, c.Endpoint+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.Token)
	resp, err := c.Client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}
