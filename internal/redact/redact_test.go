package redact

import (
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
