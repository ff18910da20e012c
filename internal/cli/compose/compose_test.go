package compose_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aci-cli/aci/internal/clitest"
	"github.com/aci-cli/aci/internal/compose"
)

// TestMain builds aci-local, whose compose-helper loads the projects, and
// puts it on PATH where aci looks for it.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "aci-compose-test")
	if err != nil {
		panic(err)
	}
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "aci-local"), "../../../cmd/aci-local")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building aci-local:", err)
		os.Exit(1)
	}
	os.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// fakeARM keeps the resources the commands PUT, by path, and answers GET,
// DELETE, collection lists and listKeys the way ARM does.
type fakeARM struct {
	mu  sync.Mutex
	res map[string]map[string]any
	log []string
}

func newFakeARM(s *clitest.Server) *fakeARM {
	a := &fakeARM{res: map[string]map[string]any{}}
	s.HandleFunc("/subscriptions/", a.serve)
	return a
}

func (a *fakeARM) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	p := strings.ToLower(strings.TrimRight(r.URL.Path, "/"))
	a.log = append(a.log, r.Method+" "+p)
	w.Header().Set("Content-Type", "application/json")
	write := func(code int, v any) {
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(v)
	}
	notFound := func() {
		write(404, map[string]any{"error": map[string]any{"code": "ResourceNotFound", "message": "not found: " + r.URL.Path}})
	}
	segs := strings.Split(strings.Trim(p, "/"), "/")
	switch {
	case r.Method == "POST" && strings.HasSuffix(p, "/listkeys"):
		write(200, map[string]any{"keys": []any{map[string]any{"keyName": "key1", "value": "a2V5MQ==", "permissions": "FULL"}}})
	case r.Method == "POST" && strings.HasSuffix(p, "/listcredentials"):
		write(200, map[string]any{"username": segs[len(segs)-2], "passwords": []any{map[string]any{"name": "password", "value": "from-arm"}}})
	case len(segs) == 4 && segs[2] == "resourcegroups":
		write(200, map[string]any{"name": segs[3], "location": "westus", "properties": map[string]any{"provisioningState": "Succeeded"}})
	case r.Method == "PUT":
		var body map[string]any
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &body)
		body["id"], body["name"] = r.URL.Path, segs[len(segs)-1]
		props, _ := body["properties"].(map[string]any)
		if props == nil {
			props = map[string]any{}
			body["properties"] = props
		}
		props["provisioningState"] = "Succeeded"
		a.res[p] = body
		write(200, body)
	case r.Method == "DELETE":
		if _, ok := a.res[p]; !ok {
			w.WriteHeader(204)
			return
		}
		delete(a.res, p)
		w.WriteHeader(200)
	case r.Method == "GET":
		if v, ok := a.res[p]; ok {
			write(200, v)
			return
		}
		// A collection: its direct children, or subscription-wide for
		// /subscriptions/{s}/providers/{ns}/{type}.
		switch segs[len(segs)-1] {
		case "storageaccounts", "shares", "registries", "containergroups":
		default:
			notFound()
			return
		}
		typeSuffix := ""
		if len(segs) == 5 && segs[2] == "providers" {
			typeSuffix = "/providers/" + segs[3] + "/" + segs[4]
		}
		var items []any
		for k, v := range a.res {
			parent := k[:strings.LastIndex(k, "/")]
			if parent == p || (typeSuffix != "" && strings.HasSuffix(parent, typeSuffix)) {
				items = append(items, v)
			}
		}
		sort.Slice(items, func(i, j int) bool {
			return items[i].(map[string]any)["id"].(string) < items[j].(map[string]any)["id"].(string)
		})
		write(200, map[string]any{"value": items})
	default:
		notFound()
	}
}

func (a *fakeARM) get(path string) map[string]any {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.res[strings.ToLower(path)]
}

func (a *fakeARM) methods(prefix string) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, l := range a.log {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return out
}

const sub = "/subscriptions/" + clitest.Subscription

func project(t *testing.T, yaml string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "compose.yaml")
	if err := os.WriteFile(p, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const shop = `name: shop
services:
  web:
    image: nginx
    ports: ["80"]
    volumes: [data:/data]
    restart: always
  worker:
    image: busybox
    volumes: [data:/in:ro]
    restart: always
volumes:
  data: {}
`

// up creates the account (tagged) and share (marked) named volumes need,
// fills the key into the group it PUTs, and prints ps's rows; a second up
// updates in place; a changed restart policy recreates and says why.
func TestUpCreatesStorageThenGroup(t *testing.T) {
	s := clitest.NewServer(t)
	arm := newFakeARM(s)
	e := clitest.NewEnv(t, s)
	file := project(t, shop)
	acct := compose.DefaultAccount("shop")
	r := e.Run("compose", "-f", file, "up", "-g", "rg", "-o", "json")
	if r.Code != 0 {
		t.Fatalf("up: %+v", r)
	}
	acctPath := sub + "/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/" + acct
	a := arm.get(acctPath)
	if a == nil || a["tags"].(map[string]any)[compose.ProjectTag] != "shop" || a["location"] != "westus" {
		t.Fatalf("account: %v", a)
	}
	sh := arm.get(acctPath + "/fileServices/default/shares/shop-data")
	if md := sh["properties"].(map[string]any)["metadata"].(map[string]any); md[compose.ShareMetadataKey] != "shop" {
		t.Fatalf("share: %v", sh)
	}
	g := arm.get(sub + "/resourceGroups/rg/providers/Microsoft.ContainerInstance/containerGroups/shop")
	b, _ := json.Marshal(g)
	for _, want := range []string{`"storageAccountKey":"a2V5MQ=="`, `"shareName":"shop-data"`, `"restartPolicy":"Always"`, `"location":"westus"`,
		`"initContainers"`, `"aci-compose-project":"shop"`} {
		if !strings.Contains(string(b), want) {
			t.Fatalf("the group lacks %s: %s", want, b)
		}
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &rows); err != nil || len(rows) != 2 || rows[1]["service"] != "worker" {
		t.Fatalf("rows: %v %s", err, r.Stdout)
	}
	// The secret key never reaches the output.
	if strings.Contains(r.Stdout+r.Stderr, "a2V5MQ==") {
		t.Fatal("up printed the storage key")
	}

	r = e.Run("compose", "-f", file, "up", "-g", "rg", "-o", "none")
	if r.Code != 0 || !strings.Contains(r.Stderr, "Updating container group shop in place") {
		t.Fatalf("second up: %+v", r)
	}
	if n := len(arm.methods("PUT " + strings.ToLower(acctPath) + "/fileservices")); n != 1 {
		t.Fatalf("the share was created %d times", n)
	}
	changed := project(t, strings.ReplaceAll(shop, "restart: always", "restart: \"no\""))
	r = e.Run("compose", "-f", changed, "up", "-g", "rg", "-o", "none")
	if r.Code != 0 || !strings.Contains(r.Stderr, "Recreating container group shop: ACI cannot change the restart policy in place") {
		t.Fatalf("changed restart policy: %+v", r)
	}
	if n := len(arm.methods("DELETE " + strings.ToLower(sub+"/resourceGroups/rg/providers/Microsoft.ContainerInstance/containerGroups/shop"))); n != 1 {
		t.Fatalf("recreate deleted %d times", n)
	}

	// A group of the same name that is not the project's is left alone.
	other := project(t, strings.ReplaceAll(shop, "name: shop", "name: other"))
	arm.mu.Lock()
	arm.res[strings.ToLower(sub+"/resourceGroups/rg/providers/Microsoft.ContainerInstance/containerGroups/other")] = map[string]any{"name": "other", "properties": map[string]any{}}
	arm.mu.Unlock()
	if r := e.Run("compose", "-f", other, "up", "-g", "rg"); r.Code != 1 || !strings.Contains(r.Stderr, "is not project 'other''s") {
		t.Fatalf("foreign group: %+v", r)
	}
}

// down --volumes deletes the shares up marked and the account up tagged,
// and leaves a share someone else made (and so the account) alone.
func TestDownVolumes(t *testing.T) {
	s := clitest.NewServer(t)
	arm := newFakeARM(s)
	e := clitest.NewEnv(t, s)
	file := project(t, shop)
	if r := e.Run("compose", "-f", file, "up", "-g", "rg", "-o", "none"); r.Code != 0 {
		t.Fatalf("up: %+v", r)
	}
	acctPath := strings.ToLower(sub + "/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/" + compose.DefaultAccount("shop"))
	arm.mu.Lock()
	arm.res[acctPath+"/fileservices/default/shares/theirs"] = map[string]any{"id": acctPath + "/fileservices/default/shares/theirs", "name": "theirs", "properties": map[string]any{}}
	arm.mu.Unlock()
	r := e.Run("compose", "-f", file, "down", "-g", "rg", "--volumes")
	if r.Code != 0 {
		t.Fatalf("down: %+v", r)
	}
	if arm.get(acctPath+"/fileservices/default/shares/shop-data") != nil || arm.get(acctPath+"/fileservices/default/shares/theirs") == nil {
		t.Fatal("down --volumes deleted the wrong shares")
	}
	if arm.get(acctPath) == nil || !strings.Contains(r.Stderr, "still holds 1 share(s)") {
		t.Fatalf("an account holding another share was deleted: %s", r.Stderr)
	}
	arm.mu.Lock()
	delete(arm.res, acctPath+"/fileservices/default/shares/theirs")
	arm.mu.Unlock()
	if r := e.Run("compose", "-f", file, "down", "-g", "rg", "--volumes"); r.Code != 0 || arm.get(acctPath) != nil {
		t.Fatalf("second down --volumes: %+v", r)
	}
}

// Private images get credentials: Docker's config first, else the admin
// user of the subscription's registry with that login server.
func TestRegistryCredentials(t *testing.T) {
	s := clitest.NewServer(t)
	arm := newFakeARM(s)
	e := clitest.NewEnv(t, s)
	reg := sub + "/resourceGroups/regs/providers/Microsoft.ContainerRegistry/registries/myreg"
	arm.mu.Lock()
	arm.res[strings.ToLower(reg)] = map[string]any{"id": reg, "name": "myreg", "properties": map[string]any{"loginServer": "myreg.azurecr.io", "adminUserEnabled": true}}
	arm.mu.Unlock()
	docker := t.TempDir()
	os.WriteFile(filepath.Join(docker, "config.json"), []byte(`{"auths":{"https://other.example.com":{"auth":"dTpmcm9tLWRvY2tlcg=="}}}`), 0o600)
	t.Setenv("DOCKER_CONFIG", docker)
	file := project(t, `name: p
services:
  a: {image: myreg.azurecr.io/app:1}
  b: {image: other.example.com/tool:2}
  c: {image: nginx}
`)
	r := e.Run("compose", "-f", file, "up", "-g", "rg", "-o", "none")
	if r.Code != 0 {
		t.Fatalf("up: %+v", r)
	}
	g := arm.get(sub + "/resourceGroups/rg/providers/Microsoft.ContainerInstance/containerGroups/p")
	b, _ := json.Marshal(g["properties"].(map[string]any)["imageRegistryCredentials"])
	want := `[{"password":"from-arm","server":"myreg.azurecr.io","username":"myreg"},{"password":"from-docker","server":"other.example.com","username":"u"}]`
	if string(b) != want {
		t.Fatalf("credentials: %s\nwant %s", b, want)
	}
}

// --dry-run prints the group and touches nothing; config and convert need
// no login at all.
func TestDryRunConfigConvert(t *testing.T) {
	s := clitest.NewServer(t)
	arm := newFakeARM(s)
	e := clitest.NewEnv(t, s)
	file := project(t, shop)
	r := e.Run("compose", "-f", file, "up", "-g", "rg", "--dry-run", "--query", "properties.restartPolicy", "-o", "tsv")
	if r.Code != 0 || r.Stdout != "Always\n" || len(arm.methods("PUT")) != 0 {
		t.Fatalf("dry run: %+v %v", r, arm.methods("PUT"))
	}
	r = e.Run("compose", "-f", file, "config", "--format", "json")
	var cfg map[string]any
	if r.Code != 0 || json.Unmarshal([]byte(r.Stdout), &cfg) != nil || cfg["name"] != "shop" {
		t.Fatalf("config: %+v", r)
	}
	r = e.Run("compose", "-f", file, "convert", "--format", "template", "--query", "resources[].type", "-o", "tsv")
	if r.Code != 0 || r.Stdout != "Microsoft.Storage/storageAccounts\nMicrosoft.Storage/storageAccounts/fileServices/shares\nMicrosoft.ContainerInstance/containerGroups\n" {
		t.Fatalf("convert --format template: %+v", r)
	}
	if r := e.Run("compose", "-f", file, "convert", "--format", "xml"); r.Code != 2 {
		t.Fatalf("bad format: %+v", r)
	}
}
