package arm

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// testCA issues server certificates for the TLS cases.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	file string
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	file := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	return &testCA{cert, key, file}
}

func (ca *testCA) issue(t *testing.T, dns []string, ips []net.IP) tls.Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "server"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: dns, IPAddresses: ips,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func tlsServer(t *testing.T, cert tls.Certificate, h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// An IP-literal endpoint is verified against the certificate's IP SANs: a
// certificate for another name, however well signed, is refused before any
// secret is sent.
func TestCABundleChecksIPLiteralHost(t *testing.T) {
	ca := newTestCA(t)
	var posted sync.Map
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		posted.Store(r.PostForm.Get("client_secret"), true)
	})
	cases := []struct {
		name string
		dns  []string
		ips  []net.IP
		ok   bool
	}{
		{"other name", []string{"evil.example"}, nil, false},
		{"other IP", nil, []net.IP{net.ParseIP("127.0.0.9")}, false},
		{"no SAN", nil, nil, false},
		{"right IP", nil, []net.IP{net.ParseIP("127.0.0.1")}, true},
	}
	for _, c := range cases {
		srv := tlsServer(t, ca.issue(t, c.dns, c.ips), h)
		hc, err := HTTPClient(&Cloud{Name: "t", CABundle: ca.file})
		if err != nil {
			t.Fatal(err)
		}
		secret := "secret-" + strings.ReplaceAll(c.name, " ", "-")
		_, err = hc.PostForm(srv.URL, url.Values{"client_secret": {secret}})
		if (err == nil) != c.ok {
			t.Errorf("%s: err=%v, want ok=%v", c.name, err, c.ok)
		}
		if _, sent := posted.Load(secret); sent != c.ok {
			t.Errorf("%s: secret sent=%v", c.name, sent)
		}
	}
	// The exec websocket's configuration checks the same way.
	srv := tlsServer(t, ca.issue(t, []string{"evil.example"}, nil), h)
	cfg, _ := TLSConfig(&Cloud{Name: "t", CABundle: ca.file}, "127.0.0.1")
	conn, err := tls.Dial("tcp", srv.Listener.Addr().String(), cfg)
	if err == nil {
		conn.Close()
		t.Fatal("websocket TLS accepted a certificate for another name")
	}
	// Without a host to check against, it fails closed.
	cfg, _ = TLSConfig(&Cloud{Name: "t", CABundle: ca.file}, "")
	if conn, err := tls.Dial("tcp", srv.Listener.Addr().String(), cfg); err == nil {
		conn.Close()
		t.Fatal("no host name, yet verified")
	}
}

// A redirect keeps the bearer token only on the same scheme, host and port.
func TestRedirectStripsCredentials(t *testing.T) {
	ca := newTestCA(t)
	cert := ca.issue(t, []string{"localhost"}, []net.IP{net.ParseIP("127.0.0.1")})
	var mu sync.Mutex
	got := map[string]string{}
	record := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			got[name] = r.Header.Get("Authorization") + "|" + r.Header.Get("Cookie")
			mu.Unlock()
		}
	}
	plain := httptest.NewServer(record("plain http"))
	defer plain.Close()
	otherPort := tlsServer(t, cert, record("other port"))
	var target *httptest.Server
	target = tlsServer(t, cert, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-plain":
			http.Redirect(w, r, plain.URL+"/x", http.StatusTemporaryRedirect)
		case "/to-port":
			http.Redirect(w, r, otherPort.URL+"/x", http.StatusTemporaryRedirect)
		case "/to-host":
			http.Redirect(w, r, strings.Replace(target.URL, "127.0.0.1", "localhost", 1)+"/same", http.StatusTemporaryRedirect)
		case "/to-same":
			http.Redirect(w, r, "/same", http.StatusTemporaryRedirect)
		case "/same":
			record(r.Host)(w, r)
			mu.Lock()
			got["last"] = got[r.Host]
			mu.Unlock()
		}
	}))
	hc, err := HTTPClient(&Cloud{Name: "t", CABundle: ca.file})
	if err != nil {
		t.Fatal(err)
	}
	do := func(path string) {
		req, _ := http.NewRequest("GET", target.URL+path, nil)
		req.Header.Set("Authorization", "Bearer T0KEN")
		req.Header.Set("Cookie", "c=1")
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		resp.Body.Close()
	}
	do("/to-plain")
	do("/to-port")
	do("/to-host")
	hostGot := got["last"]
	do("/to-same")
	if got["plain http"] != "|" || got["other port"] != "|" || hostGot != "|" {
		t.Fatalf("credentials crossed origins: %q", got)
	}
	if got["last"] != "Bearer T0KEN|c=1" {
		t.Fatalf("same-origin redirect lost the token: %q", got["last"])
	}
}

// A server that accepts and never answers ends in a timeout, not a hang.
func TestTimeouts(t *testing.T) {
	ca := newTestCA(t)
	release := make(chan struct{})
	defer close(release)
	silent := tlsServer(t, ca.issue(t, nil, []net.IP{net.ParseIP("127.0.0.1")}), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	hc, _ := NewHTTPClient(&Cloud{Name: "t", CABundle: ca.file}, Timeouts{Dial: time.Second, TLSHandshake: time.Second, ResponseHeader: 200 * time.Millisecond})
	_, err := hc.Get(silent.URL)
	var ue *url.Error
	if !errors.As(err, &ue) || !ue.Timeout() || !strings.Contains(err.Error(), "awaiting response headers") {
		t.Fatalf("no response-header timeout: %v", err)
	}
	// A listener that never completes the TLS handshake.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	_, err = hc.Get("https://" + ln.Addr().String() + "/")
	if err == nil || !errors.As(err, &ue) || !ue.Timeout() {
		t.Fatalf("no TLS handshake timeout: %v", err)
	}
}

func TestRefusedConnectionIsNotRetried(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	_, err := http.Get("http://" + addr)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("a closed port was not refused: %v", err)
	}
	if shouldRetry(nil, err) {
		t.Fatal("a refused connection would be retried")
	}
	if !shouldRetry(nil, fmt.Errorf("read: %w", syscall.ECONNRESET)) || !shouldRetry(&http.Response{StatusCode: 503}, nil) || shouldRetry(&http.Response{StatusCode: 400}, nil) {
		t.Fatal("retry rule changed beyond refused connections")
	}
}

// A cloud's loopback names (aci local's data planes) are dialled on loopback,
// never looked up in DNS, and never sent through a proxy.
func TestLoopbackSuffixStaysLocal(t *testing.T) {
	ca := newTestCA(t)
	var gotHost string
	srv := tlsServer(t, ca.issue(t, []string{"*.file.aci.localhost", "127.0.0.1"}, []net.IP{net.ParseIP("127.0.0.1")}), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotHost = r.Host
	}))
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	t.Setenv("HTTPS_PROXY", "http://192.0.2.1:3128") // TEST-NET: must never be dialled
	cloud := &Cloud{Name: "local", CABundle: ca.file, LoopbackSuffix: "aci.localhost",
		Endpoints: map[string]string{"resourceManager": srv.URL + "/"}}
	hc, err := HTTPClient(cloud)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Get("https://acct.file.aci.localhost:" + port + "/share")
	if err != nil {
		t.Fatalf("a loopback name did not stay local: %v", err)
	}
	resp.Body.Close()
	if gotHost != "acct.file.aci.localhost:"+port {
		t.Fatalf("Host %q", gotHost)
	}
	// Other names are not rewritten.
	if cloud.loopbackTarget("example.com") != "" || cloud.loopbackTarget("evilaci.localhost") != "" || cloud.loopbackTarget("ACI.LOCALHOST") == "" {
		t.Fatal("suffix matching")
	}
}

// A timeout is what the user waits, once: through the full pipeline (its
// retry policy included) a silent peer is tried once, and the error names
// the limit that fired.
func TestTimeoutsAreNotRetried(t *testing.T) {
	ca := newTestCA(t)
	var mu sync.Mutex
	accepted := 0
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			accepted++
			mu.Unlock()
			defer c.Close() // silent: never completes the TLS handshake
		}
	}()
	release := make(chan struct{})
	defer close(release)
	var requests int
	silent := tlsServer(t, ca.issue(t, nil, []net.IP{net.ParseIP("127.0.0.1")}), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests++
		mu.Unlock()
		<-release
	}))
	cloud := &Cloud{Name: "t", CABundle: ca.file}
	hc, _ := NewHTTPClient(cloud, Timeouts{Dial: time.Second, TLSHandshake: 300 * time.Millisecond, ResponseHeader: 300 * time.Millisecond})
	co, err := ClientOptions(Options{HTTPClient: hc}, cloud)
	if err != nil {
		t.Fatal(err)
	}
	co.Retry.RetryDelay, co.Retry.MaxRetryDelay = time.Millisecond, time.Millisecond
	pl := runtime.NewPipeline("test", "v0", runtime.PipelineOptions{}, &co)
	get := func(u string) error {
		req, err := runtime.NewRequest(context.Background(), http.MethodGet, u)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := pl.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	err = get("https://" + ln.Addr().String() + "/")
	var te *TimeoutError
	if !errors.As(err, &te) || te.Step != "the TLS handshake" || te.Limit != 300*time.Millisecond {
		t.Fatalf("a silent TLS peer: %v", err)
	}
	if err := get(silent.URL); err == nil || !strings.Contains(err.Error(), "awaiting response headers") {
		t.Fatalf("a silent HTTP server: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if accepted != 1 || requests != 1 {
		t.Fatalf("tried %d TLS handshakes and %d requests, want 1 each", accepted, requests)
	}
}
