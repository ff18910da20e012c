package output

import "testing"

// FuzzQuery: any --query either fails to compile with a QueryError or runs on a
// document without panicking.
func FuzzQuery(f *testing.F) {
	for _, q := range []string{"[].name", "[?location=='westus'].{n:name}", "length(@)", "sort_by(@, &name)[0]", "a.b.c[0:2]", "`1`", "&x", "[?", "max_by(@, &x)"} {
		f.Add(q)
	}
	doc := []any{map[string]any{"name": "a", "location": "westus", "tags": map[string]any{"k": "v"}, "n": 1.0},
		map[string]any{"name": "b", "location": "eastus", "list": []any{1.0, "x", nil, true}}}
	f.Fuzz(func(t *testing.T, expr string) {
		q, err := CompileQuery(expr)
		if err != nil {
			if _, ok := err.(*QueryError); !ok {
				t.Fatalf("compile error of type %T", err)
			}
			return
		}
		q.Apply(Plain(doc))
	})
}
