package rest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/clitest"
)

// aci rest against a replayed Resource Manager: a relative URL, the
// subscription filled in, query and headers added, a body from a file,
// JSON through -o/--query, and an answer of 400 or more as az's error.
func TestRest(t *testing.T) {
	s := clitest.NewServer(t)
	groups := "/subscriptions/" + clitest.Subscription + "/resourcegroups"
	s.Add("GET", groups, clitest.Response{Status: 200, Body: `{"value":[{"name":"a"},{"name":"b"}]}`})
	s.Add("PUT", groups+"/rg", clitest.Response{Status: 201, Body: `{"name":"rg","location":"westus"}`})
	s.Add("DELETE", groups+"/gone", clitest.Response{Status: 404, Body: `{"error":{"code":"ResourceGroupNotFound","message":"Resource group 'gone' could not be found."}}`})
	e := clitest.NewEnv(t, s)

	r := e.Run("rest", "-u", "/subscriptions/{subscriptionId}/resourcegroups", "--uri-parameters", "api-version=2021-04-01", "--query", "value[].name", "-o", "tsv")
	if r.Code != 0 || r.Stdout != "a\nb\n" {
		t.Fatalf("GET: %+v", r)
	}
	req := s.Requests()[len(s.Requests())-1]
	if req.Query.Get("api-version") != "2021-04-01" {
		t.Fatalf("the query was not added: %v", req.Query)
	}
	body := filepath.Join(t.TempDir(), "rg.json")
	if err := os.WriteFile(body, []byte(`{"location":"westus"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	r = e.Run("rest", "-m", "PUT", "-u", "/subscriptions/{subscriptionId}/resourcegroups/rg?api-version=2021-04-01", "-b", "@"+body, "--headers", "x-test=1")
	req = s.Requests()[len(s.Requests())-1]
	if r.Code != 0 || !strings.Contains(r.Stdout, `"location": "westus"`) || req.Body != `{"location":"westus"}` || req.Header.Get("x-test") != "1" {
		t.Fatalf("PUT: %+v %+v", r, req)
	}
	r = e.Run("rest", "-m", "delete", "-u", "/subscriptions/{subscriptionId}/resourcegroups/gone?api-version=2021-04-01")
	if r.Code != 1 || !strings.Contains(r.Stderr, "ResourceGroupNotFound") {
		t.Fatalf("404: %+v", r)
	}
	for _, args := range [][]string{
		{"rest", "-m", "fetch", "-u", "/x"},
		{"rest"},
		{"rest", "-u", "/x", "--headers", "novalue"},
	} {
		if r := e.Run(args...); r.Code != 2 {
			t.Errorf("%v: exit %d %q", args, r.Code, r.Stderr)
		}
	}
}
