package storage

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aci-cli/aci/internal/local/core"
)

// defaultVersion is answered when a request names no x-ms-version.
const defaultVersion = "2022-11-02"

// maxRange is the most one Put Range may carry, as on Azure.
const maxRange = 4 << 20

// fileProps is what a file or directory keeps beside its bytes: metadata and
// the content headers a client set.
type fileProps struct {
	Metadata           map[string]string `json:"metadata,omitempty"`
	ContentType        string            `json:"contentType,omitempty"`
	ContentEncoding    string            `json:"contentEncoding,omitempty"`
	ContentLanguage    string            `json:"contentLanguage,omitempty"`
	CacheControl       string            `json:"cacheControl,omitempty"`
	ContentDisposition string            `json:"contentDisposition,omitempty"`
	ContentMD5         string            `json:"contentMD5,omitempty"`
	Created            time.Time         `json:"created"`
	ID                 string            `json:"id"`
	Lease              lease             `json:"lease,omitzero"`
}

const propsType = "aci.local/fileProperties"

// startPlane serves the IP-style file endpoint on a loopback address of its
// own (on the server's port), so account names never collide with ARM paths.
func (h *Accounts) startPlane() {
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(h.s.BaseURL(), "https://"))
	for _, addr := range []string{net.JoinHostPort("127.11.0.1", port), "127.0.0.1:0"} {
		d, err := h.s.ServeDataPlane(addr, http.HandlerFunc(h.serveByPath))
		if err == nil {
			h.plane = d
			return
		}
	}
	fmt.Fprintln(os.Stderr, "WARNING: the file service has no listener")
}

// serveByPath serves https://ADDR/ACCOUNT/share/dir/file.
func (h *Accounts) serveByPath(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimPrefix(rawPath(r), "/")
	account, rest, _ := strings.Cut(p, "/")
	h.serve(w, r, account, rest)
}

// serveByHost serves https://ACCOUNT.file.aci.localhost:PORT/share/dir/file.
func (h *Accounts) serveByHost(w http.ResponseWriter, r *http.Request) {
	account, _, _ := strings.Cut(core.HostOnly(r.Host), ".")
	h.serve(w, r, strings.ToLower(account), strings.TrimPrefix(rawPath(r), "/"))
}

type fileReq struct {
	w       http.ResponseWriter
	r       *http.Request
	h       *Accounts
	acct    *core.Resource
	account string
	share   string
	file    string // slash path inside the share, "" for its root
	g       *grant
}

func (f *fileReq) fail(status int, code, msg string) {
	writeStorageError(f.w, f.r, &authError{status: status, code: code, msg: msg})
}

func requestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func writeStorageError(w http.ResponseWriter, r *http.Request, e *authError) {
	id := requestID()
	w.Header().Set("x-ms-error-code", e.code)
	w.Header().Set("x-ms-request-id", id)
	if r.Method == http.MethodHead {
		w.WriteHeader(e.status)
		return
	}
	var b bytes.Buffer
	b.WriteString("\uFEFF<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>")
	xmlEscape(&b, e.code)
	b.WriteString("</Code><Message>")
	xmlEscape(&b, e.msg+"\nRequestId:"+id+"\nTime:"+time.Now().UTC().Format("2006-01-02T15:04:05.0000000Z"))
	b.WriteString("</Message>")
	if e.detail != "" {
		b.WriteString("<AuthenticationErrorDetail>")
		xmlEscape(&b, e.detail)
		b.WriteString("</AuthenticationErrorDetail>")
	}
	b.WriteString("</Error>")
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(e.status)
	_, _ = w.Write(b.Bytes())
}

// validSegment is one directory or file name Azure Files accepts, and one
// that cannot leave its directory.
func validSegment(s string) bool {
	if s == "" || s == "." || s == ".." || len(s) > 255 || !utf8.ValidString(s) {
		return false
	}
	for _, c := range s {
		if c < 0x20 || strings.ContainsRune(`"\/:|<>*?`, c) {
			return false
		}
	}
	return true
}

func (h *Accounts) serve(w http.ResponseWriter, r *http.Request, account, rest string) {
	v := r.Header.Get("x-ms-version")
	if v == "" {
		v = defaultVersion
	}
	w.Header().Set("x-ms-version", v)
	w.Header().Set("Date", time.Now().UTC().Format(http.TimeFormat))
	w.Header().Set("Server", "Windows-Azure-File/1.0 aci-local")
	acct, priv := h.byName(account)
	if acct == nil || priv.Deleting || !accountRE.MatchString(account) {
		writeStorageError(w, r, authFailed("The storage account '"+printable(account)+"' does not exist on this endpoint."))
		return
	}
	f := &fileReq{w: w, r: r, h: h, acct: acct, account: account}
	// Azure decodes the path before splitting it: %2F is a separator there
	// too, so a ".." hidden behind one is still a ".." segment, refused below.
	decoded, err := pathUnescape(strings.TrimSuffix(rest, "/"))
	if err != nil {
		f.fail(400, "InvalidUri", "The requested URI does not represent any resource on the server.")
		return
	}
	var segs []string
	if decoded != "" {
		segs = strings.Split(decoded, "/")
	}
	if len(segs) > 0 {
		f.share = segs[0]
	}
	for _, s := range segs[min(1, len(segs)):] {
		if !validSegment(s) {
			// Checked before authentication too: a bad name never reaches a path.
			f.fail(400, "InvalidResourceName", "The specifed resource name contains invalid characters.")
			return
		}
	}
	if len(segs) > 1 {
		f.file = strings.Join(segs[1:], "/")
	}
	g, aerr := verify(r, account, priv.Keys, f.share, f.file, func(id string) (accessPolicy, bool) {
		sh, err := h.getShare(acct.ID, f.share)
		if err != nil {
			return accessPolicy{}, false
		}
		return sh.policy(id)
	})
	if aerr != nil {
		writeStorageError(w, r, aerr)
		return
	}
	f.g = g
	q := r.URL.Query()
	restype, comp := q.Get("restype"), q.Get("comp")
	switch {
	case len(segs) == 0:
		f.service(comp, restype)
	case len(segs) == 1 && restype == "share":
		f.shareOp(comp)
	case restype == "directory":
		f.dirOp(comp)
	case len(segs) == 1:
		f.fail(400, "InvalidQueryParameterValue", "Value for one of the query parameters specified in the request URI is invalid.")
	default:
		f.fileOp(comp)
	}
}

func printable(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

// pathUnescape decodes %XX escapes (and nothing else: a "+" stays a "+").
func pathUnescape(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", errors.New("bad escape")
		}
		n, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", err
		}
		b.WriteByte(byte(n))
		i += 2
	}
	return b.String(), nil
}

func (f *fileReq) deny() {
	f.fail(403, "AuthorizationPermissionMismatch", "This request is not authorized to perform this operation using this permission.")
}

func (f *fileReq) allowed(perm, level byte) bool {
	if f.g.allows(perm, level, f.share, f.file) {
		return true
	}
	f.deny()
	return false
}

func (f *fileReq) done(status int) {
	f.w.Header().Set("x-ms-request-id", requestID())
	if f.w.Header().Get("Content-Length") == "" {
		f.w.Header().Set("Content-Length", "0")
	}
	f.w.WriteHeader(status)
}

func (f *fileReq) writeXML(body string) {
	b := []byte("\uFEFF<?xml version=\"1.0\" encoding=\"utf-8\"?>" + body)
	f.w.Header().Set("Content-Type", "application/xml")
	f.w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	f.w.Header().Set("x-ms-request-id", requestID())
	f.w.WriteHeader(200)
	if f.r.Method != http.MethodHead {
		_, _ = f.w.Write(b)
	}
}

// xmlEscape writes s escaped; a bytes.Buffer does not fail.
func xmlEscape(b *bytes.Buffer, s string) {
	_ = xml.EscapeText(b, []byte(s))
}

func esc(s string) string {
	var b bytes.Buffer
	xmlEscape(&b, s)
	return b.String()
}

func metadataOf(hdr http.Header) (map[string]string, bool) {
	m := map[string]string{}
	for k, v := range hdr {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-ms-meta-") && len(v) > 0 {
			name := lk[len("x-ms-meta-"):]
			if name == "" {
				return nil, false
			}
			m[name] = v[0]
		}
	}
	return m, true
}

func setMetadata(hdr http.Header, m map[string]string) {
	for k, v := range m {
		hdr["x-ms-meta-"+k] = []string{v}
	}
}

func httpTime(t time.Time) string { return t.UTC().Format(http.TimeFormat) }

func (f *fileReq) endpoint() string {
	scheme := "https://"
	return scheme + f.r.Host + "/" + func() string {
		if strings.Contains(f.r.Host, ".") && net.ParseIP(core.HostOnly(f.r.Host)) == nil {
			return ""
		}
		return f.account + "/"
	}()
}

func (f *fileReq) listShares() {
	q := f.r.URL.Query()
	prefix, marker := q.Get("prefix"), q.Get("marker")
	max := 5000
	if m := q.Get("maxresults"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 1 {
			f.fail(400, "OutOfRangeQueryParameterValue", "One of the query parameters specified in the request URI is outside the permissible range.")
			return
		}
		max = min(n, 5000)
	}
	withMeta := strings.Contains(q.Get("include"), "metadata")
	names, err := f.h.listShares(f.acct.ID)
	if err != nil {
		f.fail(500, "InternalError", "The server encountered an internal error.")
		return
	}
	var b strings.Builder
	b.WriteString(`<EnumerationResults ServiceEndpoint="` + esc(f.endpoint()) + `">`)
	if prefix != "" {
		b.WriteString("<Prefix>" + esc(prefix) + "</Prefix>")
	}
	if marker != "" {
		b.WriteString("<Marker>" + esc(marker) + "</Marker>")
	}
	if q.Get("maxresults") != "" {
		b.WriteString("<MaxResults>" + strconv.Itoa(max) + "</MaxResults>")
	}
	b.WriteString("<Shares>")
	n, next := 0, ""
	for _, name := range names {
		if !strings.HasPrefix(name, prefix) || name < marker {
			continue
		}
		if n == max {
			next = name
			break
		}
		sh, err := f.h.getShare(f.acct.ID, name)
		if err != nil {
			continue
		}
		n++
		b.WriteString("<Share><Name>" + esc(name) + "</Name><Properties><Last-Modified>" + httpTime(sh.Modified) + "</Last-Modified><Etag>" +
			esc(etag(sh.Modified)) + "</Etag><LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState><Quota>" + strconv.Itoa(sh.Quota) +
			"</Quota><AccessTier>" + sh.AccessTier + "</AccessTier><AccessTierChangeTime>" + httpTime(sh.TierChanged) +
			"</AccessTierChangeTime><EnabledProtocols>" + sh.EnabledProtocols + "</EnabledProtocols></Properties>")
		if withMeta {
			b.WriteString("<Metadata>")
			keys := make([]string, 0, len(sh.Metadata))
			for k := range sh.Metadata {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				b.WriteString("<" + k + ">" + esc(sh.Metadata[k]) + "</" + k + ">")
			}
			b.WriteString("</Metadata>")
		}
		b.WriteString("</Share>")
	}
	b.WriteString("</Shares>")
	if next != "" {
		b.WriteString("<NextMarker>" + esc(next) + "</NextMarker>")
	} else {
		b.WriteString("<NextMarker />")
	}
	b.WriteString("</EnumerationResults>")
	f.writeXML(b.String())
}

func (f *fileReq) shareHeaders(sh *share) {
	hd := f.w.Header()
	hd.Set("ETag", etag(sh.Modified))
	hd.Set("Last-Modified", httpTime(sh.Modified))
	hd.Set("x-ms-share-quota", strconv.Itoa(sh.Quota))
	hd.Set("x-ms-access-tier", sh.AccessTier)
	hd.Set("x-ms-access-tier-change-time", httpTime(sh.TierChanged))
	hd.Set("x-ms-enabled-protocols", sh.EnabledProtocols)
	sh.Lease.headers(hd)
	hd.Set("x-ms-has-immutability-policy", "false")
	hd.Set("x-ms-has-legal-hold", "false")
	setMetadata(hd, sh.Metadata)
}

func (f *fileReq) shareNotFound() {
	f.fail(404, "ShareNotFound", "The specified share does not exist.")
}

func (f *fileReq) saveShare(sh *share) {
	if err := f.h.saveShare(f.acct, f.share, sh); err != nil {
		f.fail(500, "InternalError", "The server encountered an internal error.")
		return
	}
	f.w.Header().Set("ETag", etag(sh.Modified))
	f.w.Header().Set("Last-Modified", httpTime(sh.Modified))
	f.done(200)
}

// shareHeadersIn applies a create's or set-properties' headers; true means
// it answered with an error.
func (f *fileReq) shareHeadersIn(sh *share) bool {
	hd := f.r.Header
	if f.r.URL.Query().Get("comp") == "" {
		md, ok := metadataOf(hd)
		if !ok {
			f.fail(400, "EmptyMetadataKey", "The key for one of the metadata key-value pairs is empty.")
			return true
		}
		sh.Metadata = md
	}
	b := &shareBody{Properties: &shareProps{}}
	if q := hd.Get("x-ms-share-quota"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil {
			f.fail(400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.")
			return true
		}
		b.Properties.ShareQuota = &n
	}
	if t := hd.Get("x-ms-access-tier"); t != "" {
		b.Properties.AccessTier = &t
	}
	if p := hd.Get("x-ms-enabled-protocols"); p != "" {
		b.Properties.EnabledProtocols = &p
	}
	if e := b.apply(sh); e != nil {
		f.fail(e.Status, e.Code, e.Message)
		return true
	}
	return false
}

// root opens the share's directory as an os.Root: every path below is
// resolved inside it, so no name (nor a symlink a container made) leaves it.
func (f *fileReq) root() (*os.Root, bool) {
	if _, err := f.h.getShare(f.acct.ID, f.share); err != nil {
		f.shareNotFound()
		return nil, false
	}
	d, err := f.h.shareDir(f.account, f.share)
	if err != nil {
		f.shareNotFound()
		return nil, false
	}
	root, err := os.OpenRoot(d)
	if err != nil {
		f.shareNotFound()
		return nil, false
	}
	return root, true
}

func rel(p string) string {
	if p == "" {
		return "."
	}
	return p
}

func (f *fileReq) propsID() string {
	return shareID(f.acct.ID, f.share) + "/files/" + f.file
}

func (f *fileReq) loadProps() *fileProps {
	var p fileProps
	if res, err := f.h.s.Store().Get(f.propsID()); err == nil {
		if err := res.DecodeBody(&p); err != nil {
			f.h.s.Warn("file properties", "id", res.ID, "error", err.Error())
		}
	}
	return &p
}

// saveProps stores an item's properties; false means it answered the
// request with the failure (a lease that was not stored must not be
// reported as held).
func (f *fileReq) saveProps(p *fileProps) bool {
	if p.ID == "" {
		p.ID = strconv.FormatUint(uint64(time.Now().UnixNano()), 10)
	}
	if p.Created.IsZero() {
		p.Created = time.Now().UTC()
	}
	b, err := json.Marshal(p)
	if err == nil {
		err = f.h.s.Store().Put(&core.Resource{ID: f.propsID(), Type: propsType, Body: b, Created: time.Now(), Updated: time.Now()})
	}
	if err != nil {
		f.internalError()
		return false
	}
	return true
}

func (f *fileReq) dropProps(prefix bool) {
	_ = f.h.s.Store().Delete(f.propsID())
	if prefix {
		if kids, err := f.h.s.Store().List(f.propsID()+"/", propsType); err == nil {
			for _, k := range kids {
				_ = f.h.s.Store().Delete(k.ID)
			}
		}
	}
}

func smbTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }

// smbHeaders are the SMB properties every file and directory answer carries.
func (f *fileReq) smbHeaders(fi fs.FileInfo, p *fileProps, dir bool) {
	hd := f.w.Header()
	created := p.Created
	if created.IsZero() {
		created = fi.ModTime()
	}
	attr := "Archive"
	if dir {
		attr = "Directory"
	}
	hd.Set("ETag", etag(fi.ModTime()))
	hd.Set("Last-Modified", httpTime(fi.ModTime()))
	hd.Set("x-ms-file-attributes", attr)
	hd.Set("x-ms-file-creation-time", smbTime(created))
	hd.Set("x-ms-file-last-write-time", smbTime(fi.ModTime()))
	hd.Set("x-ms-file-change-time", smbTime(fi.ModTime()))
	hd.Set("x-ms-file-permission-key", "4066528134148476695*1")
	id := p.ID
	if id == "" {
		id = "0"
	}
	hd.Set("x-ms-file-id", id)
	hd.Set("x-ms-file-parent-id", "0")
	hd.Set("x-ms-server-encrypted", "true")
	hd.Set("x-ms-request-server-encrypted", "true")
}

func (f *fileReq) parentExists(root *os.Root) bool {
	dir := path.Dir(f.file)
	if dir == "." {
		return true
	}
	fi, err := root.Stat(dir)
	return err == nil && fi.IsDir()
}

func (f *fileReq) listDir(root *os.Root, p string) {
	q := f.r.URL.Query()
	prefix, marker := q.Get("prefix"), q.Get("marker")
	max := 5000
	if m := q.Get("maxresults"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 1 {
			f.fail(400, "OutOfRangeQueryParameterValue", "One of the query parameters specified in the request URI is outside the permissible range.")
			return
		}
		max = min(n, 5000)
	}
	include := strings.ToLower(q.Get("include"))
	ents, err := readDir(root, p)
	if err != nil {
		f.fail(409, "ResourceTypeMismatch", "The specified resource type does not match the type of the existing resource.")
		return
	}
	var b strings.Builder
	b.WriteString(`<EnumerationResults ServiceEndpoint="` + esc(f.endpoint()) + `" ShareName="` + esc(f.share) + `" DirectoryPath="` + esc(f.file) + `">`)
	if prefix != "" {
		b.WriteString("<Prefix>" + esc(prefix) + "</Prefix>")
	}
	if marker != "" {
		b.WriteString("<Marker>" + esc(marker) + "</Marker>")
	}
	if q.Get("maxresults") != "" {
		b.WriteString("<MaxResults>" + strconv.Itoa(max) + "</MaxResults>")
	}
	b.WriteString("<Entries>")
	n, next := 0, ""
	for _, e := range ents {
		name := e.Name()
		if !strings.HasPrefix(name, prefix) || name < marker || !(e.IsDir() || e.Type().IsRegular()) {
			continue
		}
		if n == max {
			next = name
			break
		}
		n++
		fi, err := e.Info()
		if err != nil {
			continue
		}
		kind := "File"
		if e.IsDir() {
			kind = "Directory"
		}
		b.WriteString("<" + kind + "><Name>" + esc(name) + "</Name><FileId>0</FileId><Properties>")
		if !e.IsDir() {
			b.WriteString("<Content-Length>" + strconv.FormatInt(fi.Size(), 10) + "</Content-Length>")
		}
		if strings.Contains(include, "timestamps") {
			t := smbTime(fi.ModTime())
			b.WriteString("<CreationTime>" + t + "</CreationTime><LastAccessTime>" + t + "</LastAccessTime><LastWriteTime>" + t +
				"</LastWriteTime><ChangeTime>" + t + "</ChangeTime><Last-Modified>" + httpTime(fi.ModTime()) + "</Last-Modified>")
		}
		if strings.Contains(include, "etag") {
			b.WriteString("<Etag>" + esc(etag(fi.ModTime())) + "</Etag>")
		}
		b.WriteString("</Properties>")
		if strings.Contains(include, "attributes") {
			if e.IsDir() {
				b.WriteString("<Attributes>Directory</Attributes>")
			} else {
				b.WriteString("<Attributes>Archive</Attributes>")
			}
		}
		b.WriteString("</" + kind + ">")
	}
	b.WriteString("</Entries>")
	if next != "" {
		b.WriteString("<NextMarker>" + esc(next) + "</NextMarker>")
	} else {
		b.WriteString("<NextMarker />")
	}
	b.WriteString("</EnumerationResults>")
	f.writeXML(b.String())
}

// usage is the share's size: the sum of its files' lengths, as Azure counts
// a share against its quota.
func (h *Accounts) usage(account, shareName string) (int64, error) {
	d, err := h.shareDir(account, shareName)
	if err != nil {
		return 0, err
	}
	root, err := os.OpenRoot(d)
	if err != nil {
		return 0, err
	}
	defer root.Close()
	return treeSize(root), nil
}

// fits reports whether growing the share by grow bytes stays in its quota.
func (f *fileReq) fits(grow int64) bool {
	if grow <= 0 {
		return true
	}
	sh, err := f.h.getShare(f.acct.ID, f.share)
	if err != nil {
		return false
	}
	used, _ := f.h.usage(f.account, f.share)
	if used+grow <= int64(sh.Quota)<<30 {
		return true
	}
	f.fail(413, "ShareSizeLimitReached", "The specified share is full.")
	return false
}

// parseRange reads "bytes=a-b" or "bytes=a-".
func parseRange(s string) (start, end int64, open, ok bool) {
	s, found := strings.CutPrefix(strings.TrimSpace(s), "bytes=")
	if !found {
		return 0, 0, false, false
	}
	a, b, found := strings.Cut(s, "-")
	if !found {
		return 0, 0, false, false
	}
	start, err := strconv.ParseInt(a, 10, 64)
	if err != nil || start < 0 {
		return 0, 0, false, false
	}
	if b == "" {
		return start, 0, true, true
	}
	end, err = strconv.ParseInt(b, 10, 64)
	if err != nil || end < start {
		return 0, 0, false, false
	}
	return start, end, false, true
}

func contentHeadersIn(hd http.Header, p *fileProps) {
	for _, c := range []struct {
		h string
		v *string
	}{{"x-ms-content-type", &p.ContentType}, {"x-ms-content-encoding", &p.ContentEncoding}, {"x-ms-content-language", &p.ContentLanguage},
		{"x-ms-cache-control", &p.CacheControl}, {"x-ms-content-disposition", &p.ContentDisposition}, {"x-ms-content-md5", &p.ContentMD5}} {
		if v := hd.Get(c.h); v != "" {
			*c.v = v
		}
	}
}

// createFile is Create File: a file of x-ms-content-length zero bytes,
// replacing one that was there.
func (f *fileReq) createFile(root *os.Root, fh *os.File, old fs.FileInfo) {
	exists := fh != nil
	if !strings.EqualFold(f.r.Header.Get("x-ms-type"), "file") {
		f.fail(400, "MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified.")
		return
	}
	n, err := strconv.ParseInt(f.r.Header.Get("x-ms-content-length"), 10, 64)
	if err != nil || n < 0 || n > 4<<40 {
		f.fail(400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.")
		return
	}
	if !f.parentExists(root) {
		f.fail(404, "ParentNotFound", "The specified parent path does not exist.")
		return
	}
	grow := n
	if exists {
		grow -= old.Size()
	}
	if !f.fits(grow) {
		return
	}
	md, ok := metadataOf(f.r.Header)
	if !ok {
		f.fail(400, "EmptyMetadataKey", "The key for one of the metadata key-value pairs is empty.")
		return
	}
	if !exists {
		if fh, _, err = openFile(root, f.file, os.O_RDWR|os.O_CREATE); err != nil {
			f.fail(409, "ResourceTypeMismatch", "The specified resource type does not match the type of the existing resource.")
			return
		}
		defer fh.Close()
	}
	err = fh.Truncate(0)
	if err == nil {
		err = fh.Truncate(n)
	}
	_ = fh.Chmod(0o666)
	if err != nil {
		f.fail(500, "InternalError", "The server encountered an internal error.")
		return
	}
	props := &fileProps{Metadata: md}
	if exists {
		// A lease outlives the overwrite it allowed.
		props.Lease = f.loadProps().Lease
	}
	contentHeadersIn(f.r.Header, props)
	if !f.saveProps(props) {
		return
	}
	fi, _ := fh.Stat()
	f.smbHeaders(fi, props, false)
	f.done(201)
}

func (f *fileReq) putRange(fh *os.File, fi fs.FileInfo) {
	rng := f.r.Header.Get("x-ms-range")
	if rng == "" {
		rng = f.r.Header.Get("Range")
	}
	start, end, open, ok := parseRange(rng)
	if !ok || open {
		f.fail(400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.")
		return
	}
	length := end - start + 1
	if end >= fi.Size() {
		f.fail(416, "InvalidRange", "The range specified is invalid for the current size of the resource.")
		return
	}
	if length > maxRange {
		f.fail(413, "RequestBodyTooLarge", "The request body is too large and exceeds the maximum permissible limit.")
		return
	}
	// The range's MD5 is computed when the client sends one to check: it
	// costs as much CPU as the rest of a large upload, and the clients
	// that read it back (transactional validation) are those that send it.
	want := f.r.Header.Get("Content-MD5")
	var sum hash.Hash
	switch strings.ToLower(f.r.Header.Get("x-ms-write")) {
	case "update":
		if f.r.ContentLength != length {
			f.fail(400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.")
			return
		}
		if want != "" {
			sum = md5.New()
		}
		if err := writeAt(fh, start, http.MaxBytesReader(f.w, f.r.Body, length), length, sum); err != nil {
			f.fail(400, "InvalidInput", "One of the request inputs is not valid.")
			return
		}
		if want != "" && want != base64.StdEncoding.EncodeToString(sum.Sum(nil)) {
			f.fail(400, "Md5Mismatch", "The MD5 value specified in the request did not match with the MD5 value calculated by the server.")
			return
		}
	case "clear":
		if _, err := io.Copy(io.NewOffsetWriter(fh, start), io.LimitReader(zeros{}, length)); err != nil {
			f.fail(500, "InternalError", "The server encountered an internal error.")
			return
		}
	default:
		f.fail(400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.")
		return
	}
	if st, err := fh.Stat(); err == nil {
		fi = st
	}
	f.w.Header().Set("ETag", etag(fi.ModTime()))
	f.w.Header().Set("Last-Modified", httpTime(fi.ModTime()))
	if sum != nil {
		f.w.Header().Set("Content-MD5", base64.StdEncoding.EncodeToString(sum.Sum(nil)))
	}
	f.w.Header().Set("x-ms-request-server-encrypted", "true")
	f.done(201)
}

// writeAt copies n bytes of r to fh at off (and into sum, if any) through
// a pooled buffer filled before each write: io.Copy wrote each TLS record's
// 16 KiB as its own pwrite, a quarter of a file upload's server CPU.
func writeAt(fh *os.File, off int64, r io.Reader, n int64, sum hash.Hash) error {
	buf := rangePool.Get().(*[]byte)
	defer rangePool.Put(buf)
	for n > 0 {
		b := (*buf)[:min(n, int64(len(*buf)))]
		if _, err := io.ReadFull(r, b); err != nil {
			return err
		}
		if _, err := fh.WriteAt(b, off); err != nil {
			return err
		}
		if sum != nil {
			sum.Write(b)
		}
		off += int64(len(b))
		n -= int64(len(b))
	}
	return nil
}

var rangePool = sync.Pool{New: func() any {
	b := make([]byte, 1<<20)
	return &b
}}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func (f *fileReq) readFile(fh *os.File, fi fs.FileInfo) {
	props := f.loadProps()
	f.smbHeaders(fi, props, false)
	hd := f.w.Header()
	setMetadata(hd, props.Metadata)
	hd.Set("x-ms-type", "File")
	hd.Set("Accept-Ranges", "bytes")
	props.Lease.headers(hd)
	ct := props.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	hd.Set("Content-Type", ct)
	for k, v := range map[string]string{"Content-Encoding": props.ContentEncoding, "Content-Language": props.ContentLanguage,
		"Cache-Control": props.CacheControl, "Content-Disposition": props.ContentDisposition} {
		if v != "" {
			hd.Set(k, v)
		}
	}
	size := fi.Size()
	start, end, status := int64(0), size-1, 200
	rng := f.r.Header.Get("x-ms-range")
	if rng == "" {
		rng = f.r.Header.Get("Range")
	}
	if rng != "" {
		s, e, open, ok := parseRange(rng)
		if !ok {
			f.fail(400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.")
			return
		}
		if s >= size {
			hd.Set("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
			f.fail(416, "InvalidRange", "The range specified is invalid for the current size of the resource.")
			return
		}
		start, end, status = s, e, 206
		if open || end >= size {
			end = size - 1
		}
		hd.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, size))
	} else if props.ContentMD5 != "" {
		hd.Set("Content-MD5", props.ContentMD5)
	}
	n := end - start + 1
	if size == 0 {
		n = 0
	}
	hd.Set("Content-Length", strconv.FormatInt(n, 10))
	hd.Set("x-ms-request-id", requestID())
	if f.r.Method == http.MethodHead {
		f.w.WriteHeader(status)
		return
	}
	f.w.WriteHeader(status)
	// A MiB per pread and per write: io.Copy moved 32 KiB at a time.
	buf := rangePool.Get().(*[]byte)
	defer rangePool.Put(buf)
	_, _ = io.CopyBuffer(struct{ io.Writer }{f.w}, io.NewSectionReader(fh, start, n), *buf)
}

// SharePath is where an azureFile volume's share lives, for a container
// group that names it with this account key; the errors say what ACI says.
func (h *Accounts) SharePath(_ context.Context, account, key, shareName string) (string, error) {
	acct, priv := h.byName(account)
	if acct == nil || priv.Deleting {
		return "", fmt.Errorf("the storage account '%s' does not exist", printable(account))
	}
	ok := false
	for _, k := range priv.Keys {
		if k != "" && subtle.ConstantTimeCompare([]byte(k), []byte(key)) == 1 {
			ok = true
		}
	}
	if !ok {
		return "", fmt.Errorf("the key of storage account '%s' is wrong", account)
	}
	if _, err := h.getShare(acct.ID, shareName); err != nil {
		return "", fmt.Errorf("the file share '%s' does not exist in storage account '%s'", printable(shareName), account)
	}
	return h.shareDir(account, shareName)
}

// setMetadata is Set Directory Metadata and Set File Metadata alike: the
// headers' x-ms-meta-* replace the item's metadata.
func (f *fileReq) setMetadata(fi fs.FileInfo) {
	md, ok := metadataOf(f.r.Header)
	if !ok {
		f.fail(400, "EmptyMetadataKey", "The key for one of the metadata key-value pairs is empty.")
		return
	}
	props := f.loadProps()
	props.Metadata = md
	if !f.saveProps(props) {
		return
	}
	f.w.Header().Set("ETag", etag(fi.ModTime()))
	f.done(200)
}

// OverQuota reports whether a share holds more than its quota (what a
// container wrote through its mount is counted too).
func (h *Accounts) OverQuota(account, shareName string) (bool, error) {
	acct, priv := h.byName(account)
	if acct == nil || priv.Deleting {
		return false, fmt.Errorf("the storage account '%s' does not exist", printable(account))
	}
	sh, err := h.getShare(acct.ID, shareName)
	if err != nil {
		return false, err
	}
	used, err := h.usage(account, shareName)
	if err != nil {
		return false, err
	}
	return used > int64(sh.Quota)<<30, nil
}
