package acr

import (
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/output"
)

// values reads a table transform's rows: values(t)(transform(v)).
func values(t *testing.T) func(any, error) []map[string]any {
	return func(v any, err error) []map[string]any {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []map[string]any
		for _, r := range v.([]any) {
			out = append(out, r.(*output.OrderedMap).Values)
		}
		return out
	}
}

// az's registry, credential and run tables: Python's cells (" " for
// missing, True/False), UTC times, durations.
func TestTables(t *testing.T) {
	rows := values(t)(Table(map[string]any{"name": "reg1", "resourceGroup": "rg", "location": "eastus", "sku": map[string]any{"name": "Basic"},
		"loginServer": "reg1.azurecr.io", "creationDate": "2026-12-07T10:11:12.123456+01:00", "adminUserEnabled": false}))
	want := map[string]any{"NAME": "reg1", "RESOURCE GROUP": "rg", "LOCATION": "eastus", "SKU": "Basic", "LOGIN SERVER": "reg1.azurecr.io",
		"CREATION DATE": "2026-12-07T09:11:12Z", "ADMIN ENABLED": "False"}
	for k, v := range want {
		if rows[0][k] != v {
			t.Errorf("%s = %q, want %q", k, rows[0][k], v)
		}
	}
	rows = values(t)(Table([]any{map[string]any{"name": "x"}}))
	if rows[0]["SKU"] != " " || rows[0]["CREATION DATE"] != " " || rows[0]["ADMIN ENABLED"] != " " {
		t.Fatalf("missing cells: %v", rows[0])
	}
	rows = values(t)(credTable(map[string]any{"username": "reg1", "passwords": []any{map[string]any{"name": "password", "value": "p1"}}}))
	if rows[0]["USERNAME"] != "reg1" || rows[0]["PASSWORD"] != "p1" || rows[0]["PASSWORD2"] != " " {
		t.Fatalf("credentials: %v", rows[0])
	}
	rows = values(t)(usageTable(map[string]any{"value": []any{map[string]any{"name": "Size", "limit": 1.073741824e10, "currentValue": 0.0, "unit": "Bytes"}}}))
	if rows[0]["LIMIT"] != "10737418240" || rows[0]["CURRENT VALUE"] != "0" {
		t.Fatalf("usage: %v", rows[0])
	}
	rows = values(t)(runTable([]any{
		map[string]any{"properties": map[string]any{"runId": "ca1", "status": "Succeeded", "platform": map[string]any{"os": "linux"},
			"startTime": "2026-12-07T10:00:00Z", "finishTime": "2026-12-07T11:02:03.6Z"}},
		map[string]any{"runId": "ca2", "status": "Running", "startTime": "2026-12-07T10:00:00.5+02:00"},
	}))
	if rows[0]["DURATION"] != "01:02:04" || rows[0]["PLATFORM"] != "linux" || rows[0]["TRIGGER"] != "Manual" || rows[0]["TASK"] != " " {
		t.Fatalf("a finished run: %v", rows[0])
	}
	if rows[1]["RUN ID"] != "ca2" || rows[1]["STARTED"] != "2026-12-07T08:00:00Z" || rows[1]["DURATION"] != " " {
		t.Fatalf("a running run (a bare run, not under properties): %v", rows[1])
	}
	for in, want := range map[any]string{nil: " ", true: "True", 2.5: "2.5", 3.0: "3", "s": "s", 7: "7"} {
		if got := cell(in); got != want {
			t.Errorf("cell(%v) = %q, want %q", in, got, want)
		}
	}
}

// Images named as Docker names them: a tag, a digest, or latest.
func TestSplitImage(t *testing.T) {
	for in, want := range map[string][3]string{
		"hello:v1":                           {"hello", "v1", ""},
		"hello":                              {"hello", "latest", ""},
		"team/app:1.2":                       {"team/app", "1.2", ""},
		"hello@sha256:abc":                   {"hello", "", "sha256:abc"},
		"127.0.0.1:5000/app":                 {"127.0.0.1:5000/app", "latest", ""},
		"127.0.0.1:5000/app:v2":              {"127.0.0.1:5000/app", "v2", ""},
		"reg.azurecr.io/a/b@sha256:0123abcd": {"reg.azurecr.io/a/b", "", "sha256:0123abcd"},
	} {
		r, tag, dg := splitImage(in)
		if [3]string{r, tag, dg} != want {
			t.Errorf("splitImage(%q) = %q %q %q, want %v", in, r, tag, dg, want)
		}
	}
	if repoOrImage("a", "") != nil || repoOrImage("", "b:v1") != nil {
		t.Fatal("one of --repository and --image is enough")
	}
	for _, both := range [][2]string{{"", ""}, {"a", "b"}} {
		if err := repoOrImage(both[0], both[1]); err == nil || !strings.Contains(err.Error(), "--image IMAGE | --repository REPOSITORY") {
			t.Errorf("%v: %v", both, err)
		}
	}
}
