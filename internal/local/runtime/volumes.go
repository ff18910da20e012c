package runtime

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// PrepareVolumes makes each volume's host directory, confined to the group's
// volume dir (see confine): names were validated at the API, and this holds
// even if a validator misses one.
func PrepareVolumes(ctx context.Context, g *GroupSpec) (map[string]HostDir, error) {
	out := map[string]HostDir{}
	for _, v := range g.Volumes {
		base := g.VolumeDir
		if v.Kind == "secret" && g.SecretDir != "" {
			base = g.SecretDir
		}
		dir, root, err := Confine(base, v.Name)
		if err != nil {
			return nil, err
		}
		m := HostDir{Source: dir}
		switch v.Kind {
		case "secret":
			for k, b := range v.Secret {
				if !filepath.IsLocal(k) || strings.ContainsAny(k, `/\`) {
					root.Close()
					return nil, fmt.Errorf("volume %s: secret file name %q is not a plain file name", v.Name, k)
				}
				if err := root.WriteFile(k, b, 0o444); err != nil {
					root.Close()
					return nil, err
				}
			}
			m.ReadOnly = true
		case "gitRepo":
			if err := cloneRepo(ctx, v, root, dir); err != nil {
				root.Close()
				return nil, err
			}
		case "azureFile":
			if v.AzureFile.HostPath == "" {
				root.Close()
				return nil, fmt.Errorf("volume %s: the Azure File share was not resolved", v.Name)
			}
			// The share's own directory (confined by the storage provider),
			// shared with its file service and every group that mounts it.
			m = HostDir{Source: v.AzureFile.HostPath, ReadOnly: v.AzureFile.ReadOnly}
		}
		root.Close()
		out[v.Name] = m
	}
	return out, nil
}

// HostDir is a volume's directory on the host, to bind-mount.
type HostDir struct {
	Source   string
	ReadOnly bool
}

// cloneRepo clones a gitRepo volume; only local paths and file:// URLs (the API
// allowed only repositories under the owner's --git-repo-root), since this
// machine reaches no other network. The target directory is made through the
// volume's os.Root, so it cannot lie outside the volume.
func cloneRepo(ctx context.Context, v VolumeSpec, root *os.Root, dir string) error {
	repo := v.GitRepo.Repository
	if !(strings.HasPrefix(repo, "/") || strings.HasPrefix(repo, "file://")) {
		return fmt.Errorf("volume %s: aci local clones only local repositories (a path or file:// URL), not %s", v.Name, repo)
	}
	target := dir
	if d := v.GitRepo.Directory; d != "" && d != "." {
		if !filepath.IsLocal(d) {
			return fmt.Errorf("volume %s: git directory %q leaves the volume", v.Name, d)
		}
		if err := root.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("volume %s: %v", v.Name, err)
		}
		target = filepath.Join(dir, d)
		if real, err := filepath.EvalSymlinks(target); err != nil || real != target {
			return fmt.Errorf("volume %s: git directory %q leaves the volume", v.Name, d)
		}
	}
	if _, err := root.Stat(filepath.Join(v.GitRepo.Directory, ".git")); err == nil {
		return nil
	}
	if out, err := exec.CommandContext(ctx, "git", "clone", "--quiet", "--", repo, target).CombinedOutput(); err != nil {
		return fmt.Errorf("volume %s: git clone: %v: %s", v.Name, err, out)
	}
	if rev := v.GitRepo.Revision; rev != "" {
		if strings.HasPrefix(rev, "-") {
			return fmt.Errorf("volume %s: invalid revision %q", v.Name, rev)
		}
		if out, err := exec.CommandContext(ctx, "git", "-C", target, "checkout", "--quiet", rev, "--").CombinedOutput(); err != nil {
			return fmt.Errorf("volume %s: git checkout: %v: %s", v.Name, err, out)
		}
	}
	return nil
}
