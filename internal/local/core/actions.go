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
