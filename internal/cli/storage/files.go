package storage

import (
	"context"
	"crypto/md5"
	"fmt"
	"io"
	"mime"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/directory"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/file"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/fileerror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/output"
	"github.com/spf13/cobra"
)

func parseIP(s string) net.IP { return net.ParseIP(strings.TrimSpace(s)) }

// splitPath cleans a share path ("dir/sub/file") into its segments; ".."
// and empty segments are refused here, before any request.
func splitPath(p string) ([]string, error) {
	p = strings.Trim(strings.ReplaceAll(p, `\`, "/"), "/")
	if p == "" {
		return nil, nil
	}
	segs := strings.Split(p, "/")
	for _, s := range segs {
		if s == "" || s == "." || s == ".." {
			return nil, cmdutil.UsageError("invalid path '%s': a share path names directories and a file, without '.' or '..'", p)
		}
	}
	return segs, nil
}

// dirClient walks to a directory segment by segment, so the URL keeps its
// slashes as the service expects.
func dirClient(sc *share.Client, segs []string) *directory.Client {
	d := sc.NewRootDirectoryClient()
	for _, s := range segs {
		d = d.NewSubdirectoryClient(s)
	}
	return d
}

func fileClient(sc *share.Client, p string) (*file.Client, error) {
	segs, err := splitPath(p)
	if err != nil {
		return nil, err
	}
	if len(segs) == 0 {
		return nil, cmdutil.UsageError("argument --path/-p: expected a file path")
	}
	return dirClient(sc, segs[:len(segs)-1]).NewFileClient(segs[len(segs)-1]), nil
}

// shareTarget is --share-name/-s with the credentials.
type shareTarget struct {
	creds
	Share string
}

func (t *shareTarget) flags(cmd *cobra.Command, shareFlag, short string) {
	t.creds.flags(cmd)
	cmd.Flags().StringVarP(&t.Share, shareFlag, short, "", "The file share name.")
}

func (t *shareTarget) client(f *cmdutil.Factory, d *Deps, flag string) (*share.Client, error) {
	var m cmdutil.Missing
	m.Need(flag, t.Share)
	if err := m.Err(); err != nil {
		return nil, err
	}
	svc, err := t.creds.client(f, d)
	if err != nil {
		return nil, err
	}
	return svc.NewShareClient(t.Share), nil
}

func newDirectory(f *cmdutil.Factory, d *Deps) *cobra.Command {
	cmd := cmdutil.GroupCommand(&cobra.Command{Use: "directory", Short: "Manage file storage directories."})
	cmd.AddCommand(newDirCreate(f, d), newDirDelete(f, d), newDirExists(f, d), newDirList(f, d))
	return cmd
}

// DirOptions are the directory commands' arguments.
type DirOptions struct {
	shareTarget
	Name     string
	Metadata []string
	Fail     bool
}

func (o *DirOptions) dir(f *cmdutil.Factory, d *Deps, needName bool) (*directory.Client, error) {
	if needName {
		var m cmdutil.Missing
		m.Need("--share-name/-s", o.Share)
		m.Need("--name/-n", o.Name)
		if err := m.Err(); err != nil {
			return nil, err
		}
	}
	segs, err := splitPath(o.Name)
	if err != nil {
		return nil, err
	}
	sc, err := o.client(f, d, "--share-name/-s")
	if err != nil {
		return nil, err
	}
	return dirClient(sc, segs), nil
}

// dirCreateRun creates the directory; one that exists is created: false
// unless --fail-on-exist.
func dirCreateRun(f *cmdutil.Factory, d *Deps, o *DirOptions) error {
	dc, err := o.dir(f, d, true)
	if err != nil {
		return err
	}
	opts := &directory.CreateOptions{}
	if len(o.Metadata) > 0 {
		opts.Metadata = sdkMetadata(o.Metadata)
	}
	_, err = dc.Create(f.Context(), opts)
	if fileerror.HasCode(err, fileerror.ResourceAlreadyExists) && !o.Fail {
		return printFlag(f, "created", false)
	}
	if err != nil {
		return storageErr(err, false)
	}
	return printFlag(f, "created", true)
}

func newDirCreate(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &DirOptions{}
	cmd := &cobra.Command{
		Use: "create", Short: "Create a new directory under the specified share or parent directory.", Args: cobra.NoArgs,
		Example: "  aci storage directory create -s myshare -n logs --connection-string \"$AZURE_STORAGE_CONNECTION_STRING\"",
		RunE: func(cmd *cobra.Command, args []string) error {
			return dirCreateRun(f, d, o)
		},
	}
	o.flags(cmd, "share-name", "s")
	cmd.Flags().StringVarP(&o.Name, "name", "n", "", "The directory name, or a path of directories (the parents must exist).")
	cmd.Flags().StringArrayVar(&o.Metadata, "metadata", nil, "Metadata in space-separated key=value pairs.")
	cmdutil.NArgs(cmd, "metadata")
	cmd.Flags().BoolVar(&o.Fail, "fail-on-exist", false, "Throw an exception if the directory already exists.")
	return cmd
}

// dirDeleteRun deletes the (empty) directory; a missing one is deleted:
// false unless --fail-not-exist.
func dirDeleteRun(f *cmdutil.Factory, d *Deps, o *DirOptions) error {
	dc, err := o.dir(f, d, true)
	if err != nil {
		return err
	}
	_, err = dc.Delete(f.Context(), nil)
	if fileerror.HasCode(err, fileerror.ResourceNotFound) && !o.Fail {
		return printFlag(f, "deleted", false)
	}
	if err != nil {
		return storageErr(err, false)
	}
	return printFlag(f, "deleted", true)
}

func newDirDelete(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &DirOptions{}
	cmd := &cobra.Command{
		Use: "delete", Short: "Delete the specified empty directory.", Args: cobra.NoArgs,
		Example: "  aci storage directory delete -s myshare -n logs --connection-string \"$AZURE_STORAGE_CONNECTION_STRING\"",
		RunE: func(cmd *cobra.Command, args []string) error {
			return dirDeleteRun(f, d, o)
		},
	}
	o.flags(cmd, "share-name", "s")
	cmd.Flags().StringVarP(&o.Name, "name", "n", "", "The directory name.")
	cmd.Flags().BoolVar(&o.Fail, "fail-not-exist", false, "Throw an exception if the directory does not exist.")
	return cmd
}

func dirExistsRun(f *cmdutil.Factory, d *Deps, o *DirOptions) error {
	dc, err := o.dir(f, d, true)
	if err != nil {
		return err
	}
	_, err = dc.GetProperties(f.Context(), nil)
	return printExists(f, err, fileerror.ResourceNotFound, fileerror.ParentNotFound, fileerror.ShareNotFound, fileerror.ResourceTypeMismatch)
}

func newDirExists(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &DirOptions{}
	cmd := &cobra.Command{
		Use: "exists", Short: "Check for the existence of a storage directory.", Args: cobra.NoArgs,
		Example: "  aci storage directory exists -s myshare -n logs --connection-string \"$AZURE_STORAGE_CONNECTION_STRING\"",
		RunE:    func(cmd *cobra.Command, args []string) error { return dirExistsRun(f, d, o) },
	}
	o.flags(cmd, "share-name", "s")
	cmd.Flags().StringVarP(&o.Name, "name", "n", "", "The directory name.")
	return cmd
}

func dirListRun(f *cmdutil.Factory, d *Deps, o *DirOptions) error {
	dc, err := o.dir(f, d, false)
	if err != nil {
		return err
	}
	items, err := listEntries(f, dc, true, false)
	if err != nil {
		return err
	}
	return f.Print(items, cmdutil.PrintOptions{Table: fileTable})
}

func newDirList(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &DirOptions{}
	cmd := &cobra.Command{
		Use: "list", Short: "List directories in a share.", Args: cobra.NoArgs,
		Example: "  aci storage directory list -s myshare --connection-string \"$AZURE_STORAGE_CONNECTION_STRING\"",
		RunE:    func(cmd *cobra.Command, args []string) error { return dirListRun(f, d, o) },
	}
	o.flags(cmd, "share-name", "s")
	cmd.Flags().StringVarP(&o.Name, "name", "n", "", "The directory whose subdirectories to list (the share's root when left out).")
	return cmd
}

// listEntries lists a directory as az prints it: directories first, then
// files (az's SDK reads the two kinds apart).
func listEntries(f *cmdutil.Factory, dc *directory.Client, dirsOnly, filesOnly bool) ([]any, error) {
	var dirs, files []any
	pager := dc.NewListFilesAndDirectoriesPager(&directory.ListFilesAndDirectoriesOptions{
		Include: directory.ListFilesInclude{Timestamps: true, ETag: true, Attributes: true, PermissionKey: true}})
	for pager.More() {
		page, err := pager.NextPage(f.Context())
		if err != nil {
			return nil, storageErr(err, true)
		}
		if page.Segment == nil {
			continue
		}
		for _, e := range page.Segment.Directories {
			p := e.Properties
			if p == nil {
				p = &directory.FileProperty{}
			}
			dirs = append(dirs, map[string]any{"changeTime": pyTime(p.ChangeTime), "creationTime": pyTime(p.CreationTime),
				"fileAttributes": str(e.Attributes), "fileId": str(e.ID), "isDirectory": true, "lastAccessTime": pyTime(p.LastAccessTime),
				"lastWriteTime": pyTime(p.LastWriteTime), "metadata": nil, "name": str(e.Name), "parentId": nil, "permissionKey": str(e.PermissionKey),
				"properties": map[string]any{"etag": etagOf(p.ETag), "lastModified": pyTime(p.LastModified), "serverEncrypted": nil}, "type": "dir"})
		}
		for _, e := range page.Segment.Files {
			p := e.Properties
			if p == nil {
				p = &directory.FileProperty{}
			}
			var size any
			if p.ContentLength != nil {
				size = *p.ContentLength
			}
			files = append(files, map[string]any{"changeTime": pyTime(p.ChangeTime), "contentLength": nil, "creationTime": pyTime(p.CreationTime),
				"fileAttributes": str(e.Attributes), "fileId": str(e.ID), "fileType": nil, "isDirectory": false, "lastAccessTime": pyTime(p.LastAccessTime),
				"lastWriteTime": pyTime(p.LastWriteTime), "lease": map[string]any{"duration": nil, "state": nil, "status": nil}, "metadata": nil,
				"name": str(e.Name), "parentId": nil, "path": nil, "permissionKey": str(e.PermissionKey),
				"properties": map[string]any{"contentLength": size, "contentRange": nil, "contentSettings": emptySettings(), "copy": emptyCopy(),
					"etag": etagOf(p.ETag), "lastModified": pyTime(p.LastModified), "serverEncrypted": nil},
				"share": nil, "snapshot": nil, "type": "file"})
		}
	}
	out := []any{}
	if !filesOnly {
		out = append(out, dirs...)
	}
	if !dirsOnly {
		out = append(out, files...)
	}
	return out, nil
}

func emptySettings() map[string]any {
	return map[string]any{"cacheControl": nil, "contentDisposition": nil, "contentEncoding": nil, "contentLanguage": nil, "contentMd5": nil, "contentType": nil}
}

func emptyCopy() map[string]any {
	return map[string]any{"completionTime": nil, "destinationSnapshot": nil, "id": nil, "incrementalCopy": nil, "progress": nil, "source": nil,
		"status": nil, "statusDescription": nil}
}

// fileTable is az's transform_file_output: Name (directories with a
// trailing slash), Content Length, Type, Last Modified.
func fileTable(v any) (any, error) {
	items, _ := v.([]any)
	rows := []any{}
	for _, it := range items {
		m, _ := it.(map[string]any)
		props, _ := m["properties"].(map[string]any)
		name := fmt.Sprint(m["name"])
		size := any(" ")
		if m["type"] == "dir" {
			name += "/"
		} else {
			size = props["contentLength"]
		}
		lm := props["lastModified"]
		if lm == nil || lm == "" {
			lm = " "
		}
		rows = append(rows, output.NewOrderedMap("Name", name, "Content Length", size, "Type", m["type"], "Last Modified", lm))
	}
	sort.SliceStable(rows, func(i, j int) bool {
		return rows[i].(*output.OrderedMap).Values["Name"].(string) < rows[j].(*output.OrderedMap).Values["Name"].(string)
	})
	return rows, nil
}

func newFile(f *cmdutil.Factory, d *Deps) *cobra.Command {
	cmd := cmdutil.GroupCommand(&cobra.Command{Use: "file", Short: "Manage file shares that use the SMB 3.0 protocol."})
	cmd.AddCommand(newFileUpload(f, d), newFileDownload(f, d), newFileList(f, d), newFileShow(f, d), newFileDelete(f, d), newFileExists(f, d),
		newUploadBatch(f, d), newDownloadBatch(f, d))
	return cmd
}

// FileOptions are the single-file commands' arguments.
type FileOptions struct {
	shareTarget
	Path, Source, Dest, ContentType string
	Metadata                        []string
	NoProgress                      bool
}

func (o *FileOptions) file(f *cmdutil.Factory, d *Deps) (*file.Client, error) {
	var m cmdutil.Missing
	m.Need("--share-name/-s", o.Share)
	m.Need("--path/-p", o.Path)
	if err := m.Err(); err != nil {
		return nil, err
	}
	if _, err := splitPath(o.Path); err != nil {
		return nil, err
	}
	sc, err := o.client(f, d, "--share-name/-s")
	if err != nil {
		return nil, err
	}
	return fileClient(sc, o.Path)
}

// progress draws az's bar on stderr for transfers over a few MB, and only
// on a terminal.
func progress(f *cmdutil.Factory, total int64, off bool) func(int64) {
	if off || !f.IO.StderrTTY || total < 4<<20 {
		return nil
	}
	return progressBar(f.IO.ErrOut, total)
}

// progressBar draws az's bar on w. The SDK reports from several goroutines
// and may report the end more than once: the bar redraws only when it
// changes and ends (with its newline) once.
func progressBar(w io.Writer, total int64) func(int64) {
	var mu sync.Mutex
	last, ended := -1.0, false
	return func(done int64) {
		mu.Lock()
		defer mu.Unlock()
		pct := float64(min(done, total)) * 100 / float64(total)
		if ended || pct == last {
			return
		}
		last = pct
		bar := strings.Repeat("#", int(pct*64/100))
		fmt.Fprintf(w, "\rFinished[%-64s]  %.4f%%", bar, pct)
		if done >= total {
			ended = true
			fmt.Fprintln(w)
		}
	}
}

// guessType is Python's mimetypes.guess_type as az uses it: the type alone,
// without Go's "; charset=utf-8", and octet-stream when unknown.
func guessType(name string) string {
	ct, _, _ := strings.Cut(mime.TypeByExtension(filepath.Ext(name)), ";")
	if ct == "" {
		return "application/octet-stream"
	}
	return ct
}

// upload creates the file at its size and sends it in 4 MiB ranges; the
// answer is az's dict of the last range's response.
func upload(f *cmdutil.Factory, fc *file.Client, src, contentType string, metadata map[string]string, noProgress bool) (map[string]any, error) {
	fh, err := os.Open(src)
	if err != nil {
		return nil, cmdutil.Fail("[Errno 2] No such file or directory: '%s'\nPlease check the file path.", src)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil || st.IsDir() {
		return nil, cmdutil.Fail("[Errno 21] Is a directory: '%s'", src)
	}
	if contentType == "" {
		contentType = guessType(src)
	}
	opts := &file.CreateOptions{HTTPHeaders: &file.HTTPHeaders{ContentType: &contentType}}
	if len(metadata) > 0 {
		opts.Metadata = map[string]*string{}
		for k, v := range metadata {
			opts.Metadata[k] = to.Ptr(v)
		}
	}
	if _, err := fc.Create(f.Context(), st.Size(), opts); err != nil {
		return nil, storageErr(err, false)
	}
	uo := &file.UploadFileOptions{Concurrency: 2}
	if p := progress(f, st.Size(), noProgress); p != nil {
		uo.Progress = p
	}
	if err := fc.UploadFile(f.Context(), fh, uo); err != nil {
		return nil, storageErr(err, false)
	}
	props, err := fc.GetProperties(f.Context(), nil)
	if err != nil {
		return nil, storageErr(err, false)
	}
	// What az prints is the last Put Range's headers, which name the same
	// file state as its properties now; its MD5 is the last 4 MiB range's,
	// printed as az prints bytes.
	var md5hex any
	if st.Size() > 0 {
		last := (st.Size() - 1) / file.MaxUpdateRangeBytes * file.MaxUpdateRangeBytes
		h := md5.New()
		if _, err := io.Copy(h, io.NewSectionReader(fh, last, st.Size()-last)); err == nil {
			var b strings.Builder
			for _, c := range h.Sum(nil) {
				fmt.Fprintf(&b, "0x%x", c)
			}
			md5hex = b.String()
		}
	}
	out := map[string]any{"content_md5": md5hex, "date": pyTime(props.Date), "etag": etagOf(props.ETag), "file_last_write_time": nil,
		"last_modified": pyTime(props.LastModified), "request_id": str(props.RequestID), "request_server_encrypted": props.IsServerEncrypted != nil && *props.IsServerEncrypted,
		"version": str(props.Version)}
	return out, nil
}

func fileUploadRun(f *cmdutil.Factory, d *Deps, o *FileOptions) error {
	fc, err := o.file(f, d)
	if err != nil {
		return err
	}
	out, err := upload(f, fc, o.Source, o.ContentType, metadataOf(o.Metadata), o.NoProgress)
	if err != nil {
		return err
	}
	return f.Print(out, cmdutil.PrintOptions{})
}

func newFileUpload(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &FileOptions{}
	cmd := &cobra.Command{
		Use: "upload", Short: "Upload a file to a share that uses the SMB 3.0 protocol.", Args: cobra.NoArgs,
		Example: "  aci storage file upload -s myshare --source ./report.csv -p reports/report.csv --connection-string \"$AZURE_STORAGE_CONNECTION_STRING\"",
		RunE: func(cmd *cobra.Command, args []string) error {
			var m cmdutil.Missing
			m.Need("--share-name/-s", o.Share)
			m.Need("--source", o.Source)
			if err := m.Err(); err != nil {
				return err
			}
			if o.Path == "" {
				o.Path = filepath.Base(o.Source)
			}
			return fileUploadRun(f, d, o)
		},
	}
	o.flags(cmd, "share-name", "s")
	fl := cmd.Flags()
	fl.StringVar(&o.Source, "source", "", "Path of the local file to upload as the file content.")
	fl.StringVarP(&o.Path, "path", "p", "", "The path to the file within the file share. If the file name is omitted, the source file name will be used.")
	fl.StringVar(&o.ContentType, "content-type", "", "The content MIME type (guessed from the file name when left out).")
	fl.StringArrayVar(&o.Metadata, "metadata", nil, "Metadata in space-separated key=value pairs.")
	cmdutil.NArgs(cmd, "metadata")
	fl.BoolVar(&o.NoProgress, "no-progress", false, "Include this flag to disable progress reporting for the command.")
	return cmd
}

// fileShow is a file's properties as az's `file show` prints them.
func fileShow(share, p string, props file.GetPropertiesResponse) map[string]any {
	naive := func(t *time.Time) any {
		if t == nil {
			return nil
		}
		u := t.UTC()
		if u.Nanosecond()/1000 == 0 {
			return u.Format("2006-01-02T15:04:05")
		}
		return u.Format("2006-01-02T15:04:05.000000")
	}
	lease := map[string]any{"duration": nil, "state": nil, "status": nil}
	if props.LeaseState != nil {
		lease["state"] = string(*props.LeaseState)
	}
	if props.LeaseStatus != nil {
		lease["status"] = string(*props.LeaseStatus)
	}
	var size int64
	if props.ContentLength != nil {
		size = *props.ContentLength
	}
	settings := emptySettings()
	settings["contentType"] = str(props.ContentType)
	settings["contentEncoding"] = str(props.ContentEncoding)
	settings["contentLanguage"] = str(props.ContentLanguage)
	settings["cacheControl"] = str(props.CacheControl)
	settings["contentDisposition"] = str(props.ContentDisposition)
	var attrs any
	if props.FileAttributes != nil {
		attrs = *props.FileAttributes
	}
	name := p[strings.LastIndex(p, "/")+1:]
	return map[string]any{"changeTime": naive(props.FileChangeTime), "content": "", "creationTime": naive(props.FileCreationTime),
		"fileAttributes": attrs, "fileId": str(props.ID), "fileType": str(props.FileType), "isDirectory": false, "lastAccessTime": nil,
		"lastWriteTime": naive(props.FileLastWriteTime), "lease": lease, "metadata": metaOf(props.Metadata), "name": name,
		"parentId": str(props.ParentID), "path": p, "permissionKey": str(props.FilePermissionKey),
		"properties": map[string]any{"contentLength": size, "contentRange": nil, "contentSettings": settings, "copy": emptyCopy(),
			"etag": etagOf(props.ETag), "lastModified": pyTime(props.LastModified), "serverEncrypted": props.IsServerEncrypted != nil && *props.IsServerEncrypted},
		"share": share, "size": size, "snapshot": nil}
}

func fileShowRun(f *cmdutil.Factory, d *Deps, o *FileOptions) error {
	fc, err := o.file(f, d)
	if err != nil {
		return err
	}
	props, err := fc.GetProperties(f.Context(), nil)
	if err != nil {
		return storageErr(err, true)
	}
	return f.Print(fileShow(o.Share, strings.Trim(o.Path, "/"), props), cmdutil.PrintOptions{Table: fileTable})
}

func newFileShow(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &FileOptions{}
	cmd := &cobra.Command{
		Use: "show", Short: "Return all user-defined metadata, standard HTTP properties, and system properties for the file.", Args: cobra.NoArgs,
		Example: "  aci storage file show -s myshare -p reports/report.csv --connection-string \"$AZURE_STORAGE_CONNECTION_STRING\"",
		RunE:    func(cmd *cobra.Command, args []string) error { return fileShowRun(f, d, o) },
	}
	o.flags(cmd, "share-name", "s")
	cmd.Flags().StringVarP(&o.Path, "path", "p", "", "The path to the file within the file share.")
	return cmd
}

func download(f *cmdutil.Factory, fc *file.Client, dest string, noProgress bool) (file.GetPropertiesResponse, error) {
	props, err := fc.GetProperties(f.Context(), nil)
	if err != nil {
		return props, storageErr(err, true)
	}
	if dir := filepath.Dir(dest); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return props, cmdutil.Fail("%v", err)
		}
	}
	fh, err := os.Create(dest)
	if err != nil {
		return props, cmdutil.Fail("%v", err)
	}
	var size int64
	if props.ContentLength != nil {
		size = *props.ContentLength
	}
	err = fh.Truncate(size)
	if err == nil && size > 0 {
		err = downloadRanges(f.Context(), fc, fh, size, progress(f, size, noProgress))
	}
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dest)
		return props, storageErr(err, true)
	}
	return props, nil
}

// downloadRanges fetches the file in 4 MiB ranges, two at a time, each read
// whole into its worker's buffer and written with one pwrite. The SDK's
// DownloadFile wrote every 16 KiB TLS record as its own pwrite, which was a
// third of a large download's CPU.
func downloadRanges(ctx context.Context, fc *file.Client, fh *os.File, size int64, report func(int64)) error {
	const chunk, workers = file.DefaultDownloadChunkSize, 2
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	offsets := make(chan int64)
	errs := make(chan error, workers)
	var mu sync.Mutex // the bar moves forward only
	done := int64(0)
	for range workers {
		go func() {
			buf := make([]byte, chunk)
			for off := range offsets {
				if err := downloadRange(ctx, fc, fh, off, buf[:min(chunk, size-off)]); err != nil {
					errs <- err // before cancel: the other worker's "canceled" comes second
					cancel()
					return
				}
				mu.Lock()
				done += min(chunk, size-off)
				if report != nil {
					report(done)
				}
				mu.Unlock()
			}
			errs <- nil
		}()
	}
	go func() {
		defer close(offsets)
		for off := int64(0); off < size; off += chunk {
			select {
			case offsets <- off:
			case <-ctx.Done():
				return
			}
		}
	}()
	var first error
	for range workers {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

func downloadRange(ctx context.Context, fc *file.Client, fh *os.File, off int64, buf []byte) error {
	resp, err := fc.DownloadStream(ctx, &file.DownloadStreamOptions{Range: file.HTTPRange{Offset: off, Count: int64(len(buf))}})
	if err != nil {
		return err
	}
	body := resp.NewRetryReader(ctx, nil)
	defer body.Close()
	if _, err := io.ReadFull(body, buf); err != nil {
		return err
	}
	_, err = fh.WriteAt(buf, off)
	return err
}

// fileDownloadRun writes the file to --dest (into it, when a directory; to
// the file's own name, when left out).
func fileDownloadRun(f *cmdutil.Factory, d *Deps, o *FileOptions) error {
	fc, err := o.file(f, d)
	if err != nil {
		return err
	}
	p := strings.Trim(o.Path, "/")
	name := p[strings.LastIndex(p, "/")+1:]
	dest := o.Dest
	if dest == "" {
		dest = name
	} else if st, err := os.Stat(dest); err == nil && st.IsDir() {
		dest = filepath.Join(dest, name)
	}
	props, err := download(f, fc, dest, o.NoProgress)
	if err != nil {
		return err
	}
	return f.Print(fileShow(o.Share, p, props), cmdutil.PrintOptions{Table: fileTable})
}

func newFileDownload(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &FileOptions{}
	cmd := &cobra.Command{
		Use: "download", Short: "Download a file to a file path, with automatic chunking and progress notifications.", Args: cobra.NoArgs,
		Example: "  aci storage file download -s myshare -p reports/report.csv --dest ./report.csv --connection-string \"$AZURE_STORAGE_CONNECTION_STRING\"",
		RunE: func(cmd *cobra.Command, args []string) error {
			return fileDownloadRun(f, d, o)
		},
	}
	o.flags(cmd, "share-name", "s")
	cmd.Flags().StringVarP(&o.Path, "path", "p", "", "The path to the file within the file share.")
	cmd.Flags().StringVar(&o.Dest, "dest", "", "Path of the file to write to. The source filename will be used if not specified.")
	cmd.Flags().BoolVar(&o.NoProgress, "no-progress", false, "Include this flag to disable progress reporting for the command.")
	return cmd
}

func fileListRun(f *cmdutil.Factory, d *Deps, o *FileOptions, excludeDir bool) error {
	segs, err := splitPath(o.Path)
	if err != nil {
		return err
	}
	sc, err := o.client(f, d, "--share-name/-s")
	if err != nil {
		return err
	}
	items, err := listEntries(f, dirClient(sc, segs), false, excludeDir)
	if err != nil {
		return err
	}
	return f.Print(items, cmdutil.PrintOptions{Table: fileTable})
}

func newFileList(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &FileOptions{}
	var excludeDir bool
	cmd := &cobra.Command{
		Use: "list", Short: "List files and directories in a share.", Args: cobra.NoArgs,
		Example: "  aci storage file list -s myshare --connection-string \"$AZURE_STORAGE_CONNECTION_STRING\" -o table",
		RunE: func(cmd *cobra.Command, args []string) error {
			return fileListRun(f, d, o, excludeDir)
		},
	}
	o.flags(cmd, "share-name", "s")
	cmd.Flags().StringVarP(&o.Path, "path", "p", "", "The directory path within the file share.")
	cmd.Flags().BoolVar(&excludeDir, "exclude-dir", false, "List only files in the given share.")
	return cmd
}

func fileDeleteRun(f *cmdutil.Factory, d *Deps, o *FileOptions) error {
	fc, err := o.file(f, d)
	if err != nil {
		return err
	}
	if _, err := fc.Delete(f.Context(), nil); err != nil {
		return storageErr(err, false)
	}
	return f.Print(map[string]any{"deleted": true}, cmdutil.PrintOptions{Table: boolTable})
}

func newFileDelete(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &FileOptions{}
	cmd := &cobra.Command{
		Use: "delete", Short: "Mark the specified file for deletion.", Args: cobra.NoArgs,
		Example: "  aci storage file delete -s myshare -p reports/report.csv --connection-string \"$AZURE_STORAGE_CONNECTION_STRING\"",
		RunE:    func(cmd *cobra.Command, args []string) error { return fileDeleteRun(f, d, o) },
	}
	o.flags(cmd, "share-name", "s")
	cmd.Flags().StringVarP(&o.Path, "path", "p", "", "The path to the file within the file share.")
	return cmd
}

func fileExistsRun(f *cmdutil.Factory, d *Deps, o *FileOptions) error {
	fc, err := o.file(f, d)
	if err != nil {
		return err
	}
	_, err = fc.GetProperties(f.Context(), nil)
	return printExists(f, err, fileerror.ResourceNotFound, fileerror.ParentNotFound, fileerror.ShareNotFound, fileerror.ResourceTypeMismatch)
}

func newFileExists(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &FileOptions{}
	cmd := &cobra.Command{
		Use: "exists", Short: "Check for the existence of a file.", Args: cobra.NoArgs,
		Example: "  aci storage file exists -s myshare -p reports/report.csv --connection-string \"$AZURE_STORAGE_CONNECTION_STRING\"",
		RunE:    func(cmd *cobra.Command, args []string) error { return fileExistsRun(f, d, o) },
	}
	o.flags(cmd, "share-name", "s")
	cmd.Flags().StringVarP(&o.Path, "path", "p", "", "The path to the file within the file share.")
	return cmd
}

// BatchOptions are upload-batch's and download-batch's arguments.
type BatchOptions struct {
	creds
	Source, Destination, DestinationPath, Pattern string
	DryRun, NoProgress                            bool
}

// fileURL is what az prints for a batch file: its URL, slashes kept.
func fileURL(fc *file.Client) string {
	u, err := url.PathUnescape(fc.URL())
	if err != nil {
		return fc.URL()
	}
	return u
}

func newUploadBatch(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &BatchOptions{}
	cmd := &cobra.Command{
		Use: "upload-batch", Short: "Upload files from a local directory to an Azure Storage File Share in a batch operation.", Args: cobra.NoArgs,
		Example: "  aci storage file upload-batch --destination myshare --source ./site --destination-path site --connection-string \"$AZURE_STORAGE_CONNECTION_STRING\"",
		RunE: func(cmd *cobra.Command, args []string) error {
			return uploadBatchRun(f, d, o)
		},
	}
	o.creds.flags(cmd)
	fl := cmd.Flags()
	fl.StringVarP(&o.Destination, "destination", "d", "", "The destination file share.")
	fl.StringVarP(&o.Source, "source", "s", "", "The directory to upload files from.")
	fl.StringVar(&o.DestinationPath, "destination-path", "", "The directory where the source data is copied to. If omitted, data is copied to the root directory.")
	fl.StringVar(&o.Pattern, "pattern", "", "The pattern used for file globbing. The supported patterns are '*', '?', '[seq]', and '[!seq]'.")
	fl.BoolVar(&o.DryRun, "dryrun", false, "List the files and blobs to be uploaded. No actual data transfer will occur.")
	fl.BoolVar(&o.NoProgress, "no-progress", false, "Include this flag to disable progress reporting for the command.")
	return cmd
}

// uploadBatchRun uploads a directory's files, parents first, as az does.
func uploadBatchRun(f *cmdutil.Factory, d *Deps, o *BatchOptions) error {
	var m cmdutil.Missing
	m.Need("--destination/-d", o.Destination)
	m.Need("--source/-s", o.Source)
	if err := m.Err(); err != nil {
		return err
	}
	base, err := splitPath(o.DestinationPath)
	if err != nil {
		return err
	}
	files, err := localFiles(o.Source, o.Pattern)
	if err != nil {
		return err
	}
	svc, err := o.client(f, d)
	if err != nil {
		return err
	}
	sc := svc.NewShareClient(o.Destination)
	out := []any{}
	made := map[string]bool{}
	for _, rel := range files {
		segs := append(append([]string{}, base...), strings.Split(rel, "/")...)
		fc := dirClient(sc, segs[:len(segs)-1]).NewFileClient(segs[len(segs)-1])
		if o.DryRun {
			out = append(out, map[string]any{"File": fileURL(fc), "Type": guessType(rel)})
			continue
		}
		// Parents first, as az's _make_directory_in_files_share does.
		for i := 1; i < len(segs); i++ {
			key := strings.Join(segs[:i], "/")
			if made[key] {
				continue
			}
			if _, err := dirClient(sc, segs[:i]).Create(f.Context(), nil); err != nil && !fileerror.HasCode(err, fileerror.ResourceAlreadyExists) {
				return storageErr(err, false)
			}
			made[key] = true
		}
		f.Warn("uploading %s", filepath.Join(o.Source, filepath.FromSlash(rel)))
		if _, err := upload(f, fc, filepath.Join(o.Source, filepath.FromSlash(rel)), "", nil, o.NoProgress); err != nil {
			return err
		}
		out = append(out, fileURL(fc))
	}
	return f.Print(out, cmdutil.PrintOptions{})
}

// localFiles are the regular files under src matching pattern (all when
// empty), as slash paths relative to src, sorted.
func localFiles(src, pattern string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(src, func(p string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.Type().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(src, p)
		rel = filepath.ToSlash(rel)
		if pattern != "" {
			if ok, _ := path.Match(pattern, rel); !ok {
				return nil
			}
		}
		files = append(files, rel)
		return nil
	})
	if err != nil {
		return nil, cmdutil.Fail("%v", err)
	}
	sort.Strings(files)
	return files, nil
}

func newDownloadBatch(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &BatchOptions{}
	cmd := &cobra.Command{
		Use: "download-batch", Short: "Download files from an Azure Storage File Share to a local directory in a batch operation.", Args: cobra.NoArgs,
		Example: "  aci storage file download-batch --source myshare --destination ./backup --connection-string \"$AZURE_STORAGE_CONNECTION_STRING\"",
		RunE: func(cmd *cobra.Command, args []string) error {
			return downloadBatchRun(f, d, o)
		},
	}
	o.creds.flags(cmd)
	fl := cmd.Flags()
	fl.StringVarP(&o.Source, "source", "s", "", "The source file share from which to download files.")
	fl.StringVarP(&o.Destination, "destination", "d", "", "The local directory where the files are downloaded to. This directory must already exist.")
	fl.StringVar(&o.Pattern, "pattern", "", "The pattern used for file globbing. The supported patterns are '*', '?', '[seq]', and '[!seq]'.")
	fl.BoolVar(&o.DryRun, "dryrun", false, "List the files to be downloaded. No actual data transfer will occur.")
	fl.BoolVar(&o.NoProgress, "no-progress", false, "Include this flag to disable progress reporting for the command.")
	return cmd
}

// downloadBatchRun downloads every file of the share that matches
// --pattern, keeping the share's tree under --destination.
func downloadBatchRun(f *cmdutil.Factory, d *Deps, o *BatchOptions) error {
	var m cmdutil.Missing
	m.Need("--source/-s", o.Source)
	m.Need("--destination/-d", o.Destination)
	if err := m.Err(); err != nil {
		return err
	}
	svc, err := o.client(f, d)
	if err != nil {
		return err
	}
	sc := svc.NewShareClient(o.Source)
	all, err := shareFiles(f, sc)
	if err != nil {
		return err
	}
	out := []any{}
	for _, segs := range all {
		rel := strings.Join(segs, "/")
		if o.Pattern != "" {
			if ok, _ := path.Match(o.Pattern, rel); !ok {
				continue
			}
		}
		// A name the service returns never leaves the destination.
		for _, s := range segs {
			if s == ".." || s == "." || strings.ContainsAny(s, `/\`) {
				return cmdutil.Fail("the share holds a file whose name leaves the destination: '%s'", rel)
			}
		}
		fc := dirClient(sc, segs[:len(segs)-1]).NewFileClient(segs[len(segs)-1])
		dest := filepath.Join(o.Destination, filepath.FromSlash(rel))
		if o.DryRun {
			f.Warn("  - %s => %s", rel, dest)
			continue
		}
		if _, err := download(f, fc, dest, o.NoProgress); err != nil {
			return err
		}
		out = append(out, fileURL(fc))
	}
	return f.Print(out, cmdutil.PrintOptions{})
}

// shareFiles are the paths of every file in the share, depth first.
func shareFiles(f *cmdutil.Factory, sc *share.Client) ([][]string, error) {
	var all [][]string
	var walk func(segs []string) error
	walk = func(segs []string) error {
		pager := dirClient(sc, segs).NewListFilesAndDirectoriesPager(nil)
		for pager.More() {
			page, err := pager.NextPage(f.Context())
			if err != nil {
				return storageErr(err, true)
			}
			for _, dd := range page.Segment.Directories {
				if err := walk(append(append([]string{}, segs...), *dd.Name)); err != nil {
					return err
				}
			}
			for _, ff := range page.Segment.Files {
				all = append(all, append(append([]string{}, segs...), *ff.Name))
			}
		}
		return nil
	}
	return all, walk(nil)
}
