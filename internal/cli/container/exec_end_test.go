package container

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/gorilla/websocket"
)

// How an exec session's end becomes aci's exit: the remote status where one
// is reported, never a silent 0 when the stream just stops.
func TestSessionEnd(t *testing.T) {
	closeErr := func(code int, text string) error { return &websocket.CloseError{Code: code, Text: text} }
	for _, c := range []struct {
		name  string
		err   error
		local bool
		exit  int    // 0 for success
		text  string // in the error, when it is not a silent exit
	}{
		{"status 3", closeErr(1000, "exitCode=3"), true, 3, ""},
		{"status 0", closeErr(1000, "exitCode=0"), true, 0, ""},
		{"connection dropped", io.ErrUnexpectedEOF, false, 1, "connection dropped"},
		{"abnormal closure", closeErr(websocket.CloseAbnormalClosure, ""), false, 1, "connection dropped"},
		{"aci local without a status", closeErr(1000, ""), true, 1, "without the command's exit status"},
		{"Azure's normal close (az exits 0)", closeErr(1000, ""), false, 0, ""},
		{"refused session", closeErr(1008, "bad password"), false, 1, "close code 1008: bad password"},
		{"unreadable status", closeErr(1000, "exitCode=x"), true, 1, "unreadable exit status"},
	} {
		err := sessionEnd(c.err, c.local)
		var ee *cmdutil.ExitError
		switch {
		case c.exit == 0:
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
		case c.text == "":
			if !errors.As(err, &ee) || ee.Code != c.exit || ee.Err != nil {
				t.Errorf("%s: %v, want exit %d", c.name, err, c.exit)
			}
		default:
			if !errors.As(err, &ee) || ee.Code != c.exit || !strings.Contains(err.Error(), c.text) {
				t.Errorf("%s: %v, want %q", c.name, err, c.text)
			}
		}
	}
}
