package storage

// The data-plane commands (share, directory, file) against the real file
// service of aci local, started in this process over HTTPS: the azfile
// clients the commands build are the SDK's own, so these tests see what a
// user sees, flag by flag, with nothing faked but the account lookup.

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/local/core"
	"github.com/aci-cli/aci/internal/local/coretest"
	localstorage "github.com/aci-cli/aci/internal/local/providers/storage"
)

// plane is a running file service with one account.
type plane struct {
	h        *coretest.Harness
	endpoint string // the account's file endpoint
	key      string
	cs       string // its connection string
	svc      *fakeService
}

const acctName = "acct1"

func startPlane(t *testing.T) *plane {
	t.Helper()
	var acc *localstorage.Accounts
	dir := t.TempDir()
	h := coretest.StartWith(t, core.Options{StateDir: dir, Version: "test", PageSize: 2}, func(s *core.Server) {
		acc = localstorage.New(s, ".file.aci.localhost")
	})
	if a := h.Do("PUT", h.RG("rg")+coretest.V, `{"location":"westus"}`); a.Status >= 300 {
		t.Fatalf("group: %+v", a)
	}
	path := h.RG("rg") + "/providers/Microsoft.Storage/storageAccounts/" + acctName + "?api-version=2023-05-01"
	a := h.Do("PUT", path, `{"sku":{"name":"Standard_LRS"},"kind":"StorageV2","location":"westus"}`)
	for deadline := time.Now().Add(10 * time.Second); a.Status == 202; a = h.Do("GET", a.Header.Get("Location"), "") {
		if time.Now().After(deadline) {
			t.Fatal("account creation did not finish")
		}
		time.Sleep(20 * time.Millisecond)
	}
	k := h.Do("POST", strings.Replace(path, "?", "/listKeys?", 1), "")
	var keys struct {
		Keys []struct{ Value string } `json:"keys"`
	}
	if err := json.Unmarshal([]byte(k.Raw), &keys); err != nil || len(keys.Keys) != 2 {
		t.Fatalf("keys: %v %s", err, k.Raw)
	}
	p := &plane{h: h, endpoint: acc.FileEndpoint(acctName), key: keys.Keys[0].Value}
	p.cs = "DefaultEndpointsProtocol=https;AccountName=" + acctName + ";AccountKey=" + p.key + ";FileEndpoint=" + p.endpoint
	p.svc = &fakeService{
		findGroup: func(name string) (string, error) { return "rg", nil },
		keys: func(string, string) (arm.Raw, error) {
			return arm.Raw{"keys": []any{map[string]any{"keyName": "key1", "value": p.key}}}, nil
		},
	}
	return p
}

// result is one command's outcome.
type result struct {
	out, errOut string
	err         error
}

func (r result) json(t *testing.T, v any) {
	t.Helper()
	if r.err != nil {
		t.Fatalf("command failed: %v\n%s", r.err, r.errOut)
	}
	if err := json.Unmarshal([]byte(r.out), v); err != nil {
		t.Fatalf("%v: %s", err, r.out)
	}
}

// run runs `aci storage ARGS` against the plane, in dir for config.
func (p *plane) runIn(t *testing.T, configDir string, args ...string) result {
	t.Helper()
	ios, _, out, errOut := cmdutil.Test()
	f := &cmdutil.Factory{IO: ios, ConfigDir: configDir, Globals: cmdutil.Globals{Output: "json"}}
	// -o is the root command's flag; the storage tree alone does not have it.
	if i := slices.Index(args, "-o"); i >= 0 && i+1 < len(args) {
		f.Globals.Output = args[i+1]
		args = slices.Delete(slices.Clone(args), i, i+2)
	}
	d := &Deps{
		Service: func() (Service, error) { return p.svc, nil },
		DataPlane: func() (*arm.DataPlane, error) {
			return &arm.DataPlane{Options: policy.ClientOptions{Transport: p.h.Client}}, nil
		},
	}
	cmd := NewCmdWith(f, d)
	cmd.SetArgs(cmdutil.ExpandNArgs(cmd, args))
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.ExecuteContext(context.Background())
	return result{out.String(), errOut.String(), err}
}

func (p *plane) run(t *testing.T, args ...string) result {
	t.Helper()
	return p.runIn(t, t.TempDir(), append(args, "--connection-string", p.cs)...)
}

// flag is the answer of a created/deleted/exists command.
func (r result) flag(t *testing.T, key string) bool {
	t.Helper()
	var m map[string]bool
	r.json(t, &m)
	v, ok := m[key]
	if !ok || len(m) != 1 {
		t.Fatalf("want {%q: bool}, got %s", key, r.out)
	}
	return v
}

func failsWith(t *testing.T, r result, code int, text string) {
	t.Helper()
	if r.err == nil || cmdutil.ExitCode(r.err) != code || !strings.Contains(r.err.Error(), text) {
		t.Fatalf("want exit %d with %q, got %v (exit %d)", code, text, r.err, cmdutil.ExitCode(r.err))
	}
}

func TestShareCommands(t *testing.T) {
	p := startPlane(t)
	if !p.run(t, "share", "create", "-n", "docs", "--quota", "5", "--metadata", "team=web", "env=dev").flag(t, "created") {
		t.Fatal("first create")
	}
	if p.run(t, "share", "create", "-n", "docs").flag(t, "created") {
		t.Fatal("a second create answers created: false, as az")
	}
	failsWith(t, p.run(t, "share", "create", "-n", "docs", "--fail-on-exist"), 1, "ErrorCode:ShareAlreadyExists")
	p.run(t, "share", "create", "-n", "logs").flag(t, "created")

	var show map[string]any
	p.run(t, "share", "show", "-n", "docs").json(t, &show)
	props, _ := show["properties"].(map[string]any)
	if show["name"] != "docs" || props["quota"] != 5.0 || !reflect.DeepEqual(show["metadata"], map[string]any{"team": "web", "env": "dev"}) {
		t.Fatalf("show: %s", p.run(t, "share", "show", "-n", "docs").out)
	}
	if lease := show["lease"].(map[string]any); lease["state"] != "available" || lease["status"] != "unlocked" {
		t.Fatalf("lease: %v", lease)
	}
	failsWith(t, p.run(t, "share", "show", "-n", "nope"), 3, "ErrorCode:ShareNotFound")

	var list []map[string]any
	p.run(t, "share", "list").json(t, &list)
	if len(list) != 2 || list[0]["name"] != "docs" || list[1]["name"] != "logs" || list[0]["metadata"] != nil || list[0]["quota"] != 5.0 {
		t.Fatalf("list (paged two by two by the server): %v", list)
	}
	p.run(t, "share", "list", "--prefix", "do", "--include-metadata").json(t, &list)
	if len(list) != 1 || list[0]["name"] != "docs" || !reflect.DeepEqual(list[0]["metadata"], map[string]any{"team": "web", "env": "dev"}) {
		t.Fatalf("--prefix do --include-metadata: %v", list)
	}
	if r := p.run(t, "share", "list", "-o", "table"); r.err != nil || !strings.HasPrefix(r.out, "Name    Quota    Last Modified\n") {
		t.Fatalf("table (az prints the properties.* columns blank): %v %q", r.err, r.out)
	}

	if !p.run(t, "share", "exists", "-n", "docs").flag(t, "exists") || p.run(t, "share", "exists", "-n", "nope").flag(t, "exists") {
		t.Fatal("exists")
	}
	if r := p.run(t, "share", "stats", "-n", "docs"); r.err != nil || r.out != "\"1\"\n" {
		t.Fatalf("stats rounds up to 1 GiB, never 0: %v %q", r.err, r.out)
	}
	if !p.run(t, "share", "delete", "-n", "logs").flag(t, "deleted") || p.run(t, "share", "delete", "-n", "logs").flag(t, "deleted") {
		t.Fatal("delete, then delete again")
	}
	failsWith(t, p.run(t, "share", "delete", "-n", "logs", "--fail-not-exist"), 1, "ErrorCode:ShareNotFound")
	failsWith(t, p.run(t, "share", "show"), 2, "--name/-n")
}

func TestDirectoryCommands(t *testing.T) {
	p := startPlane(t)
	p.run(t, "share", "create", "-n", "share1").flag(t, "created")
	if !p.run(t, "directory", "create", "-s", "share1", "-n", "a").flag(t, "created") ||
		!p.run(t, "directory", "create", "-s", "share1", "-n", "a/b", "--metadata", "k=v").flag(t, "created") {
		t.Fatal("create a, a/b")
	}
	if p.run(t, "directory", "create", "-s", "share1", "-n", "a").flag(t, "created") {
		t.Fatal("an existing directory answers created: false")
	}
	failsWith(t, p.run(t, "directory", "create", "-s", "share1", "-n", "a", "--fail-on-exist"), 1, "ResourceAlreadyExists")
	failsWith(t, p.run(t, "directory", "create", "-s", "share1", "-n", "x/y"), 1, "ParentNotFound")
	failsWith(t, p.run(t, "directory", "create", "-s", "share1", "-n", "../up"), 2, "")
	p.run(t, "directory", "create", "-s", "share1", "-n", "z").flag(t, "created")

	names := func(r result) []string {
		var items []map[string]any
		r.json(t, &items)
		var out []string
		for _, it := range items {
			out = append(out, it["name"].(string))
			if it["type"] != "dir" {
				t.Errorf("directory list returned %v", it)
			}
		}
		return out
	}
	if got := names(p.run(t, "directory", "list", "-s", "share1")); !reflect.DeepEqual(got, []string{"a", "z"}) {
		t.Fatalf("root: %v", got)
	}
	if got := names(p.run(t, "directory", "list", "-s", "share1", "-n", "a")); !reflect.DeepEqual(got, []string{"b"}) {
		t.Fatalf("a: %v", got)
	}
	for path, want := range map[string]bool{"a/b": true, "a/c": false, "q/r": false} {
		if got := p.run(t, "directory", "exists", "-s", "share1", "-n", path).flag(t, "exists"); got != want {
			t.Fatalf("exists %s = %v", path, got)
		}
	}
	failsWith(t, p.run(t, "directory", "delete", "-s", "share1", "-n", "a"), 1, "DirectoryNotEmpty")
	if !p.run(t, "directory", "delete", "-s", "share1", "-n", "a/b").flag(t, "deleted") || p.run(t, "directory", "delete", "-s", "share1", "-n", "a/b").flag(t, "deleted") {
		t.Fatal("delete a/b twice")
	}
	failsWith(t, p.run(t, "directory", "delete", "-s", "share1", "-n", "a/b", "--fail-not-exist"), 1, "ResourceNotFound")
	failsWith(t, p.run(t, "directory", "create", "-n", "a"), 2, "--share-name/-s")
}

func TestFileCommands(t *testing.T) {
	p := startPlane(t)
	p.run(t, "share", "create", "-n", "share1").flag(t, "created")
	p.run(t, "directory", "create", "-s", "share1", "-n", "docs").flag(t, "created")
	src := filepath.Join(t.TempDir(), "note.txt")
	content := bytes.Repeat([]byte("hello, share\n"), 1000)
	if err := os.WriteFile(src, content, 0o644); err != nil {
		t.Fatal(err)
	}
	var up map[string]any
	p.run(t, "file", "upload", "-s", "share1", "--source", src, "-p", "docs/note.txt", "--metadata", "k=v").json(t, &up)
	if up["etag"] == nil || up["content_md5"] == nil || up["request_server_encrypted"] != true {
		t.Fatalf("upload answer: %v", up)
	}
	// Without --path the file keeps its name, at the root.
	p.run(t, "file", "upload", "-s", "share1", "--source", src, "--content-type", "application/x-note").json(t, &up)

	var show map[string]any
	p.run(t, "file", "show", "-s", "share1", "-p", "/docs/note.txt").json(t, &show)
	props := show["properties"].(map[string]any)
	settings := props["contentSettings"].(map[string]any)
	if show["name"] != "note.txt" || show["path"] != "docs/note.txt" || show["size"] != float64(len(content)) ||
		settings["contentType"] != "text/plain" || !reflect.DeepEqual(show["metadata"], map[string]any{"k": "v"}) {
		t.Fatalf("show: %v", show)
	}
	p.run(t, "file", "show", "-s", "share1", "-p", "note.txt").json(t, &show)
	if show["properties"].(map[string]any)["contentSettings"].(map[string]any)["contentType"] != "application/x-note" {
		t.Fatalf("--content-type: %v", show)
	}
	failsWith(t, p.run(t, "file", "show", "-s", "share1", "-p", "docs/none"), 3, "ResourceNotFound")

	// A file is not a directory: "exists" says false (az's upload-batch
	// asks this of every file it uploads, and fails on anything but 404).
	if p.run(t, "directory", "exists", "-s", "share1", "-n", "docs/note.txt").flag(t, "exists") {
		t.Fatal("a file exists as a directory")
	}

	var list []map[string]any
	p.run(t, "file", "list", "-s", "share1").json(t, &list)
	if len(list) != 2 || list[0]["name"] != "docs" || list[0]["type"] != "dir" || list[1]["name"] != "note.txt" || list[1]["type"] != "file" {
		t.Fatalf("list: directories first, then files: %v", list)
	}
	p.run(t, "file", "list", "-s", "share1", "--exclude-dir").json(t, &list)
	if len(list) != 1 || list[0]["name"] != "note.txt" {
		t.Fatalf("--exclude-dir: %v", list)
	}
	if r := p.run(t, "file", "list", "-s", "share1", "-p", "docs", "-o", "table"); r.err != nil || !strings.Contains(r.out, "note.txt") || !strings.HasPrefix(r.out, "Name") {
		t.Fatalf("table: %v %q", r.err, r.out)
	}

	// --dest a directory keeps the file's name; a path is written as given.
	destDir := t.TempDir()
	p.run(t, "file", "download", "-s", "share1", "-p", "docs/note.txt", "--dest", destDir).json(t, &show)
	if got, _ := os.ReadFile(filepath.Join(destDir, "note.txt")); !bytes.Equal(got, content) || show["size"] != float64(len(content)) {
		t.Fatalf("download into a directory: %d bytes, %v", len(got), show["size"])
	}
	dest := filepath.Join(destDir, "sub", "copy.txt")
	p.run(t, "file", "download", "-s", "share1", "-p", "note.txt", "--dest", dest).json(t, &show)
	if got, _ := os.ReadFile(dest); !bytes.Equal(got, content) {
		t.Fatal("download to a new path")
	}
	failsWith(t, p.run(t, "file", "download", "-s", "share1", "-p", "gone.txt", "--dest", filepath.Join(destDir, "gone")), 3, "ResourceNotFound")
	if _, err := os.Stat(filepath.Join(destDir, "gone")); !os.IsNotExist(err) {
		t.Fatal("a failed download leaves no file behind")
	}

	if !p.run(t, "file", "exists", "-s", "share1", "-p", "docs/note.txt").flag(t, "exists") || p.run(t, "file", "exists", "-s", "share1", "-p", "docs/x").flag(t, "exists") {
		t.Fatal("exists")
	}
	if !p.run(t, "file", "delete", "-s", "share1", "-p", "docs/note.txt").flag(t, "deleted") {
		t.Fatal("delete")
	}
	failsWith(t, p.run(t, "file", "delete", "-s", "share1", "-p", "docs/note.txt"), 1, "ResourceNotFound")
	failsWith(t, p.run(t, "file", "upload", "-s", "share1", "--source", filepath.Join(destDir, "missing")), 1, "No such file or directory")
	failsWith(t, p.run(t, "file", "upload", "-s", "share1", "--source", destDir), 1, "Is a directory")
	failsWith(t, p.run(t, "file", "upload", "-s", "share1"), 2, "--source")
	failsWith(t, p.run(t, "file", "show", "-s", "share1", "-p", "a/../../b"), 2, "")
}

// A file of several ranges, the last a partial one, goes up and comes back
// byte for byte, and a download replaces a longer file that was at --dest.
func TestFileManyRanges(t *testing.T) {
	p := startPlane(t)
	p.run(t, "share", "create", "-n", "big").flag(t, "created")
	content := make([]byte, 2*4<<20+12345)
	for i := range content {
		content[i] = byte(i*7 + i>>13)
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "src.bin")
	if err := os.WriteFile(src, content, 0o644); err != nil {
		t.Fatal(err)
	}
	var show map[string]any
	if r := p.run(t, "file", "upload", "-s", "big", "--source", src, "-p", "big.bin"); r.err != nil {
		t.Fatalf("upload: %v %s", r.err, r.errOut)
	}
	dest := filepath.Join(dir, "dest.bin")
	if err := os.WriteFile(dest, bytes.Repeat([]byte("x"), len(content)+5000), 0o644); err != nil {
		t.Fatal(err)
	}
	p.run(t, "file", "download", "-s", "big", "-p", "big.bin", "--dest", dest).json(t, &show)
	if got, _ := os.ReadFile(dest); !bytes.Equal(got, content) || show["size"] != float64(len(content)) {
		t.Fatalf("download: %d bytes (want %d), size %v", len(got), len(content), show["size"])
	}
}

func TestBatchCommands(t *testing.T) {
	p := startPlane(t)
	p.run(t, "share", "create", "-n", "site").flag(t, "created")
	src := t.TempDir()
	files := map[string]string{"index.html": "<h1>hi</h1>", "css/a.css": "a{}", "css/b.css": "b{}", "img/deep/x.png": "PNG"}
	for rel, body := range files {
		full := filepath.Join(src, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var dry []map[string]string
	p.run(t, "file", "upload-batch", "-d", "site", "-s", src, "--destination-path", "www", "--dryrun").json(t, &dry)
	if len(dry) != 4 || dry[0]["File"] != p.endpoint+"site/www/css/a.css" || dry[0]["Type"] != "text/css" {
		t.Fatalf("dry run: %v", dry)
	}
	if p.run(t, "directory", "exists", "-s", "site", "-n", "www").flag(t, "exists") {
		t.Fatal("a dry run creates nothing")
	}
	var urls []string
	r := p.run(t, "file", "upload-batch", "-d", "site", "-s", src, "--destination-path", "www")
	r.json(t, &urls)
	if len(urls) != 4 || urls[3] != p.endpoint+"site/www/index.html" || strings.Count(r.errOut, "uploading ") != 4 {
		t.Fatalf("upload-batch: %v\n%s", urls, r.errOut)
	}
	p.run(t, "file", "upload-batch", "-d", "site", "-s", src, "--pattern", "css/*").json(t, &urls)
	if len(urls) != 2 {
		t.Fatalf("--pattern css/*: %v", urls)
	}

	dest := t.TempDir()
	p.run(t, "file", "download-batch", "-s", "site", "-d", dest, "--pattern", "www/*").json(t, &urls)
	if len(urls) != 1 || !strings.HasSuffix(urls[0], "/www/index.html") {
		t.Fatalf("--pattern www/* matches one level only (path.Match): %v", urls)
	}
	p.run(t, "file", "download-batch", "-s", "site", "-d", dest).json(t, &urls)
	if len(urls) != 6 {
		t.Fatalf("download-batch: %v", urls)
	}
	var got []string
	filepath.WalkDir(dest, func(path string, e os.DirEntry, err error) error {
		if err == nil && e.Type().IsRegular() {
			rel, _ := filepath.Rel(dest, path)
			b, _ := os.ReadFile(path)
			if want := files[strings.TrimPrefix(filepath.ToSlash(rel), "www/")]; string(b) != want {
				t.Errorf("%s holds %q, want %q", rel, b, want)
			}
			got = append(got, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(got)
	if want := []string{"css/a.css", "css/b.css", "www/css/a.css", "www/css/b.css", "www/img/deep/x.png", "www/index.html"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("downloaded %v", got)
	}
	r = p.run(t, "file", "download-batch", "-s", "site", "-d", t.TempDir(), "--dryrun")
	if r.err != nil || strings.Count(r.errOut, " => ") != 6 || r.out != "[]\n" {
		t.Fatalf("download dry run lists on stderr and prints []: %v %q %q", r.err, r.out, r.errOut)
	}
	failsWith(t, p.run(t, "file", "download-batch", "-s", "nope", "-d", dest), 3, "ShareNotFound")
	failsWith(t, p.run(t, "file", "upload-batch", "-d", "site"), 2, "--source/-s")
}

func TestSASCommands(t *testing.T) {
	p := startPlane(t)
	p.run(t, "share", "create", "-n", "share1").flag(t, "created")
	expiry := time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04Z")
	var token string
	p.run(t, "share", "generate-sas", "-n", "share1", "--permissions", "rl", "--expiry", expiry, "--https-only").json(t, &token)
	q, err := url.ParseQuery(token)
	if err != nil || q.Get("sp") != "rl" || q.Get("sr") != "s" || q.Get("spr") != "https" || q.Get("sig") == "" {
		t.Fatalf("share SAS %q", token)
	}
	// The token works, for what it grants and no more.
	sasRun := func(args ...string) result {
		return p.runIn(t, t.TempDir(), append(args, "--account-name", acctName, "--sas-token", "?"+token, "--file-endpoint", p.endpoint)...)
	}
	var list []map[string]any
	sasRun("file", "list", "-s", "share1").json(t, &list)
	if len(list) != 0 {
		t.Fatalf("list with the SAS: %v", list)
	}
	failsWith(t, sasRun("directory", "create", "-s", "share1", "-n", "d"), 1, "AuthorizationPermissionMismatch")

	failsWith(t, p.run(t, "share", "generate-sas", "-n", "share1", "--permissions", "rx", "--expiry", expiry), 2, "invalid permission 'x'")
	failsWith(t, p.run(t, "share", "generate-sas", "-n", "share1", "--permissions", "r"), 2, "--expiry")
	failsWith(t, p.run(t, "share", "generate-sas", "-n", "share1", "--permissions", "r", "--expiry", "tomorrow"), 2, "invalid datetime value: 'tomorrow'")

	p.run(t, "account", "generate-sas", "--services", "f", "--resource-types", "sco", "--permissions", "rwdlc", "--expiry", expiry, "--ip", "127.0.0.1-127.255.255.255").json(t, &token)
	if q, _ := url.ParseQuery(token); q.Get("ss") != "f" || q.Get("srt") != "sco" || q.Get("sip") != "127.0.0.1-127.255.255.255" {
		t.Fatalf("account SAS %q", token)
	}
	if !sasRun("directory", "create", "-s", "share1", "-n", "d").flag(t, "created") {
		t.Fatal("the account SAS grants create")
	}
	failsWith(t, p.run(t, "account", "generate-sas", "--services", "b", "--resource-types", "s", "--permissions", "r", "--expiry", expiry), 2, "file service only")
	failsWith(t, p.runIn(t, t.TempDir(), "share", "generate-sas", "-n", "share1", "--permissions", "r", "--expiry", expiry, "--account-name", acctName, "--sas-token", "sv=x"),
		1, "a SAS is signed with an account name and key")
}

func TestCredentialResolution(t *testing.T) {
	p := startPlane(t)
	// Nothing given: az's four accepted variations.
	failsWith(t, p.runIn(t, t.TempDir(), "share", "list"), 1, "(4) connection string")

	// The config's [storage] connection_string is used when no flag is given.
	cfgDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(cfgDir, "config"), []byte("[storage]\nconnection_string = "+p.cs+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if !p.runIn(t, cfgDir, "share", "create", "-n", "fromconfig").flag(t, "created") {
		t.Fatal("create through the configured connection string")
	}

	// An account name alone: az warns, then queries the first key through ARM.
	r := p.runIn(t, t.TempDir(), "share", "exists", "-n", "fromconfig", "--account-name", acctName, "--file-endpoint", p.endpoint)
	if !r.flag(t, "exists") || !strings.Contains(r.errOut, "we will query for account key for your storage account") {
		t.Fatalf("account name only: %q", r.errOut)
	}
	if want := []string{"find acct1", "keys rg/acct1"}; !reflect.DeepEqual(p.svc.calls, want) {
		t.Fatalf("ARM calls %v, want %v", p.svc.calls, want)
	}
	// When that lookup fails, az says so and goes on without a key.
	p.svc.findGroup = func(string) (string, error) { return "", cmdutil.Fail("ResourceNotFound: no account") }
	r = p.runIn(t, t.TempDir(), "share", "exists", "-n", "fromconfig", "--account-name", acctName, "--file-endpoint", p.endpoint)
	if !strings.Contains(r.errOut, "Skip querying account key due to failure: ResourceNotFound: no account") {
		t.Fatalf("failed lookup: %v %q", r.err, r.errOut)
	}
	// A wrong key is the service's 403, in az's two lines.
	bad := strings.Replace(p.cs, p.key, "d3Jvbmc=", 1)
	r = p.runIn(t, t.TempDir(), "share", "list", "--connection-string", bad)
	failsWith(t, r, 1, "ErrorCode:AuthenticationFailed")
}
