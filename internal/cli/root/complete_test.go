package root_test

import (
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/clitest"
)

// TestCompletion drives Cobra's __complete as the shell scripts do: enum
// values from each flag's help, resource names from ARM, cached for the
// next tab press.
func TestCompletion(t *testing.T) {
	s := clitest.NewServer(t)
	e := clitest.NewEnv(t, s)
	sub := "/subscriptions/" + clitest.Subscription
	s.Add("GET", sub+"/resourcegroups", clitest.Response{Status: 200, Body: `{"value":[{"name":"web-rg","location":"westus"},{"name":"jobs-rg","location":"westus"}]}`})
	s.Add("GET", sub+"/resourceGroups/web-rg/providers/Microsoft.ContainerInstance/containerGroups",
		clitest.Response{Status: 200, Body: `{"value":[{"name":"frontend"},{"name":"api"}]}`})

	r := e.Run("__complete", "container", "show", "-g", "")
	if r.Code != 0 || !strings.Contains(r.Stdout, "jobs-rg\nweb-rg\n") || !strings.Contains(r.Stdout, ":4\n") {
		t.Fatalf("groups: %+v", r)
	}
	before := len(s.Requests())
	if r := e.Run("__complete", "container", "list", "-g", "w"); !strings.HasPrefix(r.Stdout, "web-rg\n:4") {
		t.Fatalf("cached groups with a prefix: %+v", r)
	}
	if len(s.Requests()) != before {
		t.Fatalf("the second tab press asked ARM again")
	}
	if r := e.Run("__complete", "container", "logs", "-g", "web-rg", "-n", ""); !strings.HasPrefix(r.Stdout, "api\nfrontend\n") {
		t.Fatalf("container groups: %+v", r)
	}
	for args, want := range map[string]string{
		"container create --restart-policy O": "OnFailure\n",
		"container create --os-type ":         "Windows\nLinux\n",
		"group list -o ts":                    "tsv\n",
		"storage account create --kind Stor":  "Storage\nStorageV2\n",
		"acr create --sku P":                  "Premium\n",
	} {
		argv := append([]string{"__complete"}, strings.Fields(args)...)
		if strings.HasSuffix(args, " ") {
			argv = append(argv, "")
		}
		if r := e.Run(argv...); !strings.HasPrefix(r.Stdout, want) {
			t.Errorf("%s: %q, want %q first", args, r.Stdout, want)
		}
	}
}
