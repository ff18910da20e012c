package arm

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
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
	// HTTPClient overrides the transport (tests); otherwise one is built that trusts
	// the system roots, SSL_CERT_FILE and the cloud's own CA bundle.
	HTTPClient *http.Client
}

// HTTPClient builds the transport for a cloud. Certificates are verified against
// the cloud's own CA bundle first and the system roots (with SSL_CERT_FILE) second:
// parsing the system pool costs more CPU than the rest of a command, so a cloud
// with its own CA (aci local) never pays for it.
func HTTPClient(c *Cloud) (*http.Client, error) {
	cfg, err := TLSConfig(c)
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = cfg
	return &http.Client{Transport: tr}, nil
}

// TLSConfig is the TLS configuration for a cloud's endpoints (also used for the
// exec websocket).
func TLSConfig(c *Cloud) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if c != nil && c.CABundle != "" {
		pem, err := os.ReadFile(c.CABundle)
		if err != nil {
			return nil, fmt.Errorf("reading the CA bundle of cloud '%s': %v", c.Name, err)
		}
		own := x509.NewCertPool()
		if !own.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("the CA bundle of cloud '%s' (%s) holds no certificate", c.Name, c.CABundle)
		}
		// Full verification (chain and host name) done by hand against two pools.
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = func(cs tls.ConnectionState) error { return verifyChain(cs, own) }
	}
	return cfg, nil
}

func verifyChain(cs tls.ConnectionState, own *x509.CertPool) error {
	if len(cs.PeerCertificates) == 0 {
		return fmt.Errorf("tls: the server sent no certificate")
	}
	opts := x509.VerifyOptions{DNSName: cs.ServerName, Roots: own, Intermediates: x509.NewCertPool()}
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
			StatusCodes: []int{408, 429, 500, 502, 503, 504}},
		Telemetry:        policy.TelemetryOptions{ApplicationID: "aci/" + o.Version},
		PerRetryPolicies: []policy.Policy{invocationIDPolicy(uuid.NewString())},
	}
	if o.Debug != nil {
		co.PerRetryPolicies = append(co.PerRetryPolicies, &debugPolicy{w: o.Debug})
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
	io.WriteString(d.w, b.String())
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
