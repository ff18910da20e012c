package connector

import (
	"strings"
	"testing"
)

func TestGroupNames(t *testing.T) {
	seen := map[string]string{}
	for _, c := range [][2]string{
		{"default", "web"}, {"a-b", "c"}, {"a", "b-c"}, {"kube-system", "Web.Server_1"},
		{"ns", strings.Repeat("x", 253)}, {"ns", "--"}, {"", ""},
	} {
		n := GroupName(c[0], c[1])
		if !ValidGroupName(n) {
			t.Errorf("GroupName(%q, %q) = %q breaks ACI's rules", c[0], c[1], n)
		}
		if prev, dup := seen[n]; dup {
			t.Errorf("%q/%q and %s share the group name %q", c[0], c[1], prev, n)
		}
		seen[n] = c[0] + "/" + c[1]
		if GroupName(c[0], c[1]) != n {
			t.Errorf("GroupName is not stable for %q/%q", c[0], c[1])
		}
	}
	if n := GroupName("default", "web"); !strings.HasPrefix(n, "default-web-") {
		t.Errorf("readable prefix lost: %q", n)
	}
}

func FuzzGroupName(f *testing.F) {
	f.Add("default", "web")
	f.Add("a-b", "c.d")
	f.Fuzz(func(t *testing.T, ns, name string) {
		if n := GroupName(ns, name); !ValidGroupName(n) {
			t.Fatalf("GroupName(%q, %q) = %q", ns, name, n)
		}
	})
}
