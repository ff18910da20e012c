package containerinstance

import (
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/local/core"
)

// The region's limits come from configuration: capabilities report them,
// usages count what the groups request, and PUT refuses what does not fit.
func TestLimitsUsagesAndQuotas(t *testing.T) {
	h, cg := cgHarness(t, newFakeRuntime(), core.Options{})
	cg.Limits = Limits{MaxCPU: 2, MaxMemoryGB: 3, CoresQuota: 3, GroupsQuota: 2}
	loc := "/subscriptions/" + h.Srv.Identity().SubscriptionID + "/providers/Microsoft.ContainerInstance/locations/westus/"

	a := h.Do("GET", loc+"capabilities"+cgv, "")
	caps := obj(listOf(a.Body["value"])[0])["capabilities"]
	if a.Status != 200 || obj(caps)["maxCpu"] != 2.0 || obj(caps)["maxMemoryInGB"] != 3.0 {
		t.Fatalf("capabilities: %s", a.Raw)
	}
	withCPU := func(cpu float64) string {
		return groupJSON(func(_ map[string]any, c map[string]any) {
			c["resources"] = map[string]any{"requests": map[string]any{"cpu": cpu, "memoryInGB": 1}}
		})
	}
	if a := h.Do("PUT", h.cg("big")+cgv, withCPU(2.5)); a.Status != 400 || !strings.Contains(a.Raw, "at most 2 cores") {
		t.Fatalf("more CPU than the region offers: %d %s", a.Status, a.Raw)
	}
	for _, g := range []struct {
		name string
		cpu  float64
	}{{"one", 2}, {"two", 1}} {
		if a := h.Do("PUT", h.cg(g.name)+cgv, withCPU(g.cpu)); a.Status != 201 {
			t.Fatalf("create %s: %s", g.name, a.Raw)
		}
		h.waitProvisioned(g.name)
	}
	a = h.Do("GET", loc+"usages"+cgv, "")
	usage := map[string]any{}
	for _, u := range listOf(a.Body["value"]) {
		usage[obj(obj(u)["name"])["value"].(string)] = obj(u)["currentValue"]
	}
	if usage["ContainerGroups"] != 2.0 || usage["StandardCores"] != 3.0 {
		t.Fatalf("usages: %s", a.Raw)
	}
	if a := h.Do("PUT", h.cg("three")+cgv, withCPU(0.5)); a.Status != 409 || !strings.Contains(a.Raw, "quota 'ContainerGroups' exceeded") {
		t.Fatalf("a third group over a quota of two: %d %s", a.Status, a.Raw)
	}
	// Replacing a group counts it once: "two" may grow to what is left.
	if a := h.Do("PUT", h.cg("two")+cgv, withCPU(1.5)); a.Status != 409 || !strings.Contains(a.Raw, "quota 'StandardCores' exceeded") {
		t.Fatalf("growing past the cores quota: %d %s", a.Status, a.Raw)
	}
	if a := h.Do("PUT", h.cg("two")+cgv, withCPU(1)); a.Status != 200 {
		t.Fatalf("replacing within the quota: %d %s", a.Status, a.Raw)
	}
}
