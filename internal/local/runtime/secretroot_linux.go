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
	fi, err := os.Lstat(dir)
	if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		return ""
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != os.Getuid() {
		return "" // planted by someone else
	}
	return dir
}

func secretRootPath(stateDir string) string {
	sum := sha256.Sum256([]byte(stateDir))
	return filepath.Join("/dev/shm", "aci-local-"+hex.EncodeToString(sum[:6]))
}

// RemoveSecretVolumes deletes what secretRoot made for a state dir.
func RemoveSecretVolumes(stateDir string) error {
	fi, err := os.Lstat(secretRootPath(stateDir))
	if err != nil || !fi.IsDir() {
		return nil
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != os.Getuid() {
		return nil
	}
	return os.RemoveAll(secretRootPath(stateDir))
}
