package core_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aci-cli/aci/internal/local/core"
	"github.com/aci-cli/aci/internal/local/coretest"
)

const azClient = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"

func postForm(t *testing.T, h *coretest.Harness, path string, v url.Values) (int, map[string]any, string) {
	t.Helper()
	resp, err := h.Client.PostForm(h.Srv.BaseURL()+path, v)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, m, string(b)
}

func armStatus(t *testing.T, h *coretest.Harness, token string) int {
	t.Helper()
	return h.WithToken(token).Do("GET", "/subscriptions"+coretest.V, "").Status
}

// The device-code flow of RFC 8628 as MSAL polls it: pending until the user
// approves on the device page, then tokens once; wrong passwords and unknown
// codes approve nothing.
func TestDeviceCodeFlow(t *testing.T) {
	h := coretest.Start(t, t.TempDir())
	id := h.Srv.Identity()
	st, dc, raw := postForm(t, h, "/adfs/oauth2/devicecode", url.Values{"client_id": {azClient}, "scope": {core.ARMAudience + "/.default"}})
	if st != 200 || dc["user_code"] == nil || dc["device_code"] == nil || !strings.Contains(dc["message"].(string), dc["user_code"].(string)) {
		t.Fatalf("devicecode: %d %s", st, raw)
	}
	poll := func() (int, map[string]any) {
		st, m, _ := postForm(t, h, "/adfs/oauth2/token", url.Values{"grant_type": {"device_code"}, "client_id": {azClient},
			"device_code": {dc["device_code"].(string)}, "scope": {core.ARMAudience + "/.default"}})
		return st, m
	}
	if st, m := poll(); st != 400 || m["error"] != "authorization_pending" {
		t.Fatalf("before approval: %d %v", st, m)
	}
	page := "/adfs/device"
	if st, _, body := postForm(t, h, page, url.Values{"user_code": {dc["user_code"].(string)}, "username": {id.UserName}, "password": {"wrong"}}); st != 401 || !strings.Contains(body, "incorrect") {
		t.Fatalf("wrong password approved: %d", st)
	}
	if st, _, _ := postForm(t, h, page, url.Values{"user_code": {"BCDFGHJKL"}, "username": {id.UserName}, "password": {id.UserPassword}}); st != 400 {
		t.Fatalf("unknown code: %d", st)
	}
	if st, m := poll(); st != 400 || m["error"] != "authorization_pending" {
		t.Fatalf("a failed approval completed the sign-in: %d %v", st, m)
	}
	if st, _, _ := postForm(t, h, page, url.Values{"user_code": {strings.ToLower(dc["user_code"].(string))}, "username": {id.UserName}, "password": {id.UserPassword}}); st != 200 {
		t.Fatalf("approve: %d", st)
	}
	st, tok := poll()
	if st != 200 || tok["access_token"] == nil || tok["refresh_token"] == nil || tok["id_token"] == nil {
		t.Fatalf("after approval: %d %v", st, tok)
	}
	if armStatus(t, h, tok["access_token"].(string)) != 200 {
		t.Fatal("the device-code token is refused by ARM")
	}
	if st, m := poll(); st != 400 || m["error"] != "invalid_grant" {
		t.Fatalf("a device code was redeemed twice: %d %v", st, m)
	}
	// Another client cannot redeem someone else's code.
	_, dc2, _ := postForm(t, h, "/adfs/oauth2/devicecode", url.Values{"client_id": {azClient}})
	postForm(t, h, page, url.Values{"user_code": {dc2["user_code"].(string)}, "username": {id.UserName}, "password": {id.UserPassword}})
	if st, m, _ := postForm(t, h, "/adfs/oauth2/token", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"},
		"client_id": {"other"}, "device_code": {dc2["device_code"].(string)}}); st != 400 || m["error"] != "invalid_grant" {
		t.Fatalf("another client redeemed the code: %d %v", st, m)
	}
}

var hiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
var actionRE = regexp.MustCompile(`<form method="post" action="([^"]+)">`)

// The authorization-code flow with PKCE and a loopback redirect: the sign-in
// page, the form_post answer, and every way a code must not be redeemed.
func TestAuthorizeFlow(t *testing.T) {
	h := coretest.Start(t, t.TempDir())
	id := h.Srv.Identity()
	verifier := "a-long-enough-code-verifier-of-forty-three-characters"
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	redirect := "http://localhost:38111/"
	q := url.Values{"client_id": {azClient}, "redirect_uri": {redirect}, "response_type": {"code"}, "response_mode": {"form_post"},
		"scope": {core.ARMAudience + "/.default offline_access"}, "state": {"st4te"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}
	path := "/adfs/oauth2/authorize"
	for name, bad := range map[string]url.Values{
		"remote redirect": with(q, "redirect_uri", "http://evil.example/"),
		"https redirect":  with(q, "redirect_uri", "https://localhost:1/"),
		"no PKCE":         with(q, "code_challenge", ""),
		"token response":  with(q, "response_type", "token"),
	} {
		resp, err := noRedirect(h.Client).Get(h.Srv.BaseURL() + path + "?" + bad.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 || resp.Header.Get("Location") != "" {
			t.Fatalf("%s: %d %s", name, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	resp, err := h.Client.Get(h.Srv.BaseURL() + path + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), `name="password"`) {
		t.Fatalf("sign-in page: %d %s", resp.StatusCode, page)
	}
	form := url.Values{}
	for _, m := range hiddenRE.FindAllStringSubmatch(string(page), -1) {
		form.Set(m[1], m[2])
	}
	form.Set("username", id.UserName)
	form.Set("password", "wrong")
	if st, _, _ := postForm(t, h, path, form); st != 401 {
		t.Fatalf("wrong password: %d", st)
	}
	form.Set("password", id.UserPassword)
	st, _, body := postForm(t, h, path, form)
	action := actionRE.FindStringSubmatch(body)
	if st != 200 || action == nil || action[1] != redirect {
		t.Fatalf("form_post: %d %s", st, body)
	}
	fields := url.Values{}
	for _, m := range hiddenRE.FindAllStringSubmatch(body, -1) {
		fields.Set(m[1], m[2])
	}
	if fields.Get("state") != "st4te" || fields.Get("code") == "" {
		t.Fatalf("form_post fields: %v", fields)
	}
	redeem := func(code, verifier, redirect string) (int, map[string]any) {
		st, m, _ := postForm(t, h, "/adfs/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {azClient},
			"code": {code}, "code_verifier": {verifier}, "redirect_uri": {redirect}, "scope": {core.ARMAudience + "/.default"}})
		return st, m
	}
	// A wrong verifier spends the code: a stolen code is worth one guess.
	if st, m := redeem(fields.Get("code"), "wrong-verifier", redirect); st != 400 || !strings.Contains(m["error_description"].(string), "Code_Verifier") {
		t.Fatalf("wrong verifier: %d %v", st, m)
	}
	if st, _ := redeem(fields.Get("code"), verifier, redirect); st != 400 {
		t.Fatal("a code was redeemed after a failed attempt")
	}
	// A fresh code, in the query response mode, redeemed once.
	form.Set("response_mode", "query")
	form.Set("redirect_uri", "http://127.0.0.1:38112/cb")
	resp, err = noRedirect(h.Client).PostForm(h.Srv.BaseURL()+path, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != 302 || loc == nil || loc.Host != "127.0.0.1:38112" || loc.Query().Get("state") != "st4te" {
		t.Fatalf("query redirect: %d %v", resp.StatusCode, loc)
	}
	code := loc.Query().Get("code")
	if st, _ := redeem(code, verifier, "http://127.0.0.1:38112/other"); st != 400 {
		t.Fatal("a code was redeemed with another redirect")
	}
	form.Set("redirect_uri", redirect)
	resp, _ = noRedirect(h.Client).PostForm(h.Srv.BaseURL()+path, form)
	resp.Body.Close()
	loc, _ = url.Parse(resp.Header.Get("Location"))
	code = loc.Query().Get("code")
	st, tok := redeem(code, verifier, redirect)
	if st != 200 || armStatus(t, h, tok["access_token"].(string)) != 200 {
		t.Fatalf("redeem: %d %v", st, tok)
	}
	if st, _ := redeem(code, verifier, redirect); st != 400 {
		t.Fatal("a code was redeemed twice")
	}
}

// Refresh tokens rotate and slide, expire when unused for their lifetime,
// and revocation ends a sign-in's refresh and access tokens together, and
// only that sign-in's.
func TestRefreshRotationExpiryRevocation(t *testing.T) {
	dir := t.TempDir()
	h := coretest.StartWith(t, core.Options{StateDir: dir, Version: "test", TokenLifetime: time.Hour, RefreshTokenLifetime: 3 * time.Second}, nil)
	id := h.Srv.Identity()
	login := func() map[string]any {
		_, tok, raw := postForm(t, h, "/adfs/oauth2/token", url.Values{"grant_type": {"password"}, "client_id": {azClient},
			"username": {id.UserName}, "password": {id.UserPassword}, "scope": {core.ARMAudience + "/.default"}})
		if tok["refresh_token"] == nil {
			t.Fatalf("login: %s", raw)
		}
		return tok
	}
	refresh := func(rt, client string) (int, map[string]any) {
		st, m, _ := postForm(t, h, "/adfs/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {client},
			"refresh_token": {rt}, "scope": {core.ARMAudience + "/.default"}})
		return st, m
	}
	a := login()
	st, a2 := refresh(a["refresh_token"].(string), azClient)
	if st != 200 || a2["refresh_token"] == a["refresh_token"] {
		t.Fatalf("rotation: %d %v", st, a2)
	}
	if st, _ := refresh(a["refresh_token"].(string), "another-client"); st != 400 {
		t.Fatal("another client redeemed the refresh token")
	}
	// Used within its lifetime, the sign-in lasts beyond it.
	for range 3 {
		time.Sleep(1500 * time.Millisecond)
		var st int
		if st, a2 = refresh(a2["refresh_token"].(string), azClient); st != 200 {
			t.Fatalf("a used sign-in expired: %d %v", st, a2)
		}
	}
	// Unused for longer, it expires.
	time.Sleep(3500 * time.Millisecond)
	if st, m := refresh(a2["refresh_token"].(string), azClient); st != 400 || !strings.Contains(m["error_description"].(string), "AADSTS700082") {
		t.Fatalf("an idle refresh token still works: %d %v", st, m)
	}
	// Revocation by access token (what aci logout sends) ends one sign-in.
	b, c := login(), login()
	// Used once before (so its signature check is remembered), it still ends.
	if armStatus(t, h, b["access_token"].(string)) != 200 {
		t.Fatal("a fresh sign-in's access token fails")
	}
	if st, _, _ := postForm(t, h, "/adfs/oauth2/revoke", url.Values{"token": {b["access_token"].(string)}}); st != 200 {
		t.Fatalf("revoke: %d", st)
	}
	if armStatus(t, h, b["access_token"].(string)) != 401 {
		t.Fatal("a revoked sign-in's access token still works")
	}
	if st, m := refresh(b["refresh_token"].(string), azClient); st != 400 || !strings.Contains(m["error_description"].(string), "revoked") {
		t.Fatalf("a revoked sign-in refreshed: %d %v", st, m)
	}
	if armStatus(t, h, c["access_token"].(string)) != 200 {
		t.Fatal("revoking one sign-in ended another")
	}
	// Revocation survives a restart, as sign-ins do.
	h.Srv.Close()
	h2 := coretest.StartWith(t, core.Options{StateDir: dir, Version: "test"}, nil)
	if armStatus(t, h2, b["access_token"].(string)) != 401 || armStatus(t, h2, c["access_token"].(string)) != 200 {
		t.Fatal("sign-ins did not survive a restart")
	}
	if st, _, _ := postForm(t, h2, "/adfs/oauth2/revoke", url.Values{"token": {"not-a-token"}}); st != 200 {
		t.Fatalf("revoking garbage: %d", st)
	}
}

func with(v url.Values, k, val string) url.Values {
	c := url.Values{}
	for kk, vv := range v {
		c[kk] = append([]string(nil), vv...)
	}
	c.Set(k, val)
	return c
}

func noRedirect(c *http.Client) *http.Client {
	cc := *c
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cc
}
