package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAzLoginReuse: with no aci login, an az login just works, read from
// az's config dir without running az: a user login (its MSAL cache, and its
// refresh token once the access token has expired) and a service principal.
// az's files are never written; a corrupt cache fails cleanly.
func TestAzLoginReuse(t *testing.T) {
	az := requireAz(t)
	env := localEnv(t)
	stateDir := filepath.Join(strings.TrimPrefix(env[0], "ACI_CONFIG_DIR="), "local")
	var principals struct {
		TenantID     string `json:"tenantId"`
		UserName     string `json:"userName"`
		UserPassword string `json:"userPassword"`
	}
	b, _ := os.ReadFile(filepath.Join(stateDir, "principals.json"))
	if err := json.Unmarshal(b, &principals); err != nil {
		t.Fatal(err)
	}
	// The real az logs a user in to aci local (its cloud from `aci local env`).
	azEnv := azLoggedIn(t, az, env)
	must(t, run(t, azEnv, az, "login", "-u", principals.UserName, "-p", principals.UserPassword, "--tenant", principals.TenantID, "-o", "none"), 0)
	must(t, run(t, azEnv, az, "group", "create", "-n", "byaz", "-l", "westus", "-o", "none"), 0)
	azDir := ""
	var certEnv []string
	for _, e := range azEnv {
		if v, ok := strings.CutPrefix(e, "AZURE_CONFIG_DIR="); ok {
			azDir = v
		}
		if strings.HasPrefix(e, "SSL_CERT_FILE=") || strings.HasPrefix(e, "REQUESTS_CA_BUNDLE=") {
			certEnv = append(certEnv, e)
		}
	}
	// aci with no login of its own and no az on PATH.
	aciEnv := func(dir string) []string {
		return append([]string{"ACI_CONFIG_DIR=" + t.TempDir(), "AZURE_CONFIG_DIR=" + dir, "PATH=/nonexistent"}, certEnv...)
	}
	if r := must(t, run(t, aciEnv(azDir), aciBin, "group", "list", "--query", "[].name", "-o", "tsv"), 0); !strings.Contains(r.stdout, "byaz") {
		t.Fatalf("az's login was not used: %+v", r)
	}
	// An expired access token: the refresh token in az's cache gets a new one.
	expired := t.TempDir()
	copyDir(t, azDir, expired)
	cachePath := filepath.Join(expired, "msal_token_cache.json")
	var cache map[string]map[string]map[string]any
	b, _ = os.ReadFile(cachePath)
	json.Unmarshal(b, &cache)
	for _, at := range cache["AccessToken"] {
		at["expires_on"], at["extended_expires_on"] = "1", "1"
	}
	b, _ = json.Marshal(cache)
	os.WriteFile(cachePath, b, 0o600)
	before, _ := os.ReadFile(cachePath)
	if r := must(t, run(t, aciEnv(expired), aciBin, "group", "show", "-n", "byaz", "--query", "name", "-o", "tsv"), 0); r.stdout != "byaz\n" {
		t.Fatalf("refresh: %+v", r)
	}
	if after, _ := os.ReadFile(cachePath); string(after) != string(before) {
		t.Fatal("aci wrote az's token cache")
	}
	// A corrupt cache (and no az to ask): a clean error, not a crash.
	os.WriteFile(cachePath, []byte("{not json"), 0o600)
	if r := run(t, aciEnv(expired), aciBin, "group", "list"); r.code != 1 || !strings.HasPrefix(r.stderr, "ERROR: ") || strings.Contains(r.stderr, "goroutine") {
		t.Fatalf("corrupt cache: %+v", r)
	}
	// A service principal az logged in.
	sp := ""
	for _, e := range azLoggedIn(t, az, env) {
		if v, ok := strings.CutPrefix(e, "AZURE_CONFIG_DIR="); ok {
			sp = v
		}
	}
	if r := must(t, run(t, aciEnv(sp), aciBin, "group", "show", "-n", "byaz", "--query", "name", "-o", "tsv"), 0); r.stdout != "byaz\n" {
		t.Fatalf("service principal: %+v", r)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if out, err := exec.Command("cp", "-a", from+"/.", to).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
}
