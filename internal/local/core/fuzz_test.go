package core

import (
	"strings"
	"testing"
)

// FuzzGroupName: a resource-group name is accepted only if it is one path
// segment ARM allows.
func FuzzGroupName(f *testing.F) {
	for _, s := range []string{"rg", "ü-ok", "a.b", "..", "a/b", "a\x00", "x.", "(a)_b-c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if validGroupName(name) == nil && (strings.ContainsAny(name, "/\\\x00?#%") || name == "." || name == ".." || name == "") {
			t.Fatalf("%q accepted", name)
		}
	})
}
