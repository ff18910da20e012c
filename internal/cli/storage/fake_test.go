package storage

// The account and share-rm commands through NewCmdWith's seam: a fake
// Service of function fields (docker/cli's fakeClient), so each test sees
// exactly what a command sends and prints, with nothing listening.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
)

var errUnexpected = errors.New("unexpected call")

type fakeService struct {
	calls       []string
	create      func(rg, name string, body any) (arm.Raw, error)
	update      func(rg, name string, patch any) (arm.Raw, error)
	get         func(rg, name string) (arm.Raw, error)
	list        func(rg string) ([]any, error)
	keys        func(rg, name string) (arm.Raw, error)
	renewKey    func(rg, name, key string) (arm.Raw, error)
	checkName   func(name string) (arm.Raw, error)
	findGroup   func(name string) (string, error)
	shareCreate func(rg, account, share string, body any) (arm.Raw, error)
	shareUpdate func(rg, account, share string, body any) (arm.Raw, error)
	shareGet    func(rg, account, share string) (arm.Raw, error)
	shareList   func(rg, account string) ([]any, error)
}

func (s *fakeService) note(format string, a ...any) {
	s.calls = append(s.calls, fmt.Sprintf(format, a...))
}

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
func (s *fakeService) Delete(_ context.Context, rg, name string) error {
	s.note("delete %s/%s", rg, name)
	return nil
}
func (s *fakeService) Keys(_ context.Context, rg, name string) (arm.Raw, error) {
	s.note("keys %s/%s", rg, name)
	return s.keys(rg, name)
}
func (s *fakeService) RenewKey(_ context.Context, rg, name, key string) (arm.Raw, error) {
	s.note("renew %s/%s %s", rg, name, key)
	return s.renewKey(rg, name, key)
}
func (s *fakeService) CheckName(_ context.Context, name string) (arm.Raw, error) {
	s.note("check %s", name)
	return s.checkName(name)
}
func (s *fakeService) FindGroup(_ context.Context, name string) (string, error) {
	s.note("find %s", name)
	if s.findGroup == nil {
		return "", errUnexpected
	}
	return s.findGroup(name)
}
func (s *fakeService) ShareCreate(_ context.Context, rg, account, share string, body any) (arm.Raw, error) {
	s.note("share create %s/%s/%s", rg, account, share)
	return s.shareCreate(rg, account, share, body)
}
func (s *fakeService) ShareUpdate(_ context.Context, rg, account, share string, body any) (arm.Raw, error) {
	s.note("share update %s/%s/%s", rg, account, share)
	return s.shareUpdate(rg, account, share, body)
}
func (s *fakeService) ShareGet(_ context.Context, rg, account, share string) (arm.Raw, error) {
	s.note("share get %s/%s/%s", rg, account, share)
	return s.shareGet(rg, account, share)
}
func (s *fakeService) ShareList(_ context.Context, rg, account string) ([]any, error) {
	s.note("share list %s/%s", rg, account)
	return s.shareList(rg, account)
}
func (s *fakeService) ShareDelete(_ context.Context, rg, account, share string) error {
	s.note("share delete %s/%s/%s", rg, account, share)
	return nil
}

// run runs `aci storage ARGS` over svc; it returns stdout and the error.
func run(t *testing.T, svc *fakeService, args ...string) (string, error) {
	t.Helper()
	ios, _, out, _ := cmdutil.Test()
	f := &cmdutil.Factory{IO: ios, ConfigDir: t.TempDir(), Globals: cmdutil.Globals{Output: "json"}}
	d := &Deps{
		Service: func() (Service, error) { return svc, nil },
		Group: func(_ context.Context, name string) (arm.Raw, error) {
			return arm.Raw{"name": name, "location": "eastus"}, nil
		},
		DataPlane: func() (*arm.DataPlane, error) {
			return &arm.DataPlane{Cloud: &arm.Cloud{Suffixes: map[string]string{"storageEndpoint": "core.windows.net"}}}, nil
		},
	}
	cmd := NewCmdWith(f, d)
	cmd.SetArgs(cmdutil.ExpandNArgs(cmd, args))
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	return out.String(), err
}

func acct(name string) arm.Raw {
	return arm.Raw{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/" + name, "name": name,
		"location": "eastus", "kind": "StorageV2", "sku": map[string]any{"name": "Standard_LRS", "tier": "Standard"},
		"properties": map[string]any{"provisioningState": "Succeeded", "primaryEndpoints": map[string]any{"file": "https://" + name + ".file.core.windows.net/"}}}
}

func asJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestAccountCreateSendsAzBody(t *testing.T) {
	var sent any
	svc := &fakeService{
		checkName: func(string) (arm.Raw, error) { return arm.Raw{"nameAvailable": true}, nil },
		create:    func(_, name string, body any) (arm.Raw, error) { sent = body; return acct(name), nil },
	}
	out, err := run(t, svc, "account", "create", "-g", "rg", "-n", "st1", "--sku", "standard_lrs", "--min-tls-version", "TLS1_2",
		"--https-only", "true", "--tags", "env=dev")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"kind":"StorageV2","location":"eastus","properties":{"encryption":{"keySource":"Microsoft.Storage","services":{"blob":{}}},"minimumTlsVersion":"TLS1_2","supportsHttpsTrafficOnly":true},"sku":{"name":"Standard_LRS"},"tags":{"env":"dev"}}`
	if got := asJSON(sent); got != want {
		t.Fatalf("body:\n%s\nwant\n%s", got, want)
	}
	if !reflect.DeepEqual(svc.calls, []string{"check st1", "create rg/st1"}) || !strings.Contains(out, `"name": "st1"`) {
		t.Fatalf("calls %v, printed %s", svc.calls, out)
	}
	// A taken name stops before anything is created, with ARM's message.
	svc = &fakeService{checkName: func(string) (arm.Raw, error) {
		return arm.Raw{"nameAvailable": false, "message": "The storage account named st1 is already taken."}, nil
	}}
	if _, err := run(t, svc, "account", "create", "-g", "rg", "-n", "st1"); cmdutil.ExitCode(err) != 1 || !strings.Contains(err.Error(), "already taken") {
		t.Fatalf("taken name: %v", err)
	}
	if _, err := run(t, svc, "account", "create", "-g", "rg", "-n", "st1", "--sku", "Gold"); cmdutil.ExitCode(err) != 2 {
		t.Fatalf("a SKU az does not know exits 2: %v", err)
	}
}

func TestAccountReadAndUpdate(t *testing.T) {
	var patch any
	svc := &fakeService{
		get:    func(_, name string) (arm.Raw, error) { return acct(name), nil },
		list:   func(string) ([]any, error) { return []any{map[string]any(acct("a")), map[string]any(acct("b"))}, nil },
		update: func(_, name string, p any) (arm.Raw, error) { patch = p; return acct(name), nil },
		findGroup: func(name string) (string, error) {
			return map[string]string{"st1": "found-rg"}[name], nil
		},
	}
	if out, err := run(t, svc, "account", "list", "-g", "rg"); err != nil || strings.Count(out, `"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/`) != 2 {
		t.Fatalf("list: %v %s", err, out)
	}
	// Without -g the account's group is found, as az's _query_account_rg.
	if _, err := run(t, svc, "account", "show", "-n", "st1"); err != nil || svc.calls[len(svc.calls)-1] != "get found-rg/st1" {
		t.Fatalf("show without -g: %v %v", err, svc.calls)
	}
	if _, err := run(t, svc, "account", "update", "-g", "rg", "-n", "st1", "--sku", "Standard_GRS", "--access-tier", "cool", "--tags", "a=1"); err != nil {
		t.Fatal(err)
	}
	if got := asJSON(patch); got != `{"properties":{"accessTier":"Cool"},"sku":{"name":"Standard_GRS"},"tags":{"a":"1"}}` {
		t.Fatalf("patch %s", got)
	}
	if _, err := run(t, svc, "account", "update", "-g", "rg", "-n", "st1", "--https-only", "maybe"); cmdutil.ExitCode(err) != 2 {
		t.Fatalf("--https-only maybe: %v", err)
	}
	svc.calls = nil
	if _, err := run(t, svc, "account", "delete", "-g", "rg", "-n", "st1", "--yes"); err != nil || !reflect.DeepEqual(svc.calls, []string{"delete rg/st1"}) {
		t.Fatalf("delete: %v %v", err, svc.calls)
	}
}

func TestKeysAndConnectionString(t *testing.T) {
	keys := arm.Raw{"keys": []any{map[string]any{"keyName": "key1", "value": "K1", "permissions": "FULL"}, map[string]any{"keyName": "key2", "value": "K2", "permissions": "FULL"}}}
	svc := &fakeService{
		keys:     func(string, string) (arm.Raw, error) { return keys, nil },
		renewKey: func(_, _, k string) (arm.Raw, error) { return keys, nil },
		get:      func(_, name string) (arm.Raw, error) { return acct(name), nil },
	}
	if out, err := run(t, svc, "account", "keys", "list", "-g", "rg", "--account-name", "st1"); err != nil || !strings.Contains(out, `"value": "K2"`) {
		t.Fatalf("keys list: %v %s", err, out)
	}
	if _, err := run(t, svc, "account", "keys", "renew", "-g", "rg", "-n", "st1", "--key", "secondary"); err != nil || svc.calls[len(svc.calls)-1] != "renew rg/st1 key2" {
		t.Fatalf("renew --key secondary renews key2: %v %v", err, svc.calls)
	}
	out, err := run(t, svc, "account", "show-connection-string", "-g", "rg", "-n", "st1", "--key", "secondary", "--protocol", "http")
	want := "DefaultEndpointsProtocol=http;EndpointSuffix=core.windows.net;AccountName=st1;AccountKey=K2;FileEndpoint=https://st1.file.core.windows.net/"
	if err != nil || !strings.Contains(out, want) {
		t.Fatalf("connection string: %v %s", err, out)
	}
	svc.checkName = func(name string) (arm.Raw, error) {
		return arm.Raw{"nameAvailable": true, "reason": nil, "message": nil}, nil
	}
	if out, err := run(t, svc, "account", "check-name", "-n", "free"); err != nil || !strings.Contains(out, `"nameAvailable": true`) {
		t.Fatalf("check-name: %v %s", err, out)
	}
}

func TestShareRM(t *testing.T) {
	share := func(name string, props map[string]any) arm.Raw {
		return arm.Raw{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1/fileServices/default/shares/" + name,
			"name": name, "type": "Microsoft.Storage/storageAccounts/fileServices/shares", "properties": props}
	}
	var body any
	svc := &fakeService{
		shareCreate: func(_, _, name string, b any) (arm.Raw, error) { body = b; return share(name, nil), nil },
		shareGet: func(_, _, name string) (arm.Raw, error) {
			return share(name, map[string]any{"shareQuota": 5, "metadata": map[string]any{"k": "v"}, "accessTier": "Hot"}), nil
		},
		shareUpdate: func(_, _, name string, b any) (arm.Raw, error) { body = b; return share(name, nil), nil },
		shareList:   func(string, string) ([]any, error) { return []any{map[string]any(share("a", nil))}, nil },
	}
	if _, err := run(t, svc, "share-rm", "create", "-g", "rg", "--storage-account", "st1", "-n", "s1", "--quota", "10", "--metadata", "a=b", "--access-tier", "cool"); err != nil {
		t.Fatal(err)
	}
	if got := asJSON(body); got != `{"properties":{"accessTier":"Cool","metadata":{"a":"b"},"shareQuota":10}}` {
		t.Fatalf("create body %s", got)
	}
	// update is az's generic update: the share's writable properties, with
	// the change.
	if _, err := run(t, svc, "share-rm", "update", "-g", "rg", "--storage-account", "st1", "-n", "s1", "--quota", "3"); err != nil {
		t.Fatal(err)
	}
	if got := asJSON(body); got != `{"properties":{"metadata":{"k":"v"},"shareQuota":3,"accessTier":"Hot"}}` {
		t.Fatalf("update body %s", got)
	}
	// An account id carries its group.
	id := "/subscriptions/s/resourceGroups/idrg/providers/Microsoft.Storage/storageAccounts/st2"
	if out, err := run(t, svc, "share-rm", "list", "--storage-account", id); err != nil || svc.calls[len(svc.calls)-1] != "share list idrg/st2" || !strings.Contains(out, `"name": "a"`) {
		t.Fatalf("list by account id: %v %v %s", err, svc.calls, out)
	}
	if _, err := run(t, svc, "share-rm", "create", "-g", "rg", "--storage-account", "st1"); cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "--name/-n") {
		t.Fatalf("no --name: %v", err)
	}
}
