package container

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// FuzzGroupFile: any YAML document converts to JSON values or fails with an
// error, in bounded work (aliases count against the budget).
func FuzzGroupFile(f *testing.F) {
	for _, s := range []string{"name: x\nproperties:\n  containers: []\n", "a: &a [1, 2]\nb: *a\n", "a: 1\na: 2\n", "<<: {a: 1}\nb: 2\n", "? [a]\n: x\n", "a: !!binary aGk=\n", "x: 2023-05-01\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		var n yaml.Node
		if yaml.Unmarshal([]byte(doc), &n) != nil {
			return
		}
		budget := maxYAMLNodes
		nodeValue(&n, &budget)
	})
}

// FuzzResourceID: --ids accepts only container-group ids, and what it accepts
// names the group and resource group that the id spells.
func FuzzResourceID(f *testing.F) {
	for _, s := range []string{"/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerInstance/containerGroups/g",
		"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a", "//", "/subscriptions/s/resourceGroups//providers/x/y/z", "a/b/c/d/e/f/g/h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		tg := newTarget()
		tg.IDs = []string{id}
		out, err := tg.Targets(nil)
		if err != nil {
			return
		}
		if len(out) != 1 || out[0].Group == "" || out[0].Name == "" || strings.Contains(out[0].Name, "/") || strings.Contains(out[0].Group, "/") {
			t.Fatalf("%q accepted as %+v", id, out)
		}
	})
}
