package jsonc

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestLenientAndStrip(t *testing.T) {
	in := `{"properties": {"parameters": {}, mode: "Incremental", template:{
	  // a comment
	  "a": [1, {b: "x, y: z"}], /* block */ "c": "// not a comment"
	}}}`
	var got any
	if err := json.Unmarshal(Lenient([]byte(in)), &got); err != nil {
		t.Fatalf("%v\n%s", err, Lenient([]byte(in)))
	}
	want := map[string]any{"properties": map[string]any{"parameters": map[string]any{}, "mode": "Incremental",
		"template": map[string]any{"a": []any{1.0, map[string]any{"b": "x, y: z"}}, "c": "// not a comment"}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
	if _, err := Decode([]byte("{\n  \"a\": 1,\n  \"b\" 2\n}")); err == nil || !strings.Contains(err.Error(), "line 3 column") {
		t.Fatalf("position: %v", err)
	}
}
