package connector

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	aci "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerinstance/armcontainerinstance/v2"
	"github.com/aci-cli/aci/internal/arm"
	"github.com/virtual-kubelet/virtual-kubelet/errdefs"
	"github.com/virtual-kubelet/virtual-kubelet/log"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	corev1listers "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/record"
)

// Groups is the part of ARM the connector drives: the container groups of
// one resource group. ARM implements it (azure.go); tests use a fake.
type Groups interface {
	Put(ctx context.Context, name string, g *aci.ContainerGroup) (*aci.ContainerGroup, error)
	Get(ctx context.Context, name string) (*aci.ContainerGroup, error)
	List(ctx context.Context) ([]*aci.ContainerGroup, error)
	Delete(ctx context.Context, name string) error
	Logs(ctx context.Context, name, container string, tail int, timestamps bool) (string, error)
	Exec(ctx context.Context, name, container string, argv []string, tty bool, s arm.ExecStreams) (arm.ExecEnd, error)
}

// ErrGroupNotFound is a group that does not exist.
var ErrGroupNotFound = errors.New("container group not found")

// Provider is the virtual node's pod lifecycle: every pod one container group.
type Provider struct {
	groups   Groups
	objects  Objects
	target   Target
	pods     corev1listers.PodLister
	recorder record.EventRecorder
	// Interval is the status poll of running pods; pending ones are polled
	// every FastInterval.
	Interval, FastInterval time.Duration
	// Release removes a deleted pod from Kubernetes once its group is gone,
	// as a kubelet does when its containers have stopped; without it the
	// pod waits out its grace period.
	Release func(ctx context.Context, pod *corev1.Pod) error

	mu     sync.Mutex
	known  map[string]*podState
	notify func(*corev1.Pod)
	wake   chan struct{}
}

// podState is what the connector knows of one pod.
type podState struct {
	pod     *corev1.Pod // with the status last reported
	noGroup bool        // failed before a group existed
	created time.Time
	events  map[string]bool
	// body is the hash of the group body the pod's spec, ConfigMaps and
	// Secrets gave when it was last put ("" after an adoption).
	body string
}

// NewProvider builds the provider; pods is the node's pod lister (adoption
// after a restart checks a group's pod UID against it).
func NewProvider(groups Groups, objects Objects, t Target, pods corev1listers.PodLister, rec record.EventRecorder) *Provider {
	return &Provider{
		groups: groups, objects: objects, target: t, pods: pods, recorder: rec,
		Interval: 5 * time.Second, FastInterval: time.Second,
		known: map[string]*podState{}, wake: make(chan struct{}, 1),
	}
}

func key(namespace, name string) string { return namespace + "/" + name }

// CreatePod creates the pod's group and reports its status at once. What
// ACI cannot express fails the pod with one event; a request ACI refuses
// (a 4xx, such as InaccessibleImage) does the same with ACI's code.
func (p *Provider) CreatePod(ctx context.Context, pod *corev1.Pod) error {
	name := GroupName(pod.Namespace, pod.Name)
	g, err := Convert(ctx, pod, p.objects, p.target)
	var un *Unsupported
	if errors.As(err, &un) {
		p.fail(pod, un.Reason, un.Message)
		return nil
	}
	if err != nil {
		return err
	}
	body := bodyHash(g) // before put fills in what the service chose
	if err := p.replaceForeign(ctx, name, pod); err != nil {
		return err
	}
	got, err := p.put(ctx, name, g)
	var ae *arm.Error
	if errors.As(err, &ae) && ae.StatusCode >= 400 && ae.StatusCode < 500 && ae.StatusCode != 429 && ae.StatusCode != 409 {
		p.fail(pod, ae.Code, fmt.Sprintf("ACI refused the container group %s: (%s) %s", name, ae.Code, ae.Message))
		return nil
	}
	if err != nil {
		return err
	}
	p.track(pod, got, body)
	return nil
}

// bodyHash identifies a group body (kept in memory only: it covers secrets).
func bodyHash(g *aci.ContainerGroup) string {
	b, _ := json.Marshal(g)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// put creates the group; a pod reading its own IP (status.podIP) needs the
// group's address first, so such a group is put twice.
func (p *Provider) put(ctx context.Context, name string, g *aci.ContainerGroup) (*aci.ContainerGroup, error) {
	if usesPodIP(g) && g.Properties.IPAddress != nil && g.Properties.IPAddress.IP != nil {
		// An update keeps the pod's IP: known already, one put.
		setPodIP(g, *g.Properties.IPAddress.IP)
		return p.groups.Put(ctx, name, g)
	}
	got, err := p.groups.Put(ctx, name, g)
	if err != nil || !usesPodIP(g) {
		return got, err
	}
	ip := ""
	if got.Properties != nil && got.Properties.IPAddress != nil {
		ip = deref(got.Properties.IPAddress.IP)
	}
	setPodIP(g, ip)
	if g.Properties.IPAddress != nil && ip != "" {
		g.Properties.IPAddress.IP = to(ip)
	}
	return p.groups.Put(ctx, name, g)
}

func usesPodIP(g *aci.ContainerGroup) bool {
	b, _ := json.Marshal(g.Properties)
	return strings.Contains(string(b), podIPPlaceholder)
}

func setPodIP(g *aci.ContainerGroup, ip string) {
	fix := func(env []*aci.EnvironmentVariable) {
		for _, e := range env {
			if e.Value != nil {
				e.Value = to(strings.ReplaceAll(*e.Value, podIPPlaceholder, ip))
			}
		}
	}
	for _, c := range g.Properties.Containers {
		fix(c.Properties.EnvironmentVariables)
	}
	for _, c := range g.Properties.InitContainers {
		fix(c.Properties.EnvironmentVariables)
	}
}

// replaceForeign deletes a group of the same name that belongs to an older
// pod of the same name (a StatefulSet's pod recreated while we were away).
func (p *Provider) replaceForeign(ctx context.Context, name string, pod *corev1.Pod) error {
	old, err := p.groups.Get(ctx, name)
	if errors.Is(err, ErrGroupNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if o, ok := ownerOf(old.Tags); ok && o.uid != string(pod.UID) && p.ours(o) {
		log.G(ctx).Infof("deleting group %s of an earlier pod %s (uid %s)", name, key(o.namespace, o.pod), o.uid)
		return p.ignoreNotFound(p.groups.Delete(ctx, name))
	}
	return nil
}

func (p *Provider) ours(o owner) bool {
	return o.node == p.target.Node && (o.cluster == "" || p.target.Cluster == "" || o.cluster == p.target.Cluster)
}

func (p *Provider) ignoreNotFound(err error) error {
	if errors.Is(err, ErrGroupNotFound) {
		return nil
	}
	return err
}

// fail marks a pod Failed with one warning event and no group.
func (p *Provider) fail(pod *corev1.Pod, reason, message string) {
	if p.recorder != nil {
		p.recorder.Event(pod, corev1.EventTypeWarning, reason, message)
	}
	out := pod.DeepCopy()
	out.Status.Phase = corev1.PodFailed
	out.Status.Reason = reason
	out.Status.Message = message
	for _, c := range pod.Spec.Containers {
		out.Status.ContainerStatuses = append(out.Status.ContainerStatuses, corev1.ContainerStatus{
			Name: c.Name, Image: c.Image,
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: message}},
		})
	}
	p.mu.Lock()
	p.known[key(pod.Namespace, pod.Name)] = &podState{pod: out, noGroup: true, created: time.Now(), events: map[string]bool{}}
	notify := p.notify
	p.mu.Unlock()
	if notify != nil {
		notify(out)
	}
}

// track records pod as running in g and reports its status.
func (p *Provider) track(pod *corev1.Pod, g *aci.ContainerGroup, body string) {
	st := &podState{pod: pod.DeepCopy(), created: time.Now(), events: map[string]bool{}, body: body}
	p.mu.Lock()
	p.known[key(pod.Namespace, pod.Name)] = st
	p.mu.Unlock()
	p.observe(st, g)
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// observe applies g to a pod's state: new events are recorded and a changed
// status is reported.
func (p *Provider) observe(st *podState, g *aci.ContainerGroup) {
	p.mu.Lock()
	pod := st.pod
	next := pod.DeepCopy()
	next.Status = PodStatus(pod, g, p.target.NodeIP)
	var fresh []groupEvent
	for _, e := range groupEvents(g) {
		if !st.events[e.key] {
			st.events[e.key] = true
			fresh = append(fresh, e)
		}
	}
	changed := !apiequality.Semantic.DeepEqual(pod.Status, next.Status)
	if changed {
		st.pod = next
	}
	notify := p.notify
	p.mu.Unlock()
	if p.recorder != nil {
		for _, e := range fresh {
			kind := corev1.EventTypeNormal
			if strings.EqualFold(e.kind, "Warning") {
				kind = corev1.EventTypeWarning
			}
			p.recorder.Event(pod, kind, e.reason, e.message)
		}
	}
	if changed && notify != nil {
		notify(next.DeepCopy())
	}
}

// UpdatePod applies a changed pod. Kubernetes lets a pod change little (its
// images, mostly); ACI updates a group in place where it can, else the group
// is deleted and created again, and an event says why.
func (p *Provider) UpdatePod(ctx context.Context, pod *corev1.Pod) error {
	name := GroupName(pod.Namespace, pod.Name)
	g, err := Convert(ctx, pod, p.objects, p.target)
	var un *Unsupported
	if errors.As(err, &un) {
		p.fail(pod, un.Reason, un.Message)
		return p.ignoreNotFound(p.groups.Delete(ctx, name))
	}
	if err != nil {
		return err
	}
	body := bodyHash(g)
	p.keepIP(pod, g)
	got, err := p.put(ctx, name, g)
	var ae *arm.Error
	if errors.As(err, &ae) && ae.StatusCode >= 400 && ae.StatusCode < 500 {
		if p.recorder != nil {
			p.recorder.Eventf(pod, corev1.EventTypeNormal, "Recreating", "ACI cannot update container group %s in place (%s: %s); deleting and creating it again", name, ae.Code, ae.Message)
		}
		if err := p.ignoreNotFound(p.groups.Delete(ctx, name)); err != nil {
			return err
		}
		got, err = p.put(ctx, name, g)
	}
	if err != nil {
		return err
	}
	p.track(pod, got, body)
	return nil
}

// resync puts a running pod's group again when what it was built from
// changed (a ConfigMap or Secret it uses): in place where ACI allows, else
// deleted and created again (UpdatePod says which, in an event).
func (p *Provider) resync(ctx context.Context, st *podState) {
	p.mu.Lock()
	pod, old := st.pod.DeepCopy(), st.body
	p.mu.Unlock()
	if pod.DeletionTimestamp != nil {
		return
	}
	g, err := Convert(ctx, pod, p.objects, p.target)
	if err != nil {
		return
	}
	h := bodyHash(g)
	if old == "" {
		p.mu.Lock()
		st.body = h
		p.mu.Unlock()
		return
	}
	if h == old {
		return
	}
	if p.recorder != nil {
		p.recorder.Eventf(pod, corev1.EventTypeNormal, "ConfigChanged", "A ConfigMap or Secret of the pod changed: updating container group %s", GroupName(pod.Namespace, pod.Name))
	}
	if err := p.UpdatePod(ctx, pod); err != nil {
		log.G(ctx).WithError(err).Warnf("could not update the group of pod %s/%s", pod.Namespace, pod.Name)
	}
}

// keepIP asks for the pod's current address in an update: a pod's IP does
// not change while it lives.
func (p *Provider) keepIP(pod *corev1.Pod, g *aci.ContainerGroup) {
	p.mu.Lock()
	st := p.known[key(pod.Namespace, pod.Name)]
	ip := ""
	if st != nil {
		ip = st.pod.Status.PodIP
	}
	p.mu.Unlock()
	if ip != "" && g.Properties.IPAddress != nil {
		g.Properties.IPAddress.IP = to(ip)
	}
}

// DeletePod deletes the pod's group (only if it is this pod's) and reports
// the pod terminated, as virtual-kubelet asks of a provider.
func (p *Provider) DeletePod(ctx context.Context, pod *corev1.Pod) error {
	name := GroupName(pod.Namespace, pod.Name)
	g, err := p.groups.Get(ctx, name)
	switch {
	case errors.Is(err, ErrGroupNotFound):
	case err != nil:
		return err
	default:
		if o, ok := ownerOf(g.Tags); !ok || (o.uid == string(pod.UID) || pod.UID == "") && p.ours(o) {
			if err := p.ignoreNotFound(p.groups.Delete(ctx, name)); err != nil {
				return err
			}
		}
	}
	p.mu.Lock()
	delete(p.known, key(pod.Namespace, pod.Name))
	notify := p.notify
	p.mu.Unlock()
	if notify != nil && pod.Status.Phase != corev1.PodSucceeded && pod.Status.Phase != corev1.PodFailed {
		notify(terminated(pod))
	}
	if pod.DeletionTimestamp != nil && p.Release != nil {
		if err := p.Release(ctx, pod); err != nil {
			log.G(ctx).WithError(err).Warnf("pod %s/%s stays until its grace period ends", pod.Namespace, pod.Name)
		}
	}
	return nil
}

// terminated is pod with every container ended: the status a deleted pod
// must reach before Kubernetes lets it go.
func terminated(pod *corev1.Pod) *corev1.Pod {
	out := pod.DeepCopy()
	now := metav1.Now()
	out.Status.Phase = corev1.PodSucceeded
	out.Status.Reason = "Terminated"
	for i, cs := range out.Status.ContainerStatuses {
		t := &corev1.ContainerStateTerminated{Reason: "Terminated", FinishedAt: now, ContainerID: cs.ContainerID}
		if cs.State.Running != nil {
			t.StartedAt = cs.State.Running.StartedAt
		}
		if cs.State.Terminated != nil {
			t = cs.State.Terminated
		}
		out.Status.ContainerStatuses[i].State = corev1.ContainerState{Terminated: t}
		out.Status.ContainerStatuses[i].Ready = false
	}
	return out
}

// GetPod is the pod as the connector knows it. After a restart a group whose
// tags name this node and the pod's current UID is adopted: no second group.
func (p *Provider) GetPod(ctx context.Context, namespace, name string) (*corev1.Pod, error) {
	p.mu.Lock()
	st := p.known[key(namespace, name)]
	p.mu.Unlock()
	if st != nil {
		p.mu.Lock()
		defer p.mu.Unlock()
		return st.pod.DeepCopy(), nil
	}
	return p.adopt(ctx, namespace, name)
}

func (p *Provider) adopt(ctx context.Context, namespace, name string) (*corev1.Pod, error) {
	g, err := p.groups.Get(ctx, GroupName(namespace, name))
	if errors.Is(err, ErrGroupNotFound) {
		return nil, errdefs.NotFoundf("pod %s/%s has no container group", namespace, name)
	}
	if err != nil {
		return nil, err
	}
	o, ok := ownerOf(g.Tags)
	if !ok || !p.ours(o) || p.pods == nil {
		return nil, errdefs.NotFoundf("pod %s/%s has no container group of this node", namespace, name)
	}
	pod, err := p.pods.Pods(namespace).Get(name)
	if err != nil || string(pod.UID) != o.uid {
		return nil, errdefs.NotFoundf("pod %s/%s has no container group of its own", namespace, name)
	}
	log.G(ctx).Infof("adopting container group %s of pod %s/%s", deref(g.Name), namespace, name)
	p.track(pod, g, "")
	return p.GetPod(ctx, namespace, name)
}

// GetPodStatus is the last status the connector reported for a pod.
func (p *Provider) GetPodStatus(ctx context.Context, namespace, name string) (*corev1.PodStatus, error) {
	pod, err := p.GetPod(ctx, namespace, name)
	if err != nil {
		return nil, err
	}
	return &pod.Status, nil
}

// GetPods lists the pods whose groups this node owns, from ARM: at start-up
// virtual-kubelet deletes those Kubernetes no longer has (orphans).
func (p *Provider) GetPods(ctx context.Context) ([]*corev1.Pod, error) {
	gs, err := p.groups.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []*corev1.Pod
	for _, g := range gs {
		o, ok := ownerOf(g.Tags)
		if !ok || !p.ours(o) {
			continue
		}
		p.mu.Lock()
		var known *corev1.Pod
		if st := p.known[key(o.namespace, o.pod)]; st != nil && string(st.pod.UID) == o.uid {
			known = st.pod.DeepCopy()
		}
		p.mu.Unlock()
		if known != nil {
			out = append(out, known)
			continue
		}
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: o.namespace, Name: o.pod, UID: types.UID(o.uid)}}
		pod.Spec.NodeName = o.node
		out = append(out, pod)
	}
	return out, nil
}

// NotifyPods registers virtual-kubelet's status callback and starts the
// status loop.
func (p *Provider) NotifyPods(ctx context.Context, notify func(*corev1.Pod)) {
	p.mu.Lock()
	p.notify = notify
	p.mu.Unlock()
	go p.statusLoop(ctx)
}

// statusLoop reads the pods' groups every Interval, or every FastInterval
// while a pod is still starting, and reports what changed. ARM's list of
// groups carries no instance view, so each group is read on its own.
func (p *Provider) statusLoop(ctx context.Context) {
	last := time.Time{}
	t := time.NewTicker(p.FastInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-p.wake:
		}
		full := time.Since(last) >= p.Interval
		if !full && !p.anyStarting() {
			continue
		}
		if full {
			last = time.Now()
		}
		p.refresh(ctx, full)
	}
}

func (p *Provider) anyStarting() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, st := range p.known {
		if !st.noGroup && (st.pod.Status.Phase == corev1.PodPending || st.pod.Status.Phase == "") {
			return true
		}
	}
	return false
}

// refreshers bounds the reads one refresh makes at once.
const refreshers = 8

func (p *Provider) refresh(ctx context.Context, resync bool) {
	p.mu.Lock()
	states := make([]*podState, 0, len(p.known))
	for _, st := range p.known {
		if !st.noGroup && st.pod.Status.Phase != corev1.PodSucceeded && st.pod.Status.Phase != corev1.PodFailed {
			states = append(states, st)
		}
	}
	p.mu.Unlock()
	sem := make(chan struct{}, refreshers)
	var wg sync.WaitGroup
	for _, st := range states {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			g, err := p.groups.Get(ctx, GroupName(st.pod.Namespace, st.pod.Name))
			switch {
			case errors.Is(err, ErrGroupNotFound):
				p.vanished(st)
			case err != nil:
				log.G(ctx).WithError(err).Warnf("could not read the status of pod %s/%s", st.pod.Namespace, st.pod.Name)
			default:
				p.observe(st, g)
				if resync {
					p.resync(ctx, st)
				}
			}
		}()
	}
	wg.Wait()
}

// vanished is a group deleted behind the connector's back: the pod fails
// (once past creation), so that its controller replaces it.
func (p *Provider) vanished(st *podState) {
	p.mu.Lock()
	pod, created := st.pod.DeepCopy(), st.created
	p.mu.Unlock()
	if time.Since(created) < 30*time.Second {
		return
	}
	p.fail(pod, "ContainerGroupNotFound", "The pod's container group "+GroupName(pod.Namespace, pod.Name)+" no longer exists.")
}
