package arm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armsubscriptions"
)

// resourcesAPIVersion is what armresources v1.2.0 sends (and az 2.45 too).
const resourcesAPIVersion = "2021-04-01"

// Raw is a resource as the service returned it.
type Raw = map[string]any

func captured(ctx context.Context) (context.Context, *(*http.Response)) {
	var resp *http.Response
	return policy.WithCaptureResponse(ctx, &resp), &resp
}

func decodeBody(resp *http.Response) (Raw, error) {
	if resp == nil {
		return nil, nil
	}
	b, err := runtime.Payload(resp)
	if err != nil {
		return nil, err
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return nil, nil
	}
	var m Raw
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("the service answered with invalid JSON: %v", err)
	}
	return m, nil
}

func pageValues(resp *http.Response) ([]any, error) {
	m, err := decodeBody(resp)
	if err != nil || m == nil {
		return nil, err
	}
	v, _ := m["value"].([]any)
	return v, nil
}

// collect pages through an SDK pager, keeping each page's wire "value" items.
func collect[T any](ctx context.Context, pager *runtime.Pager[T]) ([]any, error) {
	out := []any{}
	for pager.More() {
		cctx, r := captured(ctx)
		if _, err := pager.NextPage(cctx); err != nil {
			return nil, Wrap(err)
		}
		v, err := pageValues(*r)
		if err != nil {
			return nil, err
		}
		out = append(out, v...)
	}
	return out, nil
}

// Progress is told about each poll of a long-running operation.
type Progress func()

type pollDelayKey struct{}

// WithPollDelay sets the wait between polls of long-running operations whose
// service sends no Retry-After (default 5 s).
func WithPollDelay(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, pollDelayKey{}, d)
}

func pollDelay(ctx context.Context) time.Duration {
	if d, ok := ctx.Value(pollDelayKey{}).(time.Duration); ok {
		return d
	}
	return 5 * time.Second
}

// LROTimeout bounds how long a command waits for a long-running operation: az
// waits without limit, which leaves CI jobs hanging on an operation the service
// forgot. ACI_LRO_TIMEOUT (a Go duration or seconds) changes it.
func LROTimeout() time.Duration {
	v := os.Getenv("ACI_LRO_TIMEOUT")
	if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return d
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	return 30 * time.Minute
}

// pollUntilDone polls an SDK poller, honouring Retry-After, calling tick between polls.
func pollUntilDone[T any](ctx context.Context, p *runtime.Poller[T], tick Progress) (*http.Response, error) {
	limit := LROTimeout()
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	resp, err := pollLoop(ctx, p, tick)
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return resp, fmt.Errorf("the operation did not finish within %v; it may still be running in the service (ACI_LRO_TIMEOUT changes the limit)", limit)
	}
	return resp, err
}

func pollLoop[T any](ctx context.Context, p *runtime.Poller[T], tick Progress) (*http.Response, error) {
	for {
		if p.Done() {
			// Finished in the first answer (a synchronous 200): no poll needed.
			cctx, r := captured(ctx)
			if _, err := p.Result(cctx); err != nil {
				return *r, Wrap(err)
			}
			return *r, nil
		}
		resp, err := p.Poll(ctx)
		if err != nil {
			return resp, Wrap(err)
		}
		if p.Done() {
			var final *http.Response
			cctx, r := captured(ctx)
			if _, err := p.Result(cctx); err != nil {
				return *r, Wrap(err)
			}
			final = *r
			return final, nil
		}
		delay := pollDelay(ctx)
		if ra := retryAfter(resp.Header); ra > 0 {
			delay = ra
		}
		if tick != nil {
			tick()
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delay):
		}
	}
}

// retryAfter is when the service asks to be polled again, read as the
// Azure SDKs read it: retry-after-ms, x-ms-retry-after-ms, then
// Retry-After in seconds; 0 when it says nothing usable.
func retryAfter(h http.Header) time.Duration {
	for _, k := range []string{"Retry-After-Ms", "X-Ms-Retry-After-Ms"} {
		if v, err := strconv.Atoi(strings.TrimSpace(h.Get(k))); err == nil && v > 0 {
			return time.Duration(v) * time.Millisecond
		}
	}
	if v, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After"))); err == nil && v > 0 {
		return time.Duration(v) * time.Second
	}
	return 0
}

// ResourceGroups is Microsoft.Resources/resourceGroups.
type ResourceGroups struct {
	c   *armresources.ResourceGroupsClient
	raw *RawClient
	sub string
}

// ResourceGroups builds the resource-group service.
func (c *Client) ResourceGroups() (*ResourceGroups, error) {
	rc, err := armresources.NewResourceGroupsClient(c.Subscription, c.Cred, c.armOptions())
	if err != nil {
		return nil, err
	}
	raw, err := c.Raw()
	return &ResourceGroups{rc, raw, c.Subscription}, err
}

// CreateOrUpdate PUTs a group.
func (s *ResourceGroups) CreateOrUpdate(ctx context.Context, name, location string, tags map[string]*string, managedBy *string) (Raw, error) {
	cctx, r := captured(ctx)
	_, err := s.c.CreateOrUpdate(cctx, name, armresources.ResourceGroup{Location: &location, Tags: tags, ManagedBy: managedBy}, nil)
	if err != nil {
		return nil, Wrap(err)
	}
	return decodeBody(*r)
}

// Get reads a group.
func (s *ResourceGroups) Get(ctx context.Context, name string) (Raw, error) {
	cctx, r := captured(ctx)
	if _, err := s.c.Get(cctx, name, nil); err != nil {
		return nil, Wrap(err)
	}
	return decodeBody(*r)
}

// Exists is HEAD on a group.
func (s *ResourceGroups) Exists(ctx context.Context, name string) (bool, error) {
	res, err := s.c.CheckExistence(ctx, name, nil)
	if err != nil {
		return false, Wrap(err)
	}
	return res.Success, nil
}

// List lists groups, optionally filtered ($filter). It pages through the raw
// client: the output needs the wire JSON, and the SDK pager would first decode
// every page into typed models that are thrown away (half the time of a
// 1,000-group list).
func (s *ResourceGroups) List(ctx context.Context, filter string) ([]any, error) {
	q := url.Values{}
	if filter != "" {
		q.Set("$filter", filter)
	}
	return s.raw.List(ctx, "/subscriptions/"+url.PathEscape(s.sub)+"/resourcegroups", resourcesAPIVersion, q)
}

// Update PUTs a group back after a client-side change (az's generic update).
func (s *ResourceGroups) Update(ctx context.Context, name string, patch armresources.ResourceGroupPatchable) (Raw, error) {
	cctx, r := captured(ctx)
	if _, err := s.c.Update(cctx, name, patch, nil); err != nil {
		return nil, Wrap(err)
	}
	return decodeBody(*r)
}

// Delete deletes a group; wait=false returns once ARM accepted it.
func (s *ResourceGroups) Delete(ctx context.Context, name, forceTypes string, wait bool, tick Progress) error {
	opts := &armresources.ResourceGroupsClientBeginDeleteOptions{}
	if forceTypes != "" {
		opts.ForceDeletionTypes = &forceTypes
	}
	p, err := s.c.BeginDelete(ctx, name, opts)
	if err != nil {
		return Wrap(err)
	}
	if !wait {
		return nil
	}
	_, err = pollUntilDone(ctx, p, tick)
	return err
}

// Providers is Microsoft.Resources/providers.
type Providers struct {
	c   *armresources.ProvidersClient
	raw *RawClient
}

// Providers builds the provider service.
func (c *Client) Providers() (*Providers, error) {
	pc, err := armresources.NewProvidersClient(c.Subscription, c.Cred, c.armOptions())
	if err != nil {
		return nil, err
	}
	raw, err := c.Raw()
	return &Providers{pc, raw}, err
}

// Get reads one provider.
func (s *Providers) Get(ctx context.Context, ns, expand string) (Raw, error) {
	cctx, r := captured(ctx)
	opts := &armresources.ProvidersClientGetOptions{}
	if expand != "" {
		opts.Expand = &expand
	}
	if _, err := s.c.Get(cctx, ns, opts); err != nil {
		return nil, Wrap(err)
	}
	return decodeBody(*r)
}

// List lists providers.
func (s *Providers) List(ctx context.Context, expand string) ([]any, error) {
	opts := &armresources.ProvidersClientListOptions{}
	if expand != "" {
		opts.Expand = &expand
	}
	return collect(ctx, s.c.NewListPager(opts))
}

// Register POSTs register (with consent when asked).
func (s *Providers) Register(ctx context.Context, ns string, consent bool) (Raw, error) {
	cctx, r := captured(ctx)
	opts := &armresources.ProvidersClientRegisterOptions{}
	if consent {
		t := true
		opts.Properties = &armresources.ProviderRegistrationRequest{ThirdPartyProviderConsent: &armresources.ProviderConsentDefinition{ConsentToAuthorization: &t}}
	}
	if _, err := s.c.Register(cctx, ns, opts); err != nil {
		return nil, Wrap(err)
	}
	return decodeBody(*r)
}

// Unregister POSTs unregister.
func (s *Providers) Unregister(ctx context.Context, ns string) (Raw, error) {
	cctx, r := captured(ctx)
	if _, err := s.c.Unregister(cctx, ns, nil); err != nil {
		return nil, Wrap(err)
	}
	return decodeBody(*r)
}

// RegisterAtManagementGroup registers a provider for a management group.
func (s *Providers) RegisterAtManagementGroup(ctx context.Context, ns, mg string) error {
	_, err := s.c.RegisterAtManagementGroupScope(ctx, ns, mg, nil)
	return Wrap(err)
}

// Operations lists provider operations (Microsoft.Authorization/providerOperations).
func (s *Providers) Operations(ctx context.Context, ns string) (any, error) {
	path := "/providers/Microsoft.Authorization/providerOperations"
	if ns != "" {
		path += "/" + url.PathEscape(ns)
		return s.raw.Do(ctx, http.MethodGet, path, "2018-01-01-preview", url.Values{"$expand": {"resourceTypes"}}, nil)
	}
	return s.raw.List(ctx, path, "2018-01-01-preview", url.Values{"$expand": {"resourceTypes"}})
}

// Subscriptions lists subscriptions, tenants and locations.
type Subscriptions struct {
	c *armsubscriptions.Client
	t *armsubscriptions.TenantsClient
}

// Subscriptions builds the subscription service (not bound to one subscription).
func (c *Client) Subscriptions() (*Subscriptions, error) {
	sc, err := armsubscriptions.NewClient(c.Cred, c.armOptions())
	if err != nil {
		return nil, err
	}
	tc, err := armsubscriptions.NewTenantsClient(c.Cred, c.armOptions())
	return &Subscriptions{sc, tc}, err
}

// List lists the subscriptions the credential can see.
func (s *Subscriptions) List(ctx context.Context) ([]any, error) {
	return collect(ctx, s.c.NewListPager(nil))
}

// Locations lists a subscription's locations.
func (s *Subscriptions) Locations(ctx context.Context, sub string, extended bool) ([]any, error) {
	opts := &armsubscriptions.ClientListLocationsOptions{}
	if extended {
		opts.IncludeExtendedLocations = &extended
	}
	return collect(ctx, s.c.NewListLocationsPager(sub, opts))
}

// RawClient sends ARM requests for which no SDK module is pulled in, through the
// same pipeline (auth, retries, logging).
type RawClient struct {
	pl       runtime.Pipeline
	endpoint string
}

// Raw builds the raw client.
func (c *Client) Raw() (*RawClient, error) {
	pl, endpoint, err := newPipeline(c)
	return &RawClient{pl: pl, endpoint: endpoint}, err
}

// Do sends one request and decodes the JSON answer.
func (r *RawClient) Do(ctx context.Context, method, path, apiVersion string, query url.Values, body any) (Raw, error) {
	resp, err := r.send(ctx, method, path, apiVersion, query, body)
	if err != nil {
		return nil, err
	}
	return decodeBody(resp)
}

// List follows nextLink and returns every item of "value".
func (r *RawClient) List(ctx context.Context, path, apiVersion string, query url.Values) ([]any, error) {
	out := []any{}
	resp, err := r.send(ctx, http.MethodGet, path, apiVersion, query, nil)
	for {
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if m, err = decodeBody(resp); err != nil {
			return nil, err
		}
		v, _ := m["value"].([]any)
		out = append(out, v...)
		next, _ := m["nextLink"].(string)
		if next == "" {
			return out, nil
		}
		resp, err = r.sendURL(ctx, http.MethodGet, next, nil)
	}
}

// follow polls the long-running operation resp started, as its headers
// say, and returns the final response (nil when resp itself was final).
func (r *RawClient) follow(ctx context.Context, resp *http.Response, tick Progress) (*http.Response, error) {
	p, err := runtime.NewPoller[json.RawMessage](resp, r.pl, nil)
	if err != nil {
		return nil, Wrap(err)
	}
	return pollUntilDone(ctx, p, tick)
}

// postLRO is a POST answered at once (200) or by an operation whose final
// answer carries the result (whatIf, scheduleRun).
func (r *RawClient) postLRO(ctx context.Context, path, apiVersion string, body any) (Raw, error) {
	resp, err := r.send(ctx, http.MethodPost, path, apiVersion, nil, body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusOK {
		return decodeBody(resp)
	}
	final, err := r.follow(ctx, resp, nil)
	if err != nil {
		return nil, err
	}
	if final == nil {
		final = resp
	}
	return decodeBody(final)
}

func (r *RawClient) send(ctx context.Context, method, path, apiVersion string, query url.Values, body any) (*http.Response, error) {
	if query == nil {
		query = url.Values{}
	}
	query.Set("api-version", apiVersion)
	return r.sendURL(ctx, method, r.endpoint+path+"?"+query.Encode(), body)
}

func (r *RawClient) sendURL(ctx context.Context, method, u string, body any) (*http.Response, error) {
	req, err := runtime.NewRequest(ctx, method, u)
	if err != nil {
		return nil, err
	}
	req.Raw().Header.Set("Accept", "application/json")
	if body != nil {
		if err := runtime.MarshalAsJSON(req, body); err != nil {
			return nil, err
		}
	}
	resp, err := r.pl.Do(req)
	if err != nil {
		return nil, Wrap(err)
	}
	if resp.StatusCode >= 300 {
		defer resp.Body.Close()
		return nil, FromResponse(resp)
	}
	return resp, nil
}
