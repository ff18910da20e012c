package redact

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestBody(t *testing.T) {
	cases := map[string][]string{
		`{"properties":{"containers":[{"properties":{"environmentVariables":[{"name":"A","secureValue":"s3cret"}]}}]}}`: {"s3cret"},
		`{"access_token":"eyJhbGciOi.eyJzdWIiOiJ4In0.c2ln","token_type":"Bearer"}`:                                      {"eyJhbGciOi"},
		`client_id=abc&client_secret=hunter2&grant_type=client_credentials`:                                             {"hunter2"},
		`{"keys":[{"keyName":"key1","value":"AAAA=="}]}`:                                                                {"AAAA=="},
		`{"passwords":[{"name":"password","value":"pw1"}],"username":"u"}`:                                              {"pw1"},
		`{"registryCredentials":[{"server":"x","password":"pw2"}],"storageAccountKey":"k2"}`:                            {"pw2", "k2"},
	}
	for in, secrets := range cases {
		out := Body([]byte(in))
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s leaked in %s", s, out)
			}
		}
	}
	if out := Body([]byte(`{"keyName":"key1","name":"x"}`)); !strings.Contains(out, "key1") {
		t.Errorf("over-redacted: %s", out)
	}
}

func TestHeaderAndURL(t *testing.T) {
	if Header("Authorization", "Bearer x") != Mask || Header("Accept", "json") != "json" {
		t.Fatal("header")
	}
	if u := URL("https://a.file.core.windows.net/s?sv=1&sig=abc"); strings.Contains(u, "abc") {
		t.Fatal(u)
	}
}

func TestQuery(t *testing.T) {
	// A raw query (what a server sees) is redacted, not passed through.
	if q := Query("api-version=2023-05-01&sig=abc&sv=1"); strings.Contains(q, "abc") || !strings.Contains(q, "2023-05-01") {
		t.Fatal(q)
	}
	// With an allow-list, every other value goes.
	if q := Query("api-version=2023-05-01&code=xyz&state=s", "api-version"); strings.Contains(q, "xyz") || strings.Contains(q, "=s") || !strings.Contains(q, "2023-05-01") {
		t.Fatal(q)
	}
	if Query("%zz") != Mask {
		t.Fatal("malformed query must be masked whole")
	}
}

func TestNotOverRedacted(t *testing.T) {
	for _, k := range []string{"token_endpoint", "token_type", "tokenType", "keyVaultUri", "device_authorization_endpoint", "keyName"} {
		if SecretKey(k) {
			t.Errorf("%s is not a secret", k)
		}
	}
	for _, k := range []string{"access_token", "refresh_token", "client_secret", "password", "storageAccountKey", "key1", "sig", "secureValue"} {
		if !SecretKey(k) {
			t.Errorf("%s is a secret", k)
		}
	}
}

// A deployment's securestring and secureObject parameters are secrets
// whatever they are called, in the parameters and as template defaults,
// with the template as an object or as az sends it, its text.
func TestDeploymentSecureParameters(t *testing.T) {
	tmpl := `{"$schema": "x", "contentVersion": "1.0.0.0",
	  // az sends the file's own text, comments and all
	  "parameters": {"dbConn": {"type": "secureString"}, "cfg": {"type": "secureObject"},
	                 "fallback": {"type": "securestring", "defaultValue": "default-s3cret"}, "region": {"type": "string"}},
	  "resources": []}`
	params := `{"dbConn": {"value": "conn-s3cret"}, "cfg": {"value": {"inner": "obj-s3cret"}}, "region": {"value": "westus"}}`
	asText, _ := json.Marshal(tmpl)
	for name, body := range map[string]string{
		"template text":   `{"properties": {"mode": "Incremental", "template": ` + string(asText) + `, "parameters": ` + params + `}}`,
		"template object": `{"properties": {"mode": "Incremental", "template": ` + strings.Replace(tmpl, "// az sends the file's own text, comments and all", "", 1) + `, "parameters": ` + params + `}}`,
	} {
		out := Body([]byte(body))
		for _, s := range []string{"conn-s3cret", "obj-s3cret", "default-s3cret"} {
			if strings.Contains(out, s) {
				t.Errorf("%s: %s leaked in %s", name, s, out)
			}
		}
		if !strings.Contains(out, "westus") || !strings.Contains(out, "dbConn") {
			t.Errorf("%s: over-redacted: %s", name, out)
		}
	}
}
