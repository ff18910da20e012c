package storage

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"syscall"
)

// A share is a directory that containers write to while the File API reads
// it, so anything may be at a path between two calls: a FIFO (whose open
// blocks until a writer comes), a device, a symlink. Every open here goes
// through the share's os.Root (no escape), never blocks (O_NONBLOCK; a
// directory is opened with O_DIRECTORY), and what it opened is checked on
// the handle, not by an earlier stat of the path.

// errNotRegular is a path that holds something other than a regular file
// (or, for readDir, a directory).
var errNotRegular = errors.New("not a regular file")

// openFile opens name below root, returning it only if it is a regular
// file. flag is os.O_RDWR, optionally with os.O_CREATE.
func openFile(root *os.Root, name string, flag int) (*os.File, fs.FileInfo, error) {
	fh, err := root.OpenFile(name, flag|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0o666)
	if errors.Is(err, syscall.EACCES) && flag&os.O_CREATE == 0 {
		fh, err = root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	}
	if err != nil {
		if errors.Is(err, syscall.EISDIR) || errors.Is(err, syscall.ENXIO) {
			return nil, nil, errNotRegular
		}
		return nil, nil, err
	}
	fi, err := fh.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = errNotRegular
	}
	if err != nil {
		fh.Close()
		return nil, nil, err
	}
	return fh, fi, nil
}

// readDir lists a directory below root without blocking on whatever else
// may be there.
func readDir(root *os.Root, name string) ([]fs.DirEntry, error) {
	d, err := root.OpenFile(name, os.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NONBLOCK, 0)
	if err != nil {
		if errors.Is(err, syscall.ENOTDIR) {
			return nil, errNotRegular
		}
		return nil, err
	}
	defer d.Close()
	ents, err := d.ReadDir(-1)
	// Azure lists in lexical order, and a listing's marker is a name: read
	// in the directory's own order, a page boundary would skip or repeat
	// entries.
	slices.SortFunc(ents, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return ents, err
}

// treeSize is the sum of the regular files' sizes below root, as Azure
// counts a share against its quota. It lists directories with readDir and
// never opens a file.
func treeSize(root *os.Root) int64 {
	var total int64
	var walk func(dir string)
	walk = func(dir string) {
		ents, err := readDir(root, dir)
		if err != nil {
			return
		}
		for _, e := range ents {
			switch {
			case e.Type().IsRegular():
				if fi, err := e.Info(); err == nil {
					total += fi.Size()
				}
			case e.IsDir():
				walk(path.Join(dir, e.Name()))
			}
		}
	}
	walk(".")
	return total
}
