package provider

// The provider commands on a fake Service: what reaches ARM for each flag,
// and how register and unregister wait (or do not).

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
)

type fakeService struct {
	calls  []string
	states []string // registrationState answered by each Get, the last repeated
	after  string   // registrationState answered by Register/Unregister
}

func (s *fakeService) note(format string, a ...any) {
	s.calls = append(s.calls, fmt.Sprintf(format, a...))
}

func (s *fakeService) state() string {
	st := s.states[0]
	if len(s.states) > 1 {
		s.states = s.states[1:]
	}
	return st
}

func (s *fakeService) Get(_ context.Context, ns, expand string) (arm.Raw, error) {
	s.note("get %s %q", ns, expand)
	if ns == "Nope.Namespace" {
		return nil, &arm.Error{StatusCode: 404, Code: "InvalidResourceNamespace", Message: "The resource namespace 'Nope.Namespace' is invalid."}
	}
	return arm.Raw{"namespace": ns, "registrationState": s.state(), "resourceTypes": []any{}}, nil
}
func (s *fakeService) List(_ context.Context, expand string) ([]any, error) {
	s.note("list %q", expand)
	return []any{map[string]any{"namespace": "A.B", "registrationState": "Registered"}}, nil
}
func (s *fakeService) Register(_ context.Context, ns string, consent bool) (arm.Raw, error) {
	s.note("register %s consent=%v", ns, consent)
	return arm.Raw{"namespace": ns, "registrationState": s.after}, nil
}
func (s *fakeService) Unregister(_ context.Context, ns string) (arm.Raw, error) {
	s.note("unregister %s", ns)
	return arm.Raw{"namespace": ns, "registrationState": s.after}, nil
}
func (s *fakeService) RegisterAtManagementGroup(_ context.Context, ns, mg string) error {
	s.note("register %s at %s", ns, mg)
	return nil
}
func (s *fakeService) Operations(_ context.Context, ns string) (any, error) {
	s.note("operations %q", ns)
	return []any{map[string]any{"name": ns + "/read"}}, nil
}

func run(t *testing.T, svc *fakeService, args ...string) (string, string, error) {
	t.Helper()
	ios, _, out, errOut := cmdutil.Test()
	f := &cmdutil.Factory{IO: ios, ConfigDir: t.TempDir(), Globals: cmdutil.Globals{Output: "json"},
		Intervals: cmdutil.Intervals{Provider: 10 * time.Millisecond}}
	cmd := NewCmdWith(f, func() (Service, error) { return svc, nil })
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

func TestReads(t *testing.T) {
	svc := &fakeService{states: []string{"Registered"}}
	if out, _, err := run(t, svc, "list", "--expand", "metadata"); err != nil || !strings.Contains(out, `"namespace": "A.B"`) {
		t.Fatalf("list: %v %s", err, out)
	}
	if out, _, err := run(t, svc, "show", "-n", "Microsoft.Storage", "--expand", "resourceTypes/aliases"); err != nil || !strings.Contains(out, `"registrationState": "Registered"`) {
		t.Fatalf("show: %v %s", err, out)
	}
	if _, _, err := run(t, svc, "show", "-n", "Nope.Namespace"); cmdutil.ExitCode(err) != 3 {
		t.Fatalf("an unknown namespace exits 3: %v", err)
	}
	if _, _, err := run(t, svc, "show"); cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "--namespace/-n") {
		t.Fatalf("show without -n: %v", err)
	}
	run(t, svc, "operation", "list")
	if out, _, err := run(t, svc, "operation", "show", "-n", "Microsoft.Storage"); err != nil || !strings.Contains(out, "Microsoft.Storage/read") {
		t.Fatalf("operation show: %v %s", err, out)
	}
	if _, _, err := run(t, svc, "operation", "show"); cmdutil.ExitCode(err) != 2 {
		t.Fatalf("operation show without -n: %v", err)
	}
	want := []string{`list "metadata"`, `get Microsoft.Storage "resourceTypes/aliases"`, `get Nope.Namespace ""`, `operations ""`, `operations "Microsoft.Storage"`}
	if !reflect.DeepEqual(svc.calls, want) {
		t.Fatalf("calls %v, want %v", svc.calls, want)
	}
}

func TestRegisterAndUnregister(t *testing.T) {
	// Already in the target state: nothing more is asked.
	svc := &fakeService{after: "Registered", states: []string{"Registered"}}
	if _, errOut, err := run(t, svc, "register", "-n", "Microsoft.ContainerInstance", "-c"); err != nil || errOut != "" ||
		!reflect.DeepEqual(svc.calls, []string{"register Microsoft.ContainerInstance consent=true"}) {
		t.Fatalf("register: %v %q %v", err, errOut, svc.calls)
	}
	// Still on its way: az's warning without --wait...
	svc = &fakeService{after: "Unregistering", states: []string{"Unregistering"}}
	if _, errOut, err := run(t, svc, "unregister", "-n", "Microsoft.ContainerInstance"); err != nil ||
		errOut != "WARNING: Unregistering is still on-going. You can monitor using 'aci provider show -n Microsoft.ContainerInstance'\n" {
		t.Fatalf("unregister: %v %q", err, errOut)
	}
	// ...and reads until the state with it; NotRegistered ends an unregister.
	svc = &fakeService{after: "Unregistering", states: []string{"Unregistering", "Unregistering", "NotRegistered"}}
	if _, _, err := run(t, svc, "unregister", "-n", "X.Y", "--wait"); err != nil || len(svc.calls) != 4 {
		t.Fatalf("unregister --wait: %v %v", err, svc.calls)
	}
	svc = &fakeService{after: "Registering", states: []string{"Registering", "Registered"}}
	if _, _, err := run(t, svc, "register", "-n", "X.Y", "--wait"); err != nil || len(svc.calls) != 3 {
		t.Fatalf("register --wait: %v %v", err, svc.calls)
	}
	svc = &fakeService{}
	if _, _, err := run(t, svc, "register", "-n", "X.Y", "-m", "mg1"); err != nil || !reflect.DeepEqual(svc.calls, []string{"register X.Y at mg1"}) {
		t.Fatalf("at a management group: %v %v", err, svc.calls)
	}
	if _, _, err := run(t, svc, "register"); cmdutil.ExitCode(err) != 2 {
		t.Fatalf("register without -n: %v", err)
	}
	if _, _, err := run(t, svc, "unregister", "-n", "X.Y", "-m", "mg1"); err == nil {
		t.Fatal("unregister has no --management-group-id")
	}
	failing := func() (Service, error) { return nil, errors.New("Please run 'aci login' to setup account.") }
	ios, _, _, _ := cmdutil.Test()
	cmd := NewCmdWith(&cmdutil.Factory{IO: ios, ConfigDir: t.TempDir()}, failing)
	cmd.SetArgs([]string{"list"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), "aci login") {
		t.Fatalf("no service: %v", err)
	}
}
