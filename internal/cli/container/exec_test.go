package container

// ExecSession against a websocket that speaks the exec protocol (the
// password first, stdin as binary frames, an empty frame at the end of
// piped input, the status in the close frame): what is sent and sized,
// what is printed, and how the exit is reported.

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/gorilla/websocket"
)

// execServer echoes stdin back upper-cased and closes with status.
type execServer struct {
	*httptest.Server
	mu       sync.Mutex
	password string
	got      []byte
	status   string // the close frame's text; "" closes with none
	drop     bool   // end without a close frame
}

func newExecServer(t *testing.T) *execServer {
	es := &execServer{}
	up := websocket.Upgrader{}
	es.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		_, pw, err := ws.ReadMessage()
		if err != nil {
			return
		}
		es.mu.Lock()
		es.password = string(pw)
		es.mu.Unlock()
		for {
			_, msg, err := ws.ReadMessage()
			if err != nil || len(msg) == 0 {
				break // the end of piped input
			}
			es.mu.Lock()
			es.got = append(es.got, msg...)
			es.mu.Unlock()
			ws.WriteMessage(websocket.BinaryMessage, bytes.ToUpper(msg))
		}
		if es.drop {
			return
		}
		ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, es.status))
		ws.ReadMessage() // wait for the client's close
	}))
	t.Cleanup(es.Close)
	return es
}

// execFake answers Exec with the server's URI and records the size asked.
type execFake struct {
	fakeService
	uri        string
	rows, cols int32
	command    string
}

func (e *execFake) Exec(_ context.Context, _, _, _, command string, rows, cols int32) (string, string, error) {
	e.command, e.rows, e.cols = command, rows, cols
	return e.uri, "s3cret", nil
}

func execFactory(t *testing.T, es *execServer, in string) (*cmdutil.Factory, *bytes.Buffer) {
	ios, _, out, _ := cmdutil.Test()
	ios.In = strings.NewReader(in)
	return &cmdutil.Factory{IO: ios, ConfigDir: t.TempDir(), HTTPClient: es.Client()}, out
}

func TestExecSessionPipes(t *testing.T) {
	es := newExecServer(t)
	es.status = "exitCode=0"
	fake := &execFake{uri: "wss" + strings.TrimPrefix(es.URL, "https") + "/exec"}
	f, out := execFactory(t, es, "hello\nworld\n")
	if err := ExecSession(f, fake, "rg", "web", "app", "cat"); err != nil {
		t.Fatal(err)
	}
	if out.String() != "HELLO\nWORLD\n" || string(es.got) != "hello\nworld\n" || es.password != "s3cret" {
		t.Fatalf("out %q, sent %q, password %q", out, es.got, es.password)
	}
	// Without a terminal on Azure, ACI's own terminal size is asked for.
	if fake.command != "cat" || fake.rows != 24 || fake.cols != 80 {
		t.Fatalf("exec request: %q %dx%d", fake.command, fake.rows, fake.cols)
	}
}

func TestExecSessionExitStatus(t *testing.T) {
	for _, c := range []struct {
		status string
		drop   bool
		exit   int
		text   string
	}{
		{status: "exitCode=7", exit: 7},
		{status: "", exit: 0}, // Azure reports none: az exits 0
		{drop: true, exit: 1, text: "connection dropped"},
	} {
		es := newExecServer(t)
		es.status, es.drop = c.status, c.drop
		fake := &execFake{uri: "wss" + strings.TrimPrefix(es.URL, "https") + "/exec"}
		f, _ := execFactory(t, es, "x")
		err := ExecSession(f, fake, "rg", "web", "app", "sh")
		if got := cmdutil.ExitCode(err); (err == nil) != (c.exit == 0) || (err != nil && got != c.exit) || (c.text != "" && !strings.Contains(err.Error(), c.text)) {
			t.Errorf("%+v: %v (exit %d)", c, err, got)
		}
	}
	// An exec URI that is not one, and a session that cannot open.
	f, _ := execFactory(t, newExecServer(t), "")
	if err := ExecSession(f, &execFake{uri: "://bad"}, "rg", "web", "app", "sh"); err == nil || !strings.Contains(err.Error(), "invalid exec URI") {
		t.Fatalf("bad URI: %v", err)
	}
	if err := ExecSession(f, &execFake{uri: "wss://127.0.0.1:1/exec"}, "rg", "web", "app", "sh"); err == nil || !strings.Contains(err.Error(), "Could not open the exec session") {
		t.Fatalf("nothing listening: %v", err)
	}
}

func TestExecCommandLine(t *testing.T) {
	ios, _, _, _ := cmdutil.Test()
	f := &cmdutil.Factory{IO: ios, ConfigDir: t.TempDir()}
	parse := func(args ...string) (*execOptions, error) {
		var got *execOptions
		cmd := newExec(f, func(o *execOptions) error { got = o; return nil })
		cmd.SetArgs(args)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		return got, cmd.Execute()
	}
	// Everything after -- is the command, quoted so the service's split
	// restores it.
	if o, err := parse("-g", "rg", "-n", "web", "--container-name", "app", "--", "ls", "-la", "/my dir"); err != nil ||
		o.Command != "ls -la '/my dir'" || o.Container != "app" || o.Group != "rg" {
		t.Fatalf("-- form: %v %+v", err, o)
	}
	if o, err := parse("-g", "rg", "-n", "web", "--exec-command", "/bin/sh"); err != nil || o.Command != "/bin/sh" {
		t.Fatalf("--exec-command: %v %+v", err, o)
	}
	if _, err := parse("-g", "rg", "-n", "web", "--exec-command", "sh", "--", "ls"); cmdutil.ExitCode(err) != 2 {
		t.Fatalf("both forms: %v", err)
	}
	if _, err := parse("-g", "rg", "-n", "web"); cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "--exec-command") {
		t.Fatalf("no command: %v", err)
	}
}

func TestExecRunPicksTheContainer(t *testing.T) {
	es := newExecServer(t)
	es.status = "exitCode=0"
	fake := &execFake{uri: "wss" + strings.TrimPrefix(es.URL, "https") + "/exec"}
	fake.get = func(_, name string) (arm.Raw, error) { return cg(name, "Running", 0), nil }
	f, out := execFactory(t, es, "ok")
	o := &execOptions{deps: deps{f: f, Service: func() (Service, error) { return fake, nil }}, target: targets("web")[0], Command: "cat"}
	if err := execRun(o); err != nil || out.String() != "OK" {
		t.Fatalf("exec: %v %q", err, out)
	}
	o.Container = "sidecar"
	if err := execRun(o); err == nil {
		t.Fatal("a container the group does not have")
	}
}
