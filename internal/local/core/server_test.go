package core_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"github.com/aci-cli/aci/internal/local/core"
	"github.com/aci-cli/aci/internal/local/coretest"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const v = coretest.V

func TestResourceGroupLifecycle(t *testing.T) {
	h := coretest.Start(t, t.TempDir())
	a := h.Do("PUT", h.RG("my-resource-group")+coretest.V, `{"location":"eastus"}`)
	// The official example (CreateResourceGroup.json): 201 with id, name, location, provisioningState.
	if a.Status != 201 || a.Body["id"] != "/subscriptions/"+h.Srv.Identity().SubscriptionID+"/resourceGroups/my-resource-group" ||
		a.Body["location"] != "eastus" || a.Body["properties"].(map[string]any)["provisioningState"] != "Succeeded" ||
		a.Body["type"] != "Microsoft.Resources/resourceGroups" {
		t.Fatalf("create: %d %s", a.Status, a.Raw)
	}
	if a.Header.Get("x-ms-request-id") == "" || a.Header.Get("x-ms-correlation-request-id") == "" {
		t.Fatal("missing request id headers")
	}
	if a := h.Do("PUT", h.RG("MY-resource-group")+coretest.V, `{"location":"East US","tags":{"a":"b"}}`); a.Status != 200 || a.Body["name"] != "my-resource-group" {
		t.Fatalf("idempotent update (names are case-insensitive): %d %s", a.Status, a.Raw)
	}
	if a := h.Do("HEAD", h.RG("my-resource-group")+coretest.V, ""); a.Status != 204 {
		t.Fatalf("head: %d", a.Status)
	}
	if a := h.Do("HEAD", h.RG("nope")+coretest.V, ""); a.Status != 404 {
		t.Fatalf("head missing: %d", a.Status)
	}
	if a := h.Do("PATCH", h.RG("my-resource-group")+coretest.V, `{"tags":{"k":"v"}}`); a.Status != 200 || a.Body["tags"].(map[string]any)["k"] != "v" {
		t.Fatalf("patch: %s", a.Raw)
	}
	if a := h.Do("GET", h.RG("nope")+coretest.V, ""); a.Status != 404 || a.Code() != "ResourceGroupNotFound" ||
		a.Body["error"].(map[string]any)["message"] != "Resource group 'nope' could not be found." {
		t.Fatalf("get missing: %s", a.Raw)
	}
	for i := 0; i < 4; i++ {
		h.Do("PUT", h.RG(fmt.Sprintf("g%d", i))+coretest.V, fmt.Sprintf(`{"location":"westus","tags":{"n":"%d"}}`, i%2))
	}
	// Paging: page size 2, five groups.
	var names []string
	next := h.Srv.BaseURL() + "/subscriptions/" + h.Srv.Identity().SubscriptionID + "/resourcegroups" + v
	for pages := 0; next != ""; pages++ {
		a := h.Do("GET", next, "")
		for _, g := range a.Body["value"].([]any) {
			names = append(names, g.(map[string]any)["name"].(string))
		}
		next, _ = a.Body["nextLink"].(string)
		if pages > 5 {
			t.Fatal("nextLink loops")
		}
	}
	if len(names) != 5 {
		t.Fatalf("paged list: %v", names)
	}
	a = h.Do("GET", "/subscriptions/"+h.Srv.Identity().SubscriptionID+"/resourcegroups"+coretest.V+"&$filter="+url.QueryEscape("tagName eq 'n' and tagValue eq '1'"), "")
	if l := a.Body["value"].([]any); len(l) != 2 {
		t.Fatalf("tag filter: %s", a.Raw)
	}
	a = h.Do("DELETE", h.RG("g0")+coretest.V, "")
	loc := a.Header.Get("Location")
	if a.Status != 202 || loc == "" || a.Header.Get("Retry-After") != "1" {
		t.Fatalf("delete: %d %v", a.Status, a.Header)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		p := h.Do("GET", loc, "")
		if p.Status == 200 {
			break
		}
		if p.Status != 202 || time.Now().After(deadline) {
			t.Fatalf("poll: %d %s", p.Status, p.Raw)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if a := h.Do("GET", h.RG("g0")+coretest.V, ""); a.Status != 404 {
		t.Fatalf("deleted group still there: %d", a.Status)
	}
}

func TestBadInput(t *testing.T) {
	h := coretest.Start(t, t.TempDir())
	h.Do("PUT", h.RG("existing")+coretest.V, `{"location":"westus"}`)
	cases := []struct {
		method, path, body string
		status             int
		code               string
	}{
		{"GET", h.RG("x"), "", 400, "MissingApiVersionParameter"},
		{"GET", h.RG("x") + "?api-version=banana", "", 400, "InvalidApiVersionParameter"},
		{"PUT", h.RG("x") + v, `{"location":`, 400, "InvalidRequestContent"},
		{"PUT", h.RG("x") + v, ``, 400, "InvalidRequestContent"},
		{"PUT", h.RG("x") + v, `{"location":"westus","bogus":1}`, 400, "InvalidRequestContent"},
		{"PUT", h.RG("x") + v, `{"location":5}`, 400, "InvalidRequestContent"},
		{"PUT", h.RG("bad%20name") + v, `{"location":"westus"}`, 400, "InvalidResourceGroup"},
		{"PUT", h.RG("ends.") + v, `{"location":"westus"}`, 400, "InvalidResourceGroup"},
		{"PUT", h.RG(strings.Repeat("a", 91)) + v, `{"location":"westus"}`, 400, "InvalidResourceGroup"},
		{"PUT", h.RG("x") + v, `{}`, 400, "LocationRequired"},
		{"PUT", h.RG("x") + v, `{"location":"mars"}`, 400, "LocationNotAvailableForResourceGroup"},
		{"PUT", h.RG("existing") + v, `{"location":"eastus"}`, 409, "InvalidResourceGroupLocation"},
		{"PUT", h.RG("x") + v, `{"location":"westus","tags":{"":"=="}}`, 400, "InvalidTagName"},
		{"PATCH", h.RG("existing") + v, `{"tags":{"":"=="}}`, 400, "InvalidTagName"},
		{"PUT", h.RG("x") + v, `{"location":"westus","tags":{"a/b":"c"}}`, 400, "InvalidTagNameCharacters"},
		{"GET", "/subscriptions/11111111-1111-1111-1111-111111111111/resourcegroups" + v, "", 404, "SubscriptionNotFound"},
		{"GET", h.RG("existing") + "/providers/Microsoft.Nope/things/x" + v, "", 404, "InvalidResourceType"},
		{"GET", h.RG("missing") + "/providers/Microsoft.Nope/things/x" + v, "", 404, "ResourceGroupNotFound"},
		{"GET", "/subscriptions/" + h.Srv.Identity().SubscriptionID + "/resourcegroups" + v + "&$filter=" + url.QueryEscape("name eq 'x'"), "", 400, "InvalidFilterInQueryString"},
	}
	for _, c := range cases {
		a := h.Do(c.method, c.path, c.body)
		if a.Status != c.status || a.Code() != c.code {
			t.Errorf("%s %s %s: %d %s", c.method, c.path, c.body, a.Status, a.Raw)
		}
		if msg, _ := a.Body["error"].(map[string]any)["message"].(string); msg == "" {
			t.Errorf("%s %s: no message", c.method, c.path)
		}
	}
}

// A token whose signature was checked once is remembered, but only until
// it expires: past its expiry (and the leeway) it fails as any other would.
func TestRememberedTokenStillExpires(t *testing.T) {
	h := coretest.StartWith(t, core.Options{StateDir: t.TempDir(), Version: "test", TokenLifetime: 2 * time.Second}, nil)
	exp := time.Now().Add(2 * time.Second).Truncate(time.Second)
	tok, err := h.Srv.SignToken(jwt.MapClaims{"token_use": "access", "aud": core.ARMAudience, "tid": h.Srv.Identity().TenantID, "exp": exp.Unix()})
	if err != nil {
		t.Fatal(err)
	}
	h.Token = tok
	for range 3 {
		if a := h.Do("GET", "/subscriptions"+v, ""); a.Status != 200 {
			t.Fatalf("a valid token: %d %s", a.Status, a.Raw)
		}
	}
	time.Sleep(time.Until(exp.Add(time.Second))) // the leeway is a quarter of the lifetime
	if a := h.Do("GET", "/subscriptions"+v, ""); a.Status != 401 || a.Code() != "ExpiredAuthenticationToken" {
		t.Fatalf("an expired token that was remembered: %d %s", a.Status, a.Raw)
	}
}

func TestAuth(t *testing.T) {
	h := coretest.Start(t, t.TempDir())
	path := "/subscriptions" + v
	check := func(name, token, code string) {
		t.Helper()
		h.Token = token
		a := h.Do("GET", path, "")
		if a.Status != 401 || a.Code() != code || !strings.HasPrefix(a.Header.Get("WWW-Authenticate"), "Bearer authorization_uri=") {
			t.Errorf("%s: %d %s %v", name, a.Status, a.Raw, a.Header)
		}
	}
	good := h.ClientCredentials(h.Srv.Identity().ClientID, h.Srv.Identity().ClientSecret, core.ARMAudience+"/.default")
	check("no token", "", "AuthenticationFailed")
	parts := strings.Split(good, ".")
	check("tampered", parts[0]+"."+strings.TrimRight(parts[1], "A")+"B."+parts[2], "InvalidAuthenticationToken")
	foreignKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	foreign, _ := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"aud": core.ARMAudience, "tid": h.Srv.Identity().TenantID,
		"exp": time.Now().Add(time.Hour).Unix()}).SignedString(foreignKey)
	check("foreign signer", foreign, "InvalidAuthenticationToken")
	expired, _ := h.Srv.SignToken(jwt.MapClaims{"aud": core.ARMAudience, "tid": h.Srv.Identity().TenantID, "exp": time.Now().Add(-time.Hour).Unix()})
	check("expired", expired, "ExpiredAuthenticationToken")
	check("wrong audience", h.ClientCredentials(h.Srv.Identity().ClientID, h.Srv.Identity().ClientSecret, "https://vault.azure.net/.default"), "InvalidAuthenticationTokenAudience")
	other, _ := h.Srv.SignToken(jwt.MapClaims{"token_use": "access", "aud": core.ARMAudience, "tid": "other-tenant", "exp": time.Now().Add(time.Hour).Unix()})
	check("foreign tenant", other, "InvalidAuthenticationTokenTenant")
	if tok := h.ClientCredentials(h.Srv.Identity().ClientID, "wrong", core.ARMAudience+"/.default"); tok != "" {
		t.Fatal("a wrong secret got a token")
	}
	h.Token = good
	if a := h.Do("GET", path, ""); a.Status != 200 {
		t.Fatalf("good token refused: %s", a.Raw)
	}
}

func TestProvidersAndMetadata(t *testing.T) {
	// The catalog is what providers declare: here one, as a provider
	// package would in its constructor.
	h := coretest.StartWith(t, core.Options{StateDir: t.TempDir(), Version: "test", RegistrationDelay: 50 * time.Millisecond}, func(s *core.Server) {
		s.Declare(core.Namespace{Name: "Microsoft.ContainerInstance", Types: []string{"containerGroups", "operations"}, Versions: []string{"2023-05-01"}})
		s.Declare(core.Namespace{Name: "Microsoft.Resources", Types: []string{"deployments"}})
	})
	p := "/subscriptions/" + h.Srv.Identity().SubscriptionID + "/providers/Microsoft.ContainerInstance"
	if a := h.Do("GET", p+coretest.V, ""); a.Body["registrationState"] != "NotRegistered" || a.Body["namespace"] != "Microsoft.ContainerInstance" {
		t.Fatalf("get: %s", a.Raw)
	}
	if a := h.Do("POST", p+"/register"+coretest.V, ""); a.Status != 200 || a.Body["registrationState"] != "Registering" {
		t.Fatalf("register: %s", a.Raw)
	}
	time.Sleep(60 * time.Millisecond)
	if a := h.Do("GET", p+coretest.V, ""); a.Body["registrationState"] != "Registered" {
		t.Fatalf("after delay: %s", a.Raw)
	}
	a := h.Do("GET", "/subscriptions/"+h.Srv.Identity().SubscriptionID+"/providers"+coretest.V, "")
	if n := len(a.Body["value"].([]any)); n != 2 {
		t.Fatalf("providers: %d", n)
	}
	res := h.Do("GET", "/subscriptions/"+h.Srv.Identity().SubscriptionID+"/providers/Microsoft.Resources"+coretest.V, "")
	var types []string
	for _, rt := range res.Body["resourceTypes"].([]any) {
		types = append(types, rt.(map[string]any)["resourceType"].(string))
	}
	if res.Body["registrationPolicy"] != "RegistrationFree" || !strings.Contains(strings.Join(types, ","), "resourceGroups") || !strings.Contains(strings.Join(types, ","), "deployments") {
		t.Fatalf("Microsoft.Resources, core's and a provider's types: %s", res.Raw)
	}
	if a := h.Do("GET", "/subscriptions/"+h.Srv.Identity().SubscriptionID+"/providers/Microsoft.Storage"+coretest.V, ""); a.Status != 404 {
		t.Fatalf("an undeclared namespace: %d %s", a.Status, a.Raw)
	}
	if a := h.Do("GET", "/providers/Microsoft.ContainerInstance/operations"+coretest.V, ""); a.Status != 200 || len(a.Body["value"].([]any)) == 0 {
		t.Fatalf("operations: %s", a.Raw)
	}
	resp, err := h.Client.Get(h.Srv.BaseURL() + "/metadata/endpoints?api-version=2015-01-01")
	if err != nil {
		t.Fatal(err)
	}
	var md map[string]any
	json.NewDecoder(resp.Body).Decode(&md)
	if md["authentication"].(map[string]any)["loginEndpoint"] != h.Srv.BaseURL()+"/adfs" {
		t.Fatalf("metadata: %v", md)
	}
}

func TestThrottle(t *testing.T) {
	h := coretest.Start(t, t.TempDir())
	h.Do("POST", "/aci-local/throttle", `{"requests":2}`)
	for i := 0; i < 2; i++ {
		if a := h.Do("GET", "/subscriptions"+coretest.V, ""); a.Status != 429 || a.Header.Get("Retry-After") != "1" || a.Code() != "TooManyRequests" {
			t.Fatalf("throttled %d: %d %s", i, a.Status, a.Raw)
		}
	}
	if a := h.Do("GET", "/subscriptions"+coretest.V, ""); a.Status != 200 {
		t.Fatalf("after throttling: %d", a.Status)
	}
}

func TestPersistenceAndSecrets(t *testing.T) {
	dir := t.TempDir()
	h := coretest.Start(t, dir)
	h.Do("PUT", h.RG("kept")+coretest.V, `{"location":"westus"}`)
	h.Srv.Close()
	h2 := coretest.Start(t, dir)
	if a := h2.Do("GET", h2.RG("kept")+coretest.V, ""); a.Status != 200 {
		t.Fatalf("not persisted: %s", a.Raw)
	}
	for _, f := range []string{"principals.json", "token-signing-key.pem", "ca-key.pem", "server-key.pem", "state.db", "requests.log"} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", f, st.Mode(), err)
		}
	}
	log, _ := os.ReadFile(filepath.Join(dir, "requests.log"))
	if strings.Contains(string(log), h2.Srv.Identity().ClientSecret) || strings.Contains(string(log), h2.Token[:20]) {
		t.Fatal("the request log holds a secret")
	}
	if !strings.Contains(string(log), `"status":200`) {
		t.Fatalf("request log: %s", log)
	}
}

func TestPasswordGrantAndMSI(t *testing.T) {
	h := coretest.Start(t, t.TempDir())
	resp, err := h.Client.PostForm(h.Srv.BaseURL()+"/adfs/oauth2/token", url.Values{"grant_type": {"password"},
		"client_id": {"04b07795-8ddb-461a-bbee-02f9e1bf7b46"}, "username": {h.Srv.Identity().UserName}, "password": {h.Srv.Identity().UserPassword},
		"scope": {core.ARMAudience + "/.default offline_access openid profile"}})
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
	h.Token = tok["access_token"].(string)
	if a := h.Do("GET", "/subscriptions"+coretest.V, ""); a.Status != 200 {
		t.Fatalf("user token refused: %s", a.Raw)
	}
	// Refresh.
	resp, _ = h.Client.PostForm(h.Srv.BaseURL()+"/adfs/oauth2/token", url.Values{"grant_type": {"refresh_token"},
		"client_id": {"04b07795-8ddb-461a-bbee-02f9e1bf7b46"}, "refresh_token": {tok["refresh_token"].(string)}, "scope": {core.ARMAudience + "/.default"}})
	var ref map[string]any
	json.NewDecoder(resp.Body).Decode(&ref)
	resp.Body.Close()
	if ref["access_token"] == nil {
		t.Fatalf("refresh: %v", ref)
	}
	// msrestazure's MSI_ENDPOINT shape: form POST with resource, JWT carrying tid.
	req, _ := http.NewRequest("POST", h.Srv.BaseURL()+"/msi/token", strings.NewReader(url.Values{"resource": {core.ARMAudience}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Metadata", "true")
	req.Header.Set("secret", h.Srv.Identity().MSISecret)
	resp, _ = h.Client.Do(req)
	var msi map[string]any
	json.NewDecoder(resp.Body).Decode(&msi)
	resp.Body.Close()
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(msi["access_token"].(string), claims); err != nil || claims["tid"] != h.Srv.Identity().TenantID || msi["expires_on"] == nil {
		t.Fatalf("msi: %v %v", msi, err)
	}
	if resp, _ := h.Client.PostForm(h.Srv.BaseURL()+"/adfs/oauth2/token", url.Values{"grant_type": {"password"},
		"username": {h.Srv.Identity().UserName}, "password": {"nope"}}); resp.StatusCode != 400 {
		t.Fatalf("bad password: %d", resp.StatusCode)
	}
}

// A data plane registered for a host suffix gets its requests before ARM's
// api-version and token checks; ARM and other hosts are unaffected.
func TestDataPlaneByHost(t *testing.T) {
	var seen []string
	h := coretest.StartWith(t, core.Options{StateDir: t.TempDir(), Version: "test"}, func(s *core.Server) {
		s.RegisterHost(".registry.aci.localhost", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen = append(seen, r.Host+" "+r.URL.Path)
			w.Header().Set("Docker-Distribution-Api-Version", "registry/2.0")
			w.WriteHeader(http.StatusUnauthorized)
		}))
	})
	req, _ := http.NewRequest("GET", h.Srv.BaseURL()+"/v2/", nil)
	req.Host = "myreg.registry.aci.localhost"
	resp, err := h.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || resp.Header.Get("Docker-Distribution-Api-Version") == "" || len(seen) != 1 {
		t.Fatalf("data plane: %d %v %v", resp.StatusCode, resp.Header, seen)
	}
	if resp.Header.Get("x-ms-request-id") == "" {
		t.Fatal("data-plane requests lost the request id and log")
	}
	// Not under the suffix: ARM answers (and wants its api-version).
	req, _ = http.NewRequest("GET", h.Srv.BaseURL()+"/v2/", nil)
	req.Host = "evilregistry.aci.localhost"
	resp, _ = h.Client.Do(req)
	resp.Body.Close()
	if resp.StatusCode != 400 || len(seen) != 1 {
		t.Fatalf("other host: %d %v", resp.StatusCode, seen)
	}
	if a := h.Do("GET", "/subscriptions"+v, ""); a.Status != 200 {
		t.Fatalf("ARM: %d", a.Status)
	}
}

// A wait on an operation ends when the operation finishes, not when its
// bound runs out (a minute here, which the test would exceed), and at once
// when it has finished; one this process does not know is waited for its
// bound.
func TestAwaitOperationWakesOnFinish(t *testing.T) {
	h := coretest.Start(t, t.TempDir())
	op, err := h.Srv.NewOperation("test", "/x", nil)
	if err != nil {
		t.Fatal(err)
	}
	go h.Srv.FinishOperation(op, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h.Srv.AwaitOperation(ctx, op.ID, time.Minute)
	if ctx.Err() != nil {
		t.Fatal("the wait outlasted the operation")
	}
	// Finished before the wait began: no wait at all.
	h.Srv.AwaitOperation(ctx, op.ID, time.Minute)
	if ctx.Err() != nil {
		t.Fatal("waited on an operation that had finished")
	}
	start := time.Now()
	h.Srv.AwaitOperation(ctx, "unknown", 20*time.Millisecond)
	if time.Since(start) < 20*time.Millisecond {
		t.Fatal("an unknown operation ended the wait early")
	}
}
