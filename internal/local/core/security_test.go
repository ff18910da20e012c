package core_test

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/aci-cli/aci/internal/local/core"
	"github.com/aci-cli/aci/internal/local/coretest"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/golang-jwt/jwt/v5"
)

// The managed-identity endpoint hands out nothing without its secret.
func TestManagedIdentityNeedsSecret(t *testing.T) {
	h := coretest.Start(t, t.TempDir())
	base := h.Srv.BaseURL()
	secret := h.Srv.Identity().MSISecret
	res := url.QueryEscape(core.ARMAudience)
	cases := []struct {
		name, method, path string
		hdr                map[string]string
		status             int
	}{
		{"IMDS, nothing", "GET", "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=" + res, nil, 400},
		{"IMDS, Metadata only", "GET", "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=" + res, map[string]string{"Metadata": "true"}, 401},
		{"IMDS, secret without Metadata", "GET", "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=" + res, map[string]string{"X-IDENTITY-HEADER": secret}, 400},
		{"IMDS, wrong secret", "GET", "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=" + res, map[string]string{"Metadata": "true", "X-IDENTITY-HEADER": "x"}, 401},
		{"IMDS, all", "GET", "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=" + res, map[string]string{"Metadata": "true", "X-IDENTITY-HEADER": secret}, 200},
		{"App Service, nothing", "GET", "/msi/token?api-version=2019-08-01&resource=" + res, nil, 401},
		{"App Service, Metadata only", "GET", "/msi/token?api-version=2019-08-01&resource=" + res, map[string]string{"Metadata": "true"}, 401},
		{"App Service, secret", "GET", "/msi/token?api-version=2019-08-01&resource=" + res, map[string]string{"X-IDENTITY-HEADER": secret}, 200},
		{"MSI_SECRET shape", "GET", "/msi/token?api-version=2017-09-01&resource=" + res, map[string]string{"secret": secret}, 200},
		{"no resource", "GET", "/msi/token?api-version=2019-08-01", map[string]string{"X-IDENTITY-HEADER": secret}, 400},
		{"another identity", "GET", "/msi/token?api-version=2019-08-01&resource=" + res + "&client_id=11111111-1111-1111-1111-111111111111", map[string]string{"X-IDENTITY-HEADER": secret}, 400},
		{"PUT", "PUT", "/msi/token?resource=" + res, map[string]string{"X-IDENTITY-HEADER": secret}, 405},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, base+c.path, nil)
		for k, v := range c.hdr {
			req.Header.Set(k, v)
		}
		resp, err := h.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s: %d %s", c.name, resp.StatusCode, b)
		}
		if c.status != 200 && bytes.Contains(b, []byte("access_token")) {
			t.Errorf("%s: a token was handed out: %s", c.name, b)
		}
	}
	// The requested audience is honoured: a storage token does not open ARM.
	req, _ := http.NewRequest("GET", base+"/msi/token?api-version=2019-08-01&resource="+url.QueryEscape("https://storage.azure.com/"), nil)
	req.Header.Set("X-IDENTITY-HEADER", secret)
	resp, err := h.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tok map[string]any
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	claims := jwt.MapClaims{}
	jwt.NewParser().ParseUnverified(tok["access_token"].(string), claims)
	if claims["aud"] != "https://storage.azure.com/" {
		t.Fatalf("audience not honoured: %v", claims["aud"])
	}
	if a := h.WithToken(tok["access_token"].(string)).Do("GET", "/subscriptions"+coretest.V, ""); a.Status != 401 {
		t.Fatalf("a storage token opened ARM: %d", a.Status)
	}

	// The Azure SDK's own managed-identity client, App Service shape, as
	// `aci local env` sets it up.
	t.Setenv("IDENTITY_ENDPOINT", base+"/msi/token")
	t.Setenv("IDENTITY_HEADER", secret)
	cred, err := azidentity.NewManagedIdentityCredential(&azidentity.ManagedIdentityCredentialOptions{
		ClientOptions: azcore.ClientOptions{Transport: h.Client}})
	if err != nil {
		t.Fatal(err)
	}
	at, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{core.ARMAudience + ".default"}})
	if err != nil {
		t.Fatalf("azidentity: %v", err)
	}
	if a := h.WithToken(at.Token).Do("GET", "/subscriptions"+coretest.V, ""); a.Status != 200 {
		t.Fatalf("managed identity token refused: %s", a.Raw)
	}
	t.Setenv("IDENTITY_HEADER", "wrong")
	cred, _ = azidentity.NewManagedIdentityCredential(&azidentity.ManagedIdentityCredentialOptions{
		ClientOptions: azcore.ClientOptions{Transport: h.Client}})
	// (Another scope: MSAL caches managed-identity tokens per process.)
	if _, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://storage.azure.com/.default"}}); err == nil {
		t.Fatal("azidentity got a token with a wrong secret")
	}
}

func TestTestHooksAndListen(t *testing.T) {
	h := coretest.StartWith(t, core.Options{StateDir: t.TempDir(), Version: "test"}, nil)
	if a := h.Do("POST", "/aci-local/throttle", `{"requests":5}`); a.Status == 204 {
		t.Fatal("the throttle hook answers without TestHooks")
	}
	if a := h.Do("GET", "/subscriptions"+coretest.V, ""); a.Status != 200 {
		t.Fatalf("throttled without the hook: %d", a.Status)
	}
	for _, l := range []string{"0.0.0.0:0", "[::]:0", "10.1.2.3:0"} {
		srv, err := core.New(core.Options{StateDir: t.TempDir(), Listen: l})
		if err != nil {
			t.Fatal(err)
		}
		err = srv.Start()
		srv.Close()
		if err == nil || !strings.Contains(err.Error(), "--allow-remote") {
			t.Errorf("listen %s without AllowRemote: %v", l, err)
		}
	}
	for _, l := range []string{"127.0.0.1:0", "localhost:0", "[::1]:0"} {
		if !core.IsLoopback(strings.Trim(l[:strings.LastIndex(l, ":")], "[]")) {
			t.Errorf("%s is loopback", l)
		}
	}
}

type panicHandler struct{}

func (panicHandler) Type() string                                 { return "Test.Panic/things" }
func (panicHandler) Serve(w http.ResponseWriter, r *core.Request) { panic("boom") }

// A handler bug is ARM's 500 envelope and a logged stack; the server lives on.
func TestPanicIsARM500(t *testing.T) {
	h := coretest.StartWith(t, core.Options{StateDir: t.TempDir(), Version: "test"}, func(s *core.Server) { s.Register(panicHandler{}) })
	h.Do("PUT", h.RG("rg")+coretest.V, `{"location":"westus"}`)
	a := h.Do("GET", h.RG("rg")+"/providers/Test.Panic/things/x"+coretest.V, "")
	if a.Status != 500 || a.Code() != "InternalServerError" {
		t.Fatalf("panic: %d %s", a.Status, a.Raw)
	}
	if a := h.Do("GET", "/subscriptions"+coretest.V, ""); a.Status != 200 {
		t.Fatal("the server died with its handler")
	}
	logb, _ := os.ReadFile(filepath.Join(h.Srv.Options().StateDir, "requests.log"))
	if !bytes.Contains(logb, []byte(`"panic":"boom"`)) || !bytes.Contains(logb, []byte("security_test.go")) {
		t.Fatalf("the panic's stack is not logged: %s", logb)
	}
}

// The request log keeps only allowed query values.
func TestRequestLog(t *testing.T) {
	h := coretest.Start(t, t.TempDir())
	h.Do("GET", "/subscriptions"+coretest.V+"&sig=SIGVALUE&code=CODEVALUE&%24top=5", "")
	b, _ := os.ReadFile(filepath.Join(h.Srv.Options().StateDir, "requests.log"))
	if bytes.Contains(b, []byte("SIGVALUE")) || bytes.Contains(b, []byte("CODEVALUE")) || !bytes.Contains(b, []byte("2021-04-01")) {
		t.Fatalf("query values in the log: %s", b)
	}
}

// The user sign-in endpoints hand out no token without the user's password:
// every way to a token that skips it, or that passes off one kind of token
// (or another instance's) as another, is refused.
func TestSignInNeedsCredentials(t *testing.T) {
	h := coretest.Start(t, t.TempDir())
	other := coretest.Start(t, t.TempDir())
	id := h.Srv.Identity()
	token := func(h *coretest.Harness, form url.Values) (int, map[string]any) {
		t.Helper()
		st, m, _ := postForm(t, h, "/adfs/oauth2/token", form)
		return st, m
	}
	login := func(h *coretest.Harness) map[string]any {
		t.Helper()
		_, m := token(h, url.Values{"grant_type": {"password"}, "client_id": {azClient}, "username": {h.Srv.Identity().UserName},
			"password": {h.Srv.Identity().UserPassword}, "scope": {core.ARMAudience + "/.default"}})
		if m["refresh_token"] == nil {
			t.Fatalf("login: %v", m)
		}
		return m
	}
	mine, theirs := login(h), login(other)
	_, dc, _ := postForm(t, h, "/adfs/oauth2/devicecode", url.Values{"client_id": {azClient}})
	for _, c := range []struct {
		name string
		form url.Values
	}{
		{"device code nobody approved", url.Values{"grant_type": {"device_code"}, "client_id": {azClient}, "device_code": {dc["device_code"].(string)}}},
		{"made-up device code", url.Values{"grant_type": {"device_code"}, "client_id": {azClient}, "device_code": {"0123456789abcdef"}}},
		{"made-up authorization code", url.Values{"grant_type": {"authorization_code"}, "client_id": {azClient}, "code": {"0123456789abcdef"},
			"code_verifier": {"x"}, "redirect_uri": {"http://localhost:1/"}}},
		{"access token as refresh token", url.Values{"grant_type": {"refresh_token"}, "client_id": {azClient}, "refresh_token": {mine["access_token"].(string)}}},
		{"id token as refresh token", url.Values{"grant_type": {"refresh_token"}, "client_id": {azClient}, "refresh_token": {mine["id_token"].(string)}}},
		{"another instance's refresh token", url.Values{"grant_type": {"refresh_token"}, "client_id": {azClient}, "refresh_token": {theirs["refresh_token"].(string)}}},
		{"refresh token of another client", url.Values{"grant_type": {"refresh_token"}, "client_id": {"someone-else"}, "refresh_token": {mine["refresh_token"].(string)}}},
		{"password grant, wrong password", url.Values{"grant_type": {"password"}, "client_id": {azClient}, "username": {id.UserName}, "password": {"guess"}}},
	} {
		if st, m := token(h, c.form); st < 400 || m["access_token"] != nil {
			t.Errorf("%s: %d %v", c.name, st, m)
		}
	}
	// The device page and the sign-in page approve nothing without the password.
	for _, form := range []url.Values{
		{"user_code": {dc["user_code"].(string)}},
		{"user_code": {dc["user_code"].(string)}, "username": {id.UserName}, "password": {""}},
		{"user_code": {dc["user_code"].(string)}, "username": {id.UserName}, "password": {other.Srv.Identity().UserPassword}},
	} {
		if st, _, _ := postForm(t, h, "/adfs/device", form); st != 401 {
			t.Errorf("device page approved %v: %d", form, st)
		}
	}
	if st, m := token(h, url.Values{"grant_type": {"device_code"}, "client_id": {azClient}, "device_code": {dc["device_code"].(string)}}); st != 400 || m["error"] != "authorization_pending" {
		t.Errorf("the device code was approved: %d %v", st, m)
	}
	q := url.Values{"client_id": {azClient}, "redirect_uri": {"http://localhost:9/"}, "response_type": {"code"},
		"code_challenge": {"abc"}, "code_challenge_method": {"S256"}, "username": {id.UserName}, "password": {"guess"}}
	resp, err := noRedirect(h.Client).PostForm(h.Srv.BaseURL()+"/adfs/oauth2/authorize", q)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || resp.Header.Get("Location") != "" || strings.Contains(string(body), `name="code"`) {
		t.Errorf("sign-in page with a wrong password: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Refresh and id tokens are no ARM bearer tokens.
	for name, tok := range map[string]string{"refresh": mine["refresh_token"].(string), "id": mine["id_token"].(string)} {
		if st := armStatus(t, h, tok); st != 401 {
			t.Errorf("a %s token was accepted by ARM: %d", name, st)
		}
	}
	// An ID token asked for by a client named like ARM has ARM's audience; it
	// is still no bearer token, before or after its sign-in is revoked.
	_, armNamed := token(h, url.Values{"grant_type": {"password"}, "client_id": {core.ARMAudience}, "username": {id.UserName},
		"password": {id.UserPassword}, "scope": {core.ARMAudience + "/.default"}})
	idt, _ := armNamed["id_token"].(string)
	if idt == "" {
		t.Fatalf("no id token: %v", armNamed)
	}
	if c, _, err := jwt.NewParser().ParseUnverified(idt, jwt.MapClaims{}); err != nil || c.Claims.(jwt.MapClaims)["aud"] != core.ARMAudience {
		t.Fatalf("the id token is not for ARM's audience, so this case proves nothing: %v", err)
	}
	if st := armStatus(t, h, idt); st != 401 {
		t.Errorf("an id token with ARM's audience was accepted by ARM: %d", st)
	}
	postForm(t, h, "/adfs/oauth2/revoke", url.Values{"token": {armNamed["refresh_token"].(string)}})
	for name, tok := range map[string]string{"access": armNamed["access_token"].(string), "id": idt} {
		if st := armStatus(t, h, tok); st != 401 {
			t.Errorf("the %s token of a revoked sign-in still works: %d", name, st)
		}
	}
	// Revoking with a token of another instance ends nothing here.
	postForm(t, h, "/adfs/oauth2/revoke", url.Values{"token": {theirs["access_token"].(string)}})
	if armStatus(t, h, mine["access_token"].(string)) != 200 {
		t.Error("a foreign token revoked a sign-in")
	}
}
