package cmdutil

import (
	"encoding/json"
	"testing"
)

func doc() map[string]any {
	var m map[string]any
	json.Unmarshal([]byte(`{"location":"westus","tags":{"a":"b"},"properties":{"containers":[{"name":"c1","image":"x"},{"name":"c2","image":"y"}]}}`), &m)
	return m
}

func js(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestGenericUpdate(t *testing.T) {
	cases := []struct {
		name             string
		set, add, remove []string
		force            bool
		want             string // the changed part, as JSON
		part             func(map[string]any) any
	}{
		{"set a tag", []string{"tags.env=prod"}, nil, nil, false, `{"a":"b","env":"prod"}`, func(m map[string]any) any { return m["tags"] }},
		{"set JSON", []string{"tags.n=5", `tags.o={"k":[1]}`}, nil, nil, false, `{"a":"b","n":5,"o":{"k":[1]}}`, func(m map[string]any) any { return m["tags"] }},
		{"force string", []string{"tags.n=5"}, nil, nil, true, `{"a":"b","n":"5"}`, func(m map[string]any) any { return m["tags"] }},
		{"set in a list", []string{"properties.containers[1].image=z"}, nil, nil, false, `"z"`, func(m map[string]any) any {
			return m["properties"].(map[string]any)["containers"].([]any)[1].(map[string]any)["image"]
		}},
		{"case-insensitive keys", []string{"Properties.Containers[-1].Image=w"}, nil, nil, false, `"w"`, func(m map[string]any) any {
			return m["properties"].(map[string]any)["containers"].([]any)[1].(map[string]any)["image"]
		}},
		{"add key=value", nil, []string{"properties.containers", "name=c3", "image=q"}, nil, false, `{"image":"q","name":"c3"}`, func(m map[string]any) any {
			return m["properties"].(map[string]any)["containers"].([]any)[2]
		}},
		{"add JSON values to a new list", nil, []string{"properties.ports", "80", "443"}, nil, false, `[80,443]`, func(m map[string]any) any {
			return m["properties"].(map[string]any)["ports"]
		}},
		{"remove a property", nil, nil, []string{"tags.a"}, false, `{}`, func(m map[string]any) any { return m["tags"] }},
		{"remove a list element", nil, nil, []string{"properties.containers", "0"}, false, `[{"image":"y","name":"c2"}]`, func(m map[string]any) any {
			return m["properties"].(map[string]any)["containers"]
		}},
	}
	for _, c := range cases {
		m := doc()
		if err := GenericUpdate(m, c.set, c.add, c.remove, c.force); err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got := js(c.part(m)); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	bad := []struct {
		set, add, remove []string
	}{
		{[]string{"novalue"}, nil, nil},
		{[]string{"properties.containers[9].image=x"}, nil, nil},
		{[]string{"properties.containers.image=x"}, nil, nil},
		{nil, []string{"tags", "k=v"}, nil},
		{nil, []string{"properties.containers"}, nil},
		{nil, nil, []string{"properties.containers", "7"}},
		{nil, nil, []string{"nope.deeper"}},
		{nil, nil, []string{"a", "b", "c"}},
	}
	for _, b := range bad {
		if err := GenericUpdate(doc(), b.set, b.add, b.remove, false); err == nil {
			t.Errorf("%v %v %v: accepted", b.set, b.add, b.remove)
		}
	}
}
