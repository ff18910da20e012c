package cmdutil

import "testing"

// Default fills only what the command line left empty, from the
// configured defaults, as az applies them.
func TestDefault(t *testing.T) {
	ios, _, _, _ := Test()
	f := &Factory{IO: ios, ConfigDir: t.TempDir()}
	cfg, err := f.Config()
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Set("defaults", "group", "fromconfig"); err != nil {
		t.Fatal(err)
	}
	empty, given, unset := "", "fromflag", ""
	f.Default(&empty, "group")
	f.Default(&given, "group")
	f.Default(&unset, "location")
	if empty != "fromconfig" || given != "fromflag" || unset != "" {
		t.Fatalf("empty %q, given %q, unset %q", empty, given, unset)
	}
}
