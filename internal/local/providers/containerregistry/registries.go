// Package containerregistry is aci local's Microsoft.ContainerRegistry: the
// registries resource (ARM) and, for each registry, a real OCI distribution
// registry on a loopback address of its own, behind ACR's authentication
// (admin user, token exchange, anonymous pull) and ACR's /acr/v1 metadata API.
package containerregistry

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/aci-cli/aci/internal/local/wire"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aci-cli/aci/internal/local/core"
	"github.com/aci-cli/aci/internal/local/runtime"
)

// Type is the ARM resource type.
const Type = "Microsoft.ContainerRegistry/registries"

var nameRE = regexp.MustCompile(`^[a-zA-Z0-9]{5,50}$`)

// Registries serves Microsoft.ContainerRegistry/registries and runs each
// registry's data plane.
type Registries struct {
	s *core.Server

	mu      sync.Mutex
	planes  map[string]*plane // lower-cased resource id -> running data plane
	locks   core.Locks
	baseDir string
	builder runtime.Builder // nil without Docker: acr build is refused
	runMu   sync.Mutex      // numbers runs one at a time
}

// private is what GET never returns.
type private struct {
	Passwords [2]string `json:"passwords"`
	Addr      string    `json:"addr"`   // the login server, host:port
	Secret    string    `json:"secret"` // the distribution's upload-state HMAC key
	Dir       string    `json:"dir"`    // storage, relative to the registries dir
	Deleting  bool      `json:"deleting,omitempty"`
}

// New registers the registry resource types on s; b (may be nil) runs builds.
func New(s *core.Server, b runtime.Builder) *Registries {
	h := &Registries{s: s, planes: map[string]*plane{},
		baseDir: filepath.Join(s.Options().StateDir, "registries"), builder: b}
	s.Declare(core.Namespace{Name: "Microsoft.ContainerRegistry",
		Types:    []string{"registries", "registries/runs", "checkNameAvailability", "operations"},
		Versions: []string{"2025-04-01", "2023-11-01-preview", "2023-07-01", "2022-02-01-preview"}})
	s.Register(h)
	s.Register(checkName{h})
	// REGISTRY.blob.core.aci.localhost: acr build's upload and log URLs in
	// the shape az parses (ACCOUNT.blob.SUFFIX/CONTAINER/BLOB), on ARM's
	// listener by name.
	s.RegisterHost(BlobSuffix, http.HandlerFunc(h.serveBlobByHost))
	s.RegisterResumer("registryCreate", h.resumeCreate)
	s.OnStart(h.startAll)
	s.OnStart(h.resumeRuns)
	return h
}

// Type is the ARM resource type.
func (h *Registries) Type() string { return Type }

func (h *Registries) lock(id string) func() { return h.locks.Lock(id) }

// registryBody is what a PUT or PATCH may carry; unknown fields are ignored as
// ARM ignores read-only ones.
type registryBody struct {
	Location *string            `json:"location"`
	Tags     map[string]*string `json:"tags"`
	Sku      *struct {
		Name string `json:"name"`
	} `json:"sku"`
	Properties *struct {
		AdminUserEnabled         *bool   `json:"adminUserEnabled"`
		AnonymousPullEnabled     *bool   `json:"anonymousPullEnabled"`
		PublicNetworkAccess      *string `json:"publicNetworkAccess"`
		ZoneRedundancy           *string `json:"zoneRedundancy"`
		DataEndpointEnabled      *bool   `json:"dataEndpointEnabled"`
		NetworkRuleBypassOptions *string `json:"networkRuleBypassOptions"`
		Policies                 json.RawMessage
		NetworkRuleSet           *struct {
			DefaultAction string `json:"defaultAction"`
		} `json:"networkRuleSet"`
	} `json:"properties"`
}

var skus = []string{"Basic", "Standard", "Premium"}

func skuName(s string) (string, bool) {
	for _, k := range skus {
		if strings.EqualFold(k, s) {
			return k, true
		}
	}
	return "", false
}

// Serve routes registries/{name}[/action].
func (h *Registries) Serve(w http.ResponseWriter, r *core.Request) {
	core.ServeMethods(w, r, core.Methods{
		List:    h.list,
		Get:     func(w http.ResponseWriter, r *core.Request, _ string) { h.get(w, r) },
		Put:     h.put,
		Patch:   func(w http.ResponseWriter, r *core.Request, _ string) { h.patch(w, r) },
		Delete:  func(w http.ResponseWriter, r *core.Request, _ string) { h.delete(w, r) },
		Actions: h.actions(),
	})
}

// actions are a registry's operations beyond CRUD, as ACR names them.
func (h *Registries) actions() []core.Action {
	loaded := func(serve func(w http.ResponseWriter, r *core.Request, id string, extra []string)) func(http.ResponseWriter, *core.Request, string, []string) {
		return func(w http.ResponseWriter, r *core.Request, id string, extra []string) {
			if _, _, ok := h.load(w, r, id); ok {
				serve(w, r, id, extra)
			}
		}
	}
	return []core.Action{
		{Name: "operationStatuses", Method: http.MethodGet, Extra: 1, Serve: func(w http.ResponseWriter, r *core.Request, _ string, extra []string) {
			h.opStatus(w, r, extra[0])
		}},
		{Name: "listCredentials", Method: http.MethodPost, Serve: func(w http.ResponseWriter, r *core.Request, id string, _ []string) {
			h.credentials(w, r, id, "")
		}},
		{Name: "regenerateCredential", Method: http.MethodPost, Serve: h.regenerateCredential},
		{Name: "listBuildSourceUploadUrl", Method: http.MethodPost, Serve: loaded(func(w http.ResponseWriter, r *core.Request, id string, _ []string) {
			h.uploadURL(w, r, id)
		})},
		{Name: "scheduleRun", Method: http.MethodPost, Serve: loaded(func(w http.ResponseWriter, r *core.Request, id string, _ []string) {
			h.scheduleRun(w, r, id)
		})},
		{Name: "runs", Extra: -1, Serve: func(w http.ResponseWriter, r *core.Request, id string, extra []string) {
			if res, _, ok := h.load(w, r, id); ok {
				h.runs(w, r, res.ID, extra) // runs are keyed by the stored id
			}
		}},
		{Name: "importImage", Method: http.MethodPost, Serve: loaded(func(w http.ResponseWriter, r *core.Request, id string, _ []string) {
			h.importImage(w, r, id)
		})},
		{Name: "listUsages", Method: http.MethodGet, Serve: func(w http.ResponseWriter, r *core.Request, id string, _ []string) {
			h.usages(w, r, id)
		}},
	}
}

func (h *Registries) regenerateCredential(w http.ResponseWriter, r *core.Request, id string, _ []string) {
	var body struct {
		Name string `json:"name"`
	}
	if e := r.Decode(&body); e != nil {
		core.WriteError(w, e)
		return
	}
	if body.Name != "password" && body.Name != "password2" {
		r.Error(w, 400, "InvalidParameter", "The parameter 'name' has an invalid value '%s'. Allowed values: 'password', 'password2'.", body.Name)
		return
	}
	h.credentials(w, r, id, body.Name)
}

func (h *Registries) load(w http.ResponseWriter, r *core.Request, id string) (*core.Resource, *private, bool) {
	res, err := h.s.Store().Get(id)
	if err != nil || !strings.EqualFold(res.Type, Type) {
		name := id[strings.LastIndex(id, "/")+1:]
		r.Error(w, 404, "ResourceNotFound", "The Resource '%s/%s' under resource group '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix", Type, name, r.Group)
		return nil, nil, false
	}
	var p private
	if err := res.DecodePrivate(&p); err != nil {
		r.Error(w, 500, "InternalServerError", "%v", err)
		return nil, nil, false
	}
	if p.Deleting {
		name := id[strings.LastIndex(id, "/")+1:]
		r.Error(w, 404, "ResourceNotFound", "The Resource '%s/%s' under resource group '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix", Type, name, r.Group)
		return nil, nil, false
	}
	return res, &p, true
}

func (h *Registries) get(w http.ResponseWriter, r *core.Request) {
	if res, _, ok := h.load(w, r, r.ID(0)); ok {
		core.WriteRaw(w, 200, res.Body)
	}
}

func (h *Registries) list(w http.ResponseWriter, r *core.Request) {
	prefix := "/subscriptions/" + r.Subscription + "/"
	if r.Group != "" {
		prefix += "resourcegroups/" + r.Group + "/"
	}
	all, err := h.s.Store().List(prefix, Type)
	if err != nil {
		r.Error(w, 500, "InternalServerError", "The store failed: %v", err)
		return
	}
	items := []json.RawMessage{}
	for _, res := range all {
		var p private
		if res.DecodePrivate(&p) == nil && !p.Deleting {
			items = append(items, res.Body)
		}
	}
	h.s.Page(w, r, items)
}

func now() string { return time.Now().UTC().Format("2006-01-02T15:04:05.0000000Z") }

func nowOffset() string { return time.Now().UTC().Format("2006-01-02T15:04:05.0000000+00:00") }

func password() string {
	b := make([]byte, 39)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

func (h *Registries) nameTaken(name, exceptID string) bool {
	all, _ := h.s.Store().List("/subscriptions/", Type)
	for _, res := range all {
		if strings.EqualFold(res.ID[strings.LastIndex(res.ID, "/")+1:], name) && !strings.EqualFold(res.ID, exceptID) {
			return true
		}
	}
	return false
}

func (h *Registries) put(w http.ResponseWriter, r *core.Request, name string) {
	id := r.ID(0)
	if !nameRE.MatchString(name) {
		r.Error(w, 400, "InvalidResourceName", "Resource name '%s' is invalid. The name must be 5 to 50 alphanumeric characters.", name)
		return
	}
	var b registryBody
	if e := r.Decode(&b); e != nil {
		core.WriteError(w, e)
		return
	}
	if e := core.ValidateTagPointers(b.Tags); e != nil {
		core.WriteError(w, e)
		return
	}
	defer h.lock(id)()
	existing, _ := h.s.Store().Get(id)
	if existing != nil {
		var p private
		if err := existing.DecodePrivate(&p); err != nil {
			r.Error(w, 500, "InternalServerError", "%v", err)
			return
		}
		if p.Deleting {
			r.Error(w, 409, "Conflict", "The registry '%s' is being deleted.", name)
			return
		}
		h.update(w, r, existing, &b, true)
		return
	}
	if h.nameTaken(name, "") {
		r.Error(w, 409, "AlreadyInUse", "The registry DNS name %s is already in use. You can check if the name is already claimed using following API: https://docs.microsoft.com/en-us/rest/api/containerregistry/registries/checknameavailability", strings.ToLower(name))
		return
	}
	loc, sku, e := validateNew(&b)
	if e != nil {
		core.WriteError(w, e)
		return
	}
	addr, err := h.allocate()
	if err != nil {
		r.Error(w, 500, "InternalServerError", "No loopback address is free for the registry: %v", err)
		return
	}
	p := &private{Passwords: [2]string{password(), password()}, Addr: addr, Secret: password(), Dir: strings.ToLower(name)}
	res := &core.Resource{ID: id, Type: Type, Group: r.Group, Created: time.Now(), Updated: time.Now()}
	if err := res.Encode(newRegistry(&b, id, name, loc, sku, addr, whoami(r)), p); err != nil {
		r.Error(w, 500, "InternalServerError", "%v", err)
		return
	}
	op, e := h.s.Create(res, "registryCreate")
	if e != nil {
		core.WriteError(w, e)
		return
	}
	w.Header().Set("Azure-AsyncOperation", fmt.Sprintf("%s%s/operationStatuses/registries-%s?api-version=%s", h.s.BaseURL(), id, op.ID, r.APIVersion))
	core.RetryAfter(w)
	core.WriteRaw(w, 201, res.Body)
	h.s.Go(func(context.Context) { h.resumeCreate(op) })
}

// validateNew checks what a new registry needs: a location ACR has and a
// SKU, with nothing only Premium has unless it is Premium.
func validateNew(b *registryBody) (loc, sku string, e *core.APIError) {
	if b.Location == nil || *b.Location == "" {
		return "", "", core.NewError(400, "LocationRequired", "The location property is required for this definition.")
	}
	loc, ok := core.NormalizeLocation(*b.Location)
	if !ok {
		return "", "", core.NewError(400, "LocationNotAvailableForResourceType", fmt.Sprintf("The provided location '%s' is not available for resource type '%s'. List of available regions for the resource type is '%s'.", *b.Location, Type, core.RegionNames()))
	}
	if b.Sku == nil || b.Sku.Name == "" {
		return "", "", core.NewError(400, "InvalidParameter", "The parameter 'sku' is required.")
	}
	sku, ok = skuName(b.Sku.Name)
	if !ok {
		return "", "", core.NewError(400, "InvalidSku", fmt.Sprintf("The sku '%s' is invalid. Allowed values: %s.", b.Sku.Name, strings.Join(skus, ", ")))
	}
	return loc, sku, checkPremium(sku, b)
}

// checkPremium refuses what only Premium registries have, as ACR does.
func checkPremium(sku string, b *registryBody) *core.APIError {
	if sku == "Premium" || b.Properties == nil {
		return nil
	}
	if b.Properties.NetworkRuleSet != nil && b.Properties.NetworkRuleSet.DefaultAction != "" {
		return core.NewError(400, "NetworkRuleNotSupported", "Network rules are only supported by the Premium SKU.")
	}
	if b.Properties.PublicNetworkAccess != nil && strings.EqualFold(*b.Properties.PublicNetworkAccess, "Disabled") {
		return core.NewError(400, "PublicNetworkAccessNotSupported", "Disabling public network access is only supported by the Premium SKU.")
	}
	if b.Properties.DataEndpointEnabled != nil && *b.Properties.DataEndpointEnabled {
		return core.NewError(400, "DataEndpointNotSupported", "Dedicated data endpoints are only supported by the Premium SKU.")
	}
	return nil
}

func whoami(r *core.Request) string {
	for _, k := range []string{"upn", "unique_name", "appid", "oid"} {
		if v, _ := r.Claims[k].(string); v != "" {
			return v
		}
	}
	return "aci-local"
}

// update applies a PATCH (or a PUT over an existing registry): the fields
// given change, the rest stay.
func (h *Registries) update(w http.ResponseWriter, r *core.Request, res *core.Resource, b *registryBody, isPut bool) {
	reg, err := decodeRegistry(res.Body)
	if err != nil {
		r.Error(w, 500, "InternalServerError", "%v", err)
		return
	}
	cur := reg.Sku.Name
	if b.Sku != nil && b.Sku.Name != "" {
		s, ok := skuName(b.Sku.Name)
		if !ok {
			r.Error(w, 400, "InvalidSku", "The sku '%s' is invalid. Allowed values: %s.", b.Sku.Name, strings.Join(skus, ", "))
			return
		}
		cur = s
	}
	if aerr := checkPremium(cur, b); aerr != nil {
		core.WriteError(w, aerr)
		return
	}
	if b.Location != nil {
		if loc, _ := core.NormalizeLocation(*b.Location); loc != reg.Location {
			r.Error(w, 400, "LocationNotAvailableForResourceType", "The location of an existing registry cannot change.")
			return
		}
	}
	reg.Sku = registrySku{Name: cur, Tier: cur}
	if b.Tags != nil || isPut {
		reg.Tags = tagsOf(b.Tags)
	}
	reg.apply(b)
	reg.SystemData.LastModifiedBy, reg.SystemData.LastModifiedAt = whoami(r), nowOffset()
	bb, err := json.Marshal(reg)
	if err == nil {
		err = h.s.Store().Update(res.ID, func(x *core.Resource) error {
			x.Body, x.Updated = bb, time.Now()
			return nil
		})
	}
	if err != nil {
		r.Error(w, 500, "InternalServerError", "The store failed: %v", err)
		return
	}
	h.mu.Lock()
	if pl := h.planes[strings.ToLower(res.ID)]; pl != nil {
		pl.setSettings(settingsOf(bb))
	}
	h.mu.Unlock()
	core.WriteRaw(w, 200, bb)
}

func (h *Registries) patch(w http.ResponseWriter, r *core.Request) {
	id := r.ID(0)
	var b registryBody
	if e := r.Decode(&b); e != nil {
		core.WriteError(w, e)
		return
	}
	if e := core.ValidateTagPointers(b.Tags); e != nil {
		core.WriteError(w, e)
		return
	}
	defer h.lock(id)()
	res, _, ok := h.load(w, r, id)
	if !ok {
		return
	}
	h.update(w, r, res, &b, false)
}

func (h *Registries) opStatus(w http.ResponseWriter, r *core.Request, opID string) {
	op, err := h.s.Store().GetOperation(strings.TrimPrefix(opID, "registries-"))
	if err != nil {
		r.Error(w, 404, "OperationNotFound", "The operation '%s' could not be found.", opID)
		return
	}
	out := struct {
		Error  *core.ErrorBody `json:"error,omitempty"`
		Status string          `json:"status"`
	}{Status: "Failed", Error: op.Error}
	switch op.Status {
	case "InProgress":
		core.RetryAfter(w)
		out.Status, out.Error = "Creating", nil
	case "Succeeded":
		out.Status, out.Error = "Succeeded", nil
	}
	core.WriteJSON(w, 200, out)
}

// resumeCreate brings the registry's data plane up and marks it Succeeded;
// after a crash it simply runs again.
func (h *Registries) resumeCreate(op *core.Operation) {
	defer h.lock(op.Target)()
	res, err := h.s.Store().Get(op.Target)
	if err != nil {
		h.s.FinishOperation(op, &core.ErrorBody{Code: "ResourceNotFound", Message: "The registry was deleted."})
		return
	}
	var p private
	err = res.DecodePrivate(&p)
	if err == nil {
		err = h.start(res, &p)
	}
	if err != nil {
		h.setState(res.ID, "Failed")
		h.s.FinishOperation(op, &core.ErrorBody{Code: "RegistryStartFailed", Message: err.Error()})
		return
	}
	h.setState(res.ID, "Succeeded")
	h.s.FinishOperation(op, nil)
}

func (h *Registries) setState(id, state string) {
	_ = h.s.Store().Update(id, func(x *core.Resource) error {
		reg, err := decodeRegistry(x.Body)
		if err != nil {
			return err
		}
		reg.Properties.ProvisioningState = state
		x.Body, err = json.Marshal(reg)
		return err
	})
}

// startAll brings up the data plane of every stored registry, and finishes
// deletes a crash cut short.
func (h *Registries) startAll() {
	all, err := h.s.Store().List("/subscriptions/", Type)
	if err != nil {
		return
	}
	for _, res := range all {
		var p private
		if err := res.DecodePrivate(&p); err != nil {
			fmt.Fprintf(os.Stderr, "WARNING: registry %s: %v\n", res.ID, err)
			continue
		}
		if p.Deleting {
			_ = h.remove(res.ID)
			continue
		}
		if reg, err := decodeRegistry(res.Body); err != nil || reg.Properties.ProvisioningState != "Succeeded" {
			continue // its create operation resumes it
		}
		if err := h.start(res, &p); err != nil {
			fmt.Fprintf(os.Stderr, "WARNING: registry %s: %v\n", res.ID, err)
		}
	}
}

// allocate picks a login server: a loopback address of its own on the
// server's port, so Docker keeps one set of credentials per registry as it
// does for ACR. Where only 127.0.0.1 exists, a free port on it.
func (h *Registries) allocate() (string, error) {
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(h.s.BaseURL(), "https://"))
	used := map[string]bool{}
	all, _ := h.s.Store().List("/subscriptions/", Type)
	for _, res := range all {
		var p private
		if res.DecodePrivate(&p) == nil {
			used[p.Addr] = true
		}
	}
	for i := 1; i < 1<<16; i++ {
		addr := net.JoinHostPort(fmt.Sprintf("127.10.%d.%d", i>>8, i&255), port)
		if used[addr] || i&255 == 0 || i&255 == 255 {
			continue
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			continue
		}
		ln.Close()
		return addr, nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func (h *Registries) start(res *core.Resource, p *private) error {
	key := strings.ToLower(res.ID)
	h.mu.Lock()
	running := h.planes[key]
	h.mu.Unlock()
	if running != nil {
		return nil
	}
	dir, err := h.storageDir(p.Dir)
	if err != nil {
		return err
	}
	pl, err := newPlane(h.s, res.ID, p, dir, settingsOf(res.Body), h.passwords(res.ID))
	if err != nil {
		return err
	}
	h.mu.Lock()
	h.planes[key] = pl
	h.mu.Unlock()
	name := res.ID[strings.LastIndex(res.ID, "/")+1:]
	h.s.SetNames(res.ID+"/blob", h.s.ListenIP(), strings.ToLower(name)+BlobSuffix)
	return nil
}

// BlobSuffix names a registry's blob endpoint (build contexts and run logs).
const BlobSuffix = ".blob.core." + wire.LocalSuffix

// serveBlobByHost serves https://REGISTRY.blob.core.aci.localhost:PORT/...
// with that registry's blob endpoint.
func (h *Registries) serveBlobByHost(w http.ResponseWriter, r *http.Request) {
	name, _, _ := strings.Cut(strings.ToLower(core.HostOnly(r.Host)), ".")
	var pl *plane
	h.mu.Lock()
	for id, p := range h.planes {
		if strings.EqualFold(id[strings.LastIndex(id, "/")+1:], name) {
			pl = p
		}
	}
	h.mu.Unlock()
	if pl == nil {
		blobError(w, 404, "ResourceNotFound", "The specified resource does not exist.")
		return
	}
	pl.blobs(w, r)
}

// passwords reads the current admin passwords, so a renewed one works at once.
func (h *Registries) passwords(id string) func() [2]string {
	return func() [2]string {
		res, err := h.s.Store().Get(id)
		if err != nil {
			return [2]string{}
		}
		var p private
		if res.DecodePrivate(&p) != nil {
			return [2]string{} // no password opens a registry whose record is damaged
		}
		return p.Passwords
	}
}

// storageDir is the registry's directory, confined to the registries dir.
func (h *Registries) storageDir(name string) (string, error) {
	if !nameRE.MatchString(name) {
		return "", fmt.Errorf("invalid registry directory %q", name)
	}
	if err := os.MkdirAll(h.baseDir, 0o700); err != nil {
		return "", err
	}
	d := filepath.Join(h.baseDir, name)
	return d, os.MkdirAll(d, 0o700)
}

func settingsOf(body []byte) settings {
	var b struct {
		Properties struct {
			AdminUserEnabled     bool   `json:"adminUserEnabled"`
			AnonymousPullEnabled bool   `json:"anonymousPullEnabled"`
			ProvisioningState    string `json:"provisioningState"`
		} `json:"properties"`
	}
	if json.Unmarshal(body, &b) != nil {
		return settings{} // a damaged record: no admin user, no anonymous pull
	}
	return settings{admin: b.Properties.AdminUserEnabled, anonymous: b.Properties.AnonymousPullEnabled}
}

func (h *Registries) credentials(w http.ResponseWriter, r *core.Request, id, regenerate string) {
	defer h.lock(id)()
	res, p, ok := h.load(w, r, id)
	if !ok {
		return
	}
	if !settingsOf(res.Body).admin {
		r.Error(w, 400, "AdminUserDisabled", "Admin user is disabled.")
		return
	}
	if regenerate != "" {
		i := 0
		if regenerate == "password2" {
			i = 1
		}
		p.Passwords[i] = password()
		pb, err := json.Marshal(p)
		if err == nil {
			err = h.s.Store().Update(id, func(x *core.Resource) error { x.Private = pb; return nil })
		}
		if err != nil {
			r.Error(w, 500, "InternalServerError", "The store failed: %v", err)
			return
		}
	}
	name := id[strings.LastIndex(id, "/")+1:]
	type password struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	core.WriteJSON(w, 200, struct {
		Passwords []password `json:"passwords"`
		Username  string     `json:"username"`
	}{[]password{{"password", p.Passwords[0]}, {"password2", p.Passwords[1]}}, name})
}

func (h *Registries) usages(w http.ResponseWriter, r *core.Request, id string) {
	res, p, ok := h.load(w, r, id)
	if !ok {
		return
	}
	var size int64
	if dir, err := h.storageDir(p.Dir); err == nil {
		_ = filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				if fi, err := d.Info(); err == nil {
					size += fi.Size()
				}
			}
			return nil
		})
	}
	var body struct {
		Sku struct{ Name string } `json:"sku"`
	}
	if err := res.DecodeBody(&body); err != nil {
		r.Error(w, 500, "InternalServerError", "%v", err)
		return
	}
	limits := map[string]int64{"Basic": 10 << 30, "Standard": 100 << 30, "Premium": 500 << 30}
	hooks := map[string]int64{"Basic": 2, "Standard": 10, "Premium": 500}
	type usage struct {
		CurrentValue int64  `json:"currentValue"`
		Limit        int64  `json:"limit"`
		Name         string `json:"name"`
		Unit         string `json:"unit"`
	}
	core.WriteJSON(w, 200, struct {
		Value []usage `json:"value"`
	}{[]usage{{size, limits[body.Sku.Name], "Size", "Bytes"}, {0, hooks[body.Sku.Name], "Webhooks", "Count"},
		{0, 100, "ScopeMaps", "Count"}, {0, 100, "Tokens", "Count"}}})
}

func (h *Registries) delete(w http.ResponseWriter, r *core.Request) {
	h.s.DeleteResource(w, r, &h.locks, "registry", h.remove)
}

// remove stops the data plane, deletes the storage, then the record; a crash
// half-way leaves Deleting set and the next start finishes it.
func (h *Registries) remove(id string) error {
	h.s.DropNames(id + "/blob")
	h.mu.Lock()
	pl := h.planes[strings.ToLower(id)]
	delete(h.planes, strings.ToLower(id))
	h.mu.Unlock()
	if pl != nil {
		pl.close()
	}
	res, err := h.s.Store().Get(id)
	if err != nil {
		return nil
	}
	var p private
	if err := res.DecodePrivate(&p); err != nil {
		// A damaged record still goes; its storage directory is unknown.
		h.s.Warn("registry record", "id", id, "error", err.Error())
	}
	if nameRE.MatchString(p.Dir) {
		if err := os.RemoveAll(filepath.Join(h.baseDir, p.Dir)); err != nil {
			return err
		}
	}
	if runs, err := h.s.Store().List(id+"/runs/", RunType); err == nil {
		for _, run := range runs {
			_ = h.s.Store().Delete(run.ID)
		}
	}
	if err := h.s.Store().Delete(id); err != nil && !errors.Is(err, core.ErrNotFound) {
		return err
	}
	return nil
}

// DeleteInGroup removes the group's registries with their images.
func (h *Registries) DeleteInGroup(sub, group string) error {
	return h.s.CleanGroup(sub, group, Type, &h.locks, func(res *core.Resource) error { return h.remove(res.ID) })
}

// checkName serves Microsoft.ContainerRegistry/checkNameAvailability.
type checkName struct{ h *Registries }

func (c checkName) Type() string { return "Microsoft.ContainerRegistry/checkNameAvailability" }

func (c checkName) Serve(w http.ResponseWriter, r *core.Request) {
	name, ok := r.CheckName(w, Type)
	if !ok {
		return
	}
	switch {
	case !nameRE.MatchString(name):
		core.WriteJSON(w, 200, core.NameAvailability{Reason: "Invalid",
			Message: "The specified resource name is disallowed. Registry names may contain only alpha numeric characters and must be between 5 and 50 characters (" + strconv.Quote(name) + ")."})
	case c.h.nameTaken(name, ""):
		core.WriteJSON(w, 200, core.NameAvailability{Reason: "AlreadyExists", Message: "The registry " + name + " is already in use."})
	default:
		core.WriteJSON(w, 200, core.NameAvailability{NameAvailable: true})
	}
}
