package container

import (
	"testing"

	"github.com/aci-cli/aci/internal/output"
)

// The -o table row of a group, as az's transform_container_group_list
// builds it from the shaped group.
func TestTableRows(t *testing.T) {
	g := map[string]any{"name": "web", "resourceGroup": "rg", "provisioningState": "Succeeded", "osType": "Linux", "location": "westus",
		"instanceView": map[string]any{"state": "Running"},
		"containers": []any{
			map[string]any{"image": "nginx", "resources": map[string]any{"requests": map[string]any{"cpu": 1.0, "memoryInGb": 1.5}}, "ports": []any{map[string]any{"port": 8080.0}}},
			map[string]any{"image": "alpine", "resources": map[string]any{"requests": map[string]any{"cpu": 0.5, "memoryInGb": 0.5}}},
			map[string]any{"image": "nginx", "resources": map[string]any{"requests": map[string]any{"cpu": 1.0, "memoryInGb": 1.0}}},
		},
		"ipAddress": map[string]any{"ip": "20.1.2.3", "type": "Public", "ports": []any{map[string]any{"port": 80.0}, map[string]any{"port": 443.0}}}}
	r := row(g)
	want := map[string]any{"Name": "web", "ResourceGroup": "rg", "Status": "Running", "Image": "alpine,nginx", "IP:ports": "20.1.2.3:80,443",
		"Network": "Public", "CPU/Memory": "2.5 core/3.0 gb", "OsType": "Linux", "Location": "westus"}
	for k, v := range want {
		if r.Values[k] != v {
			t.Errorf("%s = %v, want %v", k, r.Values[k], v)
		}
	}
	// A private group lists the containers' ports too, and an address not
	// yet given is None; the state falls back to provisioningState.
	g["ipAddress"] = map[string]any{"type": "Private", "ports": []any{map[string]any{"port": 80.0}}}
	delete(g, "instanceView")
	r = row(g)
	if r.Values["IP:ports"] != "None:80,8080" || r.Values["Status"] != "Succeeded" {
		t.Fatalf("private: %v %v", r.Values["IP:ports"], r.Values["Status"])
	}
	// No containers, no address, no resource group: empty cells, no crash.
	r = row(map[string]any{"name": "bare"})
	if r.Values["Image"] != nil || r.Values["IP:ports"] != nil || r.Values["ResourceGroup"] != nil {
		t.Fatalf("bare: %v", r.Values)
	}
	rows, _ := Table([]any{g, map[string]any{"name": "b"}})
	if n := len(rows.([]any)); n != 2 {
		t.Fatalf("a list makes %d rows", n)
	}
	if one, _ := Table(g); one.(*output.OrderedMap).Values["Name"] != "web" {
		t.Fatal("one group makes one row")
	}
	for f, want := range map[float64]string{1: "1.0", 1.5: "1.5", 0.1: "0.1", 16: "16.0", 1e21: "1e+21"} {
		if got := pyFloat(f); got != want {
			t.Errorf("pyFloat(%v) = %q, want %q", f, got, want)
		}
	}
}
