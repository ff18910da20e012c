package runtime

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"syscall"
)

const tmpfsMagic = 0x01021994

// SecretRoot picks a directory on tmpfs (/dev/shm) for one state dir's secret
// volumes, so their contents live in memory only; "" when there is none or the
// directory is not one this user made for itself.
func SecretRoot(stateDir string) string {
	var fs syscall.Statfs_t
	if syscall.Statfs("/dev/shm", &fs) != nil || fs.Type != tmpfsMagic {
		return ""
	}
	dir := secretRootPath(stateDir)
	if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
		return ""
	}
	if fi, err := os.Lstat(dir); err != nil || !ownDir(fi) || fi.Mode().Perm() != 0o700 {
		return "" // planted by someone else, or not as made
	}
	return dir
}

// ownDir: a real directory (not a link) of this user.
func ownDir(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return fi.IsDir() && fi.Mode()&os.ModeSymlink == 0 && ok && int(st.Uid) == os.Getuid()
}

func secretRootPath(stateDir string) string {
	sum := sha256.Sum256([]byte(stateDir))
	return filepath.Join("/dev/shm", "aci-local-"+hex.EncodeToString(sum[:6]))
}

// RemoveSecretVolumes deletes what secretRoot made for a state dir.
func RemoveSecretVolumes(stateDir string) error {
	if fi, err := os.Lstat(secretRootPath(stateDir)); err != nil || !ownDir(fi) {
		return nil
	}
	return os.RemoveAll(secretRootPath(stateDir))
}
