package group_test

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/clitest"
)

const rg = "cli_test_rg_scenario000001"

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

// TestScenario replays az's own resource-group test (test_resource_group.yaml) in
// its recorded order and checks requests and outputs against az's goldens.
func TestScenario(t *testing.T) {
	s := clitest.NewServer(t)
	s.LoadCassette(t, "resource/test_resource_group.yaml")
	e := clitest.NewEnv(t, s)

	expect(t, e.Run("group", "delete", "-n", rg, "--yes"), 0, "")
	reqs := s.Requests()
	if len(reqs) < 2 || reqs[0].Method != "DELETE" || !strings.EqualFold(reqs[0].Path, "/subscriptions/"+clitest.Subscription+"/resourcegroups/"+rg) ||
		reqs[0].Query.Get("api-version") != "2021-04-01" || !strings.Contains(reqs[1].Path, "/operationresults/") {
		t.Fatalf("delete requests: %+v", reqs)
	}
	id := reqs[0].Header.Get("x-ms-client-request-id")
	for _, r := range reqs {
		if r.Header.Get("x-ms-client-request-id") != id || !strings.HasPrefix(r.Header.Get("User-Agent"), "aci/test ") {
			t.Fatalf("one request id and aci's user agent per invocation: %v", r.Header)
		}
	}

	expect(t, e.Run("group", "exists", "-n", rg), 0, "false\n")

	s.Reset()
	expect(t, e.Run("group", "create", "-n", rg, "-l", "westus", "--tag", "a=b", "c", "--managed-by", "test_admin"), 0, golden(t, "group_show.json"))
	put := s.Requests()[0]
	var body, want any
	json.Unmarshal([]byte(put.Body), &body)
	json.Unmarshal([]byte(`{"location": "westus", "managedBy": "test_admin", "tags": {"a": "b", "c": ""}}`), &want)
	if put.Method != "PUT" || !reflect.DeepEqual(body, want) {
		t.Fatalf("create body: %s %s", put.Method, put.Body)
	}

	expect(t, e.Run("group", "exists", "-n", rg, "-o", "tsv"), 0, "true\n")
	expect(t, e.Run("group", "show", "-n", rg, "-o", "table"), 0, golden(t, "group_show.table"))

	s.Reset()
	r := e.Run("group", "list", "--tag", "a=b", "-o", "tsv")
	if f := s.Requests()[0].Query.Get("$filter"); f != "tagname eq 'a' and tagvalue eq 'b'" {
		t.Fatalf("filter %q", f)
	}
	expect(t, r, 0, golden(t, "group_list.tsv"))
	expect(t, e.Run("group", "list", "--tag", "a", "--query", "[].{name:name, tags:tags}", "-o", "table"), 0,
		"Name\n--------------------------\n"+rg+"\n")

	s.Reset()
	expect(t, e.Run("group", "update", "-g", rg, "--tags", "", "--query", "tags"), 0, "{}\n")
	if rs := s.Requests(); len(rs) != 2 || rs[0].Method != "GET" || rs[1].Method != "PUT" || !strings.Contains(rs[1].Body, `"tags":{}`) {
		t.Fatalf("update requests: %+v", rs)
	}
}

func TestListTable(t *testing.T) {
	s := clitest.NewServer(t)
	s.Add("GET", "/subscriptions/"+clitest.Subscription+"/resourcegroups", clitest.Response{Status: 200,
		Body: `{"value":[` + strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(golden(t, "group_list.json")), "["), "]") + `]}`})
	e := clitest.NewEnv(t, s)
	expect(t, e.Run("group", "list", "-o", "table"), 0, golden(t, "group_list.table"))
	// A terminal changes nothing in table output, and no spinner is drawn for a list.
	e.StdoutTTY, e.StderrTTY = true, true
	r := e.Run("group", "list", "-o", "table")
	expect(t, r, 0, golden(t, "group_list.table"))
	if r.Stderr != "" {
		t.Fatalf("stderr on a terminal: %q", r.Stderr)
	}
}

func TestShowNotFound(t *testing.T) {
	s := clitest.NewServer(t)
	s.Add("GET", "/subscriptions/"+clitest.Subscription+"/resourcegroups/nope", clitest.Response{Status: 404,
		Body: `{"error":{"code":"ResourceGroupNotFound","message":"Resource group 'nope' could not be found."}}`})
	e := clitest.NewEnv(t, s)
	r := e.Run("group", "show", "-n", "nope")
	want := "ERROR: (ResourceGroupNotFound) Resource group 'nope' could not be found.\nCode: ResourceGroupNotFound\nMessage: Resource group 'nope' could not be found.\n"
	if r.Code != 3 || r.Stdout != "" || r.Stderr != want {
		t.Fatalf("exit %d stdout %q stderr %q", r.Code, r.Stdout, r.Stderr)
	}
}

func TestDeleteConfirmation(t *testing.T) {
	s := clitest.NewServer(t)
	s.Add("DELETE", "/subscriptions/"+clitest.Subscription+"/resourcegroups/rg1", clitest.Response{Status: 200})
	e := clitest.NewEnv(t, s)

	r := e.Run("group", "delete", "-n", "rg1")
	if r.Code != 1 || r.Stderr != "WARNING: Unable to prompt for confirmation as no tty available. Use --yes.\nERROR: Operation cancelled.\n" || len(s.Requests()) != 0 {
		t.Fatalf("no tty: %+v %d requests", r, len(s.Requests()))
	}
	e.StdinTTY, e.Stdin = true, "n\n"
	if r := e.Run("group", "delete", "-n", "rg1"); r.Code != 1 || len(s.Requests()) != 0 ||
		!strings.HasPrefix(r.Stderr, "Are you sure you want to perform this operation? (y/n): ") {
		t.Fatalf("answered no: %+v", r)
	}
	e.Stdin = "y\n"
	expect(t, e.Run("group", "delete", "-n", "rg1"), 0, "")
	if rs := s.Requests(); len(rs) != 1 || rs[0].Method != "DELETE" {
		t.Fatalf("answered yes: %+v", rs)
	}
}

func TestNoWait(t *testing.T) {
	s := clitest.NewServer(t)
	s.Add("DELETE", "/subscriptions/"+clitest.Subscription+"/resourcegroups/rg1", clitest.Response{Status: 202,
		Header: map[string]string{"Location": s.URL + "/subscriptions/" + clitest.Subscription + "/operationresults/x?api-version=2021-04-01"}})
	e := clitest.NewEnv(t, s)
	expect(t, e.Run("group", "delete", "-n", "rg1", "-y", "--no-wait"), 0, "")
	if rs := s.Requests(); len(rs) != 1 {
		t.Fatalf("--no-wait must not poll: %+v", rs)
	}
}

func TestDefaultsFromConfig(t *testing.T) {
	s := clitest.NewServer(t)
	s.Add("PUT", "/subscriptions/"+clitest.Subscription+"/resourcegroups/rg2", clitest.Response{Status: 201,
		Body: `{"id":"/subscriptions/` + clitest.Subscription + `/resourceGroups/rg2","name":"rg2","location":"northeurope","properties":{"provisioningState":"Succeeded"}}`})
	e := clitest.NewEnv(t, s)
	expect(t, e.Run("configure", "--defaults", "location=northeurope"), 0, "")
	expect(t, e.Run("group", "create", "-n", "rg2", "--query", "location", "-o", "tsv"), 0, "northeurope\n")
	if b := s.Requests()[0].Body; !strings.Contains(b, `"location":"northeurope"`) {
		t.Fatalf("body %s", b)
	}
	t.Setenv("AZURE_DEFAULTS_LOCATION", "westus")
	t.Setenv("ACI_DEFAULTS_LOCATION", "northeurope")
	expect(t, e.Run("group", "create", "-n", "rg2", "--query", "location", "-o", "tsv"), 0, "northeurope\n")
}

func TestSpinnerOnlyOnTerminal(t *testing.T) {
	s := clitest.NewServer(t)
	p := "/subscriptions/" + clitest.Subscription + "/resourcegroups/rg1"
	s.Add("DELETE", p, clitest.Response{Status: 202, Header: map[string]string{"Location": s.URL + "/subscriptions/" + clitest.Subscription + "/operationresults/x?api-version=2021-04-01"}})
	s.Add("GET", "/subscriptions/"+clitest.Subscription+"/operationresults/x", clitest.Response{Status: 202, Header: map[string]string{"Location": s.URL + "/subscriptions/" + clitest.Subscription + "/operationresults/x?api-version=2021-04-01"}})
	s.Add("GET", "/subscriptions/"+clitest.Subscription+"/operationresults/x", clitest.Response{Status: 200})
	e := clitest.NewEnv(t, s)
	if r := e.Run("group", "delete", "-n", "rg1", "-y"); r.Code != 0 || r.Stderr != "" {
		t.Fatalf("pipe: %+v", r)
	}
	e.StderrTTY = true
	r := e.Run("group", "delete", "-n", "rg1", "-y")
	if r.Code != 0 || r.Stdout != "" || !strings.Contains(r.Stderr, "\x1b[K - Starting .. 0s\r") || !strings.HasSuffix(r.Stderr, "\x1b[K") {
		t.Fatalf("terminal: %q", r.Stderr)
	}
}

func TestWait(t *testing.T) {
	s := clitest.NewServer(t)
	p := "/subscriptions/" + clitest.Subscription + "/resourcegroups/rg1"
	s.Add("GET", p, clitest.Response{Status: 404, Body: `{"error":{"code":"ResourceGroupNotFound","message":"x"}}`})
	s.Add("GET", p, clitest.Response{Status: 200, Body: `{"name":"rg1","properties":{"provisioningState":"Succeeded"}}`})
	e := clitest.NewEnv(t, s)
	if r := e.Run("group", "wait", "-n", "rg1", "--created", "--interval", "0"); r.Code != 0 || r.Stdout != "" {
		t.Fatalf("created: %+v", r)
	}
	if n := len(s.Requests()); n != 2 {
		t.Fatalf("polls: %d", n)
	}
	if r := e.Run("group", "wait", "-n", "rg1", "--custom", "properties.provisioningState=='Succeeded'", "--interval", "0"); r.Code != 0 {
		t.Fatalf("custom: %+v", r)
	}
	if r := e.Run("group", "wait", "-n", "rg1"); r.Code != 1 || !strings.Contains(r.Stderr, "--created | --updated | --deleted") {
		t.Fatalf("no condition: %+v", r)
	}
}

// A long-running operation that never ends stops at ACI_LRO_TIMEOUT with a
// line saying so, instead of hanging a CI job.
func TestLROTimeout(t *testing.T) {
	s := clitest.NewServer(t)
	p := "/subscriptions/" + clitest.Subscription + "/resourcegroups/rg1"
	loc := s.URL + "/subscriptions/" + clitest.Subscription + "/operationresults/x?api-version=2021-04-01"
	s.Add("DELETE", p, clitest.Response{Status: 202, Header: map[string]string{"Location": loc, "Retry-After": "0"}})
	s.Add("GET", "/subscriptions/"+clitest.Subscription+"/operationresults/x", clitest.Response{Status: 202, Header: map[string]string{"Location": loc, "Retry-After": "0"}})
	e := clitest.NewEnv(t, s)
	t.Setenv("ACI_LRO_TIMEOUT", "300ms")
	r := e.Run("group", "delete", "-n", "rg1", "-y")
	if r.Code != 1 || !strings.Contains(r.Stderr, "the operation did not finish within 300ms; it may still be running") {
		t.Fatalf("%+v", r)
	}
	if len(s.Requests()) < 2 {
		t.Fatalf("it never polled: %d requests", len(s.Requests()))
	}
}
