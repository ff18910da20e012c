package azshape

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestShape(t *testing.T) {
	spec := New("id", "name", "location", "type", "extra",
		Flat("properties", New("provisioningState", T("when"),
			L("containers", New("name", Flat("properties", New("image", O("resources", New(F("cpu"), F("memoryInGb").W("memoryInGB"))))))))))
	var wire any
	json.Unmarshal([]byte(`{"id":"/subscriptions/s/resourceGroups/RG/providers/Microsoft.ContainerInstance/containerGroups/c",
		"name":"c","location":"westus","unknownTop":1,
		"properties":{"provisioningState":"Succeeded","when":"2023-05-05T00:15:56.437Z","dropped":true,
		"containers":[{"name":"a","properties":{"image":"nginx","resources":{"cpu":1,"memoryInGB":1.5}}}]}}`), &wire)
	got := Shape(wire, spec)
	var want any
	json.Unmarshal([]byte(`{"id":"/subscriptions/s/resourceGroups/RG/providers/Microsoft.ContainerInstance/containerGroups/c",
		"name":"c","location":"westus","type":null,"extra":null,"unknownTop":1,"resourceGroup":"RG",
		"provisioningState":"Succeeded","when":"2023-05-05T00:15:56.437000+00:00",
		"containers":[{"name":"a","image":"nginx","resources":{"cpu":1,"memoryInGb":1.5}}]}`), &want)
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		t.Fatalf("got %s", g)
	}
	if fk := FloatKeys(spec); !fk["cpu"] || !fk["memoryInGb"] || fk["name"] {
		t.Fatalf("float keys %v", fk)
	}
}

func TestPyTime(t *testing.T) {
	for in, want := range map[string]string{
		"2023-05-05T00:15:56.437Z":     "2023-05-05T00:15:56.437000+00:00",
		"2023-05-05T00:15:56Z":         "2023-05-05T00:15:56+00:00",
		"2023-05-05T00:15:56.1234567Z": "2023-05-05T00:15:56.123456+00:00",
		"2023-05-05T02:15:56+02:00":    "2023-05-05T02:15:56+02:00",
		"2023-05-05T00:15:56.5":        "2023-05-05T00:15:56.500000+00:00",
		"not a time":                   "not a time",
	} {
		if got := PyTime(in); got != want {
			t.Errorf("%s: %s want %s", in, got, want)
		}
	}
}

func TestResourceGroupKeyOnlyInsideGroups(t *testing.T) {
	rg := map[string]any{"id": "/subscriptions/s/resourceGroups/rg"}
	AddResourceGroup(rg)
	if _, ok := rg["resourceGroup"]; ok {
		t.Fatal("a resource group itself gets no resourceGroup key")
	}
}
