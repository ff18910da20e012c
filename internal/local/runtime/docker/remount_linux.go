package docker

import (
	"fmt"
	goruntime "runtime"

	"golang.org/x/sys/unix"
)

// remount makes the mount at target in process pid's mount namespace
// read-only (or writable again), keeping its other per-mount flags. It runs
// on a thread of its own that first stops sharing its filesystem attributes
// (so entering the container's namespace moves that thread alone) and that
// dies with the goroutine, never to be reused by the Go scheduler.
func remount(pid int, target string, readOnly bool) error {
	errc := make(chan error, 1)
	go func() {
		goruntime.LockOSThread() // never unlocked: the thread ends with the goroutine
		if err := unix.Unshare(unix.CLONE_FS); err != nil {
			errc <- fmt.Errorf("unshare: %w", err)
			return
		}
		fd, err := unix.Open(fmt.Sprintf("/proc/%d/ns/mnt", pid), unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errc <- err
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNS); err != nil {
			errc <- fmt.Errorf("setns: %w", err)
			return
		}
		flags := uintptr(unix.MS_REMOUNT | unix.MS_BIND)
		var st unix.Statfs_t
		if err := unix.Statfs(target, &st); err == nil {
			// ST_* per-mount flags have the MS_* values.
			flags |= uintptr(st.Flags) & (unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC | unix.MS_NOATIME | unix.MS_NODIRATIME | unix.MS_RELATIME)
		}
		if readOnly {
			flags |= unix.MS_RDONLY
		}
		errc <- unix.Mount("", target, "", flags, "")
	}()
	return <-errc
}
