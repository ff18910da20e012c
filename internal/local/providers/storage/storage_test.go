package storage_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/directory"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/file"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/fileerror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/sas"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/service"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"
	"github.com/aci-cli/aci/internal/local/core"
	"github.com/aci-cli/aci/internal/local/coretest"
	"github.com/aci-cli/aci/internal/local/providers/storage"
)

const v = "?api-version=2023-05-01"

type env struct {
	*coretest.Harness
	acc *storage.Accounts
	dir string
}

func start(t *testing.T) *env {
	t.Helper()
	e := &env{dir: t.TempDir()}
	e.Harness = coretest.StartWith(t, core.Options{StateDir: e.dir, Version: "test", PageSize: 2}, func(s *core.Server) {
		e.acc = storage.New(s, ".file.aci.localhost")
	})
	return e
}

func (e *env) acctPath(rg, name string) string {
	return e.RG(rg) + "/providers/Microsoft.Storage/storageAccounts/" + name
}

// create makes a group and an account, following Azure's 202 + Location poll.
func (e *env) create(t *testing.T, rg, name string) map[string]any {
	t.Helper()
	if a := e.Do("PUT", e.RG(rg)+coretest.V, `{"location":"westus"}`); a.Status >= 300 {
		t.Fatalf("group: %+v", a)
	}
	a := e.Do("PUT", e.acctPath(rg, name)+v, `{"sku":{"name":"Standard_LRS"},"kind":"StorageV2","location":"westus"}`)
	if a.Status != 202 || a.Header.Get("Location") == "" || len(a.Raw) != 0 {
		t.Fatalf("create: %d %v %s", a.Status, a.Header, a.Raw)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		p := e.Do("GET", a.Header.Get("Location"), "")
		if p.Status == 200 {
			return p.Body
		}
		if p.Status != 202 || time.Now().After(deadline) {
			t.Fatalf("poll: %d %s", p.Status, p.Raw)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (e *env) keys(t *testing.T, rg, name string) [2]string {
	t.Helper()
	k := e.Do("POST", e.acctPath(rg, name)+"/listKeys"+v+"&$expand=kerb", "")
	list, _ := k.Body["keys"].([]any)
	if len(list) != 2 {
		t.Fatalf("keys: %s", k.Raw)
	}
	return [2]string{list[0].(map[string]any)["value"].(string), list[1].(map[string]any)["value"].(string)}
}

func (e *env) opts() *service.ClientOptions {
	return &service.ClientOptions{ClientOptions: policy.ClientOptions{Transport: e.Client, Retry: policy.RetryOptions{MaxRetries: -1}}}
}

// client is the real azfile client of an account, on its ARM file endpoint.
func (e *env) client(t *testing.T, name, key string) *service.Client {
	t.Helper()
	cred, err := service.NewSharedKeyCredential(name, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := service.NewClientWithSharedKeyCredential(e.acc.FileEndpoint(name), cred, e.opts())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// meta reads a metadata value whatever casing the SDK gave its name (it
// comes back as an HTTP header).
func meta(m map[string]*string, k string) string {
	for n, v := range m {
		if strings.EqualFold(n, k) && v != nil {
			return *v
		}
	}
	return ""
}

func code(err error) string {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return re.ErrorCode
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestAccountLifecycle(t *testing.T) {
	e := start(t)
	body := e.create(t, "rg", "acct1")
	props := body["properties"].(map[string]any)
	if props["provisioningState"] != "Succeeded" || body["kind"] != "StorageV2" || body["sku"].(map[string]any)["tier"] != "Standard" {
		t.Fatalf("account: %v", body)
	}
	ep := props["primaryEndpoints"].(map[string]any)["file"].(string)
	if !strings.HasPrefix(ep, "https://127.") || !strings.HasSuffix(ep, "/acct1/") {
		t.Fatalf("file endpoint %q is not IP-style on loopback", ep)
	}
	if g := e.Do("GET", e.acctPath("rg", "acct1")+v, ""); strings.Contains(string(g.Raw), "keys\"") || g.Status != 200 {
		t.Fatalf("get: %s", g.Raw)
	}
	sub := "/subscriptions/" + e.Srv.Identity().SubscriptionID
	for _, p := range []string{sub, e.RG("rg")} {
		l := e.Do("GET", p+"/providers/Microsoft.Storage/storageAccounts"+v, "")
		if vals, _ := l.Body["value"].([]any); len(vals) != 1 {
			t.Fatalf("list %s: %s", p, l.Raw)
		}
	}
	check := func(name string) map[string]any {
		return e.Do("POST", sub+"/providers/Microsoft.Storage/checkNameAvailability"+v, `{"name":"`+name+`","type":"Microsoft.Storage/storageAccounts"}`).Body
	}
	if c := check("acct1"); c["nameAvailable"] != false || c["reason"] != "AlreadyExists" {
		t.Fatalf("taken: %v", c)
	}
	if c := check("Bad_Name"); c["nameAvailable"] != false || c["reason"] != "AccountNameInvalid" {
		t.Fatalf("invalid: %v", c)
	}
	if c := check("freename"); c["nameAvailable"] != true {
		t.Fatalf("free: %v", c)
	}
	if a := e.Do("PUT", e.acctPath("rg", "UPPER")+v, `{"sku":{"name":"Standard_LRS"},"location":"westus"}`); a.Code() != "AccountNameInvalid" {
		t.Fatalf("bad name: %s", a.Raw)
	}
	e.Do("PUT", e.RG("other")+coretest.V, `{"location":"westus"}`)
	if a := e.Do("PUT", e.acctPath("other", "acct1")+v, `{"sku":{"name":"Standard_LRS"},"location":"westus"}`); a.Status != 409 || a.Code() != "StorageAccountAlreadyTaken" {
		t.Fatalf("taken elsewhere: %d %s", a.Status, a.Raw)
	}
	if a := e.Do("PATCH", e.acctPath("rg", "acct1")+v, `{"tags":{"env":"test"},"properties":{"minimumTlsVersion":"TLS1_2"}}`); a.Status != 200 ||
		a.Body["tags"].(map[string]any)["env"] != "test" || a.Body["properties"].(map[string]any)["minimumTlsVersion"] != "TLS1_2" {
		t.Fatalf("patch: %s", a.Raw)
	}
	old := e.keys(t, "rg", "acct1")
	r := e.Do("POST", e.acctPath("rg", "acct1")+"/regenerateKey"+v, `{"keyName":"key1"}`)
	renewed := r.Body["keys"].([]any)
	if renewed[0].(map[string]any)["value"] == old[0] || renewed[1].(map[string]any)["value"] != old[1] {
		t.Fatalf("regenerate: %s", r.Raw)
	}

	// share-rm over ARM, seen by the file service too.
	sp := e.acctPath("rg", "acct1") + "/fileServices/default/shares/"
	if a := e.Do("PUT", sp+"data"+v, `{"properties":{"metadata":{"key1":"value1"},"shareQuota":5}}`); a.Status != 201 ||
		a.Body["properties"].(map[string]any)["shareQuota"] != float64(5) {
		t.Fatalf("share put: %d %s", a.Status, a.Raw)
	}
	g := e.Do("GET", sp+"data"+v, "")
	gp := g.Body["properties"].(map[string]any)
	if gp["shareQuota"] != float64(5) || gp["accessTier"] != "TransactionOptimized" || gp["metadata"].(map[string]any)["key1"] != "value1" || g.Body["etag"] == nil {
		t.Fatalf("share get: %s", g.Raw)
	}
	if a := e.Do("PATCH", sp+"data"+v, `{"properties":{"shareQuota":10}}`); a.Status != 200 {
		t.Fatalf("share patch: %s", a.Raw)
	}
	if a := e.Do("GET", sp+"missing"+v, ""); a.Status != 404 || a.Code() != "ShareNotFound" {
		t.Fatalf("missing share: %s", a.Raw)
	}
	if a := e.Do("PUT", sp+"Bad--Name"+v, `{}`); a.Status != 400 {
		t.Fatalf("bad share name: %s", a.Raw)
	}
	if a := e.Do("PUT", e.acctPath("rg", "nosuch")+"/fileServices/default/shares/x1x"+v, `{}`); a.Status != 404 {
		t.Fatalf("share in a missing account: %s", a.Raw)
	}
	sh, err := e.client(t, "acct1", renewed[0].(map[string]any)["value"].(string)).NewShareClient("data").GetProperties(context.Background(), nil)
	if err != nil || *sh.Quota != 10 || meta(sh.Metadata, "key1") != "value1" {
		t.Fatalf("data plane sees the ARM share: %v %+v", err, sh)
	}
	if l := e.Do("GET", sp[:len(sp)-1]+v, ""); len(l.Body["value"].([]any)) != 1 {
		t.Fatalf("share list: %s", l.Raw)
	}

	// The group's resources list shows the account, not its shares.
	res := e.Do("GET", e.RG("rg")+"/resources?api-version=2022-09-01", "")
	if vals := res.Body["value"].([]any); len(vals) != 1 {
		t.Fatalf("resources: %s", res.Raw)
	}

	if a := e.Do("DELETE", sp+"data"+v, ""); a.Status != 200 {
		t.Fatalf("share delete: %d", a.Status)
	}
	if a := e.Do("DELETE", e.acctPath("rg", "acct1")+v, ""); a.Status != 200 {
		t.Fatalf("delete: %d %s", a.Status, a.Raw)
	}
	if a := e.Do("GET", e.acctPath("rg", "acct1")+v, ""); a.Status != 404 {
		t.Fatalf("after delete: %d", a.Status)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "storage", "acct1")); !os.IsNotExist(err) {
		t.Fatalf("the account's directory outlived it: %v", err)
	}
	if a := e.Do("DELETE", e.acctPath("rg", "acct1")+v, ""); a.Status != 204 {
		t.Fatalf("delete again: %d", a.Status)
	}
}

// TestFileServiceWithSDK drives the official azfile client through every
// operation aci uses: Shared Key, SAS, and wrong credentials.
func TestFileServiceWithSDK(t *testing.T) {
	e := start(t)
	e.create(t, "rg", "files1")
	keys := e.keys(t, "rg", "files1")
	ctx := context.Background()
	svc := e.client(t, "files1", keys[0])

	sc := svc.NewShareClient("share1")
	if _, err := sc.Create(ctx, &share.CreateOptions{Quota: to.Ptr(int32(1)), Metadata: map[string]*string{"purpose": to.Ptr("test")}}); err != nil {
		t.Fatalf("create share: %v", err)
	}
	if _, err := sc.Create(ctx, nil); code(err) != "ShareAlreadyExists" {
		t.Fatalf("create twice: %v", err)
	}
	props, err := sc.GetProperties(ctx, nil)
	if err != nil || *props.Quota != 1 || meta(props.Metadata, "purpose") != "test" {
		t.Fatalf("share properties: %v %+v", err, props)
	}
	if _, err := sc.SetProperties(ctx, &share.SetPropertiesOptions{Quota: to.Ptr(int32(2))}); err != nil {
		t.Fatalf("set quota: %v", err)
	}
	if _, err := sc.SetMetadata(ctx, &share.SetMetadataOptions{Metadata: map[string]*string{"a": to.Ptr("b")}}); err != nil {
		t.Fatalf("set metadata: %v", err)
	}
	dc := sc.NewDirectoryClient("logs")
	if _, err := dc.Create(ctx, nil); err != nil {
		t.Fatalf("mkdir: %v", err)
	}
	if _, err := sc.NewDirectoryClient("a/b").Create(ctx, nil); code(err) != "ParentNotFound" {
		t.Fatalf("mkdir without parent: %v", err)
	}
	payload := make([]byte, 9<<20+123) // more than two 4 MiB ranges
	_, _ = rand.Read(payload)
	fc := dc.NewFileClient("big.bin")
	if _, err := fc.Create(ctx, int64(len(payload)), &file.CreateOptions{HTTPHeaders: &file.HTTPHeaders{ContentType: to.Ptr("text/plain")}}); err != nil {
		t.Fatalf("create: %v", err)
	}
	if err := fc.UploadBuffer(ctx, payload, nil); err != nil {
		t.Fatalf("upload: %v", err)
	}
	if _, err := fc.SetHTTPHeaders(ctx, &file.SetHTTPHeadersOptions{HTTPHeaders: &file.HTTPHeaders{ContentType: to.Ptr("application/x-test")}}); err != nil {
		t.Fatalf("set headers: %v", err)
	}
	got := make([]byte, len(payload))
	if _, err := fc.DownloadBuffer(ctx, got, nil); err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("download: %v (equal=%v)", err, bytes.Equal(got, payload))
	}
	part, err := fc.DownloadStream(ctx, &file.DownloadStreamOptions{Range: file.HTTPRange{Offset: 100, Count: 50}})
	if err != nil {
		t.Fatalf("ranged get: %v", err)
	}
	pb, _ := io.ReadAll(part.Body)
	if !bytes.Equal(pb, payload[100:150]) {
		t.Fatalf("ranged get returned the wrong bytes")
	}
	fp, err := fc.GetProperties(ctx, nil)
	if err != nil || *fp.ContentLength != int64(len(payload)) || *fp.ContentType != "application/x-test" {
		t.Fatalf("file properties: %v %+v", err, fp)
	}
	if _, err := fc.SetMetadata(ctx, &file.SetMetadataOptions{Metadata: map[string]*string{"k": to.Ptr("v")}}); err != nil {
		t.Fatalf("file metadata: %v", err)
	}
	hello := sc.NewRootDirectoryClient().NewFileClient("hello.txt")
	if _, err := hello.Create(ctx, 6, nil); err != nil {
		t.Fatalf("create small: %v", err)
	}
	if err := hello.UploadBuffer(ctx, []byte("hello\n"), nil); err != nil {
		t.Fatalf("small upload: %v", err)
	}
	var names []string
	pager := sc.NewRootDirectoryClient().NewListFilesAndDirectoriesPager(nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		for _, d := range page.Segment.Directories {
			names = append(names, *d.Name+"/")
		}
		for _, f := range page.Segment.Files {
			names = append(names, *f.Name)
		}
	}
	if strings.Join(names, ",") != "logs/,hello.txt" {
		t.Fatalf("list: %v", names)
	}
	stats, err := sc.GetStatistics(ctx, nil)
	if err != nil || *stats.ShareUsageBytes != int64(len(payload)+6) {
		t.Fatalf("stats: %v %+v", err, stats)
	}
	var shares []string
	sp := svc.NewListSharesPager(&service.ListSharesOptions{Include: service.ListSharesInclude{Metadata: true}})
	for sp.More() {
		page, err := sp.NextPage(ctx)
		if err != nil {
			t.Fatalf("list shares: %v", err)
		}
		for _, s := range page.Shares {
			shares = append(shares, *s.Name)
		}
	}
	if strings.Join(shares, ",") != "share1" {
		t.Fatalf("shares: %v", shares)
	}
	// The bytes are in the share's directory, nowhere else.
	onDisk, err := os.ReadFile(filepath.Join(e.dir, "storage", "files1", "share1", "logs", "big.bin"))
	if err != nil || !bytes.Equal(onDisk, payload) {
		t.Fatalf("on disk: %v", err)
	}
	if _, err := dc.Delete(ctx, nil); code(err) != "DirectoryNotEmpty" {
		t.Fatalf("delete a full directory: %v", err)
	}

	// Over quota: a 3 GiB file in a 2 GiB share.
	if _, err := sc.NewRootDirectoryClient().NewFileClient("huge").Create(ctx, 3<<30, nil); code(err) != "ShareSizeLimitReached" {
		t.Fatalf("over quota: %v", err)
	}

	// An account SAS and a share SAS, made by the SDK with the key.
	cred, _ := service.NewSharedKeyCredential("files1", keys[1])
	credSvc, _ := service.NewClientWithSharedKeyCredential(e.acc.FileEndpoint("files1"), cred, e.opts())
	accountSAS, err := credSvc.GetSASURL(sas.AccountResourceTypes{Service: true, Container: true, Object: true},
		sas.AccountPermissions{Read: true, List: true}, time.Now().Add(time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	ro, _ := service.NewClientWithNoCredential(accountSAS, e.opts())
	if _, err := ro.NewShareClient("share1").NewRootDirectoryClient().NewFileClient("hello.txt").GetProperties(ctx, nil); err != nil {
		t.Fatalf("read with an account SAS: %v", err)
	}
	if _, err := ro.NewShareClient("share1").NewRootDirectoryClient().NewFileClient("x.txt").Create(ctx, 1, nil); code(err) != "AuthorizationPermissionMismatch" {
		t.Fatalf("write with a read-only SAS: %v", err)
	}
	shareSAS, err := credSvc.NewShareClient("share1").GetSASURL(sas.SharePermissions{Read: true, Write: true, Create: true}, time.Now().Add(time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	rw, _ := share.NewClientWithNoCredential(shareSAS, &share.ClientOptions{ClientOptions: e.opts().ClientOptions})
	viaSAS := rw.NewRootDirectoryClient().NewFileClient("via-sas.txt")
	if _, err := viaSAS.Create(ctx, 3, nil); err != nil {
		t.Fatalf("create with a share SAS: %v", err)
	}
	if err := viaSAS.UploadBuffer(ctx, []byte("sas"), nil); err != nil {
		t.Fatalf("write with a share SAS: %v", err)
	}
	tampered := strings.Replace(shareSAS, "sp=rcw", "sp=rcwdl", 1)
	if tampered == shareSAS {
		t.Fatalf("SAS %s has no sp=rcw to tamper with", shareSAS)
	}
	tc, _ := share.NewClientWithNoCredential(tampered, &share.ClientOptions{ClientOptions: e.opts().ClientOptions})
	if _, err := tc.NewRootDirectoryClient().NewFileClient("hello.txt").Delete(ctx, nil); code(err) != "AuthenticationFailed" {
		t.Fatalf("tampered SAS: %v", err)
	}
	// A SAS bound to source addresses (sip) works from them only.
	sasCred := cred
	for _, c := range []struct {
		r    sas.IPRange
		want string
	}{
		{sas.IPRange{Start: net.ParseIP("10.1.2.3")}, "AuthorizationSourceIPMismatch"},
		{sas.IPRange{Start: net.ParseIP("10.0.0.0"), End: net.ParseIP("10.255.255.255")}, "AuthorizationSourceIPMismatch"},
		{sas.IPRange{Start: net.ParseIP("127.0.0.0"), End: net.ParseIP("127.255.255.255")}, ""},
	} {
		qp, err := sas.SignatureValues{Protocol: sas.ProtocolHTTPS, ExpiryTime: time.Now().Add(time.Hour), Permissions: (&sas.SharePermissions{Read: true}).String(),
			IPRange: c.r, ShareName: "share1"}.SignWithSharedKey(sasCred)
		if err != nil {
			t.Fatal(err)
		}
		ipc, _ := share.NewClientWithNoCredential(e.acc.FileEndpoint("files1")+"share1?"+qp.Encode(), &share.ClientOptions{ClientOptions: e.opts().ClientOptions})
		_, err = ipc.NewRootDirectoryClient().NewFileClient("hello.txt").GetProperties(ctx, nil)
		if code(err) != c.want {
			t.Errorf("SAS for %v: %v (want %q)", c.r, err, c.want)
		}
	}
	expired, _ := credSvc.NewShareClient("share1").GetSASURL(sas.SharePermissions{Read: true}, time.Now().Add(-time.Minute), nil)
	ec, _ := share.NewClientWithNoCredential(expired, &share.ClientOptions{ClientOptions: e.opts().ClientOptions})
	if _, err := ec.NewRootDirectoryClient().NewFileClient("hello.txt").GetProperties(ctx, nil); !strings.Contains(err.Error(), "403") {
		t.Fatalf("expired SAS: %v", err)
	}

	// A wrong key, then a renewed one: the old key fails at once.
	bad := e.client(t, "files1", "d3JvbmdrZXl3cm9uZ2tleXdyb25na2V5d3JvbmdrZXk=")
	if _, err := bad.NewShareClient("share1").GetProperties(ctx, nil); code(err) != "AuthenticationFailed" {
		t.Fatalf("wrong key: %v", err)
	}
	e.Do("POST", e.acctPath("rg", "files1")+"/regenerateKey"+v, `{"keyName":"key1"}`)
	if _, err := svc.NewShareClient("share1").GetProperties(ctx, nil); !fileerror.HasCode(err, fileerror.AuthenticationFailed) {
		t.Fatalf("old key after renewal: %v", err)
	}
	fresh := e.client(t, "files1", e.keys(t, "rg", "files1")[0])
	if _, err := fresh.NewShareClient("share1").Delete(ctx, nil); err != nil {
		t.Fatalf("delete share: %v", err)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "storage", "files1", "share1")); !os.IsNotExist(err) {
		t.Fatalf("share dir outlived the share: %v", err)
	}
}

// raw sends a request as given, for paths and credentials no SDK would
// build; it returns the status and "x-ms-error-code body".
func (e *env) raw(t *testing.T, method, rawURL string, hdr map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, rawURL, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := e.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("x-ms-error-code") + " " + string(b)
}

func TestTraversalAndBadInput(t *testing.T) {
	e := start(t)
	e.create(t, "rg", "trav1")
	keys := e.keys(t, "rg", "trav1")
	ctx := context.Background()
	svc := e.client(t, "trav1", keys[0])
	sc := svc.NewShareClient("s01")
	if _, err := sc.Create(ctx, nil); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(e.dir, "storage", "trav1", "escaped")
	base := e.acc.FileEndpoint("trav1") + "s01/"
	for _, p := range []string{"..%2Fescaped", "%2e%2e/escaped", "a%5C..%5Cescaped", "..%2f..%2fescaped", "sub%2F..%2F..%2Fescaped", "%00x"} {
		st, body := e.raw(t, "PUT", base+p, map[string]string{"x-ms-type": "file", "x-ms-content-length": "1"})
		if st != 400 || !strings.HasPrefix(body, "InvalidResourceName") && !strings.HasPrefix(body, "InvalidUri") {
			t.Errorf("%s: %d %s", p, st, body)
		}
	}
	// The SDK escapes names itself: a name with a slash becomes a path, and
	// ".." segments are refused, never resolved.
	if _, err := sc.NewRootDirectoryClient().NewFileClient("../escaped").Create(ctx, 1, nil); err == nil {
		t.Fatalf("../ was accepted")
	}
	// A symlink a container planted cannot carry a write out of the share.
	shareDir := filepath.Join(e.dir, "storage", "trav1", "s01")
	if err := os.Symlink(filepath.Join(e.dir, "storage", "trav1"), filepath.Join(shareDir, "link")); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.NewDirectoryClient("link").NewFileClient("escaped").Create(ctx, 1, nil); err == nil {
		t.Fatalf("a write through a symlink succeeded")
	}
	if _, err := os.Stat(outside); !os.IsNotExist(err) {
		t.Fatalf("a file was written outside the share: %v", err)
	}
	// No credentials, garbage credentials, the wrong account's key.
	if st, body := e.raw(t, "GET", base+"?restype=share", nil); st != 401 || !strings.HasPrefix(body, "NoAuthenticationInformation") {
		t.Fatalf("anonymous: %d %s", st, body)
	}
	if st, body := e.raw(t, "GET", base+"?restype=share", map[string]string{"Authorization": "SharedKey trav1:AAAA", "x-ms-date": time.Now().UTC().Format(http.TimeFormat)}); st != 403 || !strings.HasPrefix(body, "AuthenticationFailed") {
		t.Fatalf("garbage signature: %d %s", st, body)
	}
	if st, _ := e.raw(t, "GET", e.acc.FileEndpoint("nosuchacct")+"?comp=list", nil); st != 403 {
		t.Fatalf("missing account: %d", st)
	}
	// SharePath: what a container group's azureFile volume resolves.
	if p, err := e.acc.SharePath(ctx, "trav1", keys[1], "s01"); err != nil || p != shareDir {
		t.Fatalf("share path: %q %v", p, err)
	}
	if _, err := e.acc.SharePath(ctx, "trav1", "bm90IHRoZSBrZXk=", "s01"); err == nil || !strings.Contains(err.Error(), "key") {
		t.Fatalf("wrong key: %v", err)
	}
	if _, err := e.acc.SharePath(ctx, "trav1", keys[0], "nope"); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("missing share: %v", err)
	}
	if _, err := e.acc.SharePath(ctx, "nobody", keys[0], "s01"); err == nil {
		t.Fatalf("missing account resolved")
	}
}

// A container can put anything at a path of its share between two File API
// calls: a FIFO where a file or a directory was, a symlink out of the share.
// No request blocks on it (each answers within the client's time-out), none
// answers 500, and the service serves on.
func TestShareNodesThatAreNotFiles(t *testing.T) {
	e := start(t)
	e.create(t, "rg", "fifo1")
	keys := e.keys(t, "rg", "fifo1")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sc := e.client(t, "fifo1", keys[0]).NewShareClient("s01")
	if _, err := sc.Create(ctx, nil); err != nil {
		t.Fatal(err)
	}
	root := sc.NewRootDirectoryClient()
	if _, err := root.NewFileClient("swap").Create(ctx, 4, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := root.NewSubdirectoryClient("dir").Create(ctx, nil); err != nil {
		t.Fatal(err)
	}
	shareDir := filepath.Join(e.dir, "storage", "fifo1", "s01")
	// The file and the directory become FIFOs, as a container can make them.
	for _, n := range []string{"swap", "dir"} {
		if err := os.RemoveAll(filepath.Join(shareDir, n)); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mkfifo(filepath.Join(shareDir, n), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("/etc/hostname", filepath.Join(shareDir, "out")); err != nil {
		t.Fatal(err)
	}
	e.Client.Timeout = 5 * time.Second
	defer func() { e.Client.Timeout = 0 }()
	swap, out := root.NewFileClient("swap"), root.NewFileClient("out")
	calls := map[string]func() error{
		"download":   func() error { _, err := swap.DownloadStream(ctx, nil); return err },
		"properties": func() error { _, err := swap.GetProperties(ctx, nil); return err },
		"upload range": func() error {
			_, err := swap.UploadRange(ctx, 0, streaming.NopCloser(strings.NewReader("abcd")), nil)
			return err
		},
		"resize":     func() error { _, err := swap.Resize(ctx, 8, nil); return err },
		"range list": func() error { _, err := swap.GetRangeList(ctx, nil); return err },
		"list dir": func() error {
			_, err := root.NewSubdirectoryClient("dir").NewListFilesAndDirectoriesPager(nil).NextPage(ctx)
			return err
		},
		"download out":   func() error { _, err := out.DownloadStream(ctx, nil); return err },
		"create on fifo": func() error { _, err := swap.Create(ctx, 1, nil); return err },
		"create on link": func() error { _, err := out.Create(ctx, 1, nil); return err },
	}
	for name, call := range calls {
		err := call()
		if c := code(err); c != "ResourceTypeMismatch" && c != "ResourceNotFound" {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The container swaps the path between a regular file and a FIFO as
	// fast as it can: a stat-then-open server blocks on one of these reads.
	stop := make(chan struct{})
	swapped := make(chan struct{})
	go func() {
		defer close(swapped)
		p := filepath.Join(shareDir, "swap")
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			os.Remove(p)
			if i%2 == 0 {
				os.WriteFile(p, []byte("abcd"), 0o666)
			} else {
				syscall.Mkfifo(p, 0o666)
			}
		}
	}()
	for i := 0; i < 300; i++ {
		resp, err := swap.DownloadStream(ctx, nil)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if c := code(err); err != nil && c != "ResourceTypeMismatch" && c != "ResourceNotFound" {
			close(stop)
			<-swapped
			t.Fatalf("download %d while the file and a FIFO swap: %v", i, err)
		}
	}
	close(stop)
	<-swapped
	// The share's usage walks past the FIFOs, and the service still answers.
	if _, err := sc.GetStatistics(ctx, nil); err != nil {
		t.Fatalf("share statistics with FIFOs in it: %v", err)
	}
	if _, err := root.NewFileClient("ok").Create(ctx, 1, nil); err != nil {
		t.Fatalf("after the FIFOs: %v", err)
	}
}

// TestListingPagesInLexicalOrder: a listing's marker is a name, so the
// pages must come in Azure's lexical order; in the directory's own order a
// page boundary skipped or repeated entries.
func TestListingPagesInLexicalOrder(t *testing.T) {
	e := start(t)
	e.create(t, "rg", "order1")
	ctx := context.Background()
	sc := e.client(t, "order1", e.keys(t, "rg", "order1")[0]).NewShareClient("share1")
	if _, err := sc.Create(ctx, nil); err != nil {
		t.Fatal(err)
	}
	created := []string{"m", "b", "z", "a", "q", "c", "y", "d", "k"}
	for _, n := range created {
		if _, err := sc.NewRootDirectoryClient().NewFileClient(n).Create(ctx, 0, nil); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	pager := sc.NewRootDirectoryClient().NewListFilesAndDirectoriesPager(&directory.ListFilesAndDirectoriesOptions{MaxResults: to.Ptr(int32(2))})
	for pages := 0; pager.More(); pages++ {
		page, err := pager.NextPage(ctx)
		if err != nil || pages > len(created) {
			t.Fatalf("page %d: %v", pages, err)
		}
		for _, f := range page.Segment.Files {
			got = append(got, *f.Name)
		}
	}
	if want := "a,b,c,d,k,m,q,y,z"; strings.Join(got, ",") != want {
		t.Fatalf("listed %v, want %s once each", got, want)
	}
}
