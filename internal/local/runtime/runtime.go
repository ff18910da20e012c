// Package runtime is what runs container groups for aci local: the Runtime
// interface the container-instance provider drives, the group spec it hands
// over, and the host-side volume preparation every runtime shares (confined to
// the group's directory). Implementations: runtime/docker and runtime/process.
package runtime

import (
	"context"
	"errors"
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
		// HostPath is the share's directory, resolved (and the key checked)
		// by the storage provider before the group runs.
		HostPath string
	}
}

// RegistryCredential lets a runtime pull from a private registry.
type RegistryCredential struct{ Server, Username, Password string }

// BuiltinHelloImage is the image name users know from the ACI quick starts; aci
// local serves it from its own image (or in-process without Docker).
const BuiltinHelloImage = "mcr.microsoft.com/azuredocs/aci-helloworld"

// IsHelloImage reports whether an image reference names the hello-world sample.
func IsHelloImage(ref string) bool {
	b, ok := BuiltinFor(ref)
	return ok && b.Tag == "helloworld"
}

// Builtin is a stand-in image built from aci-local's own binary: the images
// the ACI tutorials and the seed's templates name run offline as these.
type Builtin struct {
	Tag   string   // aci-local/<Tag>
	Names []string // what templates and users write (":latest" implied unless a tag is given)
	Entry []string // aci-local's arguments, or an absolute program and its arguments
}

// Builtins are the stand-in images.
var Builtins = []Builtin{
	{Tag: "helloworld", Names: []string{BuiltinHelloImage, "aci-local/helloworld", "microsoft/aci-helloworld"}, Entry: []string{"hello-server", "--port", "80"}},
	{Tag: "sidecar", Names: []string{"mcr.microsoft.com/azuredocs/aci-tutorial-sidecar", "microsoft/aci-tutorial-sidecar", "aci-local/sidecar"}, Entry: []string{"sidecar", "--url", "http://localhost/"}},
	{Tag: "hellofiles", Names: []string{"mcr.microsoft.com/azuredocs/aci-hellofiles", "seanmckenna/aci-hellofiles", "aci-local/hellofiles"}, Entry: []string{"hello-files", "--port", "80", "--dir", "/aci/logs"}},
	// Microsoft's busybox: a shell for command lines (Compose sidecars, the
	// hosts init container aci compose adds on Azure), from this machine's
	// static busybox.
	{Tag: "busybox", Names: []string{"mcr.microsoft.com/cbl-mariner/busybox:2.0", "aci-local/busybox"}, Entry: []string{"/bin/sh"}},
}

// StandIns names the images that run offline, for messages.
func StandIns() string {
	var names []string
	for _, b := range Builtins {
		names = append(names, b.Names[0])
	}
	return strings.Join(names, ", ")
}

// BuiltinFor finds the stand-in an image reference names.
func BuiltinFor(ref string) (Builtin, bool) {
	ref = strings.TrimSuffix(ref, ":latest")
	for _, b := range Builtins {
		for _, n := range b.Names {
			if ref == n {
				return b, true
			}
		}
	}
	return Builtin{}, false
}

// ErrNoContainer is a container whose runtime object does not exist (yet):
// its group is still being provisioned, or was stopped.
var ErrNoContainer = errors.New("the container has not been created")

// ErrImage is an image that cannot be had; the handler turns it into
// InaccessibleImage.
type ErrImage struct{ Image, Reason string }

func (e *ErrImage) Error() string { return e.Reason }

// TTYExecer runs a command with a terminal (the client has one): the
// program sees a TTY of rows x cols, echo and line editing are its own, and
// the output comes back as the terminal shows it.
type TTYExecer interface {
	ExecTTY(ctx context.Context, g *GroupSpec, container string, argv []string, rows, cols uint, stdin io.Reader, stdout io.Writer) (int, error)
}

// Builder builds images from a Docker build context and pushes them: what
// `acr build` runs. Only runtimes with an image builder (Docker) have one.
type Builder interface {
	// Build builds the gzipped or plain tar context with the Dockerfile at
	// dockerfile (a path inside the context) and tags it; the build's output
	// goes to out as text.
	Build(ctx context.Context, contextTar io.Reader, dockerfile string, tags []string, args map[string]*string, out io.Writer) error
	// HasImage reports whether the engine holds ref (a base image a build may use).
	HasImage(ctx context.Context, ref string) bool
	// Push pushes ref with the given credentials and returns its digest.
	Push(ctx context.Context, ref, username, password string, out io.Writer) (string, error)
}
