package local

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aci-cli/aci/internal/redact"
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
}

// Server is one aci local instance.
type Server struct {
	opts     Options
	store    *Store
	id       *Identity
	tokens   *tokenService
	handlers map[string]Handler // lower-cased "Namespace/type"
	resumers map[string]func(*Operation)
	mux      *http.ServeMux
	reqLog   *slog.Logger
	logFile  *os.File
	throttle atomic.Int64
	http     *http.Server
	ln       net.Listener
	base     string
	started  time.Time
	wg       sync.WaitGroup
	ctx      context.Context
	cancel   context.CancelFunc
}

// apiError is an ARM error answer.
type apiError struct {
	Status        int
	Code, Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = 500, []byte(`{"error":{"code":"InternalServerError","message":"encoding failed"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.Status, map[string]any{"error": map[string]any{"code": e.Code, "message": e.Message}})
}

// New opens the state dir (creating CA, identity and store on first use).
func New(o Options) (*Server, error) {
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	if o.PageSize <= 0 {
		o.PageSize = 1000
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
	lf, err := os.OpenFile(filepath.Join(o.StateDir, "requests.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		st.Close()
		return nil, err
	}
	s := &Server{opts: o, store: st, id: id, handlers: map[string]Handler{}, resumers: map[string]func(*Operation){},
		mux: http.NewServeMux(), logFile: lf, reqLog: slog.New(slog.NewJSONHandler(lf, nil))}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.tokens = &tokenService{id: id, base: func(*http.Request) string { return s.base }}
	s.tokens.register(s.mux)
	s.mux.HandleFunc("GET /aci-local/status", s.status)
	s.mux.HandleFunc("/", s.arm)
	s.resumers["resourceGroupDelete"] = s.runGroupDelete
	return s, nil
}

// Register adds a resource type. It must be called before Start.
func (s *Server) Register(h Handler) { s.handlers[strings.ToLower(h.Type())] = h }

// Store is the server's store, for handlers.
func (s *Server) Store() *Store { return s.store }

// Identity is the local tenant.
func (s *Server) Identity() *Identity { return s.id }

// BaseURL is https://host:port once started.
func (s *Server) BaseURL() string { return s.base }

// Start listens and serves in the background; in-flight operations from a
// previous run are resumed or failed.
func (s *Server) Start() error {
	host, _, err := net.SplitHostPort(s.opts.Listen)
	if err != nil {
		return fmt.Errorf("--listen %q: %v", s.opts.Listen, err)
	}
	cert, err := ensurePKI(s.opts.StateDir, []string{host})
	if err != nil {
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
	s.http = &http.Server{Handler: s.middleware(s.mux), ReadHeaderTimeout: 30 * time.Second,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ErrorLog:  nil}
	s.resume()
	go func() { _ = s.http.ServeTLS(ln, "", "") }()
	return nil
}

// Close stops serving and closes the store.
func (s *Server) Close() error {
	s.cancel()
	if s.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = s.http.Shutdown(ctx)
		cancel()
	}
	s.wg.Wait()
	s.logFile.Close()
	return s.store.Close()
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(c int) { r.status = c; r.ResponseWriter.WriteHeader(c) }
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

// middleware adds ARM's request-id headers and writes the request log (never
// tokens or secrets: the query is redacted and bodies are not logged).
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
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
		next.ServeHTTP(rec, r)
		s.reqLog.Info("request", "method", r.Method, "path", r.URL.Path, "query", redact.URL(r.URL.RawQuery),
			"status", rec.status, "durationMs", float64(time.Since(start).Microseconds())/1000, "requestId", reqID,
			"correlationId", corr, "clientRequestId", r.Header.Get("x-ms-client-request-id"), "userAgent", r.UserAgent())
	})
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, map[string]any{"endpoint": s.base, "version": s.opts.Version, "pid": os.Getpid(),
		"runtime": s.opts.Runtime, "stateDir": s.opts.StateDir, "started": s.started.UTC().Format(time.RFC3339),
		"subscriptionId": s.id.SubscriptionID, "tenantId": s.id.TenantID})
}

var apiVersionRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(-[A-Za-z0-9]+)?$`)

// arm is the entry point of every ARM request: api-version, auth, throttling, then
// the route.
func (s *Server) arm(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/aci-local/throttle" {
		if _, err := s.tokens.verify(r.Header.Get("Authorization")); err != nil {
			s.unauthorized(w, err)
			return
		}
		var body struct {
			Requests int64 `json:"requests"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		s.throttle.Store(body.Requests)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	v := r.URL.Query().Get("api-version")
	if v == "" {
		writeError(w, &apiError{400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests."})
		return
	}
	if !apiVersionRE.MatchString(v) {
		writeError(w, &apiError{400, "InvalidApiVersionParameter", fmt.Sprintf("The api-version '%s' is invalid. The supported versions are '2026-05-01,2025-09-01,2024-11-01,2023-05-01,2022-09-01,2021-04-01,2019-11-01'.", v)})
		return
	}
	claims, aerr := s.tokens.verify(r.Header.Get("Authorization"))
	if aerr != nil {
		s.unauthorized(w, aerr)
		return
	}
	if n := s.throttle.Load(); n > 0 && s.throttle.CompareAndSwap(n, n-1) {
		w.Header().Set("Retry-After", "1")
		writeError(w, &apiError{429, "TooManyRequests", "The request is being throttled as the limit has been reached for operation type - Read/Write. Please retry after 1 second."})
		return
	}
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
		if err != nil {
			writeError(w, &apiError{400, "InvalidRequestContent", "The request content could not be read."})
			return
		}
		body = b
	}
	req := &Request{Request: r, Server: s, Body: body, APIVersion: v, Claims: claims, segs: splitPath(r.URL.Path)}
	s.route(w, req)
}

func (s *Server) unauthorized(w http.ResponseWriter, e *apiError) {
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer authorization_uri="%s/adfs", error="invalid_token", error_description="%s"`, s.base, e.Message))
	writeError(w, e)
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

// newOperation starts an async operation and persists it before it is announced.
func (s *Server) newOperation(kind, target string, data any) (*Operation, error) {
	op := &Operation{ID: uuid.NewString(), Kind: kind, Target: target, Status: "InProgress", StartTime: time.Now().UTC()}
	if data != nil {
		b, _ := json.Marshal(data)
		op.Data = b
	}
	return op, s.store.PutOperation(op)
}

// finishOperation records an operation's end.
func (s *Server) finishOperation(op *Operation, e *ErrorBody) {
	now := time.Now().UTC()
	op.EndTime = &now
	op.Status = "Succeeded"
	if e != nil {
		op.Status, op.Error = "Failed", e
	}
	_ = s.store.PutOperation(op)
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
		s.finishOperation(op, &ErrorBody{Code: "OperationInterrupted", Message: "The operation was interrupted because aci local stopped; retry it."})
	}
}
