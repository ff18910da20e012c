package rest_test

import (
	"net/http"
	"net/http/httptest"
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

// Where the token goes, and what is printed for other answers.
func TestRestAuthAndAnswers(t *testing.T) {
	s := clitest.NewServer(t)
	s.Add("GET", "/plain", clitest.Response{Status: 200, Body: "not json\n"})
	s.Add("GET", "/empty", clitest.Response{Status: 204})
	s.Add("POST", "/data", clitest.Response{Status: 200, Body: `{"n":1}`})
	e := clitest.NewEnv(t, s)
	last := func() clitest.Request { return s.Requests()[len(s.Requests())-1] }

	// Resource Manager's own host gets the token; --skip-authorization-header none.
	if r := e.Run("rest", "-u", "/plain"); r.Code != 0 || r.Stdout != "not json\n" || !strings.HasPrefix(last().Header.Get("Authorization"), "Bearer ") {
		t.Fatalf("a non-JSON answer is printed as it is, with a token sent: %+v %v", r, last().Header)
	}
	if r := e.Run("rest", "-u", "/plain", "--skip-authorization-header"); r.Code != 0 || last().Header.Get("Authorization") != "" {
		t.Fatalf("--skip-authorization-header: %+v", r)
	}
	if r := e.Run("rest", "-u", "/empty"); r.Code != 0 || r.Stdout != "" {
		t.Fatalf("an empty answer prints nothing: %+v", r)
	}
	// Headers as one JSON object; the answer saved to a file.
	out := filepath.Join(t.TempDir(), "answer.json")
	r := e.Run("rest", "-m", "post", "-u", "/data", "--headers", `{"x-a":"1","x-n":2}`, "--output-file", out, "-b", `{"q":true}`)
	if r.Code != 0 || r.Stdout != "" || last().Header.Get("x-a") != "1" || last().Header.Get("x-n") != "2" || last().Body != `{"q":true}` {
		t.Fatalf("post: %+v %+v", r, last())
	}
	if b, _ := os.ReadFile(out); string(b) != `{"n":1}` {
		t.Fatalf("--output-file holds %q", b)
	}
	// Another host gets no token unless --resource names one; az warns.
	var other http.Header
	s2 := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { other = r.Header.Clone(); w.Write([]byte(`{}`)) }))
	defer s2.Close()
	r = e.Run("rest", "-u", s2.URL+"/x")
	if r.Code != 0 || !strings.Contains(r.Stderr, "Can't derive appropriate Azure AD resource from --url") || other.Get("Authorization") != "" {
		t.Fatalf("another host: %+v %v", r, other)
	}
	r = e.Run("rest", "-u", s2.URL+"/x", "--resource", "https://storage.azure.com/")
	if r.Code != 0 || !strings.HasPrefix(other.Get("Authorization"), "Bearer ") || strings.Contains(r.Stderr, "WARNING") {
		t.Fatalf("--resource: %+v %v", r, other)
	}
	for _, args := range [][]string{
		{"rest", "-u", "ftp://host/x"},
		{"rest", "-u", "/x", "--headers", "{not json"},
		{"rest", "-u", "/x", "-b", "@/nonexistent/file"},
	} {
		if r := e.Run(args...); r.Code == 0 {
			t.Errorf("%v succeeded", args)
		}
	}
}
