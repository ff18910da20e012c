package storage

import (
	"testing"

	"github.com/aci-cli/aci/internal/output"
)

// rowsOf reads a table transform's rows: rowsOf(t)(transform(v)).
func rowsOf(t *testing.T) func(any, error) []map[string]any {
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

// az's storage tables: booleans under a capitalised key, files with
// directories marked and sorted by name.
func TestStorageTables(t *testing.T) {
	if rows := rowsOf(t)(boolTable(map[string]any{"created": true})); rows[0]["Created"] != "True" {
		t.Fatalf("bool table %v", rows)
	}
	if rows := rowsOf(t)(boolTable(map[string]any{"exists": false})); rows[0]["Exists"] != "False" {
		t.Fatalf("bool table %v", rows)
	}
	rows := rowsOf(t)(fileTable([]any{
		map[string]any{"name": "z.txt", "type": "file", "properties": map[string]any{"contentLength": 12.0, "lastModified": "2026-12-07T10:00:00+00:00"}},
		map[string]any{"name": "docs", "type": "dir", "properties": map[string]any{"lastModified": nil}},
		map[string]any{"name": "a.txt", "type": "file", "properties": map[string]any{"contentLength": 0.0}},
	}))
	if rows[0]["Name"] != "a.txt" || rows[1]["Name"] != "docs/" || rows[2]["Name"] != "z.txt" {
		t.Fatalf("order: %v", rows)
	}
	if rows[1]["Content Length"] != " " || rows[1]["Last Modified"] != " " || rows[2]["Content Length"] != 12.0 || rows[0]["Last Modified"] != " " {
		t.Fatalf("cells: %v", rows)
	}
	rows = rowsOf(t)(shareListTable([]any{map[string]any{"name": "s1", "quota": 5}}))
	if rows[0]["Name"] != "s1" || rows[0]["Quota"] != " " || rows[0]["Last Modified"] != " " {
		t.Fatalf("share list reads properties.* as az 2.45 does (blank): %v", rows)
	}
	rows = rowsOf(t)(shareListTable([]any{map[string]any{"name": "s2", "properties": map[string]any{"quota": 5, "lastModified": "x"}}}))
	if rows[0]["Quota"] != "5" || rows[0]["Last Modified"] != "x" {
		t.Fatalf("with properties: %v", rows)
	}
}
