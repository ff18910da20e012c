package core_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aci-cli/aci/internal/local/core"
	"github.com/aci-cli/aci/internal/local/coretest"
)

// things is a provider of one declared type, routed by core.ServeMethods:
// what a new provider writes instead of its own routing skeleton.
type things struct{}

func (things) Type() string { return "Example.Test/things" }

func (things) Serve(w http.ResponseWriter, r *core.Request) {
	core.ServeMethods(w, r, core.Methods{
		List: func(w http.ResponseWriter, r *core.Request) { core.WriteJSON(w, 200, map[string]any{"value": []any{}}) },
		Get: func(w http.ResponseWriter, r *core.Request, name string) {
			core.WriteJSON(w, 200, map[string]any{"name": name, "id": r.ID(0)})
		},
		Actions: []core.Action{{Name: "ping", Method: http.MethodPost, Serve: func(w http.ResponseWriter, r *core.Request, id string, _ []string) {
			core.WriteJSON(w, 200, map[string]any{"pong": id})
		}}},
	})
}

func TestServeMethods(t *testing.T) {
	h := coretest.StartWith(t, core.Options{StateDir: t.TempDir(), Version: "test", RegistrationDelay: time.Millisecond}, func(s *core.Server) {
		s.Declare(core.Namespace{Name: "Example.Test", Types: []string{"things"}, Versions: []string{"2024-01-01"}})
		s.Register(things{})
	})
	if a := h.Do("PUT", h.RG("rg")+coretest.V, `{"location":"westus"}`); a.Status != 201 {
		t.Fatal(a.Raw)
	}
	base := h.RG("rg") + "/providers/Example.Test/things"
	for _, c := range []struct {
		method, path string
		status       int
		want         string
	}{
		{"GET", base, 200, `"value":[]`},
		{"POST", base, 405, "MethodNotAllowed"},
		{"GET", base + "/one", 200, `"name":"one"`},
		{"PUT", base + "/one", 405, "MethodNotAllowed"},
		{"POST", base + "/one/ping", 200, `"pong":"/subscriptions/`},
		{"GET", base + "/one/ping", 404, "InvalidResourceType"},
		{"POST", base + "/one/nope", 404, "InvalidResourceType"},
	} {
		a := h.Do(c.method, c.path+coretest.V, "")
		if a.Status != c.status || !strings.Contains(a.Raw, c.want) {
			t.Errorf("%s %s: %d %s, want %d with %s", c.method, c.path, a.Status, a.Raw, c.status, c.want)
		}
	}
}
