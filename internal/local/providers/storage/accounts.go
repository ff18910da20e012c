// Package storage is aci local's Microsoft.Storage: storage accounts and their
// file shares over ARM, and a file-service data plane speaking the Azure Files
// REST API (Shared Key and SAS verified as Azure verifies them) whose shares
// are directories in the state dir, so a container group's azureFile volume
// can bind-mount them.
package storage

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/aci-cli/aci/internal/local/core"
)

// Type is the ARM resource type of an account.
const Type = "Microsoft.Storage/storageAccounts"

// ShareType is the ARM resource type of a file share.
const ShareType = "Microsoft.Storage/storageAccounts/fileServices/shares"

var (
	accountRE = regexp.MustCompile(`^[a-z0-9]{3,24}$`)
	// A share name: 3-63 lowercase letters, digits and single hyphens, starting
	// and ending with a letter or digit.
	shareRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9]|-[a-z0-9]){2,62}$`)
)

// Accounts serves Microsoft.Storage/storageAccounts (with fileServices and
// shares) and the file service of every account.
type Accounts struct {
	s       *core.Server
	baseDir string // <state>/storage: one directory per account, one per share in it

	locks  core.Locks
	plane  *core.DataPlane // the IP-style file endpoint, https://ADDR/ACCOUNT/...
	suffix string          // ".file.aci.localhost": the file service by name
}

// private is what GET never returns.
type private struct {
	Keys     [2]string `json:"keys"`
	KeyTimes [2]string `json:"keyTimes"`
	Deleting bool      `json:"deleting,omitempty"`
}

// New registers the storage resource types on s, and the file service on the
// server's own listener for hosts under fileSuffix (".file.aci.localhost").
func New(s *core.Server, fileSuffix string) *Accounts {
	h := &Accounts{s: s, baseDir: filepath.Join(s.Options().StateDir, "storage")}
	s.Declare(core.Namespace{Name: "Microsoft.Storage",
		Types: []string{"storageAccounts", "storageAccounts/fileServices", "storageAccounts/fileServices/shares", "locations",
			"locations/asyncoperations", "checkNameAvailability", "operations"},
		Versions: []string{"2025-01-01", "2023-05-01", "2022-09-01"}})
	s.Register(h)
	s.Register(checkName{h})
	s.Register(locations{h})
	s.RegisterResumer("storageAccountCreate", h.finishCreate)
	h.suffix = fileSuffix
	s.OnStart(func() {
		all, _ := s.Store().List("/subscriptions/", Type)
		for _, r := range all {
			h.publishName(r.ID)
		}
	})
	if fileSuffix != "" {
		s.RegisterHost(fileSuffix, http.HandlerFunc(h.serveByHost))
		// ACCOUNT.file.core.aci.localhost too: the Azure SDKs (az's among
		// them) find an account's name only in a host of that shape.
		if rest, ok := strings.CutPrefix(fileSuffix, ".file."); ok {
			s.RegisterHost(".file.core."+rest, http.HandlerFunc(h.serveByHost))
		}
	}
	s.OnStart(h.startPlane)
	return h
}

// Type is the ARM resource type.
func (h *Accounts) Type() string { return Type }

func (h *Accounts) lock(id string) func() { return h.locks.Lock(id) }

// accountBody is what a PUT or PATCH may carry; read-only fields are ignored.
type accountBody struct {
	Location *string            `json:"location"`
	Kind     *string            `json:"kind"`
	Tags     map[string]*string `json:"tags"`
	Sku      *struct {
		Name string `json:"name"`
	} `json:"sku"`
	Properties *struct {
		SupportsHTTPSTrafficOnly *bool   `json:"supportsHttpsTrafficOnly"`
		MinimumTLSVersion        *string `json:"minimumTlsVersion"`
		AllowBlobPublicAccess    *bool   `json:"allowBlobPublicAccess"`
		AllowSharedKeyAccess     *bool   `json:"allowSharedKeyAccess"`
		AccessTier               *string `json:"accessTier"`
		PublicNetworkAccess      *string `json:"publicNetworkAccess"`
		LargeFileSharesState     *string `json:"largeFileSharesState"`
	} `json:"properties"`
}

var skus = []string{"Standard_LRS", "Standard_GRS", "Standard_RAGRS", "Standard_ZRS", "Premium_LRS", "Premium_ZRS", "Standard_GZRS", "Standard_RAGZRS"}
var kinds = []string{"Storage", "StorageV2", "BlobStorage", "FileStorage", "BlockBlobStorage"}

func oneOf(list []string, v string) (string, bool) {
	for _, k := range list {
		if strings.EqualFold(k, v) {
			return k, true
		}
	}
	return "", false
}

// Serve routes storageAccounts[/{name}[/action|/fileServices/...]].
func (h *Accounts) Serve(w http.ResponseWriter, r *core.Request) {
	core.ServeMethods(w, r, core.Methods{
		List: h.list,
		Get: func(w http.ResponseWriter, r *core.Request, _ string) {
			if res, _, ok := h.load(w, r, r.ID(0)); ok {
				core.WriteRaw(w, 200, h.present(res.Body))
			}
		},
		Put:    h.put,
		Patch:  func(w http.ResponseWriter, r *core.Request, _ string) { h.patch(w, r) },
		Delete: func(w http.ResponseWriter, r *core.Request, _ string) { h.delete(w, r) },
		Actions: []core.Action{
			{Name: "listKeys", Method: http.MethodPost, Serve: func(w http.ResponseWriter, r *core.Request, id string, _ []string) { h.keys(w, r, id, "") }},
			{Name: "regenerateKey", Method: http.MethodPost, Serve: h.regenerateKey},
			{Name: "fileServices", Extra: -1, Serve: h.fileServices},
		},
	})
}

func (h *Accounts) regenerateKey(w http.ResponseWriter, r *core.Request, id string, _ []string) {
	var b struct {
		KeyName string `json:"keyName"`
	}
	if e := r.Decode(&b); e != nil {
		core.WriteError(w, e)
		return
	}
	if b.KeyName != "key1" && b.KeyName != "key2" {
		r.Error(w, 400, "InvalidValuesForRequestParameters", "Values for request parameters are invalid: keyName.")
		return
	}
	h.keys(w, r, id, b.KeyName)
}

func notFoundAccount(w http.ResponseWriter, r *core.Request, name string) {
	r.Error(w, 404, "ResourceNotFound", "The Resource '%s/%s' under resource group '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix", Type, name, r.Group)
}

func (h *Accounts) load(w http.ResponseWriter, r *core.Request, id string) (*core.Resource, *private, bool) {
	name := id[strings.LastIndex(id, "/")+1:]
	res, err := h.s.Store().Get(id)
	if err != nil || !strings.EqualFold(res.Type, Type) {
		notFoundAccount(w, r, name)
		return nil, nil, false
	}
	var p private
	if err := res.DecodePrivate(&p); err != nil {
		r.Error(w, 500, "InternalServerError", "%v", err)
		return nil, nil, false
	}
	if p.Deleting {
		notFoundAccount(w, r, name)
		return nil, nil, false
	}
	return res, &p, true
}

// present adds the endpoints, which follow the file plane's address (it may
// change between runs where only 127.0.0.1 exists).
func (h *Accounts) present(body []byte) []byte {
	a, err := decodeAccount(body)
	if err != nil || a.Properties.ProvisioningState != "Succeeded" {
		return body
	}
	if ep := h.FileEndpoint(a.Name); ep != "" {
		a.Properties.PrimaryEndpoints = &endpoints{File: ep}
	}
	out, err := json.Marshal(a)
	if err != nil {
		return body
	}
	return out
}

// FileEndpoint is an account's file service URL in IP style (the account is
// the first path segment), as ARM's primaryEndpoints.file carries it.
func (h *Accounts) FileEndpoint(account string) string {
	if h.plane == nil {
		return ""
	}
	return "https://" + h.plane.Addr + "/" + account + "/"
}

func (h *Accounts) list(w http.ResponseWriter, r *core.Request) {
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
			items = append(items, h.present(res.Body))
		}
	}
	h.s.Page(w, r, items)
}

func now() string { return time.Now().UTC().Format("2006-01-02T15:04:05.0000000Z") }

func newKey() string {
	b := make([]byte, 64)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// byName finds the live account with this name anywhere on the endpoint
// (names are unique, as they are DNS names on Azure).
// Every data-plane request asks it, so it reads keys, not records: it once
// decoded every resource of the endpoint per request.
func (h *Accounts) byName(name string) (*core.Resource, *private) {
	if strings.Contains(name, "/") {
		return nil, nil
	}
	res, err := h.s.Store().FindSuffix("/subscriptions/", "/providers/"+Type+"/"+name)
	if err != nil || !strings.EqualFold(res.Type, Type) {
		return nil, nil
	}
	// A damaged record has no keys, so nothing authenticates against it.
	var p private
	if err := res.DecodePrivate(&p); err != nil {
		p = private{Deleting: true}
	}
	return res, &p
}

func invalidName(name string) string {
	return name + " is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only."
}

func (h *Accounts) put(w http.ResponseWriter, r *core.Request, name string) {
	id := r.ID(0)
	if !accountRE.MatchString(name) {
		r.Error(w, 400, "AccountNameInvalid", "%s", invalidName(name))
		return
	}
	var b accountBody
	if e := r.Decode(&b); e != nil {
		core.WriteError(w, e)
		return
	}
	if e := core.ValidateTagPointers(b.Tags); e != nil {
		core.WriteError(w, e)
		return
	}
	defer h.lock(id)()
	if existing, _ := h.s.Store().Get(id); existing != nil {
		var p private
		if err := existing.DecodePrivate(&p); err != nil {
			r.Error(w, 500, "InternalServerError", "%v", err)
			return
		}
		if p.Deleting {
			r.Error(w, 409, "StorageAccountIsBeingDeleted", "The storage account %s is being deleted.", name)
			return
		}
		h.update(w, r, existing, &b, true)
		return
	}
	if other, _ := h.byName(name); other != nil {
		r.Error(w, 409, "StorageAccountAlreadyTaken", "The storage account named %s is already taken.", name)
		return
	}
	loc, sku, kind, e := validateNewAccount(&b)
	if e != nil {
		core.WriteError(w, e)
		return
	}
	created := now()
	p := &private{Keys: [2]string{newKey(), newKey()}, KeyTimes: [2]string{created, created}}
	res := &core.Resource{ID: id, Type: Type, Group: r.Group, Created: time.Now(), Updated: time.Now()}
	if err := res.Encode(newAccount(&b, id, name, loc, sku, kind, created), p); err != nil {
		r.Error(w, 500, "InternalServerError", "%v", err)
		return
	}
	op, e := h.s.Create(res, "storageAccountCreate")
	if e != nil {
		core.WriteError(w, e)
		return
	}
	// Azure answers 202 with no body and a Location to poll (monitor=true):
	// the poll answers 202 until the account exists, then 200 with it.
	w.Header().Set("Location", fmt.Sprintf("%s/subscriptions/%s/providers/Microsoft.Storage/locations/%s/asyncoperations/%s?monitor=true&api-version=%s",
		h.s.BaseURL(), r.Subscription, loc, op.ID, r.APIVersion))
	core.RetryAfter(w)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusAccepted)
	h.s.Go(func(context.Context) { h.finishCreate(op) })
}

// validateNewAccount checks what a new account needs: a location, a SKU
// and a kind Azure has.
func validateNewAccount(b *accountBody) (loc, sku, kind string, e *core.APIError) {
	if b.Location == nil || *b.Location == "" {
		return "", "", "", core.NewError(400, "LocationRequired", "The location property is required for this definition.")
	}
	loc, ok := core.NormalizeLocation(*b.Location)
	if !ok {
		return "", "", "", core.NewError(400, "LocationNotAvailableForResourceType", fmt.Sprintf("The provided location '%s' is not available for resource type '%s'. List of available regions for the resource type is '%s'.", *b.Location, Type, core.RegionNames()))
	}
	if b.Sku == nil || b.Sku.Name == "" {
		return "", "", "", core.NewError(400, "MissingRequiredParameter", "The request is missing the required parameter 'sku'.")
	}
	sku, ok = oneOf(skus, b.Sku.Name)
	if !ok {
		return "", "", "", core.NewError(400, "InvalidValuesForRequestParameters", "Values for request parameters are invalid: sku.name.")
	}
	kind = "StorageV2"
	if b.Kind != nil {
		if kind, ok = oneOf(kinds, *b.Kind); !ok {
			return "", "", "", core.NewError(400, "InvalidValuesForRequestParameters", "Values for request parameters are invalid: kind.")
		}
	}
	return loc, sku, kind, nil
}

// finishCreate makes the account's directory and marks it Succeeded; after a
// crash it simply runs again.
func (h *Accounts) finishCreate(op *core.Operation) {
	defer h.lock(op.Target)()
	res, err := h.s.Store().Get(op.Target)
	if err != nil {
		h.s.FinishOperation(op, &core.ErrorBody{Code: "ResourceNotFound", Message: "The storage account was deleted."})
		return
	}
	name := res.ID[strings.LastIndex(res.ID, "/")+1:]
	if _, err := h.accountDir(name, true); err != nil {
		h.setState(res.ID, "Failed")
		h.s.FinishOperation(op, &core.ErrorBody{Code: "InternalError", Message: err.Error()})
		return
	}
	h.setState(res.ID, "Succeeded")
	h.publishName(res.ID)
	h.s.FinishOperation(op, nil)
}

// publishName makes the account's file endpoint names resolve for other
// clients (the hosts block): ACCOUNT.file.core.aci.localhost is the shape
// the Azure SDKs take an account's name from.
func (h *Accounts) publishName(id string) {
	if h.suffix == "" {
		return
	}
	name := id[strings.LastIndex(id, "/")+1:]
	rest := strings.TrimPrefix(h.suffix, ".file.")
	h.s.SetNames(id, h.s.ListenIP(), name+".file.core."+rest, name+h.suffix)
}

func (h *Accounts) setState(id, state string) {
	_ = h.s.Store().Update(id, func(x *core.Resource) error {
		a, err := decodeAccount(x.Body)
		if err != nil {
			return err
		}
		a.Properties.ProvisioningState = state
		x.Body, err = json.Marshal(a)
		return err
	})
}

// accountDir is the account's directory, confined to the storage dir.
func (h *Accounts) accountDir(name string, create bool) (string, error) {
	if !accountRE.MatchString(name) {
		return "", fmt.Errorf("invalid account directory %q", name)
	}
	d := filepath.Join(h.baseDir, name)
	if create {
		if err := os.MkdirAll(h.baseDir, 0o700); err != nil {
			return "", err
		}
		// Shares under it are mounted into containers that may run as any
		// user, as an SMB mount of Azure Files lets them write; the storage
		// dir above stays closed to other host users.
		if err := os.MkdirAll(d, 0o755); err != nil {
			return "", err
		}
	}
	return d, nil
}

func (h *Accounts) update(w http.ResponseWriter, r *core.Request, res *core.Resource, b *accountBody, isPut bool) {
	a, err := decodeAccount(res.Body)
	if err != nil {
		r.Error(w, 500, "InternalServerError", "%v", err)
		return
	}
	if b.Sku != nil && b.Sku.Name != "" {
		sku, ok := oneOf(skus, b.Sku.Name)
		if !ok {
			r.Error(w, 400, "InvalidValuesForRequestParameters", "Values for request parameters are invalid: sku.name.")
			return
		}
		a.Sku = skuOf(sku)
	}
	if b.Location != nil {
		if loc, _ := core.NormalizeLocation(*b.Location); loc != a.Location {
			r.Error(w, 409, "InvalidAccountLocation", "The location of an existing storage account cannot change.")
			return
		}
	}
	if b.Kind != nil {
		k, ok := oneOf(kinds, *b.Kind)
		if !ok {
			r.Error(w, 400, "InvalidValuesForRequestParameters", "Values for request parameters are invalid: kind.")
			return
		}
		a.Kind = k
	}
	if b.Tags != nil || isPut {
		a.Tags = tagsOf(b.Tags)
	}
	a.apply(b)
	a.Properties.PrimaryEndpoints = nil // presented, never stored
	bb, err := json.Marshal(a)
	if err == nil {
		err = h.s.Store().Update(res.ID, func(x *core.Resource) error { x.Body, x.Updated = bb, time.Now(); return nil })
	}
	if err != nil {
		r.Error(w, 500, "InternalServerError", "The store failed: %v", err)
		return
	}
	core.WriteRaw(w, 200, h.present(bb))
}

func (h *Accounts) patch(w http.ResponseWriter, r *core.Request) {
	id := r.ID(0)
	var b accountBody
	if e := r.Decode(&b); e != nil {
		core.WriteError(w, e)
		return
	}
	if e := core.ValidateTagPointers(b.Tags); e != nil {
		core.WriteError(w, e)
		return
	}
	defer h.lock(id)()
	if res, _, ok := h.load(w, r, id); ok {
		h.update(w, r, res, &b, false)
	}
}

func (h *Accounts) keys(w http.ResponseWriter, r *core.Request, id, regenerate string) {
	defer h.lock(id)()
	res, p, ok := h.load(w, r, id)
	if !ok {
		return
	}
	if regenerate != "" {
		i := 0
		if regenerate == "key2" {
			i = 1
		}
		p.Keys[i], p.KeyTimes[i] = newKey(), now()
		a, err := decodeAccount(res.Body)
		if err != nil {
			r.Error(w, 500, "InternalServerError", "%v", err)
			return
		}
		a.Properties.KeyCreationTime = keyTimes{p.KeyTimes[0], p.KeyTimes[1]}
		if err := res.Encode(a, p); err != nil {
			r.Error(w, 500, "InternalServerError", "%v", err)
			return
		}
		if err := h.s.Store().Update(res.ID, func(x *core.Resource) error { x.Private, x.Body = res.Private, res.Body; return nil }); err != nil {
			r.Error(w, 500, "InternalServerError", "The store failed: %v", err)
			return
		}
	}
	type key struct {
		CreationTime string `json:"creationTime"`
		KeyName      string `json:"keyName"`
		Permissions  string `json:"permissions"`
		Value        string `json:"value"`
	}
	core.WriteJSON(w, 200, struct {
		Keys []key `json:"keys"`
	}{[]key{{p.KeyTimes[0], "key1", "FULL", p.Keys[0]}, {p.KeyTimes[1], "key2", "FULL", p.Keys[1]}}})
}

func (h *Accounts) delete(w http.ResponseWriter, r *core.Request) {
	h.s.DeleteResource(w, r, &h.locks, "storage account", h.remove)
}

// remove deletes the shares' data, their records, then the account; a crash
// half-way leaves Deleting set and the next start finishes it.
func (h *Accounts) remove(id string) error {
	h.s.DropNames(id)
	name := id[strings.LastIndex(id, "/")+1:]
	if d, err := h.accountDir(name, false); err == nil {
		if err := os.RemoveAll(d); err != nil {
			return err
		}
	}
	if kids, err := h.s.Store().List(id+"/", ""); err == nil {
		for _, k := range kids {
			_ = h.s.Store().Delete(k.ID)
		}
	}
	if err := h.s.Store().Delete(id); err != nil && !errors.Is(err, core.ErrNotFound) {
		return err
	}
	return nil
}

// DeleteInGroup removes the group's accounts with their shares.
func (h *Accounts) DeleteInGroup(sub, group string) error {
	return h.s.CleanGroup(sub, group, Type, &h.locks, func(res *core.Resource) error { return h.remove(res.ID) })
}

// checkName serves Microsoft.Storage/checkNameAvailability.
type checkName struct{ h *Accounts }

func (c checkName) Type() string { return "Microsoft.Storage/checkNameAvailability" }

func (c checkName) Serve(w http.ResponseWriter, r *core.Request) {
	name, ok := r.CheckName(w, Type)
	if !ok {
		return
	}
	switch other, _ := c.h.byName(name); {
	case !accountRE.MatchString(name):
		core.WriteJSON(w, 200, core.NameAvailability{Reason: "AccountNameInvalid", Message: invalidName(name)})
	case other != nil:
		core.WriteJSON(w, 200, core.NameAvailability{Reason: "AlreadyExists", Message: "The storage account named " + name + " is already taken."})
	default:
		core.WriteJSON(w, 200, core.NameAvailability{NameAvailable: true})
	}
}

// locations serves the create poll, locations/{l}/asyncoperations/{id}.
type locations struct{ h *Accounts }

func (l locations) Type() string { return "Microsoft.Storage/locations" }

func (l locations) Serve(w http.ResponseWriter, r *core.Request) {
	rest := r.Rest
	if len(rest) != 4 || !strings.EqualFold(rest[2], "asyncoperations") || r.Method != http.MethodGet {
		r.Error(w, 404, "InvalidResourceType", "The resource path '%s' is not known to aci local.", r.URL.Path)
		return
	}
	op, err := l.h.s.Store().GetOperation(rest[3])
	if err != nil {
		r.Error(w, 404, "OperationNotFound", "The operation '%s' could not be found.", rest[3])
		return
	}
	switch op.Status {
	case "InProgress":
		w.Header().Set("Location", l.h.s.BaseURL()+r.URL.RequestURI())
		core.RetryAfter(w)
		w.WriteHeader(http.StatusAccepted)
	case "Succeeded":
		res, err := l.h.s.Store().Get(op.Target)
		if err != nil {
			r.Error(w, 404, "ResourceNotFound", "The storage account was deleted.")
			return
		}
		core.WriteRaw(w, 200, l.h.present(res.Body))
	default:
		e := &core.APIError{Status: 500, Code: "InternalError", Message: "The storage account could not be created."}
		if op.Error != nil {
			e.Code, e.Message = op.Error.Code, op.Error.Message
		}
		core.WriteError(w, e)
	}
}
