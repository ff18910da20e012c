package shlex

import (
	"reflect"
	"testing"
)

func TestSplit(t *testing.T) {
	cases := map[string][]string{
		"/bin/sh -c 'while true; do echo hello; sleep 20; done'": {"/bin/sh", "-c", "while true; do echo hello; sleep 20; done"},
		`echo "a \"b\" c" d\ e`:                                  {"echo", `a "b" c`, "d e"},
		`  x   ''  y`:                                            {"x", "", "y"},
		`a'b'"c"`:                                                {"abc"},
	}
	for in, want := range cases {
		got, err := Split(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%q: %q %v", in, got, err)
		}
	}
	for _, bad := range []string{`'open`, `"open`, `trailing\`} {
		if _, err := Split(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
