package containerinstance

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/local/core"
)

// The test harness: a started server over real HTTPS and a token of it.

type harness struct {
	t      *testing.T
	srv    *core.Server
	client *http.Client
	token  string
}

func start(t *testing.T, dir string) *harness {
	t.Helper()
	return startWith(t, core.Options{StateDir: dir, Version: "test", PageSize: 2, TestHooks: true}, nil)
}

// startWith starts a server with o; setup registers handlers before Start.
func startWith(t *testing.T, o core.Options, setup func(*core.Server)) *harness {
	t.Helper()
	dir := o.StateDir
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
	pem, _ := os.ReadFile(core.CAFile(dir))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	h := &harness{t: t, srv: srv, client: &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}}
	h.token = h.clientCredentials(srv.Identity().ClientID, srv.Identity().ClientSecret, core.ARMAudience+"/.default")
	return h
}

func (h *harness) clientCredentials(id, secret, scope string) string {
	resp, err := h.client.PostForm(h.srv.BaseURL()+"/adfs/oauth2/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {id}, "client_secret": {secret}, "scope": {scope}})
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	return tok.AccessToken
}

type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (a answer) code() string {
	if e, ok := a.body["error"].(map[string]any); ok {
		c, _ := e["code"].(string)
		return c
	}
	return ""
}

func (h *harness) do(method, path, body string, hdr ...string) answer {
	h.t.Helper()
	u := path
	if !strings.HasPrefix(u, "https://") {
		u = h.srv.BaseURL() + path
	}
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+h.token)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	json.Unmarshal(b, &a.body)
	return a
}

func (h *harness) rg(name string) string {
	return "/subscriptions/" + h.srv.Identity().SubscriptionID + "/resourcegroups/" + name
}

const v = "?api-version=2021-04-01"
