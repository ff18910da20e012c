package containerregistry_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	azcloud "github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/containers/azcontainerregistry"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/aci-cli/aci/internal/local/core"
	"github.com/aci-cli/aci/internal/local/coretest"
	"github.com/aci-cli/aci/internal/local/providers/containerregistry"
)

const v = "?api-version=2023-11-01-preview"

func start(t *testing.T, dir string) *coretest.Harness {
	t.Helper()
	return coretest.StartWith(t, core.Options{StateDir: dir, Version: "test", PageSize: 2}, func(s *core.Server) { containerregistry.New(s, nil) })
}

func regPath(h *coretest.Harness, rg, name string) string {
	return h.RG(rg) + "/providers/Microsoft.ContainerRegistry/registries/" + name
}

// create makes a group and a registry and waits for it; it returns the login server.
func create(t *testing.T, h *coretest.Harness, rg, name, body string) string {
	t.Helper()
	if a := h.Do("PUT", h.RG(rg)+coretest.V, `{"location":"westus"}`); a.Status >= 300 {
		t.Fatalf("group: %+v", a)
	}
	a := h.Do("PUT", regPath(h, rg, name)+v, body)
	if a.Status != 201 || a.Header.Get("Azure-AsyncOperation") == "" {
		t.Fatalf("create: %d %s", a.Status, a.Raw)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := h.Do("GET", a.Header.Get("Azure-AsyncOperation"), "")
		if st.Body["status"] == "Succeeded" {
			break
		}
		if st.Body["status"] == "Failed" || time.Now().After(deadline) {
			t.Fatalf("create never succeeded: %s", st.Raw)
		}
		time.Sleep(50 * time.Millisecond)
	}
	g := h.Do("GET", regPath(h, rg, name)+v, "")
	props := g.Body["properties"].(map[string]any)
	if props["provisioningState"] != "Succeeded" {
		t.Fatalf("get: %s", g.Raw)
	}
	return props["loginServer"].(string)
}

// plane sends a data-plane request; auth is a whole Authorization header.
func plane(t *testing.T, h *coretest.Harness, method, u, auth string, body []byte, hdr ...string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, u, bytes.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := h.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func TestRegistryLifecycle(t *testing.T) {
	dir := t.TempDir()
	h := start(t, dir)
	ls := create(t, h, "rg", "myregistry", `{"location":"westus","sku":{"name":"Basic"},"tags":{"a":"b"}}`)
	if host, _, _ := net.SplitHostPort(ls); !strings.HasPrefix(host, "127.") {
		t.Fatalf("login server %q is not on loopback", ls)
	}
	for _, p := range []string{"/subscriptions/" + h.Srv.Identity().SubscriptionID, h.RG("rg")} {
		l := h.Do("GET", p+"/providers/Microsoft.ContainerRegistry/registries"+v, "")
		if vals, _ := l.Body["value"].([]any); len(vals) != 1 {
			t.Fatalf("list %s: %s", p, l.Raw)
		}
	}
	f := h.Do("GET", "/subscriptions/"+h.Srv.Identity().SubscriptionID+"/resources?api-version=2022-09-01&$filter="+
		url.QueryEscape("resourceType eq 'Microsoft.ContainerRegistry/registries'"), "")
	if vals, _ := f.Body["value"].([]any); len(vals) != 1 || vals[0].(map[string]any)["name"] != "myregistry" {
		t.Fatalf("resources filter: %s", f.Raw)
	}
	check := func(name string) map[string]any {
		return h.Do("POST", "/subscriptions/"+h.Srv.Identity().SubscriptionID+"/providers/Microsoft.ContainerRegistry/checkNameAvailability"+v,
			`{"name":"`+name+`","type":"Microsoft.ContainerRegistry/registries"}`).Body
	}
	if c := check("myregistry"); c["nameAvailable"] != false || c["reason"] != "AlreadyExists" {
		t.Fatalf("taken: %v", c)
	}
	if c := check("a-b"); c["nameAvailable"] != false || c["reason"] != "Invalid" {
		t.Fatalf("invalid: %v", c)
	}
	if c := check("freename"); c["nameAvailable"] != true {
		t.Fatalf("free: %v", c)
	}

	// Bad input: ARM's codes, nothing created.
	for _, tc := range []struct{ name, body, code string }{
		{"ab", `{"location":"westus","sku":{"name":"Basic"}}`, "InvalidResourceName"},
		{"has-dash1", `{"location":"westus","sku":{"name":"Basic"}}`, "InvalidResourceName"},
		{"goodname1", `{"location":"westus","sku":{"name":"Gold"}}`, "InvalidSku"},
		{"goodname2", `{"sku":{"name":"Basic"}}`, "LocationRequired"},
		{"goodname3", `{"location":"westus"}`, "InvalidParameter"},
		{"goodname4", `{"location":"westus","sku":{"name":"Basic"},"properties":{"publicNetworkAccess":"Disabled"}}`, "PublicNetworkAccessNotSupported"},
		{"goodname5", `{"location":`, "InvalidRequestContent"},
	} {
		if a := h.Do("PUT", regPath(h, "rg", tc.name)+v, tc.body); a.Status != 400 || a.Code() != tc.code {
			t.Errorf("%s %s: %d %s", tc.name, tc.body, a.Status, a.Raw)
		}
		if a := h.Do("GET", regPath(h, "rg", tc.name)+v, ""); a.Status != 404 {
			t.Errorf("%s was half-created: %s", tc.name, a.Raw)
		}
	}
	h.Do("PUT", h.RG("other")+coretest.V, `{"location":"westus"}`)
	if a := h.Do("PUT", regPath(h, "other", "MyRegistry")+v, `{"location":"westus","sku":{"name":"Basic"}}`); a.Status != 409 {
		t.Fatalf("duplicate name: %d %s", a.Status, a.Raw)
	}

	// Credentials only with the admin user, two passwords renewed one at a time.
	if a := h.Do("POST", regPath(h, "rg", "myregistry")+"/listCredentials"+v, ""); a.Status != 400 || a.Code() != "AdminUserDisabled" {
		t.Fatalf("credentials without admin: %s", a.Raw)
	}
	if a := h.Do("PATCH", regPath(h, "rg", "myregistry")+v, `{"properties":{"adminUserEnabled":true},"tags":{"c":"d"}}`); a.Status != 200 ||
		a.Body["properties"].(map[string]any)["adminUserEnabled"] != true || a.Body["tags"].(map[string]any)["c"] != "d" {
		t.Fatalf("patch: %s", a.Raw)
	}
	c1 := h.Do("POST", regPath(h, "rg", "myregistry")+"/listCredentials"+v, "")
	c2 := h.Do("POST", regPath(h, "rg", "myregistry")+"/regenerateCredential"+v, `{"name":"password2"}`)
	pw := func(a coretest.Answer, i int) string {
		return a.Body["passwords"].([]any)[i].(map[string]any)["value"].(string)
	}
	if c1.Body["username"] != "myregistry" || pw(c1, 0) != pw(c2, 0) || pw(c1, 1) == pw(c2, 1) || len(pw(c1, 0)) < 40 {
		t.Fatalf("credentials: %s then %s", c1.Raw, c2.Raw)
	}
	if a := h.Do("POST", regPath(h, "rg", "myregistry")+"/regenerateCredential"+v, `{"name":"password3"}`); a.Status != 400 {
		t.Fatalf("password3: %s", a.Raw)
	}
	// GET never returns a password.
	if g := h.Do("GET", regPath(h, "rg", "myregistry")+v, ""); strings.Contains(g.Raw, pw(c2, 0)) {
		t.Fatal("GET returned a password")
	}
	if u := h.Do("GET", regPath(h, "rg", "myregistry")+"/listUsages"+v, ""); len(u.Body["value"].([]any)) == 0 {
		t.Fatalf("usages: %s", u.Raw)
	}

	// Delete: storage and login server gone.
	storage := filepath.Join(dir, "registries", "myregistry")
	if _, err := os.Stat(storage); err != nil {
		t.Fatal(err)
	}
	if a := h.Do("DELETE", regPath(h, "rg", "myregistry")+v, ""); a.Status != 200 {
		t.Fatalf("delete: %s", a.Raw)
	}
	if _, err := os.Stat(storage); !os.IsNotExist(err) {
		t.Fatalf("storage left: %v", err)
	}
	if a := h.Do("GET", regPath(h, "rg", "myregistry")+v, ""); a.Status != 404 {
		t.Fatalf("get after delete: %s", a.Raw)
	}
	if c, err := net.DialTimeout("tcp", ls, time.Second); err == nil {
		c.Close()
		t.Fatalf("the login server %s still listens", ls)
	}
}

func digestOf(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

// push uploads a config and a layer monolithically and a manifest by tag.
func push(t *testing.T, h *coretest.Harness, ls, auth, repo, tag string) string {
	t.Helper()
	cfg := []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}`)
	layer := []byte("not really a tarball, but blobs are opaque " + tag)
	for _, b := range [][]byte{cfg, layer} {
		code, hdr, body := plane(t, h, "POST", "https://"+ls+"/v2/"+repo+"/blobs/uploads/", auth, nil)
		if code != 202 {
			t.Fatalf("upload start: %d %s", code, body)
		}
		loc, _ := url.Parse(hdr.Get("Location"))
		q := loc.Query()
		q.Set("digest", digestOf(b))
		loc.RawQuery = q.Encode()
		u := "https://" + ls + loc.RequestURI()
		if code, _, body = plane(t, h, "PUT", u, auth, b, "Content-Type", "application/octet-stream"); code != 201 {
			t.Fatalf("blob upload: %d %s", code, body)
		}
	}
	m := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":%q,"size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":%q,"size":%d}]}`,
		digestOf(cfg), len(cfg), digestOf(layer), len(layer))
	code, _, body := plane(t, h, "PUT", "https://"+ls+"/v2/"+repo+"/manifests/"+tag, auth, []byte(m), "Content-Type", "application/vnd.oci.image.manifest.v1+json")
	if code != 201 {
		t.Fatalf("manifest: %d %s", code, body)
	}
	return digestOf([]byte(m))
}

func form(t *testing.T, h *coretest.Harness, u string, vals url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := h.Client.PostForm(u, vals)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// TestRegistryAuthMatrix: every way in, right and wrong.
func TestRegistryAuthMatrix(t *testing.T) {
	h := start(t, t.TempDir())
	ls := create(t, h, "rg", "authreg01", `{"location":"westus","sku":{"name":"Standard"}}`)
	base := "https://" + ls
	// No credentials: ACR's challenge, naming the scope.
	code, hdr, body := plane(t, h, "GET", base+"/v2/hello/tags/list", "", nil)
	if code != 401 || hdr.Get("WWW-Authenticate") != fmt.Sprintf(`Bearer realm="%s/oauth2/token",service="%s",scope="repository:hello:pull"`, base, ls) ||
		!strings.Contains(string(body), `"UNAUTHORIZED"`) {
		t.Fatalf("anonymous: %d %v %s", code, hdr, body)
	}
	// An ARM token is not a registry token; admin credentials need the admin user.
	if code, _, _ := plane(t, h, "GET", base+"/v2/", "Bearer "+h.Token, nil); code != 401 {
		t.Fatalf("ARM token on the registry: %d", code)
	}
	if code, _, _ := plane(t, h, "GET", base+"/v2/", containerregistry.BasicHeader("authreg01", ""), nil); code != 401 {
		t.Fatalf("empty password: %d", code)
	}
	h.Do("PATCH", regPath(h, "rg", "authreg01")+v, `{"properties":{"adminUserEnabled":true}}`)
	c := h.Do("POST", regPath(h, "rg", "authreg01")+"/listCredentials"+v, "")
	pw := c.Body["passwords"].([]any)[0].(map[string]any)["value"].(string)
	if code, _, _ := plane(t, h, "GET", base+"/v2/", containerregistry.BasicHeader("authreg01", pw+"x"), nil); code != 401 {
		t.Fatalf("wrong password: %d", code)
	}
	admin := containerregistry.BasicHeader("authreg01", pw)
	if code, _, _ := plane(t, h, "GET", base+"/v2/", admin, nil); code != 200 {
		t.Fatalf("admin: %d", code)
	}
	digest := push(t, h, ls, admin, "hello", "v1")
	// Disabling the admin user locks its password out at once.
	h.Do("PATCH", regPath(h, "rg", "authreg01")+v, `{"properties":{"adminUserEnabled":false}}`)
	if code, _, _ := plane(t, h, "GET", base+"/v2/", admin, nil); code != 401 {
		t.Fatalf("admin after disabling: %d", code)
	}

	// ACR's token exchange: an AAD token of this tenant becomes a refresh token...
	if code, _ := form(t, h, base+"/oauth2/exchange", url.Values{"grant_type": {"access_token"}, "service": {ls}, "access_token": {"garbage"}}); code != 401 {
		t.Fatalf("exchange of garbage: %d", code)
	}
	code, ex := form(t, h, base+"/oauth2/exchange", url.Values{"grant_type": {"access_token"}, "service": {ls}, "access_token": {h.Token}})
	refresh, _ := ex["refresh_token"].(string)
	if code != 200 || refresh == "" {
		t.Fatalf("exchange: %d %v", code, ex)
	}
	// ...a refresh token is no access token...
	if code, _, _ := plane(t, h, "GET", base+"/v2/hello/tags/list", "Bearer "+refresh, nil); code != 401 {
		t.Fatalf("refresh token used as access token: %d", code)
	}
	// ...and buys access tokens for the scopes asked.
	access := func(scope string) string {
		code, tok := form(t, h, base+"/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "service": {ls}, "scope": {scope}, "refresh_token": {refresh}})
		if code != 200 {
			t.Fatalf("token for %s: %d %v", scope, code, tok)
		}
		return "Bearer " + tok["access_token"].(string)
	}
	pull := access("repository:hello:pull")
	if code, _, body := plane(t, h, "GET", base+"/v2/hello/manifests/v1", pull, nil, "Accept", "application/vnd.oci.image.manifest.v1+json"); code != 200 || digestOf(body) != digest {
		t.Fatalf("pull with a pull token: %d", code)
	}
	if code, _, _ := plane(t, h, "POST", base+"/v2/hello/blobs/uploads/", pull, nil); code != 401 {
		t.Fatalf("push with a pull token: %d", code)
	}
	if code, _, _ := plane(t, h, "GET", base+"/v2/other/tags/list", pull, nil); code != 401 {
		t.Fatalf("another repository with a hello token: %d", code)
	}
	if code, _, _ := plane(t, h, "GET", base+"/v2/_catalog", pull, nil); code != 401 {
		t.Fatalf("catalog with a repository token: %d", code)
	}
	// "hello/blobs/x" is a repository of its own, as the distribution parses
	// names: a push, pull or delete token for "hello" reaches none of it.
	push(t, h, ls, access("repository:hello/blobs/x:pull,push"), "hello/blobs/x", "v1")
	helloAll := access("repository:hello:pull,push,delete")
	for _, c := range []struct{ method, path string }{
		{"GET", "/v2/hello/blobs/x/manifests/v1"}, {"GET", "/v2/hello/blobs/x/tags/list"},
		{"POST", "/v2/hello/blobs/x/blobs/uploads/"}, {"DELETE", "/v2/hello/blobs/x/manifests/v1"},
		{"PUT", "/v2/hello/blobs/x/manifests/v2"}, {"GET", "/v2/hello/manifests/x/manifests/v1"},
	} {
		if code, _, body := plane(t, h, c.method, base+c.path, helloAll, nil); code != 401 {
			t.Errorf("%s %s with a token for hello: %d %s", c.method, c.path, code, body)
		}
	}
	if code, _, _ := plane(t, h, "GET", base+"/v2/hello/blobs/x/tags/list", access("repository:hello/blobs/x:pull"), nil); code != 200 {
		t.Fatalf("the repository hello/blobs/x with its own token: %d", code)
	}
	if code, _, body := plane(t, h, "GET", base+"/v2/_catalog", access("registry:catalog:*"), nil); code != 200 || !strings.Contains(string(body), `"hello"`) {
		t.Fatalf("catalog: %d %s", code, body)
	}
	// Docker's way: GET /oauth2/token with Basic credentials (the null user and the refresh token).
	req, _ := http.NewRequest("GET", base+"/oauth2/token?service="+ls+"&scope=repository:hello:pull", nil)
	req.SetBasicAuth("00000000-0000-0000-0000-000000000000", refresh)
	if resp, err := h.Client.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("docker token: %v %v", resp, err)
	}
	req.SetBasicAuth("00000000-0000-0000-0000-000000000000", "nope")
	if resp, _ := h.Client.Do(req); resp.StatusCode != 401 {
		t.Fatalf("docker token with a bad refresh token: %d", resp.StatusCode)
	}

	// Anonymous pull: reads only, and only when enabled.
	if code, _, _ := plane(t, h, "GET", base+"/v2/hello/manifests/v1", "", nil); code != 401 {
		t.Fatalf("anonymous pull while disabled: %d", code)
	}
	h.Do("PATCH", regPath(h, "rg", "authreg01")+v, `{"properties":{"anonymousPullEnabled":true}}`)
	if code, _, _ := plane(t, h, "GET", base+"/v2/hello/manifests/v1", "", nil, "Accept", "application/vnd.oci.image.manifest.v1+json"); code != 200 {
		t.Fatalf("anonymous pull: %d", code)
	}
	if code, _, _ := plane(t, h, "POST", base+"/v2/hello/blobs/uploads/", "", nil); code != 401 {
		t.Fatalf("anonymous push: %d", code)
	}
	if code, _, _ := plane(t, h, "DELETE", base+"/acr/v1/hello", "", nil); code != 401 {
		t.Fatalf("anonymous delete: %d", code)
	}
}

// TestRegistryStorage: manifests must refer to blobs that exist; what was
// pushed survives a restart; /acr/v1 pages as ACR does.
func TestRegistryStorage(t *testing.T) {
	dir := t.TempDir()
	h := start(t, dir)
	ls := create(t, h, "rg", "storereg1", `{"location":"westus","sku":{"name":"Basic"},"properties":{"adminUserEnabled":true}}`)
	c := h.Do("POST", regPath(h, "rg", "storereg1")+"/listCredentials"+v, "")
	admin := containerregistry.BasicHeader("storereg1", c.Body["passwords"].([]any)[1].(map[string]any)["value"].(string))
	base := "https://" + ls
	missing := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:` + strings.Repeat("a", 64) + `","size":3},"layers":[]}`
	if code, _, body := plane(t, h, "PUT", base+"/v2/ghost/manifests/v1", admin, []byte(missing), "Content-Type", "application/vnd.oci.image.manifest.v1+json"); code != 400 || !strings.Contains(string(body), "MANIFEST_BLOB_UNKNOWN") {
		t.Fatalf("manifest with a missing blob: %d %s", code, body)
	}
	if code, _, _ := plane(t, h, "PUT", base+"/v2/..%2f..%2fetc/manifests/v1", admin, []byte(missing)); code < 400 {
		t.Fatalf("traversal name accepted: %d", code)
	}
	for _, tag := range []string{"v1", "v2", "v3"} {
		push(t, h, ls, admin, "team/app", tag)
	}
	push(t, h, ls, admin, "hello", "latest")

	// ACR's metadata API, paged with Link headers.
	code, hdr, body := plane(t, h, "GET", base+"/acr/v1/team/app/_tags?n=2", admin, nil)
	var tags struct {
		Tags []struct{ Name, Digest string } `json:"tags"`
	}
	json.Unmarshal(body, &tags)
	if code != 200 || len(tags.Tags) != 2 || tags.Tags[0].Name != "v1" || !strings.Contains(hdr.Get("Link"), `rel="next"`) {
		t.Fatalf("tags page: %d %v %s", code, hdr, body)
	}
	next := strings.Trim(strings.Split(hdr.Get("Link"), ";")[0], "<>")
	if code, _, body = plane(t, h, "GET", base+next, admin, nil); code != 200 || !strings.Contains(string(body), `"v3"`) || strings.Contains(string(body), `"v1"`) {
		t.Fatalf("next page: %d %s", code, body)
	}
	if code, _, body = plane(t, h, "GET", base+"/acr/v1/team/app", admin, nil); code != 200 || !strings.Contains(string(body), `"tagCount":3`) {
		t.Fatalf("repository: %d %s", code, body)
	}
	// A tag is never a path: deleting "../../.." must not remove the repository.
	for _, evil := range []string{"..%2f..%2f..", "..", "v1%2f..%2f..%2f.."} {
		if code, _, _ := plane(t, h, "DELETE", base+"/acr/v1/team/app/_tags/"+evil, admin, nil); code != 400 {
			t.Fatalf("tag %q: %d", evil, code)
		}
	}
	if code, _, body = plane(t, h, "GET", base+"/acr/v1/team/app", admin, nil); code != 200 || !strings.Contains(string(body), `"tagCount":3`) {
		t.Fatalf("repository after traversal attempts: %d %s", code, body)
	}
	if code, _, _ = plane(t, h, "GET", base+"/acr/v1/nothere/_tags", admin, nil); code != 404 {
		t.Fatalf("unknown repository: %d", code)
	}

	// Import from another registry of this endpoint, by id and by address.
	other := create(t, h, "rg", "importto1", `{"location":"westus","sku":{"name":"Basic"}}`)
	imp := func(body string) coretest.Answer {
		return h.Do("POST", regPath(h, "rg", "importto1")+"/importImage"+v, body)
	}
	srcID := regPath(h, "rg", "storereg1")
	if a := imp(`{"source":{"resourceId":"` + srcID + `","sourceImage":"team/app:v2"},"targetTags":["copied:v2"]}`); a.Status != 200 {
		t.Fatalf("import by id: %d %s", a.Status, a.Raw)
	}
	if a := imp(`{"source":{"resourceId":"` + srcID + `","sourceImage":"team/app:v3"},"targetTags":["copied:v2"]}`); a.Status != 409 || a.Code() != "TagAlreadyExists" {
		t.Fatalf("import over a tag without force: %d %s", a.Status, a.Raw)
	}
	if a := imp(`{"source":{"resourceId":"` + srcID + `","sourceImage":"team/app:v3"},"targetTags":["copied:v2"],"mode":"Force"}`); a.Status != 200 {
		t.Fatalf("import with force: %d %s", a.Status, a.Raw)
	}
	if a := imp(`{"source":{"registryUri":"` + ls + `","sourceImage":"hello:latest"}}`); a.Status != 401 {
		t.Fatalf("import by address without credentials: %d %s", a.Status, a.Raw)
	}
	pw1 := c.Body["passwords"].([]any)[0].(map[string]any)["value"].(string)
	if a := imp(`{"source":{"registryUri":"` + ls + `","sourceImage":"hello:latest","credentials":{"username":"storereg1","password":"` + pw1 + `"}}}`); a.Status != 200 {
		t.Fatalf("import by address: %d %s", a.Status, a.Raw)
	}
	for _, bad := range []string{`{"source":{"registryUri":"mcr.microsoft.com","sourceImage":"hello"}}`, `{"source":{"resourceId":"` + srcID + `","sourceImage":"nothere:v1"}}`, `{"source":{}}`} {
		if a := imp(bad); a.Status < 400 {
			t.Fatalf("import %s: %d", bad, a.Status)
		}
	}
	h.Do("PATCH", regPath(h, "rg", "importto1")+v, `{"properties":{"adminUserEnabled":true}}`)
	c2 := h.Do("POST", regPath(h, "rg", "importto1")+"/listCredentials"+v, "")
	admin2 := containerregistry.BasicHeader("importto1", c2.Body["passwords"].([]any)[0].(map[string]any)["value"].(string))
	if code, _, body := plane(t, h, "GET", "https://"+other+"/acr/v1/_catalog", admin2, nil); string(body) != `{"repositories":["copied","hello"]}` {
		t.Fatalf("imported catalog: %d %s", code, body)
	}
	if code, _, body := plane(t, h, "GET", "https://"+other+"/v2/copied/manifests/v2", admin2, nil, "Accept", "application/vnd.oci.image.manifest.v1+json"); code != 200 || !strings.Contains(string(body), "layers") {
		t.Fatalf("imported manifest: %d %s", code, body)
	}

	// kill -9 is covered by the crash suite; a restart must keep everything.
	h.Srv.Close()
	h2 := start(t, dir)
	if code, _, body = plane(t, h2, "GET", base+"/acr/v1/_catalog", admin, nil); code != 200 || string(body) != `{"repositories":["hello","team/app"]}` {
		t.Fatalf("catalog after restart: %d %s", code, body)
	}

	// The real SDK client against it (a client no one here wrote).
	cl, err := azcontainerregistry.NewClient(base, tokenCred{h2}, &azcontainerregistry.ClientOptions{ClientOptions: policy.ClientOptions{
		Transport: h2.Client,
		Cloud: azcloud.Configuration{ActiveDirectoryAuthorityHost: h2.Srv.BaseURL() + "/adfs",
			Services: map[azcloud.ServiceName]azcloud.ServiceConfiguration{azcontainerregistry.ServiceName: {Audience: "https://containerregistry.azure.net"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var repos []string
	for p := cl.NewListRepositoriesPager(&azcontainerregistry.ClientListRepositoriesOptions{MaxNum: to.Ptr[int32](1)}); p.More(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range page.Names {
			repos = append(repos, *n)
		}
	}
	if strings.Join(repos, ",") != "hello,team/app" {
		t.Fatalf("SDK repositories: %v", repos)
	}
	tp, err := cl.GetTagProperties(ctx, "team/app", "v2", nil)
	if err != nil || tp.Tag == nil || *tp.Tag.Name != "v2" {
		t.Fatalf("SDK tag: %v %v", tp, err)
	}
	mp, err := cl.GetManifestProperties(ctx, "team/app", *tp.Tag.Digest, nil)
	if err != nil || *mp.Manifest.Architecture != "amd64" {
		t.Fatalf("SDK manifest: %v %v", mp, err)
	}
	if _, err := cl.DeleteTag(ctx, "team/app", "v2", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.GetTagProperties(ctx, "team/app", "v2", nil); err == nil {
		t.Fatal("deleted tag still there")
	}
	if _, err := cl.DeleteRepository(ctx, "hello", nil); err != nil {
		t.Fatal(err)
	}
	if code, _, body = plane(t, h2, "GET", base+"/acr/v1/_catalog", admin, nil); string(body) != `{"repositories":["team/app"]}` {
		t.Fatalf("catalog after delete: %d %s", code, body)
	}
}

// TestBuildUploads: the context upload of `acr build` takes the SDK's
// block-blob client, and only with the SAS it was handed; without a Docker
// engine a run is refused, not queued.
func TestBuildUploads(t *testing.T) {
	dir := t.TempDir()
	h := start(t, dir)
	create(t, h, "rg", "buildreg1", `{"location":"westus","sku":{"name":"Basic"}}`)
	up := h.Do("POST", regPath(h, "rg", "buildreg1")+"/listBuildSourceUploadUrl"+v, "")
	u, _ := up.Body["uploadUrl"].(string)
	rel, _ := up.Body["relativePath"].(string)
	if up.Status != 200 || !strings.HasPrefix(rel, "source/") || !strings.Contains(u, "sig=") {
		t.Fatalf("upload url: %s", up.Raw)
	}
	bc, err := blockblob.NewClientWithNoCredential(u, &blockblob.ClientOptions{ClientOptions: policy.ClientOptions{Transport: h.Client}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	data := bytes.Repeat([]byte("context "), 4096)
	if _, err := bc.UploadBuffer(ctx, data[:100], nil); err != nil {
		t.Fatalf("upload in one: %v", err)
	}
	stored := filepath.Join(dir, "registries", "buildreg1", "builds", filepath.FromSlash(rel))
	if b, err := os.ReadFile(stored); err != nil || !bytes.Equal(b, data[:100]) {
		t.Fatalf("stored context: %d bytes, %v", len(b), err)
	}
	// Large contexts go up in blocks: staged, then committed in order.
	ids := []string{base64.StdEncoding.EncodeToString([]byte("block-1")), base64.StdEncoding.EncodeToString([]byte("block-2"))}
	for i, id := range ids {
		if _, err := bc.StageBlock(ctx, id, streaming.NopCloser(bytes.NewReader(data[i*16384:(i+1)*16384])), nil); err != nil {
			t.Fatalf("stage block: %v", err)
		}
	}
	if _, err := bc.CommitBlockList(ctx, ids, nil); err != nil {
		t.Fatalf("commit: %v", err)
	}
	if b, err := os.ReadFile(stored); err != nil || !bytes.Equal(b, data) {
		t.Fatalf("committed context: %d bytes, %v", len(b), err)
	}
	for _, bad := range []string{
		strings.Replace(u, "sig=", "sig=x", 1),       // forged
		strings.Replace(u, "sp=cw", "sp=r", 1),       // read-only SAS
		strings.Replace(u, rel, "source/other", 1),   // another name
		strings.Replace(u, rel, "../../state.db", 1), // traversal
	} {
		if code, _, _ := plane(t, h, "PUT", bad, "", []byte("x"), "x-ms-blob-type", "BlockBlob"); code != 403 && code != 404 {
			t.Fatalf("PUT %s: %d", bad, code)
		}
	}
	body := `{"type":"DockerBuildRequest","imageNames":["x:v1"],"sourceLocation":"` + rel + `","dockerFilePath":"Dockerfile","platform":{"os":"linux"}}`
	if a := h.Do("POST", regPath(h, "rg", "buildreg1")+"/scheduleRun"+v, body); a.Status != 400 || a.Code() != "BuildNotSupported" {
		t.Fatalf("run without Docker: %s", a.Raw)
	}
	if a := h.Do("POST", regPath(h, "rg", "buildreg1")+"/scheduleRun"+v, `{"type":"EncodedTaskRunRequest"}`); a.Status != 400 || a.Code() != "RunTypeNotSupported" {
		t.Fatalf("acr run: %s", a.Raw)
	}
	if a := h.Do("GET", regPath(h, "rg", "buildreg1")+"/runs/ca1"+v, ""); a.Status != 404 {
		t.Fatalf("run that never was: %s", a.Raw)
	}
}

// tokenCred is the harness's service principal as an azcore credential.
type tokenCred struct{ h *coretest.Harness }

func (c tokenCred) GetToken(_ context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	id := c.h.Srv.Identity()
	return azcore.AccessToken{Token: c.h.ClientCredentials(id.ClientID, id.ClientSecret, o.Scopes[0]), ExpiresOn: time.Now().Add(time.Hour)}, nil
}
