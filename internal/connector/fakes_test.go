package connector

import (
	"context"
	"fmt"
	"sync"

	aci "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerinstance/armcontainerinstance/v2"
	"github.com/aci-cli/aci/internal/arm"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// fakeObjects answers ConfigMaps, Secrets and tokens from maps.
type fakeObjects struct {
	cms     map[string]*corev1.ConfigMap
	secrets map[string]*corev1.Secret
}

func (f *fakeObjects) ConfigMap(_ context.Context, ns, name string) (*corev1.ConfigMap, error) {
	if cm, ok := f.cms[ns+"/"+name]; ok {
		return cm, nil
	}
	return nil, apierrors.NewNotFound(schema.GroupResource{Resource: "configmaps"}, name)
}

func (f *fakeObjects) Secret(_ context.Context, ns, name string) (*corev1.Secret, error) {
	if s, ok := f.secrets[ns+"/"+name]; ok {
		return s, nil
	}
	return nil, apierrors.NewNotFound(schema.GroupResource{Resource: "secrets"}, name)
}

func (f *fakeObjects) ServiceAccountToken(_ context.Context, pod *corev1.Pod, aud string, secs int64) (string, error) {
	return fmt.Sprintf("token-for-%s-%s-%d", pod.Spec.ServiceAccountName, aud, secs), nil
}

// fakeGroups is ARM in memory: Put stores the body as the service would
// answer it (a running group with an IP), with function fields to override.
type fakeGroups struct {
	mu      sync.Mutex
	groups  map[string]*aci.ContainerGroup
	puts    []string
	deletes []string
	nextIP  int
	putErr  func(name string, g *aci.ContainerGroup) error
}

func newFakeGroups() *fakeGroups { return &fakeGroups{groups: map[string]*aci.ContainerGroup{}} }

func (f *fakeGroups) Put(_ context.Context, name string, g *aci.ContainerGroup) (*aci.ContainerGroup, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.puts = append(f.puts, name)
	if f.putErr != nil {
		if err := f.putErr(name, g); err != nil {
			return nil, err
		}
	}
	out := *g
	props := *g.Properties
	out.Name = to(name)
	out.Properties = &props
	if props.IPAddress != nil {
		ip := *props.IPAddress
		if ip.IP == nil {
			f.nextIP++
			ip.IP = to(fmt.Sprintf("127.0.2.%d", f.nextIP))
		}
		props.IPAddress = &ip
	}
	props.ProvisioningState = to("Succeeded")
	props.InstanceView = &aci.ContainerGroupPropertiesInstanceView{State: to("Running")}
	var cs []*aci.Container
	for _, c := range props.Containers {
		cp := *c.Properties
		cp.InstanceView = &aci.ContainerPropertiesInstanceView{
			CurrentState: &aci.ContainerState{State: to("Running")},
			RestartCount: to(int32(0)),
			Events:       []*aci.Event{{Name: to("Started"), Message: to("Started container"), Type: to("Normal"), Count: to(int32(1))}},
		}
		cs = append(cs, &aci.Container{Name: c.Name, Properties: &cp})
	}
	props.Containers = cs
	f.groups[name] = &out
	return &out, nil
}

func (f *fakeGroups) Get(_ context.Context, name string) (*aci.ContainerGroup, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if g, ok := f.groups[name]; ok {
		return g, nil
	}
	return nil, ErrGroupNotFound
}

func (f *fakeGroups) List(context.Context) ([]*aci.ContainerGroup, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*aci.ContainerGroup
	for _, g := range f.groups {
		out = append(out, g)
	}
	return out, nil
}

func (f *fakeGroups) Delete(_ context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deletes = append(f.deletes, name)
	if _, ok := f.groups[name]; !ok {
		return ErrGroupNotFound
	}
	delete(f.groups, name)
	return nil
}

func (f *fakeGroups) Logs(_ context.Context, name, container string, tail int, ts bool) (string, error) {
	return "", nil
}

func (f *fakeGroups) Exec(context.Context, string, string, []string, bool, arm.ExecStreams) (arm.ExecEnd, error) {
	return arm.ExecEnd{Known: true, Code: 3}, nil
}
