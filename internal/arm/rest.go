package arm

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
)

// Token gets an access token for scopes with this client's credential (the
// same cache as every ARM call).
func (c *Client) Token(ctx context.Context, scopes []string) (azcore.AccessToken, error) {
	return c.Cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: scopes})
}

// ResourceScopes is az's resource_to_scopes: "https://x/" → "https://x/.default".
func ResourceScopes(resource string) []string {
	if !strings.HasSuffix(resource, "/") {
		resource += "/"
	}
	return []string{resource + ".default"}
}

// RestResponse is what a raw request answered.
type RestResponse struct {
	Status int
	Reason string
	Header http.Header
	Body   []byte
}

// Send makes one request (aci rest) through the same pipeline as the SDK
// clients: retries, timeouts, the invocation id, --debug's redacted log. With
// scopes it carries a bearer token for them; without, no credentials.
func (c *Client) Send(ctx context.Context, method, rawURL string, header http.Header, body []byte, scopes []string) (*RestResponse, error) {
	var perRetry []policy.Policy
	if len(scopes) > 0 {
		perRetry = append(perRetry, runtime.NewBearerTokenPolicy(c.Cred, scopes, nil))
	}
	pl := runtime.NewPipeline("aci", "v0", runtime.PipelineOptions{PerRetry: perRetry}, &c.Options)
	if _, err := url.Parse(rawURL); err != nil {
		return nil, err
	}
	req, err := runtime.NewRequest(ctx, strings.ToUpper(method), rawURL)
	if err != nil {
		return nil, err
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Raw().Header.Add(k, v)
		}
	}
	if len(body) > 0 {
		ct := req.Raw().Header.Get("Content-Type")
		if ct == "" {
			ct = "application/json"
		}
		if err := req.SetBody(streaming.NopCloser(bytes.NewReader(body)), ct); err != nil {
			return nil, err
		}
	}
	resp, err := pl.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &RestResponse{Status: resp.StatusCode, Reason: http.StatusText(resp.StatusCode), Header: resp.Header, Body: b}, nil
}
