package storage

import (
	"io/fs"
	"net/http"
	"os"
	"strings"
)

// operation is one operation of the file service, as Azure's REST reference
// names it: how a request selects it (method, comp, restype), the SAS
// permission it needs (Azure's table of permissions for a share, a
// directory and a file), and what serves it. The dispatchers below check
// existence, the permission and any lease before serve runs, so an
// operation's body never does.
type operation[T any] struct {
	name    string
	methods string // space-separated
	comp    string
	restype string // matched only when set
	perm    byte   // r w d l c; 0: serve decides (Create File: c, or w to overwrite)
	creates bool   // its target need not exist
	writes  bool   // a lease on the target must be named
	serve   T
}

func lookup[T any](ops []operation[T], r *http.Request, comp, restype string) *operation[T] {
	for i := range ops {
		op := &ops[i]
		if op.comp == comp && (op.restype == "" || op.restype == restype) && strings.Contains(" "+op.methods+" ", " "+r.Method+" ") {
			return op
		}
	}
	return nil
}

type (
	serviceFn func(f *fileReq)
	shareFn   func(f *fileReq, sh *share)
	dirFn     func(f *fileReq, root *os.Root, p string, fi fs.FileInfo)
	fileFn    func(f *fileReq, root *os.Root, fh *os.File, fi fs.FileInfo)
)

var serviceOps = []operation[serviceFn]{
	{name: "List Shares", methods: "GET", comp: "list", perm: 'l', serve: (*fileReq).listShares},
	{name: "Get File Service Properties", methods: "GET", comp: "properties", restype: "service", perm: 'r', serve: (*fileReq).serviceProperties},
	{name: "Set File Service Properties", methods: "PUT", comp: "properties", restype: "service", perm: 'w', serve: func(f *fileReq) { f.done(202) }},
}

var shareOps = []operation[shareFn]{
	{name: "Create Share", methods: "PUT", perm: 'c', creates: true, serve: (*fileReq).createShare},
	{name: "Get Share Properties", methods: "GET HEAD", perm: 'r', serve: (*fileReq).shareProperties},
	{name: "Delete Share", methods: "DELETE", perm: 'd', writes: true, serve: (*fileReq).deleteShare},
	{name: "Set Share Metadata", methods: "PUT", comp: "metadata", perm: 'w', serve: (*fileReq).setShareMetadata},
	{name: "Set Share Properties", methods: "PUT", comp: "properties", perm: 'w', serve: (*fileReq).setShareProperties},
	{name: "Get Share Stats", methods: "GET", comp: "stats", perm: 'r', serve: (*fileReq).shareStats},
	{name: "Get Share ACL", methods: "GET HEAD", comp: "acl", perm: 'r', serve: (*fileReq).getShareACL},
	{name: "Set Share ACL", methods: "PUT", comp: "acl", perm: 'w', serve: (*fileReq).setShareACL},
	{name: "Lease Share", methods: "PUT", comp: "lease", perm: 'w', serve: (*fileReq).leaseShare},
}

var dirOps = []operation[dirFn]{
	{name: "Create Directory", methods: "PUT", perm: 'c', creates: true, serve: (*fileReq).createDirectory},
	{name: "Get Directory Properties", methods: "GET HEAD", perm: 'r', serve: (*fileReq).directoryProperties},
	{name: "Delete Directory", methods: "DELETE", perm: 'd', serve: (*fileReq).deleteDirectory},
	{name: "Set Directory Metadata", methods: "PUT", comp: "metadata", perm: 'w', serve: func(f *fileReq, _ *os.Root, _ string, fi fs.FileInfo) { f.setMetadata(fi) }},
	{name: "Set Directory Properties", methods: "PUT", comp: "properties", perm: 'w', serve: (*fileReq).setDirectoryProperties},
	{name: "List Directories and Files", methods: "GET", comp: "list", perm: 'l', serve: func(f *fileReq, root *os.Root, p string, _ fs.FileInfo) { f.listDir(root, p) }},
	{name: "List Handles", methods: "GET", comp: "listhandles", perm: 'r', serve: func(f *fileReq, _ *os.Root, _ string, _ fs.FileInfo) { f.noHandles() }},
	{name: "Force Close Handles", methods: "PUT", comp: "forceclosehandles", perm: 'w', serve: func(f *fileReq, _ *os.Root, _ string, _ fs.FileInfo) { f.closeNoHandles() }},
}

var fileOps = []operation[fileFn]{
	{name: "Create File", methods: "PUT", creates: true, writes: true, serve: (*fileReq).createFile},
	{name: "Get File", methods: "GET HEAD", perm: 'r', serve: func(f *fileReq, _ *os.Root, fh *os.File, fi fs.FileInfo) { f.readFile(fh, fi) }},
	{name: "Put Range", methods: "PUT", comp: "range", perm: 'w', writes: true, serve: func(f *fileReq, _ *os.Root, fh *os.File, fi fs.FileInfo) { f.putRange(fh, fi) }},
	{name: "Set File Properties", methods: "PUT", comp: "properties", perm: 'w', writes: true, serve: (*fileReq).setFileProperties},
	{name: "Set File Metadata", methods: "PUT", comp: "metadata", perm: 'w', writes: true, serve: func(f *fileReq, _ *os.Root, _ *os.File, fi fs.FileInfo) { f.setMetadata(fi) }},
	{name: "Delete File", methods: "DELETE", perm: 'd', writes: true, serve: (*fileReq).deleteFile},
	{name: "List Ranges", methods: "GET", comp: "rangelist", perm: 'r', serve: (*fileReq).listRanges},
	{name: "Lease File", methods: "PUT", comp: "lease", perm: 'w', serve: (*fileReq).leaseFile},
	{name: "List Handles", methods: "GET", comp: "listhandles", perm: 'r', serve: func(f *fileReq, _ *os.Root, _ *os.File, _ fs.FileInfo) { f.noHandles() }},
	{name: "Force Close Handles", methods: "PUT", comp: "forceclosehandles", perm: 'w', serve: func(f *fileReq, _ *os.Root, _ *os.File, _ fs.FileInfo) { f.closeNoHandles() }},
}

func (f *fileReq) badOperation() {
	f.fail(400, "InvalidQueryParameterValue", "Value for one of the query parameters specified in the request URI is invalid.")
}

// service serves the account level.
func (f *fileReq) service(comp, restype string) {
	op := lookup(serviceOps, f.r, comp, restype)
	if op == nil {
		f.badOperation()
		return
	}
	if f.allowed(op.perm, 's') {
		op.serve(f)
	}
}

// shareOp serves a share; only Create Share may find none.
func (f *fileReq) shareOp(comp string) {
	defer f.h.lock(f.acct.ID)()
	sh, err := f.h.getShare(f.acct.ID, f.share)
	if err != nil {
		sh = nil
	}
	op := lookup(shareOps, f.r, comp, "")
	switch {
	case op != nil && op.creates:
	case sh == nil:
		f.shareNotFound()
		return
	case op == nil:
		f.badOperation()
		return
	}
	if !f.allowed(op.perm, 'c') {
		return
	}
	if op.writes && sh != nil && !f.shareLeaseAllows(sh) {
		return
	}
	op.serve(f, sh)
}

// dirOp serves a directory (the share's root included).
func (f *fileReq) dirOp(comp string) {
	root, ok := f.root()
	if !ok {
		return
	}
	defer root.Close()
	p := rel(f.file)
	fi, statErr := root.Stat(p)
	if statErr != nil {
		fi = nil
	}
	op := lookup(dirOps, f.r, comp, "")
	if op == nil || !op.creates {
		switch {
		case fi != nil && fi.IsDir():
		case comp == "list" || fi == nil || f.r.Method == http.MethodGet || f.r.Method == http.MethodHead:
			// A file is no directory: reading one as a directory is "not
			// found", as Azure answers (az's upload-batch asks whether each
			// uploaded file is a directory, and takes 404 for no).
			f.fail(404, "ResourceNotFound", "The specified resource does not exist.")
			return
		default:
			f.fail(409, "ResourceTypeMismatch", "The specified resource type does not match the type of the existing resource.")
			return
		}
	}
	if op == nil {
		f.badOperation()
		return
	}
	if f.allowed(op.perm, 'o') {
		op.serve(f, root, p, fi)
	}
}

// fileOp serves a file; only Create File may find none.
func (f *fileReq) fileOp(comp string) {
	root, ok := f.root()
	if !ok {
		return
	}
	defer root.Close()
	fh, fi, err := openFile(root, f.file, os.O_RDWR)
	switch {
	case err == nil:
		defer fh.Close()
	case !isNotExist(err):
		// A directory, a FIFO, a symlink out of the share: no file of ours.
		f.fail(409, "ResourceTypeMismatch", "The specified resource type does not match the type of the existing resource.")
		return
	default:
		fh, fi = nil, nil
	}
	op := lookup(fileOps, f.r, comp, "")
	switch {
	case op != nil && op.creates:
	case fh == nil:
		f.fail(404, "ResourceNotFound", "The specified resource does not exist.")
		return
	case op == nil:
		f.badOperation()
		return
	}
	perm := op.perm
	if perm == 0 { // Create File: a new file, or an overwrite
		perm = 'c'
		if fh != nil {
			perm = 'w'
		}
	}
	if !f.allowed(perm, 'o') {
		return
	}
	if fh != nil && !f.fileLeaseAllows(op.writes) {
		return
	}
	op.serve(f, root, fh, fi)
}
