package connector

import (
	"strings"
	"time"

	aci "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerinstance/armcontainerinstance/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// PodStatus is what Kubernetes should say about pod, given its group.
func PodStatus(pod *corev1.Pod, g *aci.ContainerGroup, nodeIP string) corev1.PodStatus {
	p := g.Properties
	st := corev1.PodStatus{HostIP: nodeIP, StartTime: startTime(pod)}
	if nodeIP != "" {
		st.HostIPs = []corev1.HostIP{{IP: nodeIP}}
	}
	if p.IPAddress != nil && p.IPAddress.IP != nil {
		st.PodIP = *p.IPAddress.IP
		st.PodIPs = []corev1.PodIP{{IP: st.PodIP}}
	}
	for i, ic := range p.InitContainers {
		var iv *aci.InitContainerPropertiesDefinitionInstanceView
		if ic.Properties != nil {
			iv = ic.Properties.InstanceView
		}
		var cur, prev *aci.ContainerState
		var restarts *int32
		if iv != nil {
			cur, prev, restarts = iv.CurrentState, iv.PreviousState, iv.RestartCount
		}
		st.InitContainerStatuses = append(st.InitContainerStatuses, containerStatus(deref(ic.Name), imageOf(pod, deref(ic.Name), true, i), cur, prev, restarts, false))
	}
	for i, c := range p.Containers {
		var cur, prev *aci.ContainerState
		var restarts *int32
		if c.Properties != nil && c.Properties.InstanceView != nil {
			iv := c.Properties.InstanceView
			cur, prev, restarts = iv.CurrentState, iv.PreviousState, iv.RestartCount
		}
		st.ContainerStatuses = append(st.ContainerStatuses, containerStatus(deref(c.Name), imageOf(pod, deref(c.Name), false, i), cur, prev, restarts, true))
	}
	st.Phase = phase(g, &st)
	st.Conditions = conditions(pod, &st)
	return st
}

func startTime(pod *corev1.Pod) *metav1.Time {
	if pod.Status.StartTime != nil {
		return pod.Status.StartTime
	}
	t := pod.CreationTimestamp
	return &t
}

func imageOf(pod *corev1.Pod, name string, init bool, i int) string {
	cs := pod.Spec.Containers
	if init {
		cs = pod.Spec.InitContainers
	}
	for _, c := range cs {
		if c.Name == name {
			return c.Image
		}
	}
	if i < len(cs) {
		return cs[i].Image
	}
	return ""
}

func containerStatus(name, image string, cur, prev *aci.ContainerState, restarts *int32, readyWhenRunning bool) corev1.ContainerStatus {
	cs := corev1.ContainerStatus{Name: name, Image: image, ImageID: image, RestartCount: deref(restarts)}
	cs.State = containerState(cur)
	cs.LastTerminationState = corev1.ContainerState{}
	if prev != nil && prev.State != nil {
		if s := containerState(prev); s.Terminated != nil {
			cs.LastTerminationState = s
		}
	}
	if cs.State.Running != nil {
		cs.Started = to(true)
		cs.Ready = readyWhenRunning
		cs.ContainerID = "aci://" + name
	}
	return cs
}

// containerState maps ACI's states (Waiting, Running, Terminated; the
// service spells them with details such as "CrashLoopBackOff").
func containerState(s *aci.ContainerState) corev1.ContainerState {
	if s == nil || s.State == nil {
		return corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "Creating"}}
	}
	switch strings.ToLower(*s.State) {
	case "running":
		return corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: timeOf(s.StartTime)}}
	case "terminated", "succeeded", "failed", "stopped":
		t := &corev1.ContainerStateTerminated{
			ExitCode:   deref(s.ExitCode),
			StartedAt:  timeOf(s.StartTime),
			FinishedAt: timeOf(s.FinishTime),
			Reason:     "Completed",
			Message:    deref(s.DetailStatus),
		}
		if t.ExitCode != 0 {
			t.Reason = "Error"
		}
		return corev1.ContainerState{Terminated: t}
	}
	reason := deref(s.DetailStatus)
	if reason == "" {
		reason = *s.State
	}
	return corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason}}
}

// phase is the pod's phase: the group's own state once it has one, else its
// provisioning state (a group that failed to provision is a failed pod).
func phase(g *aci.ContainerGroup, st *corev1.PodStatus) corev1.PodPhase {
	p := g.Properties
	if p.ProvisioningState != nil && strings.EqualFold(*p.ProvisioningState, "Failed") {
		return corev1.PodFailed
	}
	state := ""
	if p.InstanceView != nil && p.InstanceView.State != nil {
		state = strings.ToLower(*p.InstanceView.State)
	}
	switch state {
	case "running":
		for _, cs := range st.ContainerStatuses {
			if cs.State.Running == nil && cs.State.Terminated == nil {
				return corev1.PodPending
			}
		}
		return corev1.PodRunning
	case "succeeded":
		return corev1.PodSucceeded
	case "failed":
		return corev1.PodFailed
	case "stopped":
		return corev1.PodFailed
	}
	return corev1.PodPending
}

func conditions(pod *corev1.Pod, st *corev1.PodStatus) []corev1.PodCondition {
	now := metav1.Now()
	cond := func(t corev1.PodConditionType, ok bool) corev1.PodCondition {
		s := corev1.ConditionFalse
		if ok {
			s = corev1.ConditionTrue
		}
		return corev1.PodCondition{Type: t, Status: s, LastTransitionTime: transition(pod, t, s, now)}
	}
	initialized := true
	for _, ic := range st.InitContainerStatuses {
		if ic.State.Terminated == nil || ic.State.Terminated.ExitCode != 0 {
			initialized = false
		}
	}
	ready := st.Phase == corev1.PodRunning
	for _, cs := range st.ContainerStatuses {
		ready = ready && cs.Ready
	}
	return []corev1.PodCondition{
		cond(corev1.PodScheduled, true),
		cond(corev1.PodInitialized, initialized),
		cond(corev1.ContainersReady, ready),
		cond(corev1.PodReady, ready),
	}
}

// transition keeps a condition's time while its status stays the same, so
// that a poll that changes nothing writes nothing.
func transition(pod *corev1.Pod, t corev1.PodConditionType, s corev1.ConditionStatus, now metav1.Time) metav1.Time {
	for _, c := range pod.Status.Conditions {
		if c.Type == t && c.Status == s {
			return c.LastTransitionTime
		}
	}
	return now
}

func timeOf(t *time.Time) metav1.Time {
	if t == nil {
		return metav1.Time{}
	}
	return metav1.NewTime(*t)
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// groupEvents lists a group's container events, oldest first, keyed so that
// each is reported once.
type groupEvent struct {
	key, reason, message, kind string
	count                      int32
}

func groupEvents(g *aci.ContainerGroup) []groupEvent {
	var out []groupEvent
	add := func(container string, evs []*aci.Event) {
		for _, e := range evs {
			ts := ""
			if e.FirstTimestamp != nil {
				ts = e.FirstTimestamp.UTC().Format(time.RFC3339Nano)
			}
			out = append(out, groupEvent{
				key:     container + "|" + deref(e.Name) + "|" + ts + "|" + deref(e.Message),
				reason:  deref(e.Name),
				message: deref(e.Message),
				kind:    deref(e.Type),
				count:   deref(e.Count),
			})
		}
	}
	if g.Properties == nil {
		return nil
	}
	for _, ic := range g.Properties.InitContainers {
		if ic.Properties != nil && ic.Properties.InstanceView != nil {
			add(deref(ic.Name), ic.Properties.InstanceView.Events)
		}
	}
	for _, c := range g.Properties.Containers {
		if c.Properties != nil && c.Properties.InstanceView != nil {
			add(deref(c.Name), c.Properties.InstanceView.Events)
		}
	}
	if g.Properties.InstanceView != nil {
		add("", g.Properties.InstanceView.Events)
	}
	return out
}
