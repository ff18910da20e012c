package arm

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/gorilla/websocket"
)

// ExecEnd is how an exec session ended: the command's exit status when the
// service reported one (aci local does, in its close frame "exitCode=N";
// Azure does not), and the close frame's code and text.
type ExecEnd struct {
	Code      int
	Known     bool
	CloseCode int
	Reason    string
}

// ExecStreams are the ends an exec session relays: In is sent as binary
// frames (an empty frame once it ends, when SendEOF: a pipe, not a
// terminal), every frame received is written to Out.
type ExecStreams struct {
	In      io.Reader
	SendEOF bool
	Out     io.Writer
}

// RelayExec opens the websocket an exec request answered (uri and password)
// and relays s until the session closes. A connection that drops without a
// close frame is an error: the command's fate is unknown, never a success.
// `aci container exec` and the Kubernetes connector's `kubectl exec` share it.
func RelayExec(ctx context.Context, uri, password string, tlsCfg *tls.Config, s ExecStreams) (ExecEnd, error) {
	d := websocket.Dialer{TLSClientConfig: tlsCfg, Proxy: http.ProxyFromEnvironment, HandshakeTimeout: DefaultTimeouts.TLSHandshake}
	ws, _, err := d.DialContext(ctx, uri, nil)
	if err != nil {
		return ExecEnd{}, fmt.Errorf("could not open the exec session: %w", err)
	}
	defer ws.Close()
	stop := context.AfterFunc(ctx, func() { ws.Close() })
	defer stop()
	if err := ws.WriteMessage(websocket.TextMessage, []byte(password)); err != nil {
		return ExecEnd{}, err
	}
	var wmu sync.Mutex
	if s.In != nil {
		go pumpInput(ws, &wmu, s)
	}
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return ExecEndOf(err)
		}
		if _, err := s.Out.Write(msg); err != nil {
			return ExecEnd{}, err
		}
	}
}

func pumpInput(ws *websocket.Conn, wmu *sync.Mutex, s ExecStreams) {
	buf := make([]byte, 4096)
	for {
		n, err := s.In.Read(buf)
		if n > 0 {
			wmu.Lock()
			werr := ws.WriteMessage(websocket.BinaryMessage, buf[:n])
			wmu.Unlock()
			if werr != nil {
				return
			}
		}
		if err != nil {
			if err == io.EOF && s.SendEOF {
				wmu.Lock()
				_ = ws.WriteMessage(websocket.BinaryMessage, nil)
				wmu.Unlock()
			}
			return
		}
	}
}

// ErrExecDropped is a session whose connection dropped before a close frame.
var ErrExecDropped = errors.New("the exec session's connection dropped before the command ended")

// ExecEndOf reads how a session ended from the error that ended its reads.
func ExecEndOf(err error) (ExecEnd, error) {
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code == websocket.CloseAbnormalClosure {
		return ExecEnd{}, fmt.Errorf("%w (%v); its exit status is unknown", ErrExecDropped, err)
	}
	end := ExecEnd{CloseCode: ce.Code, Reason: ce.Text}
	if v, ok := strings.CutPrefix(ce.Text, "exitCode="); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return end, fmt.Errorf("the exec session ended with an unreadable exit status %q", v)
		}
		end.Code, end.Known = n, true
	}
	return end, nil
}

// Normal tells whether the session closed normally (as Azure's do, without a status).
func (e ExecEnd) Normal() bool {
	return e.CloseCode == websocket.CloseNormalClosure || e.CloseCode == websocket.CloseGoingAway
}
