package containerregistry

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aci-cli/aci/internal/local/core"
	"github.com/distribution/reference"
	"github.com/google/uuid"
)

// `acr build` on aci local, as ACR runs it: listBuildSourceUploadUrl hands
// out a SAS URL on the registry's own listener where the CLI uploads the
// context (Put Blob, or Put Block + Put Block List), scheduleRun queues a run
// that builds on the Docker engine and pushes to the registry, and
// listLogSasUrl hands out the run log as a blob whose metadata says
// "Complete" when the run ended.

// RunType is the ARM type of registry runs.
const RunType = "Microsoft.ContainerRegistry/registries/runs"

// buildRequest is what scheduleRun takes (DockerBuildRequest only here).
type buildRequest struct {
	Type           string   `json:"type"`
	ImageNames     []string `json:"imageNames"`
	IsPushEnabled  *bool    `json:"isPushEnabled"`
	NoCache        bool     `json:"noCache"`
	DockerFilePath string   `json:"dockerFilePath"`
	Target         string   `json:"target"`
	SourceLocation string   `json:"sourceLocation"`
	Timeout        int      `json:"timeout"`
	Arguments      []struct {
		Name     string `json:"name"`
		Value    string `json:"value"`
		IsSecret bool   `json:"isSecret"`
	} `json:"arguments"`
	Platform *buildPlatform `json:"platform"`
}

type buildPlatform struct {
	OS           string `json:"os"`
	Architecture string `json:"architecture"`
}

var (
	sourceRE = regexp.MustCompile(`^source/[0-9a-f-]{36}\.tar\.gz$`)
	runIDRE  = regexp.MustCompile(`^ca[0-9]{1,9}$`)
	blockRE  = regexp.MustCompile(`^[A-Za-z0-9+/=]{1,128}$`)
)

// sas signs a path of the registry's blob endpoint for some permissions.
func (pl *plane) sas(p, perms string, life time.Duration) string {
	se := time.Now().Add(life).UTC().Format(time.RFC3339)
	q := url.Values{"sv": {"2021-08-06"}, "sr": {"b"}, "sp": {perms}, "se": {se}, "sig": {pl.sasSig(p, perms, se)}}
	// REGISTRY.blob.core.aci.localhost:PORT/CONTAINER/BLOB: the shape az's
	// acr build reads the account, suffix, container and blob from.
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(pl.s.BaseURL(), "https://"))
	return "https://" + strings.ToLower(pl.name()) + BlobSuffix + ":" + port + "/" + p + "?" + q.Encode()
}

func (pl *plane) sasSig(p, perms, se string) string {
	m := hmac.New(sha256.New, []byte(pl.secret))
	m.Write([]byte("aci-local-sas\n" + p + "\n" + perms + "\n" + se))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func blobError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("x-ms-error-code", code)
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?><Error><Code>%s</Code><Message>%s</Message></Error>`, code, msg)
}

// blobs serves /aci-local-blobs/{source/<uuid>.tar.gz | logs/<run>.log}: the
// SAS decides, and only those two shapes of name exist.
func (pl *plane) blobs(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/aci-local-blobs"), "/")
	q := r.URL.Query()
	se, err := time.Parse(time.RFC3339, q.Get("se"))
	need := "r"
	if r.Method == http.MethodPut {
		need = "w"
	}
	if err != nil || time.Now().After(se) || !strings.Contains(q.Get("sp"), need) ||
		!hmac.Equal([]byte(q.Get("sig")), []byte(pl.sasSig(p, q.Get("sp"), q.Get("se")))) {
		blobError(w, 403, "AuthenticationFailed", "Server failed to authenticate the request. Make sure the value of the Authorization header is formed correctly including the signature.")
		return
	}
	w.Header().Set("x-ms-version", "2021-08-06")
	switch {
	case sourceRE.MatchString(p) && r.Method == http.MethodPut:
		pl.putSource(w, r, filepath.Join(pl.dir, "builds", filepath.FromSlash(p)))
	case strings.HasPrefix(p, "logs/") && runIDRE.MatchString(strings.TrimSuffix(strings.TrimPrefix(p, "logs/"), ".log")) &&
		(r.Method == http.MethodGet || r.Method == http.MethodHead):
		pl.getLog(w, r, strings.TrimSuffix(strings.TrimPrefix(p, "logs/"), ".log"))
	default:
		blobError(w, 404, "BlobNotFound", "The specified blob does not exist.")
	}
}

const maxContext = 4 << 30

// putSource stores an uploaded context: one Put Blob, or blocks and a block list.
func (pl *plane) putSource(w http.ResponseWriter, r *http.Request, file string) {
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		blobError(w, 500, "InternalError", err.Error())
		return
	}
	body := http.MaxBytesReader(w, r.Body, maxContext)
	blocks := file + ".blocks"
	switch r.URL.Query().Get("comp") {
	case "":
		if err := writeFile(file, body); err != nil {
			blobError(w, 400, "InvalidInput", err.Error())
			return
		}
	case "block":
		id := r.URL.Query().Get("blockid")
		if !blockRE.MatchString(id) {
			blobError(w, 400, "InvalidQueryParameterValue", "Value for one of the query parameters specified in the request URI is invalid.")
			return
		}
		_ = os.MkdirAll(blocks, 0o700)
		if err := writeFile(filepath.Join(blocks, hexName(id)), body); err != nil {
			blobError(w, 400, "InvalidInput", err.Error())
			return
		}
	case "blocklist":
		var list struct {
			IDs []string `xml:",any"`
		}
		if err := xml.NewDecoder(io.LimitReader(body, 1<<20)).Decode(&list); err != nil {
			blobError(w, 400, "InvalidXmlDocument", "XML specified is not syntactically valid.")
			return
		}
		f, err := os.OpenFile(file+".tmp", os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
		if err != nil {
			blobError(w, 500, "InternalError", err.Error())
			return
		}
		for _, id := range list.IDs {
			b, err := os.Open(filepath.Join(blocks, hexName(id)))
			if err != nil || !blockRE.MatchString(id) {
				f.Close()
				blobError(w, 400, "InvalidBlockList", "The specified block list is invalid.")
				return
			}
			_, err = io.Copy(f, b)
			b.Close()
			if err != nil {
				f.Close()
				blobError(w, 500, "InternalError", err.Error())
				return
			}
		}
		f.Close()
		if err := os.Rename(file+".tmp", file); err != nil {
			blobError(w, 500, "InternalError", err.Error())
			return
		}
		os.RemoveAll(blocks)
	default:
		blobError(w, 400, "InvalidQueryParameterValue", "Value for one of the query parameters specified in the request URI is invalid.")
		return
	}
	w.Header().Set("ETag", `"0x`+strconv.FormatInt(time.Now().UnixNano(), 16)+`"`)
	w.Header().Set("Last-Modified", time.Now().UTC().Format(http.TimeFormat))
	w.Header().Set("x-ms-request-server-encrypted", "true")
	w.WriteHeader(http.StatusCreated)
}

func hexName(id string) string { return fmt.Sprintf("%x", id) }

func writeFile(file string, r io.Reader) error {
	f, err := os.OpenFile(file+".tmp", os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		os.Remove(file + ".tmp")
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(file+".tmp", file)
}

// getLog serves a run's log as an append blob, ranges included; its
// "Complete" metadata carries the final status once the run ended.
func (pl *plane) getLog(w http.ResponseWriter, r *http.Request, runID string) {
	status := pl.runStatus(runID)
	if status == "" {
		blobError(w, 404, "BlobNotFound", "The specified blob does not exist.")
		return
	}
	b, _ := os.ReadFile(filepath.Join(pl.dir, "builds", "logs", runID+".log"))
	switch status {
	case "Succeeded", "Failed", "Canceled", "Error", "Timeout":
		w.Header().Set("x-ms-meta-Complete", map[string]string{"Succeeded": "succeeded", "Failed": "failed", "Canceled": "canceled",
			"Error": "internalerror", "Timeout": "timedout"}[status])
	}
	w.Header().Set("x-ms-blob-type", "AppendBlob")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Last-Modified", time.Now().UTC().Format(http.TimeFormat))
	w.Header().Set("ETag", fmt.Sprintf(`"0x%x"`, len(b)))
	rg := r.Header.Get("x-ms-range")
	if rg == "" {
		rg = r.Header.Get("Range")
	}
	if rg == "" {
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(200)
		if r.Method == http.MethodGet {
			_, _ = w.Write(b) // a client that left needs no log
		}
		return
	}
	var start, end int
	n, _ := fmt.Sscanf(rg, "bytes=%d-%d", &start, &end)
	if n == 1 || end >= len(b) {
		end = len(b) - 1
	}
	if n == 0 || start >= len(b) || start < 0 || end < start {
		w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", len(b)))
		blobError(w, 416, "InvalidRange", "The range specified is invalid for the current size of the resource.")
		return
	}
	w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, len(b)))
	w.Header().Set("Content-Length", strconv.Itoa(end-start+1))
	w.WriteHeader(http.StatusPartialContent)
	if r.Method == http.MethodGet {
		_, _ = w.Write(b[start : end+1])
	}
}

func (pl *plane) runStatus(runID string) string {
	res, err := pl.s.Store().Get(pl.id + "/runs/" + runID)
	if err != nil {
		return ""
	}
	var b struct {
		Properties struct{ Status string } `json:"properties"`
	}
	_ = json.Unmarshal(res.Body, &b)
	return b.Properties.Status
}

func (h *Registries) plane(id string) *plane {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.planes[strings.ToLower(id)]
}

func (h *Registries) uploadURL(w http.ResponseWriter, r *core.Request, id string) {
	pl := h.plane(id)
	if pl == nil {
		r.Error(w, 409, "RegistryNotReady", "The registry is not running.")
		return
	}
	rel := "source/" + uuid.NewString() + ".tar.gz"
	core.WriteJSON(w, 200, struct {
		RelativePath string `json:"relativePath"`
		UploadURL    string `json:"uploadUrl"`
	}{rel, pl.sas(rel, "cw", time.Hour)})
}

// buildJob is one queued acr build: what to build, from where, and where
// to push it.
type buildJob struct {
	pl         *plane
	runRes     string // the run's resource id
	src        string // the uploaded context
	dockerfile string
	refs       []string
	args       map[string]*string
	push       bool
	timeout    time.Duration
}

func (h *Registries) scheduleRun(w http.ResponseWriter, r *core.Request, id string) {
	var b buildRequest
	if e := r.Decode(&b); e != nil {
		core.WriteError(w, e)
		return
	}
	job, e := h.newBuildJob(id, &b)
	if e != nil {
		core.WriteError(w, e)
		return
	}
	h.runMu.Lock()
	n := 1
	if all, err := h.s.Store().List(id+"/runs/", RunType); err == nil {
		n = len(all) + 1
	}
	runID := fmt.Sprintf("ca%d", n)
	for _, img := range b.ImageNames {
		img = strings.ReplaceAll(strings.ReplaceAll(img, "{{.Run.ID}}", runID), "$ID", runID)
		if !strings.Contains(img, ":") {
			img += ":latest"
		}
		ref := job.pl.login + "/" + img
		if _, err := reference.ParseNormalizedNamed(ref); err != nil {
			h.runMu.Unlock()
			r.Error(w, 400, "InvalidImageName", "The image name '%s' is invalid.", img)
			return
		}
		job.refs = append(job.refs, ref)
	}
	job.runRes = id + "/runs/" + runID
	bb, err := json.Marshal(queuedRun(job.runRes, runID, b.Platform))
	if err == nil {
		err = h.s.Store().Put(&core.Resource{ID: job.runRes, Type: RunType, Group: r.Group, Body: bb, Created: time.Now(), Updated: time.Now()})
	}
	h.runMu.Unlock()
	if err != nil {
		r.Error(w, 500, "InternalServerError", "The store failed: %v", err)
		return
	}
	core.WriteRaw(w, 200, bb)
	h.s.Go(func(ctx context.Context) { h.run(ctx, job) })
}

// newBuildJob checks a DockerBuildRequest against what this registry can
// build: an uploaded context and a Dockerfile inside it.
func (h *Registries) newBuildJob(id string, b *buildRequest) (*buildJob, *core.APIError) {
	if b.Type != "DockerBuildRequest" {
		return nil, core.NewError(400, "RunTypeNotSupported", fmt.Sprintf("aci local runs DockerBuildRequest only (acr build); '%s' is not supported.", b.Type))
	}
	if h.builder == nil {
		return nil, core.NewError(400, "BuildNotSupported", "acr build needs the Docker engine on this machine, and aci local runs without one.")
	}
	pl := h.plane(id)
	if pl == nil {
		return nil, core.NewError(409, "RegistryNotReady", "The registry is not running.")
	}
	if !sourceRE.MatchString(b.SourceLocation) {
		return nil, core.NewError(400, "InvalidSourceLocation", fmt.Sprintf("The source location '%s' is not an uploaded context of this registry (use listBuildSourceUploadUrl).", b.SourceLocation))
	}
	src := filepath.Join(pl.dir, "builds", filepath.FromSlash(b.SourceLocation))
	if _, err := os.Stat(src); err != nil {
		return nil, core.NewError(400, "InvalidSourceLocation", fmt.Sprintf("Nothing was uploaded to '%s'.", b.SourceLocation))
	}
	df := b.DockerFilePath
	if df == "" {
		df = "Dockerfile"
	}
	if filepath.IsAbs(df) || strings.Contains("/"+filepath.ToSlash(df)+"/", "/../") {
		return nil, core.NewError(400, "InvalidParameter", fmt.Sprintf("The Dockerfile path '%s' must be relative to the context.", df))
	}
	args := map[string]*string{}
	for _, a := range b.Arguments {
		v := a.Value
		args[a.Name] = &v
	}
	timeout := time.Duration(b.Timeout) * time.Second
	if timeout <= 0 || timeout > 8*time.Hour {
		timeout = time.Hour
	}
	return &buildJob{pl: pl, src: src, dockerfile: df, args: args, push: b.IsPushEnabled == nil || *b.IsPushEnabled, timeout: timeout}, nil
}

// queuedRun is a new run, as ACR shows it while it waits.
func queuedRun(runRes, runID string, platform *buildPlatform) *run {
	now := nowOffset()
	plat := runPlatform{OS: "linux", Architecture: "amd64"}
	if platform != nil && platform.OS != "" {
		plat.OS = strings.ToLower(platform.OS)
		if platform.Architecture != "" {
			plat.Architecture = platform.Architecture
		}
	}
	r := &run{Type: RunType, ID: runRes, Name: runID, Properties: runProps{
		RunID: runID, Status: "Queued", LastUpdatedTime: now, RunType: "QuickRun", CreateTime: now,
		Platform: plat, SourceRegistryAuth: "Default", ProvisioningState: "Succeeded", OutputImages: []outputImage{}}}
	r.Properties.AgentConfiguration.CPU = 2
	return r
}

func (h *Registries) setRun(id string, f func(p *runProps)) {
	err := h.s.Store().Update(id, func(x *core.Resource) error {
		var r run
		if err := x.DecodeBody(&r); err != nil {
			return err
		}
		f(&r.Properties)
		r.Properties.LastUpdatedTime = nowOffset()
		b, err := json.Marshal(r)
		x.Body = b
		return err
	})
	if err != nil {
		h.s.Warn("acr run", "id", id, "error", err.Error())
	}
}

// run builds and pushes, writing the log; it always ends the run.
func (h *Registries) run(ctx context.Context, job *buildJob) {
	runID := job.runRes[strings.LastIndex(job.runRes, "/")+1:]
	logDir := filepath.Join(job.pl.dir, "builds", "logs")
	_ = os.MkdirAll(logDir, 0o700)
	lf, err := os.OpenFile(filepath.Join(logDir, runID+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	status := "Failed"
	started := time.Now()
	h.setRun(job.runRes, func(p *runProps) { p.Status, p.StartTime = "Running", nowOffset() })
	defer func() {
		if lf != nil {
			if status == "Succeeded" {
				fmt.Fprintf(lf, "\nRun ID: %s was successful after %s\n", runID, time.Since(started).Round(time.Second))
			} else {
				fmt.Fprintf(lf, "\nRun ID: %s failed after %s. Error: %s\n", runID, time.Since(started).Round(time.Second), strings.ToLower(status))
			}
			lf.Close()
		}
		h.setRun(job.runRes, func(p *runProps) { p.Status, p.FinishTime = status, nowOffset() })
		os.Remove(job.src)
	}()
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, job.timeout)
	defer cancel()
	stamp := func(format string, a ...any) {
		fmt.Fprintf(lf, "%s "+format+"\n", append([]any{time.Now().UTC().Format("2006/01/02 15:04:05")}, a...)...)
	}
	if !h.build(ctx, job, lf, stamp) {
		if ctx.Err() != nil {
			status = "Timeout"
		}
		return
	}
	outputs, ok := h.pushAll(ctx, job, lf, stamp)
	if !ok {
		return
	}
	status = "Succeeded"
	h.setRun(job.runRes, func(p *runProps) {
		if outputs != nil {
			p.OutputImages = outputs
		}
	})
}

// build runs the Docker build of the job's context, with only base images
// this machine has: Docker would pull a missing one from the internet, and
// aci local never does.
func (h *Registries) build(ctx context.Context, job *buildJob, lf io.Writer, stamp func(string, ...any)) bool {
	stamp("Downloading source code...")
	stamp("Finished downloading source code")
	f, err := os.Open(job.src)
	if err != nil {
		stamp("Error: the source code could not be read: %v", err)
		return false
	}
	defer f.Close()
	bases, err := baseImages(job.src, job.dockerfile, job.args)
	if err != nil {
		stamp("Error: %v", err)
		return false
	}
	for _, b := range bases {
		host := strings.SplitN(b, "/", 2)[0]
		if strings.Contains(b, "/") && (strings.HasPrefix(host, "127.") || strings.HasPrefix(host, "localhost")) {
			continue
		}
		if !h.builder.HasImage(ctx, b) {
			stamp("Error: the base image '%s' is not on this machine, and aci local pulls nothing from the internet: build or load it first, or push it to a registry of aci local", b)
			return false
		}
	}
	stamp("Executing step ID: build. Working directory: '', Network: ''")
	if err := h.builder.Build(ctx, f, job.dockerfile, job.refs, job.args, lf); err != nil {
		stamp("Error: the build failed: %v", err)
		return false
	}
	stamp("Successfully executed container: build")
	return true
}

// pushAll pushes the built images to the registry, as the build's own
// short-lived identity.
func (h *Registries) pushAll(ctx context.Context, job *buildJob, lf io.Writer, stamp func(string, ...any)) ([]outputImage, bool) {
	if !job.push || len(job.refs) == 0 {
		return nil, true
	}
	tok, err := job.pl.sign("refresh_token", nil, "acr-build", 10*time.Minute)
	if err != nil {
		stamp("Error: %v", err)
		return nil, false
	}
	var outputs []outputImage
	for _, ref := range job.refs {
		stamp("Pushing image: %s, attempt 1", ref)
		digest, err := h.builder.Push(ctx, ref, anonymousUser, tok, lf)
		if err != nil {
			stamp("Error: %v", err)
			return nil, false
		}
		repo, tag, _ := strings.Cut(strings.TrimPrefix(ref, job.pl.login+"/"), ":")
		outputs = append(outputs, outputImage{Registry: job.pl.login, Repository: repo, Tag: tag, Digest: digest})
	}
	stamp("Successfully pushed images")
	return outputs, true
}

// resumeRuns fails the runs a stopped server left unfinished.
func (h *Registries) resumeRuns() {
	all, err := h.s.Store().List("/subscriptions/", RunType)
	if err != nil {
		return
	}
	for _, res := range all {
		var b struct {
			Properties struct{ Status string } `json:"properties"`
		}
		_ = json.Unmarshal(res.Body, &b)
		if b.Properties.Status == "Queued" || b.Properties.Status == "Running" {
			h.setRun(res.ID, func(p *runProps) { p.Status, p.FinishTime = "Failed", nowOffset() })
		}
	}
}

func (h *Registries) runs(w http.ResponseWriter, r *core.Request, id string, rest []string) {
	switch {
	case len(rest) == 0 && r.Method == http.MethodGet:
		all, err := h.s.Store().List(id+"/runs/", RunType)
		if err != nil {
			r.Error(w, 500, "InternalServerError", "The store failed: %v", err)
			return
		}
		items := []json.RawMessage{}
		for i := len(all) - 1; i >= 0; i-- {
			items = append(items, all[i].Body)
		}
		h.s.Page(w, r, items)
		return
	case len(rest) >= 1 && runIDRE.MatchString(rest[0]):
	default:
		r.Error(w, 404, "InvalidResourceType", "The resource path '%s' is not known to aci local.", r.URL.Path)
		return
	}
	res, err := h.s.Store().Get(id + "/runs/" + rest[0])
	if err != nil {
		r.Error(w, 404, "RunNotFound", "The run '%s' was not found.", rest[0])
		return
	}
	switch {
	case len(rest) == 1 && r.Method == http.MethodGet:
		core.WriteRaw(w, 200, res.Body)
	case len(rest) == 2 && strings.EqualFold(rest[1], "listLogSasUrl") && r.Method == http.MethodPost:
		pl := h.plane(id)
		if pl == nil {
			r.Error(w, 409, "RegistryNotReady", "The registry is not running.")
			return
		}
		core.WriteJSON(w, 200, struct {
			LogLink string `json:"logLink"`
		}{pl.sas("logs/"+rest[0]+".log", "r", time.Hour)})
	default:
		r.Error(w, 404, "InvalidResourceType", "The resource path '%s' is not known to aci local.", r.URL.Path)
	}
}
