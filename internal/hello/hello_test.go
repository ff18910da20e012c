package hello

import (
	"bytes"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHandler(t *testing.T) {
	var log bytes.Buffer
	srv := httptest.NewServer(Handler(&log))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/path?x=1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "Welcome to Azure Container Instances!") {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	if !strings.Contains(log.String(), "GET /path?x=1") {
		t.Fatalf("log: %q", log.String())
	}
}
