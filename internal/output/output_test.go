package output

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// goldenDir is az's own renderings of recorded responses.
var goldenDir = filepath.Join("..", "..", "testdata", "az", "golden")

func readGolden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(goldenDir, name))
	if err != nil {
		t.Fatalf("golden file: %v", err)
	}
	return string(b)
}

func decode(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func render(t *testing.T, v any, o Options) string {
	t.Helper()
	s, err := Render(v, o)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	return s
}

func groupListTable(v any) (any, error) {
	var rows []any
	for _, g := range v.([]any) {
		m := g.(map[string]any)
		rows = append(rows, NewOrderedMap("Name", m["name"], "Location", m["location"],
			"Status", m["properties"].(map[string]any)["provisioningState"]))
	}
	return rows, nil
}

func TestGoldenGroup(t *testing.T) {
	show := decode(t, readGolden(t, "group_show.json"))
	list := decode(t, readGolden(t, "group_list.json"))
	cases := []struct {
		name, golden string
		data         any
		o            Options
	}{
		{"show json", "group_show.json", show, Options{Format: "json"}},
		{"show table", "group_show.table", show, Options{Format: "table"}},
		{"show tsv", "group_show.tsv", show, Options{Format: "tsv"}},
		{"list json", "group_list.json", list, Options{Format: "json"}},
		{"list table", "group_list.table", list, Options{Format: "table", Table: groupListTable}},
		{"list tsv", "group_list.tsv", list, Options{Format: "tsv"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got, want := render(t, c.data, c.o), readGolden(t, c.golden); got != want {
				t.Errorf("got:\n%q\nwant:\n%q", got, want)
			}
		})
	}
}

func TestGoldenContainerShowJSONAndTSV(t *testing.T) {
	floats := map[string]bool{"cpu": true, "memoryInGb": true}
	show := decode(t, readGolden(t, "container_create.show.json"))
	if got, want := render(t, show, Options{Format: "json", FloatKeys: floats}), readGolden(t, "container_create.show.json"); got != want {
		t.Errorf("json differs:\n%s\nwant:\n%s", got, want)
	}
	if got, want := render(t, show, Options{Format: "tsv", FloatKeys: floats}), readGolden(t, "container_create.show.tsv"); got != want {
		t.Errorf("tsv got:\n%q\nwant:\n%q", got, want)
	}
}

func TestGoldenAccount(t *testing.T) {
	// Transcript of a real az run: account show in every format.
	transcript := readGolden(t, "real-run-account.txt")
	section := func(cmd string) string {
		i := strings.Index(transcript, "$ "+cmd+"\n")
		if i < 0 {
			t.Fatalf("no %q in transcript", cmd)
		}
		rest := transcript[i+len(cmd)+3:]
		return rest[:strings.Index(rest, "[exit ")]
	}
	acct := decode(t, section("az account show"))
	for _, c := range []struct {
		cmd string
		o   Options
	}{
		{"az account show -o table", Options{Format: "table"}},
		{"az account show -o tsv", Options{Format: "tsv"}},
		{`az account show --query "{n:name, id:id}" -o table`, Options{Format: "table", Query: mustQuery(t, "{n:name, id:id}")}},
		{"az account show --query user -o tsv", Options{Format: "tsv", Query: mustQuery(t, "user")}},
		{"az account show --query nonexistent", Options{Format: "json", Query: mustQuery(t, "nonexistent")}},
	} {
		if got, want := render(t, acct, c.o), section(c.cmd); got != want {
			t.Errorf("%s:\ngot:\n%q\nwant:\n%q", c.cmd, got, want)
		}
	}
}

func mustQuery(t *testing.T, q string) *Query {
	t.Helper()
	c, err := CompileQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestKnackCases checks the formatter edge cases az's own code produced
// (knack-format-cases.txt); the inputs are rebuilt here from the case titles.
func TestKnackCases(t *testing.T) {
	text := strings.ReplaceAll(readGolden(t, "knack-format-cases.txt"), "<TAB>", "\t")
	blocks := map[string]string{}
	for _, b := range strings.Split(text, "=== ")[1:] {
		nl := strings.Index(b, "\n")
		blocks[b[:nl]] = b[nl+1:]
	}
	part := func(title, marker string) string {
		b, ok := blocks[title]
		if !ok {
			t.Fatalf("no case %q", title)
		}
		b = strings.TrimSuffix(b, "\n")
		if marker == "" {
			return b
		}
		lines := strings.Split(b, "\n")
		if lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1] // the blank line between cases
		}
		var out []string
		in := false
		for _, l := range lines {
			if strings.HasPrefix(l, "--- -o ") {
				in = l == "--- "+marker
				continue
			}
			if in {
				out = append(out, l)
			}
		}
		if len(out) == 0 {
			return ""
		}
		return strings.Join(out, "\n") + "\n"
	}
	rg := map[string]any{"id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myrg",
		"location": "westeurope", "managedBy": nil, "name": "myrg",
		"properties": map[string]any{"provisioningState": "Succeeded"}, "tags": nil,
		"type": "Microsoft.Resources/resourceGroups"}
	rgTags := map[string]any{}
	for k, v := range rg {
		rgTags[k] = v
	}
	rgTags["tags"] = map[string]any{"a": "b"}
	delete(rgTags, "managedBy")
	rgTags["managedBy"] = nil
	q := mustQuery(t, "[].{Name:name, Count:count}")
	cases := []struct {
		title string
		data  any
		q     *Query
	}{
		{"group show (no transformer)", rg, nil},
		{"mixed scalar types, unsorted keys", map[string]any{"zeta": 1.0, "alpha": "x", "beta": true, "children": []any{1.0, 2.0},
			"dict": map[string]any{"a": 1.0}, "emptyStr": "", "etag": "W/1", "float": 1.5, "gone": nil, "id": "i", "type": "t"}, nil},
		{"list of strings (acr repository list)", []any{"hello-world", "nginx"}, nil},
		{"bool (group exists)", true, nil},
		{"int", 42.0, nil},
		{"string", "some text", nil},
		{"list of lists", []any{[]any{1.0, "a"}, []any{2.0, "b"}}, nil},
		{"empty list", []any{}, nil},
		{"dict with only nested values", map[string]any{"a": map[string]any{"x": 1.0}, "b": map[string]any{}}, nil},
		{"query active: OrderedDict order kept", []any{map[string]any{"name": "b", "count": 2.0}, map[string]any{"name": "a", "count": 10.0}}, q},
		{"list of dicts with differing keys", []any{map[string]any{"name": "a", "x": 1.0}, map[string]any{"name": "b", "y": 2.0}}, nil},
		{"unicode + long values", map[string]any{"name": "ä-name", "value": "xxxxx"}, nil},
	}
	for _, c := range cases {
		for _, f := range []string{"table", "tsv"} {
			got := render(t, c.data, Options{Format: f, Query: c.q})
			if want := part(c.title, "-o "+f); got != want {
				t.Errorf("%s -o %s:\ngot:\n%q\nwant:\n%q", c.title, f, got, want)
			}
		}
	}
	nested := map[string]any{"b": 1.0, "a": map[string]any{"d": nil, "c": "é"}}
	if got, want := render(t, nested, Options{Format: "json"}), part("json of OrderedDict (sort_keys applies)", ""); got != want {
		t.Errorf("json:\n%q\nwant\n%q", got, want)
	}
	y := map[string]any{"s": "é", "b": 1.0, "a": []any{1.0, map[string]any{"c": nil}}}
	if got, want := render(t, y, Options{Format: "yaml"}), part("yaml", ""); got != want {
		t.Errorf("yaml:\n%q\nwant\n%q", got, want)
	}
}

func TestYAMLScalars(t *testing.T) {
	cases := []struct {
		in   any
		want string
	}{
		{map[string]any{"t": "2023-05-05T00:15:56.437000+00:00"}, "t: '2023-05-05T00:15:56.437000+00:00'\n"},
		{map[string]any{"v": "2023-05-01"}, "v: '2023-05-01'\n"},
		{map[string]any{"v": "yes"}, "v: 'yes'\n"},
		{map[string]any{"v": ""}, "v: ''\n"},
		{map[string]any{"v": "- x"}, "v: '- x'\n"},
		{map[string]any{"v": "a: b"}, "v: 'a: b'\n"},
		{map[string]any{"v": "/subscriptions/x"}, "v: /subscriptions/x\n"},
		{map[string]any{"v": "it's"}, "v: it's\n"},
		{map[string]any{"v": "*x"}, "v: '*x'\n"},
		{map[string]any{"cpu": 1.0}, "cpu: 1\n"},
		{map[string]any{"l": []any{}, "m": map[string]any{}}, "l: []\nm: {}\n"},
		{"text", "text\n...\n"},
		{true, "true\n...\n"},
		{map[string]any{"a": []any{[]any{1.0, 2.0}}}, "a:\n- - 1\n  - 2\n"},
		{map[string]any{"a": map[string]any{"b": []any{map[string]any{"c": 1.0, "d": 2.0}}}}, "a:\n  b:\n  - c: 1\n    d: 2\n"},
		{map[string]any{"m": strings.Repeat("word ", 20) + "end"}, "m: " + strings.TrimSpace(strings.Repeat("word ", 16)) + "\n  " + strings.TrimSpace(strings.Repeat("word ", 4)) + " end\n"},
	}
	for _, c := range cases {
		if got := render(t, c.in, Options{Format: "yaml"}); got != c.want {
			t.Errorf("%v:\ngot  %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestFloatsAndEscapes(t *testing.T) {
	o := Options{Format: "json", FloatKeys: map[string]bool{"cpu": true, "big": true}}
	got := render(t, map[string]any{"cpu": 1.0, "n": 3.0, "f": 0.5, "big": 1e16, "s": "<a&b>\"\u0001é"}, o)
	want := "{\n  \"big\": 1e+16,\n  \"cpu\": 1.0,\n  \"f\": 0.5,\n  \"n\": 3,\n  \"s\": \"<a&b>\\\"\\u0001é\"\n}\n"
	if got != want {
		t.Errorf("got %q want %q", got, want)
	}
}

func TestQueryErrors(t *testing.T) {
	_, err := CompileQuery("[bad")
	qe, ok := err.(*QueryError)
	if !ok || !qe.Syntax || qe.Error() != "argument --query: invalid jmespath_type value: '[bad'" {
		t.Fatalf("syntax error: %v", err)
	}
	q := mustQuery(t, "nosuchfn(@)")
	_, err = Render(map[string]any{}, Options{Format: "json", Query: q})
	qe, ok = err.(*QueryError)
	if !ok || qe.Syntax || !strings.HasPrefix(qe.Error(), "Invalid jmespath query supplied for `--query`: ") {
		t.Fatalf("runtime error: %v", err)
	}
}

func TestQuerySortByDoesNotMutate(t *testing.T) {
	data := []any{map[string]any{"n": "b"}, map[string]any{"n": "a"}}
	render(t, data, Options{Format: "json", Query: mustQuery(t, "sort_by(@, &n)")})
	if data[0].(map[string]any)["n"] != "b" {
		t.Fatal("query mutated the input")
	}
}

func TestNullPrintsNothing(t *testing.T) {
	for _, f := range Formats {
		if got := render(t, nil, Options{Format: f}); got != "" {
			t.Errorf("%s: %q", f, got)
		}
	}
}

func TestTransformerFailure(t *testing.T) {
	_, err := Render([]any{1.0}, Options{Format: "table", Table: func(v any) (any, error) {
		return v.([]any)[0].(map[string]any)["x"], nil
	}})
	if err == nil || err.Error() != TableUnavailable {
		t.Fatalf("got %v", err)
	}
}

func TestJSONC(t *testing.T) {
	got := render(t, map[string]any{"k": "v"}, Options{Format: "jsonc", Color: true})
	if !strings.Contains(got, cKey.Sprint(`"k"`)) || !strings.Contains(got, cStr.Sprint(`"v"`)) {
		t.Fatalf("no colour: %q", got)
	}
	if plain := render(t, map[string]any{"k": "v"}, Options{Format: "jsonc"}); plain != "{\n  \"k\": \"v\"\n}\n" {
		t.Fatalf("jsonc without a terminal must equal json: %q", plain)
	}
}

func TestYAMLC(t *testing.T) {
	data := map[string]any{"name": "web", "count": 2.0, "on": true, "tags": map[string]any{"a b": "x: y"}, "list": []any{"p", nil}}
	got := render(t, data, Options{Format: "yamlc", Color: true})
	for _, want := range []string{cKey.Sprint("name") + ": " + cStr.Sprint("web"), cKey.Sprint("'on'") + ": " + cLit.Sprint("true"),
		"- " + cStr.Sprint("p"), "- " + cLit.Sprint("null"), cKey.Sprint("a b") + ": " + cStr.Sprint("'x: y'")} {
		if !strings.Contains(got, want) {
			t.Errorf("yamlc lacks %q:\n%q", want, got)
		}
	}
	plain := render(t, data, Options{Format: "yamlc"})
	if plain != render(t, data, Options{Format: "yaml"}) || strings.Contains(plain, "\x1b") {
		t.Fatalf("yamlc without a terminal must equal yaml: %q", plain)
	}
}

// Found by FuzzQuery: the JMESPath lexer indexes past its table on U+0080.
func TestQueryParserPanicIsSyntaxError(t *testing.T) {
	for _, q := range []string{"a\u0080", "\u0080", "foo.b\u0080r"} {
		_, err := CompileQuery(q)
		qe, ok := err.(*QueryError)
		if !ok || !qe.Syntax {
			t.Fatalf("%q: %v", q, err)
		}
	}
}

// A float field stays "1.0" through a query that renames or moves it, as
// Python's float does; a query whose result does not line up keeps numbers
// as they are.
func TestFloatsThroughQuery(t *testing.T) {
	data := map[string]any{"containers": []any{map[string]any{"name": "c", "resources": map[string]any{"requests": map[string]any{"memoryInGb": 1.0, "cpu": 2.0}}}},
		"restartCount": 1.0}
	floats := map[string]bool{"memoryInGb": true, "cpu": true}
	for q, want := range map[string]string{
		"{m:containers[0].resources.requests.memoryInGb}":      "1.0\n",
		"containers[0].resources.requests.memoryInGb":          "1.0\n",
		"containers[].resources.requests.[memoryInGb, cpu]":    "1.0\t2.0\n",
		"[restartCount, containers[0].resources.requests.cpu]": "1\n2.0\n",
		"sum(containers[].resources.requests.cpu)":             "2\n",
	} {
		cq, err := CompileQuery(q)
		if err != nil {
			t.Fatal(err)
		}
		if got := render(t, data, Options{Format: "tsv", Query: cq, FloatKeys: floats}); got != want {
			t.Errorf("%s: %q, want %q", q, got, want)
		}
	}
	cq, _ := CompileQuery("{m:containers[0].resources.requests.memoryInGb}")
	if got := render(t, data, Options{Format: "json", Query: cq, FloatKeys: floats}); got != "{\n  \"m\": 1.0\n}\n" {
		t.Errorf("json: %q", got)
	}
}
