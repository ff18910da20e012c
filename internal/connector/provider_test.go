package connector

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	aci "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerinstance/armcontainerinstance/v2"
	"github.com/aci-cli/aci/internal/arm"
	"github.com/virtual-kubelet/virtual-kubelet/errdefs"
	"github.com/virtual-kubelet/virtual-kubelet/node/api"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	corev1listers "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	utilexec "k8s.io/utils/exec"
)

type harness struct {
	p        *Provider
	groups   *fakeGroups
	rec      *record.FakeRecorder
	mu       sync.Mutex
	notified []*corev1.Pod
	indexer  cache.Indexer
}

func newHarness(t *testing.T) *harness {
	h := &harness{groups: newFakeGroups(), rec: record.NewFakeRecorder(100)}
	h.indexer = cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
	h.p = NewProvider(h.groups, objects(), Target{Location: "westus", Node: "vk", Cluster: "c1", NodeIP: "127.0.0.1"},
		corev1listers.NewPodLister(h.indexer), h.rec)
	h.p.notify = func(p *corev1.Pod) { h.mu.Lock(); h.notified = append(h.notified, p); h.mu.Unlock() }
	return h
}

func (h *harness) last() *corev1.Pod {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.notified) == 0 {
		return nil
	}
	return h.notified[len(h.notified)-1]
}

func (h *harness) events() []string {
	var out []string
	for {
		select {
		case e := <-h.rec.Events:
			out = append(out, e)
		default:
			return out
		}
	}
}

func simplePod(name, uid string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "app", UID: types.UID(uid)},
		Spec: corev1.PodSpec{NodeName: "vk", Containers: []corev1.Container{{Name: "c", Image: "hello", Ports: []corev1.ContainerPort{{ContainerPort: 80}}}}}}
}

func TestCreateReportsRunningAtOnce(t *testing.T) {
	h := newHarness(t)
	pod := simplePod("web", "u1")
	if err := h.p.CreatePod(context.Background(), pod); err != nil {
		t.Fatal(err)
	}
	got := h.last()
	if got == nil || got.Status.Phase != corev1.PodRunning || got.Status.PodIP != "127.0.2.1" {
		t.Fatalf("notified %+v", got)
	}
	g := h.groups.groups[GroupName("app", "web")]
	if *g.Tags[TagPodUID] != "u1" || *g.Tags[TagNode] != "vk" || *g.Tags[TagCluster] != "c1" {
		t.Fatalf("tags %v", g.Tags)
	}
	if ev := h.events(); len(ev) != 1 || !strings.Contains(ev[0], "Normal Started") {
		t.Fatalf("events %v", ev)
	}
	// The same events are not reported twice.
	h.p.refresh(context.Background(), false)
	if ev := h.events(); len(ev) != 0 {
		t.Fatalf("events again: %v", ev)
	}
}

func TestUnsupportedFailsWithOneEventAndNoGroup(t *testing.T) {
	h := newHarness(t)
	pod := simplePod("net", "u1")
	pod.Spec.HostNetwork = true
	if err := h.p.CreatePod(context.Background(), pod); err != nil {
		t.Fatal(err)
	}
	if got := h.last(); got.Status.Phase != corev1.PodFailed || got.Status.Reason != "UnsupportedPodSpec" {
		t.Fatalf("status %+v", got.Status)
	}
	if len(h.groups.puts) != 0 {
		t.Fatal("a group was created")
	}
	if ev := h.events(); len(ev) != 1 || !strings.Contains(ev[0], "Warning UnsupportedPodSpec ACI cannot run pod app/net: hostNetwork") {
		t.Fatalf("events %v", ev)
	}
	// Asked again (a resync), it stays known: no second event, no group.
	if p, err := h.p.GetPod(context.Background(), "app", "net"); err != nil || p.Status.Phase != corev1.PodFailed {
		t.Fatalf("GetPod %v %v", p, err)
	}
}

func TestRefusedImageFailsThePod(t *testing.T) {
	h := newHarness(t)
	h.groups.putErr = func(string, *aci.ContainerGroup) error {
		return &arm.Error{StatusCode: http.StatusBadRequest, Code: "InaccessibleImage", Message: "The image 'x' is not accessible."}
	}
	if err := h.p.CreatePod(context.Background(), simplePod("bad", "u1")); err != nil {
		t.Fatal(err)
	}
	if got := h.last(); got.Status.Phase != corev1.PodFailed || got.Status.Reason != "InaccessibleImage" {
		t.Fatalf("status %+v", got.Status)
	}
	if ev := h.events(); len(ev) != 1 || !strings.HasPrefix(ev[0], "Warning InaccessibleImage") {
		t.Fatalf("events %v", ev)
	}
	// A server error is retried by the pod controller instead.
	h.groups.putErr = func(string, *aci.ContainerGroup) error {
		return &arm.Error{StatusCode: 503, Code: "ServiceUnavailable"}
	}
	if err := h.p.CreatePod(context.Background(), simplePod("later", "u2")); err == nil {
		t.Fatal("a 503 was not returned for a retry")
	}
}

// status.podIP needs the group's address: the group is put twice, the
// second time with the address in place.
func TestPodIPInEnvironment(t *testing.T) {
	h := newHarness(t)
	pod := simplePod("ip", "u1")
	pod.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "MY_IP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"}}}}
	if err := h.p.CreatePod(context.Background(), pod); err != nil {
		t.Fatal(err)
	}
	g := h.groups.groups[GroupName("app", "ip")]
	if len(h.groups.puts) != 2 || *g.Properties.Containers[0].Properties.EnvironmentVariables[0].Value != "127.0.2.1" || *g.Properties.IPAddress.IP != "127.0.2.1" {
		t.Fatalf("puts %d env %v", len(h.groups.puts), *g.Properties.Containers[0].Properties.EnvironmentVariables[0].Value)
	}
}

func TestDeleteOnlyItsOwnGroup(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	old := simplePod("db", "old-uid")
	h.p.CreatePod(ctx, old)
	// A new pod of the same name (a StatefulSet's) replaces the old group.
	fresh := simplePod("db", "new-uid")
	if err := h.p.CreatePod(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	running := h.last()
	if len(h.groups.deletes) != 1 || *h.groups.groups[GroupName("app", "db")].Tags[TagPodUID] != "new-uid" {
		t.Fatalf("deletes %v", h.groups.deletes)
	}
	// Deleting the old pod late leaves the new pod's group alone.
	if err := h.p.DeletePod(ctx, old); err != nil {
		t.Fatal(err)
	}
	if _, ok := h.groups.groups[GroupName("app", "db")]; !ok {
		t.Fatal("the old pod's delete removed the new pod's group")
	}
	if err := h.p.DeletePod(ctx, running); err != nil {
		t.Fatal(err)
	}
	if _, ok := h.groups.groups[GroupName("app", "db")]; ok {
		t.Fatal("the group outlived its pod")
	}
	if got := h.last(); got.Status.Phase != corev1.PodSucceeded || got.Status.ContainerStatuses[0].State.Terminated == nil {
		t.Fatalf("deleted pod's status %+v", got.Status)
	}
}

// After a restart: a group whose tags name this node and the pod's UID is
// adopted (no put); GetPods lists only this node's groups, so
// virtual-kubelet deletes orphans of ours and never anyone else's.
func TestAdoptionAndOrphans(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.p.CreatePod(ctx, simplePod("keep", "k1"))
	h.p.CreatePod(ctx, simplePod("orphan", "o1"))
	h.groups.groups["someone-else"] = &aci.ContainerGroup{Name: to("someone-else"), Tags: map[string]*string{
		TagNamespace: to("app"), TagPod: to("x"), TagPodUID: to("x1"), TagNode: to("other-node")}}
	h.groups.groups["untagged"] = &aci.ContainerGroup{Name: to("untagged")}

	restarted := newHarness(t)
	restarted.groups = h.groups
	restarted.p.groups = h.groups
	restarted.indexer.Add(simplePod("keep", "k1"))
	puts := len(h.groups.puts)
	p, err := restarted.p.GetPod(ctx, "app", "keep")
	if err != nil || p.Status.Phase != corev1.PodRunning || len(h.groups.puts) != puts {
		t.Fatalf("adopt: %v %v puts %d", p, err, len(h.groups.puts)-puts)
	}
	if _, err := restarted.p.GetPod(ctx, "app", "orphan"); !errdefs.IsNotFound(err) {
		t.Fatalf("a pod Kubernetes no longer has was adopted: %v", err)
	}
	pods, err := restarted.p.GetPods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range pods {
		names = append(names, p.Name)
	}
	if len(pods) != 2 || !strings.Contains(strings.Join(names, ","), "orphan") || strings.Contains(strings.Join(names, ","), "x") {
		t.Fatalf("GetPods = %v", names)
	}
}

func TestExecExitStatus(t *testing.T) {
	h := newHarness(t)
	err := h.p.RunInContainer(context.Background(), "app", "web", "c", []string{"false"}, fakeAttach{})
	var ce utilexec.CodeExitError
	if !errors.As(err, &ce) || ce.Code != 3 {
		t.Fatalf("err = %v", err)
	}
}

type fakeAttach struct{}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

func (fakeAttach) Stdin() io.Reader            { return nil }
func (fakeAttach) Stdout() io.WriteCloser      { return nopWriteCloser{io.Discard} }
func (fakeAttach) Stderr() io.WriteCloser      { return nopWriteCloser{io.Discard} }
func (fakeAttach) TTY() bool                   { return false }
func (fakeAttach) Resize() <-chan api.TermSize { return nil }

var _ api.AttachIO = fakeAttach{}

// A graceful delete releases the pod in Kubernetes once the group is gone,
// instead of waiting out the grace period.
func TestDeletedPodIsReleased(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	var released []string
	h.p.Release = func(_ context.Context, p *corev1.Pod) error { released = append(released, p.Name); return nil }
	pod := simplePod("web", "u1")
	h.p.CreatePod(ctx, pod)
	running := h.last()
	h.p.DeletePod(ctx, running) // a dangling pod (no deletion timestamp): nothing to release
	h.p.CreatePod(ctx, pod)
	running = h.last().DeepCopy()
	now := metav1.Now()
	running.DeletionTimestamp = &now
	h.p.DeletePod(ctx, running)
	if strings.Join(released, ",") != "web" {
		t.Fatalf("released %v", released)
	}
}

// A changed ConfigMap reaches a running pod's group on the next full poll,
// with an event saying so; an unchanged one puts nothing.
func TestConfigChangesReachTheGroup(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	pod := simplePod("cfg", "u1")
	pod.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "G", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: "settings"}, Key: "greeting"}}}}
	if err := h.p.CreatePod(ctx, pod); err != nil {
		t.Fatal(err)
	}
	h.events()
	puts := len(h.groups.puts)
	h.p.refresh(ctx, true)
	if len(h.groups.puts) != puts {
		t.Fatal("an unchanged pod was put again")
	}
	h.p.objects.(*fakeObjects).cms["app/settings"] = &corev1.ConfigMap{Data: map[string]string{"greeting": "changed"}}
	h.p.refresh(ctx, true)
	g := h.groups.groups[GroupName("app", "cfg")]
	if len(h.groups.puts) != puts+1 || *g.Properties.Containers[0].Properties.EnvironmentVariables[0].Value != "changed" {
		t.Fatalf("puts %d", len(h.groups.puts)-puts)
	}
	if ev := strings.Join(h.events(), "\n"); !strings.Contains(ev, "Normal ConfigChanged") {
		t.Fatalf("events: %s", ev)
	}
	// Settled: the next polls put nothing (the service's choices, such as
	// the IP kept, are not a change).
	h.p.refresh(ctx, true)
	h.p.refresh(ctx, true)
	if len(h.groups.puts) != puts+1 {
		t.Fatalf("the group is put again and again: %d puts", len(h.groups.puts)-puts)
	}
}

func TestPodIPPodSettles(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	pod := simplePod("ip", "u1")
	pod.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "MY_IP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"}}}}
	h.p.CreatePod(ctx, pod)
	puts := len(h.groups.puts)
	h.p.refresh(ctx, true)
	if len(h.groups.puts) != puts {
		t.Fatal("a pod reading its IP is put again on every poll")
	}
	// An update knows the IP already: one put, never one with the
	// placeholder (each put restarts the containers).
	if err := h.p.UpdatePod(ctx, pod); err != nil {
		t.Fatal(err)
	}
	g := h.groups.groups[GroupName("app", "ip")]
	if len(h.groups.puts) != puts+1 || *g.Properties.Containers[0].Properties.EnvironmentVariables[0].Value != "127.0.2.1" {
		t.Fatalf("update: %d puts, env %s", len(h.groups.puts)-puts, *g.Properties.Containers[0].Properties.EnvironmentVariables[0].Value)
	}
}
