// Package model is the container-group document aci compose deploys, and
// the request and answer by which aci has a Compose project converted. It
// holds no Compose parser: aci links it, while the parser (compose-go, whose
// JSON-schema package costs milliseconds of start-up) runs in the aci-local
// helper, off the start-up path of every other command.
package model

// The container-group document, in the shape `aci container create --file`
// reads (az's YAML: the ARM resource with apiVersion, name and type). Field
// order is the order convert prints.

// APIVersion is the ACI api-version compose deploys with.
const APIVersion = "2023-05-01"

// Group is one container group.
type Group struct {
	APIVersion string            `yaml:"apiVersion" json:"apiVersion"`
	Name       string            `yaml:"name" json:"name"`
	Type       string            `yaml:"type" json:"type"`
	Location   string            `yaml:"location,omitempty" json:"location,omitempty"`
	Tags       map[string]string `yaml:"tags,omitempty" json:"tags,omitempty"`
	Properties GroupProperties   `yaml:"properties" json:"properties"`
}

// GroupProperties are the group's properties.
type GroupProperties struct {
	Containers               []Container          `yaml:"containers" json:"containers"`
	InitContainers           []InitContainer      `yaml:"initContainers,omitempty" json:"initContainers,omitempty"`
	OSType                   string               `yaml:"osType" json:"osType"`
	RestartPolicy            string               `yaml:"restartPolicy" json:"restartPolicy"`
	IPAddress                *IPAddress           `yaml:"ipAddress,omitempty" json:"ipAddress,omitempty"`
	Volumes                  []Volume             `yaml:"volumes,omitempty" json:"volumes,omitempty"`
	ImageRegistryCredentials []RegistryCredential `yaml:"imageRegistryCredentials,omitempty" json:"imageRegistryCredentials,omitempty"`
}

// Container is one service.
type Container struct {
	Name       string              `yaml:"name" json:"name"`
	Properties ContainerProperties `yaml:"properties" json:"properties"`
}

// ContainerProperties are a container's properties.
type ContainerProperties struct {
	Image                string        `yaml:"image" json:"image"`
	Command              []string      `yaml:"command,omitempty" json:"command,omitempty"`
	Ports                []Port        `yaml:"ports,omitempty" json:"ports,omitempty"`
	EnvironmentVariables []EnvVar      `yaml:"environmentVariables,omitempty" json:"environmentVariables,omitempty"`
	Resources            Resources     `yaml:"resources" json:"resources"`
	VolumeMounts         []VolumeMount `yaml:"volumeMounts,omitempty" json:"volumeMounts,omitempty"`
	LivenessProbe        *Probe        `yaml:"livenessProbe,omitempty" json:"livenessProbe,omitempty"`
	ReadinessProbe       *Probe        `yaml:"readinessProbe,omitempty" json:"readinessProbe,omitempty"`
}

// InitContainer runs to completion before the containers start.
type InitContainer struct {
	Name       string                  `yaml:"name" json:"name"`
	Properties InitContainerProperties `yaml:"properties" json:"properties"`
}

// InitContainerProperties are an init container's properties.
type InitContainerProperties struct {
	Image   string   `yaml:"image" json:"image"`
	Command []string `yaml:"command,omitempty" json:"command,omitempty"`
}

// Resources are a container's requests and limits.
type Resources struct {
	Requests ResourceSpec  `yaml:"requests" json:"requests"`
	Limits   *ResourceSpec `yaml:"limits,omitempty" json:"limits,omitempty"`
}

// ResourceSpec is CPU, memory and GPU.
type ResourceSpec struct {
	CPU        float64 `yaml:"cpu" json:"cpu"`
	MemoryInGB float64 `yaml:"memoryInGB" json:"memoryInGB"`
	GPU        *GPU    `yaml:"gpu,omitempty" json:"gpu,omitempty"`
}

// GPU is a GPU request.
type GPU struct {
	Count int    `yaml:"count" json:"count"`
	SKU   string `yaml:"sku" json:"sku"`
}

// Port is a port and its protocol.
type Port struct {
	Port     int    `yaml:"port" json:"port"`
	Protocol string `yaml:"protocol,omitempty" json:"protocol,omitempty"`
}

// EnvVar is an environment variable.
type EnvVar struct {
	Name  string `yaml:"name" json:"name"`
	Value string `yaml:"value" json:"value"`
}

// VolumeMount mounts a group volume into a container.
type VolumeMount struct {
	Name      string `yaml:"name" json:"name"`
	MountPath string `yaml:"mountPath" json:"mountPath"`
	ReadOnly  bool   `yaml:"readOnly,omitempty" json:"readOnly,omitempty"`
}

// Probe is a liveness or readiness probe.
type Probe struct {
	Exec                *ExecProbe `yaml:"exec,omitempty" json:"exec,omitempty"`
	HTTPGet             *HTTPGet   `yaml:"httpGet,omitempty" json:"httpGet,omitempty"`
	InitialDelaySeconds int        `yaml:"initialDelaySeconds,omitempty" json:"initialDelaySeconds,omitempty"`
	PeriodSeconds       int        `yaml:"periodSeconds,omitempty" json:"periodSeconds,omitempty"`
	TimeoutSeconds      int        `yaml:"timeoutSeconds,omitempty" json:"timeoutSeconds,omitempty"`
	FailureThreshold    int        `yaml:"failureThreshold,omitempty" json:"failureThreshold,omitempty"`
	SuccessThreshold    int        `yaml:"successThreshold,omitempty" json:"successThreshold,omitempty"`
}

// ExecProbe runs a command.
type ExecProbe struct {
	Command []string `yaml:"command" json:"command"`
}

// HTTPGet requests a path.
type HTTPGet struct {
	Path   string `yaml:"path,omitempty" json:"path,omitempty"`
	Port   int    `yaml:"port" json:"port"`
	Scheme string `yaml:"scheme,omitempty" json:"scheme,omitempty"`
}

// IPAddress is the group's public address.
type IPAddress struct {
	Type         string `yaml:"type" json:"type"`
	Ports        []Port `yaml:"ports" json:"ports"`
	DNSNameLabel string `yaml:"dnsNameLabel,omitempty" json:"dnsNameLabel,omitempty"`
}

// Volume is a group volume.
type Volume struct {
	Name      string            `yaml:"name" json:"name"`
	AzureFile *AzureFile        `yaml:"azureFile,omitempty" json:"azureFile,omitempty"`
	EmptyDir  *struct{}         `yaml:"emptyDir,omitempty" json:"emptyDir,omitempty"`
	Secret    map[string]string `yaml:"secret,omitempty" json:"secret,omitempty"`
}

// AzureFile is an Azure file share volume.
type AzureFile struct {
	ShareName          string `yaml:"shareName" json:"shareName"`
	StorageAccountName string `yaml:"storageAccountName" json:"storageAccountName"`
	StorageAccountKey  string `yaml:"storageAccountKey,omitempty" json:"storageAccountKey,omitempty"`
	ReadOnly           bool   `yaml:"readOnly,omitempty" json:"readOnly,omitempty"`
}

// RegistryCredential is a private registry's login.
type RegistryCredential struct {
	Server   string `yaml:"server" json:"server"`
	Username string `yaml:"username" json:"username"`
	Password string `yaml:"password" json:"password"`
}

// ProjectTag marks the resources compose creates with their project.
const ProjectTag = "aci-compose-project"

// ShareMetadataKey marks a share compose created (share metadata keys are
// C# identifiers: no dashes).
const ShareMetadataKey = "acicomposeproject"

// Share is a file share a named volume needs.
type Share struct {
	Volume   string `json:"volume"` // the Compose volume's key
	Account  string `json:"account"`
	Name     string `json:"name"`
	External bool   `json:"external,omitempty"` // declared external: used as is, never created or deleted
}

// Result is a converted project.
type Result struct {
	Project string  `json:"project"`
	Group   *Group  `json:"group"`
	Shares  []Share `json:"shares,omitempty"`
	// Registries are the registries of the images (other than Docker Hub's
	// and Microsoft's), whose credentials the caller looks up.
	Registries []string `json:"registries,omitempty"`
}

// Request asks the helper to load a project and convert it (Op "convert")
// or print it resolved (Op "config", Format yaml or json).
type Request struct {
	Op               string   `json:"op"`
	Files            []string `json:"files,omitempty"`
	Project          string   `json:"project,omitempty"`
	WorkDir          string   `json:"workDir,omitempty"`
	Profiles         []string `json:"profiles,omitempty"`
	EnvFiles         []string `json:"envFiles,omitempty"`
	Format           string   `json:"format,omitempty"`
	Location         string   `json:"location,omitempty"`
	AllowUnsupported bool     `json:"allowUnsupported,omitempty"`
	HostsInit        bool     `json:"hostsInit,omitempty"`
}

// Response is the helper's answer: a result or the resolved file, the
// warnings, or the one-line error.
type Response struct {
	Result   *Result  `json:"result,omitempty"`
	Config   string   `json:"config,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
	Error    string   `json:"error,omitempty"`
}
