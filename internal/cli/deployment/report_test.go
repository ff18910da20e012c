package deployment

import (
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/output"
)

// The what-if report az prints: the symbols of the change types present,
// the scope, one line per resource with its api-version, and the counts.
func TestWhatIfReport(t *testing.T) {
	rg := "/subscriptions/s/resourceGroups/rg"
	raw := arm.Raw{"properties": map[string]any{"changes": []any{
		map[string]any{"resourceId": rg + "/providers/Microsoft.Storage/storageAccounts/st1", "changeType": "Create",
			"after": map[string]any{"apiVersion": "2023-05-01"}},
		map[string]any{"resourceId": rg + "/providers/Microsoft.ContainerInstance/containerGroups/web", "changeType": "Modify",
			"after": map[string]any{"apiVersion": "2023-05-01"}},
		map[string]any{"resourceId": rg + "/providers/Microsoft.ContainerInstance/containerGroups/old", "changeType": "Delete"},
		map[string]any{"resourceId": rg + "/providers/Microsoft.ContainerInstance/containerGroups/same", "changeType": "NoChange",
			"after": map[string]any{"apiVersion": "2023-05-01"}},
		map[string]any{"resourceId": rg + "/providers/Microsoft.ContainerInstance/containerGroups/other", "changeType": "Create",
			"after": map[string]any{"apiVersion": "2023-05-01"}},
	}}}
	want := "Note: The result may contain false positive predictions (noise).\n" +
		"You can help us improve the accuracy of the result by opening an issue here: https://aka.ms/WhatIfIssues.\n\n" +
		"Resource and property changes are indicated with these symbols:\n" +
		"  - Delete\n  + Create\n  ~ Modify\n  = Nochange\n\n" +
		"The deployment will update the following scope:\n\n" +
		"Scope: " + rg + "\n\n" +
		"  - Microsoft.ContainerInstance/containerGroups/old\n" +
		"  + Microsoft.ContainerInstance/containerGroups/other [2023-05-01]\n" +
		"  + Microsoft.Storage/storageAccounts/st1 [2023-05-01]\n" +
		"  ~ Microsoft.ContainerInstance/containerGroups/web [2023-05-01]\n" +
		"  = Microsoft.ContainerInstance/containerGroups/same [2023-05-01]\n\n" +
		"Resource changes: 1 to delete, 2 to create, 1 to modify, 1 no change.\n"
	if got := whatIfReport(raw); got != want {
		t.Fatalf("report:\n%s\nwant:\n%s", got, want)
	}
	// Nothing to change: no legend, no scope, az's "no change.".
	empty := whatIfReport(arm.Raw{"properties": map[string]any{"changes": []any{}}})
	if empty != "Note: The result may contain false positive predictions (noise).\nYou can help us improve the accuracy of the result by opening an issue here: https://aka.ms/WhatIfIssues.\n\n\nResource changes: no change.\n" {
		t.Fatalf("no changes:\n%q", empty)
	}
	one := whatIfReport(arm.Raw{"properties": map[string]any{"changes": []any{map[string]any{"resourceId": rg + "/providers/A.B/c/d", "changeType": "Create",
		"before": map[string]any{"apiVersion": "2020-01-01"}, "after": map[string]any{"apiVersion": "2021-01-01"}}}}})
	if !strings.Contains(one, "indicated with this symbol:\n  + Create\n") || !strings.Contains(one, "  + A.B/c/d [2020-01-01]\n") {
		t.Fatalf("one change (singular legend, the before's api-version):\n%s", one)
	}
}

// az's deployment table: one row per deployment, or the one deployment.
func TestDeploymentTable(t *testing.T) {
	d := map[string]any{"name": "web", "resourceGroup": "rg", "properties": map[string]any{"provisioningState": "Succeeded",
		"timestamp": "2026-12-07T10:00:00Z", "mode": "Incremental"}}
	for _, in := range []any{d, []any{d}} {
		v, err := Table(in)
		if err != nil {
			t.Fatal(err)
		}
		r := v.([]any)[0].(*output.OrderedMap)
		if r.Values["Name"] != "web" || r.Values["State"] != "Succeeded" || r.Values["Mode"] != "Incremental" || r.Values["ResourceGroup"] != "rg" ||
			r.Keys[0] != "Name" || r.Keys[4] != "ResourceGroup" {
			t.Fatalf("row %v %v", r.Keys, r.Values)
		}
	}
}
