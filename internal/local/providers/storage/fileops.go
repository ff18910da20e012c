package storage

import (
	"encoding/xml"
	"errors"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aci-cli/aci/internal/local/core"
)

// The operations the tables in operations.go name, by level. Each runs
// after its dispatcher has found its target and checked the permission and
// any lease.

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

func (f *fileReq) serviceProperties() {
	off := "<Version>1.0</Version><Enabled>false</Enabled><RetentionPolicy><Enabled>false</Enabled></RetentionPolicy>"
	f.writeXML("<StorageServiceProperties><HourMetrics>" + off + "</HourMetrics><MinuteMetrics>" + off + "</MinuteMetrics><Cors /><ShareDeleteRetentionPolicy><Enabled>false</Enabled></ShareDeleteRetentionPolicy></StorageServiceProperties>")
}

func (f *fileReq) internalError() {
	f.fail(500, "InternalError", "The server encountered an internal error.")
}

func (f *fileReq) emptyMetadataKey() {
	f.fail(400, "EmptyMetadataKey", "The key for one of the metadata key-value pairs is empty.")
}

// createShare is Create Share; sh is the share when it exists already.
func (f *fileReq) createShare(sh *share) {
	if !shareRE.MatchString(f.share) {
		f.fail(400, "InvalidResourceName", "The specifed resource name contains invalid characters.")
		return
	}
	if sh != nil {
		f.fail(409, "ShareAlreadyExists", "The specified share already exists.")
		return
	}
	sh = &share{}
	if f.shareHeadersIn(sh) {
		return
	}
	if err := f.h.createShare(f.acct, f.share, sh); err != nil {
		f.internalError()
		return
	}
	f.w.Header().Set("ETag", etag(sh.Modified))
	f.w.Header().Set("Last-Modified", httpTime(sh.Modified))
	f.done(201)
}

func (f *fileReq) shareProperties(sh *share) {
	f.shareHeaders(sh)
	f.done(200)
}

func (f *fileReq) deleteShare(*share) {
	if err := f.h.deleteShare(f.acct, f.share); err != nil {
		f.internalError()
		return
	}
	f.done(202)
}

func (f *fileReq) setShareMetadata(sh *share) {
	md, ok := metadataOf(f.r.Header)
	if !ok {
		f.emptyMetadataKey()
		return
	}
	sh.Metadata, sh.Modified = md, time.Now().UTC()
	f.saveShare(sh)
}

func (f *fileReq) setShareProperties(sh *share) {
	if f.shareHeadersIn(sh) {
		return
	}
	sh.Modified = time.Now().UTC()
	f.saveShare(sh)
}

func (f *fileReq) shareStats(*share) {
	used, err := f.h.usage(f.account, f.share)
	if err != nil {
		f.internalError()
		return
	}
	f.writeXML("<ShareStats><ShareUsageBytes>" + strconv.FormatInt(used, 10) + "</ShareUsageBytes></ShareStats>")
}

// signedIdentifier is a stored access policy: a service SAS that names
// its id (si) takes the fields it leaves out from it.
type signedIdentifier struct {
	ID     string       `xml:"Id" json:"id"`
	Policy accessPolicy `xml:"AccessPolicy" json:"accessPolicy"`
}

type accessPolicy struct {
	Start      string `xml:"Start,omitempty" json:"start,omitempty"`
	Expiry     string `xml:"Expiry,omitempty" json:"expiry,omitempty"`
	Permission string `xml:"Permission,omitempty" json:"permission,omitempty"`
}

// maxIdentifiers is Azure's limit of stored access policies per share.
const maxIdentifiers = 5

func (sh *share) policy(id string) (accessPolicy, bool) {
	for _, si := range sh.Identifiers {
		if si.ID == id {
			return si.Policy, true
		}
	}
	return accessPolicy{}, false
}

// armIdentifiers are the policies as ARM's share resource shows them.
func (sh *share) armIdentifiers() []armIdentifier {
	out := []armIdentifier{}
	for _, si := range sh.Identifiers {
		a := armIdentifier{ID: si.ID}
		a.AccessPolicy.StartTime, a.AccessPolicy.ExpiryTime, a.AccessPolicy.Permission = si.Policy.Start, si.Policy.Expiry, si.Policy.Permission
		out = append(out, a)
	}
	return out
}

func (f *fileReq) getShareACL(sh *share) {
	f.shareHeaders(sh)
	if len(sh.Identifiers) == 0 {
		f.writeXML("<SignedIdentifiers />")
		return
	}
	b, err := xml.Marshal(struct {
		XMLName     xml.Name           `xml:"SignedIdentifiers"`
		Identifiers []signedIdentifier `xml:"SignedIdentifier"`
	}{Identifiers: sh.Identifiers})
	if err != nil {
		f.internalError()
		return
	}
	f.writeXML(string(b))
}

// setShareACL is Set Share ACL: the body's policies replace the share's.
func (f *fileReq) setShareACL(sh *share) {
	ids, ok := f.readIdentifiers()
	if !ok {
		return
	}
	sh.Identifiers, sh.Modified = ids, time.Now().UTC()
	f.saveShare(sh)
}

func (f *fileReq) readIdentifiers() ([]signedIdentifier, bool) {
	bad := func() ([]signedIdentifier, bool) {
		f.fail(400, "InvalidXmlDocument", "XML specified is not syntactically valid.")
		return nil, false
	}
	b, err := io.ReadAll(io.LimitReader(f.r.Body, 64<<10))
	if err != nil {
		return bad()
	}
	text := strings.TrimPrefix(strings.TrimSpace(string(b)), "\uFEFF")
	if text == "" {
		return nil, true // no body: no policies
	}
	var doc struct {
		Identifiers []signedIdentifier `xml:"SignedIdentifier"`
	}
	if xml.Unmarshal([]byte(text), &doc) != nil || validIdentifiers(doc.Identifiers) != nil {
		return bad()
	}
	return doc.Identifiers, true
}

// validIdentifiers checks policies as Azure does: at most five, ids of 1
// to 64 characters, permissions among rcwdl, times that parse.
func validIdentifiers(ids []signedIdentifier) *core.APIError {
	bad := core.NewError(400, "InvalidXmlDocument", "XML specified is not syntactically valid.")
	if len(ids) > maxIdentifiers {
		return bad
	}
	for _, si := range ids {
		p := si.Policy
		if si.ID == "" || len(si.ID) > 64 || strings.Trim(p.Permission, "rcwdl") != "" {
			return bad
		}
		for _, t := range []string{p.Start, p.Expiry} {
			if _, ok := sasTime(t); t != "" && !ok {
				return bad
			}
		}
	}
	return nil
}

// createDirectory is Create Directory; fi is what the path holds already.
func (f *fileReq) createDirectory(root *os.Root, p string, fi fs.FileInfo) {
	switch {
	case f.file == "" || (fi != nil && fi.IsDir()):
		f.fail(409, "ResourceAlreadyExists", "The specified resource already exists.")
		return
	case fi != nil:
		f.fail(409, "ResourceTypeMismatch", "The specified resource type does not match the type of the existing resource.")
		return
	case !f.parentExists(root):
		f.fail(404, "ParentNotFound", "The specified parent path does not exist.")
		return
	}
	md, ok := metadataOf(f.r.Header)
	if !ok {
		f.emptyMetadataKey()
		return
	}
	if err := root.Mkdir(p, 0o777); err != nil {
		f.internalError()
		return
	}
	_ = root.Chmod(p, 0o777)
	props := &fileProps{Metadata: md}
	if !f.saveProps(props) {
		return
	}
	if fi, err := root.Stat(p); err == nil {
		f.smbHeaders(fi, props, true)
	}
	f.done(201)
}

func (f *fileReq) directoryProperties(_ *os.Root, _ string, fi fs.FileInfo) {
	props := f.loadProps()
	f.smbHeaders(fi, props, true)
	setMetadata(f.w.Header(), props.Metadata)
	f.done(200)
}

func (f *fileReq) deleteDirectory(root *os.Root, p string, _ fs.FileInfo) {
	if f.file == "" {
		f.fail(400, "InvalidUri", "The requested URI does not represent any resource on the server.")
		return
	}
	if ents, _ := readDir(root, p); len(ents) > 0 {
		f.fail(409, "DirectoryNotEmpty", "The specified directory is not empty.")
		return
	}
	if err := root.Remove(p); err != nil {
		f.internalError()
		return
	}
	f.dropProps(true)
	f.done(202)
}

func (f *fileReq) setDirectoryProperties(_ *os.Root, _ string, fi fs.FileInfo) {
	f.smbHeaders(fi, f.loadProps(), true)
	f.done(200)
}

// noHandles: no SMB client holds a handle on aci local's shares.
func (f *fileReq) noHandles() {
	f.writeXML("<EnumerationResults><Entries /><NextMarker /></EnumerationResults>")
}

func (f *fileReq) closeNoHandles() {
	f.w.Header().Set("x-ms-number-of-handles-closed", "0")
	f.w.Header().Set("x-ms-number-of-handles-failed", "0")
	f.done(200)
}

func (f *fileReq) setFileProperties(_ *os.Root, fh *os.File, fi fs.FileInfo) {
	props := f.loadProps()
	contentHeadersIn(f.r.Header, props)
	if cl := f.r.Header.Get("x-ms-content-length"); cl != "" {
		n, err := strconv.ParseInt(cl, 10, 64)
		if err != nil || n < 0 {
			f.fail(400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.")
			return
		}
		if !f.fits(n - fi.Size()) {
			return
		}
		if err := fh.Truncate(n); err != nil {
			f.internalError()
			return
		}
	}
	if !f.saveProps(props) {
		return
	}
	if st, err := fh.Stat(); err == nil {
		fi = st
	}
	f.smbHeaders(fi, props, false)
	f.done(200)
}

func (f *fileReq) deleteFile(root *os.Root, _ *os.File, _ fs.FileInfo) {
	if err := root.Remove(f.file); err != nil {
		f.internalError()
		return
	}
	f.dropProps(false)
	f.done(202)
}

func (f *fileReq) listRanges(_ *os.Root, _ *os.File, fi fs.FileInfo) {
	f.w.Header().Set("x-ms-content-length", strconv.FormatInt(fi.Size(), 10))
	f.w.Header().Set("ETag", etag(fi.ModTime()))
	f.w.Header().Set("Last-Modified", httpTime(fi.ModTime()))
	body := "<Ranges />"
	if fi.Size() > 0 {
		body = "<Ranges><Range><Start>0</Start><End>" + strconv.FormatInt(fi.Size()-1, 10) + "</End></Range></Ranges>"
	}
	f.writeXML(body)
}

// leaseFile is Lease File.
func (f *fileReq) leaseFile(_ *os.Root, _ *os.File, fi fs.FileInfo) {
	props := f.loadProps()
	status, ok := f.leaseAction(&props.Lease, false)
	if !ok {
		return
	}
	if !f.saveProps(props) {
		return
	}
	f.leaseAnswer(props.Lease, status, etag(fi.ModTime()), fi.ModTime())
}
