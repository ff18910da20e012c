package group

// The run functions on a fake Service (function fields, as docker/cli's
// fakeClient): what each sends to ARM and what it prints, with nothing
// listening.

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/output"
)

type fakeService struct {
	createOrUpdate func(name, location string, tags map[string]*string, managedBy *string) (arm.Raw, error)
	get            func(name string) (arm.Raw, error)
	exists         func(name string) (bool, error)
	list           func(filter string) ([]any, error)
	delete         func(name, force string, wait bool) error
}

func (s *fakeService) CreateOrUpdate(_ context.Context, name, location string, tags map[string]*string, managedBy *string) (arm.Raw, error) {
	return s.createOrUpdate(name, location, tags, managedBy)
}
func (s *fakeService) Get(_ context.Context, name string) (arm.Raw, error) { return s.get(name) }
func (s *fakeService) Exists(_ context.Context, name string) (bool, error) {
	return s.exists(name)
}
func (s *fakeService) List(_ context.Context, filter string) ([]any, error) { return s.list(filter) }
func (s *fakeService) Delete(_ context.Context, name, force string, wait bool, _ arm.Progress) error {
	return s.delete(name, force, wait)
}

// fakeDeps is a factory printing az's JSON to out, and svc as the service.
func fakeDeps(t *testing.T, svc Service, format string) (deps, *bytes.Buffer) {
	t.Helper()
	ios, _, out, _ := cmdutil.Test()
	f := &cmdutil.Factory{IO: ios, ConfigDir: t.TempDir(), Globals: cmdutil.Globals{Output: format}}
	return deps{f: f, Service: func() (Service, error) { return svc, nil }}, out
}

func group(name, state string, tags map[string]any) arm.Raw {
	return arm.Raw{"id": "/subscriptions/s/resourceGroups/" + name, "name": name, "location": "westus", "type": "Microsoft.Resources/resourceGroups",
		"tags": tags, "properties": map[string]any{"provisioningState": state}}
}

func TestCreateRun(t *testing.T) {
	var gotTags map[string]*string
	var gotMB *string
	svc := &fakeService{createOrUpdate: func(name, loc string, tags map[string]*string, mb *string) (arm.Raw, error) {
		gotTags, gotMB = tags, mb
		return group(name, "Succeeded", map[string]any{"a": "b"}), nil
	}}
	d, out := fakeDeps(t, svc, "json")
	if err := createRun(&CreateOptions{deps: d, Name: "rg", Location: "westus", Tags: []string{"a=b", "c"}, TagsSet: true, ManagedBy: "me"}); err != nil {
		t.Fatal(err)
	}
	if *gotTags["a"] != "b" || *gotTags["c"] != "" || *gotMB != "me" {
		t.Fatalf("sent tags %v, managedBy %v", gotTags, gotMB)
	}
	if !strings.Contains(out.String(), `"name": "rg"`) || !strings.Contains(out.String(), `"provisioningState": "Succeeded"`) {
		t.Fatalf("printed %s", out)
	}
	// Without --tags nothing is sent for them (ARM keeps what is there).
	d, _ = fakeDeps(t, svc, "json")
	if err := createRun(&CreateOptions{deps: d, Name: "rg", Location: "westus"}); err != nil || gotTags != nil || gotMB != nil {
		t.Fatalf("no --tags: %v %v %v", err, gotTags, gotMB)
	}
	svc.createOrUpdate = func(string, string, map[string]*string, *string) (arm.Raw, error) {
		return nil, &arm.Error{StatusCode: 409, Code: "Conflict", Message: "no"}
	}
	if err := createRun(&CreateOptions{deps: d, Name: "rg", Location: "westus"}); cmdutil.ExitCode(err) != 1 {
		t.Fatalf("an ARM error: %v", err)
	}
}

func TestListRunFilterAndTable(t *testing.T) {
	for tag, want := range map[string]string{"": "", "env": "tagname eq 'env'", "env=prod": "tagname eq 'env' and tagvalue eq 'prod'"} {
		var got string
		svc := &fakeService{list: func(filter string) ([]any, error) {
			got = filter
			return []any{map[string]any(group("a", "Succeeded", nil)), map[string]any(group("b", "Deleting", nil))}, nil
		}}
		d, out := fakeDeps(t, svc, "table")
		if err := listRun(&ListOptions{deps: d, Tag: tag}); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("--tag %q sent $filter %q, want %q", tag, got, want)
		}
		if !strings.Contains(out.String(), "a       westus      Succeeded") || !strings.Contains(out.String(), "b       westus      Deleting") {
			t.Errorf("table:\n%s", out)
		}
	}
}

func TestShowAndExistsRun(t *testing.T) {
	svc := &fakeService{
		get: func(name string) (arm.Raw, error) {
			if name != "rg" {
				return nil, &arm.Error{StatusCode: 404, Code: "ResourceGroupNotFound", Message: "Resource group 'x' could not be found."}
			}
			return group(name, "Succeeded", nil), nil
		},
		exists: func(name string) (bool, error) { return name == "rg", nil },
	}
	d, out := fakeDeps(t, svc, "tsv")
	if err := showRun(&NameOptions{deps: d, Name: "rg"}); err != nil || !strings.Contains(out.String(), "westus") {
		t.Fatalf("show: %v %q", err, out)
	}
	if err := showRun(&NameOptions{deps: d, Name: "x"}); cmdutil.ExitCode(err) != 3 {
		t.Fatalf("show of a missing group exits 3: %v", err)
	}
	for name, want := range map[string]string{"rg": "true\n", "x": "false\n"} {
		d, out := fakeDeps(t, svc, "tsv")
		if err := existsRun(&NameOptions{deps: d, Name: name}); err != nil || out.String() != want {
			t.Errorf("exists %s: %v %q", name, err, out)
		}
	}
}

func TestDeleteRun(t *testing.T) {
	var got []any
	svc := &fakeService{delete: func(name, force string, wait bool) error { got = []any{name, force, wait}; return nil }}
	d, out := fakeDeps(t, svc, "json")
	if err := deleteRun(&DeleteOptions{deps: d, Name: "rg", ForceDeletionTypes: "Microsoft.Compute/virtualMachines", NoWait: true}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []any{"rg", "Microsoft.Compute/virtualMachines", false}) || out.Len() != 0 {
		t.Fatalf("sent %v, printed %q", got, out)
	}
}

// update is az's generic update: the tags replace, --set changes the
// body, managedBy and the location are kept, and the result is PUT.
func TestUpdateRun(t *testing.T) {
	var put []any
	svc := &fakeService{
		get: func(name string) (arm.Raw, error) {
			g := group(name, "Succeeded", map[string]any{"old": "1"})
			g["managedBy"] = "owner"
			return g, nil
		},
		createOrUpdate: func(name, loc string, tags map[string]*string, mb *string) (arm.Raw, error) {
			flat := map[string]string{}
			for k, v := range tags {
				flat[k] = *v
			}
			put = []any{name, loc, flat, *mb}
			return group(name, "Succeeded", nil), nil
		},
	}
	d, _ := fakeDeps(t, svc, "none")
	if err := updateRun(&UpdateOptions{deps: d, Name: "rg", Tags: []string{"env=prod"}, TagsSet: true, Set: []string{"tags.n=7"}}); err != nil {
		t.Fatal(err)
	}
	want := []any{"rg", "westus", map[string]string{"env": "prod", "n": "7"}, "owner"}
	if !reflect.DeepEqual(put, want) {
		t.Fatalf("PUT %v, want %v", put, want)
	}
	d, _ = fakeDeps(t, svc, "none")
	if err := updateRun(&UpdateOptions{deps: d, Name: "rg", Set: []string{"noequals"}}); err == nil {
		t.Fatal("--set without a value succeeded")
	}
}

func TestWaitRun(t *testing.T) {
	states := []string{"Creating", "Creating", "Succeeded"}
	calls := 0
	svc := &fakeService{get: func(name string) (arm.Raw, error) {
		calls++
		return group(name, states[min(calls, len(states))-1], nil), nil
	}}
	d, _ := fakeDeps(t, svc, "json")
	if err := waitRun(&WaitOptions{deps: d, Name: "rg", Created: true, Interval: cmdutil.Seconds(time.Millisecond), Timeout: cmdutil.Seconds(5 * time.Second)}); err != nil || calls != 3 {
		t.Fatalf("--created: %v after %d polls", err, calls)
	}
	svc.get = func(string) (arm.Raw, error) { return nil, &arm.Error{StatusCode: 404, Code: "ResourceGroupNotFound"} }
	if err := waitRun(&WaitOptions{deps: d, Name: "rg", Deleted: true, Interval: cmdutil.Seconds(time.Millisecond), Timeout: cmdutil.Seconds(time.Second)}); err != nil {
		t.Fatalf("--deleted on a 404: %v", err)
	}
	svc.get = func(name string) (arm.Raw, error) { return group(name, "Failed", nil), nil }
	if err := waitRun(&WaitOptions{deps: d, Name: "rg", Created: true, Interval: cmdutil.Seconds(time.Millisecond), Timeout: cmdutil.Seconds(time.Second)}); err == nil || !strings.Contains(err.Error(), "The operation failed") {
		t.Fatalf("a failed group: %v", err)
	}
	svc.get = func(name string) (arm.Raw, error) { return group(name, "Creating", nil), nil }
	err := waitRun(&WaitOptions{deps: d, Name: "rg", Created: true, Interval: cmdutil.Seconds(time.Millisecond), Timeout: cmdutil.Seconds(20 * time.Millisecond)})
	if err == nil || !strings.Contains(err.Error(), "Wait operation timed-out") {
		t.Fatalf("timeout: %v", err)
	}
	q, err := output.CompileQuery("tags.ready")
	if err != nil {
		t.Fatal(err)
	}
	svc.get = func(name string) (arm.Raw, error) {
		return group(name, "Succeeded", map[string]any{"ready": "yes"}), nil
	}
	if err := waitRun(&WaitOptions{deps: d, Name: "rg", Custom: "tags.ready", custom: q, Interval: cmdutil.Seconds(time.Millisecond), Timeout: cmdutil.Seconds(time.Second)}); err != nil {
		t.Fatalf("--custom: %v", err)
	}
	svc.get = func(string) (arm.Raw, error) { return nil, errors.New("network down") }
	if err := waitRun(&WaitOptions{deps: d, Name: "rg", Exists: true, Interval: cmdutil.Seconds(time.Millisecond), Timeout: cmdutil.Seconds(time.Second)}); err == nil {
		t.Fatal("a transport error was swallowed")
	}
}
