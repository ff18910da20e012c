package core

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// DataPlane is a data plane served on a listener of its own: a registry whose
// clients (the Docker daemon, az, the SDK) know it by an address, not by a
// name that would need DNS. It stops with the server or when closed.
type DataPlane struct {
	Addr string // host:port as bound
	ln   net.Listener
	srv  *http.Server
	once sync.Once
}

// Close stops the listener; in-flight requests are cut.
func (d *DataPlane) Close() error {
	var err error
	d.once.Do(func() { err = d.srv.Close() })
	return err
}

// ServeDataPlane serves h over TLS at addr, which must be a loopback address
// (a data plane reaches the host's Docker daemon, so it is never exposed). The
// certificate is minted from the local CA for the address dialled, so clients
// trusting the CA (REQUESTS_CA_BUNDLE, aci's pinned pool) verify it; the
// Docker daemon accepts loopback registries without verification anyway. The
// server's middleware (recovery, request log, concurrency cap) applies.
func (s *Server) ServeDataPlane(addr string, h http.Handler) (*DataPlane, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if !IsLoopback(host) {
		return nil, fmt.Errorf("a data plane listens on loopback only, not %s", addr)
	}
	if s.ca == nil {
		return nil, errors.New("the server has not started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	d := &DataPlane{Addr: ln.Addr().String(), ln: ln}
	// Each data plane has its own slots: its clients cannot use up ARM's.
	slots := make(pool, s.opts.MaxInFlight)
	d.srv = &http.Server{Handler: s.middleware(func(*http.Request) (pool, bool) { return slots, false }, h),
		ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		MaxHeaderBytes: 64 << 10, TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: s.certFor}, ErrorLog: quietLog}
	s.dpMu.Lock()
	s.dataPlanes = append(s.dataPlanes, d)
	s.dpMu.Unlock()
	bln := bounded(d.srv, ln)
	go func() { _ = d.srv.ServeTLS(bln, "", "") }()
	return d, nil
}

// certFor mints (once per address) a leaf certificate for the local address
// a client dialled, or for the name it asked for.
func (s *Server) certFor(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	name := hello.ServerName
	if name == "" && hello.Conn != nil {
		if a, ok := hello.Conn.LocalAddr().(*net.TCPAddr); ok {
			name = a.IP.String()
		}
	}
	if name == "" {
		return nil, errors.New("no server name")
	}
	if c := s.leafs.get(name); c != nil {
		return c, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: serial(), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	if ip := net.ParseIP(name); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{name}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, s.ca, &key.PublicKey, s.caKey)
	if err != nil {
		return nil, err
	}
	c := &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	return s.leafs.put(name, c), nil
}

// maxLeafs bounds the certificate cache: any client can ask for any name
// (SNI) before it has shown a credential.
const maxLeafs = 256

// leafCache holds minted certificates by name; past maxLeafs a new one
// evicts an arbitrary other, so memory stays bounded whatever names clients
// send (a name asked again is minted again).
type leafCache struct {
	mu sync.Mutex
	m  map[string]*tls.Certificate
}

func (l *leafCache) get(name string) *tls.Certificate {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.m[name]
}

func (l *leafCache) put(name string, c *tls.Certificate) *tls.Certificate {
	l.mu.Lock()
	defer l.mu.Unlock()
	if old := l.m[name]; old != nil {
		return old
	}
	if l.m == nil {
		l.m = map[string]*tls.Certificate{}
	}
	for k := range l.m {
		if len(l.m) < maxLeafs {
			break
		}
		delete(l.m, k)
	}
	l.m[name] = c
	return c
}

func (l *leafCache) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}

// OnStart runs f once the server listens (its address known), before it
// serves: providers bring their data planes up there.
func (s *Server) OnStart(f func()) { s.starters = append(s.starters, f) }

func (s *Server) closeDataPlanes() {
	s.dpMu.Lock()
	defer s.dpMu.Unlock()
	for _, d := range s.dataPlanes {
		d.Close()
	}
	s.dataPlanes = nil
}
