package resources

import "testing"

// The ids a deployment waits on, from each provider's status URL.
func TestOperationID(t *testing.T) {
	const id = "8f6d076f-ad1a-4adf-9a56-1ed30f6cef0f"
	for _, u := range []string{
		"https://127.0.0.1:1/subscriptions/s/providers/Microsoft.ContainerInstance/locations/westus/operations/" + id + "?api-version=2023-05-01",
		"https://127.0.0.1:1/subscriptions/s/resourcegroups/g/providers/Microsoft.Resources/deployments/d/operationStatuses/" + id + "?api-version=2022-09-01",
		"https://127.0.0.1:1/subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerRegistry/registries/r/operationStatuses/registries-" + id + "?api-version=2023-07-01",
		"https://127.0.0.1:1/subscriptions/s/providers/Microsoft.Storage/locations/westus/asyncoperations/" + id + "?monitor=true&api-version=2023-01-01",
	} {
		if got := operationID(u); got != id {
			t.Errorf("%s: %q", u, got)
		}
	}
}
