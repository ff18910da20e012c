// Package compose implements `aci compose`: a Compose project deployed as one
// container group (internal/compose converts; this package loads, deploys,
// inspects and removes), on Azure and on aci local.
package compose

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/cli/container"
	"github.com/aci-cli/aci/internal/compose"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"
)

// Storage is what compose needs of Microsoft.Storage.
type Storage interface {
	Create(ctx context.Context, rg, name string, body any, wait bool, tick arm.Progress) (arm.Raw, error)
	Get(ctx context.Context, rg, name string) (arm.Raw, error)
	Delete(ctx context.Context, rg, name string) error
	Keys(ctx context.Context, rg, name string) (arm.Raw, error)
	FindGroup(ctx context.Context, name string) (string, error)
	ShareCreate(ctx context.Context, rg, account, share string, body any) (arm.Raw, error)
	ShareGet(ctx context.Context, rg, account, share string) (arm.Raw, error)
	ShareList(ctx context.Context, rg, account string) ([]any, error)
	ShareDelete(ctx context.Context, rg, account, share string) error
}

// Registries is what compose needs of Microsoft.ContainerRegistry.
type Registries interface {
	List(ctx context.Context, rg string) ([]any, error)
	Credentials(ctx context.Context, rg, name, regenerate string) (arm.Raw, error)
}

// Deps are the services the commands call; tests replace them.
type Deps struct {
	Groups     func() (container.Service, error)
	Storage    func() (Storage, error)
	Registries func() (Registries, error)
	// Local tells whether the cloud is aci local (it resolves service names
	// itself, so no hosts init container).
	Local func() bool
}

func defaultDeps(f *cmdutil.Factory) *Deps {
	return &Deps{
		Groups: func() (container.Service, error) {
			c, err := f.ARM()
			if err != nil {
				return nil, err
			}
			return c.ContainerGroups()
		},
		Storage: func() (Storage, error) {
			c, err := f.ARM()
			if err != nil {
				return nil, err
			}
			return c.StorageAccounts()
		},
		Registries: func() (Registries, error) {
			c, err := f.ARM()
			if err != nil {
				return nil, err
			}
			return c.Registries()
		},
		Local: func() bool { return container.LocalEndpoint(f) },
	}
}

// projectFlags are docker compose's global flags, plus -g.
type projectFlags struct {
	files, profiles, envFiles []string
	project, workDir          string
	group                     string
}

func (p *projectFlags) add(cmd *cobra.Command) {
	fl := cmd.PersistentFlags()
	fl.StringArrayVarP(&p.files, "file", "f", nil, "Compose configuration files (repeatable; later files override earlier ones). Default: compose.yaml in the current directory.")
	fl.StringVarP(&p.project, "project-name", "p", "", "Project name: the container group's name (default: the project's name, else its directory's).")
	fl.StringVar(&p.workDir, "project-directory", "", "Alternate working directory (default: the first file's directory).")
	fl.StringArrayVar(&p.profiles, "profile", nil, "Profile to enable (repeatable).")
	fl.StringArrayVar(&p.envFiles, "env-file", nil, "Alternate environment file (repeatable).")
	fl.StringVarP(&p.group, "resource-group", "g", "", "Name of resource group. You can configure the default group using 'aci configure --defaults group=<name>'.")
}

func (p *projectFlags) load(f *cmdutil.Factory) (*types.Project, error) {
	// compose-go warns through logrus: as az's WARNING lines on stderr.
	logrus.SetOutput(f.IO.ErrOut)
	logrus.SetFormatter(warningFormatter{})
	proj, err := compose.Load(f.Context(), compose.LoadOptions{Files: p.files, Project: p.project, WorkDir: p.workDir,
		Profiles: p.profiles, EnvFiles: p.envFiles})
	if err != nil {
		return nil, cmdutil.Fail("%s", err)
	}
	return proj, nil
}

// resourceGroup is -g, else defaults.group.
func (p *projectFlags) resourceGroup(f *cmdutil.Factory) (string, error) {
	if p.group == "" {
		if cfg, err := f.Config(); err == nil {
			p.group = cfg.Get("defaults", "group", "")
		}
	}
	var m cmdutil.Missing
	m.Need("--resource-group/-g", p.group)
	return p.group, m.Err()
}

type warningFormatter struct{}

func (warningFormatter) Format(e *logrus.Entry) ([]byte, error) {
	return []byte("WARNING: " + e.Message + "\n"), nil
}

// NewCmd builds `aci compose`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	return newCmd(f, defaultDeps(f))
}

func newCmd(f *cmdutil.Factory, d *Deps) *cobra.Command {
	p := &projectFlags{}
	cmd := cmdutil.GroupCommand(&cobra.Command{Use: "compose", Short: "Run a Compose project as a container group.",
		Long: "A Compose file becomes one container group: each service a container, sharing the group's address and\n" +
			"network (service names resolve to it), named volumes as Azure file shares, secrets under /run/secrets."})
	p.add(cmd)
	cmd.AddCommand(newUp(f, d, p), newDown(f, d, p), newPs(f, d, p), newLogs(f, d, p), newExec(f, d, p),
		newConfig(f, p), newConvert(f, d, p))
	return cmd
}

// convertOpts converts a project for this cloud.
func convert(f *cmdutil.Factory, d *Deps, proj *types.Project, location string, allow bool, creds bool) (*compose.Result, error) {
	o := compose.Options{Location: location, AllowUnsupported: allow, HostsInit: !d.Local(), Warn: f.Warn}
	if creds {
		o.Credentials = registryCredentials(f, d)
	}
	r, err := compose.Convert(proj, o)
	if err != nil {
		var ce *compose.Error
		if errors.As(err, &ce) {
			return nil, cmdutil.Fail("%s", ce.Error())
		}
		return nil, err
	}
	return r, nil
}

// registryCredentials finds a private registry's login: Docker's config
// (docker login, aci acr login), else the admin user of a registry of the
// subscription with that login server.
func registryCredentials(f *cmdutil.Factory, d *Deps) func(string) (string, string, bool, error) {
	var regs []any
	listed := false
	return func(server string) (string, string, bool, error) {
		if u, p, ok := dockerConfigAuth(server); ok {
			return u, p, true, nil
		}
		if !listed {
			listed = true
			svc, err := d.Registries()
			if err != nil {
				return "", "", false, err
			}
			if regs, err = svc.List(f.Context(), ""); err != nil {
				return "", "", false, err
			}
		}
		for _, r := range regs {
			m, _ := r.(map[string]any)
			props, _ := m["properties"].(map[string]any)
			if ls, _ := props["loginServer"].(string); !strings.EqualFold(ls, server) {
				continue
			}
			if admin, _ := props["adminUserEnabled"].(bool); !admin {
				f.Warn("registry %s has no admin user; the group will pull from it without credentials", server)
				return "", "", false, nil
			}
			id, _ := m["id"].(string)
			rg := arm.ResourceGroupOf(id)
			name, _ := m["name"].(string)
			svc, err := d.Registries()
			if err != nil {
				return "", "", false, err
			}
			c, err := svc.Credentials(f.Context(), rg, name, "")
			if err != nil {
				return "", "", false, err
			}
			user, _ := c["username"].(string)
			pws, _ := c["passwords"].([]any)
			if len(pws) == 0 {
				return "", "", false, nil
			}
			pw, _ := pws[0].(map[string]any)["value"].(string)
			return user, pw, true, nil
		}
		return "", "", false, nil
	}
}

// dockerConfigAuth reads a registry's login from Docker's config.json (the
// plain "auth" entries; credential helpers keep theirs elsewhere).
func dockerConfigAuth(server string) (string, string, bool) {
	dir := os.Getenv("DOCKER_CONFIG")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", "", false
		}
		dir = filepath.Join(home, ".docker")
	}
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		return "", "", false
	}
	var cfg struct {
		Auths map[string]struct {
			Auth string `json:"auth"`
		} `json:"auths"`
	}
	if json.Unmarshal(b, &cfg) != nil {
		return "", "", false
	}
	for k, v := range cfg.Auths {
		host := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(k, "https://"), "http://"), "/")
		if !strings.EqualFold(host, server) || v.Auth == "" {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(v.Auth)
		if err != nil {
			continue
		}
		if u, p, ok := strings.Cut(string(raw), ":"); ok {
			return u, p, true
		}
	}
	return "", "", false
}

func notFound(err error) bool {
	var ae *arm.Error
	return errors.As(err, &ae) && ae.NotFound()
}

func say(f *cmdutil.Factory, format string, a ...any) {
	fmt.Fprintf(f.IO.ErrOut, format+"\n", a...)
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
