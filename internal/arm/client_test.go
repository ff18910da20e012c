package arm

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeCA(t *testing.T, srv *httptest.Server) string {
	p := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644)
	return p
}

func TestCABundleVerification(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()

	good, err := HTTPClient(&Cloud{Name: "t", CABundle: writeCA(t, srv)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := good.Get(srv.URL); err != nil {
		t.Fatalf("trusted CA refused: %v", err)
	}
	// httptest's certificate is for 127.0.0.1 and example.com, not localhost.
	if _, err := good.Get(strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)); err == nil || !strings.Contains(err.Error(), "localhost") {
		t.Fatalf("host name mismatch accepted: %v", err)
	}
	bogus := filepath.Join(t.TempDir(), "bogus.pem")
	os.WriteFile(bogus, []byte("not a certificate"), 0o644)
	if _, err := HTTPClient(&Cloud{Name: "t", CABundle: bogus}); err == nil {
		t.Fatal("a bundle without certificates was accepted")
	}
	plain, _ := HTTPClient(&Cloud{Name: "t"})
	if _, err := plain.Get(srv.URL); err == nil {
		t.Fatal("a self-signed server was trusted without its CA")
	}
}

func TestErrorFormat(t *testing.T) {
	e := ParseError(404, []byte(`{"error":{"code":"ResourceGroupNotFound","message":"Resource group 'x' could not be found."}}`))
	want := "(ResourceGroupNotFound) Resource group 'x' could not be found.\nCode: ResourceGroupNotFound\nMessage: Resource group 'x' could not be found."
	if e.Error() != want || !e.NotFound() {
		t.Fatalf("%q", e.Error())
	}
	e = ParseError(400, []byte(`{"error":{"code":"C","message":"M","target":"T","details":[{"code":"D","message":"DM"}]}}`))
	if e.Error() != "(C) M\nCode: C\nMessage: M\nTarget: T\nException Details:\t(D) DM\n\tCode: D\n\tMessage: DM" {
		t.Fatalf("%q", e.Error())
	}
	if e := ParseError(502, []byte("<html>")); e.Error() != "Operation returned an invalid status 'Bad Gateway'" {
		t.Fatalf("%q", e.Error())
	}
}

func TestAuthority(t *testing.T) {
	host, tenant, disc := Authority(&Cloud{Endpoints: map[string]string{"activeDirectory": "https://127.0.0.1:8443/adfs"}}, "guid")
	if host != "https://127.0.0.1:8443/" || tenant != "adfs" || disc {
		t.Fatalf("adfs: %s %s %v", host, tenant, disc)
	}
	host, tenant, disc = Authority(builtinClouds()[0], "guid")
	if host != "https://login.microsoftonline.com/" || tenant != "guid" || !disc {
		t.Fatalf("public: %s %s %v", host, tenant, disc)
	}
}

// TestVerboseSaysRetries: with --verbose a retried answer is reported as it
// happens, its secrets redacted, instead of looking like a hang.
func TestVerboseSaysRetries(t *testing.T) {
	n := 0
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++
		if n == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"value":[]}`))
	}))
	defer srv.Close()
	var log strings.Builder
	cloud := &Cloud{Name: "t", Endpoints: map[string]string{"resourceManager": srv.URL + "/"}}
	co, err := ClientOptions(Options{Version: "test", HTTPClient: srv.Client(), Verbose: &log}, cloud)
	if err != nil {
		t.Fatal(err)
	}
	co.Retry.RetryDelay = time.Millisecond
	raw, _ := (&Client{Cred: staticCred("T"), Options: co, Subscription: "s"}).Raw()
	if _, err := raw.Do(context.Background(), http.MethodGet, "/subscriptions/s/resourcegroups?sig=secret", "2022-09-01", nil, nil); err != nil {
		t.Fatal(err)
	}
	if n != 2 || !strings.Contains(log.String(), "INFO: GET ") || !strings.Contains(log.String(), "503 Service Unavailable, Retry-After 0; retrying") || strings.Contains(log.String(), "secret") {
		t.Fatalf("tries %d, log %q", n, log.String())
	}
}
