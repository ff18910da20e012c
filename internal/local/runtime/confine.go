package runtime

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Confine makes (or opens) the directory name directly inside base and returns
// its path and an os.Root on it. It is the second wall behind the API's name
// rules: name must be one plain path element, and the result must be a real
// directory whose resolved path is exactly base/name, so neither "..", an
// absolute path, nor a symlink planted by a container can take a bind mount or
// a file write anywhere else on the host.
func Confine(base, name string) (string, *os.Root, error) {
	if name == "" || name == "." || !filepath.IsLocal(name) || strings.ContainsAny(name, `/\`) {
		return "", nil, fmt.Errorf("volume name %q is not a plain directory name", name)
	}
	if err := os.MkdirAll(base, 0o700); err != nil {
		return "", nil, err
	}
	broot, err := os.OpenRoot(base)
	if err != nil {
		return "", nil, err
	}
	defer broot.Close()
	if err := broot.Mkdir(name, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return "", nil, err
	}
	fi, err := broot.Lstat(name)
	if err != nil {
		return "", nil, err
	}
	if !fi.IsDir() || fi.Mode()&os.ModeSymlink != 0 {
		return "", nil, fmt.Errorf("volume %q: %s is not a directory", name, filepath.Join(base, name))
	}
	realBase, err := filepath.EvalSymlinks(base)
	if err != nil {
		return "", nil, err
	}
	dir := filepath.Join(realBase, name)
	if real, err := filepath.EvalSymlinks(dir); err != nil || real != dir {
		return "", nil, fmt.Errorf("volume %q resolves outside its group's directory", name)
	}
	root, err := broot.OpenRoot(name)
	if err != nil {
		return "", nil, err
	}
	return dir, root, nil
}
