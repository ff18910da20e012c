package connector

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func objects() *fakeObjects {
	dockercfg := `{"auths":{"https://myregistry.azurecr.io":{"username":"u","password":"p"},"other.io":{"auth":"dXNlcjI6cGFzczI="}}}`
	return &fakeObjects{
		cms: map[string]*corev1.ConfigMap{"app/settings": {Data: map[string]string{"greeting": "hi", "mode": "fast"}}},
		secrets: map[string]*corev1.Secret{
			"app/creds":   {Data: map[string][]byte{"password": []byte("s3cret")}},
			"app/pull":    {Type: corev1.SecretTypeDockerConfigJson, Data: map[string][]byte{corev1.DockerConfigJsonKey: []byte(dockercfg)}},
			"app/storage": {Data: map[string][]byte{"azurestorageaccountname": []byte("acct"), "azurestorageaccountkey": []byte("key==")}},
		},
	}
}

// fullPod uses every feature the connector maps.
func fullPod() *corev1.Pod {
	gpu := resource.MustParse("1")
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web.v1", Namespace: "app", UID: "uid-1", Labels: map[string]string{"tier": "front"}},
		Spec: corev1.PodSpec{
			NodeName: "aci-connector", ServiceAccountName: "default", RestartPolicy: corev1.RestartPolicyOnFailure,
			ImagePullSecrets: []corev1.LocalObjectReference{{Name: "pull"}},
			InitContainers:   []corev1.Container{{Name: "init", Image: "busybox", Command: []string{"sh", "-c"}, Args: []string{"echo init"}}},
			Containers: []corev1.Container{{
				Name: "web", Image: "myregistry.azurecr.io/web:v1", Command: []string{"/server"}, Args: []string{"--port", "$(PORT)"},
				Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 80}, {ContainerPort: 53, Protocol: corev1.ProtocolUDP}},
				Env: []corev1.EnvVar{
					{Name: "PORT", Value: "80"},
					{Name: "URL", Value: "http://localhost:$(PORT)/ $$(PORT)"},
					{Name: "GREETING", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "settings"}, Key: "greeting"}}},
					{Name: "PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "creds"}, Key: "password"}}},
					{Name: "POD", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
					{Name: "TIER", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.labels['tier']"}}},
				},
				EnvFrom: []corev1.EnvFromSource{{Prefix: "CFG_", ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "settings"}}}},
				Resources: corev1.ResourceRequirements{
					Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m"), corev1.ResourceMemory: resource.MustParse("512Mi")},
					Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("1Gi"), GPUResource: gpu},
				},
				LivenessProbe:  &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("http")}}, PeriodSeconds: 10},
				ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"cat", "/ready"}}}, InitialDelaySeconds: 2},
				VolumeMounts: []corev1.VolumeMount{
					{Name: "cfg", MountPath: "/etc/cfg"}, {Name: "sec", MountPath: "/etc/sec", ReadOnly: true},
					{Name: "scratch", MountPath: "/scratch"}, {Name: "share", MountPath: "/mnt/share"},
					{Name: "kube-api-access", MountPath: "/var/run/secrets/kubernetes.io/serviceaccount", ReadOnly: true},
				},
			}},
			Volumes: []corev1.Volume{
				{Name: "cfg", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "settings"}, Items: []corev1.KeyToPath{{Key: "mode", Path: "mode.txt"}}}}},
				{Name: "sec", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "creds"}}},
				{Name: "scratch", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
				{Name: "share", VolumeSource: corev1.VolumeSource{AzureFile: &corev1.AzureFileVolumeSource{SecretName: "storage", ShareName: "data"}}},
				{Name: "kube-api-access", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
					{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token", ExpirationSeconds: ptr(int64(3607))}},
					{DownwardAPI: &corev1.DownwardAPIProjection{Items: []corev1.DownwardAPIVolumeFile{{Path: "namespace", FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.namespace"}}}}},
				}}}},
			},
		},
	}
}

func ptr[T any](v T) *T { return &v }

// The whole mapping of a pod, against a golden body (go test -update
// rewrites it after a deliberate change).
func TestConvertGolden(t *testing.T) {
	g, err := Convert(context.Background(), fullPod(), objects(), Target{Location: "westus", Node: "aci-connector", Cluster: "cluster-1", NodeIP: "10.0.0.4"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.MarshalIndent(g, "", "  ")
	golden := filepath.Join("testdata", "pod-to-group.golden.json")
	if *update {
		os.WriteFile(golden, append(got, '\n'), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(got)) != strings.TrimSpace(string(want)) {
		t.Fatalf("group body differs from %s:\n%s", golden, got)
	}
	// Spot checks that the golden file says what it should.
	for _, want := range []string{`"secureValue": "s3cret"`, `"value": "http://localhost:80/ $(PORT)"`, `"server": "myregistry.azurecr.io"`,
		`"username": "user2"`, `"cpu": 0.25`, `"memoryInGB": 0.6`, `"sku": "K80"`, `"port": 80`, `"protocol": "UDP"`, `"restartPolicy": "OnFailure"`} {
		if !strings.Contains(string(got), want) {
			t.Errorf("body lacks %s", want)
		}
	}
}

func TestUnsupportedPods(t *testing.T) {
	base := func() *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns"},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "i"}}}}
	}
	cases := map[string]func(p *corev1.Pod){
		"hostNetwork": func(p *corev1.Pod) { p.Spec.HostNetwork = true },
		"privileged": func(p *corev1.Pod) {
			p.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: ptr(true)}
		},
		"hostPath": func(p *corev1.Pod) {
			p.Spec.Volumes = []corev1.Volume{{Name: "h", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}}}}
		},
		"tcp probe": func(p *corev1.Pod) {
			p.Spec.Containers[0].LivenessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt(80)}}}
		},
		"args alone": func(p *corev1.Pod) { p.Spec.Containers[0].Args = []string{"x"} },
		"subPath": func(p *corev1.Pod) {
			p.Spec.Volumes = []corev1.Volume{{Name: "v", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}
			p.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "v", MountPath: "/v", SubPath: "x"}}
		},
		"pvc": func(p *corev1.Pod) {
			p.Spec.Volumes = []corev1.Volume{{Name: "v", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "c"}}}}
		},
		"nested file": func(p *corev1.Pod) {
			p.Spec.Volumes = []corev1.Volume{{Name: "v", VolumeSource: corev1.VolumeSource{DownwardAPI: &corev1.DownwardAPIVolumeSource{
				Items: []corev1.DownwardAPIVolumeFile{{Path: "a/b", FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}}}}}}
		},
	}
	for name, mutate := range cases {
		p := base()
		mutate(p)
		_, err := Convert(context.Background(), p, objects(), Target{})
		var un *Unsupported
		if !errors.As(err, &un) || !strings.HasPrefix(un.Message, "ACI cannot run pod ns/p") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A missing ConfigMap is an error to retry (it may be created next), not an
// unsupported pod; an optional one is skipped.
func TestMissingReferences(t *testing.T) {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "app"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{
		Name: "c", Image: "i", Env: []corev1.EnvVar{{Name: "X", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: "nope"}, Key: "k"}}}}}}}}
	_, err := Convert(context.Background(), p, objects(), Target{})
	var un *Unsupported
	if err == nil || errors.As(err, &un) || !strings.Contains(err.Error(), "ConfigMap app/nope") {
		t.Fatalf("err = %v", err)
	}
	p.Spec.Containers[0].Env[0].ValueFrom.ConfigMapKeyRef.Optional = ptr(true)
	g, err := Convert(context.Background(), p, objects(), Target{})
	if err != nil || len(g.Properties.Containers[0].Properties.EnvironmentVariables) != 0 {
		t.Fatalf("optional: %v", err)
	}
}

func TestDefaultsAreACIs(t *testing.T) {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "i"}}}}
	g, err := Convert(context.Background(), p, objects(), Target{})
	if err != nil {
		t.Fatal(err)
	}
	r := g.Properties.Containers[0].Properties.Resources.Requests
	if *r.CPU != 1 || *r.MemoryInGB != 1.5 || g.Properties.IPAddress != nil || *g.Properties.RestartPolicy != "Always" {
		t.Fatalf("defaults: cpu %v mem %v ip %v", *r.CPU, *r.MemoryInGB, g.Properties.IPAddress)
	}
}
