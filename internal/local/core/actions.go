package core

import (
	"net/http"
	"strings"
)

// Action is one operation on a resource beyond GET, PUT, PATCH and DELETE:
// POST .../listKeys, GET .../operationStatuses/{id} and the like. A
// provider lists its actions as a table; DispatchAction finds the row.
type Action struct {
	Name   string // the path segment after the resource, any case
	Method string
	// Extra is how many segments follow the action's name: 0 for most, 1
	// for an operation's id; -1 takes any number (a child collection).
	Extra int
	Serve func(w http.ResponseWriter, r *Request, id string, extra []string)
}

// DispatchAction serves rest ([action, extra...]) of the resource id from
// the table, or answers ARM's 404 for a path no row matches.
func DispatchAction(w http.ResponseWriter, r *Request, actions []Action, id string, rest []string) {
	for _, a := range actions {
		if !strings.EqualFold(rest[0], a.Name) || (a.Method != "" && r.Method != a.Method) {
			continue
		}
		if a.Extra >= 0 && len(rest)-1 != a.Extra {
			continue
		}
		a.Serve(w, r, id, rest[1:])
		return
	}
	r.Error(w, 404, "InvalidResourceType", "The resource path '%s' is not known to aci local.", r.URL.Path)
}

// Methods are what a provider serves for one resource type: the list (of
// a group, or of the subscription), the resource's methods by HTTP verb,
// and its actions. A method left nil is answered 405.
type Methods struct {
	List    func(w http.ResponseWriter, r *Request)
	Get     func(w http.ResponseWriter, r *Request, name string)
	Put     func(w http.ResponseWriter, r *Request, name string)
	Patch   func(w http.ResponseWriter, r *Request, name string)
	Delete  func(w http.ResponseWriter, r *Request, name string)
	Actions []Action
}

// ServeMethods routes TYPE, TYPE/{name} and TYPE/{name}/{action...}: the
// skeleton every resource type's Serve had.
func ServeMethods(w http.ResponseWriter, r *Request, m Methods) {
	rest := r.Rest
	if len(rest) == 1 {
		if r.Method != http.MethodGet || m.List == nil {
			r.Error(w, 405, "MethodNotAllowed", "The method '%s' is not allowed.", r.Method)
			return
		}
		m.List(w, r)
		return
	}
	if r.Group == "" {
		r.Error(w, 404, "InvalidResourceType", "The resource path '%s' is not known to aci local.", r.URL.Path)
		return
	}
	if len(rest) > 2 {
		DispatchAction(w, r, m.Actions, r.ID(len(rest)-2), rest[2:])
		return
	}
	var f func(http.ResponseWriter, *Request, string)
	switch r.Method {
	case http.MethodGet:
		f = m.Get
	case http.MethodPut:
		f = m.Put
	case http.MethodPatch:
		f = m.Patch
	case http.MethodDelete:
		f = m.Delete
	}
	if f == nil {
		r.Error(w, 405, "MethodNotAllowed", "The method '%s' is not allowed.", r.Method)
		return
	}
	f(w, r, rest[1])
}

// NameAvailability is a checkNameAvailability answer: the reason and
// message only when the name is not available.
type NameAvailability struct {
	Message       string `json:"message,omitempty"`
	NameAvailable bool   `json:"nameAvailable"`
	Reason        string `json:"reason,omitempty"`
}
