package containerinstance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/local/runtime"
)

// FuzzGroupBody: any body either is refused with an ARM error or yields a
// runtime spec whose every host path stays inside the group's directory.
func FuzzGroupBody(f *testing.F) {
	f.Add(groupJSON(nil))
	f.Add(groupJSON(func(p, c map[string]any) {
		p["volumes"] = []any{map[string]any{"name": "s", "secret": map[string]any{"a.txt": "eA=="}}, map[string]any{"name": "e", "emptyDir": map[string]any{}}}
		c["volumeMounts"] = []any{map[string]any{"name": "s", "mountPath": "/s"}}
		c["environmentVariables"] = []any{map[string]any{"name": "A", "secureValue": "b"}}
	}))
	f.Add(`{"location":"westus","properties":{"containers":[null],"volumes":[{"name":"..","emptyDir":{}}]}}`)
	f.Add(`{"properties":{"containers":[{"name":"c","properties":{"ports":[80]}}]}}`)
	f.Add(`{"tags":"x","properties":{"ipAddress":{"ports":[null]}}}`)
	f.Fuzz(func(t *testing.T, body string) {
		g, e := decodeGroup([]byte(body))
		if e != nil {
			if e.Status != 400 || e.Code == "" {
				t.Fatalf("decode error is not ARM's 400: %+v", e)
			}
			return
		}
		if e := g.validate("g", rules{gitAllowed: func(string) bool { return false }}); e != nil {
			if e.Status != 400 || e.Code == "" {
				t.Fatalf("validation error is not ARM's 400: %+v", e)
			}
			return
		}
		base := t.TempDir()
		spec, err := specFrom("id", "g", "k", "127.0.2.2", filepath.Join(base, "k"), []byte(body))
		if err != nil {
			t.Fatalf("a valid body has no spec: %v", err)
		}
		for _, v := range spec.Volumes {
			dir, root, err := runtime.Confine(spec.VolumeDir, v.Name)
			if err != nil {
				t.Fatalf("valid volume %q not confinable: %v", v.Name, err)
			}
			root.Close()
			if !strings.HasPrefix(dir, filepath.Join(base, "k")+string(os.PathSeparator)) {
				t.Fatalf("volume %q at %s", v.Name, dir)
			}
			for k := range v.Secret {
				if !filepath.IsLocal(k) || strings.ContainsAny(k, `/\`) {
					t.Fatalf("valid secret key %q is a path", k)
				}
			}
		}
	})
}
