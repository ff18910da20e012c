package arm

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	armruntime "github.com/Azure/azure-sdk-for-go/sdk/azcore/arm/runtime"
	azcloud "github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/aci-cli/aci/internal/redact"
	"github.com/google/uuid"
)

// Options configures the pipeline shared by every client of one invocation.
type Options struct {
	Version string    // for the User-Agent
	Debug   io.Writer // non-nil: log every request and response (redacted)
	// Verbose non-nil: say on it when a request is retried, and why.
	Verbose io.Writer
	// HTTPClient overrides the transport (tests); otherwise one is built that trusts
	// the system roots, SSL_CERT_FILE and the cloud's own CA bundle.
	HTTPClient *http.Client
}

// Timeouts bound each network step: a server that accepts and never answers, a stalled TLS
// handshake or token endpoint must end in an error that names what timed out,
// never a hang.
type Timeouts struct {
	Dial, TLSHandshake, ResponseHeader time.Duration
	// Try bounds one try, body included (a short body never completes).
	Try time.Duration
}

// DefaultTimeouts are every command's.
var DefaultTimeouts = Timeouts{Dial: 10 * time.Second, TLSHandshake: 10 * time.Second,
	ResponseHeader: 60 * time.Second, Try: 2 * time.Minute}

// HTTPClient builds the transport for a cloud. Certificates are verified against
// the cloud's own CA bundle first and the system roots (with SSL_CERT_FILE) second:
// parsing the system pool costs more CPU than the rest of a command, so a cloud
// with its own CA (aci local) never pays for it. Redirects never carry
// credentials to another origin or over plain HTTP.
func HTTPClient(c *Cloud) (*http.Client, error) { return NewHTTPClient(c, DefaultTimeouts) }

// NewHTTPClient is HTTPClient with other timeouts.
func NewHTTPClient(c *Cloud, t Timeouts) (*http.Client, error) {
	own, err := cloudPool(c)
	if err != nil {
		return nil, err
	}
	base := &net.Dialer{Timeout: t.Dial, KeepAlive: 30 * time.Second}
	dialer := loopbackDialer{base, c}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = dialer.DialContext
	tr.Proxy = func(r *http.Request) (*url.URL, error) {
		if c.loopbackTarget(r.URL.Hostname()) != "" {
			return nil, nil // this machine's own names never go through a proxy
		}
		return http.ProxyFromEnvironment(r)
	}
	tr.TLSHandshakeTimeout = t.TLSHandshake
	tr.ResponseHeaderTimeout = t.ResponseHeader
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	if own != nil {
		// The host to verify is the one dialled: for an IP-literal endpoint the
		// handshake's ServerName is empty, so it is bound per connection here.
		tr.TLSClientConfig = pinnedConfig(own, "", c.LoopbackSuffix != "")
		tr.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			raw, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			tc := tls.Client(raw, pinnedConfig(own, host, c.LoopbackSuffix != ""))
			hctx, cancel := context.WithTimeout(ctx, t.TLSHandshake)
			defer cancel()
			if err := tc.HandshakeContext(hctx); err != nil {
				raw.Close()
				if hctx.Err() != nil && ctx.Err() == nil {
					return nil, &TimeoutError{Step: "the TLS handshake", Limit: t.TLSHandshake}
				}
				return nil, err
			}
			return tc, nil
		}
	}
	return &http.Client{Transport: tr, CheckRedirect: SafeRedirect}, nil
}

// TimeoutError is a network step that took longer than its limit; it names
// the step and the limit, so the message says which one fired.
type TimeoutError struct {
	Step  string
	Limit time.Duration
}

func (e *TimeoutError) Error() string   { return fmt.Sprintf("%s took longer than %v", e.Step, e.Limit) }
func (e *TimeoutError) Timeout() bool   { return true }
func (e *TimeoutError) Temporary() bool { return false }

// loopbackDialer dials hosts under a cloud's loopback suffix at its loopback
// address (no DNS: the name is aci local's, and must not leave the machine).
type loopbackDialer struct {
	*net.Dialer
	cloud *Cloud
}

func (d loopbackDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if host, port, err := net.SplitHostPort(addr); err == nil {
		if target := d.cloud.loopbackTarget(host); target != "" {
			addr = net.JoinHostPort(target, port)
		}
	}
	return d.Dialer.DialContext(ctx, network, addr)
}

// SafeRedirect follows at most 10 redirects and, as Python's requests does,
// drops credentials when a redirect changes scheme, host or port, and always
// when it goes to plain HTTP.
func SafeRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	first := via[0].URL
	if req.URL.Scheme != "https" || req.URL.Scheme != first.Scheme || !strings.EqualFold(hostPort(req.URL), hostPort(first)) {
		for _, h := range []string{"Authorization", "X-Ms-Authorization-Auxiliary", "Cookie", "X-Identity-Header", "Secret"} {
			req.Header.Del(h)
		}
	}
	return nil
}

func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
	}
	return net.JoinHostPort(u.Hostname(), port)
}

func cloudPool(c *Cloud) (*x509.CertPool, error) {
	if c == nil || c.CABundle == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(c.CABundle)
	if err != nil {
		return nil, fmt.Errorf("reading the CA bundle of cloud '%s': %v", c.Name, err)
	}
	own := x509.NewCertPool()
	if !own.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("the CA bundle of cloud '%s' (%s) holds no certificate", c.Name, c.CABundle)
	}
	return own, nil
}

// pinnedConfig verifies the chain against own (then the system roots) and the
// certificate's name against host, or, when host is empty, the handshake's
// server name; with neither it fails closed. On this machine (local: aci
// local's loopback endpoint) the key exchange is X25519 alone: the hybrid
// post-quantum exchange Go offers by default costs each side more CPU than
// the rest of a short command's handshake, for traffic that never leaves
// the host.
func pinnedConfig(own *x509.CertPool, host string, local bool) *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: true}
	if local {
		cfg.CurvePreferences = []tls.CurveID{tls.X25519}
	}
	if host != "" && net.ParseIP(host) == nil {
		cfg.ServerName = host
	}
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		name := host
		if name == "" {
			name = cs.ServerName
		}
		return verifyChain(cs, own, name)
	}
	return cfg
}

// TLSConfig is the TLS configuration for a cloud's endpoint host (also used for
// the exec websocket).
func TLSConfig(c *Cloud, host string) (*tls.Config, error) {
	own, err := cloudPool(c)
	if err != nil || own == nil {
		return &tls.Config{MinVersion: tls.VersionTLS12}, err
	}
	return pinnedConfig(own, host, c.LoopbackSuffix != ""), nil
}

func verifyChain(cs tls.ConnectionState, own *x509.CertPool, host string) error {
	if len(cs.PeerCertificates) == 0 {
		return fmt.Errorf("tls: the server sent no certificate")
	}
	if host == "" {
		return fmt.Errorf("tls: no host name to verify the certificate against")
	}
	// DNSName may be an IP literal: Verify then checks the IP SANs exactly.
	opts := x509.VerifyOptions{DNSName: host, Roots: own, Intermediates: x509.NewCertPool()}
	for _, ic := range cs.PeerCertificates[1:] {
		opts.Intermediates.AddCert(ic)
	}
	_, err := cs.PeerCertificates[0].Verify(opts)
	if err == nil {
		return nil
	}
	opts.Roots = nil // the system roots
	if _, sysErr := cs.PeerCertificates[0].Verify(opts); sysErr == nil {
		return nil
	}
	return err
}

// ClientOptions builds azcore options: one x-ms-client-request-id per invocation
// (as az), aci's User-Agent, retries honouring Retry-After, and debug logging.
func ClientOptions(o Options, c *Cloud) (policy.ClientOptions, error) {
	hc := o.HTTPClient
	if hc == nil {
		var err error
		if hc, err = HTTPClient(c); err != nil {
			return policy.ClientOptions{}, err
		}
	}
	co := policy.ClientOptions{
		Transport: hc,
		Retry: policy.RetryOptions{MaxRetries: 4, RetryDelay: time.Second, MaxRetryDelay: 60 * time.Second,
			TryTimeout: DefaultTimeouts.Try, StatusCodes: retryStatus, ShouldRetry: shouldRetry},
		Telemetry: policy.TelemetryOptions{ApplicationID: "aci/" + o.Version},
		// Per call, not per retry: a data-plane client signs its requests
		// (Shared Key) in its own per-retry stage, and a header added after
		// the signature would break it, as it would on Azure.
		PerCallPolicies: []policy.Policy{invocationIDPolicy(uuid.NewString())},
	}
	if o.Debug != nil {
		co.PerRetryPolicies = append(co.PerRetryPolicies, &debugPolicy{w: o.Debug})
	}
	if o.Verbose != nil {
		co.PerRetryPolicies = append(co.PerRetryPolicies, retryNotice{w: o.Verbose})
	}
	if c != nil {
		co.Cloud = azcloud.Configuration{Services: map[azcloud.ServiceName]azcloud.ServiceConfiguration{
			azcloud.ResourceManager: {Endpoint: c.ResourceManager(), Audience: c.Audience()},
		}}
		host, _, _ := Authority(c, "")
		co.Cloud.ActiveDirectoryAuthorityHost = host
	}
	return co, nil
}

var retryStatus = []int{408, 429, 500, 502, 503, 504}

// shouldRetry is azcore's rule (transport errors and retryStatus) except that a
// refused connection is final: nothing listens there, and retrying only hides it.
//
// Nor is a timeout retried: each limit (connect, TLS handshake, response
// headers, the whole try) is the time the user waits, as the README says,
// not five times it.
func shouldRetry(resp *http.Response, err error) bool {
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
			return false
		}
		return !errors.Is(err, syscall.ECONNREFUSED) && !errors.Is(err, context.Canceled)
	}
	return resp != nil && slices.Contains(retryStatus, resp.StatusCode)
}

// retryNotice says, with --verbose, when an answer will be retried: a
// throttled or failing service otherwise looks like a hang.
type retryNotice struct{ w io.Writer }

func (n retryNotice) Do(req *policy.Request) (*http.Response, error) {
	resp, err := req.Next()
	if shouldRetry(resp, err) && req.Raw().Context().Err() == nil {
		why := ""
		if err != nil {
			why = err.Error()
		} else {
			why = resp.Status
			if ra := resp.Header.Get("Retry-After"); ra != "" {
				why += ", Retry-After " + ra
			}
		}
		fmt.Fprintf(n.w, "INFO: %s %s: %s; retrying\n", req.Raw().Method, redact.URL(req.Raw().URL.String()), why)
	}
	return resp, err
}

type invocationIDPolicy string

func (id invocationIDPolicy) Do(req *policy.Request) (*http.Response, error) {
	req.Raw().Header.Set("x-ms-client-request-id", string(id))
	return req.Next()
}

// debugPolicy prints what az's --debug prints about HTTP, secrets redacted.
type debugPolicy struct {
	w  io.Writer
	mu sync.Mutex
}

func (d *debugPolicy) Do(req *policy.Request) (*http.Response, error) {
	raw := req.Raw()
	var body []byte
	if rb := req.Body(); rb != nil {
		body, _ = io.ReadAll(rb)
		if err := req.RewindBody(); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	resp, err := req.Next()
	elapsed := time.Since(start)
	var b strings.Builder
	fmt.Fprintf(&b, "DEBUG: Request URL: '%s'\n", redact.URL(raw.URL.String()))
	fmt.Fprintf(&b, "DEBUG: Request method: '%s'\n", raw.Method)
	b.WriteString("DEBUG: Request headers:\n")
	writeHeaders(&b, raw.Header)
	if len(body) > 0 {
		fmt.Fprintf(&b, "DEBUG: Request body:\nDEBUG: %s\n", redact.Body(body))
	}
	if err != nil {
		fmt.Fprintf(&b, "DEBUG: Request failed after %.3f s: %v\n", elapsed.Seconds(), err)
	} else {
		fmt.Fprintf(&b, "DEBUG: Response status: %d\n", resp.StatusCode)
		b.WriteString("DEBUG: Response headers:\n")
		writeHeaders(&b, resp.Header)
		if resp.Body != nil {
			rb, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			resp.Body = io.NopCloser(bytes.NewReader(rb))
			if rerr == nil && len(rb) > 0 {
				fmt.Fprintf(&b, "DEBUG: Response content:\nDEBUG: %s\n", redact.Body(rb))
			}
		}
		fmt.Fprintf(&b, "DEBUG: Request took %.3f s\n", elapsed.Seconds())
	}
	d.mu.Lock()
	_, _ = io.WriteString(d.w, b.String()) // the debug log is best effort
	d.mu.Unlock()
	return resp, err
}

func writeHeaders(b *strings.Builder, h http.Header) {
	var names []string
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(b, "DEBUG:     '%s': '%s'\n", k, redact.Header(k, strings.Join(h[k], ", ")))
	}
}

// Client is the factory of every ARM service for one subscription.
type Client struct {
	Cred         azcore.TokenCredential
	Options      policy.ClientOptions
	Subscription string
}

func (c *Client) armOptions() *arm.ClientOptions {
	return &arm.ClientOptions{ClientOptions: c.Options}
}

func newPipeline(c *Client) (runtime.Pipeline, string, error) {
	pl, err := armruntime.NewPipeline("aci", "v0", c.Cred, runtime.PipelineOptions{}, c.armOptions())
	if err != nil {
		return runtime.Pipeline{}, "", err
	}
	ep := c.Options.Cloud.Services[azcloud.ResourceManager].Endpoint
	if ep == "" {
		ep = "https://management.azure.com"
	}
	return pl, strings.TrimRight(ep, "/"), nil
}
