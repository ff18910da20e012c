package account_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/clitest"
)

// transcript returns one command's output from az's recorded real run.
func transcript(t *testing.T, file, cmd string) string {
	b, err := os.ReadFile(clitest.Testdata(t, "az", "golden", file))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "$ "+cmd+"\n")
	if i < 0 {
		t.Fatalf("no %q", cmd)
	}
	rest := s[i+len(cmd)+3:]
	end := len(rest)
	if j := strings.Index(rest, "[exit "); j >= 0 {
		end = j
	}
	if j := strings.Index(rest, "\n$ "); j >= 0 && j+1 < end {
		end = j + 1
	}
	return rest[:end]
}

// seed writes the profile az's transcript was taken with.
func seed(t *testing.T, dir string) {
	p, _ := arm.LoadProfile(dir)
	for i, name := range []string{"Dev Subscription", "Prod Subscription"} {
		p.Subscriptions = append(p.Subscriptions, arm.Subscription{
			ID: "00000000-0000-0000-0000-00000000000" + string(rune('1'+i)), Name: name, State: "Enabled",
			User: arm.User{Name: "user@example.com", Type: "user"}, IsDefault: i == 0,
			TenantID: "aaaaaaaa-0000-0000-0000-000000000000", HomeTenantID: "aaaaaaaa-0000-0000-0000-000000000000",
			EnvironmentName: "AzureCloud", TenantDefaultDomain: "example.onmicrosoft.com", TenantDisplayName: "Example",
			ManagedByTenants: []string{}})
	}
	if err := p.Save(); err != nil {
		t.Fatal(err)
	}
}

func TestAgainstRealRun(t *testing.T) {
	e := &clitest.Env{T: t, ConfigDir: t.TempDir()}
	seed(t, e.ConfigDir)
	for _, c := range []struct {
		args []string
		cmd  string
	}{
		{[]string{"account", "show"}, "az account show"},
		{[]string{"account", "show", "-o", "table"}, "az account show -o table"},
		{[]string{"account", "show", "-o", "tsv"}, "az account show -o tsv"},
		{[]string{"account", "list", "-o", "table"}, "az account list -o table"},
		{[]string{"account", "list", "-o", "tsv"}, "az account list -o tsv"},
		{[]string{"account", "list", "-o", "yaml"}, "az account list -o yaml"},
		{[]string{"account", "show", "--query", "{n:name, id:id}", "-o", "table"}, `az account show --query "{n:name, id:id}" -o table`},
		{[]string{"account", "list", "--query", "[].{Name:name, Default:isDefault}", "-o", "table"}, `az account list --query "[].{Name:name, Default:isDefault}" -o table`},
		{[]string{"account", "show", "--query", "user", "-o", "tsv"}, `az account show --query user -o tsv`},
		{[]string{"account", "show", "--query", "nonexistent"}, `az account show --query nonexistent`},
	} {
		r := e.Run(c.args...)
		if want := transcript(t, "real-run-account.txt", c.cmd); r.Code != 0 || r.Stdout != want {
			t.Errorf("%s:\ngot:\n%s\nwant:\n%s\nstderr: %s", c.cmd, r.Stdout, want, r.Stderr)
		}
	}
	r := e.Run("account", "set", "-s", "nope")
	if r.Code != 1 || r.Stderr != "ERROR: The subscription of 'nope' doesn't exist in cloud 'AzureCloud'.\n" {
		t.Fatalf("set nope: %+v", r)
	}
	if r := e.Run("account", "set", "-s", "Prod Subscription"); r.Code != 0 {
		t.Fatal(r)
	}
	if r := e.Run("account", "show", "--query", "name", "-o", "tsv"); r.Stdout != "Prod Subscription\n" {
		t.Fatalf("after set: %+v", r)
	}
}

func TestConfigureAgainstRealRun(t *testing.T) {
	e := &clitest.Env{T: t, ConfigDir: filepath.Join(t.TempDir(), ".azure")}
	clitest.Testdata(t) // resolve before the working directory changes
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	os.Chdir(filepath.Dir(e.ConfigDir))
	e.ConfigDir = ".azure"
	if r := e.Run("configure", "--defaults", "group=myrg", "location=westeurope"); r.Code != 0 {
		t.Fatal(r)
	}
	b, _ := os.ReadFile(".azure/config")
	if want := "[cloud]\nname = AzureCloud\n\n[defaults]\ngroup = myrg\nlocation = westeurope\n\n"; string(b) != want {
		t.Fatalf("config file %q", b)
	}
	for _, c := range []struct {
		args []string
		cmd  string
	}{
		{[]string{"configure", "--list-defaults"}, "az configure --list-defaults"},
		{[]string{"configure", "-l", "-o", "table"}, "az configure -l -o table"},
		{[]string{"configure", "-l", "-o", "tsv"}, "az configure -l -o tsv"},
	} {
		if r, want := e.Run(c.args...), transcript(t, "real-run-configure.txt", c.cmd); r.Stdout != want {
			t.Errorf("%s:\n%s\nwant\n%s", c.cmd, r.Stdout, want)
		}
	}
	t.Setenv("AZURE_DEFAULTS_GROUP", "envrg")
	if r, want := e.Run("configure", "-l"), transcript(t, "real-run-configure.txt", "AZURE_DEFAULTS_GROUP=envrg az configure -l"); r.Stdout != want {
		t.Errorf("env source:\n%s\nwant\n%s", r.Stdout, want)
	}
	if r := e.Run("configure", "--defaults", "foo"); r.Code != 1 || r.Stderr != "ERROR: usage error: --defaults STRING=STRING STRING=STRING ...\n" {
		t.Fatalf("bad defaults: %+v", r)
	}
}
