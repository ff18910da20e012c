package core

import (
	"net/http"
	"strings"
	"time"
)

// providerCatalog is what aci local advertises: namespaces, their resource types
// and api-versions (the union of what az, the Go SDK and the specs use).
var providerCatalog = []struct {
	Namespace string
	Types     []string
	Versions  []string
	Policy    string
}{
	{"Microsoft.ContainerInstance", []string{"containerGroups", "containerGroupProfiles", "serviceAssociationLinks", "locations",
		"locations/capabilities", "locations/usages", "locations/cachedImages", "locations/operations", "locations/operationResults", "operations"},
		[]string{"2026-05-01", "2025-09-01", "2024-05-01-preview", "2023-05-01", "2022-10-01-preview", "2021-10-01"}, "RegistrationRequired"},
	{"Microsoft.ContainerRegistry", []string{"registries", "locations", "locations/operationResults", "checkNameAvailability", "operations"},
		[]string{"2025-04-01", "2023-11-01-preview", "2023-07-01", "2022-02-01-preview"}, "RegistrationRequired"},
	{"Microsoft.Storage", []string{"storageAccounts", "storageAccounts/fileServices", "storageAccounts/fileServices/shares", "locations",
		"locations/asyncoperations", "checkNameAvailability", "operations"},
		[]string{"2025-01-01", "2023-05-01", "2022-09-01"}, "RegistrationRequired"},
	{"Microsoft.Resources", []string{"resourceGroups", "deployments", "deployments/operations", "operationresults", "providers", "subscriptions", "tenants"},
		[]string{"2024-11-01", "2022-09-01", "2021-04-01", "2019-11-01"}, "RegistrationFree"},
}

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

func (s *Server) provider(i int, sub string) map[string]any {
	pc := providerCatalog[i]
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
	m := map[string]any{"namespace": pc.Namespace, "registrationPolicy": pc.Policy, "resourceTypes": types}
	if sub != "" {
		m["id"] = "/subscriptions/" + sub + "/providers/" + pc.Namespace
		m["registrationState"] = s.providerState(pc.Namespace)
	}
	return m
}

func findProvider(ns string) int {
	for i, pc := range providerCatalog {
		if strings.EqualFold(pc.Namespace, ns) {
			return i
		}
	}
	return -1
}

// providers serves /subscriptions/{s}/providers[/{ns}[/register|/unregister]].
func (s *Server) providers(w http.ResponseWriter, r *Request) {
	p := r.segs
	if len(p) == 3 {
		var out []any
		for i := range providerCatalog {
			out = append(out, s.provider(i, r.Subscription))
		}
		WriteJSON(w, 200, map[string]any{"value": out})
		return
	}
	i := findProvider(p[3])
	if i < 0 {
		r.Error(w, 404, "InvalidResourceNamespace", "The resource namespace '%s' is invalid.", p[3])
		return
	}
	ns := providerCatalog[i].Namespace
	switch {
	case len(p) == 4 && r.Method == http.MethodGet:
		WriteJSON(w, 200, s.provider(i, r.Subscription))
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
		WriteJSON(w, 200, s.provider(i, r.Subscription))
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
		for i, pc := range providerCatalog {
			if len(p) == 4 && !is(p[3], pc.Namespace) {
				continue
			}
			list = append(list, s.providerOperations(i))
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
	i := findProvider(p[1])
	if i < 0 {
		r.Error(w, 404, "InvalidResourceNamespace", "The resource namespace '%s' is invalid.", p[1])
		return
	}
	if len(p) == 3 && is(p[2], "operations") {
		ops := s.providerOperations(i)["operations"]
		WriteJSON(w, 200, map[string]any{"value": ops})
		return
	}
	WriteJSON(w, 200, s.provider(i, ""))
}

func (s *Server) providerOperations(i int) map[string]any {
	pc := providerCatalog[i]
	var ops []any
	for _, t := range pc.Types {
		for _, verb := range []string{"read", "write", "delete"} {
			name := pc.Namespace + "/" + t + "/" + verb
			ops = append(ops, map[string]any{"name": name, "isDataAction": false, "origin": "user,system",
				"display": map[string]any{"provider": pc.Namespace, "resource": t, "operation": verb + " " + t, "description": verb + " " + t}})
		}
	}
	return map[string]any{"id": "/providers/Microsoft.Authorization/providerOperations/" + pc.Namespace, "name": pc.Namespace,
		"type": "Microsoft.Authorization/providerOperations", "displayName": pc.Namespace, "operations": ops, "resourceTypes": []any{}}
}
