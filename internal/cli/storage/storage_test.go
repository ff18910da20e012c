package storage_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/clitest"
)

const rg = "clitest.rg000001"

func expect(t *testing.T, r clitest.Result, code int, stdout string) {
	t.Helper()
	if r.Code != code || r.Stdout != stdout {
		t.Fatalf("exit %d (want %d)\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", r.Code, code, r.Stdout, stdout, r.Stderr)
	}
}

func sameJSON(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("%v: %s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%v: %s", err, want)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("got %s\nwant %s", got, want)
	}
}

// TestAccountScenario replays az's test_create_storage_account: the name
// check, the PUT az sends, the Location poll, and what the keys and the
// connection string print.
func TestAccountScenario(t *testing.T) {
	s := clitest.NewServer(t)
	s.LoadCassette(t, "storage/test_create_storage_account.yaml")
	e := clitest.NewEnv(t, s)

	r := e.Run("storage", "account", "create", "-n", "cli000002", "-g", rg, "--sku", "Standard_LRS", "-l", "westus")
	if r.Code != 0 {
		t.Fatalf("create: %+v", r)
	}
	reqs := s.Requests()
	if reqs[0].Method != "POST" || !strings.HasSuffix(reqs[0].Path, "/providers/Microsoft.Storage/checkNameAvailability") {
		t.Fatalf("az checks the name first; aci sent %s %s", reqs[0].Method, reqs[0].Path)
	}
	sameJSON(t, reqs[0].Body, `{"name": "cli000002", "type": "Microsoft.Storage/storageAccounts"}`)
	if reqs[1].Method != "PUT" || reqs[1].Query.Get("api-version") != "2023-05-01" {
		t.Fatalf("create request: %+v", reqs[1])
	}
	sameJSON(t, reqs[1].Body, `{"sku": {"name": "Standard_LRS"}, "kind": "StorageV2", "location": "westus",
		"properties": {"encryption": {"services": {"blob": {}}, "keySource": "Microsoft.Storage"}}}`)
	if !strings.Contains(reqs[2].Path, "/asyncoperations/") {
		t.Fatalf("the Location poll was not followed: %+v", reqs[2])
	}
	var acct map[string]any
	json.Unmarshal([]byte(r.Stdout), &acct)
	// az's model: flattened, renamed, every field present.
	for k, want := range map[string]any{"enableHttpsTrafficOnly": true, "resourceGroup": rg, "provisioningState": "Succeeded",
		"creationTime": "2024-06-19T10:37:39.053714+00:00", "isHnsEnabled": nil, "minimumTlsVersion": "TLS1_0"} {
		if got, ok := acct[k]; !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %v (present %v), want %v", k, got, ok, want)
		}
	}
	if nrs, _ := acct["networkRuleSet"].(map[string]any); nrs["defaultAction"] != "Allow" {
		t.Errorf("networkAcls is printed as networkRuleSet: %v", acct["networkRuleSet"])
	}

	expect(t, e.Run("storage", "account", "keys", "list", "-n", "cli000002", "-g", rg, "--query", "[].keyName", "-o", "tsv"), 0, "key1\nkey2\n")
	if q := s.Requests()[len(s.Requests())-1].Query.Get("$expand"); q != "kerb" {
		t.Errorf("listKeys without $expand=kerb: %q", q)
	}
	r = e.Run("storage", "account", "show-connection-string", "-n", "cli000002", "-g", rg, "-o", "tsv")
	want := "AccountName=cli000002;AccountKey=veryFakedStorageAccountKey==;BlobEndpoint=https://cli000002.blob.core.windows.net/;" +
		"FileEndpoint=https://cli000002.file.core.windows.net/;QueueEndpoint=https://cli000002.queue.core.windows.net/;TableEndpoint=https://cli000002.table.core.windows.net/\n"
	if r.Code != 0 || !strings.HasPrefix(r.Stdout, "DefaultEndpointsProtocol=https;EndpointSuffix=") || !strings.HasSuffix(r.Stdout, want) {
		t.Fatalf("connection string: %+v", r)
	}
	expect(t, e.Run("storage", "account", "check-name", "-n", "cli000002", "--query", "[nameAvailable, reason]", "-o", "tsv"), 0, "false\nAlreadyExists\n")
}

// TestShareRMScenario replays az's share-rm test: bodies sent, the echo of a
// create, and exists answering false on a 404.
func TestShareRMScenario(t *testing.T) {
	s := clitest.NewServer(t)
	s.LoadCassette(t, "storage/test_storage_file_using_rm_main_scenario.yaml")
	e := clitest.NewEnv(t, s)
	const acct, group = "sharerm000002", "cli000001"

	r := e.Run("storage", "share-rm", "create", "--storage-account", acct, "-g", group, "-n", "share000003", "--quota", "5", "--metadata", "key1=value1")
	if r.Code != 0 {
		t.Fatalf("create: %+v", r)
	}
	sameJSON(t, s.Requests()[0].Body, `{"properties": {"metadata": {"key1": "value1"}, "shareQuota": 5}}`)
	var out map[string]any
	json.Unmarshal([]byte(r.Stdout), &out)
	if out["shareQuota"] != float64(5) || out["resourceGroup"] != group || out["enabledProtocols"] != nil {
		t.Fatalf("create output: %s", r.Stdout)
	}
	// Without -g, az finds the account by listing the subscription's.
	s.Reset()
	r = e.Run("storage", "share-rm", "show", "--storage-account", acct, "-n", "share000003", "--query", "[name, shareQuota, leaseState]", "-o", "tsv")
	expect(t, r, 0, "share000003\n5\navailable\n")
	if reqs := s.Requests(); !strings.HasSuffix(reqs[0].Path, "/providers/Microsoft.Storage/storageAccounts") {
		t.Fatalf("no lookup by listing: %+v", reqs[0])
	}
	expect(t, e.Run("storage", "share-rm", "exists", "--storage-account", acct, "-g", group, "-n", "share000005"), 0, "{\n  \"exists\": false\n}\n")
}

// TestFileShareScenario replays az's data-plane share test through a
// connection string naming the replay server as the file endpoint.
func TestFileShareScenario(t *testing.T) {
	s := clitest.NewServer(t)
	s.LoadCassette(t, "storage/test_storage_file_share_scenario.yaml")
	e := clitest.NewEnv(t, s)
	cs := "DefaultEndpointsProtocol=https;AccountName=share000002;AccountKey=dmVyeUZha2VkU3RvcmFnZUFjY291bnRLZXk=;FileEndpoint=" + s.URL + "/"

	expect(t, e.Run("storage", "share", "create", "-n", "share000004", "--connection-string", cs), 0, "{\n  \"created\": true\n}\n")
	req := s.Requests()[0]
	if req.Method != "PUT" || req.Query.Get("restype") != "share" || !strings.HasPrefix(req.Header.Get("Authorization"), "SharedKey share000002:") {
		t.Fatalf("create request: %+v", req)
	}
	s.Reset()
	expect(t, e.Run("storage", "share", "create", "-n", "share000003", "--metadata", "foo=bar", "cat=hat", "--connection-string", cs), 0, "{\n  \"created\": true\n}\n")
	if h := s.Requests()[0].Header; h.Get("x-ms-meta-foo") != "bar" || h.Get("x-ms-meta-cat") != "hat" {
		t.Fatalf("metadata headers: %v", h)
	}
	r := e.Run("storage", "share", "create", "-n", "share000003", "--fail-on-exist", "--quota", "3", "--connection-string", cs)
	if r.Code != 1 || !strings.HasPrefix(r.Stderr, "ERROR: The specified share already exists.\nRequestId:") || !strings.Contains(r.Stderr, "\nErrorCode:ShareAlreadyExists") {
		t.Fatalf("fail-on-exist: %+v", r)
	}
	if q := s.Requests()[len(s.Requests())-1].Header.Get("x-ms-share-quota"); q != "3" {
		t.Fatalf("quota header: %q", q)
	}
	expect(t, e.Run("storage", "share", "exists", "-n", "share000003", "--connection-string", cs), 0, "{\n  \"exists\": true\n}\n")
	expect(t, e.Run("storage", "share", "list", "--connection-string", cs, "--query", "[].name", "-o", "tsv"), 0, "share000004\nshare000003\n")
	expect(t, e.Run("storage", "share", "list", "--connection-string", cs, "-o", "table"), 0,
		"Name         Quota    Last Modified\n-----------  -------  ---------------\nshare000004\nshare000003\n")
	expect(t, e.Run("storage", "share", "delete", "-n", "share000003", "--connection-string", cs), 0, "{\n  \"deleted\": true\n}\n")
	expect(t, e.Run("storage", "share", "exists", "-n", "share000003", "--connection-string", cs), 0, "{\n  \"exists\": false\n}\n")
	r = e.Run("storage", "share", "delete", "-n", "share000005", "--fail-not-exist", "--connection-string", cs)
	if r.Code != 1 || !strings.Contains(r.Stderr, "ErrorCode:ShareNotFound") {
		t.Fatalf("fail-not-exist: %+v", r)
	}
	s.Reset()
	r = e.Run("storage", "share", "show", "-n", "share000004", "--connection-string", cs, "--query", "[name, properties.quota, metadata]", "-o", "json")
	if r.Code != 0 {
		t.Fatalf("show: %+v", r)
	}
	sameJSON(t, r.Stdout, `["share000004", 3, {}]`)
}

// TestCredentialResolution: az's order (flags, then the environment), and a
// clear error with none.
func TestCredentialResolution(t *testing.T) {
	s := clitest.NewServer(t)
	s.LoadCassette(t, "storage/test_storage_file_share_scenario.yaml")
	e := clitest.NewEnv(t, s)
	r := e.Run("storage", "share", "exists", "-n", "share000003")
	if r.Code != 1 || !strings.Contains(r.Stderr, "Missing/Invalid credentials to access storage service") {
		t.Fatalf("no credentials: %+v", r)
	}
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", "AccountName=share000002;AccountKey=a2V5;FileEndpoint="+s.URL+"/")
	expect(t, e.Run("storage", "share", "exists", "-n", "share000003"), 0, "{\n  \"exists\": true\n}\n")
	if a := s.Requests()[len(s.Requests())-1].Header.Get("Authorization"); !strings.HasPrefix(a, "SharedKey share000002:") {
		t.Fatalf("the environment's key was not used: %q", a)
	}
	r = e.Run("storage", "file", "upload", "-s", "x", "--source", "/nonexistent/file")
	if r.Code != 1 || !strings.Contains(r.Stderr, "No such file or directory") {
		t.Fatalf("missing source: %+v", r)
	}
	r = e.Run("storage", "file", "download", "-s", "share000003", "-p", "../etc/passwd")
	if r.Code != 2 || !strings.Contains(r.Stderr, "without '.' or '..'") {
		t.Fatalf("traversal in a path: %+v", r)
	}
}

// share-rm update is az's generic update: it reads the share, then PATCHes
// its writable properties with the change (az's recorded traffic).
func TestShareRMUpdateReadsThenWrites(t *testing.T) {
	s := clitest.NewServer(t)
	s.LoadCassette(t, "storage/test_storage_share_rm_with_NFS.yaml")
	e := clitest.NewEnv(t, s)
	r := e.Run("storage", "share-rm", "update", "--storage-account", "nfs000002", "-g", "cli_nfs000001", "-n", "share000003", "--root-squash", "NoRootSquash")
	if r.Code != 0 {
		t.Fatalf("update: %+v", r)
	}
	reqs := s.Requests()
	if len(reqs) != 2 || reqs[0].Method != "GET" || reqs[1].Method != "PATCH" {
		t.Fatalf("requests: %+v", reqs)
	}
	// The recorded body, byte for byte: az's model order.
	if want := `{"properties": {"shareQuota": 32, "enabledProtocols": "NFS", "rootSquash": "NoRootSquash", "accessTier": "Premium"}}`; !sameBytesJSON(reqs[1].Body, want) {
		t.Fatalf("PATCH body %s, az sent %s", reqs[1].Body, want)
	}
	var out map[string]any
	json.Unmarshal([]byte(r.Stdout), &out)
	if out["rootSquash"] != "NoRootSquash" {
		t.Fatalf("update output: %s", r.Stdout)
	}
}

// sameBytesJSON compares two JSON texts with the key order kept (only
// whitespace between tokens may differ).
func sameBytesJSON(a, b string) bool {
	strip := func(s string) string { return strings.Join(strings.Fields(s), "") }
	return strip(a) == strip(b)
}

// One resolver finds an account's group for every storage command: the same
// error and exit code whichever command names an account that is not there.
func TestOneAccountResolver(t *testing.T) {
	s := clitest.NewServer(t)
	s.Add("GET", "/subscriptions/"+clitest.Subscription+"/providers/Microsoft.Storage/storageAccounts", clitest.Response{Status: 200, Body: `{"value": []}`})
	e := clitest.NewEnv(t, s)
	const want = "ERROR: Storage account 'nosuchacct' not found.\n"
	for _, args := range [][]string{
		{"storage", "account", "show", "-n", "nosuchacct"},
		{"storage", "account", "keys", "list", "--account-name", "nosuchacct"},
		{"storage", "share-rm", "show", "--storage-account", "nosuchacct", "-n", "share1"},
	} {
		if r := e.Run(args...); r.Code != 1 || r.Stderr != want {
			t.Errorf("%v: exit %d, %q", args, r.Code, r.Stderr)
		}
	}
	// The data plane, asked with a name and no key, says the same in its warning.
	if r := e.Run("storage", "share", "list", "--account-name", "nosuchacct"); !strings.Contains(r.Stderr, "Skip querying account key due to failure: Storage account 'nosuchacct' not found.") {
		t.Errorf("data plane: %+v", r)
	}
}
