package hello

import (
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

func TestFilesHandlerWritesAndLists(t *testing.T) {
	dir := t.TempDir()
	var log bytes.Buffer
	srv := httptest.NewServer(FilesHandler(dir, &log))
	defer srv.Close()
	for i := 0; i < 2; i++ {
		resp, err := srv.Client().Get(srv.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || strings.Count(string(b), "<li>") != i+1 {
			t.Fatalf("request %d: %d %s", i, resp.StatusCode, b)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Fatalf("files written: %d", len(ents))
	}
}

func TestSidecarLogsAnswers(t *testing.T) {
	var hits bytes.Buffer
	srv := httptest.NewServer(Handler(&hits))
	defer srv.Close()
	var log bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	Sidecar(ctx, srv.URL+"/", 40*time.Millisecond, &log)
	if n := strings.Count(log.String(), "-> 200 OK"); n < 2 || !strings.Contains(hits.String(), "GET /") {
		t.Fatalf("sidecar log: %q", log.String())
	}
}
