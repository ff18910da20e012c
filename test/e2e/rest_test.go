package e2e

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
)

// TestRestAndAccessToken: `aci rest` and `aci account get-access-token` side
// by side with the real az against aci local.
func TestRestAndAccessToken(t *testing.T) {
	az := requireAz(t)
	env := localEnv(t)
	azEnv := azLoggedIn(t, az, env)
	sub := strings.TrimSpace(must(t, run(t, env, aciBin, "account", "show", "--query", "id", "-o", "tsv"), 0).stdout)
	cases := [][]string{
		{"rest", "--method", "get", "--url", "/subscriptions?api-version=2021-01-01", "--query", "value[0].displayName"},
		{"rest", "-m", "put", "--url", "/subscriptions/" + sub + "/resourcegroups/restrg?api-version=2021-04-01", "--body", `{"location":"westus","tags":{"k":"v"}}`, "--query", "{n:name,t:tags}"},
		{"rest", "-m", "get", "-u", "/subscriptions/" + sub + "/resourcegroups/restrg", "--uri-parameters", "api-version=2021-04-01", "--query", "location", "-o", "tsv"},
		{"rest", "-m", "get", "--url", "/subscriptions/" + sub + "/resourcegroups/nope?api-version=2021-04-01"},
		{"account", "get-access-token", "--query", "tokenType", "-o", "tsv"},
		{"account", "get-access-token", "--resource", "https://storage.azure.com/", "--query", "tokenType", "-o", "tsv"},
	}
	for _, c := range cases {
		a, b := run(t, azEnv, az, c...), run(t, env, aciBin, c...)
		if a.code != b.code || a.stdout != b.stdout {
			t.Errorf("%v\n az exit %d: %s %s\naci exit %d: %s %s", c, a.code, a.stdout, a.stderr, b.code, b.stdout, b.stderr)
		}
		if a.code != 0 && firstLine(a.stderr) != firstLine(b.stderr) {
			t.Errorf("%v: stderr\n az: %s\naci: %s", c, firstLine(a.stderr), firstLine(b.stderr))
		}
	}
	// The token's fields are az's (plus expires_on, as newer az prints), and it works.
	var tok map[string]any
	json.Unmarshal([]byte(must(t, run(t, env, aciBin, "account", "get-access-token"), 0).stdout), &tok)
	var keys []string
	for k := range tok {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "accessToken,expiresOn,expires_on,subscription,tenant,tokenType" || tok["subscription"] != sub {
		t.Fatalf("token fields: %v", tok)
	}
	r := must(t, run(t, env, aciBin, "rest", "--url", "/subscriptions?api-version=2021-01-01", "--skip-authorization-header",
		"--headers", "Authorization=Bearer "+tok["accessToken"].(string), "--query", "length(value)", "-o", "tsv"), 0)
	if r.stdout != "1\n" {
		t.Fatalf("token reuse: %q", r.stdout)
	}
	if r := run(t, env, aciBin, "rest", "--url", "/subscriptions?api-version=2021-01-01", "--skip-authorization-header"); r.code != 1 || !strings.HasPrefix(r.stderr, "ERROR: Unauthorized(") {
		t.Fatalf("no token: %+v", r)
	}
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }
