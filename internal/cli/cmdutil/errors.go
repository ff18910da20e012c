package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/output"
)

// ExitError carries an exit code and the lines to print after "ERROR: ".
type ExitError struct {
	Code int
	Err  error
	// Hints are printed on their own lines after the error (az's recommendations).
	Hints []string
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}
func (e *ExitError) Unwrap() error { return e.Err }

// SilentExit ends the process with code and prints nothing (a forwarded exit
// status, e.g. a container's).
func SilentExit(code int) error { return &ExitError{Code: code} }

// UsageError is an argument error: exit code 2, as argparse's.
func UsageError(format string, a ...any) error {
	return &ExitError{Code: 2, Err: fmt.Errorf(format, a...)}
}

// Fail is a user error with exit code 1.
func Fail(format string, a ...any) error {
	return &ExitError{Code: 1, Err: fmt.Errorf(format, a...)}
}

// ErrCancelled is az's answer to a refused or impossible confirmation.
var ErrCancelled = errors.New("Operation cancelled.")

// ExitCode maps an error to az's exit codes: 2 usage, 3 not found, 1 otherwise.
func ExitCode(err error) int {
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	var qe *output.QueryError
	if errors.As(err, &qe) {
		if qe.Syntax {
			return 2
		}
		return 1
	}
	var ae *arm.Error
	if errors.As(err, &ae) && ae.NotFound() {
		return 3
	}
	return 1
}

// ErrorText is what goes to stderr for an error: "ERROR: ..." and hint lines.
func ErrorText(err error) string {
	var silent *ExitError
	if errors.As(err, &silent) && silent.Err == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("ERROR: ")
	if msg, ok := networkError(err); ok {
		b.WriteString(msg)
	} else {
		b.WriteString(err.Error())
	}
	b.WriteByte('\n')
	var ee *ExitError
	if errors.As(err, &ee) {
		for _, h := range ee.Hints {
			b.WriteString(h)
			b.WriteByte('\n')
		}
	}
	var qe *output.QueryError
	if errors.As(err, &qe) {
		b.WriteString(output.QueryHelp)
		b.WriteByte('\n')
	}
	return b.String()
}

// networkError says in one line what failed on the network and where: a
// refused connection, or which timeout expired (connect, TLS, response, the
// whole try) instead of Go's raw dial error.
func networkError(err error) (string, bool) {
	var ue *url.Error
	if !errors.As(err, &ue) {
		if errors.Is(err, context.DeadlineExceeded) {
			return "The operation timed out: " + err.Error(), true
		}
		return "", false
	}
	where := ue.URL
	if u, perr := url.Parse(ue.URL); perr == nil {
		where = u.Scheme + "://" + u.Host
	}
	msg := ue.Err.Error()
	var te *arm.TimeoutError
	switch {
	case errors.As(err, &te):
		return fmt.Sprintf("The request to %s timed out: %s.", where, te.Error()), true
	case errors.Is(err, syscall.ECONNREFUSED):
		hint := ""
		if u, perr := url.Parse(ue.URL); perr == nil {
			if ip := net.ParseIP(u.Hostname()); (ip != nil && ip.IsLoopback()) || u.Hostname() == "localhost" {
				start := "aci local start --detach"
				if p := u.Port(); p != "" && p != "47443" {
					start += " --port " + p
				}
				hint = " Is aci local running? Start it with '" + start + "'."
			}
		}
		return fmt.Sprintf("Could not connect to %s: the connection was refused.%s", where, hint), true
	case strings.Contains(msg, "awaiting response headers"):
		return fmt.Sprintf("The request to %s timed out: no response headers within %v.", where, arm.DefaultTimeouts.ResponseHeader), true
	case strings.Contains(msg, "TLS handshake timeout") || errors.Is(err, context.DeadlineExceeded) && strings.Contains(msg, "handshake"):
		return fmt.Sprintf("The request to %s timed out during the TLS handshake (%v).", where, arm.DefaultTimeouts.TLSHandshake), true
	case strings.Contains(msg, "dial tcp") && ue.Timeout():
		return fmt.Sprintf("Could not connect to %s within %v.", where, arm.DefaultTimeouts.Dial), true
	case errors.Is(err, context.DeadlineExceeded) || ue.Timeout():
		return fmt.Sprintf("The request to %s timed out: the whole try (the response body included) took longer than %v.", where, arm.DefaultTimeouts.Try), true
	}
	return fmt.Sprintf("The request to %s failed: %v", where, ue.Err), true
}
