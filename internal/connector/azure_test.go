package connector

import (
	"context"
	"testing"
	"time"

	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/clitest"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ARMGroups against Azure's own answers (az's recorded traffic: a PUT, its
// long-running operation, the group's GETs): the pod the connector would
// report from them is Running in the recorded container.
func TestARMGroupsOnAzureRecording(t *testing.T) {
	s := clitest.NewServer(t)
	e := clitest.NewEnv(t, s)
	s.LoadCassette(t, "container/test_container_create_with_acr.yaml")
	io, _, _, _ := cmdutil.Test()
	f := &cmdutil.Factory{IO: io, Version: "test", ConfigDir: e.ConfigDir, HTTPClient: e.HTTPClient,
		Intervals: cmdutil.Intervals{LRO: 10 * time.Millisecond}}
	client, err := f.ARM()
	if err != nil {
		t.Fatal(err)
	}
	cg, err := client.ContainerGroups()
	if err != nil {
		t.Fatal(err)
	}
	a := &ARMGroups{CG: cg, ResourceGroup: "clitest.rg000001"}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "nginx", Namespace: "default", UID: "u"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "clicontainer000002", Image: "clitestregistry1.azurecr.io/nginx:latest"}}}}
	body, err := Convert(context.Background(), pod, objects(), Target{Location: "westus", Node: "vk"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Put(context.Background(), "clicontainer000002", body); err != nil {
		t.Fatal(err)
	}
	g, err := a.Get(context.Background(), "clicontainer000002")
	if err != nil {
		t.Fatal(err)
	}
	st := PodStatus(pod, g, "")
	if len(st.ContainerStatuses) != 1 || st.ContainerStatuses[0].State.Running == nil ||
		st.ContainerStatuses[0].State.Running.StartedAt.UTC().Format(time.RFC3339) != "2023-04-26T22:53:21Z" {
		t.Fatalf("status from Azure's answer: %+v", st)
	}
	// A group Azure does not have is ErrGroupNotFound, not an error to retry.
	s.Add("GET", "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/clitest.rg000001/providers/Microsoft.ContainerInstance/containerGroups/gone",
		clitest.Response{Status: 404, Body: `{"error":{"code":"ResourceNotFound","message":"The Resource 'Microsoft.ContainerInstance/containerGroups/gone' under resource group 'clitest.rg000001' was not found."}}`})
	if _, err := a.Get(context.Background(), "gone"); err != ErrGroupNotFound {
		t.Fatalf("404: %v", err)
	}
}
