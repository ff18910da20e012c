package shlex

import (
	"reflect"
	"strings"
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

// Join quotes what Split would break apart, so argv survives the trip.
func TestJoinRoundTrip(t *testing.T) {
	for _, argv := range [][]string{
		{"echo", "two words", "$HOME"}, {"sh", "-c", "echo 'quoted' && exit 3"}, {""}, {"a\"b", "c\\d", "*"},
	} {
		got, err := Split(Join(argv))
		if err != nil || strings.Join(got, "\x00") != strings.Join(argv, "\x00") {
			t.Errorf("Split(Join(%q)) = %q, %v", argv, got, err)
		}
	}
}
