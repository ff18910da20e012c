package containerregistry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aci-cli/aci/internal/local/core"
	"github.com/distribution/distribution/v3"
	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// ACR's metadata API (/acr/v1): what `az acr repository` and the SDK's
// registry client read, over the distribution's storage.

// changeable are an item's changeable attributes: all enabled, as a new
// item's are on ACR.
var changeable = changeableAttributes{DeleteEnabled: true, ListEnabled: true, ReadEnabled: true, WriteEnabled: true}

// The metadata API's items, fields in the wire's alphabetical order.
type changeableAttributes struct {
	DeleteEnabled bool `json:"deleteEnabled"`
	ListEnabled   bool `json:"listEnabled"`
	ReadEnabled   bool `json:"readEnabled"`
	WriteEnabled  bool `json:"writeEnabled"`
}

type tagAttributes struct {
	ChangeableAttributes changeableAttributes `json:"changeableAttributes"`
	CreatedTime          string               `json:"createdTime"`
	Digest               string               `json:"digest"`
	LastUpdateTime       string               `json:"lastUpdateTime"`
	Name                 string               `json:"name"`
	Signed               bool                 `json:"signed"`
}

// manifestAttributes: the platform and config type are there when the
// manifest has a config, the tags when it has any.
type manifestAttributes struct {
	Architecture         *string              `json:"architecture,omitempty"`
	ChangeableAttributes changeableAttributes `json:"changeableAttributes"`
	ConfigMediaType      *string              `json:"configMediaType,omitempty"`
	CreatedTime          string               `json:"createdTime"`
	Digest               string               `json:"digest"`
	ImageSize            int64                `json:"imageSize"`
	LastUpdateTime       string               `json:"lastUpdateTime"`
	MediaType            string               `json:"mediaType"`
	OS                   *string              `json:"os,omitempty"`
	Tags                 []string             `json:"tags,omitempty"`
}

func acrTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }

func (pl *plane) acr(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/acr/v1/")
	ctx := r.Context()
	if rest == "_catalog" && r.Method == http.MethodGet {
		pl.catalog(w, r)
		return
	}
	repo, kind, item := rest, "", ""
	for _, k := range []string{"/_tags", "/_manifests"} {
		if i := strings.Index(rest, k); i >= 0 {
			repo, kind = rest[:i], k[2:]
			item = strings.TrimPrefix(strings.TrimPrefix(rest[i+len(k):], "/"), "")
			break
		}
	}
	named, err := reference.WithName(repo)
	if err != nil {
		regError(w, 400, "NAME_INVALID", "invalid repository name")
		return
	}
	// A tag becomes a path in the storage: only a tag's characters pass
	// ("../.." would name the repository's or the registry's directory).
	if kind == "tags" && item != "" && !tagRE.MatchString(item) {
		regError(w, 400, "TAG_INVALID", "invalid tag")
		return
	}
	rp, err := pl.ns.Repository(ctx, named)
	if err != nil {
		regError(w, 400, "NAME_INVALID", err.Error())
		return
	}
	tags, err := rp.Tags(ctx).All(ctx)
	if err != nil || len(tags) == 0 {
		var nf distribution.ErrRepositoryUnknown
		if err == nil || errors.As(err, &nf) || isPathNotFound(err) {
			regError(w, 404, "NAME_UNKNOWN", "repository name not known to registry")
			return
		}
		regError(w, 500, "UNKNOWN", err.Error())
		return
	}
	switch kind {
	case "":
		pl.repoOp(w, r, rp, named, tags)
	case "tags":
		pl.tagOp(w, r, rp, repo, item, tags)
	default:
		pl.manifestOp(w, r, rp, repo, item)
	}
}

func unsupported(w http.ResponseWriter) {
	regError(w, 405, "UNSUPPORTED", "The operation is unsupported.")
}

// repoOp is /acr/v1/{repo}: its attributes, or deleting it.
func (pl *plane) repoOp(w http.ResponseWriter, r *http.Request, rp distribution.Repository, named reference.Named, tags []string) {
	switch r.Method {
	case http.MethodGet, http.MethodPatch:
		pl.repoAttrs(w, r, rp, named.Name(), tags)
	case http.MethodDelete:
		pl.deleteRepo(w, r, rp, named, tags)
	default:
		unsupported(w)
	}
}

// tagOp is /acr/v1/{repo}/_tags[/{tag}].
func (pl *plane) tagOp(w http.ResponseWriter, r *http.Request, rp distribution.Repository, repo, item string, tags []string) {
	ctx := r.Context()
	switch {
	case item == "" && r.Method == http.MethodGet:
		pl.listTags(w, r, rp, repo, tags)
	case item != "" && (r.Method == http.MethodGet || r.Method == http.MethodPatch):
		t, ok := pl.tagAttrs(ctx, rp, repo, item)
		if !ok {
			regError(w, 404, "TAG_UNKNOWN", "the specified tag does not exist")
			return
		}
		core.WriteJSON(w, 200, struct {
			ImageName string        `json:"imageName"`
			Registry  string        `json:"registry"`
			Tag       tagAttributes `json:"tag"`
		}{repo, pl.login, t})
	case item != "" && r.Method == http.MethodDelete:
		if err := rp.Tags(ctx).Untag(ctx, item); err != nil {
			regError(w, 404, "TAG_UNKNOWN", "the specified tag does not exist")
			return
		}
		w.WriteHeader(http.StatusAccepted)
	default:
		unsupported(w)
	}
}

// manifestOp is /acr/v1/{repo}/_manifests[/{digest}].
func (pl *plane) manifestOp(w http.ResponseWriter, r *http.Request, rp distribution.Repository, repo, item string) {
	switch {
	case item == "" && r.Method == http.MethodGet:
		pl.listManifests(w, r, rp, repo)
	case item != "" && (r.Method == http.MethodGet || r.Method == http.MethodPatch):
		d, err := digest.Parse(item)
		if err != nil {
			regError(w, 400, "DIGEST_INVALID", "invalid digest")
			return
		}
		m, ok := pl.manifestAttrs(r.Context(), rp, d)
		if !ok {
			regError(w, 404, "MANIFEST_UNKNOWN", "manifest unknown")
			return
		}
		core.WriteJSON(w, 200, struct {
			ImageName string             `json:"imageName"`
			Manifest  manifestAttributes `json:"manifest"`
			Registry  string             `json:"registry"`
		}{repo, m, pl.login})
	default:
		unsupported(w)
	}
}

func isPathNotFound(err error) bool {
	return err != nil && strings.Contains(err.Error(), "Path not found")
}

// page returns the n names after last and whether more follow.
func page(names []string, r *http.Request) ([]string, string) {
	q := r.URL.Query()
	n, err := strconv.Atoi(q.Get("n"))
	if err != nil || n <= 0 || n > 1000 {
		n = 100
	}
	start := 0
	if last := q.Get("last"); last != "" {
		for i, s := range names {
			if s == last {
				start = i + 1
				break
			}
		}
	}
	if start > len(names) {
		start = len(names)
	}
	end := start + n
	if end >= len(names) {
		return names[start:], ""
	}
	nq := url.Values{}
	for k, v := range q {
		nq[k] = v
	}
	nq.Set("last", names[end-1])
	nq.Set("n", strconv.Itoa(n))
	return names[start:end], fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, nq.Encode())
}

// orderedPage sorts attrs as ?orderby asks (by key by default), writes the
// Link of the next page, and returns this page.
func orderedPage[T any](w http.ResponseWriter, r *http.Request, attrs []T, key, updated func(T) string) []T {
	by := func(k func(T) string, desc bool) func(i, j int) bool {
		return func(i, j int) bool {
			a, b := k(attrs[i]), k(attrs[j])
			return (a > b) == desc && a != b
		}
	}
	switch r.URL.Query().Get("orderby") {
	case "timedesc", "time_desc":
		sort.SliceStable(attrs, by(updated, true))
	case "timeasc", "time_asc":
		sort.SliceStable(attrs, by(updated, false))
	default:
		sort.SliceStable(attrs, by(key, false))
	}
	names := make([]string, len(attrs))
	byName := map[string]T{}
	for i, a := range attrs {
		names[i] = key(a)
		byName[names[i]] = a
	}
	items, link := page(names, r)
	if link != "" {
		w.Header().Set("Link", link)
	}
	out := []T{}
	for _, n := range items {
		out = append(out, byName[n])
	}
	return out
}

func (pl *plane) repositories(ctx context.Context) ([]string, error) {
	var all []string
	last := ""
	for {
		buf := make([]string, 100)
		n, err := pl.ns.Repositories(ctx, buf, last)
		all = append(all, buf[:n]...)
		if n > 0 {
			last = buf[n-1]
		}
		if errors.Is(err, io.EOF) || (err == nil && n == 0) {
			return all, nil
		}
		if err != nil {
			if isPathNotFound(err) {
				return all, nil
			}
			return nil, err
		}
	}
}

func (pl *plane) catalog(w http.ResponseWriter, r *http.Request) {
	all, err := pl.repositories(r.Context())
	if err != nil {
		regError(w, 500, "UNKNOWN", err.Error())
		return
	}
	sort.Strings(all)
	items, link := page(all, r)
	if link != "" {
		w.Header().Set("Link", link)
	}
	if items == nil {
		items = []string{}
	}
	core.WriteJSON(w, 200, struct {
		Repositories []string `json:"repositories"`
	}{items})
}

// linkTime is when the distribution wrote one of its link files.
func (pl *plane) linkTime(ctx context.Context, p string) time.Time {
	fi, err := pl.driver.Stat(ctx, p)
	if err != nil {
		return time.Time{}
	}
	return fi.ModTime()
}

func repoPath(repo string) string { return path.Join("/docker/registry/v2/repositories", repo) }

func (pl *plane) tagAttrs(ctx context.Context, rp distribution.Repository, repo, tag string) (tagAttributes, bool) {
	desc, err := rp.Tags(ctx).Get(ctx, tag)
	if err != nil {
		return tagAttributes{}, false
	}
	base := path.Join(repoPath(repo), "_manifests/tags", tag)
	created := pl.linkTime(ctx, path.Join(base, "index", desc.Digest.Algorithm().String(), desc.Digest.Hex(), "link"))
	updated := pl.linkTime(ctx, path.Join(base, "current/link"))
	if created.IsZero() {
		created = updated
	}
	return tagAttributes{Name: tag, Digest: desc.Digest.String(), CreatedTime: acrTime(created),
		LastUpdateTime: acrTime(updated), ChangeableAttributes: changeable}, true
}

func (pl *plane) listTags(w http.ResponseWriter, r *http.Request, rp distribution.Repository, repo string, tags []string) {
	ctx := r.Context()
	var attrs []tagAttributes
	filter := r.URL.Query().Get("digest")
	for _, t := range tags {
		if a, ok := pl.tagAttrs(ctx, rp, repo, t); ok && (filter == "" || a.Digest == filter) {
			attrs = append(attrs, a)
		}
	}
	out := orderedPage(w, r, attrs, func(a tagAttributes) string { return a.Name }, func(a tagAttributes) string { return a.LastUpdateTime })
	core.WriteJSON(w, 200, struct {
		ImageName string          `json:"imageName"`
		Registry  string          `json:"registry"`
		Tags      []tagAttributes `json:"tags"`
	}{repo, pl.login, out})
}

// manifestAttrs describes a stored manifest: size, platform, tags.
func (pl *plane) manifestAttrs(ctx context.Context, rp distribution.Repository, d digest.Digest) (manifestAttributes, bool) {
	ms, err := rp.Manifests(ctx)
	if err != nil {
		return manifestAttributes{}, false
	}
	m, err := ms.Get(ctx, d)
	if err != nil {
		return manifestAttributes{}, false
	}
	mediaType, payload, _ := m.Payload()
	var parsed struct {
		Config v1.Descriptor   `json:"config"`
		Layers []v1.Descriptor `json:"layers"`
	}
	_ = json.Unmarshal(payload, &parsed) // an index has neither: its own size only
	size := int64(len(payload)) + parsed.Config.Size
	for _, l := range parsed.Layers {
		size += l.Size
	}
	out := manifestAttributes{Digest: d.String(), ImageSize: size, MediaType: mediaType, ChangeableAttributes: changeable}
	if parsed.Config.Digest != "" {
		out.ConfigMediaType = &parsed.Config.MediaType
		if b, err := rp.Blobs(ctx).Get(ctx, parsed.Config.Digest); err == nil {
			var cfg struct {
				Architecture string `json:"architecture"`
				OS           string `json:"os"`
			}
			if json.Unmarshal(b, &cfg) == nil {
				out.Architecture, out.OS = &cfg.Architecture, &cfg.OS
			}
		}
	}
	t := pl.linkTime(ctx, path.Join(repoPath(rp.Named().Name()), "_manifests/revisions", d.Algorithm().String(), d.Hex(), "link"))
	out.CreatedTime, out.LastUpdateTime = acrTime(t), acrTime(t)
	if tags, err := rp.Tags(ctx).Lookup(ctx, v1.Descriptor{Digest: d}); err == nil && len(tags) > 0 {
		sort.Strings(tags)
		out.Tags = tags
	}
	return out, true
}

func (pl *plane) manifestDigests(ctx context.Context, rp distribution.Repository) []digest.Digest {
	ms, err := rp.Manifests(ctx)
	if err != nil {
		return nil
	}
	var out []digest.Digest
	if e, ok := ms.(distribution.ManifestEnumerator); ok {
		_ = e.Enumerate(ctx, func(d digest.Digest) error {
			out = append(out, d)
			return nil
		})
	}
	return out
}

func (pl *plane) listManifests(w http.ResponseWriter, r *http.Request, rp distribution.Repository, repo string) {
	ctx := r.Context()
	var attrs []manifestAttributes
	for _, d := range pl.manifestDigests(ctx, rp) {
		if a, ok := pl.manifestAttrs(ctx, rp, d); ok {
			attrs = append(attrs, a)
		}
	}
	out := orderedPage(w, r, attrs, func(a manifestAttributes) string { return a.Digest }, func(a manifestAttributes) string { return a.LastUpdateTime })
	core.WriteJSON(w, 200, struct {
		ImageName string               `json:"imageName"`
		Manifests []manifestAttributes `json:"manifests"`
		Registry  string               `json:"registry"`
	}{repo, out, pl.login})
}

func (pl *plane) repoAttrs(w http.ResponseWriter, r *http.Request, rp distribution.Repository, repo string, tags []string) {
	ctx := r.Context()
	digests := pl.manifestDigests(ctx, rp)
	var first, last time.Time
	for _, d := range digests {
		t := pl.linkTime(ctx, path.Join(repoPath(repo), "_manifests/revisions", d.Algorithm().String(), d.Hex(), "link"))
		if first.IsZero() || t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	for _, tg := range tags {
		if t := pl.linkTime(ctx, path.Join(repoPath(repo), "_manifests/tags", tg, "current/link")); t.After(last) {
			last = t
		}
	}
	core.WriteJSON(w, 200, struct {
		ChangeableAttributes changeableAttributes `json:"changeableAttributes"`
		CreatedTime          string               `json:"createdTime"`
		ImageName            string               `json:"imageName"`
		LastUpdateTime       string               `json:"lastUpdateTime"`
		ManifestCount        int                  `json:"manifestCount"`
		Registry             string               `json:"registry"`
		TagCount             int                  `json:"tagCount"`
	}{changeable, acrTime(first), repo, acrTime(last), len(digests), pl.login, len(tags)})
}

func (pl *plane) deleteRepo(w http.ResponseWriter, r *http.Request, rp distribution.Repository, named reference.Named, tags []string) {
	ctx := r.Context()
	digests := []string{}
	for _, d := range pl.manifestDigests(ctx, rp) {
		digests = append(digests, d.String())
	}
	rm, ok := pl.ns.(distribution.RepositoryRemover)
	if !ok {
		regError(w, 405, "UNSUPPORTED", "The operation is unsupported.")
		return
	}
	if err := rm.Remove(ctx, named); err != nil {
		regError(w, 500, "UNKNOWN", err.Error())
		return
	}
	sort.Strings(tags)
	core.WriteJSON(w, 202, struct {
		ManifestsDeleted []string `json:"manifestsDeleted"`
		TagsDeleted      []string `json:"tagsDeleted"`
	}{digests, tags})
}
