package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/aci-cli/aci/internal/local/core"
)

// share is a file share as both planes see it: ARM's share-rm and the file
// service's share properties read and write the same record.
type share struct {
	Metadata         map[string]string  `json:"metadata,omitempty"`
	Quota            int                `json:"quota"`
	AccessTier       string             `json:"accessTier"`
	EnabledProtocols string             `json:"enabledProtocols"`
	RootSquash       string             `json:"rootSquash,omitempty"`
	Identifiers      []signedIdentifier `json:"identifiers,omitempty"` // stored access policies (Set Share ACL)
	Lease            lease              `json:"lease,omitzero"`
	Modified         time.Time          `json:"modified"`
	TierChanged      time.Time          `json:"tierChanged"`
}

// defaultQuota is Azure's for a new share of a large-file-share account (GiB).
const defaultQuota = 102400

func shareID(accountID, name string) string {
	return accountID + "/fileServices/default/shares/" + name
}

// etag is Azure's: the modification time as a Windows FILETIME in hex.
func etag(t time.Time) string {
	return fmt.Sprintf("\"0x%X\"", t.UnixNano()/100+116444736000000000)
}

func armTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }

// armShare is a share as ARM's GET shows it, fields in the wire's
// alphabetical order; a single share (full) also has its metadata and
// access policies.
type armShare struct {
	Etag       string        `json:"etag"`
	ID         string        `json:"id"`
	Name       string        `json:"name"`
	Properties armShareProps `json:"properties"`
	Type       string        `json:"type"`
}

type armShareProps struct {
	AccessTier           string            `json:"accessTier"`
	AccessTierChangeTime string            `json:"accessTierChangeTime"`
	EnabledProtocols     string            `json:"enabledProtocols"`
	LastModifiedTime     string            `json:"lastModifiedTime"`
	LeaseState           string            `json:"leaseState"`
	LeaseStatus          string            `json:"leaseStatus"`
	Metadata             map[string]string `json:"metadata,omitempty"`
	RootSquash           string            `json:"rootSquash,omitempty"`
	ShareQuota           int               `json:"shareQuota"`
	SignedIdentifiers    *[]armIdentifier  `json:"signedIdentifiers,omitempty"` // [] for a share without policies
}

// armBody is the share as GET shows it.
func (sh *share) armBody(id, name string, full bool) armShare {
	state, status := sh.Lease.state()
	props := armShareProps{LeaseStatus: status, LeaseState: state, AccessTier: sh.AccessTier,
		AccessTierChangeTime: armTime(sh.TierChanged), LastModifiedTime: armTime(sh.Modified), ShareQuota: sh.Quota,
		EnabledProtocols: sh.EnabledProtocols, RootSquash: sh.RootSquash}
	if full {
		ids := sh.armIdentifiers()
		props.SignedIdentifiers = &ids
		props.Metadata = sh.Metadata
	}
	return armShare{ID: id, Name: name, Type: ShareType, Etag: etag(sh.Modified), Properties: props}
}

func (h *Accounts) getShare(accountID, name string) (*share, error) {
	res, err := h.s.Store().Get(shareID(accountID, name))
	if err != nil {
		return nil, err
	}
	var sh share
	if err := json.Unmarshal(res.Private, &sh); err != nil {
		return nil, err
	}
	return &sh, nil
}

func (h *Accounts) saveShare(acct *core.Resource, name string, sh *share) error {
	id := shareID(acct.ID, name)
	res := &core.Resource{ID: id, Type: ShareType, Group: acct.Group, Created: time.Now(), Updated: time.Now()}
	if err := res.Encode(sh.armBody(id, name, false), sh); err != nil {
		return err
	}
	return h.s.Store().Put(res)
}

// shareDir is the share's directory, confined to its account's.
func (h *Accounts) shareDir(account, name string) (string, error) {
	if !shareRE.MatchString(name) {
		return "", fmt.Errorf("invalid share name %q", name)
	}
	d, err := h.accountDir(account, false)
	if err != nil {
		return "", err
	}
	return filepath.Join(d, name), nil
}

// createShare makes the share's directory and record; it fails with
// errShareExists when there is one.
func (h *Accounts) createShare(acct *core.Resource, name string, sh *share) error {
	if _, err := h.getShare(acct.ID, name); err == nil {
		return errShareExists
	}
	account := acct.ID[strings.LastIndex(acct.ID, "/")+1:]
	if _, err := h.accountDir(account, true); err != nil {
		return err
	}
	d, err := h.shareDir(account, name)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(d, 0o777); err != nil {
		return err
	}
	_ = os.Chmod(d, 0o777) // the mask would narrow it; containers of any user write here
	if sh.Quota == 0 {
		sh.Quota = defaultQuota
	}
	if sh.AccessTier == "" {
		sh.AccessTier = "TransactionOptimized"
	}
	if sh.EnabledProtocols == "" {
		sh.EnabledProtocols = "SMB"
	}
	sh.Modified, sh.TierChanged = time.Now().UTC(), time.Now().UTC()
	return h.saveShare(acct, name, sh)
}

var errShareExists = errors.New("share exists")

// deleteShare removes the share's files, then its records.
func (h *Accounts) deleteShare(acct *core.Resource, name string) error {
	account := acct.ID[strings.LastIndex(acct.ID, "/")+1:]
	d, err := h.shareDir(account, name)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(d); err != nil {
		return err
	}
	id := shareID(acct.ID, name)
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

func (h *Accounts) listShares(accountID string) ([]string, error) {
	all, err := h.s.Store().List(accountID+"/fileservices/default/shares/", ShareType)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, r := range all {
		names = append(names, r.ID[strings.LastIndex(r.ID, "/")+1:])
	}
	sort.Strings(names)
	return names, nil
}

// shareBody is what a share-rm PUT or PATCH carries.
type shareBody struct {
	Properties *shareProps `json:"properties"`
}

type shareProps struct {
	Metadata          map[string]string `json:"metadata"`
	ShareQuota        *int              `json:"shareQuota"`
	AccessTier        *string           `json:"accessTier"`
	EnabledProtocols  *string           `json:"enabledProtocols"`
	RootSquash        *string           `json:"rootSquash"`
	SignedIdentifiers *[]armIdentifier  `json:"signedIdentifiers"`
}

// armIdentifier is a stored access policy as ARM's share resource carries
// it (the file service's Set Share ACL carries the same in XML).
type armIdentifier struct {
	AccessPolicy struct {
		ExpiryTime string `json:"expiryTime,omitempty"`
		Permission string `json:"permission,omitempty"`
		StartTime  string `json:"startTime,omitempty"`
	} `json:"accessPolicy"`
	ID string `json:"id"`
}

var tiers = []string{"TransactionOptimized", "Hot", "Cool", "Premium"}

func (b *shareBody) apply(sh *share) *core.APIError {
	p := b.Properties
	if p == nil {
		return nil
	}
	if p.Metadata != nil {
		sh.Metadata = p.Metadata
	}
	if p.ShareQuota != nil {
		if *p.ShareQuota < 1 || *p.ShareQuota > defaultQuota {
			return core.NewError(400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.")
		}
		sh.Quota = *p.ShareQuota
	}
	if p.AccessTier != nil {
		t, ok := oneOf(tiers, *p.AccessTier)
		if !ok {
			return core.NewError(400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.")
		}
		if t != sh.AccessTier {
			sh.AccessTier, sh.TierChanged = t, time.Now().UTC()
		}
	}
	if p.EnabledProtocols != nil {
		e, ok := oneOf([]string{"SMB", "NFS"}, *p.EnabledProtocols)
		if !ok {
			return core.NewError(400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.")
		}
		sh.EnabledProtocols = e
	}
	if p.RootSquash != nil {
		sh.RootSquash = *p.RootSquash
	}
	if p.SignedIdentifiers != nil {
		ids := []signedIdentifier{}
		for _, a := range *p.SignedIdentifiers {
			ids = append(ids, signedIdentifier{ID: a.ID, Policy: accessPolicy{Start: a.AccessPolicy.StartTime, Expiry: a.AccessPolicy.ExpiryTime, Permission: a.AccessPolicy.Permission}})
		}
		if e := validIdentifiers(ids); e != nil {
			return e
		}
		sh.Identifiers = ids
	}
	return nil
}

// fileServices serves storageAccounts/{a}/fileServices[/default[/shares[/{s}]]].
func (h *Accounts) fileServices(w http.ResponseWriter, r *core.Request, accountID string, rest []string) {
	acct, _, ok := h.load(w, r, accountID)
	if !ok {
		return
	}
	type fileService struct {
		ID         string `json:"id"`
		Name       string `json:"name"`
		Properties struct {
			Cors struct {
				CorsRules []any `json:"corsRules"`
			} `json:"cors"`
			ShareDeleteRetentionPolicy struct {
				Enabled bool `json:"enabled"`
			} `json:"shareDeleteRetentionPolicy"`
		} `json:"properties"`
		Type string `json:"type"`
	}
	svc := fileService{ID: accountID + "/fileServices/default", Name: "default", Type: "Microsoft.Storage/storageAccounts/fileServices"}
	svc.Properties.Cors.CorsRules = []any{}
	switch {
	case len(rest) == 0 && r.Method == http.MethodGet:
		core.WriteJSON(w, 200, struct {
			Value []fileService `json:"value"`
		}{[]fileService{svc}})
		return
	case len(rest) == 1 && strings.EqualFold(rest[0], "default") && (r.Method == http.MethodGet || r.Method == http.MethodPut):
		core.WriteJSON(w, 200, svc)
		return
	case len(rest) < 2 || !strings.EqualFold(rest[0], "default") || !strings.EqualFold(rest[1], "shares") || len(rest) > 3:
		r.Error(w, 404, "InvalidResourceType", "The resource path '%s' is not known to aci local.", r.URL.Path)
		return
	}
	if len(rest) == 2 {
		if r.Method != http.MethodGet {
			r.Error(w, 405, "MethodNotAllowed", "The method '%s' is not allowed.", r.Method)
			return
		}
		h.listSharesARM(w, r, acct.ID)
		return
	}
	name := rest[2]
	defer h.lock(acct.ID)()
	switch r.Method {
	case http.MethodGet:
		sh, err := h.getShare(acct.ID, name)
		if err != nil {
			r.Error(w, 404, "ShareNotFound", "The specified share does not exist.")
			return
		}
		core.WriteJSON(w, 200, sh.armBody(shareID(acct.ID, name), name, true))
	case http.MethodPut, http.MethodPatch:
		h.putShareARM(w, r, acct, name)
	case http.MethodDelete:
		if _, err := h.getShare(acct.ID, name); err != nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if err := h.deleteShare(acct, name); err != nil {
			r.Error(w, 500, "InternalServerError", "Deleting the share failed: %v", err)
			return
		}
		w.WriteHeader(http.StatusOK)
	default:
		r.Error(w, 405, "MethodNotAllowed", "The method '%s' is not allowed.", r.Method)
	}
}

func (h *Accounts) listSharesARM(w http.ResponseWriter, r *core.Request, accountID string) {
	names, err := h.listShares(accountID)
	if err != nil {
		r.Error(w, 500, "InternalServerError", "The store failed: %v", err)
		return
	}
	items := []json.RawMessage{}
	for _, n := range names {
		if sh, err := h.getShare(accountID, n); err == nil {
			b, err := json.Marshal(sh.armBody(shareID(accountID, n), n, false))
			if err != nil {
				r.Error(w, 500, "InternalServerError", "%v", err)
				return
			}
			items = append(items, b)
		}
	}
	h.s.Page(w, r, items)
}

// putShareARM creates a share (PUT) or changes one (PUT or PATCH).
func (h *Accounts) putShareARM(w http.ResponseWriter, r *core.Request, acct *core.Resource, name string) {
	id := shareID(acct.ID, name)
	if !shareRE.MatchString(name) {
		r.Error(w, 400, "InvalidResourceName", "The specifed resource name contains invalid characters.")
		return
	}
	var b shareBody
	if e := r.Decode(&b); e != nil {
		core.WriteError(w, e)
		return
	}
	sh, err := h.getShare(acct.ID, name)
	isNew := err != nil
	if isNew && r.Method == http.MethodPatch {
		r.Error(w, 404, "ShareNotFound", "The specified share does not exist.")
		return
	}
	if isNew {
		sh = &share{}
	}
	if e := b.apply(sh); e != nil {
		core.WriteError(w, e)
		return
	}
	if isNew {
		err = h.createShare(acct, name, sh)
	} else {
		sh.Modified = time.Now().UTC()
		err = h.saveShare(acct, name, sh)
	}
	if err != nil {
		r.Error(w, 500, "InternalServerError", "The share could not be saved: %v", err)
		return
	}
	// Azure echoes what was asked for, not the whole share.
	out := map[string]any{"id": id, "name": name, "type": ShareType}
	var echo struct {
		Properties map[string]any `json:"properties"`
	}
	if json.Unmarshal(r.Body, &echo) == nil && echo.Properties != nil {
		out["properties"] = echo.Properties
	}
	status := 200
	if isNew {
		status = 201
	}
	core.WriteJSON(w, status, out)
}
