package acr

// acr repository and acr login through NewCmdWith's seams: the registry's
// data plane (RegistryClient), its token and Docker are fakes.

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
)

type fakeRegistry struct {
	calls []string
	tags  map[string]string // "repo:tag" -> digest
}

func (r *fakeRegistry) note(format string, a ...any) {
	r.calls = append(r.calls, fmt.Sprintf(format, a...))
}

func (r *fakeRegistry) Repositories(_ context.Context, top int) ([]string, error) {
	r.note("repos top=%d", top)
	return []string{"hello", "web"}, nil
}
func (r *fakeRegistry) Tags(_ context.Context, repo string, top int, orderby string) ([]any, error) {
	r.note("tags %s top=%d order=%s", repo, top, orderby)
	return []any{map[string]any{"name": "v1", "digest": "sha256:1"}, map[string]any{"name": "v2", "digest": "sha256:2"}}, nil
}
func (r *fakeRegistry) Manifests(_ context.Context, repo string, top int, orderby string) ([]any, error) {
	r.note("manifests %s", repo)
	return []any{map[string]any{"digest": "sha256:1", "tags": []any{"v1"}, "lastUpdateTime": "2026-01-01T00:00:00Z", "imageSize": 10.0}}, nil
}
func (r *fakeRegistry) Repository(_ context.Context, repo string) (any, error) {
	r.note("repo %s", repo)
	return map[string]any{"imageName": repo}, nil
}
func (r *fakeRegistry) Tag(_ context.Context, repo, tag string) (any, error) {
	r.note("tag %s:%s", repo, tag)
	return map[string]any{"tag": map[string]any{"name": tag, "digest": r.tags[repo+":"+tag]}}, nil
}
func (r *fakeRegistry) Manifest(_ context.Context, repo, digest string) (any, error) {
	r.note("manifest %s@%s", repo, digest)
	return map[string]any{"manifest": map[string]any{"digest": digest}}, nil
}
func (r *fakeRegistry) DeleteRepository(_ context.Context, repo string) (any, error) {
	r.note("delete repo %s", repo)
	return nil, nil
}
func (r *fakeRegistry) DeleteTag(_ context.Context, repo, tag string) error {
	r.note("delete tag %s:%s", repo, tag)
	return nil
}
func (r *fakeRegistry) DeleteManifest(_ context.Context, repo, digest string) error {
	r.note("delete manifest %s@%s", repo, digest)
	return nil
}

// runData runs `aci acr ARGS` over a registry "reg1" whose data plane is reg.
func runData(t *testing.T, reg *fakeRegistry, docker *[]string, args ...string) (string, error) {
	t.Helper()
	svc := &fakeService{groups: map[string]string{"reg1": "rg"},
		get: func(_, name string) (arm.Raw, error) { return registry(name, nil), nil }}
	ios, _, out, _ := cmdutil.Test()
	f := &cmdutil.Factory{IO: ios, ConfigDir: t.TempDir(), Globals: cmdutil.Globals{Output: "json"}}
	d := &Deps{
		Service: func() (Service, error) { return svc, nil },
		Registry: func(ls, user, password string) (RegistryClient, error) {
			reg.note("client %s %s", ls, user)
			return reg, nil
		},
		Token: func(_ context.Context, ls string) (string, error) { return "REFRESH-" + ls, nil },
		Docker: func(_ context.Context, server, user, password string) (string, error) {
			*docker = append(*docker, server, user, password)
			return "Login Succeeded\n", nil
		},
	}
	cmd := NewCmdWith(f, d)
	cmd.SetArgs(cmdutil.ExpandNArgs(cmd, args))
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	return out.String(), err
}

func TestRepositoryCommands(t *testing.T) {
	reg := &fakeRegistry{tags: map[string]string{"hello:v1": "sha256:abc"}}
	var docker []string
	if out, err := runData(t, reg, &docker, "repository", "list", "-n", "reg1", "--top", "5"); err != nil || !strings.Contains(out, `"hello"`) || reg.calls[len(reg.calls)-1] != "repos top=5" {
		t.Fatalf("list: %v %s %v", err, out, reg.calls)
	}
	if reg.calls[0] != "client reg1.azurecr.io " {
		t.Fatalf("the client is for the registry's login server: %v", reg.calls)
	}
	out, err := runData(t, reg, &docker, "repository", "show-tags", "-n", "reg1", "--repository", "hello", "--orderby", "time_desc")
	if err != nil || strings.Contains(out, "digest") || !strings.Contains(out, `"v2"`) {
		t.Fatalf("show-tags prints names only: %v %s", err, out)
	}
	if out, err := runData(t, reg, &docker, "repository", "show-tags", "-n", "reg1", "--repository", "hello", "--detail"); err != nil || !strings.Contains(out, "sha256:2") {
		t.Fatalf("show-tags --detail: %v %s", err, out)
	}
	if _, err := runData(t, reg, &docker, "repository", "show-tags", "-n", "reg1", "--repository", "hello", "--orderby", "newest"); cmdutil.ExitCode(err) != 2 {
		t.Fatalf("an unknown --orderby: %v", err)
	}
	out, err = runData(t, reg, &docker, "repository", "show-manifests", "-n", "reg1", "--repository", "hello")
	if err != nil || !strings.Contains(out, `"timestamp": "2026-01-01T00:00:00Z"`) || strings.Contains(out, "imageSize") {
		t.Fatalf("show-manifests: %v %s", err, out)
	}
	for image, want := range map[string]string{"hello:v1": "tag hello:v1", "hello@sha256:9": "manifest hello@sha256:9", "hello": "tag hello:latest"} {
		if _, err := runData(t, reg, &docker, "repository", "show", "-n", "reg1", "--image", image); err != nil || reg.calls[len(reg.calls)-1] != want {
			t.Errorf("show --image %s: %v %v", image, err, reg.calls[len(reg.calls)-1])
		}
	}
	if _, err := runData(t, reg, &docker, "repository", "show", "-n", "reg1", "--image", "a:1", "--repository", "a"); err == nil {
		t.Fatal("--image and --repository together were accepted")
	}
	// Deleting by tag deletes the manifest the tag names.
	if _, err := runData(t, reg, &docker, "repository", "delete", "-n", "reg1", "--image", "hello:v1", "--yes"); err != nil || reg.calls[len(reg.calls)-1] != "delete manifest hello@sha256:abc" {
		t.Fatalf("delete --image: %v %v", err, reg.calls)
	}
	if _, err := runData(t, reg, &docker, "repository", "delete", "-n", "reg1", "--repository", "web", "--yes"); err != nil || reg.calls[len(reg.calls)-1] != "delete repo web" {
		t.Fatalf("delete --repository: %v %v", err, reg.calls)
	}
	if _, err := runData(t, reg, &docker, "repository", "untag", "-n", "reg1", "--image", "hello:v1"); err != nil || reg.calls[len(reg.calls)-1] != "delete tag hello:v1" {
		t.Fatalf("untag: %v %v", err, reg.calls)
	}
	if _, err := runData(t, reg, &docker, "repository", "untag", "-n", "reg1", "--image", "hello@sha256:1"); err == nil || !strings.Contains(err.Error(), "must include a tag") {
		t.Fatalf("untag by digest: %v", err)
	}
}

// login hands Docker the registry's refresh token (az's null user), or
// prints it with --expose-token, Docker untouched.
func TestLogin(t *testing.T) {
	reg := &fakeRegistry{}
	var docker []string
	out, err := runData(t, reg, &docker, "login", "-n", "reg1")
	if err != nil || strings.Join(docker, " ") != "reg1.azurecr.io "+NullUser+" REFRESH-reg1.azurecr.io" || out != "Login Succeeded\n" {
		t.Fatalf("login: %v %v %q", err, docker, out)
	}
	docker = nil
	out, err = runData(t, reg, &docker, "login", "-n", "reg1", "--expose-token")
	if err != nil || docker != nil || !strings.Contains(out, `"accessToken": "REFRESH-reg1.azurecr.io"`) {
		t.Fatalf("--expose-token: %v %v %s", err, docker, out)
	}
	if _, err := runData(t, reg, &docker, "login", "-n", "reg1", "-u", "admin"); err == nil || !strings.Contains(err.Error(), "both username and password") {
		t.Fatalf("a user without a password: %v", err)
	}
	if _, err := runData(t, reg, &docker, "login", "-n", "reg1", "-u", "admin", "-p", "pw"); err != nil || strings.Join(docker, " ") != "reg1.azurecr.io admin pw" {
		t.Fatalf("admin credentials go to Docker as given: %v %v", err, docker)
	}
}
