//go:build !windows

package local

import (
	"os/exec"
	"syscall"
)

// detach puts the server in its own session so it outlives the shell.
func detach(c *exec.Cmd) { c.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }
