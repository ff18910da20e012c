// Package coretest starts an aci local core server over real HTTPS for tests
// of the core and of every provider: a client that trusts the server's own
// CA, a token from its token service, and ARM calls with their answers.
package coretest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aci-cli/aci/internal/local/core"
)

// V is the resources api-version query.
const V = "?api-version=2021-04-01"

// Harness is a started server, a client that trusts it and a token.
type Harness struct {
	T      testing.TB
	Srv    *core.Server
	Client *http.Client
	Token  string
}

// Start starts a server on dir with small pages and the test hooks on.
func Start(t testing.TB, dir string) *Harness {
	t.Helper()
	return StartWith(t, core.Options{StateDir: dir, Version: "test", PageSize: 2, TestHooks: true}, nil)
}

// StartWith starts a server with o; setup registers providers before Start.
func StartWith(t testing.TB, o core.Options, setup func(*core.Server)) *Harness {
	t.Helper()
	srv, err := core.New(o)
	if err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(srv)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	h := &Harness{T: t, Srv: srv, Client: TrustingClient(t, o.StateDir)}
	id := srv.Identity()
	h.Token = h.ClientCredentials(id.ClientID, id.ClientSecret, core.ARMAudience+"/.default")
	return h
}

// TrustingClient trusts the CA of a state dir.
func TrustingClient(t testing.TB, stateDir string) *http.Client {
	pem, err := os.ReadFile(core.CAFile(stateDir))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	// aci local's names are dialled on loopback, as aci dials them: a test
	// never asks DNS (no traffic leaves the machine).
	d := &net.Dialer{Timeout: 10 * time.Second}
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, port, err := net.SplitHostPort(addr); err == nil && strings.HasSuffix(strings.ToLower(host), ".aci.localhost") {
			addr = net.JoinHostPort("127.0.0.1", port)
		}
		return d.DialContext(ctx, network, addr)
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, DialContext: dial}}
}

// ClientCredentials gets a token with the client-credentials grant.
func (h *Harness) ClientCredentials(id, secret, scope string) string {
	resp, err := h.Client.PostForm(h.Srv.BaseURL()+"/adfs/oauth2/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {id}, "client_secret": {secret}, "scope": {scope}})
	if err != nil {
		h.T.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
		h.T.Fatal(err)
	}
	return tok.AccessToken
}

// WithToken is the harness with another bearer token.
func (h *Harness) WithToken(tok string) *Harness {
	c := *h
	c.Token = tok
	return &c
}

// Answer is one response.
type Answer struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    string
}

// Code is the ARM error code of the answer, if any.
func (a Answer) Code() string {
	if e, ok := a.Body["error"].(map[string]any); ok {
		c, _ := e["code"].(string)
		return c
	}
	return ""
}

// Do sends a request with the harness's token; path is below the base URL
// unless it is a full https URL; hdr are header name/value pairs.
func (h *Harness) Do(method, path, body string, hdr ...string) Answer {
	h.T.Helper()
	u := path
	if !strings.HasPrefix(u, "https://") {
		u = h.Srv.BaseURL() + path
	}
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+h.Token)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := h.Client.Do(req)
	if err != nil {
		h.T.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := Answer{Status: resp.StatusCode, Header: resp.Header, Raw: string(b)}
	_ = json.Unmarshal(b, &a.Body) // not every answer is JSON; Raw holds it whole
	return a
}

// RG is a resource group's path.
func (h *Harness) RG(name string) string {
	return "/subscriptions/" + h.Srv.Identity().SubscriptionID + "/resourcegroups/" + name
}
