package azshape

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestContainerGroupMatchesGolden shapes the recorded `container show` response and
// compares it with what az printed for it.
func TestContainerGroupMatchesGolden(t *testing.T) {
	rec := recordedBody(t, "container/test_container_create.yaml", "container show")
	var wire, want any
	json.Unmarshal([]byte(rec), &wire)
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "az", "golden", "container_create.show.json"))
	if err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(b, &want)
	got := Shape(wire, ContainerGroup)
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		t.Fatalf("shape differs from az's golden:\n%s", g)
	}
}

// recordedBody returns the response body of the first interaction of a command.
func recordedBody(t *testing.T, cassette, command string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "az", "recordings", cassette))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Interactions []struct {
			Request struct {
				Headers map[string][]string `yaml:"headers"`
				Method  string              `yaml:"method"`
			} `yaml:"request"`
			Response struct {
				Body struct {
					String string `yaml:"string"`
				} `yaml:"body"`
			} `yaml:"response"`
		} `yaml:"interactions"`
	}
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	for _, it := range c.Interactions {
		if cn := it.Request.Headers["CommandName"]; len(cn) > 0 && cn[0] == command && strings.HasPrefix(it.Response.Body.String, "{") {
			return it.Response.Body.String
		}
	}
	t.Fatalf("no %q in %s", command, cassette)
	return ""
}

// TestRegistryListMatchesGolden shapes the recorded `acr list` page as az
// printed it.
func TestRegistryListMatchesGolden(t *testing.T) {
	var page struct {
		Value []any `json:"value"`
	}
	json.Unmarshal([]byte(recordedBody(t, "acr/test_acr_create_with_managed_registry.yaml", "acr list")), &page)
	var want any
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "az", "golden", "acr_list.json"))
	if err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(b, &want)
	got := Shape(page.Value, Registry)
	AddResourceGroup(got)
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		t.Fatalf("shape differs from az's golden:\n%s", g)
	}
}
