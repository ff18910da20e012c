// Package clitest drives aci's command tree in-process against an httptest TLS
// server that replays az's recorded traffic (testdata/az/recordings, copied from
// real az runs) and the official REST examples, so command tests assert exact
// requests and output.
package clitest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// Testdata is a path below the repository's testdata/ (recordings and az's
// renderings, shared by the packages that test against them).
func Testdata(t testing.TB, parts ...string) string {
	t.Helper()
	rootOnce.Do(func() {
		wd, _ := os.Getwd()
		for d := wd; d != "/"; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				repoRoot = d
				return
			}
		}
	})
	if repoRoot == "" {
		t.Fatal("no go.mod above the test")
	}
	return filepath.Join(append([]string{repoRoot, "testdata"}, parts...)...)
}

var (
	rootOnce sync.Once
	repoRoot string
)

// Tenant and Subscription are what the fake token service and /subscriptions use
// (the recordings' subscription).
const (
	Tenant       = "54826b22-38d6-4fb2-bad9-b7b93a3e9c5a"
	Subscription = "00000000-0000-0000-0000-000000000000"
)

// Request is one request the server saw.
type Request struct {
	Method, Path string
	Query        url.Values
	Header       http.Header
	Body         string
}

// Response is a canned answer.
type Response struct {
	Status int
	Header map[string]string
	Body   string
}

// Server replays responses per (method, lower-cased path), in order, the last one
// repeating, as az's test replays do.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	queues   map[string][]Response
	pos      map[string]int
	requests []Request
	custom   map[string]http.HandlerFunc
	// RetryAfter is what polls of loaded cassettes are told to wait: "0" for
	// in-process tests; the real az needs "1" (at 0 it falls back to its own
	// 30-second default).
	RetryAfter string
}

// HandleFunc serves a path prefix with a handler of the test's own (websockets).
func (s *Server) HandleFunc(prefix string, h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.custom == nil {
		s.custom = map[string]http.HandlerFunc{}
	}
	s.custom[prefix] = h
}

// NewServer starts an empty replay server; add cassettes or responses.
func NewServer(t testing.TB) *Server {
	s := &Server{queues: map[string][]Response{}, pos: map[string]int{}, RetryAfter: "0"}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func key(method, path string) string {
	return strings.ToUpper(method) + " " + strings.TrimRight(strings.ToLower(path), "/")
}

// Add queues a response for method and path.
func (s *Server) Add(method, path string, r Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key(method, path)
	s.queues[k] = append(s.queues[k], r)
}

type cassette struct {
	Interactions []struct {
		Request struct {
			Method string `yaml:"method"`
			URI    string `yaml:"uri"`
		} `yaml:"request"`
		Response struct {
			Body struct {
				String string `yaml:"string"`
			} `yaml:"body"`
			Headers map[string][]string `yaml:"headers"`
			Status  struct {
				Code int `yaml:"code"`
			} `yaml:"status"`
		} `yaml:"response"`
	} `yaml:"interactions"`
}

// LoadCassette queues every response of a recording (path below recordings/).
func (s *Server) LoadCassette(t testing.TB, name string) {
	t.Helper()
	b, err := os.ReadFile(Testdata(t, "az", "recordings", name))
	if err != nil {
		t.Fatal(err)
	}
	var c cassette
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	for _, it := range c.Interactions {
		u, err := url.Parse(it.Request.URI)
		if err != nil {
			t.Fatal(err)
		}
		h := map[string]string{}
		for k, v := range it.Response.Headers {
			kl := strings.ToLower(k)
			if len(v) == 0 || kl == "content-length" || kl == "content-encoding" || kl == "transfer-encoding" || kl == "date" {
				continue
			}
			val := v[0]
			if kl == "location" || kl == "azure-asyncoperation" {
				val = strings.Replace(val, "https://management.azure.com", s.URL, 1)
				h["Retry-After"] = s.RetryAfter
			}
			h[k] = val
		}
		s.Add(it.Request.Method, u.Path, Response{Status: it.Response.Status.Code, Header: h, Body: it.Response.Body.String})
	}
}

// Requests returns the ARM requests seen (token and metadata traffic excluded).
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Reset forgets the requests seen so far.
func (s *Server) Reset() {
	s.mu.Lock()
	s.requests = nil
	s.mu.Unlock()
}

func jwt() string {
	enc := func(v any) string { b, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(b) }
	now := time.Now().Unix()
	return enc(map[string]any{"alg": "none", "typ": "JWT"}) + "." + enc(map[string]any{
		"aud": "https://management.core.windows.net/", "tid": Tenant, "oid": "11111111-1111-1111-1111-111111111111",
		"iat": now, "nbf": now, "exp": now + 3600}) + ".c2ln"
}

func (s *Server) writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	for prefix, h := range s.custom {
		if strings.HasPrefix(r.URL.Path, prefix) {
			s.mu.Unlock()
			h(w, r)
			return
		}
	}
	s.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	// az joins its endpoint's trailing slash to absolute paths ("//metadata/...").
	r.URL.Path = "/" + strings.TrimLeft(r.URL.Path, "/")
	p := strings.TrimRight(strings.ToLower(r.URL.Path), "/")
	switch {
	case p == "/metadata/endpoints":
		s.writeJSON(w, 200, map[string]any{"galleryEndpoint": s.URL + "/", "graphEndpoint": s.URL + "/graph/",
			"portalEndpoint": s.URL + "/", "authentication": map[string]any{"loginEndpoint": s.URL + "/adfs",
				"audiences": []string{"https://management.core.windows.net/"}}})
		return
	case strings.HasSuffix(p, "/.well-known/openid-configuration"):
		root := s.URL + r.URL.Path[:strings.Index(strings.ToLower(r.URL.Path), "/.well-known")]
		s.writeJSON(w, 200, map[string]any{"authorization_endpoint": root + "/oauth2/authorize",
			"token_endpoint": root + "/oauth2/token", "issuer": root, "tenant_region_scope": "NA"})
		return
	case strings.HasSuffix(p, "/oauth2/token") || strings.HasSuffix(p, "/oauth2/v2.0/token"):
		form, _ := url.ParseQuery(string(body))
		if form.Get("client_secret") == "wrong" {
			s.writeJSON(w, 401, map[string]any{"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."})
			return
		}
		s.writeJSON(w, 200, map[string]any{"token_type": "Bearer", "expires_in": 3600, "ext_expires_in": 3600, "access_token": jwt()})
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: string(body)})
	k := key(r.Method, r.URL.Path)
	q := s.queues[k]
	var resp *Response
	if len(q) > 0 {
		i := s.pos[k]
		if i < len(q)-1 {
			s.pos[k] = i + 1
		}
		resp = &q[i]
	}
	s.mu.Unlock()
	if resp == nil {
		if p == "/tenants" && r.Method == http.MethodGet {
			s.writeJSON(w, 200, map[string]any{"value": []any{map[string]any{"id": "/tenants/" + Tenant, "tenantId": Tenant}}})
			return
		}
		if p == "/subscriptions" && r.Method == http.MethodGet {
			s.writeJSON(w, 200, map[string]any{"value": []any{map[string]any{"id": "/subscriptions/" + Subscription,
				"subscriptionId": Subscription, "tenantId": Tenant, "displayName": "replay", "state": "Enabled",
				"subscriptionPolicies": map[string]any{}, "authorizationSource": "RoleBased", "managedByTenants": []any{}}}})
			return
		}
		s.writeJSON(w, 404, map[string]any{"error": map[string]any{"code": "ReplayUnmatched",
			"message": fmt.Sprintf("no recording for %s %s", r.Method, r.URL.Path)}})
		return
	}
	for k, v := range resp.Header {
		w.Header().Set(k, v)
	}
	if resp.Body != "" && w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(resp.Status)
	if r.Method != http.MethodHead {
		_, _ = io.WriteString(w, resp.Body)
	}
}
