package core

import (
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
