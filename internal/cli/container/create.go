package container

import (
	"context"
	"encoding/base64"
	"math"
	"strconv"
	"strings"

	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/shlex"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// CreateOptions are `container create`'s arguments (az 2.62's, plus --gpu-*).
type CreateOptions struct {
	deps
	target
	Location, Image, OSType, RestartPolicy, Protocol, IPAddress, DNSNameLabel, CommandLine string
	CPU, Memory                                                                            float64
	Ports, Env, SecureEnv, Secrets                                                         []string
	SecretsMountPath                                                                       string
	RegistryServer, RegistryUser, RegistryPassword, ACRIdentity                            string
	AzureFileShare, AzureFileAccount, AzureFileKey, AzureFileMountPath                     string
	GitRepoURL, GitRepoDir, GitRepoRevision, GitRepoMountPath                              string
	LogAnalyticsWorkspace, LogAnalyticsKey                                                 string
	VNet, Subnet, VNetPrefix, SubnetPrefix                                                 string
	AssignIdentity                                                                         []string
	Scope, Role, Zone, Priority, SKU, File                                                 string
	CCEPolicy, SeccompProfile, RunAsGroup, RunAsUser                                       string
	AddCapabilities, DropCapabilities                                                      []string
	Privileged, AllowEscalation                                                            bool
	GPUCount                                                                               int
	GPUSKU                                                                                 string
	NoWait                                                                                 bool
	assignIdentitySet                                                                      bool

	body map[string]any // the PUT body the flags make, built in RunE (not with --file)
}

func newCreate(f *cmdutil.Factory, runF func(*CreateOptions) error) *cobra.Command {
	return newCreateWith(depsOf(f), runF)
}

// newCreateWith is newCreate over d (tests give fakes).
func newCreateWith(d deps, runF func(*CreateOptions) error) *cobra.Command {
	f := d.f
	o := &CreateOptions{deps: d, target: newTarget()}
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a container group.",
		Example: `  # Create a container in a container group with 1 core and 1Gb of memory.
  aci container create -g MyResourceGroup --name myapp --image myimage:latest --cpu 1 --memory 1

  # Create a container with a public IP address, ports 80 and 443, and a DNS name label.
  aci container create -g MyResourceGroup --name myapp --image myimage:latest --ports 80 443 --dns-name-label contoso --ip-address Public

  # Create a container that runs a command once and stops (a job).
  aci container create -g MyResourceGroup --name run-once --image myimage --restart-policy Never --command-line "sh -c 'exit 3'"

  # Create a container with environment variables, one of them secure (never shown again).
  aci container create -g MyResourceGroup --name myapp --image myimage:latest -e key1=value1 key2=value2 --secure-environment-variables token=s3cret

  # Create a container from a private registry.
  aci container create -g MyResourceGroup --name myapp --image myregistry.azurecr.io/myimage:latest --registry-username username --registry-password password

  # Create a container that mounts an Azure File share as a volume (the key is looked up when left out).
  aci container create -g MyResourceGroup --name myapp --image myimage:latest --command-line "cat /mnt/azfile/myfile" --azure-file-volume-share-name myshare --azure-file-volume-account-name mystorageaccount --azure-file-volume-mount-path /mnt/azfile

  # Create a container that mounts a git repository as a volume.
  aci container create -g MyResourceGroup --name myapp --image myimage:latest --gitrepo-url https://github.com/user/myrepo.git --gitrepo-dir ./dir1 --gitrepo-mount-path /mnt/gitrepo

  # Create a container group from a YAML file (the format 'container export' writes).
  aci container create -g MyResourceGroup -f group.yaml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.assignIdentitySet = cmd.Flags().Changed("assign-identity")
			if err := o.target.Resolve(f, false); err != nil {
				return err
			}
			if o.File == "" {
				var err error
				if o.body, err = buildBody(f, cmd, o); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(o)
			}
			return createRun(o)
		},
	}
	o.target.Flags(cmd)
	o.containerFlags(cmd.Flags())
	o.groupFlags(cmd.Flags())
	// az's argument groups, and what it marks [Required].
	cmdutil.Required(cmd, "resource-group", "name")
	cmdutil.ArgGroup(cmd, "Azure File Volume", "azure-file-volume-account-key", "azure-file-volume-account-name", "azure-file-volume-mount-path", "azure-file-volume-share-name")
	cmdutil.ArgGroup(cmd, "Confidential Container Group", "add-capabilities", "allow-escalation", "cce-policy", "drop-capabilities", "privileged", "run-as-group", "run-as-user", "seccomp-profile")
	cmdutil.ArgGroup(cmd, "Git Repo Volume", "gitrepo-dir", "gitrepo-mount-path", "gitrepo-revision", "gitrepo-url")
	cmdutil.ArgGroup(cmd, "Image Registry", "acr-identity", "registry-login-server", "registry-password", "registry-username")
	cmdutil.ArgGroup(cmd, "Log Analytics", "log-analytics-workspace", "log-analytics-workspace-key")
	cmdutil.ArgGroup(cmd, "Managed Service Identity", "assign-identity", "role", "scope")
	cmdutil.ArgGroup(cmd, "Network", "subnet", "subnet-address-prefix", "vnet", "vnet-address-prefix")
	cmdutil.ArgGroup(cmd, "GPU (aci only)", "gpu-count", "gpu-sku")
	for _, n := range []string{"ports", "environment-variables", "secure-environment-variables", "secrets", "assign-identity", "add-capabilities", "drop-capabilities"} {
		cmdutil.NArgs(cmd, n)
	}
	return cmd
}

// containerFlags are the flags that shape the container: image, resources,
// ports, environment, command and registry.
func (o *CreateOptions) containerFlags(fl *pflag.FlagSet) {
	fl.StringVarP(&o.Location, "location", "l", "", "Location. Values from: 'aci account list-locations'. Defaults to the resource group's.")
	fl.StringVar(&o.Image, "image", "", "The container image name.")
	fl.Float64Var(&o.CPU, "cpu", 1, "The required number of CPU cores of the containers, accurate to one decimal place.")
	fl.Float64Var(&o.Memory, "memory", 1.5, "The required memory of the containers in GB, accurate to one decimal place.")
	fl.StringVar(&o.OSType, "os-type", "Linux", "The OS type of the containers. Allowed values: Windows, Linux.")
	fl.StringVar(&o.RestartPolicy, "restart-policy", "Always", "Restart policy for all containers within the container group. Allowed values: Always, OnFailure, Never.")
	// Ports and identity ids never hold a comma: these lists also take
	// comma-separated values. The others (environment, secrets, tags) keep
	// commas inside values, as az does.
	fl.StringSliceVar(&o.Ports, "ports", []string{"80"}, "A list of ports to open. Space-separated list of ports.")
	fl.StringVar(&o.Protocol, "protocol", "", "The network protocol to use. Allowed values: TCP, UDP.")
	fl.StringVar(&o.IPAddress, "ip-address", "", "The IP address type of the container group. Allowed values: Public, Private.")
	fl.StringVar(&o.DNSNameLabel, "dns-name-label", "", "The dns name label for container group with public IP.")
	fl.StringArrayVarP(&o.Env, "environment-variables", "e", nil, "A list of environment variable for the container. Space-separated values in 'key=value' format.")
	fl.StringArrayVar(&o.SecureEnv, "secure-environment-variables", nil, "A list of secure environment variable for the container. Space-separated values in 'key=value' format.")
	fl.StringVar(&o.CommandLine, "command-line", "", "The command line to run when the container is started, e.g. '/bin/bash -c myscript.sh'.")
	fl.StringArrayVar(&o.Secrets, "secrets", nil, "Space-separated secrets in 'key=value' format.")
	fl.StringVar(&o.SecretsMountPath, "secrets-mount-path", "", "The path within the container where the secrets volume should be mounted. Must not contain colon ':'.")
	fl.StringVar(&o.RegistryServer, "registry-login-server", "", "The container image registry login server.")
	fl.StringVar(&o.RegistryUser, "registry-username", "", "The username to log in container image registry server.")
	fl.StringVar(&o.RegistryPassword, "registry-password", "", "The password to log in container image registry server.")
	fl.StringVar(&o.ACRIdentity, "acr-identity", "", "The identity with access to the container registry.")
}

// groupFlags are the flags that shape the group around it: volumes,
// logging, network, identity, placement and security.
func (o *CreateOptions) groupFlags(fl *pflag.FlagSet) {
	fl.StringVar(&o.AzureFileShare, "azure-file-volume-share-name", "", "The name of the Azure File share to be mounted as a volume.")
	fl.StringVar(&o.AzureFileAccount, "azure-file-volume-account-name", "", "The name of the storage account that contains the Azure File share.")
	fl.StringVar(&o.AzureFileKey, "azure-file-volume-account-key", "", "The storage account access key used to access the Azure File share.")
	fl.StringVar(&o.AzureFileMountPath, "azure-file-volume-mount-path", "", "The path within the container where the azure file volume should be mounted. Must not contain colon ':'.")
	fl.StringVar(&o.GitRepoURL, "gitrepo-url", "", "The URL of a git repository to be mounted as a volume.")
	fl.StringVar(&o.GitRepoDir, "gitrepo-dir", ".", "The target directory path in the git repository. Must not contain '..'.")
	fl.StringVar(&o.GitRepoRevision, "gitrepo-revision", "", "The commit hash for the specified revision.")
	fl.StringVar(&o.GitRepoMountPath, "gitrepo-mount-path", "", "The path within the container where the git repo volume should be mounted. Must not contain colon ':'.")
	fl.StringVar(&o.LogAnalyticsWorkspace, "log-analytics-workspace", "", "The Log Analytics workspace id.")
	fl.StringVar(&o.LogAnalyticsKey, "log-analytics-workspace-key", "", "The Log Analytics workspace key.")
	fl.StringVar(&o.VNet, "vnet", "", "The name of the VNET (an existing subnet's resource id can be given as --subnet instead).")
	fl.StringVar(&o.Subnet, "subnet", "", "The subnet: its resource id, or its name with --vnet.")
	fl.StringVar(&o.VNetPrefix, "vnet-address-prefix", "10.0.0.0/16", "The IP address prefix to use when creating a new VNET in CIDR format.")
	fl.StringVar(&o.SubnetPrefix, "subnet-address-prefix", "10.0.0.0/24", "The subnet IP address prefix to use when creating a new VNET in CIDR format.")
	fl.StringSliceVar(&o.AssignIdentity, "assign-identity", nil, "Space-separated list of assigned identities: user assigned identity resource ids and/or '[system]'.")
	fl.Lookup("assign-identity").NoOptDefVal = "[system]"
	fl.StringVar(&o.Scope, "scope", "", "Scope that the system assigned identity can access.")
	fl.StringVar(&o.Role, "role", "Contributor", "Role name or id the system assigned identity will have.")
	fl.StringVar(&o.Zone, "zone", "", "The zone to place the container group.")
	fl.StringVar(&o.Priority, "priority", "", "The priority of the container group (Regular, Spot).")
	fl.StringVar(&o.SKU, "sku", "", "The SKU of the container group (Standard, Confidential, Dedicated).")
	fl.StringVar(&o.CCEPolicy, "cce-policy", "", "The CCE policy for the confidential container group.")
	fl.BoolVar(&o.Privileged, "privileged", false, "The flag to determine if the container permissions is elevated to Privileged.")
	fl.BoolVar(&o.AllowEscalation, "allow-escalation", false, "Allow whether a process can gain more privileges than its parent process.")
	fl.StringArrayVar(&o.AddCapabilities, "add-capabilities", nil, "A List of security context capabilities to be added.")
	fl.StringArrayVar(&o.DropCapabilities, "drop-capabilities", nil, "A List of security context capabilities to be dropped.")
	// az's help swaps the two (GID for --run-as-user); this is what they do.
	fl.StringVar(&o.RunAsGroup, "run-as-group", "", "Set the group ID (GID) the container runs as.")
	fl.StringVar(&o.RunAsUser, "run-as-user", "", "Set the user ID (UID) the container runs as.")
	fl.StringVar(&o.SeccompProfile, "seccomp-profile", "", "A base64 encoded string containing the contents of the JSON in the seccomp profile.")
	fl.IntVar(&o.GPUCount, "gpu-count", 0, "The number of GPUs of the container (aci only; az needs --file for this).")
	fl.StringVar(&o.GPUSKU, "gpu-sku", "", "The GPU SKU: K80, P100 or V100 (with --gpu-count).")
	fl.StringVarP(&o.File, "file", "f", "", "The path to the input file (YAML, ${VAR} expanded from the environment).")
	fl.BoolVar(&o.NoWait, "no-wait", false, "Do not wait for the long-running operation to finish.")
}

// createRun PUTs the group the flags (or --file) describe, in the resource
// group's location unless one was given, and prints it unless --no-wait.
func createRun(o *CreateOptions) error {
	f := o.f
	if o.File != "" {
		return createFromFile(o)
	}
	body := o.body
	svc, err := o.Service()
	if err != nil {
		return err
	}
	if o.Location == "" {
		if o.Location, err = o.deps.Location(f.Context(), o.Group); err != nil {
			return err
		}
	}
	body["location"] = o.Location
	sp := f.StartSpinner("Running")
	res, err := svc.CreateOrUpdate(f.Context(), o.Group, o.Name, "", body, !o.NoWait, nil)
	sp.Stop()
	if err != nil || o.NoWait {
		return err
	}
	return f.Print(Shape(res), printOpts)
}

// GroupLocation is a resource group's location: where a group goes when
// no --location is given, as az does.
func GroupLocation(f *cmdutil.Factory, rg string) (string, error) { return groupLocation(f, rg) }

func groupLocation(f *cmdutil.Factory, rg string) (string, error) {
	c, err := f.ARM()
	if err != nil {
		return "", err
	}
	svc, err := c.ResourceGroups()
	if err != nil {
		return "", err
	}
	g, err := svc.Get(f.Context(), rg)
	if err != nil {
		return "", err
	}
	loc, _ := g["location"].(string)
	return loc, nil
}

var longRunningImages = map[string]bool{"alpine": true, "busybox": true, "ubuntu": true, "node": true, "golang": true,
	"centos": true, "python": true, "php": true}

// buildBody turns the flags into the PUT body exactly as az's create_container does.
func buildBody(f *cmdutil.Factory, cmd *cobra.Command, o *CreateOptions) (map[string]any, error) {
	if err := o.check(f, cmd); err != nil {
		return nil, err
	}
	ports, err := o.portList()
	if err != nil {
		return nil, err
	}
	cprops, err := o.containerProps(cmd)
	if err != nil {
		return nil, err
	}
	props := map[string]any{"osType": o.OSType, "restartPolicy": o.RestartPolicy}
	creds, err := registryCredentials(f, o)
	if err != nil {
		return nil, err
	}
	if creds != nil {
		props["imageRegistryCredentials"] = creds
	}
	volumes, mounts, err := o.volumes(f, o.accountKey(f))
	if err != nil {
		return nil, err
	}
	if len(mounts) > 0 {
		cprops["volumeMounts"] = mounts
		props["volumes"] = volumes
	}
	if err := o.network(props, cprops, ports); err != nil {
		return nil, err
	}
	props["containers"] = []any{map[string]any{"name": o.Name, "properties": cprops}}
	if o.Priority != "" {
		props["priority"] = o.Priority
	}
	if o.SKU != "" {
		props["sku"] = o.SKU
	}
	if strings.EqualFold(o.SKU, "Confidential") {
		if err := o.confidential(props, cprops); err != nil {
			return nil, err
		}
	}
	body := map[string]any{"properties": props, "tags": map[string]any{}}
	if o.Zone != "" {
		body["zones"] = []any{o.Zone}
	}
	return body, o.identity(body)
}

// check normalises the choices and refuses what az refuses before it
// builds anything.
func (o *CreateOptions) check(f *cmdutil.Factory, cmd *cobra.Command) error {
	if o.Name == "" {
		return cmdutil.Fail("error: the --name/-n argument is required unless specified with a passed in file.")
	}
	if o.Image == "" {
		return cmdutil.Fail("error: the --image argument is required unless specified with a passed in file.")
	}
	if o.Protocol == "" {
		o.Protocol = "TCP"
	}
	for _, c := range []struct {
		flag    string
		v       *string
		allowed []string
	}{
		{"--os-type", &o.OSType, []string{"Windows", "Linux"}},
		{"--restart-policy", &o.RestartPolicy, []string{"Always", "OnFailure", "Never"}},
		{"--protocol", &o.Protocol, []string{"TCP", "UDP"}},
		{"--ip-address", &o.IPAddress, []string{"Public", "Private"}},
	} {
		if err := choose(cmd, c.flag, c.v, c.allowed...); err != nil {
			return err
		}
	}
	if base := strings.SplitN(o.Image, ":", 2)[0]; longRunningImages[base] && o.CommandLine == "" {
		f.Warn(`Image "%s" has no long running process. The "--command-line" argument must be used to start a long running process inside the container for the container group to stay running. Ex: "tail -f /dev/null" For more imformation visit https://aka.ms/aci/troubleshoot`, o.Image)
	}
	for _, p := range []string{o.AzureFileMountPath, o.SecretsMountPath, o.GitRepoMountPath} {
		if strings.Contains(p, ":") {
			return cmdutil.UsageError("The volume mount path cannot contain ':'")
		}
	}
	if strings.Contains(o.GitRepoDir, "..") {
		return cmdutil.UsageError("The git repo directory cannot contain '..'")
	}
	if !(o.CPU > 0) || !(o.Memory > 0) || math.IsInf(o.CPU, 0) || math.IsInf(o.Memory, 0) {
		return cmdutil.UsageError("--cpu and --memory must be numbers greater than 0.")
	}
	if o.GPUCount < 0 {
		return cmdutil.UsageError("--gpu-count must not be negative.")
	}
	if err := choose(cmd, "--sku", &o.SKU, "Confidential", "Dedicated", "Standard"); err != nil {
		return err
	}
	return choose(cmd, "--priority", &o.Priority, "Regular", "Spot")
}

// choose normalises an optional choice flag's value in place.
func choose(cmd *cobra.Command, flag string, v *string, allowed ...string) error {
	if *v == "" {
		return nil
	}
	c, err := cmdutil.Choice(cmd, flag, *v, allowed...)
	*v = c
	return err
}

func (o *CreateOptions) portList() ([]any, error) {
	var ports []any
	for _, p := range o.Ports {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, cmdutil.UsageError("argument --ports: invalid int value: '%s'", p)
		}
		ports = append(ports, map[string]any{"protocol": o.Protocol, "port": n})
	}
	return ports, nil
}

// containerProps are the container's image, resources, environment and
// command.
func (o *CreateOptions) containerProps(cmd *cobra.Command) (map[string]any, error) {
	env := []any{}
	for _, set := range []struct {
		items []string
		key   string
		what  string
	}{{o.Env, "value", "environment"}, {o.SecureEnv, "secureValue", "secure environment"}} {
		for _, e := range set.items {
			k, v, ok := strings.Cut(e, "=")
			if !ok {
				return nil, cmdutil.Fail("Incorrectly formatted %s settings. Argument values should be in the format a=b c=d", set.what)
			}
			env = append(env, map[string]any{"name": k, set.key: v})
		}
	}
	requests := map[string]any{"memoryInGB": o.Memory, "cpu": o.CPU}
	if o.GPUCount > 0 {
		if o.GPUSKU == "" {
			return nil, cmdutil.UsageError("--gpu-count needs --gpu-sku (K80, P100 or V100).")
		}
		sku, err := cmdutil.Choice(cmd, "--gpu-sku", o.GPUSKU, "K80", "P100", "V100")
		if err != nil {
			return nil, err
		}
		requests["gpu"] = map[string]any{"count": o.GPUCount, "sku": sku}
	}
	cprops := map[string]any{"image": o.Image, "resources": map[string]any{"requests": requests}}
	if len(env) > 0 {
		cprops["environmentVariables"] = env
	}
	if o.CommandLine != "" {
		argv, err := shlex.Split(o.CommandLine)
		if err != nil {
			return nil, cmdutil.UsageError("--command-line: %v", err)
		}
		cprops["command"] = argv
	}
	return cprops, nil
}

// volumes are the Azure File, secrets and git repo volumes the flags ask
// for, with their mounts.
// accountKey is the deps' key lookup, or the factory's when none is set.
func (o *CreateOptions) accountKey(f *cmdutil.Factory) func(context.Context, string) (string, error) {
	if o.AccountKey != nil {
		return o.AccountKey
	}
	return func(_ context.Context, account string) (string, error) { return storageAccountKey(f, account) }
}

func (o *CreateOptions) volumes(f *cmdutil.Factory, key func(context.Context, string) (string, error)) (volumes, mounts []any, err error) {
	add := func(name, mountPath string, vol map[string]any) {
		volumes = append(volumes, vol)
		mounts = append(mounts, map[string]any{"name": name, "mountPath": mountPath})
	}
	if o.AzureFileShare != "" || o.AzureFileMountPath != "" {
		vol, err := o.azureFileVolume(f, key)
		if err != nil {
			return nil, nil, err
		}
		add("azurefile", o.AzureFileMountPath, vol)
	}
	if len(o.Secrets) > 0 || o.SecretsMountPath != "" {
		if len(o.Secrets) == 0 || o.SecretsMountPath == "" {
			return nil, nil, cmdutil.Fail("Please specify --secrets --secrets-mount-path to enable secrets volume mount.")
		}
		sec := map[string]any{}
		for _, s := range o.Secrets {
			k, v, ok := strings.Cut(s, "=")
			if !ok {
				return nil, nil, cmdutil.UsageError("Secrets need to be specifed in key=value format.")
			}
			sec[k] = base64.StdEncoding.EncodeToString([]byte(v))
		}
		add("secrets", o.SecretsMountPath, map[string]any{"name": "secrets", "secret": sec})
	}
	if o.GitRepoURL != "" || o.GitRepoMountPath != "" {
		if o.GitRepoURL == "" || o.GitRepoMountPath == "" {
			return nil, nil, cmdutil.Fail("Please specify --gitrepo-url (--gitrepo-dir --gitrepo-revision) to enable Git Repo volume mount.")
		}
		g := map[string]any{"repository": o.GitRepoURL, "directory": o.GitRepoDir}
		if o.GitRepoRevision != "" {
			g["revision"] = o.GitRepoRevision
		}
		add("gitrepo", o.GitRepoMountPath, map[string]any{"name": "gitrepo", "gitRepo": g})
	}
	return volumes, mounts, nil
}

func (o *CreateOptions) azureFileVolume(f *cmdutil.Factory, key func(context.Context, string) (string, error)) (map[string]any, error) {
	if o.AzureFileShare == "" || o.AzureFileMountPath == "" {
		return nil, cmdutil.Fail("Please specify --azure-file-volume-share-name --azure-file-volume-account-name --azure-file-volume-account-key to enable Azure File volume mount.")
	}
	if o.AzureFileAccount == "" {
		return nil, cmdutil.Fail("Please specify --azure-file-volume-account-name in order to use Azure File volume.")
	}
	af := map[string]any{"shareName": o.AzureFileShare, "storageAccountName": o.AzureFileAccount, "storageAccountKey": o.AzureFileKey}
	vol := map[string]any{"name": "azurefile", "azureFile": af}
	if o.AzureFileKey == "" {
		// az prompts for the key; aci asks ARM for it, as `aci storage` does.
		if err := fillAzureFileKeys(f, key, []any{vol}); err != nil {
			return nil, err
		}
	}
	return vol, nil
}

// network sets diagnostics, the subnet and the IP address.
func (o *CreateOptions) network(props, cprops map[string]any, ports []any) error {
	switch {
	case o.LogAnalyticsKey != "" && o.LogAnalyticsWorkspace == "":
		return cmdutil.Fail(`"--log-analytics-workspace-key" requires "--log-analytics-workspace".`)
	case o.LogAnalyticsWorkspace != "" && o.LogAnalyticsKey == "":
		return cmdutil.Fail("Looking up a Log Analytics workspace by name is not supported yet: pass its id as --log-analytics-workspace and --log-analytics-workspace-key.")
	case o.LogAnalyticsWorkspace != "":
		props["diagnostics"] = map[string]any{"logAnalytics": map[string]any{"workspaceId": o.LogAnalyticsWorkspace, "workspaceKey": o.LogAnalyticsKey}}
	}
	if o.VNet != "" && o.Subnet == "" || (o.Subnet != "" && !strings.HasPrefix(o.Subnet, "/") && o.VNet == "") {
		return cmdutil.UsageError("usage error: --vnet NAME --subnet NAME | --vnet ID --subnet NAME | --subnet ID")
	}
	if o.Subnet != "" {
		if strings.EqualFold(o.IPAddress, "Public") {
			return cmdutil.Fail(`Can not use "--subnet" or "--vnet" with IP address type "Public".`)
		}
		if o.DNSNameLabel != "" {
			return cmdutil.Fail(`Can not use "--subnet" or "--vnet" with "--dns-name-label".`)
		}
		if !strings.HasPrefix(o.Subnet, "/") {
			return cmdutil.Fail("Creating or looking up virtual networks is not supported yet: pass an existing subnet's resource id as --subnet.")
		}
		props["subnetIds"] = []any{map[string]any{"id": o.Subnet}}
	}
	switch {
	case strings.EqualFold(o.IPAddress, "Public") || o.DNSNameLabel != "":
		ip := map[string]any{"ports": ports, "type": "Public", "autoGeneratedDomainNameLabelScope": "Unsecure"}
		if o.DNSNameLabel != "" {
			ip["dnsNameLabel"] = o.DNSNameLabel
		}
		props["ipAddress"] = ip
		cprops["ports"] = ports
	case o.Subnet != "":
		props["ipAddress"] = map[string]any{"ports": ports, "type": "Private", "autoGeneratedDomainNameLabelScope": "Unsecure"}
		cprops["ports"] = ports
	}
	return nil
}

// confidential sets what az applies only to confidential groups: the CCE
// policy and the container's security context.
func (o *CreateOptions) confidential(props, cprops map[string]any) error {
	if o.CCEPolicy != "" {
		props["confidentialComputeProperties"] = map[string]any{"ccePolicy": o.CCEPolicy}
	}
	sc := map[string]any{}
	if o.Privileged {
		sc["privileged"] = true
	}
	if o.AllowEscalation {
		sc["allowPrivilegeEscalation"] = true
	}
	if len(o.AddCapabilities) > 0 || len(o.DropCapabilities) > 0 {
		sc["capabilities"] = map[string]any{"add": o.AddCapabilities, "drop": o.DropCapabilities}
	}
	for _, id := range []struct{ key, flag, v string }{{"runAsGroup", "run-as-group", o.RunAsGroup}, {"runAsUser", "run-as-user", o.RunAsUser}} {
		if id.v != "" {
			n, err := strconv.Atoi(id.v)
			if err != nil {
				return cmdutil.UsageError("argument --%s: invalid int value: '%s'", id.flag, id.v)
			}
			sc[id.key] = n
		}
	}
	if o.SeccompProfile != "" {
		sc["seccompProfile"] = o.SeccompProfile
	}
	if len(sc) > 0 {
		cprops["securityContext"] = sc
	}
	return nil
}

// identity sets the managed identities --assign-identity asks for.
func (o *CreateOptions) identity(body map[string]any) error {
	if o.Scope != "" || (o.Role != "Contributor" && o.Role != "") {
		if !o.assignIdentitySet {
			return cmdutil.Fail("usage error: --assign-identity [--scope SCOPE] [--role ROLE]")
		}
		if o.Scope == "" {
			return cmdutil.Fail("usage error: '--role %s' is not applicable as the '--scope' is not provided", o.Role)
		}
		return cmdutil.Fail("--scope (a role assignment for the group's identity) is not supported yet; assign the role after creation.")
	}
	if !o.assignIdentitySet {
		return nil
	}
	id := map[string]any{}
	system := len(o.AssignIdentity) == 0
	users := map[string]any{}
	for _, a := range o.AssignIdentity {
		if a == "[system]" {
			system = true
		} else {
			users[a] = map[string]any{}
		}
	}
	switch {
	case system && len(users) > 0:
		id["type"] = "SystemAssigned, UserAssigned"
	case system:
		id["type"] = "SystemAssigned"
	default:
		id["type"] = "UserAssigned"
	}
	if len(users) > 0 {
		id["userAssignedIdentities"] = users
	}
	body["identity"] = id
	return nil
}

// registryCredentials follows az's _create_image_registry_credentials.
func registryCredentials(f *cmdutil.Factory, o *CreateOptions) ([]any, error) {
	server := o.RegistryServer
	first := strings.SplitN(o.Image, "/", 2)[0]
	if o.ACRIdentity != "" {
		if server == "" {
			if !strings.Contains(first, ".azurecr.io") {
				return nil, cmdutil.Fail("Failed to parse login server from image name; please explicitly specify --registry-server.")
			}
			server = first
		}
		return []any{map[string]any{"server": server, "identity": o.ACRIdentity}}, nil
	}
	if server != "" {
		if o.RegistryUser == "" {
			return nil, cmdutil.Fail("Please specify --registry-username in order to use custom image registry.")
		}
		if o.RegistryPassword == "" {
			return nil, cmdutil.Fail("Please specify --registry-password in order to use custom image registry.")
		}
	} else if strings.Contains(first, ".azurecr.io") {
		if o.RegistryUser == "" {
			return nil, cmdutil.Fail("Please specify --registry-username in order to use Azure Container Registry.")
		}
		if o.RegistryPassword == "" {
			return nil, cmdutil.Fail("Please specify --registry-password in order to use Azure Container Registry.")
		}
		server = first
	} else if o.RegistryUser != "" && o.RegistryPassword != "" && strings.Contains(first, ".") {
		server = first
	}
	if server == "" || o.RegistryUser == "" {
		return nil, nil
	}
	return []any{map[string]any{"server": server, "username": o.RegistryUser, "password": o.RegistryPassword}}, nil
}
