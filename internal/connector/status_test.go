package connector

import (
	"testing"
	"time"

	aci "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerinstance/armcontainerinstance/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func groupWith(state string, containers ...*aci.Container) *aci.ContainerGroup {
	return &aci.ContainerGroup{Properties: &aci.ContainerGroupPropertiesProperties{
		ProvisioningState: to("Succeeded"),
		InstanceView:      &aci.ContainerGroupPropertiesInstanceView{State: to(state)},
		IPAddress:         &aci.IPAddress{IP: to("127.0.2.9")},
		Containers:        containers,
	}}
}

func ctr(name, state string, exit int32, restarts int32) *aci.Container {
	start := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	cs := &aci.ContainerState{State: to(state), StartTime: &start}
	if state == "Terminated" {
		cs.ExitCode = to(exit)
		cs.FinishTime = to(start.Add(time.Minute))
	}
	return &aci.Container{Name: to(name), Properties: &aci.ContainerProperties{InstanceView: &aci.ContainerPropertiesInstanceView{
		CurrentState: cs, RestartCount: to(restarts),
		PreviousState: &aci.ContainerState{State: to("Terminated"), ExitCode: to(int32(137))},
	}}}
}

func TestStatusMapping(t *testing.T) {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", CreationTimestamp: metav1.Now()},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "a", Image: "img-a"}, {Name: "b", Image: "img-b"}}}}
	for _, c := range []struct {
		name  string
		g     *aci.ContainerGroup
		phase corev1.PodPhase
		ready bool
	}{
		{"running", groupWith("Running", ctr("a", "Running", 0, 2), ctr("b", "Running", 0, 0)), corev1.PodRunning, true},
		{"one waiting", groupWith("Running", ctr("a", "Running", 0, 0), ctr("b", "Waiting", 0, 0)), corev1.PodPending, false},
		{"succeeded", groupWith("Succeeded", ctr("a", "Terminated", 0, 0), ctr("b", "Terminated", 0, 0)), corev1.PodSucceeded, false},
		{"failed", groupWith("Failed", ctr("a", "Terminated", 3, 0), ctr("b", "Terminated", 0, 0)), corev1.PodFailed, false},
		{"pending", groupWith("Pending"), corev1.PodPending, false},
	} {
		st := PodStatus(pod, c.g, "10.0.0.4")
		if st.Phase != c.phase || st.PodIP != "127.0.2.9" || st.HostIP != "10.0.0.4" {
			t.Errorf("%s: phase %s ip %s host %s", c.name, st.Phase, st.PodIP, st.HostIP)
		}
		ready := false
		for _, cond := range st.Conditions {
			if cond.Type == corev1.PodReady {
				ready = cond.Status == corev1.ConditionTrue
			}
		}
		if ready != c.ready {
			t.Errorf("%s: ready %v", c.name, ready)
		}
	}
	st := PodStatus(pod, groupWith("Failed", ctr("a", "Terminated", 3, 1), ctr("b", "Running", 0, 0)), "")
	a := st.ContainerStatuses[0]
	if a.Image != "img-a" || a.State.Terminated == nil || a.State.Terminated.ExitCode != 3 || a.State.Terminated.Reason != "Error" ||
		a.RestartCount != 1 || a.LastTerminationState.Terminated == nil || a.LastTerminationState.Terminated.ExitCode != 137 {
		t.Errorf("container a: %+v", a)
	}
}

// A poll that changes nothing keeps the conditions' times: no write.
func TestConditionTimesAreStable(t *testing.T) {
	pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "a"}}}}
	g := groupWith("Running", ctr("a", "Running", 0, 0))
	pod.Status = PodStatus(pod, g, "")
	again := PodStatus(pod, g, "")
	for i := range again.Conditions {
		if !again.Conditions[i].LastTransitionTime.Equal(&pod.Status.Conditions[i].LastTransitionTime) {
			t.Fatalf("condition %s moved", again.Conditions[i].Type)
		}
	}
}
