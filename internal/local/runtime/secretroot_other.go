//go:build !linux

package runtime

// SecretRoot: only Linux gets a tmpfs for secret volumes; elsewhere they live
// in the state dir (0700).
func SecretRoot(stateDir string) string { return "" }

// RemoveSecretVolumes has nothing to remove outside Linux.
func RemoveSecretVolumes(stateDir string) error { return nil }
