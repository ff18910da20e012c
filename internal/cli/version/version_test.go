package version

import (
	"encoding/json"
	"runtime"
	"testing"

	"github.com/aci-cli/aci/internal/build"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
)

func TestVersionPrintsTheBuild(t *testing.T) {
	ios, _, out, _ := cmdutil.Test()
	f := &cmdutil.Factory{IO: ios, ConfigDir: t.TempDir(), Globals: cmdutil.Globals{Output: "json"}}
	cmd := NewCmd(f)
	cmd.SetArgs(nil)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := map[string]string{"aci": build.Version, "commit": build.Commit, "date": build.Date, "go": runtime.Version(), "platform": runtime.GOOS + "/" + runtime.GOARCH}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("keys %v", got)
	}
	cmd.SetArgs([]string{"extra"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if err := cmd.Execute(); err == nil {
		t.Fatal("version takes no arguments")
	}
}
