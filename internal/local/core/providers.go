package core

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// Namespace is what a provider declares of itself: its resource types
// (children as "parent/child") and the api-versions they take, newest
// first. GET /providers shows exactly what was declared, so nothing is
// advertised that no handler serves. Free marks a namespace usable without
// registering (Microsoft.Resources).
type Namespace struct {
	Name     string
	Types    []string
	Versions []string
	Free     bool
}

// Declare adds a provider's namespace to the catalog, or its types to a
// namespace declared already (Microsoft.Resources is core's and the
// deployments provider's).
func (s *Server) Declare(ns Namespace) {
	s.catalogMu.Lock()
	defer s.catalogMu.Unlock()
	for i := range s.catalog {
		if strings.EqualFold(s.catalog[i].Name, ns.Name) {
			for _, t := range ns.Types {
				if !slices.Contains(s.catalog[i].Types, t) {
					s.catalog[i].Types = append(s.catalog[i].Types, t)
				}
			}
			return
		}
	}
	s.catalog = append(s.catalog, ns)
}

// namespaces is the catalog as declared so far.
func (s *Server) namespaces() []Namespace {
	s.catalogMu.Lock()
	defer s.catalogMu.Unlock()
	return slices.Clone(s.catalog)
}

// resourcesNamespace is what core itself serves of Microsoft.Resources.
var resourcesNamespace = Namespace{Name: "Microsoft.Resources", Free: true,
	Types:    []string{"resourceGroups", "operationresults", "providers", "subscriptions", "tenants"},
	Versions: []string{"2024-11-01", "2022-09-01", "2021-04-01", "2019-11-01"}}

type providerState struct {
	State   string    `json:"state"`
	Changed time.Time `json:"changed"`
}

func (s *Server) providerState(ns string) string {
	var st providerState
	found, _ := s.store.GetMeta("provider:"+strings.ToLower(ns), &st)
	if !found {
		if strings.EqualFold(ns, "Microsoft.Resources") {
			return "Registered"
		}
		return "NotRegistered"
	}
	if time.Since(st.Changed) >= s.opts.RegistrationDelay {
		switch st.State {
		case "Registering":
			return "Registered"
		case "Unregistering":
			return "Unregistered"
		}
	}
	return st.State
}

func (s *Server) provider(pc Namespace, sub string) map[string]any {
	var types []any
	locs := []string{}
	for _, rg := range Regions {
		locs = append(locs, rg[1])
	}
	for _, t := range pc.Types {
		rt := map[string]any{"resourceType": t, "locations": locs, "apiVersions": pc.Versions, "defaultApiVersion": pc.Versions[0],
			"capabilities": "None"}
		if !strings.Contains(t, "/") && t != "operations" && t != "locations" {
			rt["capabilities"] = "SupportsTags, SupportsLocation"
		}
		types = append(types, rt)
	}
	policy := "RegistrationRequired"
	if pc.Free {
		policy = "RegistrationFree"
	}
	m := map[string]any{"namespace": pc.Name, "registrationPolicy": policy, "resourceTypes": types}
	if sub != "" {
		m["id"] = "/subscriptions/" + sub + "/providers/" + pc.Name
		m["registrationState"] = s.providerState(pc.Name)
	}
	return m
}

func (s *Server) findProvider(ns string) (Namespace, bool) {
	for _, pc := range s.namespaces() {
		if strings.EqualFold(pc.Name, ns) {
			return pc, true
		}
	}
	return Namespace{}, false
}

// providers serves /subscriptions/{s}/providers[/{ns}[/register|/unregister]].
func (s *Server) providers(w http.ResponseWriter, r *Request) {
	p := r.segs
	if len(p) == 3 {
		var out []any
		for _, pc := range s.namespaces() {
			out = append(out, s.provider(pc, r.Subscription))
		}
		WriteJSON(w, 200, map[string]any{"value": out})
		return
	}
	pc, ok := s.findProvider(p[3])
	if !ok {
		r.Error(w, 404, "InvalidResourceNamespace", "The resource namespace '%s' is invalid.", p[3])
		return
	}
	ns := pc.Name
	switch {
	case len(p) == 4 && r.Method == http.MethodGet:
		WriteJSON(w, 200, s.provider(pc, r.Subscription))
	case len(p) == 5 && r.Method == http.MethodPost && (is(p[4], "register") || is(p[4], "unregister")):
		if ns != "Microsoft.Resources" {
			cur := s.providerState(ns)
			next := "Registering"
			if is(p[4], "unregister") {
				next = "Unregistering"
			}
			if !(next == "Registering" && cur == "Registered") && !(next == "Unregistering" && (cur == "Unregistered" || cur == "NotRegistered")) {
				if err := s.store.PutMeta("provider:"+strings.ToLower(ns), providerState{State: next, Changed: time.Now()}); err != nil {
					r.Error(w, 500, "InternalServerError", "The store failed: %v", err)
					return
				}
			}
		}
		WriteJSON(w, 200, s.provider(pc, r.Subscription))
	default:
		r.Error(w, 405, "MethodNotAllowed", "The method '%s' is not allowed on '%s'.", r.Method, r.URL.Path)
	}
}

// tenantProviders serves /providers/{ns}[/operations] and
// /providers/Microsoft.Authorization/providerOperations[/{ns}].
func (s *Server) tenantProviders(w http.ResponseWriter, r *Request) {
	p := r.segs
	if len(p) >= 3 && is(p[1], "Microsoft.Authorization") && is(p[2], "providerOperations") {
		var list []any
		for _, pc := range s.namespaces() {
			if len(p) == 4 && !is(p[3], pc.Name) {
				continue
			}
			list = append(list, providerOperations(pc))
		}
		if len(p) == 4 {
			if len(list) == 0 {
				r.Error(w, 404, "InvalidResourceNamespace", "The resource namespace '%s' is invalid.", p[3])
				return
			}
			WriteJSON(w, 200, list[0])
			return
		}
		WriteJSON(w, 200, map[string]any{"value": list})
		return
	}
	pc, ok := s.findProvider(p[1])
	if !ok {
		r.Error(w, 404, "InvalidResourceNamespace", "The resource namespace '%s' is invalid.", p[1])
		return
	}
	if len(p) == 3 && is(p[2], "operations") {
		ops := providerOperations(pc)["operations"]
		WriteJSON(w, 200, map[string]any{"value": ops})
		return
	}
	WriteJSON(w, 200, s.provider(pc, ""))
}

func providerOperations(pc Namespace) map[string]any {
	var ops []any
	for _, t := range pc.Types {
		for _, verb := range []string{"read", "write", "delete"} {
			name := pc.Name + "/" + t + "/" + verb
			ops = append(ops, map[string]any{"name": name, "isDataAction": false, "origin": "user,system",
				"display": map[string]any{"provider": pc.Name, "resource": t, "operation": verb + " " + t, "description": verb + " " + t}})
		}
	}
	return map[string]any{"id": "/providers/Microsoft.Authorization/providerOperations/" + pc.Name, "name": pc.Name,
		"type": "Microsoft.Authorization/providerOperations", "displayName": pc.Name, "operations": ops, "resourceTypes": []any{}}
}
