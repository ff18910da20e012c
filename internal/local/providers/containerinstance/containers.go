// Package containerinstance is aci local's Microsoft.ContainerInstance provider:
// container groups validated as ACI validates them, run on a runtime.Runtime,
// with their instance views, logs, exec and the location-scoped operations.
package containerinstance

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aci-cli/aci/internal/local/core"
	"github.com/aci-cli/aci/internal/local/runtime"
	"github.com/aci-cli/aci/internal/shlex"
	"github.com/google/uuid"
	"github.com/gorilla/websocket"
)

// ContainerGroups serves Microsoft.ContainerInstance/containerGroups and runs
// the groups on a runtime.Runtime.
type ContainerGroups struct {
	s        *core.Server
	rt       runtime.Runtime
	live     sync.Map // group id -> *groupPrivate being provisioned (events visible at once)
	mu       sync.Mutex
	locks    core.Locks
	sessions map[string]*execSession
	ipMu     sync.Mutex
	reserved map[string]bool // addresses handed out whose record is not stored yet
	labelMu  sync.Mutex
	labels   map[string]string // "location/label" -> the group id creating it, until stored
	// secretRoot is where secret volumes live: tmpfs where the host has one.
	secretRoot string
	shares     Shares // nil: azureFile volumes fail
	// Limits are what a group may ask for; set before serving.
	Limits Limits
}

// Shares resolves an azureFile volume to its share's directory, checking the
// account key as Azure Files does when ACI mounts it.
type Shares interface {
	SharePath(ctx context.Context, account, key, share string) (string, error)
}

// SetShares wires the storage provider in.
func (h *ContainerGroups) SetShares(s Shares) { h.shares = s }

// resolveShares fills in each azureFile volume's host directory.
func (h *ContainerGroups) resolveShares(ctx context.Context, g *runtime.GroupSpec) error {
	for i := range g.Volumes {
		v := &g.Volumes[i]
		if v.Kind != "azureFile" {
			continue
		}
		if h.shares == nil {
			return fmt.Errorf("Failed to mount Azure File volume '%s': aci local serves no file shares", v.Name)
		}
		dir, err := h.shares.SharePath(ctx, v.AzureFile.AccountName, v.AzureFile.AccountKey, v.AzureFile.ShareName)
		if err != nil {
			return fmt.Errorf("Failed to mount Azure File volume '%s': %v", v.Name, err)
		}
		v.AzureFile.HostPath = dir
	}
	return nil
}

type execSession struct {
	password, group, container string
	argv                       []string
	expires                    time.Time
	rows, cols                 uint // a terminal of this size, when both are set
}

// groupPrivate is what GET never returns: the full body (with secure values) and
// runtime bookkeeping.
type groupPrivate struct {
	Full    json.RawMessage         `json:"full"`
	IP      string                  `json:"ip"`
	Key     string                  `json:"key"`
	Events  map[string][]eventEntry `json:"events"`
	Stopped bool                    `json:"stopped"`
	Runtime string                  `json:"runtime"`
	// Deleting is set (and stored) before a delete removes anything, so a delete
	// cut short by a crash is finished at the next start instead of leaving a
	// Succeeded group with no containers.
	Deleting bool `json:"deleting,omitempty"`
}

type eventEntry struct {
	Count          int       `json:"count"`
	FirstTimestamp time.Time `json:"firstTimestamp"`
	LastTimestamp  time.Time `json:"lastTimestamp"`
	Name           string    `json:"name"`
	Message        string    `json:"message"`
	Type           string    `json:"type"`
}

// NewContainerGroups registers the container-group and location handlers on s.
func NewContainerGroups(s *core.Server, rt runtime.Runtime) *ContainerGroups {
	h := &ContainerGroups{s: s, rt: rt, sessions: map[string]*execSession{}, reserved: map[string]bool{}, Limits: DefaultLimits()}
	s.Declare(core.Namespace{Name: "Microsoft.ContainerInstance",
		Types: []string{"containerGroups", "locations", "locations/capabilities", "locations/usages", "locations/cachedImages",
			"locations/operations", "locations/operationResults", "operations"},
		Versions: []string{"2026-05-01", "2025-09-01", "2024-05-01-preview", "2023-05-01", "2022-10-01-preview", "2021-10-01"}})
	s.Register(h)
	s.Register(&aciLocations{h: h})
	s.RegisterResumer("containerGroupCreate", h.resume)
	s.RegisterResumer("containerGroupStart", h.resume)
	s.HandleFunc("/aci-local/exec/{session}", h.execSocket)
	s.SetRuntimeName(rt.Name())
	h.secretRoot = runtime.SecretRoot(s.Options().StateDir)
	s.OnStart(func() {
		all, _ := s.Store().List("/subscriptions/", h.Type())
		for _, r := range all {
			h.publishName(r)
		}
	})
	return h
}

// Type is the ARM resource type.
func (h *ContainerGroups) Type() string { return "Microsoft.ContainerInstance/containerGroups" }

func (h *ContainerGroups) lock(id string) func() { return h.locks.Lock(id) }

// Reconcile brings records and runtime objects back together after a crash;
// call it once at start-up, before Start. Both ways: runtime objects of no
// record are removed; a record whose delete was cut short is deleted; a
// provisioned, running group whose containers are gone (killed with the
// process runtime, or removed behind its back) is provisioned again.
func (h *ContainerGroups) Reconcile(ctx context.Context) error {
	all, err := h.s.Store().List("/subscriptions/", h.Type())
	if err != nil {
		return err
	}
	privs := make([]groupPrivate, len(all))
	known := map[string]bool{}
	var errs []error
	for i, r := range all {
		errs = append(errs, r.DecodePrivate(&privs[i]))
		known[privs[i].Key] = !privs[i].Deleting
	}
	if err := h.rt.Reconcile(ctx, func(k string) bool { return known[k] }); err != nil {
		return err
	}
	for i, r := range all {
		p := privs[i]
		if p.Deleting {
			errs = append(errs, h.remove(ctx, r))
			continue
		}
		var b storedGroup
		if err := r.DecodeBody(&b); err != nil {
			errs = append(errs, err)
			continue
		}
		if b.Properties.ProvisioningState != "Succeeded" || p.Stopped {
			continue // in-flight operations are resumed by the server
		}
		name := r.ID[strings.LastIndex(r.ID, "/")+1:]
		spec, err := h.spec(r, &p, name)
		if err != nil {
			continue
		}
		if st, err := h.rt.Status(ctx, spec); err == nil && len(st) == 0 {
			op, err := h.s.NewOperation("containerGroupStart", r.ID, nil)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			h.s.Go(func(ctx context.Context) { h.provision(ctx, op, true) })
		}
	}
	return errors.Join(errs...)
}

// Serve dispatches on the path below providers/Microsoft.ContainerInstance.
func (h *ContainerGroups) Serve(w http.ResponseWriter, r *core.Request) {
	rest := r.Rest
	switch {
	case len(rest) == 1 && r.Method == http.MethodGet:
		h.list(w, r)
	case len(rest) == 2 && r.Group != "":
		switch r.Method {
		case http.MethodPut:
			h.put(w, r, rest[1])
		case http.MethodGet:
			h.get(w, r, rest[1])
		case http.MethodDelete:
			h.delete(w, r, rest[1])
		default:
			r.Error(w, 405, "MethodNotAllowed", "The method '%s' is not supported on container groups.", r.Method)
		}
	case len(rest) == 3 && r.Group != "" && r.Method == http.MethodPost:
		h.action(w, r, rest[1], strings.ToLower(rest[2]))
	case len(rest) == 5 && r.Group != "" && strings.EqualFold(rest[2], "containers"):
		h.containerAction(w, r, rest[1], rest[3], strings.ToLower(rest[4]))
	default:
		r.Error(w, 404, "InvalidResourceType", "The resource path '%s' is not known to aci local.", r.URL.Path)
	}
}

func (h *ContainerGroups) id(r *core.Request, name string) string {
	return "/subscriptions/" + r.Subscription + "/resourceGroups/" + r.Group + "/providers/Microsoft.ContainerInstance/containerGroups/" + name
}

// Compiled once: validateGroup runs on every PUT.
var (
	// aciNameRE is the rule for group and container names alike.
	aciNameRE   = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	dnsLabelRE  = regexp.MustCompile(`^[a-z][-a-z0-9]{1,61}[a-z0-9]$`)
	base64Chars = regexp.MustCompile(`^[A-Za-z0-9+/]*={0,2}$`)
)

func isBase64(s string) bool {
	return base64Chars.MatchString(s) && len(s)%4 == 0
}

func listOf(v any) []any { l, _ := v.([]any); return l }

// obj is v as a JSON object, or an empty one: the stored body is read without
// type assertions that could panic.
func obj(v any) map[string]any {
	if m, ok := v.(map[string]any); ok {
		return m
	}
	return map[string]any{}
}

// public strips what GET must never return: secure values, registry passwords,
// storage keys and secret volume contents.
func public(body map[string]any) map[string]any {
	// A deep copy through JSON; if it fails, nothing is returned rather
	// than something unstripped.
	var c map[string]any
	b, err := json.Marshal(body)
	if err != nil || json.Unmarshal(b, &c) != nil {
		return map[string]any{}
	}
	props := obj(c["properties"])
	for _, cs := range [][]any{listOf(props["containers"]), listOf(props["initContainers"])} {
		for _, ci := range cs {
			cp := obj(obj(ci)["properties"])
			for _, e := range listOf(cp["environmentVariables"]) {
				delete(obj(e), "secureValue")
			}
		}
	}
	for _, rc := range listOf(props["imageRegistryCredentials"]) {
		delete(obj(rc), "password")
	}
	for _, v := range listOf(props["volumes"]) {
		vm := obj(v)
		if _, ok := vm["secret"]; ok {
			vm["secret"] = struct{}{} // its contents never leave the store
		}
		if af, ok := vm["azureFile"].(map[string]any); ok {
			delete(af, "storageAccountKey")
		}
	}
	delete(obj(obj(props["diagnostics"])["logAnalytics"]), "workspaceKey")
	return c
}

// normalizePorts stores ports given as numeric strings as numbers, as ACI
// does, so GET answers "port": 80 whatever the template wrote.
func normalizePorts(body map[string]any) {
	fix := func(ports any) {
		for _, p := range listOf(ports) {
			pm := obj(p)
			if s, ok := pm["port"].(string); ok {
				if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
					pm["port"] = n
				}
			}
		}
	}
	props := obj(body["properties"])
	fix(obj(props["ipAddress"])["ports"])
	for _, c := range append(listOf(props["containers"]), listOf(props["initContainers"])...) {
		fix(obj(obj(c)["properties"])["ports"])
	}
}

func groupKey(id string) string {
	h := sha256.Sum256([]byte(strings.ToLower(id)))
	return hex.EncodeToString(h[:6])
}

// allocateIP hands each group its own loopback address from 127.0.2.0/24,
// skipping addresses another group, another aci local or anything else uses.
// Allocation is serialised, and an address stays reserved (release) until the
// caller has stored the record that carries it: concurrent creates never get
// the same address.
func (h *ContainerGroups) allocateIP(ctx context.Context, exclude string, ports []int) (string, func(), error) {
	h.ipMu.Lock()
	defer h.ipMu.Unlock()
	all, err := h.s.Store().List("/subscriptions/", h.Type())
	if err != nil {
		return "", nil, err
	}
	used := map[string]bool{}
	for _, r := range all {
		var p groupPrivate
		if err := r.DecodePrivate(&p); err != nil {
			return "", nil, err
		}
		if !strings.EqualFold(r.ID, exclude) {
			used[p.IP] = true
		}
	}
	for ip := range h.reserved {
		used[ip] = true
	}
	for ip := range h.rt.AddressesInUse(ctx) {
		used[ip] = true
	}
	for i := 2; i < 255; i++ {
		ip := "127.0.2." + strconv.Itoa(i)
		if !used[ip] && portsFree(ip, ports) {
			h.reserved[ip] = true
			return ip, func() {
				h.ipMu.Lock()
				delete(h.reserved, ip)
				h.ipMu.Unlock()
			}, nil
		}
	}
	return "", nil, errors.New("all 253 loopback addresses of 127.0.2.0/24 are in use")
}

// dnsLabelOf is the group's DNS name label, if any.
func dnsLabelOf(g *cgBody) string {
	if g.Properties != nil && g.Properties.IPAddress != nil {
		return g.Properties.IPAddress.DNSNameLabel
	}
	return ""
}

// gitAllowed reports whether a gitRepo volume may clone repo: a local path (or
// file:// URL) inside one of the roots the owner allowed. Symlinks are resolved
// first, so a link inside a root cannot point out of it.
func (h *ContainerGroups) gitAllowed(repo string) bool {
	p := strings.TrimPrefix(repo, "file://")
	if !filepath.IsAbs(p) || strings.ContainsRune(p, 0) {
		return false
	}
	real, err := filepath.EvalSymlinks(filepath.Clean(p))
	if err != nil {
		return false
	}
	for _, root := range h.s.Options().GitRepoRoots {
		rr, err := filepath.EvalSymlinks(root)
		if err != nil {
			continue
		}
		if rel, err := filepath.Rel(rr, real); err == nil && filepath.IsLocal(rel) || real == rr {
			return true
		}
	}
	return false
}

func (h *ContainerGroups) spec(r *core.Resource, p *groupPrivate, name string) (*runtime.GroupSpec, error) {
	g, err := specFrom(r.ID, name, p.Key, p.IP, filepath.Join(h.s.Options().StateDir, "volumes", p.Key), p.Full)
	if err == nil && h.secretRoot != "" {
		g.SecretDir = filepath.Join(h.secretRoot, p.Key)
	}
	return g, err
}

func (h *ContainerGroups) put(w http.ResponseWriter, r *core.Request, name string) {
	body, typed, loc, e := h.decodePut(r, name)
	if e != nil {
		core.WriteError(w, e)
		return
	}
	id := h.id(r, name)
	unlock := h.lock(id)
	defer unlock()
	existing, err := h.s.Store().Get(id)
	isNew := err != nil
	var priv groupPrivate
	if !isNew {
		if err := existing.DecodePrivate(&priv); err != nil {
			r.Error(w, 500, "InternalServerError", "%v", err)
			return
		}
		id = existing.ID
	} else {
		priv.Key = groupKey(id)
	}
	if e := h.checkQuota(r, typed, loc, id); e != nil {
		core.WriteError(w, e)
		return
	}
	release, e := h.claimAddress(r.Context(), typed, loc, id, &priv)
	// Held until the record (which carries the label and the address) is
	// stored or dropped.
	defer release()
	if e != nil {
		core.WriteError(w, e)
		return
	}
	full, err := json.Marshal(body)
	if err != nil {
		r.Error(w, 400, "InvalidRequestContent", "%v", err)
		return
	}
	priv.Full, priv.Runtime, priv.Stopped = full, h.rt.Name(), false
	priv.Events = map[string][]eventEntry{}
	res := &core.Resource{ID: id, Type: h.Type(), Group: r.Group, Created: time.Now().UTC(), Updated: time.Now().UTC()}
	spec, err := h.spec(res, &priv, name)
	if err != nil {
		r.Error(w, 400, "InvalidRequestContent", "%v", err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Minute)
	defer cancel()
	if e := h.checkImages(ctx, spec, name); e != nil {
		core.WriteError(w, e)
		return
	}
	if !isNew {
		res.Created = existing.Created
		if err := h.rt.Remove(ctx, spec); err != nil {
			r.Error(w, 500, "InternalServerError", "Replacing the running group failed: %v", err)
			return
		}
	}
	if err := res.Encode(pendingBody(body, id, name, h.Type(), loc), priv); err != nil {
		r.Error(w, 500, "InternalServerError", "%v", err)
		return
	}
	op, e := h.s.Create(res, "containerGroupCreate")
	if e != nil {
		core.WriteError(w, e)
		return
	}
	h.publishName(res)
	h.s.Go(func(ctx context.Context) { h.provision(ctx, op, false) })
	h.asyncHeaders(w, r, loc, op.ID)
	status := http.StatusCreated
	if !isNew {
		status = http.StatusOK
	}
	core.WriteJSON(w, status, json.RawMessage(res.Body))
}

// decodePut reads and validates a PUT's body: the group as sent (kept
// whole, to be stored), its typed view, and its normalized location.
func (h *ContainerGroups) decodePut(r *core.Request, name string) (map[string]any, *cgBody, string, *core.APIError) {
	var body map[string]any
	if e := r.Decode(&body); e != nil {
		return nil, nil, "", e
	}
	normalizePorts(body)
	typed, e := decodeGroup(r.Body)
	if e == nil {
		// The 2017 api-versions (the seed's templates use 2017-08-01-preview)
		// took mixed-case group names; later ones want lower case.
		checked := name
		if r.APIVersion < "2018-02-01" {
			checked = strings.ToLower(name)
		}
		e = typed.validate(checked, rules{limits: h.Limits, gitAllowed: h.gitAllowed})
	}
	if e != nil {
		return nil, nil, "", e
	}
	if typed.Properties != nil && strings.EqualFold(typed.Properties.OSType, "Windows") {
		// ACI would pull a Windows image onto a Windows host; this machine's
		// engine runs Linux containers, and a Linux image must not pass for one.
		return nil, nil, "", core.NewError(400, "UnsupportedOsType", fmt.Sprintf("aci local runs Linux container groups only; container group '%s' asks for osType 'Windows'. Deploy it to Azure, or use --os-type Linux with a Linux image.", name))
	}
	if typed.Location == "" {
		return nil, nil, "", core.NewError(400, "LocationRequired", "The location property is required for this definition.")
	}
	loc, ok := core.NormalizeLocation(typed.Location)
	if !ok {
		return nil, nil, "", core.NewError(400, "NoRegisteredProviderFound", fmt.Sprintf("No registered resource provider found for location '%v' and API version '%s' for type 'containerGroups'. The supported locations are '%s'.", body["location"], r.APIVersion, core.RegionNames()))
	}
	return body, typed, loc, nil
}

// claimAddress holds the group's DNS label and, for a new group, a
// loopback address for its ports. release gives back what is held; call it
// once the record carrying them is stored or dropped.
func (h *ContainerGroups) claimAddress(ctx context.Context, typed *cgBody, loc, id string, priv *groupPrivate) (release func(), e *core.APIError) {
	var releases []func()
	release = func() {
		for _, f := range releases {
			f()
		}
	}
	if label := dnsLabelOf(typed); label != "" {
		rel, ok := h.claimLabel(label, loc, id)
		if !ok {
			return release, core.NewError(409, "DnsNameLabelAlreadyInUse", fmt.Sprintf("The DNS name label '%s' is already in use in location '%s'. Please use another label.", label, loc))
		}
		releases = append(releases, rel)
	}
	if priv.IP != "" {
		return release, nil
	}
	var ports []int
	if ip := typed.Properties.IPAddress; ip != nil {
		for _, p := range ip.Ports {
			ports = append(ports, p.Port)
		}
	}
	ip, rel, err := h.allocateIP(ctx, id, ports)
	if err != nil {
		return release, core.NewError(409, "ContainerGroupQuotaReached", err.Error())
	}
	releases = append(releases, rel)
	priv.IP = ip
	return release, nil
}

// checkImages fails the PUT at once, as ACI does, when an image cannot be
// pulled.
func (h *ContainerGroups) checkImages(ctx context.Context, spec *runtime.GroupSpec, name string) *core.APIError {
	err := h.rt.CheckImages(ctx, spec)
	if err == nil {
		return nil
	}
	var ie *runtime.ErrImage
	if errors.As(err, &ie) {
		return core.NewError(400, "InaccessibleImage", fmt.Sprintf("The image '%s' in container group '%s' is not accessible. Please check the image and registry credential. (%s)", ie.Image, name, ie.Reason))
	}
	return core.NewError(500, "InternalServerError", "The runtime failed: "+err.Error())
}

// pendingBody is what a PUT answers and GET returns until provisioning
// ends: the body without secrets, with ARM's read-only fields.
func pendingBody(body map[string]any, id, name, typ, loc string) map[string]any {
	pub := public(body)
	pub["id"], pub["name"], pub["type"], pub["location"] = id, name, typ, loc
	if _, ok := pub["tags"]; !ok {
		pub["tags"] = map[string]string{}
	}
	props := obj(pub["properties"])
	pub["properties"] = props
	props["provisioningState"] = "Pending"
	if _, ok := props["sku"]; !ok {
		props["sku"] = "Standard"
	}
	if ip, ok := props["ipAddress"].(map[string]any); ok {
		// The address is reported once the group is provisioned, as on ACI.
		delete(ip, "ip")
		if l, _ := ip["dnsNameLabel"].(string); l != "" {
			ip["fqdn"] = l + "." + loc + ".azurecontainer.io"
		}
	}
	return pub
}

// claimLabel reserves a DNS label in a location for id: the check and the
// reservation are one step under labelMu, so two groups created at once
// cannot both take a label (each is only checked against stored records
// otherwise). release ends the reservation once the record is stored.
func (h *ContainerGroups) claimLabel(label, loc, id string) (release func(), ok bool) {
	key := loc + "/" + strings.ToLower(label)
	h.labelMu.Lock()
	defer h.labelMu.Unlock()
	if h.labels == nil {
		h.labels = map[string]string{}
	}
	if other, busy := h.labels[key]; busy && !strings.EqualFold(other, id) {
		return nil, false
	}
	if other := h.labelOwner(label, loc); other != "" && !strings.EqualFold(other, id) {
		return nil, false
	}
	h.labels[key] = id
	return func() {
		h.labelMu.Lock()
		if strings.EqualFold(h.labels[key], id) {
			delete(h.labels, key)
		}
		h.labelMu.Unlock()
	}, true
}

func (h *ContainerGroups) labelOwner(label, loc string) string {
	all, _ := h.s.Store().List("/subscriptions/", h.Type())
	for _, r := range all {
		var b storedGroup
		if r.DecodeBody(&b) != nil {
			continue // a damaged record holds no label
		}
		if strings.EqualFold(b.Properties.IPAddress.DNSNameLabel, label) && b.Location == loc {
			return r.ID
		}
	}
	return ""
}

func (h *ContainerGroups) asyncHeaders(w http.ResponseWriter, r *core.Request, loc, opID string) {
	w.Header().Set("Azure-AsyncOperation", fmt.Sprintf("%s/subscriptions/%s/providers/Microsoft.ContainerInstance/locations/%s/operations/%s?api-version=%s",
		h.s.BaseURL(), r.Subscription, loc, opID, r.APIVersion))
	core.RetryAfter(w)
}

// event appends an instance-view event (counted when it repeats).
func (p *groupPrivate) event(container, name, message string) {
	now := time.Now().UTC()
	evs := p.Events[container]
	if n := len(evs); n > 0 && evs[n-1].Name == name && evs[n-1].Message == message {
		evs[n-1].Count++
		evs[n-1].LastTimestamp = now
	} else {
		evs = append(evs, eventEntry{Count: 1, FirstTimestamp: now, LastTimestamp: now, Name: name, Message: message, Type: "Normal"})
	}
	if name == "Failed" {
		evs[len(evs)-1].Type = "Warning"
	}
	p.Events[container] = evs
}

// provision runs a group on the runtime and records the outcome; restart=true
// re-creates it (start after stop, or a resumed operation).
func (h *ContainerGroups) provision(ctx context.Context, op *core.Operation, restart bool) {
	unlock := h.lock(op.Target)
	defer unlock()
	res, err := h.s.Store().Get(op.Target)
	if err != nil {
		h.s.FinishOperation(op, &core.ErrorBody{Code: "ResourceNotFound", Message: "The container group was deleted."})
		return
	}
	var priv groupPrivate
	if err := res.DecodePrivate(&priv); err != nil {
		h.s.FinishOperation(op, &core.ErrorBody{Code: "InternalServerError", Message: err.Error()})
		return
	}
	if priv.Events == nil {
		priv.Events = map[string][]eventEntry{}
	}
	name := res.ID[strings.LastIndex(res.ID, "/")+1:]
	spec, err := h.spec(res, &priv, name)
	if err == nil {
		err = h.resolveShares(ctx, spec)
	}
	var runErr error
	if err != nil {
		runErr = err
		priv.event("", "Failed", err.Error())
	} else {
		priv.event("", "Runtime", "aci local runs this group with the "+h.rt.Name()+" runtime")
		var evMu sync.Mutex
		ev := func(c, n, m string) {
			evMu.Lock()
			priv.event(c, n, m)
			snap := priv
			snap.Events = copyEvents(priv.Events)
			evMu.Unlock()
			h.live.Store(strings.ToLower(op.Target), &snap)
		}
		defer h.live.Delete(strings.ToLower(op.Target))
		rctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
		if restart {
			runErr = h.rt.Start(rctx, spec, ev)
		} else {
			runErr = h.rt.Run(rctx, spec, ev)
		}
		cancel()
		if runErr != nil {
			priv.event("", "Failed", runErr.Error())
			if err := h.rt.Remove(context.Background(), spec); err != nil { // nothing half-created stays behind
				priv.event("", "Failed", "cleaning up: "+err.Error())
			}
		}
	}
	state := "Succeeded"
	var failure *core.ErrorBody
	if runErr != nil {
		state = "Failed"
		failure = &core.ErrorBody{Code: "ContainerGroupDeploymentFailed", Message: runErr.Error()}
		var ie *runtime.ErrImage
		if errors.As(runErr, &ie) {
			failure.Code = "InaccessibleImage"
		}
	}
	err = h.s.Store().Update(op.Target, func(r *core.Resource) error {
		var b map[string]any
		if err := r.DecodeBody(&b); err != nil {
			return err
		}
		props := obj(b["properties"])
		b["properties"] = props
		props["provisioningState"] = state
		if ip, ok := props["ipAddress"].(map[string]any); ok && state == "Succeeded" {
			ip["ip"] = priv.IP
		}
		r.Updated = time.Now().UTC()
		return r.Encode(b, priv)
	})
	if err != nil && failure == nil {
		failure = &core.ErrorBody{Code: "InternalServerError", Message: err.Error()}
	}
	h.s.FinishOperation(op, failure)
}

func (h *ContainerGroups) resume(op *core.Operation) {
	h.provision(h.s.Context(), op, true)
}

// view returns the stored body with the live instance view merged in.
func (h *ContainerGroups) view(ctx context.Context, res *core.Resource) map[string]any {
	var b map[string]any
	var priv groupPrivate
	if err := errors.Join(res.DecodeBody(&b), res.DecodePrivate(&priv)); err != nil {
		h.s.Warn("container group record", "id", res.ID, "error", err.Error())
	}
	if b == nil {
		b = map[string]any{}
	}
	if lp, ok := h.live.Load(strings.ToLower(res.ID)); ok {
		priv.Events = lp.(*groupPrivate).Events
	}
	props := obj(b["properties"])
	b["properties"] = props
	name, _ := b["name"].(string)
	statuses := map[string]runtime.ContainerStatus{}
	// Containers are Waiting until their group has provisioned, as on ACI;
	// not asking the engine (nor parsing the spec it would be asked with)
	// then also keeps a client polling a create (every 5 ms, for aci bench)
	// from contending with the engine's create and start.
	if props["provisioningState"] == "Succeeded" {
		if spec, err := h.spec(res, &priv, name); err == nil {
			statuses, _ = h.rt.Status(ctx, spec)
		}
	}
	restartPolicy, _ := props["restartPolicy"].(string)
	running, terminated, failed := 0, 0, 0
	cs := listOf(props["containers"])
	for _, c := range cs {
		cm := obj(c)
		cn, _ := cm["name"].(string)
		cp := obj(cm["properties"])
		cm["properties"] = cp
		st, ok := statuses[cn]
		iv := containerView{RestartCount: st.RestartCount, Events: eventsJSON(priv.Events[cn]), CurrentState: containerState{State: "Waiting"}}
		if ok {
			iv.CurrentState = stateOf(st)
			switch st.State {
			case "Terminated":
				terminated++
				if st.ExitCode != nil && *st.ExitCode != 0 {
					failed++
				}
			case "Running":
				running++
			}
		}
		if props["provisioningState"] == "Succeeded" || ok || len(priv.Events[cn]) > 0 { // a failed group still tells why, per container
			cp["instanceView"] = iv
		}
	}
	state := "Pending"
	switch {
	case priv.Stopped:
		state = "Stopped"
	case props["provisioningState"] == "Failed":
		state = "Failed"
	case running > 0:
		state = "Running"
	case terminated == len(cs) && len(cs) > 0 && restartPolicy != "Always":
		state = "Succeeded"
		if failed > 0 && restartPolicy == "Never" {
			state = "Failed"
		}
	case terminated > 0:
		state = "Running"
	}
	props["instanceView"] = groupView{State: state, Events: eventsJSON(priv.Events[""])}
	return b
}

// groupView and containerView are ACI's instance views, fields in the
// wire's alphabetical order.
type groupView struct {
	Events []eventView `json:"events"`
	State  string      `json:"state"`
}

type containerView struct {
	CurrentState containerState `json:"currentState"`
	Events       []eventView    `json:"events"`
	RestartCount int            `json:"restartCount"`
}

type containerState struct {
	DetailStatus string `json:"detailStatus"`
	// ExitCode is a terminated container's, null when the runtime did not
	// report one; absent otherwise.
	ExitCode   any    `json:"exitCode,omitempty"`
	FinishTime string `json:"finishTime,omitempty"`
	StartTime  string `json:"startTime,omitempty"`
	State      string `json:"state"`
}

type eventView struct {
	Count          int    `json:"count"`
	FirstTimestamp string `json:"firstTimestamp"`
	LastTimestamp  string `json:"lastTimestamp"`
	Message        string `json:"message"`
	Name           string `json:"name"`
	Type           string `json:"type"`
}

// stateOf is a container's current state as the runtime reports it.
func stateOf(st runtime.ContainerStatus) containerState {
	cur := containerState{State: st.State, DetailStatus: st.DetailStatus}
	if !st.StartTime.IsZero() {
		cur.StartTime = st.StartTime.UTC().Format(time.RFC3339Nano)
	}
	if st.State == "Terminated" {
		cur.ExitCode = st.ExitCode
		if !st.FinishTime.IsZero() {
			cur.FinishTime = st.FinishTime.UTC().Format(time.RFC3339Nano)
		}
	}
	return cur
}

func copyEvents(m map[string][]eventEntry) map[string][]eventEntry {
	c := make(map[string][]eventEntry, len(m))
	for k, v := range m {
		c[k] = append([]eventEntry(nil), v...)
	}
	return c
}

func eventsJSON(evs []eventEntry) []eventView {
	out := []eventView{}
	for _, e := range evs {
		out = append(out, eventView{Count: e.Count, FirstTimestamp: e.FirstTimestamp.Format(time.RFC3339Nano),
			LastTimestamp: e.LastTimestamp.Format(time.RFC3339Nano), Name: e.Name, Message: e.Message, Type: e.Type})
	}
	return out
}
func (h *ContainerGroups) get(w http.ResponseWriter, r *core.Request, name string) {
	res, err := h.s.Store().Get(h.id(r, name))
	if err != nil {
		r.Error(w, 404, "ContainerGroupNotFound", "The container group '%s' does not exist.", name)
		return
	}
	core.WriteJSON(w, 200, h.view(r.Context(), res))
}

// list answers like ACI: stored bodies, without instance views.
func (h *ContainerGroups) list(w http.ResponseWriter, r *core.Request) {
	prefix := "/subscriptions/" + r.Subscription + "/"
	if r.Group != "" {
		prefix += "resourcegroups/" + r.Group + "/"
	}
	all, err := h.s.Store().List(prefix, h.Type())
	if err != nil {
		r.Error(w, 500, "InternalServerError", "The store failed: %v", err)
		return
	}
	items := make([]json.RawMessage, 0, len(all))
	for _, res := range all {
		items = append(items, res.Body)
	}
	h.s.Page(w, r, items)
}

func (h *ContainerGroups) delete(w http.ResponseWriter, r *core.Request, name string) {
	id := h.id(r, name)
	unlock := h.lock(id)
	defer unlock()
	res, err := h.s.Store().Get(id)
	if err != nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	body := h.view(r.Context(), res)
	if err := h.remove(r.Context(), res); err != nil {
		r.Error(w, 500, "InternalServerError", "Removing the group's containers failed: %v", err)
		return
	}
	core.WriteJSON(w, 200, body)
}

// publishName makes a group's FQDN (LABEL.REGION.azurecontainer.io)
// resolve to its address for every client on the machine (the hosts block).
func (h *ContainerGroups) publishName(res *core.Resource) {
	var b storedGroup
	var p groupPrivate
	if err := errors.Join(res.DecodeBody(&b), res.DecodePrivate(&p)); err != nil {
		h.s.DropNames(res.ID)
		return
	}
	fqdn := b.Properties.IPAddress.FQDN
	if l := b.Properties.IPAddress.DNSNameLabel; fqdn == "" && l != "" {
		fqdn = strings.ToLower(l) + "." + b.Location + ".azurecontainer.io"
	}
	if fqdn == "" || p.Deleting {
		h.s.DropNames(res.ID)
		return
	}
	h.s.SetNames(res.ID, p.IP, fqdn)
}

func (h *ContainerGroups) remove(ctx context.Context, res *core.Resource) error {
	h.s.DropNames(res.ID)
	var priv groupPrivate
	if err := res.DecodePrivate(&priv); err != nil {
		return err
	}
	if !priv.Deleting {
		if err := h.updatePrivate(res.ID, func(p *groupPrivate) { p.Deleting = true }); err != nil && !errors.Is(err, core.ErrNotFound) {
			return err
		}
	}
	name := res.ID[strings.LastIndex(res.ID, "/")+1:]
	if spec, err := h.spec(res, &priv, name); err == nil {
		if err := h.rt.Remove(ctx, spec); err != nil {
			return err
		}
	}
	return h.s.Store().Delete(res.ID)
}

// DeleteInGroup removes every container group of a resource group being deleted.
func (h *ContainerGroups) DeleteInGroup(sub, group string) error {
	return h.s.CleanGroup(sub, group, h.Type(), &h.locks, func(res *core.Resource) error { return h.remove(context.Background(), res) })
}

// load reads a group and its runtime spec, answering 404/500 itself when it cannot.
func (h *ContainerGroups) load(w http.ResponseWriter, r *core.Request, name string) (*core.Resource, *groupPrivate, *runtime.GroupSpec, bool) {
	res, err := h.s.Store().Get(h.id(r, name))
	if err != nil {
		r.Error(w, 404, "ContainerGroupNotFound", "The container group '%s' does not exist.", name)
		return nil, nil, nil, false
	}
	priv := &groupPrivate{}
	if err := res.DecodePrivate(priv); err != nil {
		r.Error(w, 500, "InternalServerError", "%v", err)
		return nil, nil, nil, false
	}
	spec, err := h.spec(res, priv, name)
	if err != nil {
		r.Error(w, 500, "InternalServerError", "%v", err)
		return nil, nil, nil, false
	}
	return res, priv, spec, true
}

func (h *ContainerGroups) action(w http.ResponseWriter, r *core.Request, name, action string) {
	res, priv, spec, ok := h.load(w, r, name)
	if !ok {
		return
	}
	id := res.ID
	var b storedGroup
	if err := res.DecodeBody(&b); err != nil {
		r.Error(w, 500, "InternalServerError", "%v", err)
		return
	}
	loc := b.Location
	setStopped := func(v bool) error {
		return h.updatePrivate(id, func(p *groupPrivate) {
			p.Stopped = v
			if v {
				p.event("", "Stopped", "Stopped the container group")
			}
		})
	}
	switch action {
	case "stop":
		unlock := h.lock(id)
		err := h.rt.Stop(r.Context(), spec)
		if err == nil {
			err = setStopped(true)
		}
		unlock()
		if err != nil {
			r.Error(w, 500, "InternalServerError", "Stopping failed: %v", err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case "start", "restart":
		if err := setStopped(false); err != nil {
			r.Error(w, 500, "InternalServerError", "%v", err)
			return
		}
		op, err := h.s.NewOperation("containerGroupStart", id, nil)
		if err != nil {
			r.Error(w, 500, "InternalServerError", "%v", err)
			return
		}
		if action == "restart" && !priv.Stopped {
			h.s.Go(func(ctx context.Context) {
				unlock := h.lock(id)
				ev := func(c, n, m string) {
					if err := h.updatePrivate(id, func(p *groupPrivate) { p.event(c, n, m) }); err != nil {
						h.s.Warn("container group event", "id", id, "event", n, "error", err.Error())
					}
				}
				err := h.rt.Restart(ctx, spec, ev)
				unlock()
				var e *core.ErrorBody
				if err != nil {
					e = &core.ErrorBody{Code: "ContainerGroupRestartFailed", Message: err.Error()}
				}
				h.s.FinishOperation(op, e)
			})
		} else {
			h.s.Go(func(ctx context.Context) { h.provision(ctx, op, true) })
		}
		h.asyncHeaders(w, r, loc, op.ID)
		if action == "restart" {
			// The spec (and so the SDKs) answer restart with 204, start with 202.
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	default:
		r.Error(w, 404, "InvalidResourceType", "The action '%s' is not known on container groups.", action)
	}
}

func (h *ContainerGroups) containerAction(w http.ResponseWriter, r *core.Request, name, container, action string) {
	res, _, spec, ok := h.load(w, r, name)
	if !ok {
		return
	}
	found := false
	for _, c := range spec.Containers {
		found = found || c.Name == container
	}
	if !found {
		r.Error(w, 404, "ContainerNotFound", "The container '%s' does not exist in container group '%s'.", container, name)
		return
	}
	switch {
	case action == "logs" && r.Method == http.MethodGet:
		tail, _ := strconv.Atoi(r.URL.Query().Get("tail"))
		ts := r.URL.Query().Get("timestamps") == "true"
		text, err := h.rt.Logs(r.Context(), spec, container, tail, ts)
		if errors.Is(err, runtime.ErrNoContainer) {
			// Not started yet (or stopped): no lines, as ACI answers.
			text, err = "", nil
		}
		if err != nil {
			r.Error(w, 409, "ContainerNotRunning", "The logs of container '%s' are not available now.", container)
			return
		}
		core.WriteJSON(w, 200, map[string]any{"content": text})
	case (action == "exec" || action == "attach") && r.Method == http.MethodPost:
		var req struct {
			Command      string `json:"command"`
			TerminalSize struct {
				Rows int `json:"rows"`
				Cols int `json:"cols"`
			} `json:"terminalSize"`
		}
		if action == "exec" {
			if e := r.Decode(&req); e != nil {
				core.WriteError(w, e)
				return
			}
		}
		argv, err := shlex.Split(req.Command)
		if action == "exec" && (err != nil || len(argv) == 0) {
			r.Error(w, 400, "InvalidExecCommand", "The exec command '%s' is invalid.", req.Command)
			return
		}
		if action == "attach" {
			argv = nil
		}
		sess := &execSession{password: core.RandomSecret(), group: res.ID, container: container, argv: argv, expires: time.Now().Add(2 * time.Minute)}
		// A terminal size asks for a terminal, as on ACI; 0x0 (aci's pipes)
		// keeps the plain streams.
		if ts := req.TerminalSize; ts.Rows > 0 && ts.Cols > 0 && ts.Rows < 1000 && ts.Cols < 1000 {
			sess.rows, sess.cols = uint(ts.Rows), uint(ts.Cols)
		}
		id := uuid.NewString()
		h.mu.Lock()
		now := time.Now()
		for k, old := range h.sessions { // sessions never used expire here
			if now.After(old.expires) {
				delete(h.sessions, k)
			}
		}
		if len(h.sessions) >= 1000 {
			h.mu.Unlock()
			r.Error(w, 429, "TooManyRequests", "Too many exec sessions are waiting to be used; retry later.")
			return
		}
		h.sessions[id] = sess
		h.mu.Unlock()
		core.WriteJSON(w, 200, map[string]any{"webSocketUri": strings.Replace(h.s.BaseURL(), "https://", "wss://", 1) + "/aci-local/exec/" + id, "password": sess.password})
	default:
		r.Error(w, 404, "InvalidResourceType", "The container action '%s' is not known.", action)
	}
}

var upgrader = websocket.Upgrader{ReadBufferSize: 32 << 10, WriteBufferSize: 32 << 10}

// execSocket runs an exec session: the password is the first text frame, stdin
// comes as binary frames (an empty one ends it), output goes out as binary
// frames, and the close frame carries "exitCode=N".
func (h *ContainerGroups) execSocket(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("session")
	h.mu.Lock()
	sess := h.sessions[id]
	delete(h.sessions, id)
	h.mu.Unlock()
	if sess == nil || time.Now().After(sess.expires) {
		http.Error(w, "unknown or expired exec session", http.StatusNotFound)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer ws.Close()
	// Writes and deadlines on the socket fail only once the client has
	// gone, and then there is no one left to tell.
	_ = ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	mt, pw, err := ws.ReadMessage()
	if err != nil || mt != websocket.TextMessage || !core.SecretsEqual(string(pw), sess.password) {
		_ = ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "authentication failed"))
		return
	}
	_ = ws.SetReadDeadline(time.Time{})
	res, err := h.s.Store().Get(sess.group)
	if err != nil {
		_ = ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseInternalServerErr, "the group is gone"))
		return
	}
	var priv groupPrivate
	var spec *runtime.GroupSpec
	err = res.DecodePrivate(&priv)
	if err == nil {
		spec, err = h.spec(res, &priv, res.ID[strings.LastIndex(res.ID, "/")+1:])
	}
	if err != nil {
		_ = ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseInternalServerErr, err.Error()))
		return
	}
	var wmu sync.Mutex
	out := writerFunc(func(p []byte) (int, error) {
		wmu.Lock()
		defer wmu.Unlock()
		return len(p), ws.WriteMessage(websocket.BinaryMessage, p)
	})
	if sess.argv == nil { // attach: the output so far
		text, _ := h.rt.Logs(r.Context(), spec, sess.container, 0, false)
		_, _ = out.Write([]byte(text))
		wmu.Lock()
		_ = ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
		wmu.Unlock()
		return
	}
	pr, pwr := io.Pipe()
	go func() {
		for {
			mt, b, err := ws.ReadMessage()
			if err != nil || (mt == websocket.BinaryMessage && len(b) == 0) {
				pwr.Close()
				return
			}
			_, _ = pwr.Write(b)
		}
	}()
	var code int
	if tx, ok := h.rt.(runtime.TTYExecer); ok && sess.rows > 0 {
		code, err = tx.ExecTTY(r.Context(), spec, sess.container, sess.argv, sess.rows, sess.cols, pr, out)
	} else {
		code, err = h.rt.Exec(r.Context(), spec, sess.container, sess.argv, pr, out)
	}
	reason := "exitCode=" + strconv.Itoa(code)
	if err != nil {
		_, _ = out.Write([]byte(err.Error() + "\n"))
		reason = "exitCode=126"
	}
	wmu.Lock()
	_ = ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, reason))
	wmu.Unlock()
	time.Sleep(50 * time.Millisecond)
}

// portsFree probes that nothing listens on ip at any of ports.
func portsFree(ip string, ports []int) bool {
	for _, p := range ports {
		ln, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(p)))
		if err != nil {
			return false
		}
		ln.Close()
	}
	return true
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// aciLocations serves Microsoft.ContainerInstance/locations/{l}/...: operation
// status, usages, capabilities and cached images.
type aciLocations struct{ h *ContainerGroups }

func (l *aciLocations) Type() string { return "Microsoft.ContainerInstance/locations" }

func (l *aciLocations) Serve(w http.ResponseWriter, r *core.Request) {
	rest := r.Rest
	if len(rest) < 3 || r.Method != http.MethodGet {
		r.Error(w, 404, "InvalidResourceType", "The resource path '%s' is not known to aci local.", r.URL.Path)
		return
	}
	loc := rest[1]
	switch strings.ToLower(rest[2]) {
	case "operations", "operationresults":
		if len(rest) != 4 {
			break
		}
		op, err := l.h.s.Store().GetOperation(rest[3])
		if err != nil {
			r.Error(w, 404, "OperationNotFound", "The operation '%s' could not be found.", rest[3])
			return
		}
		out := operationStatus{ID: r.URL.Path, Name: op.ID, Status: op.Status, StartTime: op.StartTime.Format(time.RFC3339Nano),
			Properties: struct{}{}, Error: op.Error}
		if op.EndTime != nil {
			out.EndTime = op.EndTime.Format(time.RFC3339Nano)
		}
		if op.Status == "InProgress" {
			core.RetryAfter(w)
		}
		core.WriteJSON(w, 200, out)
		return
	case "usages":
		groups, cores, err := l.h.usage(r.Subscription, loc, "")
		if err != nil {
			r.Error(w, 500, "InternalServerError", "%v", err)
			return
		}
		lim := l.h.Limits
		core.WriteJSON(w, 200, list[usage]{[]usage{
			{CurrentValue: float64(groups), Limit: float64(lim.GroupsQuota), Name: usageName{"Container Groups", "ContainerGroups"}, Unit: "Count"},
			{CurrentValue: cores, Limit: lim.CoresQuota, Name: usageName{"Standard Cores", "StandardCores"}, Unit: "Count"},
		}})
		return
	case "capabilities":
		c := capability{Gpu: "None", IPAddressType: "Public", Location: loc, OSType: "Linux", ResourceType: "containerGroups"}
		c.Capabilities.MaxCPU, c.Capabilities.MaxMemoryInGB = l.h.Limits.MaxCPU, l.h.Limits.MaxMemoryGB
		core.WriteJSON(w, 200, list[capability]{[]capability{c}})
		return
	case "cachedimages":
		type cachedImage struct {
			Image  string `json:"image"`
			OSType string `json:"osType"`
		}
		core.WriteJSON(w, 200, list[cachedImage]{[]cachedImage{{runtime.BuiltinHelloImage, "Linux"}}})
		return
	}
	r.Error(w, 404, "InvalidResourceType", "The resource path '%s' is not known to aci local.", r.URL.Path)
}

// The location endpoints' answers, fields in the wire's alphabetical order.
type (
	list[T any] struct {
		Value []T `json:"value"`
	}
	operationStatus struct {
		EndTime    string          `json:"endTime,omitempty"`
		Error      *core.ErrorBody `json:"error,omitempty"`
		ID         string          `json:"id"`
		Name       string          `json:"name"`
		Properties struct{}        `json:"properties"`
		StartTime  string          `json:"startTime"`
		Status     string          `json:"status"`
	}
	usage struct {
		CurrentValue float64   `json:"currentValue"`
		Limit        float64   `json:"limit"`
		Name         usageName `json:"name"`
		Unit         string    `json:"unit"`
	}
	usageName struct {
		LocalizedValue string `json:"localizedValue"`
		Value          string `json:"value"`
	}
	capability struct {
		Capabilities struct {
			MaxCPU        float64 `json:"maxCpu"`
			MaxGpuCount   int     `json:"maxGpuCount"`
			MaxMemoryInGB float64 `json:"maxMemoryInGB"`
		} `json:"capabilities"`
		Gpu           string `json:"gpu"`
		IPAddressType string `json:"ipAddressType"`
		Location      string `json:"location"`
		OSType        string `json:"osType"`
		ResourceType  string `json:"resourceType"`
	}
)

// storedGroup is what the provider itself reads back from a stored group
// (the rest of the body is the client's, kept as sent).
type storedGroup struct {
	Location   string `json:"location"`
	Properties struct {
		ProvisioningState string `json:"provisioningState"`
		IPAddress         struct {
			DNSNameLabel string `json:"dnsNameLabel"`
			FQDN         string `json:"fqdn"`
		} `json:"ipAddress"`
	} `json:"properties"`
}

// containerSpecs are the runtime's view of containers: image, command,
// resources, environment (secure values included), ports and mounts.
func containerSpecs(cs []*containerBody) []runtime.ContainerSpec {
	var out []runtime.ContainerSpec
	for _, c := range cs {
		if c == nil || c.Properties == nil {
			continue
		}
		cp := c.Properties
		s := runtime.ContainerSpec{Name: c.Name, Image: cp.Image, Command: cp.Command}
		if r := cp.Resources; r != nil && r.Requests != nil {
			if r.Requests.CPU != nil {
				s.CPU = *r.Requests.CPU
			}
			if r.Requests.Memory != nil {
				s.Memory = *r.Requests.Memory
			}
		}
		for _, e := range cp.EnvironmentVariables {
			if e == nil {
				continue
			}
			v := ""
			if e.Value != nil {
				v = *e.Value
			} else if e.SecureValue != nil {
				v = *e.SecureValue
			}
			s.Env = append(s.Env, [2]string{e.Name, v})
		}
		for _, pt := range cp.Ports {
			if pt != nil {
				s.Ports = append(s.Ports, runtime.Port{Port: pt.Port, Protocol: strings.ToUpper(orDefault(pt.Protocol, "TCP"))})
			}
		}
		for _, m := range cp.VolumeMounts {
			if m != nil {
				s.Mounts = append(s.Mounts, runtime.Mount{Volume: m.Name, Path: m.MountPath, ReadOnly: m.ReadOnly})
			}
		}
		out = append(out, s)
	}
	return out
}

// volumeSpec is the runtime's view of a volume; a secret's values are
// decoded here, once.
func volumeSpec(v *volumeBody) (runtime.VolumeSpec, error) {
	vs := runtime.VolumeSpec{Name: v.Name}
	switch {
	case v.Secret != nil:
		vs.Kind = "secret"
		vs.Secret = map[string][]byte{}
		for k, b64 := range v.Secret {
			b, err := base64.StdEncoding.DecodeString(b64)
			if err != nil {
				return vs, fmt.Errorf("secret volume '%s': the value of '%s' is not base64", v.Name, k)
			}
			vs.Secret[k] = b
		}
	case v.GitRepo != nil:
		vs.Kind = "gitRepo"
		vs.GitRepo.Repository, vs.GitRepo.Directory, vs.GitRepo.Revision = v.GitRepo.Repository, v.GitRepo.Directory, v.GitRepo.Revision
	case v.AzureFile != nil:
		vs.Kind = "azureFile"
		vs.AzureFile.ShareName, vs.AzureFile.AccountName, vs.AzureFile.AccountKey, vs.AzureFile.ReadOnly =
			v.AzureFile.ShareName, v.AzureFile.StorageAccountName, v.AzureFile.StorageAccountKey, v.AzureFile.ReadOnly
	default:
		vs.Kind = "emptyDir"
	}
	return vs, nil
}

// specFrom builds the runtime spec from the full (secret-bearing) request body.
func specFrom(id, name, key, ip, volumeDir string, full []byte) (*runtime.GroupSpec, error) {
	w, aerr := decodeGroup(full)
	if aerr != nil {
		return nil, aerr
	}
	if w.Properties == nil {
		return nil, errors.New("the container group has no properties")
	}
	p := w.Properties
	g := &runtime.GroupSpec{ID: id, Name: name, Key: key, IP: ip, Location: w.Location, RestartPolicy: p.RestartPolicy, VolumeDir: volumeDir}
	if g.RestartPolicy == "" {
		g.RestartPolicy = "Always"
	}
	if p.IPAddress != nil {
		for _, pt := range p.IPAddress.Ports {
			if pt != nil {
				g.Ports = append(g.Ports, runtime.Port{Port: pt.Port, Protocol: strings.ToUpper(orDefault(pt.Protocol, "TCP"))})
			}
		}
	}
	g.Containers = containerSpecs(p.Containers)
	g.InitContainers = containerSpecs(p.InitContainers)
	for _, v := range p.Volumes {
		if v == nil {
			continue
		}
		vs, err := volumeSpec(v)
		if err != nil {
			return nil, err
		}
		g.Volumes = append(g.Volumes, vs)
	}
	for _, r := range p.ImageRegistryCredentials {
		if r != nil {
			g.Registries = append(g.Registries, runtime.RegistryCredential{Server: r.Server, Username: r.Username, Password: r.Password})
		}
	}
	return g, nil
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// updatePrivate changes a stored group's private state.
func (h *ContainerGroups) updatePrivate(id string, change func(*groupPrivate)) error {
	return h.s.Store().Update(id, func(r *core.Resource) error {
		var p groupPrivate
		if err := r.DecodePrivate(&p); err != nil {
			return err
		}
		change(&p)
		b, err := json.Marshal(p)
		r.Private = b
		return err
	})
}

// usage counts a subscription's groups in a location and the cores they
// request, leaving out the group being replaced.
func (h *ContainerGroups) usage(sub, loc, exclude string) (groups int, cores float64, err error) {
	all, err := h.s.Store().List("/subscriptions/"+sub+"/", h.Type())
	if err != nil {
		return 0, 0, err
	}
	for _, res := range all {
		g, e := decodeGroup(res.Body)
		if e != nil || !strings.EqualFold(g.Location, loc) || strings.EqualFold(res.ID, exclude) {
			continue
		}
		groups++
		cores += g.cores()
	}
	return groups, cores, nil
}

// checkQuota refuses a group its region's quotas have no room for, as ACI
// does.
func (h *ContainerGroups) checkQuota(r *core.Request, g *cgBody, loc, id string) *core.APIError {
	groups, cores, err := h.usage(r.Subscription, loc, id)
	if err != nil {
		return core.NewError(500, "InternalServerError", err.Error())
	}
	lim := h.Limits
	if groups+1 > lim.GroupsQuota {
		return core.NewError(409, "ContainerGroupQuotaReached", fmt.Sprintf("Resource type 'Microsoft.ContainerInstance/containerGroups' container group quota 'ContainerGroups' exceeded in region '%s'. Limit: '%d', Usage: '%d', Requested: '1'.", loc, lim.GroupsQuota, groups))
	}
	if want := g.cores(); cores+want > lim.CoresQuota+1e-9 {
		return core.NewError(409, "ContainerGroupQuotaReached", fmt.Sprintf("Resource type 'Microsoft.ContainerInstance/containerGroups' container group quota 'StandardCores' exceeded in region '%s'. Limit: '%g', Usage: '%g', Requested: '%g'.", loc, lim.CoresQuota, cores, want))
	}
	return nil
}
