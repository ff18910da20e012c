package core_test

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aci-cli/aci/internal/local/core"
	"github.com/aci-cli/aci/internal/local/coretest"
)

// trickle opens a TLS connection to addr and sends a POST whose body of
// 1000 bytes arrives a byte at a time; it returns the connection and a
// channel closed when the server ends it (answer or close).
func trickle(t *testing.T, addr string, roots *x509.CertPool, path string, stop <-chan struct{}) <-chan struct{} {
	t.Helper()
	host, _, _ := net.SplitHostPort(addr)
	c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: roots, ServerName: host})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n", path, addr)
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		_, _ = io.Copy(io.Discard, c)
	}()
	go func() {
		defer c.Close()
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ended:
				return
			case <-tick.C:
				if _, err := c.Write([]byte("a")); err != nil {
					return
				}
			}
		}
	}()
	return ended
}

func caPool(t *testing.T, dir string) *x509.CertPool {
	pem, err := os.ReadFile(core.CAFile(dir))
	if err != nil {
		t.Fatal(err)
	}
	p := x509.NewCertPool()
	p.AppendCertsFromPEM(pem)
	return p
}

// Clients that trickle request bodies, to ARM's sign-in endpoint and to a
// data plane's token endpoint, hold no in-flight slot: ARM and the data
// plane answer everyone else at once, and a data plane cuts a body that does
// not arrive within its grace.
func TestSlowClientsHoldNoSlots(t *testing.T) {
	dir := t.TempDir()
	h := coretest.StartWith(t, core.Options{StateDir: dir, Version: "test", MaxInFlight: 4, BodyGrace: 2 * time.Second}, nil)
	dp, err := h.Srv.ServeDataPlane("127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			w.WriteHeader(400)
			return
		}
		w.WriteHeader(200)
	}))
	if err != nil {
		t.Fatal(err)
	}
	roots := caPool(t, dir)
	armAddr := strings.TrimPrefix(h.Srv.BaseURL(), "https://")
	stop := make(chan struct{})
	defer close(stop)
	var armSlow, dpSlow []<-chan struct{}
	for range 30 {
		armSlow = append(armSlow, trickle(t, armAddr, roots, "/adfs/oauth2/token", stop))
		dpSlow = append(dpSlow, trickle(t, dp.Addr, roots, "/oauth2/token", stop))
	}
	time.Sleep(300 * time.Millisecond)
	// 60 tricklers against 4 slots per listener: everyone else is served at once.
	dpClient := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	for i := range 10 {
		start := time.Now()
		if a := h.Do("GET", "/subscriptions"+v, ""); a.Status != 200 {
			t.Fatalf("ARM request %d while clients trickle: %d %s", i, a.Status, a.Raw)
		}
		resp, err := dpClient.PostForm("https://"+dp.Addr+"/oauth2/token", url.Values{"grant_type": {"x"}})
		if err != nil {
			t.Fatalf("data-plane request %d while clients trickle: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("data-plane request %d while clients trickle: %d", i, resp.StatusCode)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("request %d took %v while clients trickle", i, d)
		}
	}
	// A data plane has no read timeout of a whole request (uploads stream),
	// so its grace is what ends a trickled body.
	deadline := time.After(6 * time.Second)
	for i, ended := range dpSlow {
		select {
		case <-ended:
		case <-deadline:
			t.Fatalf("trickler %d still holds its data-plane connection after the body grace", i)
		}
	}
	_ = armSlow
}

// A full connection table makes room by closing the longest-stalled
// connection, never by refusing a client that sends its request.
func TestStalledConnectionsAreEvicted(t *testing.T) {
	h := coretest.Start(t, t.TempDir())
	addr := strings.TrimPrefix(h.Srv.BaseURL(), "https://")
	var conns []net.Conn
	for range 300 { // over the per-client bound of 256
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	time.Sleep(1200 * time.Millisecond)
	for i := range 20 {
		if a := h.Do("GET", "/subscriptions"+v, ""); a.Status != 200 {
			t.Fatalf("request %d with 300 stalled connections open: %d", i, a.Status)
		}
		h.Client.CloseIdleConnections() // a new connection each time
	}
	closed := 0
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
			if _, err := c.Read(make([]byte, 1)); err == io.EOF || (err != nil && !isTimeout(err)) {
				mu.Lock()
				closed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if closed < 44 {
		t.Fatalf("only %d stalled connections were closed; the table holds at most 256 per client", closed)
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// Any client can ask a data plane for a certificate for any name before
// showing a credential: the cache of minted certificates stays bounded.
func TestCertificateCacheBounded(t *testing.T) {
	dir := t.TempDir()
	h := coretest.StartWith(t, core.Options{StateDir: dir, Version: "test"}, nil)
	dp, err := h.Srv.ServeDataPlane("127.0.0.1:0", http.NotFoundHandler())
	if err != nil {
		t.Fatal(err)
	}
	roots := caPool(t, dir)
	for i := range 400 {
		c, err := tls.Dial("tcp", dp.Addr, &tls.Config{RootCAs: roots, ServerName: fmt.Sprintf("n%d.example", i)})
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	if n := h.Srv.LeafCount(); n > 256 {
		t.Fatalf("%d certificates cached after 400 names", n)
	}
}

// A flood of unauthenticated device-code requests locks nobody out.
func TestDeviceCodeFloodLocksNobodyOut(t *testing.T) {
	h := coretest.Start(t, t.TempDir())
	for i := range 1100 {
		st, _, _ := postForm(t, h, "/adfs/oauth2/devicecode", url.Values{"client_id": {fmt.Sprintf("flood-%d", i%3)}})
		if st != 200 {
			t.Fatalf("flood request %d: %d", i, st)
		}
	}
	st, dc, _ := postForm(t, h, "/adfs/oauth2/devicecode", url.Values{"client_id": {azClient}})
	if st != 200 {
		t.Fatalf("after a flood the user's device code: %d %v", st, dc)
	}
	id := h.Srv.Identity()
	if st, _, _ := postForm(t, h, "/adfs/device", url.Values{"user_code": {dc["user_code"].(string)}, "username": {id.UserName}, "password": {id.UserPassword}}); st != 200 {
		t.Fatalf("approving after a flood: %d", st)
	}
	if st, m, _ := postForm(t, h, "/adfs/oauth2/token", url.Values{"grant_type": {"device_code"}, "client_id": {azClient}, "device_code": {dc["device_code"].(string)}}); st != 200 || m["access_token"] == nil {
		t.Fatalf("redeeming after a flood: %d %v", st, m)
	}
}
