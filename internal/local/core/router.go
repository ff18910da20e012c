package core

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// Handler serves one resource type, e.g. "Microsoft.ContainerInstance/containerGroups".
// The router has already checked the token, the api-version, the subscription and
// (for resources in a group) that the group exists.
type Handler interface {
	Type() string
	Serve(w http.ResponseWriter, r *Request)
}

// GroupCleaner is implemented by handlers whose resources must be torn down (for
// example their containers stopped) when their resource group is deleted.
type GroupCleaner interface {
	DeleteInGroup(sub, group string) error
}

// Request is a parsed ARM request.
type Request struct {
	*http.Request
	Server     *Server
	Body       []byte
	APIVersion string
	Claims     jwt.MapClaims
	segs       []string

	Subscription string
	Group        string   // empty for subscription-level requests
	Namespace    string   // provider namespace
	Rest         []string // after providers/{ns}: type, name, child type, child name..., action
}

// ID is the resource id named by the request's path (up to and excluding n trailing
// segments), with the caller's casing.
func (r *Request) ID(drop int) string {
	return "/" + strings.Join(r.segs[:len(r.segs)-drop], "/")
}

// Decode parses the JSON body into v; malformed JSON is ARM's InvalidRequestContent.
// CheckName reads a checkNameAvailability POST ({name, type}) for resource
// type typ, answering a wrong method, body or type itself (ok false).
func (r *Request) CheckName(w http.ResponseWriter, typ string) (name string, ok bool) {
	if r.Method != http.MethodPost || len(r.Rest) != 1 {
		r.Error(w, 405, "MethodNotAllowed", "The method '%s' is not allowed.", r.Method)
		return "", false
	}
	var b struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	if e := r.Decode(&b); e != nil {
		WriteError(w, e)
		return "", false
	}
	if !strings.EqualFold(b.Type, typ) {
		r.Error(w, 400, "InvalidResourceType", "The resource type '%s' is not supported; use '%s'.", b.Type, typ)
		return "", false
	}
	return b.Name, true
}

func (r *Request) Decode(v any) *APIError {
	if len(strings.TrimSpace(string(r.Body))) == 0 {
		return &APIError{400, "InvalidRequestContent", "The request content was invalid and could not be deserialized: 'The request body is empty.'."}
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		return &APIError{400, "InvalidRequestContent", fmt.Sprintf("The request content was invalid and could not be deserialized: '%s'.", err.Error())}
	}
	return nil
}

// Error writes an ARM error.
func (r *Request) Error(w http.ResponseWriter, status int, code, format string, a ...any) {
	WriteError(w, &APIError{status, code, fmt.Sprintf(format, a...)})
}

func is(seg, want string) bool { return strings.EqualFold(seg, want) }

// route dispatches by path shape; provider resource types go to their Handler.
func (s *Server) route(w http.ResponseWriter, r *Request) {
	p := r.segs
	n := len(p)
	switch {
	case n == 1 && is(p[0], "subscriptions") && r.Method == http.MethodGet:
		s.listSubscriptions(w, r)
		return
	case n == 1 && is(p[0], "tenants") && r.Method == http.MethodGet:
		s.listTenants(w, r)
		return
	case n >= 2 && is(p[0], "providers"):
		s.tenantProviders(w, r)
		return
	case n < 2 || !is(p[0], "subscriptions"):
		r.Error(w, 404, "InvalidResourceType", "The resource path '%s' is not known to aci local.", r.URL.Path)
		return
	}
	r.Subscription = p[1]
	if !strings.EqualFold(r.Subscription, s.id.SubscriptionID) {
		r.Error(w, 404, "SubscriptionNotFound", "The subscription '%s' could not be found.", r.Subscription)
		return
	}
	switch {
	case n == 2 && r.Method == http.MethodGet:
		WriteJSON(w, 200, s.subscription())
	case n == 3 && is(p[2], "locations") && r.Method == http.MethodGet:
		WriteJSON(w, 200, map[string]any{"value": s.locations()})
	case n == 3 && is(p[2], "resources") && r.Method == http.MethodGet:
		s.listResources(w, r)
	case n == 4 && is(p[2], "operationresults"):
		s.operationResult(w, r, p[3])
	case n >= 3 && is(p[2], "resourcegroups"):
		s.inGroup(w, r)
	case n >= 3 && is(p[2], "providers"):
		if n <= 4 || (n == 5 && (is(p[4], "register") || is(p[4], "unregister"))) {
			s.providers(w, r)
			return
		}
		r.Namespace, r.Rest = p[3], p[4:]
		s.dispatch(w, r)
	default:
		r.Error(w, 404, "InvalidResourceType", "The resource path '%s' is not known to aci local.", r.URL.Path)
	}
}

// inGroup routes /subscriptions/{s}/resourcegroups[/{g}[/...]]: the group
// itself, its resources, or a provider's resource in it.
func (s *Server) inGroup(w http.ResponseWriter, r *Request) {
	p := r.segs
	n := len(p)
	if n <= 4 {
		s.resourceGroups(w, r)
		return
	}
	r.Group = p[3]
	listing := n == 5 && is(p[4], "resources") && r.Method == http.MethodGet
	if !listing && !(n >= 7 && is(p[4], "providers")) {
		r.Error(w, 404, "InvalidResourceType", "The resource path '%s' is not known to aci local.", r.URL.Path)
		return
	}
	if !s.groupExists(r.Subscription, r.Group) {
		r.Error(w, 404, "ResourceGroupNotFound", "Resource group '%s' could not be found.", r.Group)
		return
	}
	if listing {
		s.listResources(w, r)
		return
	}
	r.Namespace, r.Rest = p[5], p[6:]
	s.dispatch(w, r)
}

// dispatch finds the handler of Namespace/type.
func (s *Server) dispatch(w http.ResponseWriter, r *Request) {
	t := r.Namespace + "/" + r.Rest[0]
	h, ok := s.handlers[strings.ToLower(t)]
	if !ok {
		r.Error(w, 404, "InvalidResourceType", "The resource type '%s' could not be found in the namespace '%s' for api version '%s'.", r.Rest[0], r.Namespace, r.APIVersion)
		return
	}
	h.Serve(w, r)
}

// Call runs an ARM request in-process on behalf of a caller whose token was
// already verified (the deployment engine creating a template's resources):
// the same route and handlers as a request over the wire, so a deployed
// resource is validated, stored and run exactly as a direct PUT. path may
// carry a query; body is JSON or nil.
func (s *Server) Call(ctx context.Context, claims jwt.MapClaims, method, path, apiVersion string, body []byte) (int, http.Header, []byte) {
	u, err := url.Parse(path)
	if err != nil {
		return 400, http.Header{}, []byte(`{"error":{"code":"InvalidRequestContent","message":"bad path"}}`)
	}
	q := u.Query()
	if apiVersion != "" {
		q.Set("api-version", apiVersion)
	}
	u.RawQuery = q.Encode()
	hr, err := http.NewRequestWithContext(ctx, method, s.base+u.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return 400, http.Header{}, []byte(`{"error":{"code":"InvalidRequestContent","message":"bad request"}}`)
	}
	hr.Header.Set("Content-Type", "application/json")
	rec := &recorder{header: http.Header{}, status: 200}
	req := &Request{Request: hr, Server: s, Body: body, APIVersion: q.Get("api-version"), Claims: claims, segs: splitPath(u.Path)}
	s.route(rec, req)
	return rec.status, rec.header, rec.body.Bytes()
}

// recorder is the ResponseWriter of an in-process call.
type recorder struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(c int) {
	if !r.wrote {
		r.status, r.wrote = c, true
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(200)
	return r.body.Write(b)
}
