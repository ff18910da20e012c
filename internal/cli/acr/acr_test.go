package acr_test

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/clitest"
)

const (
	rg  = "clitest.rg000001"
	reg = "clireg000002"
)

func golden(t *testing.T, name string) string {
	b, err := os.ReadFile(clitest.Testdata(t, "az", "golden", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func expect(t *testing.T, r clitest.Result, code int, stdout string) {
	t.Helper()
	if r.Code != code || r.Stdout != stdout {
		t.Fatalf("exit %d (want %d)\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", r.Code, code, r.Stdout, stdout, r.Stderr)
	}
}

func sameJSON(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("%v: %s", err, got)
	}
	json.Unmarshal([]byte(want), &w)
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("body %s\nwant %s", got, want)
	}
}

// TestScenario replays az's registry test (test_acr_create_with_managed_registry.yaml):
// the requests az sent, and az's printed goldens for what came back.
func TestScenario(t *testing.T) {
	s := clitest.NewServer(t)
	s.LoadCassette(t, "acr/test_acr_create_with_managed_registry.yaml")
	e := clitest.NewEnv(t, s)

	r := e.Run("acr", "create", "-n", reg, "-g", rg, "-l", "westus", "--sku", "premium", "--query", "[name, provisioningState, resourceGroup]", "-o", "tsv")
	expect(t, r, 0, reg+"\nSucceeded\n"+rg+"\n")
	put := s.Requests()[0]
	if put.Method != "PUT" || put.Query.Get("api-version") != "2023-11-01-preview" || !strings.HasSuffix(put.Path, "/registries/"+reg) {
		t.Fatalf("create request: %+v", put)
	}
	sameJSON(t, put.Body, `{"location": "westus", "sku": {"name": "Premium"}, "properties": {"adminUserEnabled": false, "anonymousPullEnabled": false}}`)

	s.Reset()
	expect(t, e.Run("acr", "check-name", "-n", reg), 0, "{\n  \"message\": \"The registry clireg000002 is already in use.\",\n  \"nameAvailable\": false,\n  \"reason\": \"AlreadyExists\"\n}\n")
	sameJSON(t, s.Requests()[0].Body, `{"name": "clireg000002", "type": "Microsoft.ContainerRegistry/registries"}`)

	expect(t, e.Run("acr", "list", "-g", rg), 0, golden(t, "acr_list.json"))
	expect(t, e.Run("acr", "list", "-g", rg, "-o", "table"), 0, golden(t, "acr_list.table"))
	expect(t, e.Run("acr", "list", "-g", rg, "-o", "tsv"), 0, golden(t, "acr_list.tsv"))

	s.Reset()
	r = e.Run("acr", "update", "-n", reg, "-g", rg, "--tags", "foo=bar", "cat", "--admin-enabled", "true", "--query", "[adminUserEnabled, tags]", "-o", "json")
	if r.Code != 0 {
		t.Fatalf("update: %+v", r)
	}
	patch := s.Requests()[0]
	if patch.Method != "PATCH" {
		t.Fatalf("update sent %s", patch.Method)
	}
	sameJSON(t, patch.Body, `{"tags": {"foo": "bar", "cat": ""}, "properties": {"adminUserEnabled": true}}`)
	sameJSON(t, r.Stdout, `[true, {"foo": "bar", "cat": ""}]`)
}

// TestCredentials checks the credential commands' requests and az's table.
func TestCredentials(t *testing.T) {
	s := clitest.NewServer(t)
	e := clitest.NewEnv(t, s)
	path := "/subscriptions/" + clitest.Subscription + "/resourceGroups/" + rg + "/providers/Microsoft.ContainerRegistry/registries/" + reg
	s.Add("GET", path, clitest.Response{Status: 200, Body: `{"name":"` + reg + `","properties":{"adminUserEnabled":false}}`})
	r := e.Run("acr", "credential", "show", "-n", reg, "-g", rg)
	if r.Code != 1 || !strings.Contains(r.Stderr, "Run 'aci acr update -n clireg000002 --admin-enabled true' to enable admin first.") {
		t.Fatalf("admin disabled: %+v", r)
	}
	// A fresh server: the first one repeats its last answer.
	s = clitest.NewServer(t)
	e = clitest.NewEnv(t, s)
	s.Add("GET", path, clitest.Response{Status: 200, Body: `{"name":"` + reg + `","properties":{"adminUserEnabled":true}}`})
	creds := `{"username":"clireg000002","passwords":[{"name":"password","value":"p1"},{"name":"password2","value":"p2"}]}`
	s.Add("POST", path+"/listCredentials", clitest.Response{Status: 200, Body: creds})
	s.Add("POST", path+"/regenerateCredential", clitest.Response{Status: 200, Body: creds})
	expect(t, e.Run("acr", "credential", "show", "-n", reg, "-g", rg, "-o", "table"), 0,
		"USERNAME      PASSWORD    PASSWORD2\n------------  ----------  -----------\nclireg000002  p1          p2\n")
	s.Reset()
	expect(t, e.Run("acr", "credential", "renew", "-n", reg, "-g", rg, "--password-name", "password2", "--query", "username", "-o", "tsv"), 0, reg+"\n")
	if rs := s.Requests(); len(rs) != 2 || rs[1].Method != "POST" || !strings.HasSuffix(rs[1].Path, "/regenerateCredential") {
		t.Fatalf("renew requests: %+v", rs)
	} else {
		sameJSON(t, rs[1].Body, `{"name":"password2"}`)
	}
	if r := e.Run("acr", "credential", "renew", "-n", reg, "-g", rg, "--password-name", "password3"); r.Code != 2 {
		t.Fatalf("password3: %+v", r)
	}
}

// TestFindsGroupByName: without -g, az looks the registry up among the
// subscription's resources; a name nothing holds is exit 3 with az's words.
func TestFindsGroupByName(t *testing.T) {
	s := clitest.NewServer(t)
	e := clitest.NewEnv(t, s)
	s.Add("GET", "/subscriptions/"+clitest.Subscription+"/resources", clitest.Response{Status: 200, Body: `{"value":[{"id":"/subscriptions/` +
		clitest.Subscription + `/resourceGroups/found/providers/Microsoft.ContainerRegistry/registries/myreg","name":"myreg","type":"Microsoft.ContainerRegistry/registries"}]}`})
	path := "/subscriptions/" + clitest.Subscription + "/resourceGroups/found/providers/Microsoft.ContainerRegistry/registries/myreg"
	s.Add("GET", path, clitest.Response{Status: 200, Body: `{"id":"` + path + `","name":"myreg","properties":{"loginServer":"myreg.azurecr.io"}}`})
	expect(t, e.Run("acr", "show", "-n", "myreg", "--query", "loginServer", "-o", "tsv"), 0, "myreg.azurecr.io\n")
	if f := s.Requests()[0].Query.Get("$filter"); f != "resourceType eq 'Microsoft.ContainerRegistry/registries'" {
		t.Fatalf("filter %q", f)
	}
	r := e.Run("acr", "show", "-n", "other")
	if r.Code != 3 || !strings.Contains(r.Stderr, "The resource with name 'other' and type 'Microsoft.ContainerRegistry/registries' could not be found in subscription") {
		t.Fatalf("not found: %+v", r)
	}
	if r := e.Run("acr", "show", "-n", "MyReg"); r.Code != 1 || !strings.Contains(r.Stderr, "Registry name must use only lowercase.") {
		t.Fatalf("upper case: %+v", r)
	}
	if r := e.Run("acr", "repository", "show", "-n", "myreg"); r.Code != 1 || !strings.Contains(r.Stderr, "You need to provide either --image IMAGE | --repository REPOSITORY, but not both") {
		t.Fatalf("repository show without target: %+v", r)
	}
}

// TestImport sends ImportImageParameters as az builds them.
func TestImport(t *testing.T) {
	s := clitest.NewServer(t)
	e := clitest.NewEnv(t, s)
	base := "/subscriptions/" + clitest.Subscription + "/resourceGroups/"
	s.Add("GET", "/subscriptions/"+clitest.Subscription+"/resources", clitest.Response{Status: 200, Body: `{"value":[` +
		`{"id":"` + base + `g1/providers/Microsoft.ContainerRegistry/registries/target","name":"target"},` +
		`{"id":"` + base + `g2/providers/Microsoft.ContainerRegistry/registries/source","name":"source"}]}`})
	s.Add("POST", base+"g1/providers/Microsoft.ContainerRegistry/registries/target/importImage", clitest.Response{Status: 200})
	expect(t, e.Run("acr", "import", "-n", "target", "--source", "hello:v1", "-r", "source", "-t", "copy:v1", "-t", "copy:latest", "--force"), 0, "")
	rs := s.Requests()
	sameJSON(t, rs[len(rs)-1].Body, `{"source":{"resourceId":"`+base+`g2/providers/Microsoft.ContainerRegistry/registries/source","sourceImage":"hello:v1"},`+
		`"targetTags":["copy:v1","copy:latest"],"mode":"Force"}`)
	s.Reset()
	expect(t, e.Run("acr", "import", "-n", "target", "-g", "g1", "--source", "127.10.0.2:47443/team/app:v2", "-u", "source", "-p", "pw"), 0, "")
	sameJSON(t, s.Requests()[0].Body, `{"source":{"registryUri":"127.10.0.2:47443","sourceImage":"team/app:v2","credentials":{"username":"source","password":"pw"}},"mode":"NoForce"}`)
	if r := e.Run("acr", "import", "-n", "target", "-g", "g1", "--source", "hello:v1"); r.Code != 1 || !strings.Contains(r.Stderr, "--registry") {
		t.Fatalf("no source registry: %+v", r)
	}
}
