package core

import (
	"bufio"
	"context"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/aci-cli/aci/internal/local/wire"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aci-cli/aci/internal/redact"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// Options configures a server.
type Options struct {
	StateDir string
	Listen   string // host:port; default 127.0.0.1:0
	Version  string
	// PageSize is how many items a list returns before nextLink.
	PageSize int
	// Runtime names what runs container groups (reported by status).
	Runtime string
	// AllowRemote permits a Listen address beyond loopback. aci local runs as
	// root next to the Docker socket: exposing it is a decision, never a default.
	AllowRemote bool
	// TestHooks enables /aci-local/throttle (429 injection) for tests.
	TestHooks bool
	// MaxBodyBytes bounds a request body (default 8 MiB); more is a 413.
	MaxBodyBytes int64
	// MaxInFlight bounds concurrent requests, per listener (default 64).
	MaxInFlight int
	// BodyGrace is how long a request body may take before it must keep up
	// minBodyRate (default 30 s); a read that brings nothing for as long fails.
	BodyGrace time.Duration
	// GitRepoRoots are the directories gitRepo volumes may clone from; none by
	// default, since a repository path is a path on the host.
	GitRepoRoots []string
	// TokenLifetime is how long issued access tokens live (default 1 h).
	TokenLifetime time.Duration
	// RefreshTokenLifetime is how long a user's sign-in lasts unused (default
	// 90 days, AAD's inactivity limit): each refresh extends it.
	RefreshTokenLifetime time.Duration
	// RegistrationDelay is how long a provider stays Registering (default 1 s).
	RegistrationDelay time.Duration
	// HostsFile is the hosts file whose aci local block makes the names it
	// hands out resolve for other clients ("" leaves every file alone).
	HostsFile string
}

// bigBody is where a body counts as large: large bodies are read a few at a
// time, so memory stays bounded whatever clients send.
const bigBody = 1 << 20

// Server is one aci local instance.
type Server struct {
	opts     Options
	store    *Store
	id       *Identity
	tokens   *tokenService
	handlers map[string]Handler // lower-cased "Namespace/type"
	hosts    []hostRoute        // data planes, by Host
	resumers map[string]func(*Operation)
	mux      *http.ServeMux
	reqLog   *slog.Logger
	// catalog is what providers declared (Declare), in order.
	catalogMu sync.Mutex
	catalog   []Namespace
	logFile   *rotatingFile
	inflight  pool // ARM's slots
	hostPool  pool // the slots of data planes served by name on ARM's listener
	bigBods   chan struct{}
	throttle  atomic.Int64
	http      *http.Server
	ln        net.Listener
	base      string
	started   time.Time
	wg        sync.WaitGroup
	ctx       context.Context
	cancel    context.CancelFunc

	ca         *x509.Certificate // signs data-plane certificates
	caKey      *rsa.PrivateKey
	leafs      leafCache // address or name -> certificate
	starters   []func()
	dpMu       sync.Mutex
	dataPlanes []*DataPlane
	names      *hostsNames
	// opDone holds, per operation in flight, a channel closed when it
	// finishes, so work inside the server that waits on another operation
	// (a deployment on its resources) need not poll for it.
	opDone sync.Map
}

// APIError is an ARM error answer.
type APIError struct {
	Status        int
	Code, Message string
}

// NewError is an ARM error answer to return.
func NewError(status int, code, message string) *APIError {
	return &APIError{Status: status, Code: code, Message: message}
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = 500, []byte(`{"error":{"code":"InternalServerError","message":"encoding failed"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// WriteRaw answers with JSON that is already encoded (a stored body).
func WriteRaw(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func WriteError(w http.ResponseWriter, e *APIError) {
	WriteJSON(w, e.Status, map[string]any{"error": map[string]any{"code": e.Code, "message": e.Message}})
}

// New opens the state dir (creating CA, identity and store on first use).
func New(o Options) (*Server, error) {
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	if o.PageSize <= 0 {
		o.PageSize = 1000
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 8 << 20
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = 64
	}
	if o.BodyGrace <= 0 {
		o.BodyGrace = 30 * time.Second
	}
	if o.TokenLifetime <= 0 {
		o.TokenLifetime = time.Hour
	}
	if o.RefreshTokenLifetime <= 0 {
		o.RefreshTokenLifetime = 90 * 24 * time.Hour
	}
	if o.RegistrationDelay <= 0 {
		o.RegistrationDelay = time.Second
	}
	if err := os.MkdirAll(o.StateDir, 0o700); err != nil {
		return nil, err
	}
	id, err := loadIdentity(o.StateDir)
	if err != nil {
		return nil, err
	}
	st, err := OpenStore(o.StateDir)
	if err != nil {
		return nil, fmt.Errorf("opening the state store: %w", err)
	}
	lf, err := openRotating(filepath.Join(o.StateDir, "requests.log"), 10<<20)
	if err != nil {
		st.Close()
		return nil, err
	}
	s := &Server{opts: o, store: st, id: id, handlers: map[string]Handler{}, resumers: map[string]func(*Operation){},
		mux: http.NewServeMux(), logFile: lf, reqLog: slog.New(slog.NewJSONHandler(lf, nil)),
		inflight: make(pool, o.MaxInFlight), hostPool: make(pool, o.MaxInFlight), bigBods: make(chan struct{}, 4),
		names: newHostsNames(o.HostsFile, o.StateDir)}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.Declare(resourcesNamespace)
	s.tokens = &tokenService{lifetime: o.TokenLifetime, id: id, base: func(*http.Request) string { return s.base },
		devices: &deviceCodes{byDevice: map[string]*deviceCode{}, byUser: map[string]*deviceCode{}},
		codes:   &authCodes{m: map[string]*authCode{}}}
	s.tokens.sessions = newSessions(st, o.RefreshTokenLifetime, o.TokenLifetime, s.tokens.sign, &id.key.PublicKey)
	s.tokens.register(s.mux)
	s.mux.HandleFunc("GET /aci-local/status", s.status)
	if o.TestHooks {
		s.mux.HandleFunc("POST /aci-local/throttle", s.setThrottle)
	}
	s.mux.HandleFunc("/", s.arm)
	s.resumers["resourceGroupDelete"] = s.runGroupDelete
	return s, nil
}

// hostRoute is a data plane served for the hosts under a suffix.
type hostRoute struct {
	suffix string // ".registry.aci.localhost": a leading dot matches subdomains
	h      http.Handler
}

// RegisterHost serves every request whose Host (without port) is under
// suffix with h instead of ARM: a data plane (a registry's /v2/, a file
// service) with its own paths and authentication, on the same listener and
// before ARM's api-version and token checks. A suffix with a leading dot
// matches its subdomains ("myreg.registry.aci.localhost"), one without it that
// host alone. It must be called before Start.
func (s *Server) RegisterHost(suffix string, h http.Handler) {
	s.hosts = append(s.hosts, hostRoute{strings.ToLower(suffix), h})
}

// hostRouted reports whether a host name belongs to a registered data plane.
func (s *Server) hostRouted(host string) bool {
	host = strings.ToLower(host)
	for _, hr := range s.hosts {
		if host == hr.suffix || (strings.HasPrefix(hr.suffix, ".") && strings.HasSuffix(host, hr.suffix) && len(host) > len(hr.suffix)) {
			return true
		}
	}
	return false
}

// byHost hands a request to its data plane, or to ARM.
func (s *Server) byHost(w http.ResponseWriter, r *http.Request) {
	host := strings.ToLower(r.Host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	for _, hr := range s.hosts {
		if host == hr.suffix || (strings.HasPrefix(hr.suffix, ".") && strings.HasSuffix(host, hr.suffix)) {
			hr.h.ServeHTTP(w, r)
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

// Register adds a resource type. It must be called before Start.
func (s *Server) Register(h Handler) { s.handlers[strings.ToLower(h.Type())] = h }

// Store is the server's store, for handlers.
func (s *Server) Store() *Store { return s.store }

// Identity is the local tenant.
func (s *Server) Identity() *Identity { return s.id }

// Options are the server's options, defaults filled in.
func (s *Server) Options() Options { return s.opts }

// SetRuntimeName names what runs container groups, for status.
func (s *Server) SetRuntimeName(n string) { s.opts.Runtime = n }

// HandleFunc serves a non-ARM path (a data plane, a websocket) on the same
// listener; the pattern is net/http's.
func (s *Server) HandleFunc(pattern string, h http.HandlerFunc) { s.mux.HandleFunc(pattern, h) }

// Context ends when the server closes; background work watches it.
func (s *Server) Context() context.Context { return s.ctx }

// SignToken signs claims with the tenant's key. It is for tests and in-process
// tools: no route hands out tokens without credentials.
func (s *Server) SignToken(claims map[string]any) (string, error) {
	return s.tokens.sign(jwt.MapClaims(claims))
}

// ListenIP is the address ARM (and every data plane served by name on its
// listener) answers on, once started.
func (s *Server) ListenIP() string {
	h, _, _ := net.SplitHostPort(strings.TrimPrefix(s.base, "https://"))
	return h
}

// BaseURL is https://host:port once started.
func (s *Server) BaseURL() string { return s.base }

// Start listens and serves in the background; in-flight operations from a
// previous run are resumed or failed.
func (s *Server) Start() error {
	host, _, err := net.SplitHostPort(s.opts.Listen)
	if err != nil {
		return fmt.Errorf("--listen %q: %v", s.opts.Listen, err)
	}
	if !IsLoopback(host) && !s.opts.AllowRemote {
		return fmt.Errorf("refusing to listen on %s: aci local runs containers as root and hands out tokens, so it listens on loopback only unless --allow-remote is given", s.opts.Listen)
	}
	cert, err := ensurePKI(s.opts.StateDir, []string{host})
	if err != nil {
		return err
	}
	if s.ca, s.caKey, err = loadOrCreateCA(s.opts.StateDir); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", s.opts.Listen)
	if err != nil {
		return err
	}
	s.ln = ln
	addr := ln.Addr().(*net.TCPAddr)
	h := host
	if h == "" || h == "0.0.0.0" || h == "::" {
		h = "127.0.0.1"
	}
	s.base = fmt.Sprintf("https://%s", net.JoinHostPort(h, fmt.Sprint(addr.Port)))
	s.started = time.Now()
	// No WriteTimeout: logs, exec and long polls stream for as long as they run.
	s.http = &http.Server{Handler: s.middleware(s.armOrHost, http.HandlerFunc(s.byHost)), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
		TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
			// A data plane known by name (ACCOUNT.file.aci.localhost) gets a
			// certificate for that name from the local CA; ARM keeps its own.
			if s.hostRouted(h.ServerName) {
				return s.certFor(h)
			}
			return &cert, nil
		}},
		ErrorLog: quietLog}
	for _, f := range s.starters {
		f()
	}
	s.resume()
	bln := bounded(s.http, ln)
	go func() { _ = s.http.ServeTLS(bln, "", "") }()
	return nil
}

// armOrHost picks a request's slots on ARM's listener: ARM's, with its body
// read whole first, or those of the data planes served there by name.
func (s *Server) armOrHost(r *http.Request) (pool, bool) {
	if s.hostRouted(HostOnly(r.Host)) {
		return s.hostPool, false
	}
	return s.inflight, true
}

// HostOnly is a Host header without its port: what data planes served by
// name are told apart by.
func HostOnly(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		return host
	}
	return h
}

// closeWait bounds how long Close waits for background work.
const closeWait = 10 * time.Second

// Close stops serving and closes the store.
func (s *Server) Close() error {
	s.cancel()
	s.removeHostsBlock()
	s.closeDataPlanes()
	if s.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = s.http.Shutdown(ctx)
		cancel()
	}
	// Background work stops at its context's end; whatever does not within
	// closeWait is left behind rather than holding the stop (SIGTERM must
	// stop aci local promptly, whatever a client sent).
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(closeWait):
		s.reqLog.Error("stopping without waiting for background work", "waited", closeWait.String())
	}
	s.logFile.Close()
	return s.store.Close()
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *statusRecorder) WriteHeader(c int) {
	r.status, r.wrote = c, true
	r.ResponseWriter.WriteHeader(c)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}
func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Hijack lets the exec websocket take over the connection.
func (r *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("connection cannot be hijacked")
	}
	r.status = http.StatusSwitchingProtocols
	return h.Hijack()
}

// IsLoopback reports whether a listen host stays on this machine.
func IsLoopback(host string) bool { return wire.IsLoopback(host) }

// loggedQuery lists the query parameters whose values the request log keeps;
// every other value is masked (SAS signatures, codes, anything a client adds).
var loggedQuery = []string{"api-version", "$top", "$filter", "$expand", "tail", "timestamps", "%24top", "%24filter"}

// middleware adds ARM's request-id headers, bounds concurrency, turns a panic
// into ARM's 500 envelope, and writes the request log (never tokens or secrets:
// query values are masked and bodies are not logged).
func (s *Server) middleware(slots func(*http.Request) (pool, bool), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		p, whole := slots(r)
		r, release, aerr := s.preread(w, r, whole)
		defer release()
		if aerr != nil {
			w.Header().Set("Connection", "close")
			WriteError(w, aerr)
			return
		}
		if !p.acquire(r) {
			RetryAfter(w)
			WriteError(w, &APIError{503, "ServerBusy", "aci local is serving too many requests at once; retry later."})
			return
		}
		defer p.release()
		reqID := uuid.NewString()
		corr := r.Header.Get("x-ms-correlation-request-id")
		if corr == "" {
			corr = reqID
		}
		w.Header().Set("x-ms-request-id", reqID)
		w.Header().Set("x-ms-correlation-request-id", corr)
		if c := r.Header.Get("x-ms-client-request-id"); c != "" {
			w.Header().Set("x-ms-client-request-id", c)
		}
		rec := &statusRecorder{ResponseWriter: w, status: 200}
		func() {
			defer func() {
				if v := recover(); v != nil {
					if v == http.ErrAbortHandler {
						panic(v)
					}
					s.reqLog.Error("panic", "method", r.Method, "path", r.URL.Path, "requestId", reqID, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
					if !rec.wrote {
						WriteError(rec, &APIError{500, "InternalServerError", "The server encountered an internal error; request id " + reqID + "."})
					}
				}
			}()
			next.ServeHTTP(rec, r)
		}()
		s.reqLog.Info("request", "method", r.Method, "path", r.URL.Path, "query", redact.Query(r.URL.RawQuery, loggedQuery...),
			"status", rec.status, "durationMs", float64(time.Since(start).Microseconds())/1000, "requestId", reqID,
			"correlationId", corr, "clientRequestId", r.Header.Get("x-ms-client-request-id"), "userAgent", r.UserAgent())
	})
}

// status needs a token of this endpoint: it names the state dir and the pid.
func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	if _, err := s.tokens.verify(r.Header.Get("Authorization")); err != nil {
		s.unauthorized(w, err)
		return
	}
	WriteJSON(w, 200, map[string]any{"endpoint": s.base, "version": s.opts.Version, "pid": os.Getpid(),
		"runtime": s.opts.Runtime, "stateDir": s.opts.StateDir, "started": s.started.UTC().Format(time.RFC3339),
		"subscriptionId": s.id.SubscriptionID, "tenantId": s.id.TenantID})
}

var apiVersionRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(-[A-Za-z0-9]+)?$`)

// arm is the entry point of every ARM request: api-version, auth, throttling, then
// the route.
func (s *Server) arm(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query().Get("api-version")
	if v == "" {
		WriteError(w, &APIError{400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests."})
		return
	}
	if !apiVersionRE.MatchString(v) {
		WriteError(w, &APIError{400, "InvalidApiVersionParameter", fmt.Sprintf("The api-version '%s' is invalid. The supported versions are '2026-05-01,2025-09-01,2024-11-01,2023-05-01,2022-09-01,2021-04-01,2019-11-01'.", v)})
		return
	}
	var claims jwt.MapClaims
	var body []byte
	var aerr *APIError
	if pre, ok := r.Context().Value(armReadKey{}).(*armRead); ok {
		claims, body = pre.claims, pre.body
	} else if claims, aerr = s.tokens.verify(r.Header.Get("Authorization")); aerr != nil {
		s.unauthorized(w, aerr)
		return
	}
	if n := s.throttle.Load(); n > 0 && s.throttle.CompareAndSwap(n, n-1) {
		RetryAfter(w)
		WriteError(w, &APIError{429, "TooManyRequests", "The request is being throttled as the limit has been reached for operation type - Read/Write. Please retry after 1 second."})
		return
	}
	if body == nil {
		if body, aerr = s.readBody(r); aerr != nil {
			WriteError(w, aerr)
			return
		}
	}
	req := &Request{Request: r, Server: s, Body: body, APIVersion: v, Claims: claims, segs: splitPath(r.URL.Path)}
	s.route(w, req)
}

// setThrottle (a test hook, off unless Options.TestHooks) makes the next n ARM
// requests answer 429.
func (s *Server) setThrottle(w http.ResponseWriter, r *http.Request) {
	if _, err := s.tokens.verify(r.Header.Get("Authorization")); err != nil {
		s.unauthorized(w, err)
		return
	}
	var body struct {
		Requests int64 `json:"requests"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&body); err != nil || body.Requests < 0 {
		WriteError(w, &APIError{400, "InvalidRequestContent", "The body must be {\"requests\": N}."})
		return
	}
	s.throttle.Store(body.Requests)
	w.WriteHeader(http.StatusNoContent)
}

// readBody reads a request body whole, up to the limit: more is ARM's 413, never
// a silent cut. Bodies over bigBody are read a few at a time.
func (s *Server) readBody(r *http.Request) ([]byte, *APIError) {
	if r.Body == nil {
		return nil, nil
	}
	limit := s.opts.MaxBodyBytes
	tooLarge := &APIError{413, "RequestEntityTooLarge", fmt.Sprintf("The request content is larger than the limit of %d bytes.", limit)}
	if r.ContentLength > limit {
		return nil, tooLarge
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, bigBody))
	if err == nil && int64(len(b)) == bigBody {
		select {
		case s.bigBods <- struct{}{}:
			defer func() { <-s.bigBods }()
		case <-r.Context().Done():
			return nil, &APIError{400, "InvalidRequestContent", "The request was cancelled."}
		}
		var rest []byte
		rest, err = io.ReadAll(io.LimitReader(r.Body, limit-bigBody+1))
		b = append(b, rest...)
	}
	if err != nil {
		return nil, &APIError{400, "InvalidRequestContent", "The request content could not be read."}
	}
	if int64(len(b)) > limit {
		return nil, tooLarge
	}
	return b, nil
}

func (s *Server) unauthorized(w http.ResponseWriter, e *APIError) {
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer authorization_uri="%s/adfs", error="invalid_token", error_description="%s"`, s.base, e.Message))
	WriteError(w, e)
}

func splitPath(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// NewOperation starts an async operation and persists it before it is announced.
func (s *Server) NewOperation(kind, target string, data any) (*Operation, error) {
	op := &Operation{ID: uuid.NewString(), Kind: kind, Target: target, Status: "InProgress", StartTime: time.Now().UTC()}
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return nil, err
		}
		op.Data = b
	}
	s.opDone.Store(op.ID, make(chan struct{}))
	return op, s.store.PutOperation(op)
}

// AwaitOperation waits until the operation finishes, at most d. One that
// has already finished returns at once; one this process did not start (an
// operation resumed after a restart) is waited for the whole of d.
func (s *Server) AwaitOperation(ctx context.Context, id string, d time.Duration) {
	var done chan struct{}
	if ch, ok := s.opDone.Load(id); ok {
		done = ch.(chan struct{})
	} else if op, err := s.store.GetOperation(id); err == nil && op.Status != "InProgress" {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	case <-done:
	}
}

// Create stores a new resource with the operation that will provision it
// (resumed by kind after a restart): the operation first, so no resource is
// ever stored without the work that finishes it.
func (s *Server) Create(res *Resource, kind string) (*Operation, *APIError) {
	op, err := s.NewOperation(kind, res.ID, nil)
	if err == nil {
		err = s.store.Put(res)
	}
	if err != nil {
		return nil, NewError(500, "InternalServerError", "The store failed: "+err.Error())
	}
	return op, nil
}

// FinishOperation records an operation's end.
func (s *Server) FinishOperation(op *Operation, e *ErrorBody) {
	now := time.Now().UTC()
	op.EndTime = &now
	op.Status = "Succeeded"
	if e != nil {
		op.Status, op.Error = "Failed", e
	}
	_ = s.store.PutOperation(op)
	if ch, ok := s.opDone.LoadAndDelete(op.ID); ok {
		close(ch.(chan struct{}))
	}
}

// Go runs f in the background, tracked so Close waits for it.
func (s *Server) Go(f func(ctx context.Context)) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f(s.ctx)
	}()
}

// RegisterResumer lets a resource type finish its own operations after a restart.
func (s *Server) RegisterResumer(kind string, f func(*Operation)) { s.resumers[kind] = f }

// resume restarts or fails operations that were in flight when the process died,
// so none stays InProgress forever.
func (s *Server) resume() {
	ops, err := s.store.Operations()
	if err != nil {
		return
	}
	for _, op := range ops {
		if op.Status != "InProgress" {
			continue
		}
		if f, ok := s.resumers[op.Kind]; ok {
			op := op
			s.Go(func(context.Context) { f(op) })
			continue
		}
		s.FinishOperation(op, &ErrorBody{Code: "OperationInterrupted", Message: "The operation was interrupted because aci local stopped; retry it."})
	}
}

// Warn records something a provider could not do in the background, where
// no client is waiting to be told. Messages carry ids and errors, never
// secrets.
func (s *Server) Warn(msg string, args ...any) {
	s.reqLog.Warn(msg, args...)
}

// RetryAfter tells a client when to poll an operation again: in a second
// (Retry-After, seconds only), or sooner where the client reads
// Retry-After-Ms as the Azure SDKs (Go's, and Python's under az) do. What
// aci local does takes tenths of a second, so a whole second between polls
// was most of a create's time.
func RetryAfter(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "1")
	w.Header().Set("Retry-After-Ms", strconv.Itoa(int(PollInterval/time.Millisecond)))
}

// PollInterval is the wait between polls aci local asks for.
const PollInterval = 100 * time.Millisecond
