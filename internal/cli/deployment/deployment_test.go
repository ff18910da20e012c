package deployment_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/clitest"
	"github.com/aci-cli/aci/internal/jsonc"
	"gopkg.in/yaml.v3"
)

// recorded returns a cassette's request bodies as az sent them (its
// template travels as `template:{...}`, read here as ARM reads it).
func recorded(t *testing.T, name string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(clitest.Testdata(t, "az", "recordings", name))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Interactions []struct {
			Request struct {
				Body *string `yaml:"body"`
			} `yaml:"request"`
		} `yaml:"interactions"`
	}
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, it := range c.Interactions {
		var m map[string]any
		if it.Request.Body != nil {
			if err := json.Unmarshal(jsonc.Lenient([]byte(*it.Request.Body)), &m); err != nil {
				t.Fatalf("recorded body: %v\n%s", err, *it.Request.Body)
			}
		}
		out = append(out, m)
	}
	return out
}

func write(t *testing.T, name string, v any) string {
	p := filepath.Join(t.TempDir(), name)
	b, _ := json.MarshalIndent(v, "", "  ")
	os.WriteFile(p, b, 0o644)
	return p
}

func asJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(jsonc.Lenient([]byte(s)), &m); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	return m
}

// TestLiteDeployment replays az's test_group_deployment_lite: validate
// first, then the PUT with the same body, the operation-status polls and
// the final GET.
func TestLiteDeployment(t *testing.T) {
	bodies := recorded(t, "resource/test_group_deployment_lite.yaml")
	tmpl := bodies[0]["properties"].(map[string]any)["template"]
	s := clitest.NewServer(t)
	s.LoadCassette(t, "resource/test_group_deployment_lite.yaml")
	// The recording's Azure-AsyncOperation names the deployment before az's
	// test renamed it; its polls were recorded under the new name.
	poll := "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/cli_test_deployment_lite000001/providers/Microsoft.Resources/deployments/azure-cli-deployment000002/operationStatuses/08585040576524925124"
	s.Add("GET", poll, clitest.Response{Status: 200, Body: `{"status":"Running"}`})
	s.Add("GET", poll, clitest.Response{Status: 200, Body: `{"status":"Succeeded"}`})
	e := clitest.NewEnv(t, s)
	r := e.Run("group", "deployment", "create", "-g", "cli_test_deployment_lite000001", "-n", "mock-deployment", "--template-file", write(t, "lite.json", tmpl),
		"--query", "properties.provisioningState", "-o", "tsv")
	if r.Code != 0 || r.Stdout != "Succeeded\n" || !strings.Contains(r.Stderr, "'group deployment' is deprecated") {
		t.Fatalf("create: %+v", r)
	}
	reqs := s.Requests()
	var seq []string
	for _, q := range reqs {
		seq = append(seq, q.Method+" "+q.Path[strings.LastIndex(q.Path, "/deployments/"):])
		if q.Query.Get("api-version") != "2022-09-01" {
			t.Errorf("%s %s: api-version %s", q.Method, q.Path, q.Query.Get("api-version"))
		}
	}
	if !strings.HasPrefix(strings.Join(seq, ","), "POST /deployments/mock-deployment/validate,PUT /deployments/mock-deployment,GET /deployments/azure-cli-deployment000002/operationStatuses/") ||
		!strings.HasSuffix(strings.Join(seq, ","), "GET /deployments/mock-deployment") {
		t.Fatalf("requests: %v", seq)
	}
	for i, q := range reqs[:2] {
		if got := asJSON(t, q.Body); !reflect.DeepEqual(got, bodies[i]) {
			t.Errorf("%s body:\n%v\naz sent:\n%v", q.Method, got, bodies[i])
		}
	}
}

// TestNoWaitThenWait replays test_group_deployment_no_wait: a parameters
// file, --no-wait printing nothing, then `wait --created` and `show`.
func TestNoWaitThenWait(t *testing.T) {
	bodies := recorded(t, "resource/test_group_deployment_no_wait.yaml")
	props := bodies[0]["properties"].(map[string]any)
	s := clitest.NewServer(t)
	s.LoadCassette(t, "resource/test_group_deployment_no_wait.yaml")
	e := clitest.NewEnv(t, s)
	const g = "cli_test_group_deployment_no_wait000001"
	params := write(t, "params.json", map[string]any{"$schema": "https://schema.management.azure.com/schemas/2015-01-01/deploymentParameters.json#",
		"contentVersion": "1.0.0.0", "parameters": props["parameters"]})
	r := e.Run("group", "deployment", "create", "-g", g, "-n", "mock-deployment", "--template-file", write(t, "nsg.json", props["template"]),
		"--parameters", "@"+params, "--no-wait")
	if r.Code != 0 || r.Stdout != "" {
		t.Fatalf("no-wait: %+v", r)
	}
	put := s.Requests()[1]
	if got := asJSON(t, put.Body); !reflect.DeepEqual(got, bodies[1]) {
		t.Fatalf("PUT body:\n%v\naz sent:\n%v", got, bodies[1])
	}
	if r := e.Run("group", "deployment", "wait", "-g", g, "-n", "mock-deployment", "--created", "--interval", "0"); r.Code != 0 {
		t.Fatalf("wait: %+v", r)
	}
	r = e.Run("deployment", "group", "show", "-g", g, "-n", "mock-deployment", "--query", "[name, properties.provisioningState, resourceGroup]", "-o", "tsv")
	if r.Code != 0 || r.Stdout != "azure-cli-deployment\nSucceeded\n"+g+"\n" {
		t.Fatalf("show: %+v", r)
	}
}

// TestParameters: az's forms (file, inline JSON, typed key=value) and its
// errors, before any request.
func TestParameters(t *testing.T) {
	s := clitest.NewServer(t)
	e := clitest.NewEnv(t, s)
	tmpl := write(t, "t.json", map[string]any{"$schema": "x", "contentVersion": "1.0.0.0",
		"parameters": map[string]any{"n": map[string]any{"type": "int"}, "flag": map[string]any{"type": "bool"}, "tags": map[string]any{"type": "object"},
			"name": map[string]any{"type": "string"}}})
	for args, want := range map[string]string{
		"n=x":           "invalid literal for int() with base 10: 'x'",
		"other=1":       "unrecognized template parameter 'other'. Allowed parameters: flag, n, name, tags",
		"novalue":       "Unable to parse parameter: novalue",
		"@missing.json": "Unable to parse parameter: @missing.json",
		"tags={bad":     "Failed to parse JSON: {bad",
	} {
		r := e.Run("deployment", "group", "create", "-g", "rg", "-f", tmpl, "-p", args)
		if r.Code != 1 || !strings.Contains(r.Stderr, want) {
			t.Errorf("-p %s: %+v (want %q)", args, r, want)
		}
	}
	r := e.Run("deployment", "group", "create", "-g", "rg", "-f", tmpl, "-p", "n=1", "flag=true")
	if r.Code != 1 || !strings.Contains(r.Stderr, "Missing input parameters: name, tags") {
		t.Fatalf("missing without a terminal: %+v", r)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte("{\n  // comment\n  \"a\": 1,\n  \"b\" 2\n}"), 0o644)
	r = e.Run("deployment", "group", "create", "-g", "rg", "-f", bad)
	if r.Code != 1 || !strings.Contains(r.Stderr, "Failed to parse '"+bad+"', please check whether it is a valid JSON format") || !strings.Contains(r.Stderr, "line 4 column") {
		t.Fatalf("invalid JSON: %+v", r)
	}
	if len(s.Requests()) != 0 {
		t.Fatalf("bad input reached the service: %v", s.Requests())
	}
}
