//go:build !linux

package docker

import "errors"

func remount(int, string, bool) error {
	return errors.New("making a mount read-only in a running container needs Linux")
}
