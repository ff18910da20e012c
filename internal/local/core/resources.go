package core

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
)

// filterTerm is one "field eq 'value'" of a resources $filter.
var filterAnd = regexp.MustCompile(`(?i)\s+and\s+`)

var filterTerm = regexp.MustCompile(`(?i)^\s*(resourceType|name)\s+eq\s+'([^']*)'\s*$`)

// listResources is GET /subscriptions/{s}[/resourceGroups/{g}]/resources: every
// resource of the scope in ARM's generic shape, filtered by type or name as
// az does to find a registry or an account by name alone.
func (s *Server) listResources(w http.ResponseWriter, r *Request) {
	var typ, name string
	if f := strings.TrimSpace(r.URL.Query().Get("$filter")); f != "" {
		for _, term := range filterAnd.Split(f, -1) {
			m := filterTerm.FindStringSubmatch(term)
			if m == nil {
				r.Error(w, 400, "InvalidFilterInQueryString", "Invalid $filter '%s' specified in the query string.", f)
				return
			}
			if strings.EqualFold(m[1], "resourceType") {
				typ = m[2]
			} else {
				name = m[2]
			}
		}
	}
	prefix := "/subscriptions/" + r.Subscription + "/resourcegroups/"
	if r.Group != "" {
		prefix += r.Group + "/"
	}
	all, err := s.store.List(prefix, typ)
	if err != nil {
		r.Error(w, 500, "InternalServerError", "The store failed: %v", err)
		return
	}
	items := []json.RawMessage{}
	for _, res := range all {
		// ARM lists top-level resources only: not groups, not a registry's
		// runs or an account's shares.
		if strings.EqualFold(res.Type, "Microsoft.Resources/resourceGroups") || strings.Count(strings.Trim(res.ID, "/"), "/") != 7 {
			continue
		}
		var b map[string]any
		if json.Unmarshal(res.Body, &b) != nil {
			continue
		}
		if n, _ := b["name"].(string); name != "" && !strings.EqualFold(n, name) {
			continue
		}
		out := map[string]any{}
		for _, k := range []string{"id", "name", "type", "sku", "kind", "location", "tags", "identity", "systemData"} {
			if v, ok := b[k]; ok {
				out[k] = v
			}
		}
		j, _ := json.Marshal(out)
		items = append(items, j)
	}
	s.Page(w, r, items)
}
