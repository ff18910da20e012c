//go:build !linux

package local

// secretRoot: only Linux gets a tmpfs for secret volumes; elsewhere they live
// in the state dir (0700).
func secretRoot(stateDir string) string { return "" }

// RemoveSecretVolumes has nothing to remove outside Linux.
func RemoveSecretVolumes(stateDir string) error { return nil }
