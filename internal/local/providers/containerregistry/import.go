package containerregistry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"

	"github.com/aci-cli/aci/internal/local/core"
	"github.com/distribution/distribution/v3"
	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// importBody is ImportImageParameters.
type importBody struct {
	Source *struct {
		ResourceID  string `json:"resourceId"`
		RegistryURI string `json:"registryUri"`
		SourceImage string `json:"sourceImage"`
		Credentials *struct {
			Username string `json:"username"`
			Password string `json:"password"`
		} `json:"credentials"`
	} `json:"source"`
	TargetTags                 []string `json:"targetTags"`
	UntaggedTargetRepositories []string `json:"untaggedTargetRepositories"`
	Mode                       string   `json:"mode"`
}

var tagRE = regexp.MustCompile(`^[\w][\w.-]{0,127}$`)

// importImage copies an image between registries of this endpoint, in
// process (aci local reaches no other registry): manifests, the manifests an
// index names, and their blobs.
func (h *Registries) importImage(w http.ResponseWriter, r *core.Request, id string) {
	var b importBody
	if e := r.Decode(&b); e != nil {
		core.WriteError(w, e)
		return
	}
	if b.Source == nil || b.Source.SourceImage == "" {
		r.Error(w, 400, "InvalidParameter", "The parameter 'source.sourceImage' is required.")
		return
	}
	if b.Mode != "" && b.Mode != "NoForce" && b.Mode != "Force" {
		r.Error(w, 400, "InvalidParameter", "The parameter 'mode' has an invalid value '%s'. Allowed values: 'NoForce', 'Force'.", b.Mode)
		return
	}
	dst := h.plane(id)
	h.mu.Lock()
	var src *plane
	for _, pl := range h.planes {
		switch {
		case b.Source.ResourceID != "" && strings.EqualFold(pl.id, b.Source.ResourceID):
			src = pl
		case b.Source.RegistryURI != "" && strings.EqualFold(pl.login, strings.TrimPrefix(b.Source.RegistryURI, "https://")):
			src = pl
		}
	}
	h.mu.Unlock()
	if dst == nil {
		name := id[strings.LastIndex(id, "/")+1:]
		r.Error(w, 404, "ResourceNotFound", "The Resource '%s/%s' under resource group '%s' was not found.", Type, name, r.Group)
		return
	}
	if src == nil {
		where := b.Source.ResourceID + b.Source.RegistryURI
		if where == "" {
			r.Error(w, 400, "InvalidParameter", "The source needs a registry: 'source.resourceId' or 'source.registryUri'.")
			return
		}
		r.Error(w, 400, "InvalidImportSource", "The source registry '%s' is not reachable: aci local imports only from its own registries.", where)
		return
	}
	if b.Source.RegistryURI != "" && b.Source.ResourceID == "" {
		// By address, a registry wants its own credentials (or anonymous pull).
		c := b.Source.Credentials
		if !(c != nil && src.basicOK(c.Username, c.Password)) && !src.settings().anonymous {
			r.Error(w, 401, "InvalidCredentials", "The credentials for the source registry '%s' are invalid.", b.Source.RegistryURI)
			return
		}
	}
	repo, ref := b.Source.SourceImage, "latest"
	if i := strings.Index(repo, "@"); i >= 0 {
		repo, ref = repo[:i], repo[i+1:]
	} else if i := strings.LastIndex(repo, ":"); i >= 0 {
		repo, ref = repo[:i], repo[i+1:]
	}
	targets := b.TargetTags
	if len(targets) == 0 && len(b.UntaggedTargetRepositories) == 0 && !strings.HasPrefix(ref, "sha256:") {
		targets = []string{repo + ":" + ref}
	}
	if err := copyImage(r.Context(), src, dst, repo, ref, targets, b.UntaggedTargetRepositories, b.Mode == "Force"); err != nil {
		var ae *core.APIError
		if errors.As(err, &ae) {
			core.WriteError(w, ae)
			return
		}
		r.Error(w, 500, "InternalServerError", "The import failed: %v", err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func repository(ctx context.Context, pl *plane, name string) (distribution.Repository, error) {
	named, err := reference.WithName(name)
	if err != nil {
		return nil, core.NewError(400, "InvalidParameter", fmt.Sprintf("'%s' is not a valid repository name.", name))
	}
	return pl.ns.Repository(ctx, named)
}

func copyImage(ctx context.Context, src, dst *plane, repo, ref string, tags, untagged []string, force bool) error {
	from, err := repository(ctx, src, repo)
	if err != nil {
		return err
	}
	var dg digest.Digest
	if d, err := digest.Parse(ref); err == nil {
		dg = d
	} else {
		desc, err := from.Tags(ctx).Get(ctx, ref)
		if err != nil {
			return core.NewError(404, "ImageNotFound", fmt.Sprintf("The source image '%s:%s' was not found.", repo, ref))
		}
		dg = desc.Digest
	}
	type target struct{ repo, tag string }
	var all []target
	for _, t := range tags {
		i := strings.LastIndex(t, ":")
		if i <= 0 || !tagRE.MatchString(t[i+1:]) {
			return core.NewError(400, "InvalidParameter", fmt.Sprintf("The target tag '%s' is not in the form 'repository:tag'.", t))
		}
		all = append(all, target{t[:i], t[i+1:]})
	}
	for _, u := range untagged {
		all = append(all, target{u, ""})
	}
	for _, t := range all {
		to, err := repository(ctx, dst, t.repo)
		if err != nil {
			return err
		}
		if t.tag != "" && !force {
			if d, err := to.Tags(ctx).Get(ctx, t.tag); err == nil && d.Digest != dg {
				return core.NewError(409, "TagAlreadyExists", fmt.Sprintf("The target tag '%s:%s' already exists; import with mode 'Force' to overwrite it.", t.repo, t.tag))
			}
		}
		desc, err := copyManifest(ctx, from, to, dg)
		if err != nil {
			return err
		}
		if t.tag != "" {
			if err := to.Tags(ctx).Tag(ctx, t.tag, desc); err != nil {
				return err
			}
		}
	}
	return nil
}

// copyManifest copies a manifest and what it refers to (blobs, or the
// manifests of an index), depth first so nothing refers to what is missing.
func copyManifest(ctx context.Context, from, to distribution.Repository, dg digest.Digest) (v1.Descriptor, error) {
	ms, err := from.Manifests(ctx)
	if err != nil {
		return v1.Descriptor{}, err
	}
	m, err := ms.Get(ctx, dg)
	if err != nil {
		return v1.Descriptor{}, core.NewError(404, "ImageNotFound", fmt.Sprintf("The source manifest '%s' was not found.", dg))
	}
	for _, d := range m.References() {
		if isManifest(d.MediaType) {
			if _, err := copyManifest(ctx, from, to, d.Digest); err != nil {
				return v1.Descriptor{}, err
			}
			continue
		}
		if err := copyBlob(ctx, from, to, d); err != nil {
			return v1.Descriptor{}, err
		}
	}
	dms, err := to.Manifests(ctx)
	if err != nil {
		return v1.Descriptor{}, err
	}
	if _, err := dms.Put(ctx, m); err != nil {
		return v1.Descriptor{}, err
	}
	mt, payload, _ := m.Payload()
	return v1.Descriptor{MediaType: mt, Digest: dg, Size: int64(len(payload))}, nil
}

func isManifest(mt string) bool {
	return strings.Contains(mt, "manifest") && !strings.Contains(mt, "config") && !strings.Contains(mt, "layer")
}

func copyBlob(ctx context.Context, from, to distribution.Repository, d v1.Descriptor) error {
	if _, err := to.Blobs(ctx).Stat(ctx, d.Digest); err == nil {
		return nil
	}
	rc, err := from.Blobs(ctx).Open(ctx, d.Digest)
	if err != nil {
		return core.NewError(404, "ImageNotFound", fmt.Sprintf("The source blob '%s' was not found.", d.Digest))
	}
	defer rc.Close()
	bw, err := to.Blobs(ctx).Create(ctx)
	if err != nil {
		return err
	}
	if _, err := io.Copy(bw, rc); err != nil {
		_ = bw.Cancel(ctx)
		return err
	}
	_, err = bw.Commit(ctx, v1.Descriptor{MediaType: d.MediaType, Digest: d.Digest, Size: d.Size})
	return err
}
