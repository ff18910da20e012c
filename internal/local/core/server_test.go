package core

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

type harness struct {
	t      *testing.T
	srv    *Server
	client *http.Client
	token  string
}

func start(t *testing.T, dir string) *harness {
	t.Helper()
	return startWith(t, Options{StateDir: dir, Version: "test", PageSize: 2, TestHooks: true}, nil)
}

// startWith starts a server with o; setup registers handlers before Start.
func startWith(t *testing.T, o Options, setup func(*Server)) *harness {
	t.Helper()
	dir := o.StateDir
	srv, err := New(o)
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
	pem, _ := os.ReadFile(CAFile(dir))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	h := &harness{t: t, srv: srv, client: &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}}
	h.token = h.clientCredentials(srv.id.ClientID, srv.id.ClientSecret, ARMAudience+"/.default")
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
	return "/subscriptions/" + h.srv.id.SubscriptionID + "/resourcegroups/" + name
}

const v = "?api-version=2021-04-01"

func TestResourceGroupLifecycle(t *testing.T) {
	h := start(t, t.TempDir())
	a := h.do("PUT", h.rg("my-resource-group")+v, `{"location":"eastus"}`)
	// The official example (CreateResourceGroup.json): 201 with id, name, location, provisioningState.
	if a.status != 201 || a.body["id"] != "/subscriptions/"+h.srv.id.SubscriptionID+"/resourceGroups/my-resource-group" ||
		a.body["location"] != "eastus" || a.body["properties"].(map[string]any)["provisioningState"] != "Succeeded" ||
		a.body["type"] != "Microsoft.Resources/resourceGroups" {
		t.Fatalf("create: %d %s", a.status, a.raw)
	}
	if a.header.Get("x-ms-request-id") == "" || a.header.Get("x-ms-correlation-request-id") == "" {
		t.Fatal("missing request id headers")
	}
	if a := h.do("PUT", h.rg("MY-resource-group")+v, `{"location":"East US","tags":{"a":"b"}}`); a.status != 200 || a.body["name"] != "my-resource-group" {
		t.Fatalf("idempotent update (names are case-insensitive): %d %s", a.status, a.raw)
	}
	if a := h.do("HEAD", h.rg("my-resource-group")+v, ""); a.status != 204 {
		t.Fatalf("head: %d", a.status)
	}
	if a := h.do("HEAD", h.rg("nope")+v, ""); a.status != 404 {
		t.Fatalf("head missing: %d", a.status)
	}
	if a := h.do("PATCH", h.rg("my-resource-group")+v, `{"tags":{"k":"v"}}`); a.status != 200 || a.body["tags"].(map[string]any)["k"] != "v" {
		t.Fatalf("patch: %s", a.raw)
	}
	if a := h.do("GET", h.rg("nope")+v, ""); a.status != 404 || a.code() != "ResourceGroupNotFound" ||
		a.body["error"].(map[string]any)["message"] != "Resource group 'nope' could not be found." {
		t.Fatalf("get missing: %s", a.raw)
	}
	for i := 0; i < 4; i++ {
		h.do("PUT", h.rg(fmt.Sprintf("g%d", i))+v, fmt.Sprintf(`{"location":"westus","tags":{"n":"%d"}}`, i%2))
	}
	// Paging: page size 2, five groups.
	var names []string
	next := h.srv.BaseURL() + "/subscriptions/" + h.srv.id.SubscriptionID + "/resourcegroups" + v
	for pages := 0; next != ""; pages++ {
		a := h.do("GET", next, "")
		for _, g := range a.body["value"].([]any) {
			names = append(names, g.(map[string]any)["name"].(string))
		}
		next, _ = a.body["nextLink"].(string)
		if pages > 5 {
			t.Fatal("nextLink loops")
		}
	}
	if len(names) != 5 {
		t.Fatalf("paged list: %v", names)
	}
	a = h.do("GET", "/subscriptions/"+h.srv.id.SubscriptionID+"/resourcegroups"+v+"&$filter="+url.QueryEscape("tagName eq 'n' and tagValue eq '1'"), "")
	if l := a.body["value"].([]any); len(l) != 2 {
		t.Fatalf("tag filter: %s", a.raw)
	}
	a = h.do("DELETE", h.rg("g0")+v, "")
	loc := a.header.Get("Location")
	if a.status != 202 || loc == "" || a.header.Get("Retry-After") != "1" {
		t.Fatalf("delete: %d %v", a.status, a.header)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		p := h.do("GET", loc, "")
		if p.status == 200 {
			break
		}
		if p.status != 202 || time.Now().After(deadline) {
			t.Fatalf("poll: %d %s", p.status, p.raw)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if a := h.do("GET", h.rg("g0")+v, ""); a.status != 404 {
		t.Fatalf("deleted group still there: %d", a.status)
	}
}

func TestBadInput(t *testing.T) {
	h := start(t, t.TempDir())
	h.do("PUT", h.rg("existing")+v, `{"location":"westus"}`)
	cases := []struct {
		method, path, body string
		status             int
		code               string
	}{
		{"GET", h.rg("x"), "", 400, "MissingApiVersionParameter"},
		{"GET", h.rg("x") + "?api-version=banana", "", 400, "InvalidApiVersionParameter"},
		{"PUT", h.rg("x") + v, `{"location":`, 400, "InvalidRequestContent"},
		{"PUT", h.rg("x") + v, ``, 400, "InvalidRequestContent"},
		{"PUT", h.rg("x") + v, `{"location":"westus","bogus":1}`, 400, "InvalidRequestContent"},
		{"PUT", h.rg("x") + v, `{"location":5}`, 400, "InvalidRequestContent"},
		{"PUT", h.rg("bad%20name") + v, `{"location":"westus"}`, 400, "InvalidResourceGroup"},
		{"PUT", h.rg("ends.") + v, `{"location":"westus"}`, 400, "InvalidResourceGroup"},
		{"PUT", h.rg(strings.Repeat("a", 91)) + v, `{"location":"westus"}`, 400, "InvalidResourceGroup"},
		{"PUT", h.rg("x") + v, `{}`, 400, "LocationRequired"},
		{"PUT", h.rg("x") + v, `{"location":"mars"}`, 400, "LocationNotAvailableForResourceGroup"},
		{"PUT", h.rg("existing") + v, `{"location":"eastus"}`, 409, "InvalidResourceGroupLocation"},
		{"GET", "/subscriptions/11111111-1111-1111-1111-111111111111/resourcegroups" + v, "", 404, "SubscriptionNotFound"},
		{"GET", h.rg("existing") + "/providers/Microsoft.Nope/things/x" + v, "", 404, "InvalidResourceType"},
		{"GET", h.rg("missing") + "/providers/Microsoft.Nope/things/x" + v, "", 404, "ResourceGroupNotFound"},
		{"GET", "/subscriptions/" + h.srv.id.SubscriptionID + "/resourcegroups" + v + "&$filter=" + url.QueryEscape("name eq 'x'"), "", 400, "InvalidFilterInQueryString"},
	}
	for _, c := range cases {
		a := h.do(c.method, c.path, c.body)
		if a.status != c.status || a.code() != c.code {
			t.Errorf("%s %s %s: %d %s", c.method, c.path, c.body, a.status, a.raw)
		}
		if msg, _ := a.body["error"].(map[string]any)["message"].(string); msg == "" {
			t.Errorf("%s %s: no message", c.method, c.path)
		}
	}
}

func TestAuth(t *testing.T) {
	h := start(t, t.TempDir())
	path := "/subscriptions" + v
	check := func(name, token, code string) {
		t.Helper()
		h.token = token
		a := h.do("GET", path, "")
		if a.status != 401 || a.code() != code || !strings.HasPrefix(a.header.Get("WWW-Authenticate"), "Bearer authorization_uri=") {
			t.Errorf("%s: %d %s %v", name, a.status, a.raw, a.header)
		}
	}
	good := h.clientCredentials(h.srv.id.ClientID, h.srv.id.ClientSecret, ARMAudience+"/.default")
	check("no token", "", "AuthenticationFailed")
	parts := strings.Split(good, ".")
	check("tampered", parts[0]+"."+strings.TrimRight(parts[1], "A")+"B."+parts[2], "InvalidAuthenticationToken")
	foreignKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	foreign, _ := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"aud": ARMAudience, "tid": h.srv.id.TenantID,
		"exp": time.Now().Add(time.Hour).Unix()}).SignedString(foreignKey)
	check("foreign signer", foreign, "InvalidAuthenticationToken")
	expired, _ := h.srv.tokens.sign(jwt.MapClaims{"aud": ARMAudience, "tid": h.srv.id.TenantID, "exp": time.Now().Add(-time.Hour).Unix()})
	check("expired", expired, "ExpiredAuthenticationToken")
	check("wrong audience", h.clientCredentials(h.srv.id.ClientID, h.srv.id.ClientSecret, "https://vault.azure.net/.default"), "InvalidAuthenticationTokenAudience")
	other, _ := h.srv.tokens.sign(jwt.MapClaims{"aud": ARMAudience, "tid": "other-tenant", "exp": time.Now().Add(time.Hour).Unix()})
	check("foreign tenant", other, "InvalidAuthenticationTokenTenant")
	if tok := h.clientCredentials(h.srv.id.ClientID, "wrong", ARMAudience+"/.default"); tok != "" {
		t.Fatal("a wrong secret got a token")
	}
	h.token = good
	if a := h.do("GET", path, ""); a.status != 200 {
		t.Fatalf("good token refused: %s", a.raw)
	}
}

func TestProvidersAndMetadata(t *testing.T) {
	RegistrationDelay = 50 * time.Millisecond
	h := start(t, t.TempDir())
	p := "/subscriptions/" + h.srv.id.SubscriptionID + "/providers/Microsoft.ContainerInstance"
	if a := h.do("GET", p+v, ""); a.body["registrationState"] != "NotRegistered" || a.body["namespace"] != "Microsoft.ContainerInstance" {
		t.Fatalf("get: %s", a.raw)
	}
	if a := h.do("POST", p+"/register"+v, ""); a.status != 200 || a.body["registrationState"] != "Registering" {
		t.Fatalf("register: %s", a.raw)
	}
	time.Sleep(60 * time.Millisecond)
	if a := h.do("GET", p+v, ""); a.body["registrationState"] != "Registered" {
		t.Fatalf("after delay: %s", a.raw)
	}
	a := h.do("GET", "/subscriptions/"+h.srv.id.SubscriptionID+"/providers"+v, "")
	if n := len(a.body["value"].([]any)); n != 4 {
		t.Fatalf("providers: %d", n)
	}
	if a := h.do("GET", "/providers/Microsoft.ContainerInstance/operations"+v, ""); a.status != 200 || len(a.body["value"].([]any)) == 0 {
		t.Fatalf("operations: %s", a.raw)
	}
	resp, err := h.client.Get(h.srv.BaseURL() + "/metadata/endpoints?api-version=2015-01-01")
	if err != nil {
		t.Fatal(err)
	}
	var md map[string]any
	json.NewDecoder(resp.Body).Decode(&md)
	if md["authentication"].(map[string]any)["loginEndpoint"] != h.srv.BaseURL()+"/adfs" {
		t.Fatalf("metadata: %v", md)
	}
}

func TestThrottle(t *testing.T) {
	h := start(t, t.TempDir())
	h.do("POST", "/aci-local/throttle", `{"requests":2}`)
	for i := 0; i < 2; i++ {
		if a := h.do("GET", "/subscriptions"+v, ""); a.status != 429 || a.header.Get("Retry-After") != "1" || a.code() != "TooManyRequests" {
			t.Fatalf("throttled %d: %d %s", i, a.status, a.raw)
		}
	}
	if a := h.do("GET", "/subscriptions"+v, ""); a.status != 200 {
		t.Fatalf("after throttling: %d", a.status)
	}
}

func TestPersistenceAndSecrets(t *testing.T) {
	dir := t.TempDir()
	h := start(t, dir)
	h.do("PUT", h.rg("kept")+v, `{"location":"westus"}`)
	h.srv.Close()
	h2 := start(t, dir)
	if a := h2.do("GET", h2.rg("kept")+v, ""); a.status != 200 {
		t.Fatalf("not persisted: %s", a.raw)
	}
	for _, f := range []string{"principals.json", "token-signing-key.pem", "ca-key.pem", "server-key.pem", "state.db", "requests.log"} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", f, st.Mode(), err)
		}
	}
	log, _ := os.ReadFile(filepath.Join(dir, "requests.log"))
	if strings.Contains(string(log), h2.srv.id.ClientSecret) || strings.Contains(string(log), h2.token[:20]) {
		t.Fatal("the request log holds a secret")
	}
	if !strings.Contains(string(log), `"status":200`) {
		t.Fatalf("request log: %s", log)
	}
}

func TestPasswordGrantAndMSI(t *testing.T) {
	h := start(t, t.TempDir())
	resp, err := h.client.PostForm(h.srv.BaseURL()+"/adfs/oauth2/token", url.Values{"grant_type": {"password"},
		"client_id": {"04b07795-8ddb-461a-bbee-02f9e1bf7b46"}, "username": {h.srv.id.UserName}, "password": {h.srv.id.UserPassword},
		"scope": {ARMAudience + "/.default offline_access openid profile"}})
	if err != nil {
		t.Fatal(err)
	}
	var tok map[string]any
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	for _, k := range []string{"access_token", "refresh_token", "id_token", "client_info"} {
		if s, _ := tok[k].(string); s == "" {
			t.Fatalf("password grant lacks %s: %v", k, tok)
		}
	}
	h.token = tok["access_token"].(string)
	if a := h.do("GET", "/subscriptions"+v, ""); a.status != 200 {
		t.Fatalf("user token refused: %s", a.raw)
	}
	// Refresh.
	resp, _ = h.client.PostForm(h.srv.BaseURL()+"/adfs/oauth2/token", url.Values{"grant_type": {"refresh_token"},
		"client_id": {"x"}, "refresh_token": {tok["refresh_token"].(string)}, "scope": {ARMAudience + "/.default"}})
	var ref map[string]any
	json.NewDecoder(resp.Body).Decode(&ref)
	resp.Body.Close()
	if ref["access_token"] == nil {
		t.Fatalf("refresh: %v", ref)
	}
	// msrestazure's MSI_ENDPOINT shape: form POST with resource, JWT carrying tid.
	req, _ := http.NewRequest("POST", h.srv.BaseURL()+"/msi/token", strings.NewReader(url.Values{"resource": {ARMAudience}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Metadata", "true")
	req.Header.Set("secret", h.srv.id.MSISecret)
	resp, _ = h.client.Do(req)
	var msi map[string]any
	json.NewDecoder(resp.Body).Decode(&msi)
	resp.Body.Close()
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(msi["access_token"].(string), claims); err != nil || claims["tid"] != h.srv.id.TenantID || msi["expires_on"] == nil {
		t.Fatalf("msi: %v %v", msi, err)
	}
	if resp, _ := h.client.PostForm(h.srv.BaseURL()+"/adfs/oauth2/token", url.Values{"grant_type": {"password"},
		"username": {h.srv.id.UserName}, "password": {"nope"}}); resp.StatusCode != 400 {
		t.Fatalf("bad password: %d", resp.StatusCode)
	}
}
