package storage

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
)

func TestConnectionStringsAndCredentials(t *testing.T) {
	cs := parseConnectionString("DefaultEndpointsProtocol=http; AccountName=st1;AccountKey=a2V5PQ==;EndpointSuffix=core.windows.net;;junk")
	if cs["AccountKey"] != "a2V5PQ==" || cs["AccountName"] != "st1" || cs["DefaultEndpointsProtocol"] != "http" || len(cs) != 4 {
		t.Fatalf("parsed %v", cs)
	}
	ios, _, _, _ := cmdutil.Test()
	f := &cmdutil.Factory{IO: ios, ConfigDir: t.TempDir()}
	// The endpoint is built from the suffix and protocol when not given.
	c := &creds{ConnectionString: "DefaultEndpointsProtocol=http;AccountName=st1;AccountKey=k;EndpointSuffix=core.example"}
	if err := c.resolve(f, &Deps{}); err != nil || c.Endpoint != "http://st1.file.core.example/" || c.AccountKey != "k" {
		t.Fatalf("resolved %+v %v", c, err)
	}
	c = &creds{ConnectionString: "AccountName=st1;SharedAccessSignature=sv=1&sig=x;FileEndpoint=https://files/st1/"}
	if err := c.resolve(f, &Deps{}); err != nil || c.Endpoint != "https://files/st1/" || c.SAS != "sv=1&sig=x" {
		t.Fatalf("a SAS connection string: %+v %v", c, err)
	}
	// --sas-token's leading '?' goes.
	c = &creds{AccountName: "st1", SAS: "?sv=1&sig=y"}
	if err := c.resolve(f, &Deps{}); err != nil || c.SAS != "sv=1&sig=y" {
		t.Fatalf("sas %+v %v", c, err)
	}
	// A SAS cannot sign another one.
	if _, err := c.sharedKey(f, &Deps{}); err == nil || !strings.Contains(err.Error(), "a SAS is signed with an account name and key") {
		t.Fatalf("signing with a SAS: %v", err)
	}
	if k, err := (&creds{AccountName: "st1", AccountKey: "a2V5"}).sharedKey(f, &Deps{}); err != nil || k.AccountName() != "st1" {
		t.Fatalf("shared key: %v", err)
	}
}

func TestStorageErrors(t *testing.T) {
	resp := func(code int) *http.Response {
		u, _ := url.Parse("https://st1.file.core.windows.net/s1?restype=share")
		return &http.Response{StatusCode: code, Status: http.StatusText(code), Request: &http.Request{Method: "GET", URL: u}}
	}
	for _, c := range []struct {
		err      error
		is3      bool
		want     string
		exitCode int
	}{
		{&azcore.ResponseError{StatusCode: 404, ErrorCode: "ShareNotFound", RawResponse: resp(404)}, true, "ShareNotFound\nErrorCode:ShareNotFound", 3},
		{&azcore.ResponseError{StatusCode: 404, ErrorCode: "ShareNotFound", RawResponse: resp(404)}, false, "ShareNotFound\nErrorCode:ShareNotFound", 1},
		{&azcore.ResponseError{StatusCode: 403, RawResponse: resp(403)}, false, "Operation returned an invalid status 'Forbidden'", 1},
		{&azcore.ResponseError{StatusCode: 409, RawResponse: resp(409)}, false, "Operation returned an invalid status 'Conflict'", 1},
		{&azcore.ResponseError{StatusCode: 500, RawResponse: resp(500)}, false, "Operation returned an invalid status '500'", 1},
	} {
		err := storageErr(c.err, c.is3)
		if err.Error() != c.want || cmdutil.ExitCode(err) != c.exitCode {
			t.Errorf("%v: %q (exit %d), want %q (exit %d)", c.err, err, cmdutil.ExitCode(err), c.want, c.exitCode)
		}
	}
	plain := errors.New("dial tcp: refused")
	if storageErr(plain, true) != plain {
		t.Fatal("a non-service error passes through")
	}
	if got := xmlText("a&#xA;b &lt;c&gt; &quot;d&quot; &apos;e&apos; &amp;"); got != "a\nb <c> \"d\" 'e' &" {
		t.Fatalf("xmlText %q", got)
	}
	for in, want := range map[string]time.Time{
		"2026-12-31T23:59Z":         time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC),
		"2026-12-31T23:59:30Z":      time.Date(2026, 12, 31, 23, 59, 30, 0, time.UTC),
		"2026-12-31T23:59:30+01:00": time.Date(2026, 12, 31, 22, 59, 30, 0, time.UTC),
		"2026-12-31":                time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC),
	} {
		if got, err := parseExpiry("--expiry", in); err != nil || !got.Equal(want) {
			t.Errorf("parseExpiry(%q) = %v %v", in, got, err)
		}
	}
	if _, err := parseExpiry("--start", "next week"); cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "argument --start") {
		t.Fatalf("a bad datetime: %v", err)
	}
}

func TestShareRMReadsAndDelete(t *testing.T) {
	shareRaw := func(name string) arm.Raw {
		return arm.Raw{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1/fileServices/default/shares/" + name,
			"name": name, "properties": map[string]any{"shareQuota": 5}}
	}
	svc := &fakeService{
		shareGet: func(_, _, name string) (arm.Raw, error) {
			switch name {
			case "gone":
				return nil, &arm.Error{StatusCode: 404, Code: "ShareNotFound", Message: "The specified share does not exist."}
			case "broken":
				return nil, errors.New("connection reset")
			}
			return shareRaw(name), nil
		},
		findGroup: func(string) (string, error) { return "rg", nil },
	}
	if out, err := run(t, svc, "share-rm", "show", "--storage-account", "st1", "-n", "s1"); err != nil || !strings.Contains(out, `"shareQuota": 5`) ||
		svc.calls[0] != "find st1" {
		t.Fatalf("show without -g finds the account's group: %v %v %s", err, svc.calls, out)
	}
	for name, want := range map[string]string{"s1": `"exists": true`, "gone": `"exists": false`} {
		if out, err := run(t, svc, "share-rm", "exists", "-g", "rg", "--storage-account", "st1", "-n", name); err != nil || !strings.Contains(out, want) {
			t.Errorf("exists %s: %v %s", name, err, out)
		}
	}
	if _, err := run(t, svc, "share-rm", "exists", "-g", "rg", "--storage-account", "st1", "-n", "broken"); err == nil {
		t.Fatal("a transport error is not 'false'")
	}
	svc.calls = nil
	if _, err := run(t, svc, "share-rm", "delete", "-g", "rg", "--storage-account", "st1", "-n", "s1"); err == nil || !strings.Contains(err.Error(), "Operation cancelled") || len(svc.calls) != 0 {
		t.Fatalf("delete without --yes and no terminal: %v %v", err, svc.calls)
	}
	if _, err := run(t, svc, "share-rm", "delete", "-g", "rg", "--storage-account", "st1", "-n", "s1", "-y"); err != nil || svc.calls[0] != "share delete rg/st1/s1" {
		t.Fatalf("delete: %v %v", err, svc.calls)
	}
	if _, err := run(t, svc, "share-rm", "show", "-g", "rg", "-n", "s1"); cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "--storage-account") {
		t.Fatalf("no account: %v", err)
	}
}

func TestAccountCreateLocationAndDelete(t *testing.T) {
	var sent any
	svc := &fakeService{
		checkName: func(string) (arm.Raw, error) { return arm.Raw{"nameAvailable": true}, nil },
		create:    func(_, name string, body any) (arm.Raw, error) { sent = body; return acct(name), nil },
		list:      func(rg string) ([]any, error) { return []any{map[string]any(acct("x"))}, nil },
	}
	// The group's location (eastus in run's Deps) unless -l is given.
	if _, err := run(t, svc, "account", "create", "-g", "rg", "-n", "st9"); err != nil || !strings.Contains(asJSON(sent), `"location":"eastus"`) {
		t.Fatalf("create: %v %s", err, asJSON(sent))
	}
	if _, err := run(t, svc, "account", "create", "-g", "rg", "-n", "st9", "-l", "westus2", "--kind", "filestorage", "--sku", "premium_lrs"); err != nil ||
		!strings.Contains(asJSON(sent), `"kind":"FileStorage","location":"westus2"`) || !strings.Contains(asJSON(sent), `"sku":{"name":"Premium_LRS"}`) {
		t.Fatalf("create -l: %v %s", err, asJSON(sent))
	}
	svc.calls = nil
	if _, err := run(t, svc, "account", "list"); err != nil || svc.calls[0] != "list " {
		t.Fatalf("list without -g lists the subscription's: %v %v", err, svc.calls)
	}
	if _, err := run(t, svc, "account", "delete", "-g", "rg", "-n", "st9"); err == nil || !strings.Contains(err.Error(), "Operation cancelled") {
		t.Fatalf("delete without --yes: %v", err)
	}
	if _, err := run(t, svc, "account", "create", "-g", "rg", "-n", "st9", "--kind", "Blob"); cmdutil.ExitCode(err) != 2 {
		t.Fatalf("an unknown kind: %v", err)
	}
}

// share-rm update's body: the writable properties the share has, in the
// model's order, empty ones left out, the changes applied.
func TestMergedShareProps(t *testing.T) {
	cur := map[string]any{"properties": map[string]any{"accessTier": "Hot", "metadata": map[string]any{}, "shareQuota": 5,
		"signedIdentifiers": []any{}, "enabledProtocols": nil, "rootSquash": "NoRootSquash", "provisioningState": "Succeeded"}}
	got := string(mergedShareProps(cur, map[string]any{"shareQuota": 10, "metadata": map[string]string{"a": "b"}}))
	if want := `{"metadata": {"a":"b"}, "shareQuota": 10, "rootSquash": "NoRootSquash", "accessTier": "Hot"}`; got != want {
		t.Fatalf("merged:\n%s\nwant\n%s", got, want)
	}
	if got := string(mergedShareProps(map[string]any{}, map[string]any{})); got != "{}" {
		t.Fatalf("nothing: %s", got)
	}
}
