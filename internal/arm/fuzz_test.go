package arm

import (
	"strings"
	"testing"
)

// FuzzParseError: any error body becomes an Error with the given status, and
// its text never panics.
func FuzzParseError(f *testing.F) {
	for _, b := range []string{`{"error":{"code":"X","message":"m","details":[{"code":"d"}]}}`, `{"code":"C","message":"m"}`, `{"error":null}`, `[]`, `<html>`, ``, `{"error":{"details":[null]}}`} {
		f.Add(404, b)
	}
	f.Fuzz(func(t *testing.T, status int, body string) {
		e := ParseError(status, []byte(body))
		if e.StatusCode != status {
			t.Fatal("status lost")
		}
		_ = e.Error()
		if e.NotFound() != (status == 404) {
			t.Fatal("NotFound wrong")
		}
		_ = strings.TrimSpace(e.Message)
	})
}
