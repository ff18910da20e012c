package connector

import (
	"encoding/base64"
	"fmt"
	"maps"
	"slices"
	"strings"

	aci "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerinstance/armcontainerinstance/v2"
	corev1 "k8s.io/api/core/v1"
)

// Keys of the Secret an azureFile volume names (Kubernetes' own).
const (
	azureAccountNameKey = "azurestorageaccountname"
	azureAccountKeyKey  = "azurestorageaccountkey"
)

// volumes maps the pod's volumes: emptyDir, azureFile and ACI's secret
// volume, which carries Secrets, ConfigMaps, downward API files and the
// projected service-account token as files.
func (c *converter) volumes() ([]*aci.Volume, error) {
	var out []*aci.Volume
	for i := range c.pod.Spec.Volumes {
		v := &c.pod.Spec.Volumes[i]
		av, err := c.volume(v)
		if err != nil {
			return nil, err
		}
		c.vols[v.Name] = true
		out = append(out, av)
	}
	return out, nil
}

func (c *converter) volume(v *corev1.Volume) (*aci.Volume, error) {
	out := &aci.Volume{Name: to(v.Name)}
	files := files{}
	var err error
	switch {
	case v.EmptyDir != nil:
		out.EmptyDir = map[string]any{}
		return out, nil
	case v.AzureFile != nil:
		out.AzureFile, err = c.azureFile(v.AzureFile)
		return out, err
	case v.Secret != nil:
		err = c.secretFiles(files, v.Secret.SecretName, v.Secret.Items, v.Secret.Optional)
	case v.ConfigMap != nil:
		err = c.configMapFiles(files, v.ConfigMap.Name, v.ConfigMap.Items, v.ConfigMap.Optional)
	case v.DownwardAPI != nil:
		err = c.downwardFiles(files, v.DownwardAPI.Items)
	case v.Projected != nil:
		err = c.projectedFiles(files, v.Projected.Sources)
	default:
		return nil, unsupported("ACI cannot run pod %s/%s: volume %q is of a kind ACI cannot mount (it has emptyDir, azureFile, secret, configMap, downwardAPI and projected volumes).", c.pod.Namespace, c.pod.Name, v.Name)
	}
	if err != nil {
		return nil, err
	}
	if err := files.check(c.pod, v.Name); err != nil {
		return nil, err
	}
	out.Secret = files.encoded()
	return out, nil
}

// files are a secret volume's contents by file name.
type files map[string][]byte

func (f files) encoded() map[string]*string {
	out := make(map[string]*string, len(f))
	for k, v := range f {
		out[k] = to(base64.StdEncoding.EncodeToString(v))
	}
	return out
}

// check refuses paths ACI's flat secret volume cannot hold.
func (f files) check(pod *corev1.Pod, volume string) error {
	for k := range f {
		if k == "" || strings.ContainsAny(k, "/\\") || k == "." || k == ".." {
			return unsupported("ACI cannot run pod %s/%s: volume %q would hold the file %q; ACI's secret volumes hold files at their top level only.", pod.Namespace, pod.Name, volume, k)
		}
	}
	return nil
}

func (c *converter) azureFile(v *corev1.AzureFileVolumeSource) (*aci.AzureFileVolume, error) {
	s, err := c.obj.Secret(c.ctx, c.pod.Namespace, v.SecretName)
	if err != nil {
		return nil, missing("Secret", c.pod, v.SecretName, err)
	}
	name, key := string(s.Data[azureAccountNameKey]), string(s.Data[azureAccountKeyKey])
	if name == "" || key == "" {
		return nil, fmt.Errorf("Secret %s/%s needs the keys %s and %s for the azureFile volume", c.pod.Namespace, v.SecretName, azureAccountNameKey, azureAccountKeyKey)
	}
	out := &aci.AzureFileVolume{ShareName: to(v.ShareName), StorageAccountName: to(name), StorageAccountKey: to(key)}
	if v.ReadOnly {
		out.ReadOnly = to(true)
	}
	return out, nil
}

func (c *converter) secretFiles(f files, name string, items []corev1.KeyToPath, opt *bool) error {
	s, err := c.obj.Secret(c.ctx, c.pod.Namespace, name)
	if err != nil {
		if optional(opt) {
			return nil
		}
		return missing("Secret", c.pod, name, err)
	}
	data := map[string][]byte{}
	for k, v := range s.Data {
		data[k] = v
	}
	for k, v := range s.StringData {
		data[k] = []byte(v)
	}
	return project(f, data, items, opt, "Secret "+c.pod.Namespace+"/"+name)
}

func (c *converter) configMapFiles(f files, name string, items []corev1.KeyToPath, opt *bool) error {
	cm, err := c.obj.ConfigMap(c.ctx, c.pod.Namespace, name)
	if err != nil {
		if optional(opt) {
			return nil
		}
		return missing("ConfigMap", c.pod, name, err)
	}
	data := map[string][]byte{}
	for k, v := range cm.Data {
		data[k] = []byte(v)
	}
	for k, v := range cm.BinaryData {
		data[k] = v
	}
	return project(f, data, items, opt, "ConfigMap "+c.pod.Namespace+"/"+name)
}

// project copies data into f: every key, or only items under their paths.
func project(f files, data map[string][]byte, items []corev1.KeyToPath, opt *bool, what string) error {
	if len(items) == 0 {
		for k, v := range data {
			f[k] = v
		}
		return nil
	}
	for _, it := range items {
		v, ok := data[it.Key]
		if !ok {
			if optional(opt) {
				continue
			}
			return fmt.Errorf("%s has no key %q", what, it.Key)
		}
		f[it.Path] = v
	}
	return nil
}

func (c *converter) downwardFiles(f files, items []corev1.DownwardAPIVolumeFile) error {
	for _, it := range items {
		if it.FieldRef == nil {
			return unsupported("ACI cannot run pod %s/%s: downward API file %q uses resourceFieldRef, which the connector does not resolve.", c.pod.Namespace, c.pod.Name, it.Path)
		}
		v, err := c.downwardField(it.FieldRef.FieldPath)
		if err != nil {
			return err
		}
		f[it.Path] = []byte(v)
	}
	return nil
}

// downwardField is a downward API file's value; labels and annotations are
// Kubernetes' key="value" lines.
func (c *converter) downwardField(p string) (string, error) {
	kv := func(m map[string]string) string {
		var b strings.Builder
		for _, k := range slices.Sorted(maps.Keys(m)) {
			fmt.Fprintf(&b, "%s=%q\n", k, m[k])
		}
		return b.String()
	}
	switch p {
	case "metadata.labels":
		return kv(c.pod.Labels), nil
	case "metadata.annotations":
		return kv(c.pod.Annotations), nil
	}
	return c.field(p)
}

func (c *converter) projectedFiles(f files, sources []corev1.VolumeProjection) error {
	for _, s := range sources {
		var err error
		switch {
		case s.Secret != nil:
			err = c.secretFiles(f, s.Secret.Name, s.Secret.Items, s.Secret.Optional)
		case s.ConfigMap != nil:
			err = c.configMapFiles(f, s.ConfigMap.Name, s.ConfigMap.Items, s.ConfigMap.Optional)
		case s.DownwardAPI != nil:
			err = c.downwardFiles(f, s.DownwardAPI.Items)
		case s.ServiceAccountToken != nil:
			err = c.tokenFile(f, s.ServiceAccountToken)
		default:
			err = unsupported("ACI cannot run pod %s/%s: a projected volume source the connector does not know.", c.pod.Namespace, c.pod.Name)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// tokenFile asks the API server for the pod's bound service-account token.
// ACI cannot refresh a file inside a running group, so the token is the one
// issued at creation (the API server extends kube-api-access tokens' life).
func (c *converter) tokenFile(f files, p *corev1.ServiceAccountTokenProjection) error {
	secs := int64(3600)
	if p.ExpirationSeconds != nil {
		secs = *p.ExpirationSeconds
	}
	tok, err := c.obj.ServiceAccountToken(c.ctx, c.pod, p.Audience, secs)
	if err != nil {
		return fmt.Errorf("the service account token of pod %s/%s: %v", c.pod.Namespace, c.pod.Name, err)
	}
	f[p.Path] = []byte(tok)
	return nil
}
