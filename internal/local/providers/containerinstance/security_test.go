package containerinstance

// The hostile suite: who may call what (auth matrix), what a request body may
// make the server touch on the host (traversal), what malformed input does
// (never a panic, never a 201), and what is kept where (secrets).

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aci-cli/aci/internal/local/core"
	"github.com/aci-cli/aci/internal/local/coretest"
	"github.com/aci-cli/aci/internal/local/runtime"
	"github.com/aci-cli/aci/internal/local/runtime/process"
	"github.com/golang-jwt/jwt/v5"
)

const cgv = "?api-version=2023-05-01"

// cgHarness is a server with container groups on rt and a resource group "rg".
func cgHarness(t *testing.T, rt runtime.Runtime, o core.Options) (*harness, *ContainerGroups) {
	t.Helper()
	if o.StateDir == "" {
		o.StateDir = t.TempDir()
	}
	o.Version = "test"
	var cg *ContainerGroups
	h := startWith(t, o, func(s *core.Server) { cg = NewContainerGroups(s, rt) })
	t.Cleanup(func() { runtime.RemoveSecretVolumes(o.StateDir) })
	if a := h.Do("PUT", h.RG("rg")+v, `{"location":"westus"}`); a.Status != 201 {
		t.Fatalf("rg: %s", a.Raw)
	}
	return h, cg
}

func (h *harness) cg(name string) string {
	return h.RG("rg") + "/providers/Microsoft.ContainerInstance/containerGroups/" + name
}

// groupJSON is a valid one-container group, changed by mod.
func groupJSON(mod func(props map[string]any, c map[string]any)) string {
	c := map[string]any{"name": "c", "properties": map[string]any{"image": runtime.BuiltinHelloImage,
		"resources": map[string]any{"requests": map[string]any{"cpu": 1, "memoryInGB": 1.5}},
		"ports":     []any{map[string]any{"port": 80}}}}
	props := map[string]any{"osType": "Linux", "containers": []any{c},
		"ipAddress": map[string]any{"type": "Public", "ports": []any{map[string]any{"port": 80}}}}
	if mod != nil {
		mod(props, c["properties"].(map[string]any))
	}
	b, _ := json.Marshal(map[string]any{"location": "westus", "properties": props})
	return string(b)
}

// waitProvisioned polls a group until its provisioning ends.
func (h *harness) waitProvisioned(name string) coretest.Answer {
	h.T.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		a := h.Do("GET", h.cg(name)+cgv, "")
		st, _ := obj(a.Body["properties"])["provisioningState"].(string)
		if a.Status != 200 || (st != "Pending" && st != "Creating") || time.Now().After(deadline) {
			return a
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Every route refuses every token that is not a valid one of this endpoint.
func TestAuthMatrix(t *testing.T) {
	h, _ := cgHarness(t, newFakeRuntime(), core.Options{TestHooks: true})
	other := start(t, t.TempDir()) // another instance: its tokens are foreign here
	sub := h.Srv.Identity().SubscriptionID
	now := time.Now()
	valid := jwt.MapClaims{"token_use": "access", "idtyp": "app", "aud": core.ARMAudience, "iss": h.Srv.BaseURL() + "/adfs", "tid": h.Srv.Identity().TenantID, "oid": "x",
		"iat": now.Unix(), "nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix()}
	with := func(k string, val any) jwt.MapClaims {
		c := jwt.MapClaims{}
		for kk, vv := range valid {
			c[kk] = vv
		}
		c[k] = val
		return c
	}
	sign := func(c jwt.MapClaims) string {
		s, err := h.Srv.SignToken(c)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	good := sign(valid)
	parts := strings.Split(good, ".")
	sig := []byte(parts[2])
	sig[5] ^= 1
	tampered := parts[0] + "." + parts[1] + "." + string(sig)
	// The payload changed under the same signature.
	forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"aud":"`+core.ARMAudience+`","tid":"`+h.Srv.Identity().TenantID+`","exp":9999999999}`)) + "." + parts[2]
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: must(x509.MarshalPKIXPublicKey(h.Srv.Identity().PublicKey()))})
	hs, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, valid).SignedString(pubPEM)
	refresh, _ := h.Srv.SignToken(jwt.MapClaims{"typ": "refresh", "sub": "x", "exp": now.Add(time.Hour).Unix()})
	storage := h.ClientCredentials(h.Srv.Identity().ClientID, h.Srv.Identity().ClientSecret, "https://storage.azure.com/.default")

	tokens := map[string]string{
		"none":           "",
		"basic":          "Basic " + base64.StdEncoding.EncodeToString([]byte(h.Srv.Identity().ClientID+":"+h.Srv.Identity().ClientSecret)),
		"garbage":        "Bearer not-a-jwt",
		"expired":        "Bearer " + sign(with("exp", now.Add(-2*time.Hour).Unix())),
		"not yet valid":  "Bearer " + sign(with("nbf", now.Add(2*time.Hour).Unix())),
		"tampered":       "Bearer " + tampered,
		"forged payload": "Bearer " + forged,
		"alg none":       "Bearer " + none,
		"HS256 with pub": "Bearer " + hs,
		"other instance": "Bearer " + other.Token,
		"wrong audience": "Bearer " + sign(with("aud", "https://storage.azure.com/")),
		"storage token":  "Bearer " + storage,
		"wrong tenant":   "Bearer " + sign(with("tid", "00000000-0000-0000-0000-000000000000")),
		"refresh token":  "Bearer " + refresh,
		"id token":       "Bearer " + sign(with("token_use", "id")),
		"kindless":       "Bearer " + sign(jwt.MapClaims{"aud": core.ARMAudience, "tid": h.Srv.Identity().TenantID, "exp": now.Add(time.Hour).Unix()}),
		"lowercase":      "bearer " + good,
	}
	routes := []struct{ method, path, body string }{
		{"GET", "/subscriptions" + v, ""},
		{"GET", "/tenants" + v, ""},
		{"GET", "/subscriptions/" + sub + v, ""},
		{"GET", "/subscriptions/" + sub + "/locations" + v, ""},
		{"GET", "/subscriptions/" + sub + "/resourcegroups" + v, ""},
		{"PUT", h.RG("x") + v, `{"location":"westus"}`},
		{"GET", h.RG("rg") + v, ""},
		{"PATCH", h.RG("rg") + v, `{"tags":{}}`},
		{"DELETE", h.RG("rg") + v, ""},
		{"HEAD", h.RG("rg") + v, ""},
		{"GET", "/subscriptions/" + sub + "/providers" + v, ""},
		{"POST", "/subscriptions/" + sub + "/providers/Microsoft.ContainerInstance/register" + v, ""},
		{"GET", "/providers/Microsoft.ContainerInstance/operations" + v, ""},
		{"PUT", h.cg("g") + cgv, groupJSON(nil)},
		{"GET", h.cg("g") + cgv, ""},
		{"DELETE", h.cg("g") + cgv, ""},
		{"GET", "/subscriptions/" + sub + "/providers/Microsoft.ContainerInstance/containerGroups" + cgv, ""},
		{"POST", h.cg("g") + "/restart" + cgv, ""},
		{"POST", h.cg("g") + "/stop" + cgv, ""},
		{"GET", h.cg("g") + "/containers/c/logs" + cgv, ""},
		{"POST", h.cg("g") + "/containers/c/exec" + cgv, `{"command":"ls"}`},
		{"POST", h.cg("g") + "/containers/c/attach" + cgv, ""},
		{"GET", "/subscriptions/" + sub + "/providers/Microsoft.ContainerInstance/locations/westus/operations/x" + cgv, ""},
		{"GET", "/subscriptions/" + sub + "/operationresults/x" + v, ""},
		{"GET", "/aci-local/status", ""},
		{"POST", "/aci-local/throttle", `{"requests":1}`},
	}
	for _, rt := range routes {
		for name, tok := range tokens {
			req, _ := http.NewRequest(rt.method, h.Srv.BaseURL()+rt.path, strings.NewReader(rt.body))
			if tok != "" {
				req.Header.Set("Authorization", tok)
			}
			resp, err := h.Client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 401 {
				t.Errorf("%s %s with %s token: %d %s", rt.method, rt.path, name, resp.StatusCode, b)
				continue
			}
			if rt.method != "HEAD" && !bytes.Contains(b, []byte(`"code":"`)) {
				t.Errorf("%s %s with %s token: no ARM error body: %s", rt.method, rt.path, name, b)
			}
			if resp.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s %s with %s token: no WWW-Authenticate", rt.method, rt.path, name)
			}
		}
	}
	// The rejected requests changed nothing: rg still exists, x and g do not.
	if a := h.Do("GET", h.RG("rg")+v, ""); a.Status != 200 {
		t.Fatalf("rg was touched: %s", a.Raw)
	}
	if a := h.Do("GET", h.RG("x")+v, ""); a.Status != 404 {
		t.Fatalf("x was created: %s", a.Raw)
	}
	// And the same requests with a good token pass auth.
	if a := h.WithToken(good).Do("GET", "/aci-local/status", ""); a.Status != 200 {
		t.Fatalf("status with a valid token: %d %s", a.Status, a.Raw)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Every field that becomes a host path refuses traversal at the API, and
// nothing reaches the runtime or the disk.
func TestPathFieldsRefuseTraversal(t *testing.T) {
	root := t.TempDir()
	allowed := filepath.Join(root, "repos")
	os.MkdirAll(allowed, 0o755)
	fake := newFakeRuntime()
	h, _ := cgHarness(t, fake, core.Options{StateDir: filepath.Join(root, "state"), GitRepoRoots: []string{allowed}})
	payloads := []string{"..", "../../../../../../..", "/etc", "a/../../b", "..%2f..%2fetc", "%2e%2e", "a\x00b", "a/b", ".", `..\..`, "C:\\x", "", "UPPER", strings.Repeat("a", 300)}
	type field struct {
		name string
		set  func(p string) string
		code string
	}
	vol := func(v map[string]any, mount string) func(props, c map[string]any) {
		return func(props, c map[string]any) {
			props["volumes"] = []any{v}
			c["volumeMounts"] = []any{map[string]any{"name": v["name"], "mountPath": mount}}
		}
	}
	fields := []field{
		{"volume name", func(p string) string {
			return groupJSON(vol(map[string]any{"name": p, "emptyDir": map[string]any{}}, "/data"))
		}, "InvalidVolumeName"},
		{"secret file name", func(p string) string {
			return groupJSON(vol(map[string]any{"name": "s", "secret": map[string]any{p: "c2VjcmV0"}}, "/s"))
		}, "InvalidSecretVolume"},
		{"git directory", func(p string) string {
			return groupJSON(vol(map[string]any{"name": "g", "gitRepo": map[string]any{"repository": allowed, "directory": p}}, "/g"))
		}, "InvalidGitRepoVolume"},
		{"git repository", func(p string) string {
			return groupJSON(vol(map[string]any{"name": "g", "gitRepo": map[string]any{"repository": p}}, "/g"))
		}, "InvalidGitRepoVolume"},
		{"git repository under the root", func(p string) string {
			return groupJSON(vol(map[string]any{"name": "g", "gitRepo": map[string]any{"repository": allowed + "/" + p}}, "/g"))
		}, "InvalidGitRepoVolume"},
		{"mount path", func(p string) string {
			return groupJSON(vol(map[string]any{"name": "e", "emptyDir": map[string]any{}}, "/"+p))
		}, "InvalidVolumeMountPath"},
	}
	harmless := map[string]map[string]bool{
		// Literal names that stay inside their directory are fine where the
		// field's own rules allow them.
		"git directory":                 {"%2e%2e": true, "..%2f..%2fetc": true, ".": true, "": true, "UPPER": true, "a/b": true, "C:\\x": false, strings.Repeat("a", 300): true},
		"mount path":                    {`..\..`: true, "%2e%2e": true, "..%2f..%2fetc": true, "UPPER": true, "a/b": true, "C:\\x": true, strings.Repeat("a", 300): true, "/etc": true, ".": true},
		"secret file name":              {"%2e%2e": false, "UPPER": true},
		"git repository under the root": {".": true, "": true},
	}
	for _, f := range fields {
		for _, p := range payloads {
			if harmless[f.name][p] {
				continue
			}
			a := h.Do("PUT", h.cg("t")+cgv, f.set(p))
			if a.Status != 400 {
				t.Errorf("%s %q: %d %s", f.name, p, a.Status, a.Raw)
				h.Do("DELETE", h.cg("t")+cgv, "")
				continue
			}
			if a.Code() != f.code && !(a.Code() == "InvalidVolumeMountPath" || a.Code() == "VolumeMountRequiresVolume") {
				t.Errorf("%s %q: code %s, want %s (%s)", f.name, p, a.Code(), f.code, a.Raw)
			}
		}
	}
	if n := fake.runCount(); n != 0 {
		t.Fatalf("the runtime ran %d refused groups", n)
	}
	if entries, _ := os.ReadDir(filepath.Join(root, "state", "volumes")); len(entries) != 0 {
		t.Fatalf("refused groups left files: %v", entries)
	}
	// A symlink inside an allowed root that points out of it is not allowed.
	os.Symlink("/etc", filepath.Join(allowed, "out"))
	a := h.Do("PUT", h.cg("t")+cgv, groupJSON(vol(map[string]any{"name": "g", "gitRepo": map[string]any{"repository": filepath.Join(allowed, "out")}}, "/g")))
	if a.Status != 400 {
		t.Fatalf("symlink out of the git root: %d %s", a.Status, a.Raw)
	}
}

// Behind the API: volume preparation itself confines every path, so a
// validator bug cannot reach the host.
func TestVolumesConfinedEvenWithoutValidation(t *testing.T) {
	root := t.TempDir()
	outside := filepath.Join(root, "outside")
	os.MkdirAll(outside, 0o755)
	base := filepath.Join(root, "volumes", "k")
	ctx := context.Background()
	bad := []runtime.VolumeSpec{
		{Name: "..", Kind: "emptyDir"},
		{Name: "../../outside", Kind: "emptyDir"},
		{Name: outside, Kind: "emptyDir"},
		{Name: "a/b", Kind: "emptyDir"},
		{Name: "s", Kind: "secret", Secret: map[string][]byte{"../../../outside/planted": []byte("x")}},
		{Name: "s2", Kind: "secret", Secret: map[string][]byte{outside + "/planted": []byte("x")}},
		{Name: "link", Kind: "emptyDir"},
		{Name: "slink", Kind: "secret", Secret: map[string][]byte{"f": []byte("x")}},
	}
	bad[len(bad)-3].GitRepo.Directory = ""
	os.MkdirAll(base, 0o755)
	os.Symlink(outside, filepath.Join(base, "link"))
	os.MkdirAll(filepath.Join(base, "slink"), 0o755)
	os.Symlink(filepath.Join(outside, "target"), filepath.Join(base, "slink", "f"))
	for _, v := range bad {
		g := &runtime.GroupSpec{Key: "k", VolumeDir: base, Volumes: []runtime.VolumeSpec{v}}
		if _, err := runtime.PrepareVolumes(ctx, g); err == nil && v.Name != "slink" {
			t.Errorf("volume %q prepared", v.Name)
		}
	}
	git := runtime.VolumeSpec{Name: "g", Kind: "gitRepo"}
	git.GitRepo.Repository = "/nonexistent"
	git.GitRepo.Directory = "../../outside/clone"
	if _, err := runtime.PrepareVolumes(ctx, &runtime.GroupSpec{Key: "k", VolumeDir: base, Volumes: []runtime.VolumeSpec{git}}); err == nil {
		t.Error("git directory outside the volume accepted")
	}
	entries, _ := os.ReadDir(outside)
	if len(entries) != 0 {
		t.Fatalf("files written outside the group's directory: %v", entries)
	}
}

// Malformed bodies are ARM's 400, never a panic, a 500 or a 201.
func TestMalformedBodies(t *testing.T) {
	fake := newFakeRuntime()
	h, _ := cgHarness(t, fake, core.Options{})
	set := func(path string, val any) string {
		var m map[string]any
		json.Unmarshal([]byte(groupJSON(nil)), &m)
		cur := m
		keys := strings.Split(path, ".")
		for _, k := range keys[:len(keys)-1] {
			switch x := cur[k].(type) {
			case map[string]any:
				cur = x
			case []any:
				cur = x[0].(map[string]any)
			}
		}
		cur[keys[len(keys)-1]] = val
		b, _ := json.Marshal(m)
		return string(b)
	}
	bodies := map[string]string{
		"container ports [80]":          set("properties.containers.properties.ports", []any{80}),
		"container ports [null]":        set("properties.containers.properties.ports", []any{nil}),
		"ipAddress ports [80]":          set("properties.ipAddress.ports", []any{80}),
		"ipAddress ports [null]":        set("properties.ipAddress.ports", []any{nil}),
		"env [null]":                    set("properties.containers.properties.environmentVariables", []any{nil}),
		"env [1]":                       set("properties.containers.properties.environmentVariables", []any{1}),
		"registry credentials [null]":   set("properties.imageRegistryCredentials", []any{nil}),
		"volumes [null]":                set("properties.volumes", []any{nil}),
		"volumes \"x\"":                 set("properties.volumes", "x"),
		"containers [null]":             set("properties.containers", []any{nil}),
		"containers {}":                 set("properties.containers", map[string]any{}),
		"container properties null":     set("properties.containers.properties", nil),
		"resources \"x\"":               set("properties.containers.properties.resources", "x"),
		"requests null":                 set("properties.containers.properties.resources.requests", nil),
		"cpu \"1\"":                     set("properties.containers.properties.resources.requests.cpu", "1"),
		"cpu null":                      set("properties.containers.properties.resources.requests.cpu", nil),
		"port 80.5":                     set("properties.containers.properties.ports", []any{map[string]any{"port": 80.5}}),
		"port \"eighty\"":               set("properties.containers.properties.ports", []any{map[string]any{"port": "eighty"}}),
		"command \"ls\"":                set("properties.containers.properties.command", "ls"),
		"command [1]":                   set("properties.containers.properties.command", []any{1}),
		"ipAddress []":                  set("properties.ipAddress", []any{}),
		"volumeMounts [null]":           set("properties.containers.properties.volumeMounts", []any{nil}),
		"secret {\"a\":1}":              set("properties.volumes", []any{map[string]any{"name": "s", "secret": map[string]any{"a": 1}}}),
		"properties []":                 set("properties", []any{}),
		"properties null":               set("properties", nil),
		"tags \"x\"":                    set("tags", "x"),
		"tags {\"a\":1}":                set("tags", map[string]any{"a": 1}),
		"location 5":                    set("location", 5),
		"array body":                    `[]`,
		"string body":                   `"x"`,
		"truncated":                     groupJSON(nil)[:40],
		"empty":                         ``,
		"gpu count \"1\"":               set("properties.containers.properties.resources.requests.gpu", map[string]any{"count": "1", "sku": "K80"}),
		"identity \"x\"":                set("identity", "x"),
		"restartPolicy 1":               set("properties.restartPolicy", 1),
		"initContainers [null]":         set("properties.initContainers", []any{nil}),
		"env value 1":                   set("properties.containers.properties.environmentVariables", []any{map[string]any{"name": "A", "value": 1}}),
		"volumes [{\"gitRepo\":\"x\"}]": set("properties.volumes", []any{map[string]any{"name": "g", "gitRepo": "x"}}),
	}
	for name, body := range bodies {
		a := h.Do("PUT", h.cg("m")+cgv, body)
		if a.Status != 400 || a.Code() == "" {
			t.Errorf("%s: %d %s", name, a.Status, a.Raw)
		}
	}
	if fake.runCount() != 0 {
		t.Fatal("a malformed group ran")
	}
	logb, _ := os.ReadFile(filepath.Join(h.Srv.Options().StateDir, "requests.log"))
	if bytes.Contains(logb, []byte(`"msg":"panic"`)) {
		t.Fatal("a malformed body panicked a handler")
	}
}

// A body over the limit is refused whole (413), with or without Content-Length.
func TestBodyLimit(t *testing.T) {
	h, _ := cgHarness(t, newFakeRuntime(), core.Options{MaxBodyBytes: 2 << 20})
	big := groupJSON(nil) + strings.Repeat(" ", 3<<20)
	if a := h.Do("PUT", h.cg("big")+cgv, big); a.Status != 413 || a.Code() != "RequestEntityTooLarge" {
		t.Fatalf("over the limit: %d %s", a.Status, a.Raw)
	}
	req, _ := http.NewRequest("PUT", h.Srv.BaseURL()+h.cg("big2")+cgv, io.MultiReader(strings.NewReader(big))) // chunked
	req.Header.Set("Authorization", "Bearer "+h.Token)
	req.ContentLength = -1
	resp, err := h.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Fatalf("chunked over the limit: %d", resp.StatusCode)
	}
	if a := h.Do("GET", h.cg("big")+cgv, ""); a.Status != 404 {
		t.Fatal("an over-limit body created a group")
	}
	// A large body under the limit still works.
	if a := h.Do("PUT", h.cg("fits")+cgv, groupJSON(nil)+strings.Repeat(" ", 1<<20+10)); a.Status != 201 {
		t.Fatalf("a body under the limit: %d %s", a.Status, a.Raw)
	}
}

// Values ARM refuses are refused up front, not stored to fail later.
func TestInvalidValuesRefused(t *testing.T) {
	fake := newFakeRuntime()
	h, _ := cgHarness(t, fake, core.Options{})
	cases := map[string]struct {
		mod  func(props, c map[string]any)
		code string
	}{
		"empty env name": {func(p, c map[string]any) { c["environmentVariables"] = []any{map[string]any{"name": "", "value": "x"}} }, "InvalidEnvironmentVariable"},
		"NUL env name": {func(p, c map[string]any) {
			c["environmentVariables"] = []any{map[string]any{"name": "A\x00B", "value": "x"}}
		}, "InvalidEnvironmentVariable"},
		"A=B env name": {func(p, c map[string]any) {
			c["environmentVariables"] = []any{map[string]any{"name": "A=B", "value": "x"}}
		}, "InvalidEnvironmentVariable"},
		"duplicate env": {func(p, c map[string]any) {
			c["environmentVariables"] = []any{map[string]any{"name": "A", "value": "x"}, map[string]any{"name": "A", "value": "y"}}
		}, "DuplicateEnvironmentVariable"},
		"tiny memory": {func(p, c map[string]any) {
			c["resources"] = map[string]any{"requests": map[string]any{"cpu": 1, "memoryInGB": 1e-6}}
		}, "InvalidContainerResourceRequests"},
		"zero cpu": {func(p, c map[string]any) {
			c["resources"] = map[string]any{"requests": map[string]any{"cpu": 0, "memoryInGB": 1}}
		}, "InvalidContainerResourceRequests"},
		"5 cpu": {func(p, c map[string]any) {
			c["resources"] = map[string]any{"requests": map[string]any{"cpu": 5, "memoryInGB": 1}}
		}, "InvalidContainerResourceRequests"},
		"duplicate ports": {func(p, c map[string]any) {
			c["ports"] = []any{map[string]any{"port": 80}, map[string]any{"port": 80}}
		}, "DuplicateContainerPorts"},
		"port 0":        {func(p, c map[string]any) { c["ports"] = []any{map[string]any{"port": 0}} }, "InvalidContainerPort"},
		"port protocol": {func(p, c map[string]any) { c["ports"] = []any{map[string]any{"port": 80, "protocol": "SCTP"}} }, "InvalidContainerPortProtocol"},
		"unknown volume": {func(p, c map[string]any) {
			c["volumeMounts"] = []any{map[string]any{"name": "nope", "mountPath": "/x"}}
		}, "VolumeMountRequiresVolume"},
		"duplicate volume": {func(p, c map[string]any) {
			p["volumes"] = []any{map[string]any{"name": "v", "emptyDir": map[string]any{}}, map[string]any{"name": "v", "emptyDir": map[string]any{}}}
		}, "DuplicateVolumeName"},
		"volume of no kind": {func(p, c map[string]any) { p["volumes"] = []any{map[string]any{"name": "v"}} }, "InvalidVolume"},
		"volume of two kinds": {func(p, c map[string]any) {
			p["volumes"] = []any{map[string]any{"name": "v", "emptyDir": map[string]any{}, "secret": map[string]any{}}}
		}, "InvalidVolume"},
		"group over 4 cpu": {func(p, c map[string]any) {
			c["resources"] = map[string]any{"requests": map[string]any{"cpu": 3, "memoryInGB": 1}}
			p["containers"] = append(p["containers"].([]any), map[string]any{"name": "d", "properties": map[string]any{"image": "x",
				"resources": map[string]any{"requests": map[string]any{"cpu": 2, "memoryInGB": 1}}}})
		}, "ContainerGroupResourcesExceedLimit"},
		"group over 16 GB": {func(p, c map[string]any) {
			c["resources"] = map[string]any{"requests": map[string]any{"cpu": 1, "memoryInGB": 10}}
			p["containers"] = append(p["containers"].([]any), map[string]any{"name": "d", "properties": map[string]any{"image": "x",
				"resources": map[string]any{"requests": map[string]any{"cpu": 1, "memoryInGB": 10}}}})
		}, "ContainerGroupResourcesExceedLimit"},
		"same port in two containers": {func(p, c map[string]any) {
			p["containers"] = append(p["containers"].([]any), map[string]any{"name": "d", "properties": map[string]any{"image": "x",
				"ports": []any{map[string]any{"port": 80}}, "resources": map[string]any{"requests": map[string]any{"cpu": 1, "memoryInGB": 1}}}})
		}, "DuplicateContainerPorts"},
		"gpu count 3": {func(p, c map[string]any) {
			c["resources"] = map[string]any{"requests": map[string]any{"cpu": 1, "memoryInGB": 1, "gpu": map[string]any{"count": 3, "sku": "K80"}}}
		}, "InvalidContainerResourceRequests"},
		"gpu count -1": {func(p, c map[string]any) {
			c["resources"] = map[string]any{"requests": map[string]any{"cpu": 1, "memoryInGB": 1, "gpu": map[string]any{"count": -1, "sku": "K80"}}}
		}, "InvalidContainerResourceRequests"},
		"limits below requests": {func(p, c map[string]any) {
			c["resources"] = map[string]any{"requests": map[string]any{"cpu": 2, "memoryInGB": 2}, "limits": map[string]any{"cpu": 1, "memoryInGB": 2}}
		}, "InvalidContainerResourceLimits"},
		"image with spaces": {func(p, c map[string]any) { c["image"] = "a b" }, "InvalidContainerImage"},
		"six IP ports":      {func(p, c map[string]any) { p["ipAddress"].(map[string]any)["ports"] = []any{1, 2, 3, 4, 5, 6} }, "InvalidRequestContent"},
		"IP port not open": {func(p, c map[string]any) {
			p["ipAddress"].(map[string]any)["ports"] = []any{map[string]any{"port": 81}}
		}, "InvalidIpAddressPort"},
		"bad sku":         {func(p, c map[string]any) { p["sku"] = "Huge" }, "InvalidSku"},
		"bad registry":    {func(p, c map[string]any) { p["imageRegistryCredentials"] = []any{map[string]any{"server": "a/b"}} }, "InvalidImageRegistryServer"},
		"null in command": {func(p, c map[string]any) { c["command"] = []any{"sh", nil} }, "InvalidRequestContent"},
		"probe port a word": {func(p, c map[string]any) {
			c["livenessProbe"] = map[string]any{"httpGet": map[string]any{"port": "http"}}
		}, "InvalidRequestContent"},
		"probe period a word": {func(p, c map[string]any) {
			c["readinessProbe"] = map[string]any{"exec": map[string]any{"command": []any{"true"}}, "periodSeconds": "often"}
		}, "InvalidRequestContent"},
		"probe command null": {func(p, c map[string]any) {
			c["livenessProbe"] = map[string]any{"exec": map[string]any{"command": []any{nil}}}
		}, "InvalidRequestContent"},
		"probe of no kind":     {func(p, c map[string]any) { c["livenessProbe"] = map[string]any{"periodSeconds": 5} }, "InvalidContainerProbe"},
		"windows on aci local": {func(p, c map[string]any) { p["osType"] = "Windows" }, "UnsupportedOsType"},
		"probe negative": {func(p, c map[string]any) {
			c["livenessProbe"] = map[string]any{"exec": map[string]any{"command": []any{"true"}}, "failureThreshold": -1}
		}, "InvalidContainerProbe"},
		"secret over 64 KiB": {func(p, c map[string]any) {
			p["volumes"] = []any{map[string]any{"name": "s", "secret": map[string]any{"k": strings.Repeat("AAAA", 30000)}}}
		}, "InvalidSecretVolume"},
	}
	for name, c := range cases {
		a := h.Do("PUT", h.cg("bad")+cgv, groupJSON(c.mod))
		if a.Status != 400 || a.Code() != c.code {
			t.Errorf("%s: %d %s (want %s)", name, a.Status, a.Raw, c.code)
		}
	}
	var tagged map[string]any
	json.Unmarshal([]byte(groupJSON(nil)), &tagged)
	tagged["tags"] = "x"
	b, _ := json.Marshal(tagged)
	if a := h.Do("PUT", h.cg("bad")+cgv, string(b)); a.Status != 400 {
		t.Errorf("tags \"x\": %d %s", a.Status, a.Raw)
	}
	if fake.runCount() != 0 {
		t.Fatal("an invalid group ran")
	}
	// Unicode group names are ARM-valid; a bad character is named.
	if a := h.Do("PUT", h.RG("ü-ok")+v, `{"location":"westus"}`); a.Status != 201 {
		t.Errorf("unicode group name: %d %s", a.Status, a.Raw)
	}
	if a := h.Do("PUT", h.RG("a%24b")+v, `{"location":"westus"}`); a.Status != 400 || !strings.Contains(a.Raw, "'$'") {
		t.Errorf("invalid group name: %d %s", a.Status, a.Raw)
	}
}

// Parallel creates with public IPs never share an address.
func TestParallelCreatesGetDistinctAddresses(t *testing.T) {
	h, _ := cgHarness(t, process.New("test"), core.Options{})
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if a := h.Do("PUT", h.cg(fmt.Sprintf("p%d", i))+cgv, groupJSON(nil)); a.Status != 201 {
				t.Errorf("create %d: %s", i, a.Raw)
			}
		}(i)
	}
	wg.Wait()
	seen := map[string]string{}
	for i := 0; i < 10; i++ {
		name := fmt.Sprintf("p%d", i)
		a := h.waitProvisioned(name)
		props := obj(a.Body["properties"])
		if props["provisioningState"] != "Succeeded" {
			t.Errorf("%s: %s", name, a.Raw)
			continue
		}
		ip, _ := obj(props["ipAddress"])["ip"].(string)
		if other, dup := seen[ip]; dup || ip == "" {
			t.Errorf("%s and %s share address %q", name, other, ip)
		}
		seen[ip] = name
	}
	for i := 0; i < 10; i++ {
		h.Do("DELETE", h.cg(fmt.Sprintf("p%d", i))+cgv, "")
	}
}

// A DNS label goes to one group, however many ask for it at once.
func TestParallelCreatesShareNoLabel(t *testing.T) {
	h, _ := cgHarness(t, newFakeRuntime(), core.Options{})
	for round := 0; round < 5; round++ {
		label := fmt.Sprintf("race%d", round)
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				body := groupJSON(func(p, c map[string]any) { p["ipAddress"].(map[string]any)["dnsNameLabel"] = label })
				a := h.Do("PUT", h.cg(fmt.Sprintf("l%d-%d", round, i))+cgv, body)
				switch {
				case a.Status == 201:
					mu.Lock()
					won++
					mu.Unlock()
				case a.Status != 409 || a.Code() != "DnsNameLabelAlreadyInUse":
					t.Errorf("create %d: %d %s", i, a.Status, a.Raw)
				}
			}(i)
		}
		wg.Wait()
		if won != 1 {
			t.Fatalf("label %s went to %d groups", label, won)
		}
	}
}

// Secrets are sealed in the database, never logged, never returned, and still
// reach the runtime after a restart.
func TestSecretsAtRest(t *testing.T) {
	dir := t.TempDir()
	fake := newFakeRuntime()
	h, _ := cgHarness(t, fake, core.Options{StateDir: dir})
	secrets := []string{"ENV-S3CRET-VALUE", "REGISTRY-PASSW0RD", "SECRET-FILE-CONTENT", "STORAGE-KEY-VALUE", "QUERY-SIG-VALUE"}
	body := groupJSON(func(p, c map[string]any) {
		c["environmentVariables"] = []any{map[string]any{"name": "S", "secureValue": secrets[0]}}
		p["imageRegistryCredentials"] = []any{map[string]any{"server": "127.0.0.1:5000", "username": "u", "password": secrets[1]}}
		p["volumes"] = []any{map[string]any{"name": "s", "secret": map[string]any{"f": base64.StdEncoding.EncodeToString([]byte(secrets[2]))}}}
		c["volumeMounts"] = []any{map[string]any{"name": "s", "mountPath": "/s"}}
	})
	if a := h.Do("PUT", h.cg("sec")+cgv+"&sig="+secrets[4], body); a.Status != 201 {
		t.Fatalf("create: %s", a.Raw)
	}
	a := h.waitProvisioned("sec")
	for _, s := range secrets {
		if strings.Contains(a.Raw, s) {
			t.Errorf("GET returned %s", s)
		}
	}
	h.Srv.Close()
	for _, f := range []string{"state.db", "requests.log"} {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) || bytes.Contains(b, []byte(base64.StdEncoding.EncodeToString([]byte(s)))) {
				t.Errorf("%s holds %s in plain text", f, s)
			}
		}
	}
	// Nothing in the state dir holds the secret file's content (secret volumes
	// live on tmpfs).
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(secrets[2])) {
				t.Errorf("%s holds the secret volume's content", p)
			}
		}
		return nil
	})
	if st, _ := os.Stat(filepath.Join(dir, "secrets.key")); st == nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secrets.key: %v", st)
	}
	// After a restart the sealed values open again and reach the runtime.
	fake2 := newFakeRuntime()
	srv, err := core.New(core.Options{StateDir: dir, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	cg := NewContainerGroups(srv, fake2)
	if err := cg.Reconcile(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv.Close() // waits for the re-provisioning Reconcile started
	g := fake2.lastRun()
	if g == nil || len(g.Containers) == 0 || len(g.Containers[0].Env) == 0 || g.Containers[0].Env[0][1] != secrets[0] || g.Registries[0].Password != secrets[1] {
		t.Fatalf("secrets lost after restart: %+v", g)
	}
	// Without the key, the database's secrets do not open.
	os.Rename(filepath.Join(dir, "secrets.key"), filepath.Join(dir, "secrets.key.bak"))
	st, err := core.OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Get(strings.TrimSuffix(h.cg("sec"), "/")); err == nil {
		t.Fatal("sealed data opened with another key")
	}
}

// Deletes cut short and groups whose containers vanished are reconciled at start.
func TestReconcileBothWays(t *testing.T) {
	dir := t.TempDir()
	fake := newFakeRuntime()
	h, cg := cgHarness(t, fake, core.Options{StateDir: dir})
	for _, n := range []string{"keep", "half-deleted"} {
		if a := h.Do("PUT", h.cg(n)+cgv, groupJSON(func(p, c map[string]any) { delete(p, "ipAddress"); delete(c, "ports") })); a.Status != 201 {
			t.Fatalf("%s: %s", n, a.Raw)
		}
		h.waitProvisioned(n)
	}
	// A delete that stored its intent and died.
	id := h.cg("half-deleted")
	h.Srv.Store().Update(id, func(r *core.Resource) error {
		var p groupPrivate
		json.Unmarshal(r.Private, &p)
		p.Deleting = true
		r.Private, _ = json.Marshal(p)
		return nil
	})
	h.Srv.Close()
	_ = cg
	fake2 := newFakeRuntime() // a runtime with nothing running: containers gone
	srv, err := core.New(core.Options{StateDir: dir, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	cg2 := NewContainerGroups(srv, fake2)
	if err := cg2.Reconcile(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	st, _ := core.OpenStore(dir)
	defer st.Close()
	if _, err := st.Get(id); err == nil {
		t.Error("a half-deleted group survived the restart")
	}
	if _, err := st.Get(h.cg("keep")); err != nil {
		t.Error("a kept group was deleted")
	}
	if g := fake2.lastRun(); g == nil || g.Name != "keep" {
		t.Errorf("a group without containers was not provisioned again: %+v", g)
	}
}

// Exec sessions that are never used expire and are swept.
func TestExecSessionsExpire(t *testing.T) {
	fake := newFakeRuntime()
	h, cg := cgHarness(t, fake, core.Options{})
	h.Do("PUT", h.cg("e")+cgv, groupJSON(nil))
	h.waitProvisioned("e")
	if a := h.Do("POST", h.cg("e")+"/containers/c/exec"+cgv, `{"command":"ls"}`); a.Status != 200 {
		t.Fatalf("exec: %s", a.Raw)
	}
	cg.mu.Lock()
	for _, s := range cg.sessions {
		s.expires = time.Now().Add(-time.Second)
	}
	cg.mu.Unlock()
	h.Do("POST", h.cg("e")+"/containers/c/exec"+cgv, `{"command":"ls"}`)
	cg.mu.Lock()
	n := len(cg.sessions)
	cg.mu.Unlock()
	if n != 1 {
		t.Fatalf("%d sessions held, want 1", n)
	}
}

// A gitRepo volume under an allowed root is cloned inside its volume.
func TestGitRepoUnderAllowedRoot(t *testing.T) {
	root := t.TempDir()
	repo := filepath.Join(root, "repos", "r")
	for _, args := range [][]string{{"init", "-q", repo}, {"-C", repo, "-c", "user.email=a@b", "-c", "user.name=a", "commit", "-q", "--allow-empty", "-m", "x"}} {
		if out, err := exec.Command("git", args...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	fake := newFakeRuntime()
	h, _ := cgHarness(t, fake, core.Options{StateDir: filepath.Join(root, "state"), GitRepoRoots: []string{filepath.Join(root, "repos")}})
	body := groupJSON(func(p, c map[string]any) {
		p["volumes"] = []any{map[string]any{"name": "g", "gitRepo": map[string]any{"repository": repo, "directory": "sub/dir"}}}
		c["volumeMounts"] = []any{map[string]any{"name": "g", "mountPath": "/g"}}
	})
	if a := h.Do("PUT", h.cg("git")+cgv, body); a.Status != 201 {
		t.Fatalf("create: %s", a.Raw)
	}
	if a := h.waitProvisioned("git"); obj(a.Body["properties"])["provisioningState"] != "Succeeded" {
		t.Fatalf("provision: %s", a.Raw)
	}
	g := fake.lastRun()
	if _, err := os.Stat(filepath.Join(g.VolumeDir, "g", "sub", "dir", ".git")); err != nil {
		t.Fatalf("not cloned inside the volume: %v", err)
	}
}
