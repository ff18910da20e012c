// Package compose implements `aci compose`: a Compose project deployed as one
// container group, on Azure and on aci local. The project is loaded and
// converted by internal/compose inside the aci-local binary (the Compose
// parser's start-up cost stays off aci's); this package deploys, inspects and
// removes what it returns.
package compose

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/cli/container"
	"github.com/aci-cli/aci/internal/compose/model"
	"github.com/aci-cli/aci/internal/local/wire"
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
	// Helper loads and converts a project (aci-local compose-helper).
	Helper func(ctx context.Context, req model.Request) (model.Response, error)
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
		Local:  func() bool { return container.LocalEndpoint(f) },
		Helper: runHelper,
	}
}

// runHelper asks aci-local's compose-helper, which inherits the working
// directory and environment (interpolation reads them).
func runHelper(ctx context.Context, req model.Request) (model.Response, error) {
	var resp model.Response
	bin, err := wire.ServerBinary()
	if err != nil {
		return resp, fmt.Errorf("aci compose needs %s beside aci: %v", wire.ServerName(), err)
	}
	in, _ := json.Marshal(req)
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "compose-helper")
	cmd.Stdin = bytes.NewReader(in)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return resp, fmt.Errorf("loading the Compose project: %v: %s", err, strings.TrimSpace(errb.String()))
	}
	if err := json.Unmarshal(out.Bytes(), &resp); err != nil {
		return resp, fmt.Errorf("loading the Compose project: %v", err)
	}
	return resp, nil
}

// projectFlags are docker compose's global flags, plus -g.
type projectFlags struct {
	files, profiles, envFiles []string
	name, workDir             string
	group                     string
}

func (p *projectFlags) add(cmd *cobra.Command) {
	fl := cmd.PersistentFlags()
	fl.StringArrayVarP(&p.files, "file", "f", nil, "Compose configuration files (repeatable; later files override earlier ones). Default: compose.yaml in the current directory.")
	fl.StringVarP(&p.name, "project-name", "p", "", "Project name: the container group's name (default: the project's name, else its directory's).")
	fl.StringVar(&p.workDir, "project-directory", "", "Alternate working directory (default: the first file's directory).")
	fl.StringArrayVar(&p.profiles, "profile", nil, "Profile to enable (repeatable).")
	fl.StringArrayVar(&p.envFiles, "env-file", nil, "Alternate environment file (repeatable).")
	fl.StringVarP(&p.group, "resource-group", "g", "", "Name of resource group. You can configure the default group using 'aci configure --defaults group=<name>'.")
}

// ask sends the project flags with op to the helper and relays its
// warnings; the helper's error is the command's.
func (p *projectFlags) ask(f *cmdutil.Factory, d *Deps, req model.Request) (model.Response, error) {
	req.Files, req.Project, req.WorkDir, req.Profiles, req.EnvFiles = p.files, p.name, p.workDir, p.profiles, p.envFiles
	resp, err := d.Helper(f.Context(), req)
	if err != nil {
		return resp, err
	}
	for _, w := range resp.Warnings {
		f.Warn("%s", w)
	}
	if resp.Error != "" {
		return resp, cmdutil.Fail("%s", resp.Error)
	}
	return resp, nil
}

// project converts the project for this cloud.
func (p *projectFlags) project(f *cmdutil.Factory, d *Deps, location string, allow bool) (*model.Result, error) {
	resp, err := p.ask(f, d, model.Request{Op: "convert", Location: location, AllowUnsupported: allow, HostsInit: !d.Local()})
	if err != nil {
		return nil, err
	}
	if resp.Result == nil || resp.Result.Group == nil {
		return nil, cmdutil.Fail("the Compose helper returned no container group")
	}
	return resp.Result, nil
}

// deployed is what down, ps, logs and exec act on: the resource group, the
// project (converted leniently: a refusal must not stop its removal) and the
// container groups' service.
func (p *projectFlags) deployed(f *cmdutil.Factory, d *Deps) (string, *model.Result, container.Service, error) {
	rg, err := p.resourceGroup(f)
	if err != nil {
		return "", nil, nil, err
	}
	res, err := p.project(f, d, "", true)
	if err != nil {
		return "", nil, nil, err
	}
	svc, err := d.Groups()
	return rg, res, svc, err
}

// resourceGroup is -g, else defaults.group.
func (p *projectFlags) resourceGroup(f *cmdutil.Factory) (string, error) {
	f.Default(&p.group, "group")
	var m cmdutil.Missing
	m.Need("--resource-group/-g", p.group)
	return p.group, m.Err()
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
		newConfig(f, d, p), newConvert(f, d, p))
	return cmd
}

// fillCredentials adds the login of every private registry the images come
// from, where one is found.
func fillCredentials(f *cmdutil.Factory, d *Deps, res *model.Result) error {
	creds := registryCredentials(f, d)
	for _, host := range res.Registries {
		user, pw, ok, err := creds(host)
		if err != nil {
			return err
		}
		if ok {
			res.Group.Properties.ImageRegistryCredentials = append(res.Group.Properties.ImageRegistryCredentials,
				model.RegistryCredential{Server: host, Username: user, Password: pw})
		}
	}
	return nil
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
