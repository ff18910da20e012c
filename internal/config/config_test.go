package config

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFileEnvAndPrecedence(t *testing.T) {
	dir := t.TempDir()
	c, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetMany("defaults", map[string]string{"group": "myrg", "location": "westeurope"}, []string{"group", "location"}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "config"))
	// az writes exactly this for `az configure --defaults group=myrg location=westeurope`.
	want := "[cloud]\nname = AzureCloud\n\n[defaults]\ngroup = myrg\nlocation = westeurope\n\n"
	if string(b) != want {
		t.Fatalf("file:\n%q\nwant\n%q", b, want)
	}
	if c, err = Load(dir); err != nil {
		t.Fatal(err)
	}
	if v, src, _ := c.Lookup("defaults", "group"); v != "myrg" || src != filepath.Join(dir, "config") {
		t.Fatalf("file lookup: %q %q", v, src)
	}
	t.Setenv("AZURE_DEFAULTS_GROUP", "azrg")
	if v, src, _ := c.Lookup("defaults", "group"); v != "azrg" || src != "AZURE_DEFAULTS_GROUP" {
		t.Fatalf("az env: %q %q", v, src)
	}
	t.Setenv("ACI_DEFAULTS_GROUP", "acirg")
	if v, src, _ := c.Lookup("defaults", "group"); v != "acirg" || src != "ACI_DEFAULTS_GROUP" {
		t.Fatalf("aci env must win: %q %q", v, src)
	}
	t.Setenv("AZURE_CORE_OUTPUT", "table")
	if c.Get("core", "output", "json") != "table" {
		t.Fatal("core.output from env")
	}
}
