package core

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"github.com/golang-jwt/jwt/v5"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// What a client gets before it has proved anything. Every listener (ARM and
// each data plane) has its own connection table and its own pool of in-flight
// slots, so no client of one can use up another's capacity; a request takes
// a slot only once its body is in (or, for a data plane's streamed upload,
// its first MiB is), so a client that trickles bytes holds a connection, never
// a slot; and a connection that stalls before its request is read is the
// first closed when the table is full.

const (
	// maxConnsPerClient bounds one client address's open connections.
	maxConnsPerClient = 256
	// maxConns bounds a listener's open connections.
	maxConns = 1024
	// prereadBytes is how much of a streamed (data-plane) body is read
	// before the request takes a slot.
	prereadBytes = 1 << 20
	// minBodyRate is the slowest a body may arrive, on average, once its
	// grace period is over.
	minBodyRate = 16 << 10
)

// quietLog drops net/http's own messages (TLS handshakes a client broke off,
// connections a bound closed): any local process can cause them at will, and
// the request log records every request that was read.
var quietLog = log.New(io.Discard, "", 0)

// pool is a listener's in-flight slots.
type pool chan struct{}

// acquire takes a slot: at once when one is free (no timer on the common
// path), else waiting up to 10 s or until the client goes.
func (p pool) acquire(r *http.Request) bool {
	select {
	case p <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(10 * time.Second)
	defer t.Stop()
	select {
	case p <- struct{}{}:
		return true
	case <-t.C:
	case <-r.Context().Done():
	}
	return false
}

func (p pool) release() { <-p }

// trackedConn is a connection in a listener's table. reading is when the
// request now being read began (0 once its body is in or between requests):
// the oldest reader is the one evicted when the table is full.
type trackedConn struct {
	net.Conn
	l       *connTable
	client  string
	reading atomic.Int64
	once    sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() { c.l.forget(c) })
	return c.Conn.Close()
}

type connCtxKey struct{}

// connTable is a listener that bounds open connections per client address
// and in all; a new connection over a bound first closes the longest-stalled
// reader (a connection whose request has not been read for over 100 ms),
// and is refused only when every connection is busy being served.
type connTable struct {
	net.Listener
	perClient, total int
	mu               sync.Mutex
	conns            map[*trackedConn]struct{}
	byClient         map[string]int
	refused          atomic.Int64
}

func newConnTable(ln net.Listener) *connTable {
	return &connTable{Listener: ln, perClient: maxConnsPerClient, total: maxConns,
		conns: map[*trackedConn]struct{}{}, byClient: map[string]int{}}
}

func clientOf(c net.Conn) string {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP.String()
	}
	return c.RemoteAddr().String()
}

func (l *connTable) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		tc := &trackedConn{Conn: c, l: l, client: clientOf(c)}
		tc.reading.Store(time.Now().UnixNano())
		if l.admit(tc) {
			return tc, nil
		}
		l.refused.Add(1)
		_ = c.Close()
	}
}

// admit adds c to the table, making room by closing a stalled reader when a
// bound is reached.
func (l *connTable) admit(c *trackedConn) bool {
	l.mu.Lock()
	var victim *trackedConn
	full := len(l.conns) >= l.total
	clientFull := l.byClient[c.client] >= l.perClient
	if full || clientFull {
		victim = l.stalledLocked(c.client, clientFull && !full)
		if victim == nil {
			l.mu.Unlock()
			return false
		}
		l.forgetLocked(victim)
	}
	l.conns[c] = struct{}{}
	l.byClient[c.client]++
	l.mu.Unlock()
	if victim != nil {
		victim.once.Do(func() {})
		_ = victim.Conn.Close()
	}
	return true
}

// stalledLocked is the connection that has been reading one request the
// longest (over 100 ms: on loopback a request that is sent arrives in far
// less), of client alone when sameClient.
func (l *connTable) stalledLocked(client string, sameClient bool) *trackedConn {
	var oldest *trackedConn
	var since int64
	limit := time.Now().Add(-100 * time.Millisecond).UnixNano()
	for c := range l.conns {
		if sameClient && c.client != client {
			continue
		}
		r := c.reading.Load()
		if r != 0 && r < limit && (oldest == nil || r < since) {
			oldest, since = c, r
		}
	}
	return oldest
}

func (l *connTable) forget(c *trackedConn) {
	l.mu.Lock()
	l.forgetLocked(c)
	l.mu.Unlock()
}

func (l *connTable) forgetLocked(c *trackedConn) {
	if _, ok := l.conns[c]; !ok {
		return
	}
	delete(l.conns, c)
	if l.byClient[c.client]--; l.byClient[c.client] <= 0 {
		delete(l.byClient, c.client)
	}
}

// connState keeps a connection's reading mark: a new request starts reading
// when its first byte arrives; an idle connection reads nothing.
func connState(c net.Conn, st http.ConnState) {
	if t, ok := c.(*tls.Conn); ok {
		c = t.NetConn()
	}
	tc, ok := c.(*trackedConn)
	if !ok {
		return
	}
	switch st {
	case http.StateActive:
		tc.reading.Store(time.Now().UnixNano())
	case http.StateIdle, http.StateHijacked:
		tc.reading.Store(0)
	}
}

// bounded applies a listener's table and hooks to an http.Server.
func bounded(srv *http.Server, ln net.Listener) net.Listener {
	t := newConnTable(ln)
	srv.ConnState = connState
	srv.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		if tc, ok := c.(*tls.Conn); ok {
			c = tc.NetConn()
		}
		return context.WithValue(ctx, connCtxKey{}, c)
	}
	return t
}

// bodyIn marks the request's connection as served, no longer stalled.
func bodyIn(r *http.Request) {
	if tc, ok := r.Context().Value(connCtxKey{}).(*trackedConn); ok {
		tc.reading.Store(0)
	}
}

// errSlowBody is a body that arrives slower than minBodyRate.
var errSlowBody = errors.New("the request body arrives too slowly")

// bodyReader reads a streamed body with a progress deadline: each read must
// bring bytes within grace, and past grace the body must average minBodyRate.
type bodyReader struct {
	io.ReadCloser
	rc    *http.ResponseController
	grace time.Duration
	start time.Time
	n     int64
}

func (b *bodyReader) Read(p []byte) (int, error) {
	now := time.Now()
	if el := now.Sub(b.start); el > b.grace && float64(b.n) < el.Seconds()*minBodyRate {
		_ = b.rc.SetReadDeadline(now) // nor may the server wait for the rest
		return 0, errSlowBody
	}
	_ = b.rc.SetReadDeadline(now.Add(b.grace))
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	if err == io.EOF {
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

// unauthenticatedBody is how much of a body is read ahead for a request
// without a valid bearer token: the sign-in forms need no more.
const unauthenticatedBody = 64 << 10

// preread reads a request's body before it may take a slot: whole (up to the
// body limit) for ARM, whose handlers want it whole anyway, and 64 KiB when
// the request carries no valid token (a form to the sign-in endpoints; a
// larger body stays unread for the handler to refuse); its first MiB for a
// data plane, whose uploads stream on under bodyReader's deadlines.
//
// The head is read into a pooled buffer, which release gives back once the
// handler has returned: a 4 MiB file range allocated a fresh MiB (grown from
// 512 bytes) per request, and collecting it was an eighth of the server's
// CPU in an upload.
func (s *Server) preread(w http.ResponseWriter, r *http.Request, whole bool) (_ *http.Request, release func(), _ *APIError) {
	release = func() {}
	defer bodyIn(r)
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return r, release, nil
	}
	rc := http.NewResponseController(w)
	start, grace := time.Now(), s.opts.BodyGrace
	_ = rc.SetReadDeadline(start.Add(grace))
	failed := true
	defer func() {
		// A body that failed stays failed: the server must not then wait
		// for the rest of it to discard it.
		if !failed {
			_ = rc.SetReadDeadline(time.Time{})
		}
	}()
	limit := int64(prereadBytes)
	if whole {
		if claims, aerr := s.tokens.verify(r.Header.Get("Authorization")); aerr == nil {
			b, aerr := s.readBody(r)
			if aerr != nil {
				return r, release, aerr
			}
			r.Body = io.NopCloser(bytes.NewReader(b))
			failed = false
			// ARM takes both from here rather than verify and copy again.
			return r.WithContext(context.WithValue(r.Context(), armReadKey{}, &armRead{claims, b})), release, nil
		}
		limit = unauthenticatedBody
	}
	buf := headPool.Get().(*[]byte)
	n, err := io.ReadFull(r.Body, (*buf)[:limit])
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		headPool.Put(buf)
		return r, release, &APIError{408, "RequestTimeout", "The request body did not arrive in time."}
	}
	release = func() { headPool.Put(buf) }
	head := (*buf)[:n]
	failed = false
	if int64(n) < limit {
		r.Body = io.NopCloser(bytes.NewReader(head))
		return r, release, nil
	}
	var rest io.Reader = r.Body
	if !whole {
		rest = &bodyReader{ReadCloser: r.Body, rc: rc, grace: grace, start: start, n: int64(len(head))}
	}
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), rest), r.Body}
	return r, release, nil
}

// headPool holds preread's buffers. Handlers read a body through readers
// that copy out of the buffer, never keeping a slice of it, so it is free
// again when the handler returns.
var headPool = sync.Pool{New: func() any {
	b := make([]byte, prereadBytes)
	return &b
}}

// armRead is what preread verified and read of an ARM request.
type armRead struct {
	claims jwt.MapClaims
	body   []byte
}

type armReadKey struct{}
