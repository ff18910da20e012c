package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAzWhatIf: the real az 2.45 and aci print the same what-if report, and
// the same --no-pretty-print result, for a template against what aci local
// holds: one account modified, one created, one (Complete mode) deleted.
func TestAzWhatIf(t *testing.T) {
	az := requireAz(t)
	env := localEnv(t)
	azEnv := azLoggedIn(t, az, env)
	must(t, run(t, env, aciBin, "group", "create", "-n", "wi", "-l", "westus", "-o", "none"), 0)
	dir := t.TempDir()
	tmpl := func(name string, accounts ...string) string {
		var rs []string
		for _, a := range accounts {
			rs = append(rs, `{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01", "name": "`+a+`", "location": "westus",
			  "sku": {"name": "Standard_LRS"}, "kind": "StorageV2", "tags": {"env": "`+name+`"}}`)
		}
		p := filepath.Join(dir, name+".json")
		os.WriteFile(p, []byte(`{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
		  "contentVersion": "1.0.0.0", "resources": [`+strings.Join(rs, ",")+`]}`), 0o644)
		return p
	}
	must(t, run(t, env, aciBin, "deployment", "group", "create", "-g", "wi", "-f", tmpl("first", "wiacct1", "wiacct2"), "-o", "none"), 0)
	next := tmpl("second", "wiacct2", "wiacct3")
	for _, args := range [][]string{
		{"deployment", "group", "what-if", "-g", "wi", "-f", next},
		{"deployment", "group", "what-if", "-g", "wi", "-f", next, "--mode", "Complete"},
		{"deployment", "group", "what-if", "-g", "wi", "-f", next, "--mode", "Complete", "--no-pretty-print"},
	} {
		a := must(t, run(t, azEnv, az, args...), 0)
		b := must(t, run(t, env, aciBin, args...), 0)
		if a.stdout != b.stdout {
			t.Errorf("%v:\naci:\n%s\naz:\n%s", args[3:], b.stdout, a.stdout)
		}
	}
	if r := must(t, run(t, env, aciBin, "deployment", "group", "what-if", "-g", "wi", "-f", next, "--mode", "Complete"), 0); !strings.Contains(r.stdout, "Resource changes: 1 to delete, 1 to create, 1 to modify.") {
		t.Fatalf("the three kinds of change:\n%s", r.stdout)
	}
}
