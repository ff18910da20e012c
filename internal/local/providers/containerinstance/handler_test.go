package containerinstance

// The container-group handler against a fake runtime: what ARM clients see for
// each thing the runtime does.

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aci-cli/aci/internal/local/core"
	"github.com/aci-cli/aci/internal/local/coretest"
	"github.com/aci-cli/aci/internal/local/runtime"
	"github.com/gorilla/websocket"
)

func props(a coretest.Answer) map[string]any { return obj(a.Body["properties"]) }

func instanceState(a coretest.Answer) string {
	s, _ := obj(props(a)["instanceView"])["state"].(string)
	return s
}

func containerViewJSON(a coretest.Answer) map[string]any {
	cs, _ := props(a)["containers"].([]any)
	if len(cs) == 0 {
		return nil
	}
	return obj(obj(obj(cs[0])["properties"])["instanceView"])
}

// pollOperation follows an Azure-AsyncOperation URL until it ends.
func (h *harness) pollOperation(url string) coretest.Answer {
	h.T.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		a := h.Do("GET", url, "")
		if st, _ := a.Body["status"].(string); st != "InProgress" || time.Now().After(deadline) {
			return a
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestPutCreatesAndReplaces(t *testing.T) {
	fake := newFakeRuntime()
	h, _ := cgHarness(t, fake, core.Options{})
	a := h.Do("PUT", h.cg("web")+cgv, groupJSON(nil))
	if a.Status != 201 || props(a)["provisioningState"] != "Pending" || obj(props(a)["ipAddress"])["ip"] != nil {
		t.Fatalf("create: %d %s", a.Status, a.Raw)
	}
	op := h.pollOperation(a.Header.Get("Azure-AsyncOperation"))
	if op.Body["status"] != "Succeeded" {
		t.Fatalf("operation: %s", op.Raw)
	}
	a = h.waitProvisioned("web")
	ip, _ := obj(props(a)["ipAddress"])["ip"].(string)
	if props(a)["provisioningState"] != "Succeeded" || instanceState(a) != "Running" || !strings.HasPrefix(ip, "127.0.2.") {
		t.Fatalf("provisioned: %s", a.Raw)
	}
	// A PUT of an existing group replaces it: 200, the old containers go, the
	// new spec runs, the address stays.
	a = h.Do("PUT", h.cg("web")+cgv, groupJSON(func(p, c map[string]any) { c["image"] = "example.com/other:2" }))
	if a.Status != 200 {
		t.Fatalf("replace: %d %s", a.Status, a.Raw)
	}
	a = h.waitProvisioned("web")
	if got := fake.lastRun(); got == nil || got.Containers[0].Image != "example.com/other:2" || got.IP != ip {
		t.Fatalf("replaced spec: %+v", got)
	}
	if obj(props(a)["ipAddress"])["ip"] != ip || fake.runCount() != 2 {
		t.Fatalf("after replace: %d runs, %s", fake.runCount(), a.Raw)
	}
	if calls := strings.Join(fake.callLog(), ","); !strings.Contains(calls, "remove") {
		t.Fatalf("the old group was not removed before the new one ran: %s", calls)
	}
	// Delete answers the last view and removes the runtime's objects.
	if a := h.Do("DELETE", h.cg("web")+cgv, ""); a.Status != 200 || a.Body["name"] != "web" {
		t.Fatalf("delete: %d %s", a.Status, a.Raw)
	}
	if a := h.Do("GET", h.cg("web")+cgv, ""); a.Status != 404 || a.Code() != "ContainerGroupNotFound" {
		t.Fatalf("after delete: %s", a.Raw)
	}
	if a := h.Do("DELETE", h.cg("web")+cgv, ""); a.Status != 204 {
		t.Fatalf("second delete: %d", a.Status)
	}
}

// Until a group has provisioned its containers are Waiting and the engine
// is not asked: a client polling a create must not load the engine that is
// creating it.
func TestPendingGroupAsksNoStatus(t *testing.T) {
	fake := newFakeRuntime()
	hold := make(chan struct{})
	fake.set(func(f *fakeRuntime) { f.hold = hold })
	h, _ := cgHarness(t, fake, core.Options{})
	if a := h.Do("PUT", h.cg("slow")+cgv, groupJSON(nil)); a.Status != 201 {
		t.Fatalf("create: %d %s", a.Status, a.Raw)
	}
	var a coretest.Answer
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		a = h.Do("GET", h.cg("slow")+cgv, "")
		if cv := containerViewJSON(a); cv != nil && len(cv["events"].([]any)) > 0 || time.Now().After(deadline) {
			break
		}
	}
	cv := containerViewJSON(a)
	if props(a)["provisioningState"] != "Pending" || cv == nil || obj(cv["currentState"])["state"] != "Waiting" || instanceState(a) != "Pending" {
		t.Fatalf("while provisioning: %s", a.Raw)
	}
	var calls int
	fake.set(func(f *fakeRuntime) { calls = f.statusCalls })
	if calls != 0 {
		t.Fatalf("the engine was asked %d times for a pending group", calls)
	}
	close(hold)
	if a = h.waitProvisioned("slow"); obj(containerViewJSON(a)["currentState"])["state"] != "Running" {
		t.Fatalf("provisioned: %s", a.Raw)
	}
}

func TestProvisioningFailure(t *testing.T) {
	fake := newFakeRuntime()
	fake.set(func(f *fakeRuntime) {
		f.failRun = &runtime.ErrImage{Image: "x", Reason: "pulling x failed: unauthorized"}
	})
	h, _ := cgHarness(t, fake, core.Options{})
	a := h.Do("PUT", h.cg("bad")+cgv, groupJSON(nil))
	if a.Status != 201 {
		t.Fatalf("create: %s", a.Raw)
	}
	op := h.pollOperation(a.Header.Get("Azure-AsyncOperation"))
	if op.Body["status"] != "Failed" || obj(op.Body["error"])["code"] != "InaccessibleImage" {
		t.Fatalf("operation: %s", op.Raw)
	}
	a = h.waitProvisioned("bad")
	if props(a)["provisioningState"] != "Failed" || instanceState(a) != "Failed" {
		t.Fatalf("failed group: %s", a.Raw)
	}
	events, _ := obj(props(a)["instanceView"])["events"].([]any)
	last := obj(events[len(events)-1])
	if last["name"] != "Failed" || last["type"] != "Warning" || !strings.Contains(last["message"].(string), "unauthorized") {
		t.Fatalf("no failure event: %v", events)
	}
	if cv := containerViewJSON(a); cv == nil || len(cv["events"].([]any)) == 0 {
		t.Fatalf("the container's own events are missing: %s", a.Raw)
	}
	// Nothing half-created stays behind.
	if calls := fake.callLog(); len(calls) == 0 || calls[len(calls)-1] != "remove" {
		t.Fatalf("the runtime was not cleaned: %v", calls)
	}
}

func TestInstanceViewStates(t *testing.T) {
	zero, one := 0, 1
	cases := []struct {
		policy string
		st     runtime.ContainerStatus
		want   string
	}{
		{"Always", runtime.ContainerStatus{State: "Running"}, "Running"},
		{"Never", runtime.ContainerStatus{State: "Terminated", ExitCode: &zero}, "Succeeded"},
		{"Never", runtime.ContainerStatus{State: "Terminated", ExitCode: &one}, "Failed"},
		{"OnFailure", runtime.ContainerStatus{State: "Terminated", ExitCode: &zero}, "Succeeded"},
		{"Always", runtime.ContainerStatus{State: "Terminated", ExitCode: &one}, "Running"},
		{"Always", runtime.ContainerStatus{State: "Waiting"}, "Pending"},
	}
	fake := newFakeRuntime()
	h, _ := cgHarness(t, fake, core.Options{})
	for i, c := range cases {
		fake.set(func(f *fakeRuntime) { f.status = map[string]runtime.ContainerStatus{"c": c.st} })
		name := "s" + string(rune('a'+i))
		h.Do("PUT", h.cg(name)+cgv, groupJSON(func(p, _ map[string]any) { p["restartPolicy"] = c.policy }))
		a := h.waitProvisioned(name)
		if got := instanceState(a); got != c.want {
			t.Errorf("%s with %+v: %s, want %s", c.policy, c.st, got, c.want)
		}
		if cv := containerViewJSON(a); obj(cv["currentState"])["state"] != c.st.State {
			t.Errorf("%s: container state %v", name, cv["currentState"])
		}
		if c.st.State == "Terminated" && obj(containerViewJSON(a)["currentState"])["exitCode"] != float64(*c.st.ExitCode) {
			t.Errorf("%s: exit code %v", name, containerViewJSON(a)["currentState"])
		}
	}
}

func TestStopStartRestart(t *testing.T) {
	fake := newFakeRuntime()
	h, _ := cgHarness(t, fake, core.Options{})
	h.Do("PUT", h.cg("g")+cgv, groupJSON(nil))
	h.waitProvisioned("g")
	if a := h.Do("POST", h.cg("g")+"/stop"+cgv, ""); a.Status != 204 {
		t.Fatalf("stop: %d %s", a.Status, a.Raw)
	}
	if a := h.Do("GET", h.cg("g")+cgv, ""); instanceState(a) != "Stopped" {
		t.Fatalf("after stop: %s", a.Raw)
	}
	a := h.Do("POST", h.cg("g")+"/start"+cgv, "")
	if a.Status != 202 || a.Header.Get("Azure-AsyncOperation") == "" {
		t.Fatalf("start: %d %v", a.Status, a.Header)
	}
	if op := h.pollOperation(a.Header.Get("Azure-AsyncOperation")); op.Body["status"] != "Succeeded" {
		t.Fatalf("start operation: %s", op.Raw)
	}
	if a := h.Do("GET", h.cg("g")+cgv, ""); instanceState(a) != "Running" {
		t.Fatalf("after start: %s", a.Raw)
	}
	a = h.Do("POST", h.cg("g")+"/restart"+cgv, "")
	if a.Status != 204 {
		t.Fatalf("restart: %d", a.Status)
	}
	h.pollOperation(a.Header.Get("Azure-AsyncOperation"))
	calls := strings.Join(fake.callLog(), ",")
	if !strings.Contains(calls, "stop,start") || !strings.HasSuffix(calls, "restart") {
		t.Fatalf("runtime calls: %s", calls)
	}
	a = h.Do("GET", h.cg("g")+cgv, "")
	var names []string
	for _, e := range containerViewJSON(a)["events"].([]any) {
		names = append(names, obj(e)["name"].(string))
	}
	if !strings.Contains(strings.Join(names, ","), "Killing,Started") {
		t.Fatalf("restart events: %v", names)
	}
	if a := h.Do("POST", h.cg("g")+"/frobnicate"+cgv, ""); a.Status != 404 {
		t.Fatalf("unknown action: %d", a.Status)
	}
	if a := h.Do("POST", h.cg("nope")+"/stop"+cgv, ""); a.Status != 404 || a.Code() != "ContainerGroupNotFound" {
		t.Fatalf("stop of a missing group: %s", a.Raw)
	}
}

func TestExecOverWebsocket(t *testing.T) {
	fake := newFakeRuntime()
	fake.set(func(f *fakeRuntime) {
		f.exec = func(argv []string, stdin []byte) (string, int) {
			return strings.Join(argv, " ") + ":" + strings.ToUpper(string(stdin)), 3
		}
	})
	h, _ := cgHarness(t, fake, core.Options{})
	h.Do("PUT", h.cg("x")+cgv, groupJSON(nil))
	h.waitProvisioned("x")
	if a := h.Do("POST", h.cg("x")+"/containers/nope/exec"+cgv, `{"command":"ls"}`); a.Status != 404 || a.Code() != "ContainerNotFound" {
		t.Fatalf("exec in a missing container: %s", a.Raw)
	}
	if a := h.Do("POST", h.cg("x")+"/containers/c/exec"+cgv, `{"command":"'unclosed"}`); a.Status != 400 {
		t.Fatalf("bad command: %s", a.Raw)
	}
	a := h.Do("POST", h.cg("x")+"/containers/c/exec"+cgv, `{"command":"cat -n"}`)
	uri, _ := a.Body["webSocketUri"].(string)
	pw, _ := a.Body["password"].(string)
	if a.Status != 200 || !strings.HasPrefix(uri, "wss://127.0.0.1:") || pw == "" {
		t.Fatalf("exec: %s", a.Raw)
	}
	pem, _ := os.ReadFile(core.CAFile(h.Srv.Options().StateDir))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	d := websocket.Dialer{TLSClientConfig: &tls.Config{RootCAs: pool}, HandshakeTimeout: 5 * time.Second}
	// A wrong password ends the session; the session is then used up.
	ws, _, err := d.Dial(uri, nil)
	if err != nil {
		t.Fatal(err)
	}
	ws.WriteMessage(websocket.TextMessage, []byte("wrong"))
	_, _, err = ws.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.ClosePolicyViolation {
		t.Fatalf("wrong password: %v", err)
	}
	ws.Close()
	if _, resp, err := d.Dial(uri, nil); err == nil || resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a used session opened again: %v", err)
	}
	// The right password: stdin in, output out, the exit code in the close frame.
	a = h.Do("POST", h.cg("x")+"/containers/c/exec"+cgv, `{"command":"cat -n"}`)
	ws, _, err = d.Dial(a.Body["webSocketUri"].(string), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ws.WriteMessage(websocket.TextMessage, []byte(a.Body["password"].(string)))
	ws.WriteMessage(websocket.BinaryMessage, []byte("hello"))
	ws.WriteMessage(websocket.BinaryMessage, nil)
	var out strings.Builder
	for {
		_, b, err := ws.ReadMessage()
		if err != nil {
			if !errors.As(err, &ce) || ce.Text != "exitCode=3" {
				t.Fatalf("close: %v", err)
			}
			break
		}
		out.Write(b)
	}
	if out.String() != "cat -n:HELLO" {
		t.Fatalf("output %q", out.String())
	}
}
