package local

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Runtime runs container groups. A group is a pod: its containers share one
// network namespace and the group's volumes, and its ports are published on the
// group's own loopback address.
type Runtime interface {
	Name() string
	// CheckImages fails with *ErrImage when an image cannot be had, before
	// anything is created.
	CheckImages(ctx context.Context, g *GroupSpec) error
	// Run creates and starts a group, reporting events as it goes.
	Run(ctx context.Context, g *GroupSpec, event EventFunc) error
	// Status reports every container's live state.
	Status(ctx context.Context, g *GroupSpec) (map[string]ContainerStatus, error)
	Stop(ctx context.Context, g *GroupSpec) error
	Start(ctx context.Context, g *GroupSpec, event EventFunc) error
	Restart(ctx context.Context, g *GroupSpec, event EventFunc) error
	Remove(ctx context.Context, g *GroupSpec) error
	Logs(ctx context.Context, g *GroupSpec, container string, tail int, timestamps bool) (string, error)
	// Exec runs argv in a container, wiring stdin/stdout, and returns its exit code.
	Exec(ctx context.Context, g *GroupSpec, container string, argv []string, stdin io.Reader, stdout io.Writer) (int, error)
	// Reconcile removes what belongs to no known group (orphans of a crash).
	Reconcile(ctx context.Context, known func(groupKey string) bool) error
	// AddressesInUse lists host addresses with published ports (of any owner),
	// so two aci local instances never hand out the same one.
	AddressesInUse(ctx context.Context) map[string]bool
}

// EventFunc records an instance-view event of a container ("" = the group).
type EventFunc func(container, name, message string)

// ContainerStatus is one container's live state.
type ContainerStatus struct {
	State        string // Waiting, Running, Terminated
	StartTime    time.Time
	FinishTime   time.Time
	ExitCode     *int
	RestartCount int
	DetailStatus string
}

// GroupSpec is what a runtime needs of a container group.
type GroupSpec struct {
	ID, Name, Location string
	Key                string // short stable id for runtime object names
	IP                 string // the group's loopback address
	RestartPolicy      string
	Ports              []Port
	Containers         []ContainerSpec
	InitContainers     []ContainerSpec
	Volumes            []VolumeSpec
	Registries         []RegistryCredential
	VolumeDir          string // where this group's host-side volume data lives
	// SecretDir holds secret volumes: on tmpfs (/dev/shm) where the host has
	// one, so secret contents never reach a disk; else VolumeDir.
	SecretDir string
}

// Port is a published port.
type Port struct {
	Port     int
	Protocol string
}

// ContainerSpec is one container.
type ContainerSpec struct {
	Name, Image string
	Command     []string
	Env         [][2]string
	CPU, Memory float64
	Ports       []Port
	Mounts      []Mount
}

// Mount is a volume mount.
type Mount struct {
	Volume, Path string
	ReadOnly     bool
}

// VolumeSpec is a group volume; Kind is emptyDir, secret, gitRepo or azureFile.
type VolumeSpec struct {
	Name, Kind string
	Secret     map[string][]byte
	GitRepo    struct{ Repository, Directory, Revision string }
	AzureFile  struct {
		ShareName, AccountName, AccountKey string
		ReadOnly                           bool
	}
}

// RegistryCredential lets a runtime pull from a private registry.
type RegistryCredential struct{ Server, Username, Password string }

// specFrom builds the runtime spec from the full (secret-bearing) request body.
func specFrom(id, name, key, ip, volumeDir string, full []byte) (*GroupSpec, error) {
	w, aerr := decodeGroup(full)
	if aerr != nil {
		return nil, aerr
	}
	if w.Properties == nil {
		return nil, errors.New("the container group has no properties")
	}
	p := w.Properties
	g := &GroupSpec{ID: id, Name: name, Key: key, IP: ip, Location: w.Location, RestartPolicy: p.RestartPolicy, VolumeDir: volumeDir}
	if g.RestartPolicy == "" {
		g.RestartPolicy = "Always"
	}
	if p.IPAddress != nil {
		for _, pt := range p.IPAddress.Ports {
			if pt != nil {
				g.Ports = append(g.Ports, Port{pt.Port, strings.ToUpper(orDefault(pt.Protocol, "TCP"))})
			}
		}
	}
	conv := func(cs []*containerBody) []ContainerSpec {
		var out []ContainerSpec
		for _, c := range cs {
			if c == nil || c.Properties == nil {
				continue
			}
			cp := c.Properties
			s := ContainerSpec{Name: c.Name, Image: cp.Image, Command: cp.Command}
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
					s.Ports = append(s.Ports, Port{pt.Port, strings.ToUpper(orDefault(pt.Protocol, "TCP"))})
				}
			}
			for _, m := range cp.VolumeMounts {
				if m != nil {
					s.Mounts = append(s.Mounts, Mount{m.Name, m.MountPath, m.ReadOnly})
				}
			}
			out = append(out, s)
		}
		return out
	}
	g.Containers = conv(p.Containers)
	g.InitContainers = conv(p.InitContainers)
	for _, v := range p.Volumes {
		if v == nil {
			continue
		}
		vs := VolumeSpec{Name: v.Name}
		switch {
		case v.Secret != nil:
			vs.Kind = "secret"
			vs.Secret = map[string][]byte{}
			for k, b64 := range v.Secret {
				b, err := base64.StdEncoding.DecodeString(b64)
				if err != nil {
					return nil, fmt.Errorf("secret volume '%s': the value of '%s' is not base64", v.Name, k)
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
		g.Volumes = append(g.Volumes, vs)
	}
	for _, r := range p.ImageRegistryCredentials {
		if r != nil {
			g.Registries = append(g.Registries, RegistryCredential{r.Server, r.Username, r.Password})
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

// BuiltinHelloImage is the image name users know from the ACI quick starts; aci
// local serves it from its own image (or in-process without Docker).
const BuiltinHelloImage = "mcr.microsoft.com/azuredocs/aci-helloworld"

// IsHelloImage reports whether an image reference names the hello-world sample.
func IsHelloImage(ref string) bool {
	ref = strings.TrimSuffix(ref, ":latest")
	return ref == BuiltinHelloImage || ref == "aci-local/helloworld"
}
