package core

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Subscriptions, tenants, locations, resource groups, providers and operation
// results: the ARM core every resource type lives in.

func (s *Server) subscription() map[string]any {
	return map[string]any{"id": "/subscriptions/" + s.id.SubscriptionID, "subscriptionId": s.id.SubscriptionID,
		"tenantId": s.id.TenantID, "displayName": "aci local", "state": "Enabled", "authorizationSource": "RoleBased",
		"managedByTenants": []any{}, "tags": map[string]any{},
		"subscriptionPolicies": map[string]any{"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01", "spendingLimit": "Off"}}
}

func (s *Server) listSubscriptions(w http.ResponseWriter, r *Request) {
	WriteJSON(w, 200, map[string]any{"value": []any{s.subscription()}, "count": map[string]any{"type": "Total", "value": 1}})
}

func (s *Server) listTenants(w http.ResponseWriter, r *Request) {
	WriteJSON(w, 200, map[string]any{"value": []any{map[string]any{"id": "/tenants/" + s.id.TenantID, "tenantId": s.id.TenantID,
		"tenantCategory": "Home", "countryCode": "US", "displayName": "aci local", "domains": []string{"aci.local"},
		"defaultDomain": "aci.local", "tenantType": "AAD"}}})
}

// Regions is what aci local offers (name, display name, geography).
var Regions = [][3]string{
	{"eastus", "East US", "US"}, {"eastus2", "East US 2", "US"}, {"westus", "West US", "US"}, {"westus2", "West US 2", "US"},
	{"westus3", "West US 3", "US"}, {"centralus", "Central US", "US"}, {"northeurope", "North Europe", "Europe"},
	{"westeurope", "West Europe", "Europe"}, {"uksouth", "UK South", "UK"}, {"southeastasia", "Southeast Asia", "Asia Pacific"},
	{"australiaeast", "Australia East", "Australia"}, {"japaneast", "Japan East", "Asia Pacific"},
}

func (s *Server) locations() []any {
	var out []any
	for _, rg := range Regions {
		out = append(out, map[string]any{"id": "/subscriptions/" + s.id.SubscriptionID + "/locations/" + rg[0],
			"name": rg[0], "displayName": rg[1], "regionalDisplayName": "(" + rg[2] + ") " + rg[1], "type": "Region",
			"metadata": map[string]any{"regionType": "Physical", "regionCategory": "Recommended", "geographyGroup": rg[2]}})
	}
	return out
}

// NormalizeLocation turns "West US" into "westus" and reports whether it is known.
func NormalizeLocation(l string) (string, bool) {
	n := strings.ToLower(strings.ReplaceAll(l, " ", ""))
	for _, rg := range Regions {
		if rg[0] == n {
			return n, true
		}
	}
	return n, false
}

func RegionNames() string {
	var n []string
	for _, rg := range Regions {
		n = append(n, rg[0])
	}
	return strings.Join(n, ",")
}

// groupNameRE is ARM's rule: Unicode letters and digits, '-', '_', '.', '(' and ')'.
var groupNameRE = regexp.MustCompile(`^[-\p{L}\p{Mn}\p{Mc}\p{Nd}_.()]+$`)

func validGroupName(name string) *APIError {
	if utf8.RuneCountInString(name) > 90 {
		return &APIError{400, "InvalidResourceGroup", fmt.Sprintf("The provided resource group name '%s' is too long. The name can be at most 90 characters.", name)}
	}
	if !groupNameRE.MatchString(name) || strings.HasSuffix(name, ".") {
		var bad []rune
		for _, c := range name {
			if !(unicode.IsLetter(c) || unicode.IsDigit(c) || unicode.Is(unicode.Mn, c) || unicode.Is(unicode.Mc, c) || strings.ContainsRune("-._()", c)) {
				bad = append(bad, c)
			}
		}
		if strings.HasSuffix(name, ".") {
			return &APIError{400, "InvalidResourceGroup", fmt.Sprintf("The provided resource group name '%s' is invalid: it cannot end with a period.", name)}
		}
		return &APIError{400, "InvalidResourceGroup", fmt.Sprintf("The provided resource group name '%s' has these invalid characters: '%s'. The name can only be a letter, digit, '-', '.', '(', ')' or '_'.", name, string(bad))}
	}
	return nil
}

func (s *Server) groupID(sub, name string) string {
	return "/subscriptions/" + sub + "/resourceGroups/" + name
}

func (s *Server) groupExists(sub, name string) bool {
	r, err := s.store.Get(s.groupID(sub, name))
	if err != nil {
		return false
	}
	var b struct {
		Properties struct{ ProvisioningState string } `json:"properties"`
	}
	_ = json.Unmarshal(r.Body, &b)
	return b.Properties.ProvisioningState != "Deleting"
}

type groupBody struct {
	ID         string            `json:"id,omitempty"`
	Name       string            `json:"name,omitempty"`
	Type       string            `json:"type,omitempty"`
	Location   string            `json:"location"`
	ManagedBy  *string           `json:"managedBy,omitempty"`
	Tags       map[string]string `json:"tags,omitempty"`
	Properties struct {
		ProvisioningState string `json:"provisioningState"`
	} `json:"properties"`
}

// ValidateTags applies ARM's rules for tags: at most 50, names of 1 to 512
// characters without '<>%&\?/' or control characters, values of at most 256.
func ValidateTags(tags map[string]string) *APIError {
	if len(tags) > 50 {
		return NewError(400, "InvalidTagCount", fmt.Sprintf("The resource has %d tags; at most 50 are allowed.", len(tags)))
	}
	for k, v := range tags {
		if k == "" {
			return NewError(400, "InvalidTagName", "The tag name cannot be empty: each tag is 'name[=value]'.")
		}
		if len(k) > 512 || len(v) > 256 || strings.ContainsAny(k, "<>%&\\?/") || strings.IndexFunc(k+v, func(r rune) bool { return r < 0x20 }) >= 0 {
			return NewError(400, "InvalidTagNameCharacters", fmt.Sprintf("The tag name '%s' or its value is invalid: names are 1 to 512 characters without '<>%%&\\?/' or control characters, values at most 256.", k))
		}
	}
	return nil
}

// ValidateTagPointers is ValidateTags for a body that decodes tags as
// map[string]*string (a null value is an empty one).
func ValidateTagPointers(tags map[string]*string) *APIError {
	m := make(map[string]string, len(tags))
	for k, v := range tags {
		m[k] = ""
		if v != nil {
			m[k] = *v
		}
	}
	return ValidateTags(m)
}

func (s *Server) resourceGroups(w http.ResponseWriter, r *Request) {
	p := r.segs
	if len(p) == 3 {
		if r.Method != http.MethodGet {
			r.Error(w, 405, "MethodNotAllowed", "The method '%s' is not allowed on resource group collections.", r.Method)
			return
		}
		s.listGroups(w, r)
		return
	}
	name := p[3]
	id := s.groupID(r.Subscription, name)
	existing, err := s.store.Get(id)
	if err != nil {
		existing = nil
	}
	if existing == nil && (r.Method == http.MethodGet || r.Method == http.MethodPatch || r.Method == http.MethodDelete) {
		r.Error(w, 404, "ResourceGroupNotFound", "Resource group '%s' could not be found.", name)
		return
	}
	switch r.Method {
	case http.MethodHead:
		if existing != nil && s.groupExists(r.Subscription, name) {
			w.WriteHeader(http.StatusNoContent)
		} else {
			w.WriteHeader(http.StatusNotFound)
		}
	case http.MethodGet:
		WriteJSON(w, 200, json.RawMessage(existing.Body))
	case http.MethodPut:
		s.putGroup(w, r, name, id, existing)
	case http.MethodPatch:
		s.patchGroup(w, r, id)
	case http.MethodDelete:
		s.deleteGroup(w, r, name, id, existing)
	default:
		r.Error(w, 405, "MethodNotAllowed", "The method '%s' is not allowed.", r.Method)
	}
}

// decodeGroupPut reads a group's PUT body: only ResourceGroupDefinition's
// members, valid tags, and a location ARM has.
func decodeGroupPut(r *Request) (groupBody, string, *APIError) {
	var g groupBody
	var in map[string]json.RawMessage
	if e := r.Decode(&in); e != nil {
		return g, "", e
	}
	for k := range in {
		switch k {
		case "location", "tags", "managedBy", "properties", "id", "name", "type":
		default:
			return g, "", NewError(400, "InvalidRequestContent", fmt.Sprintf("The request content was invalid and could not be deserialized: 'Could not find member '%s' on object of type 'ResourceGroupDefinition'. Path '%s'.'.", k, k))
		}
	}
	if e := r.Decode(&g); e != nil {
		return g, "", e
	}
	if e := ValidateTags(g.Tags); e != nil {
		return g, "", e
	}
	if g.Location == "" {
		return g, "", NewError(400, "LocationRequired", "The location property is required for this definition.")
	}
	loc, ok := NormalizeLocation(g.Location)
	if !ok {
		return g, "", NewError(400, "LocationNotAvailableForResourceGroup", fmt.Sprintf("The provided location '%s' is not available for resource group. List of available regions is '%s'.", g.Location, RegionNames()))
	}
	return g, loc, nil
}

func (s *Server) putGroup(w http.ResponseWriter, r *Request, name, id string, existing *Resource) {
	if e := validGroupName(name); e != nil {
		WriteError(w, e)
		return
	}
	g, loc, e := decodeGroupPut(r)
	if e != nil {
		WriteError(w, e)
		return
	}
	status := http.StatusCreated
	now := time.Now().UTC()
	res := &Resource{ID: id, Type: "Microsoft.Resources/resourceGroups", Created: now, Updated: now}
	if existing != nil {
		var old groupBody
		if err := existing.DecodeBody(&old); err != nil {
			r.Error(w, 500, "InternalServerError", "%v", err)
			return
		}
		if old.Properties.ProvisioningState == "Deleting" {
			r.Error(w, 409, "ResourceGroupBeingDeleted", "The resource group '%s' is in deprovisioning state and cannot perform this operation.", old.Name)
			return
		}
		if old.Location != loc {
			r.Error(w, 409, "InvalidResourceGroupLocation", "Invalid resource group location '%s'. The Resource group already exists in location '%s'.", loc, old.Location)
			return
		}
		name, id, status = old.Name, old.ID, http.StatusOK
		res.ID, res.Created = id, existing.Created
	}
	g.ID, g.Name, g.Type, g.Location = id, name, res.Type, loc
	g.Properties.ProvisioningState = "Succeeded"
	body, err := json.Marshal(g)
	if err == nil {
		res.Group, res.Body = name, body
		err = s.store.Put(res)
	}
	if err != nil {
		r.Error(w, 500, "InternalServerError", "The store failed: %v", err)
		return
	}
	WriteJSON(w, status, json.RawMessage(body))
}

// patchGroup changes a group's tags or managedBy, and nothing else.
func (s *Server) patchGroup(w http.ResponseWriter, r *Request, id string) {
	var patch struct {
		Tags      map[string]string `json:"tags"`
		ManagedBy *string           `json:"managedBy"`
	}
	if e := r.Decode(&patch); e != nil {
		WriteError(w, e)
		return
	}
	if e := ValidateTags(patch.Tags); e != nil {
		WriteError(w, e)
		return
	}
	var out []byte
	err := s.store.Update(id, func(res *Resource) error {
		var g groupBody
		if err := res.DecodeBody(&g); err != nil {
			return err
		}
		if patch.Tags != nil {
			g.Tags = patch.Tags
		}
		if patch.ManagedBy != nil {
			g.ManagedBy = patch.ManagedBy
		}
		b, err := json.Marshal(g)
		res.Body, res.Updated, out = b, time.Now().UTC(), b
		return err
	})
	if err != nil {
		r.Error(w, 500, "InternalServerError", "The store failed: %v", err)
		return
	}
	WriteJSON(w, 200, json.RawMessage(out))
}

// deleteGroup starts a group's deletion, or answers for the one under way.
func (s *Server) deleteGroup(w http.ResponseWriter, r *Request, name, id string, existing *Resource) {
	var g groupBody
	if err := existing.DecodeBody(&g); err != nil {
		r.Error(w, 500, "InternalServerError", "%v", err)
		return
	}
	var op *Operation
	if g.Properties.ProvisioningState != "Deleting" {
		g.Properties.ProvisioningState = "Deleting"
		body, err := json.Marshal(g)
		if err == nil {
			existing.Body = body
			op, err = s.NewOperation("resourceGroupDelete", id, nil)
		}
		if err == nil {
			err = s.store.Put(existing)
		}
		if err != nil {
			r.Error(w, 500, "InternalServerError", "The store failed: %v", err)
			return
		}
		s.Go(func(context.Context) { s.runGroupDelete(op) })
	} else if ops, _ := s.store.Operations(); true {
		for _, o := range ops {
			if o.Kind == "resourceGroupDelete" && strings.EqualFold(o.Target, id) && o.Status == "InProgress" {
				op = o
			}
		}
	}
	if op == nil {
		r.Error(w, 409, "ResourceGroupBeingDeleted", "The resource group '%s' is in deprovisioning state and cannot perform this operation.", name)
		return
	}
	w.Header().Set("Location", s.base+"/subscriptions/"+r.Subscription+"/operationresults/"+opToken(op.ID, g.Location)+"?api-version="+r.APIVersion)
	RetryAfter(w)
	w.WriteHeader(http.StatusAccepted)
}

// opToken is an opaque operation id, shaped like ARM's (base64 of a job reference).
func opToken(id, loc string) string {
	b, _ := json.Marshal(map[string]string{"jobId": id, "jobLocation": loc})
	return base64.RawURLEncoding.EncodeToString(b)
}

func opFromToken(tok string) string {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return tok
	}
	var m map[string]string
	if json.Unmarshal(b, &m) != nil {
		return tok
	}
	return m["jobId"]
}

// runGroupDelete tears down everything in the group, then the group. It is
// idempotent, so a restart simply runs it again.
func (s *Server) runGroupDelete(op *Operation) {
	parts := splitPath(op.Target)
	var failure *ErrorBody
	if len(parts) == 4 {
		for _, h := range s.handlers {
			if c, ok := h.(GroupCleaner); ok {
				if err := c.DeleteInGroup(parts[1], parts[3]); err != nil {
					failure = &ErrorBody{Code: "ResourceGroupDeletionBlocked", Message: err.Error()}
				}
			}
		}
	}
	if failure == nil {
		if err := s.store.Delete(op.Target); err != nil {
			failure = &ErrorBody{Code: "InternalServerError", Message: err.Error()}
		}
	}
	s.FinishOperation(op, failure)
}

func (s *Server) operationResult(w http.ResponseWriter, r *Request, tok string) {
	op, err := s.store.GetOperation(opFromToken(tok))
	if err != nil {
		r.Error(w, 404, "OperationNotFound", "The operation '%s' could not be found.", tok)
		return
	}
	switch op.Status {
	case "InProgress":
		w.Header().Set("Location", s.base+r.URL.RequestURI())
		RetryAfter(w)
		w.WriteHeader(http.StatusAccepted)
	case "Succeeded":
		w.WriteHeader(http.StatusOK)
	default:
		e := op.Error
		if e == nil {
			e = &ErrorBody{Code: "OperationFailed", Message: "The operation failed."}
		}
		WriteError(w, &APIError{409, e.Code, e.Message})
	}
}

func (s *Server) listGroups(w http.ResponseWriter, r *Request) {
	all, err := s.store.ChildBodies("/subscriptions/"+r.Subscription+"/resourcegroups/", "Microsoft.Resources/resourceGroups")
	if err != nil {
		r.Error(w, 500, "InternalServerError", "The store failed: %v", err)
		return
	}
	q := r.URL.Query()
	tagName, tagValue, hasValue, ferr := parseTagFilter(q.Get("$filter"))
	if ferr != nil {
		WriteError(w, ferr)
		return
	}
	var items []json.RawMessage
	for _, body := range all {
		if tagName != "" {
			var g groupBody
			_ = json.Unmarshal(body, &g)
			v, ok := lookupFold(g.Tags, tagName)
			if !ok || (hasValue && !strings.EqualFold(v, tagValue)) {
				continue
			}
		}
		items = append(items, body)
	}
	if top, err := strconv.Atoi(q.Get("$top")); err == nil && top >= 0 && top < len(items) {
		items = items[:top]
	}
	s.Page(w, r, items)
}

// page writes one page of a list with ARM's nextLink ($skiptoken).
func (s *Server) Page(w http.ResponseWriter, r *Request, items []json.RawMessage) {
	skip, _ := strconv.Atoi(r.URL.Query().Get("$skiptoken"))
	if skip < 0 || skip > len(items) {
		skip = len(items)
	}
	end := skip + s.opts.PageSize
	next := ""
	if end < len(items) {
		q := r.URL.Query()
		q.Set("$skiptoken", strconv.Itoa(end))
		next = s.base + r.URL.Path + "?" + q.Encode()
	} else {
		end = len(items)
	}
	// Stored bodies are already valid JSON: splice them instead of re-encoding
	// (json.Marshal would re-validate every one).
	var b bytes.Buffer
	b.WriteString(`{"value":[`)
	for i, it := range items[skip:end] {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(it)
	}
	b.WriteByte(']')
	if next != "" {
		nb, _ := json.Marshal(next)
		b.WriteString(`,"nextLink":`)
		b.Write(nb)
	}
	b.WriteByte('}')
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(200)
	_, _ = w.Write(b.Bytes())
}

func lookupFold(m map[string]string, k string) (string, bool) {
	for kk, v := range m {
		if strings.EqualFold(kk, k) {
			return v, true
		}
	}
	return "", false
}

var tagFilterRE = regexp.MustCompile(`(?i)^\s*tagname\s+eq\s+'([^']*)'\s*(?:and\s+tagvalue\s+eq\s+'([^']*)')?\s*$`)

func parseTagFilter(f string) (name, value string, hasValue bool, e *APIError) {
	if f == "" {
		return "", "", false, nil
	}
	m := tagFilterRE.FindStringSubmatch(f)
	if m == nil {
		return "", "", false, &APIError{400, "InvalidFilterInQueryString", fmt.Sprintf("Invalid $filter '%s' specified in the query string.", f)}
	}
	return m[1], m[2], strings.Contains(strings.ToLower(f), "tagvalue"), nil
}
