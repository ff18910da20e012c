package core

import (
	"strings"
	"testing"
	"time"
)

func TestStorePrefixesRespectNameBoundaries(t *testing.T) {
	st, err := OpenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, id := range []string{
		"/subscriptions/s/resourceGroups/rg", "/subscriptions/s/resourceGroups/rg/providers/N/t/a",
		"/subscriptions/s/resourceGroups/rg2", "/subscriptions/s/resourceGroups/rg2/providers/N/t/b",
	} {
		if err := st.Put(&Resource{ID: id, Type: "N/t", Created: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	l, _ := st.List("/subscriptions/s/resourcegroups/rg/", "N/t")
	if len(l) != 1 || l[0].ID != "/subscriptions/s/resourceGroups/rg/providers/N/t/a" {
		t.Fatalf("list of rg: %+v", l)
	}
	if err := st.Delete("/subscriptions/s/resourceGroups/RG"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Get("/subscriptions/s/resourceGroups/rg2/providers/N/t/b"); err != nil {
		t.Fatal("deleting rg removed rg2's resource")
	}
	if _, err := st.Get("/subscriptions/s/resourceGroups/rg/providers/N/t/a"); err == nil {
		t.Fatal("deleting rg kept its resource")
	}
}

// ChildBodies answers from what it read last until a resource is written:
// every kind of write (put, update, delete, and a write deeper down) shows in
// the next answer, and a caller changing its slice changes no other's.
func TestChildBodiesFollowWrites(t *testing.T) {
	st, err := OpenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const prefix, typ = "/subscriptions/s/resourcegroups/", "Microsoft.Resources/resourceGroups"
	put := func(name, body string) {
		t.Helper()
		if err := st.Put(&Resource{ID: "/subscriptions/s/resourceGroups/" + name, Type: typ, Body: []byte(body)}); err != nil {
			t.Fatal(err)
		}
	}
	list := func() string {
		t.Helper()
		b, err := st.ChildBodies(prefix, typ)
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, x := range b {
			s = append(s, string(x))
		}
		return strings.Join(s, " ")
	}
	put("a", `{"n":1}`)
	put("b", `{"n":2}`)
	if got := list(); got != `{"n":1} {"n":2}` {
		t.Fatalf("first: %s", got)
	}
	b, _ := st.ChildBodies(prefix, typ)
	b[0] = []byte(`{"changed":true}`)
	_ = append(b[:1], []byte(`{"appended":true}`))
	if got := list(); got != `{"n":1} {"n":2}` {
		t.Fatalf("a caller's change reached the next answer: %s", got)
	}
	put("c", `{"n":3}`)
	if got := list(); got != `{"n":1} {"n":2} {"n":3}` {
		t.Fatalf("after a put: %s", got)
	}
	if err := st.Update("/subscriptions/s/resourceGroups/a", func(r *Resource) error { r.Body = []byte(`{"n":10}`); return nil }); err != nil {
		t.Fatal(err)
	}
	if got := list(); got != `{"n":10} {"n":2} {"n":3}` {
		t.Fatalf("after an update: %s", got)
	}
	if err := st.Delete("/subscriptions/s/resourceGroups/b"); err != nil {
		t.Fatal(err)
	}
	if got := list(); got != `{"n":10} {"n":3}` {
		t.Fatalf("after a delete: %s", got)
	}
	if got, _ := st.ChildBodies("/subscriptions/s/resourcegroups/a/providers/n/", "N/t"); len(got) != 0 {
		t.Fatalf("another prefix: %s", got)
	}
}
