package acr

// The registry commands through NewCmdWith's seam: a fake Service of
// function fields (docker/cli's fakeClient), so each test sees what a
// command sends and prints, with nothing listening.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
)

type fakeService struct {
	calls       []string
	create      func(rg, name string, body any) (arm.Raw, error)
	update      func(rg, name string, patch any) (arm.Raw, error)
	get         func(rg, name string) (arm.Raw, error)
	list        func(rg string) ([]any, error)
	credentials func(rg, name, regenerate string) (arm.Raw, error)
	usages      func(rg, name string) (arm.Raw, error)
	checkName   func(name string) (arm.Raw, error)
	groups      map[string]string // registry name -> its group
	imported    any
}

func (s *fakeService) note(format string, a ...any) {
	s.calls = append(s.calls, fmt.Sprintf(format, a...))
}
func (s *fakeService) last() string { return s.calls[len(s.calls)-1] }

func (s *fakeService) Create(_ context.Context, rg, name string, body any, _ bool, _ arm.Progress) (arm.Raw, error) {
	s.note("create %s/%s", rg, name)
	return s.create(rg, name, body)
}
func (s *fakeService) Update(_ context.Context, rg, name string, patch any) (arm.Raw, error) {
	s.note("update %s/%s", rg, name)
	return s.update(rg, name, patch)
}
func (s *fakeService) Get(_ context.Context, rg, name string) (arm.Raw, error) {
	s.note("get %s/%s", rg, name)
	return s.get(rg, name)
}
func (s *fakeService) List(_ context.Context, rg string) ([]any, error) {
	s.note("list %s", rg)
	return s.list(rg)
}
func (s *fakeService) Delete(_ context.Context, rg, name string, _ arm.Progress) error {
	s.note("delete %s/%s", rg, name)
	return nil
}
func (s *fakeService) Credentials(_ context.Context, rg, name, regenerate string) (arm.Raw, error) {
	s.note("credentials %s/%s %q", rg, name, regenerate)
	return s.credentials(rg, name, regenerate)
}
func (s *fakeService) Usages(_ context.Context, rg, name string) (arm.Raw, error) {
	return s.usages(rg, name)
}
func (s *fakeService) CheckName(_ context.Context, name string) (arm.Raw, error) {
	return s.checkName(name)
}
func (s *fakeService) FindGroup(_ context.Context, _, name string) (string, error) {
	s.note("find %s", name)
	return s.groups[name], nil
}
func (s *fakeService) Import(_ context.Context, rg, name string, body any, wait bool, _ arm.Progress) error {
	s.note("import %s/%s wait=%v", rg, name, wait)
	s.imported = body
	return nil
}
func (s *fakeService) Subscription() string { return "sub" }

func run(t *testing.T, svc *fakeService, format string, args ...string) (string, error) {
	t.Helper()
	ios, _, out, _ := cmdutil.Test()
	f := &cmdutil.Factory{IO: ios, ConfigDir: t.TempDir(), Globals: cmdutil.Globals{Output: format}}
	d := &Deps{
		Service: func() (Service, error) { return svc, nil },
		Group: func(_ context.Context, name string) (arm.Raw, error) {
			return arm.Raw{"name": name, "location": "eastus"}, nil
		},
	}
	cmd := NewCmdWith(f, d)
	cmd.SetArgs(cmdutil.ExpandNArgs(cmd, args))
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	return out.String(), err
}

func registry(name string, props map[string]any) arm.Raw {
	p := map[string]any{"loginServer": name + ".azurecr.io", "provisioningState": "Succeeded", "adminUserEnabled": false}
	for k, v := range props {
		p[k] = v
	}
	return arm.Raw{"id": "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/" + name, "name": name,
		"location": "eastus", "sku": map[string]any{"name": "Basic", "tier": "Basic"}, "properties": p}
}

func asJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestCreateAndUpdateBodies(t *testing.T) {
	var sent any
	svc := &fakeService{
		create: func(_, name string, body any) (arm.Raw, error) { sent = body; return registry(name, nil), nil },
		update: func(_, name string, patch any) (arm.Raw, error) { sent = patch; return registry(name, nil), nil },
		groups: map[string]string{"reg1": "rg"},
	}
	out, err := run(t, svc, "table", "create", "-g", "rg", "-n", "reg1", "--sku", "standard", "--admin-enabled", "true", "--tags", "a=b")
	if err != nil {
		t.Fatal(err)
	}
	if got := asJSON(sent); got != `{"location":"eastus","properties":{"adminUserEnabled":true,"anonymousPullEnabled":false},"sku":{"name":"Standard"},"tags":{"a":"b"}}` {
		t.Fatalf("create body %s", got)
	}
	if !strings.Contains(out, "reg1") || !strings.Contains(out, "reg1.azurecr.io") {
		t.Fatalf("table:\n%s", out)
	}
	if _, err := run(t, svc, "json", "create", "-g", "rg", "-n", "r", "--sku", "Basic"); cmdutil.ExitCode(err) == 0 {
		t.Fatal("a one-letter registry name was accepted")
	}
	// update sends what the flags and --set name; properties nest.
	if _, err := run(t, svc, "json", "update", "-n", "reg1", "--admin-enabled", "false", "--public-network-enabled", "false", "--sku", "premium", "--set", "zoneRedundancy=Enabled"); err != nil {
		t.Fatal(err)
	}
	if got := asJSON(sent); got != `{"properties":{"adminUserEnabled":false,"publicNetworkAccess":"Disabled","zoneRedundancy":"Enabled"},"sku":{"name":"Premium"}}` {
		t.Fatalf("update patch %s", got)
	}
	if svc.calls[len(svc.calls)-2] != "find reg1" || svc.last() != "update rg/reg1" {
		t.Fatalf("without -g the registry's group is found first: %v", svc.calls)
	}
	if _, err := run(t, svc, "json", "update", "-n", "nosuch"); cmdutil.ExitCode(err) != 3 {
		t.Fatalf("an unknown registry exits 3: %v", err)
	}
}

func TestReadCommands(t *testing.T) {
	svc := &fakeService{
		get: func(_, name string) (arm.Raw, error) {
			return registry(name, map[string]any{"dataEndpointEnabled": true, "dataEndpointHostNames": []any{"reg1.eastus.data.azurecr.io"}}), nil
		},
		list: func(string) ([]any, error) {
			return []any{map[string]any(registry("a", nil)), map[string]any(registry("b", nil))}, nil
		},
		checkName: func(string) (arm.Raw, error) { return arm.Raw{"nameAvailable": true}, nil },
		usages: func(string, string) (arm.Raw, error) {
			return arm.Raw{"value": []any{map[string]any{"name": "Size", "limit": 10737418240.0, "currentValue": 1024.0, "unit": "Bytes"}}}, nil
		},
		groups: map[string]string{"reg1": "rg"},
	}
	if out, err := run(t, svc, "json", "list"); err != nil || !strings.Contains(out, `"name": "a"`) || !strings.Contains(out, `"name": "b"`) || svc.last() != "list " {
		t.Fatalf("list: %v %q", err, out)
	}
	if out, err := run(t, svc, "json", "check-name", "-n", "free"); err != nil || !strings.Contains(out, `"message": null`) || !strings.Contains(out, `"reason": null`) {
		t.Fatalf("check-name prints az's nulls: %v %s", err, out)
	}
	if out, err := run(t, svc, "table", "show-usage", "-n", "reg1"); err != nil || !strings.Contains(out, "Size") || !strings.Contains(out, "Bytes") {
		t.Fatalf("show-usage:\n%s %v", out, err)
	}
	out, err := run(t, svc, "json", "show-endpoints", "-n", "reg1")
	if err != nil || !strings.Contains(out, `"endpoint": "reg1.eastus.data.azurecr.io"`) || !strings.Contains(out, `"loginServer": "reg1.azurecr.io"`) {
		t.Fatalf("show-endpoints: %v %s", err, out)
	}
	if _, err := run(t, svc, "json", "delete", "-n", "reg1", "--yes"); err != nil || svc.last() != "delete rg/reg1" {
		t.Fatalf("delete: %v %v", err, svc.calls)
	}
}

// Credentials need the admin user, as az says; renew names the password.
func TestCredentials(t *testing.T) {
	admin := false
	svc := &fakeService{
		get: func(_, name string) (arm.Raw, error) {
			return registry(name, map[string]any{"adminUserEnabled": admin}), nil
		},
		credentials: func(_, name, _ string) (arm.Raw, error) {
			return arm.Raw{"username": name, "passwords": []any{map[string]any{"name": "password", "value": "P1"}, map[string]any{"name": "password2", "value": "P2"}}}, nil
		},
		groups: map[string]string{"reg1": "rg"},
	}
	if _, err := run(t, svc, "json", "credential", "show", "-n", "reg1"); err == nil || !strings.Contains(err.Error(), "--admin-enabled true") {
		t.Fatalf("admin disabled: %v", err)
	}
	admin = true
	out, err := run(t, svc, "table", "credential", "show", "-n", "reg1")
	if err != nil || !strings.Contains(out, "reg1") || !strings.Contains(out, "P1") || !strings.Contains(out, "P2") {
		t.Fatalf("credential show:\n%s %v", out, err)
	}
	if _, err := run(t, svc, "json", "credential", "renew", "-n", "reg1", "--password-name", "password2"); err != nil || svc.last() != `credentials rg/reg1 "password2"` {
		t.Fatalf("renew: %v %v", err, svc.calls)
	}
	if _, err := run(t, svc, "json", "credential", "renew", "-n", "reg1", "--password-name", "password3"); cmdutil.ExitCode(err) != 2 {
		t.Fatalf("a password az does not know exits 2: %v", err)
	}
}

// import's source: a resource id, a login server, a registry name found
// in the subscription, or a login server inside --source.
func TestImportSources(t *testing.T) {
	svc := &fakeService{groups: map[string]string{"reg1": "rg", "other": "org"}}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--source", "hello:v1", "-r", "other"}, `{"mode":"NoForce","source":{"resourceId":"/subscriptions/sub/resourceGroups/org/providers/Microsoft.ContainerRegistry/registries/other","sourceImage":"hello:v1"}}`},
		{[]string{"--source", "hello:v1", "-r", "127.10.0.2:47443", "-u", "u", "-p", "p", "-t", "hello:copy", "--force"}, `{"mode":"Force","source":{"credentials":{"password":"p","username":"u"},"registryUri":"127.10.0.2:47443","sourceImage":"hello:v1"},"targetTags":["hello:copy"]}`},
		{[]string{"--source", "myreg.azurecr.io/app:1", "--repository", "app"}, `{"mode":"NoForce","source":{"registryUri":"myreg.azurecr.io","sourceImage":"app:1"},"untaggedTargetRepositories":["app"]}`},
	} {
		args := append([]string{"import", "-n", "reg1"}, c.args...)
		if _, err := run(t, svc, "json", args...); err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if got := asJSON(svc.imported); got != c.want {
			t.Errorf("%v sent\n%s\nwant\n%s", c.args, got, c.want)
		}
	}
	if _, err := run(t, svc, "json", "import", "-n", "reg1", "--source", "hello:v1"); err == nil || !strings.Contains(err.Error(), "Please specify the source registry") {
		t.Fatalf("no registry: %v", err)
	}
	if _, err := run(t, svc, "json", "import", "-n", "reg1", "--source", "hello:v1", "-r", "nosuch"); cmdutil.ExitCode(err) != 3 {
		t.Fatalf("an unknown source registry exits 3: %v", err)
	}
	if _, err := run(t, svc, "json", "import", "-n", "reg1", "--source", "a/b:1", "-r", "other", "-u", "only-user"); err == nil || !strings.Contains(err.Error(), "both username and password") {
		t.Fatalf("a user without a password: %v", err)
	}
}
