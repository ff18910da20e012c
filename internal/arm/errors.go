package arm

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
)

// Error is an ARM error envelope {"error":{code,message,target,details}} with its
// HTTP status. Its text is azure-core's ODataV4Format, which az prints.
type Error struct {
	StatusCode int
	Code       string
	Message    string
	Target     string
	Details    []Error
	// Reason is used when the body had no ARM error ("Operation returned an invalid status").
	Reason string
}

func (e *Error) Error() string {
	if e.Code == "" && e.Message == "" {
		return fmt.Sprintf("Operation returned an invalid status '%s'", e.Reason)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "(%s) %s\nCode: %s\nMessage: %s", e.Code, e.Message, e.Code, e.Message)
	if e.Target != "" {
		fmt.Fprintf(&b, "\nTarget: %s", e.Target)
	}
	if len(e.Details) > 0 {
		b.WriteString("\nException Details:")
		for _, d := range e.Details {
			fmt.Fprintf(&b, "\t(%s) %s\n\tCode: %s\n\tMessage: %s", d.Code, d.Message, d.Code, d.Message)
		}
	}
	return b.String()
}

// NotFound tells whether the service answered 404 (exit code 3).
func (e *Error) NotFound() bool { return e.StatusCode == http.StatusNotFound }

type envelope struct {
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Target  string `json:"target"`
		Details []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"details"`
	} `json:"error"`
	// Some services answer {"code","message"} without the wrapper.
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ParseError builds an Error from a status and a response body.
func ParseError(status int, body []byte) *Error {
	e := &Error{StatusCode: status, Reason: http.StatusText(status)}
	var env envelope
	if json.Unmarshal(body, &env) == nil {
		if env.Error != nil {
			e.Code, e.Message, e.Target = env.Error.Code, env.Error.Message, env.Error.Target
			for _, d := range env.Error.Details {
				e.Details = append(e.Details, Error{Code: d.Code, Message: d.Message})
			}
		} else if env.Code != "" {
			e.Code, e.Message = env.Code, env.Message
		}
	}
	return e
}

// FromResponse reads a failed response into an Error.
func FromResponse(resp *http.Response) *Error {
	body, _ := io.ReadAll(resp.Body)
	return ParseError(resp.StatusCode, body)
}

// Wrap turns SDK errors into *Error where they carry an HTTP response.
func Wrap(err error) error {
	if err == nil {
		return nil
	}
	var re *azcore.ResponseError
	if errors.As(err, &re) && re.RawResponse != nil {
		e := FromResponse(re.RawResponse)
		if e.Code == "" && re.ErrorCode != "" && re.ErrorCode != "Unknown" {
			e.Code = re.ErrorCode
			e.Message = re.ErrorCode
		}
		return e
	}
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	return err
}
