package e2e

import (
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSecretScan uses known secrets in every command that takes one, with
// --debug, and then searches everything aci and aci local printed or wrote:
// stdout, stderr, the request log, the state database, every file of the
// config dir. The only places a secret may be are the ones made for it: the
// principal files (0600) hold the service principal's secret.
func TestSecretScan(t *testing.T) {
	requireDocker(t)
	env := localEnv(t)
	cfg := strings.TrimPrefix(env[0], "ACI_CONFIG_DIR=")
	secrets := map[string]string{
		"secure env":        "SCAN-SECURE-ENV-7f3a9",
		"registry password": "SCAN-REGISTRY-PW-91c2e",
		"secret volume":     "SCAN-SECRET-FILE-c0de4",
	}
	var printed strings.Builder
	runD := func(args ...string) result {
		r := run(t, env, aciBin, append(args, "--debug")...)
		printed.WriteString(r.stdout + r.stderr)
		return r
	}
	must(t, runD("group", "create", "-n", "scan", "-l", "westus", "-o", "none"), 0)
	must(t, runD("container", "create", "-g", "scan", "-n", "s", "--image", "mcr.microsoft.com/azuredocs/aci-helloworld",
		"--secure-environment-variables", "TOKEN="+secrets["secure env"],
		"--registry-login-server", "127.0.0.1:5999", "--registry-username", "u", "--registry-password", secrets["registry password"],
		"--secrets", "key="+secrets["secret volume"], "--secrets-mount-path", "/mnt/s"), 0)
	must(t, runD("container", "show", "-g", "scan", "-n", "s"), 0)
	must(t, runD("container", "list", "-g", "scan"), 0)
	export := filepath.Join(cfg, "export.yaml")
	must(t, runD("container", "export", "-g", "scan", "-n", "s", "-f", export), 0)
	runD("container", "logs", "-g", "scan", "-n", "s")
	// A deployment's secure parameters, named like nothing secret.
	secrets["secure parameter"] = "SCAN-SECURE-PARAM-5e1b7"
	secrets["secure default"] = "SCAN-SECURE-DEFAULT-88d2c"
	tmpl := filepath.Join(cfg, "secure.json")
	os.WriteFile(tmpl, []byte(`{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
	  "contentVersion": "1.0.0.0",
	  "parameters": {"dbConn": {"type": "securestring"}, "opts": {"type": "secureObject", "defaultValue": {"k": "`+secrets["secure default"]+`"}}},
	  "resources": []}`), 0o600)
	must(t, runD("deployment", "group", "create", "-g", "scan", "-n", "sec", "--template-file", tmpl,
		"--parameters", "dbConn="+secrets["secure parameter"], "-o", "none"), 0)
	must(t, runD("deployment", "group", "show", "-g", "scan", "-n", "sec", "-o", "none"), 0)
	os.Remove(tmpl)

	// The service principal's own login, with --debug: its secret is posted
	// to the token endpoint and must not be printed.
	b, err := os.ReadFile(filepath.Join(cfg, "local", "principals.json"))
	if err != nil {
		t.Fatal(err)
	}
	var id struct{ ClientID, ClientSecret, TenantID, MSISecret string }
	json.Unmarshal(b, &id)
	must(t, runD("login", "--service-principal", "-u", id.ClientID, "-p", id.ClientSecret, "--tenant", id.TenantID, "-o", "none"), 0)
	must(t, runD("group", "list", "-o", "none"), 0)
	secrets["service principal"] = id.ClientSecret
	secrets["managed identity"] = id.MSISecret

	// Access tokens aci cached are secrets too: --debug must not show them.
	jwtRE := regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+`)
	var tokens []string
	if tb, err := os.ReadFile(filepath.Join(cfg, "tokens.json")); err == nil {
		tokens = jwtRE.FindAllString(string(tb), -1)
	}
	if len(tokens) == 0 {
		t.Fatal("no cached token to look for")
	}

	// A user's interactive login, with --debug: its access, refresh and id
	// tokens live in the MSAL cache and nowhere else.
	userEnv := append(append([]string{}, env...), "ACI_TOKEN_CACHE=file")
	login, loginOut, lines := background(t, userEnv, "login", "--use-device-code", "--debug")
	var loginErr strings.Builder
	code := ""
	for l := range lines {
		loginErr.WriteString(l + "\n")
		if m := regexp.MustCompile(`enter the code ([A-Z0-9]+)`).FindStringSubmatch(l); m != nil && code == "" {
			code = m[1]
			must(t, run(t, env, aciBin, "local", "approve", code), 0)
		}
	}
	waitExit(t, login, "aci login --use-device-code --debug")
	printed.WriteString(loginOut.String() + loginErr.String())
	must(t, runD("group", "list", "-o", "none"), 0)
	mb, err := os.ReadFile(filepath.Join(cfg, "msal_token_cache.json"))
	if err != nil {
		t.Fatal(err)
	}
	userTokens := jwtRE.FindAllString(string(mb), -1)
	if len(userTokens) < 2 {
		t.Fatalf("the MSAL cache holds %d tokens", len(userTokens))
	}

	out := printed.String()
	if !strings.Contains(out, "DEBUG: Request URL") {
		t.Fatal("--debug printed no HTTP log")
	}
	forms := func(s string) []string { return []string{s, base64.StdEncoding.EncodeToString([]byte(s))} }
	for what, s := range secrets {
		for _, f := range forms(s) {
			if strings.Contains(out, f) {
				t.Errorf("the %s (%q) was printed", what, f)
			}
		}
	}
	for _, tok := range append(tokens, userTokens...) {
		if strings.Contains(out, tok) {
			t.Error("a cached token was printed by --debug")
		}
	}
	// Files: only the principal files may hold the principal's secret (and
	// tokens.json the tokens); nothing holds the others.
	allowed := map[string]map[string]bool{
		"service principal": {"local/principals.json": true, "service_principal_entries.json": true},
		"managed identity":  {"local/principals.json": true},
	}
	filepath.WalkDir(cfg, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(cfg, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		for what, s := range secrets {
			if allowed[what][rel] {
				continue
			}
			for _, f := range forms(s) {
				if strings.Contains(string(b), f) {
					t.Errorf("%s holds the %s", rel, what)
				}
			}
		}
		if rel != "tokens.json" {
			for _, tok := range tokens {
				if strings.Contains(string(b), tok) {
					t.Errorf("%s holds an access token", rel)
				}
			}
		}
		if rel != "msal_token_cache.json" {
			for _, tok := range userTokens {
				if strings.Contains(string(b), tok) {
					t.Errorf("%s holds a user's token", rel)
				}
			}
		}
		return nil
	})
	// And the secret volume reached the container all the same.
	if r := must(t, run(t, env, aciBin, "container", "exec", "-g", "scan", "-n", "s", "--", "cat", "/mnt/s/key"), 0); r.stdout != secrets["secret volume"] {
		t.Fatalf("the secret volume holds %q", r.stdout)
	}
}
