package acr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/containers/azcontainerregistry"
	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/spf13/cobra"
)

// NullUser is the user name that goes with an ACR refresh token.
const NullUser = "00000000-0000-0000-0000-000000000000"

// RegistryClient is what the repository commands read from a registry's data
// plane; values are the registry's wire JSON, which az prints.
type RegistryClient interface {
	Repositories(ctx context.Context, top int) ([]string, error)
	Tags(ctx context.Context, repo string, top int, orderby string) ([]any, error)
	Manifests(ctx context.Context, repo string, top int, orderby string) ([]any, error)
	Repository(ctx context.Context, repo string) (any, error)
	Tag(ctx context.Context, repo, tag string) (any, error)
	Manifest(ctx context.Context, repo, digest string) (any, error)
	DeleteRepository(ctx context.Context, repo string) (any, error)
	DeleteTag(ctx context.Context, repo, tag string) error
	DeleteManifest(ctx context.Context, repo, digest string) error
}

func dataPlane(f *cmdutil.Factory) (*arm.DataPlane, error) {
	c, err := f.ARM()
	if err != nil {
		return nil, err
	}
	cloud, _, _, err := f.Account()
	if err != nil {
		return nil, err
	}
	return c.DataPlane(cloud), nil
}

func registryClient(f *cmdutil.Factory, ls, user, password string) (RegistryClient, error) {
	dp, err := dataPlane(f)
	if err != nil {
		return nil, err
	}
	var c *azcontainerregistry.Client
	if user != "" {
		c, err = dp.RegistryBasic(ls, user, password)
	} else {
		c, err = dp.Registry(ls)
	}
	if err != nil {
		return nil, err
	}
	return sdkRegistry{c}, nil
}

// sdkRegistry adapts the SDK's registry client.
type sdkRegistry struct{ c *azcontainerregistry.Client }

// The SDK's models drop ACR's wire names; these put them back, as az prints
// the registry's JSON.

func acrTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.0000000Z")
}

func val[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func writeable(del, list, read, write *bool) map[string]any {
	return map[string]any{"deleteEnabled": val(del), "listEnabled": val(list), "readEnabled": val(read), "writeEnabled": val(write)}
}

func tagJSON(t *azcontainerregistry.TagAttributes) any {
	if t == nil {
		return nil
	}
	out := map[string]any{"name": val(t.Name), "digest": val(t.Digest), "createdTime": acrTime(t.CreatedOn),
		"lastUpdateTime": acrTime(t.LastUpdatedOn), "signed": false}
	if c := t.ChangeableAttributes; c != nil {
		out["changeableAttributes"] = writeable(c.CanDelete, c.CanList, c.CanRead, c.CanWrite)
	}
	return out
}

func manifestJSON(m *azcontainerregistry.ManifestAttributes) any {
	if m == nil {
		return nil
	}
	out := map[string]any{"digest": val(m.Digest), "imageSize": val(m.Size), "createdTime": acrTime(m.CreatedOn),
		"lastUpdateTime": acrTime(m.LastUpdatedOn), "architecture": val(m.Architecture), "os": val(m.OperatingSystem),
		"mediaType": val(m.MediaType), "configMediaType": val(m.ConfigMediaType)}
	if m.Tags != nil {
		tags := []any{}
		for _, t := range m.Tags {
			tags = append(tags, val(t))
		}
		out["tags"] = tags
	}
	if c := m.ChangeableAttributes; c != nil {
		out["changeableAttributes"] = writeable(c.CanDelete, c.CanList, c.CanRead, c.CanWrite)
	}
	return out
}

func (s sdkRegistry) Repositories(ctx context.Context, top int) ([]string, error) {
	out := []string{}
	p := s.c.NewListRepositoriesPager(&azcontainerregistry.ClientListRepositoriesOptions{MaxNum: to.Ptr[int32](100)})
	for p.More() && (top <= 0 || len(out) < top) {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, arm.Wrap(err)
		}
		for _, n := range page.Repositories.Names {
			out = append(out, *n)
		}
	}
	if top > 0 && len(out) > top {
		out = out[:top]
	}
	return out, nil
}

func orderBy(o string) *azcontainerregistry.ArtifactTagOrderBy {
	switch o {
	case "time_asc":
		return to.Ptr(azcontainerregistry.ArtifactTagOrderByLastUpdatedOnAscending)
	case "time_desc":
		return to.Ptr(azcontainerregistry.ArtifactTagOrderByLastUpdatedOnDescending)
	}
	return nil
}

func (s sdkRegistry) Tags(ctx context.Context, repo string, top int, orderby string) ([]any, error) {
	out := []any{}
	p := s.c.NewListTagsPager(repo, &azcontainerregistry.ClientListTagsOptions{MaxNum: to.Ptr[int32](100), OrderBy: orderBy(orderby)})
	for p.More() && (top <= 0 || len(out) < top) {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, arm.Wrap(err)
		}
		for _, t := range page.Tags {
			out = append(out, tagJSON(t))
		}
	}
	if top > 0 && len(out) > top {
		out = out[:top]
	}
	return out, nil
}

func (s sdkRegistry) Manifests(ctx context.Context, repo string, top int, orderby string) ([]any, error) {
	out := []any{}
	var ob *azcontainerregistry.ArtifactManifestOrderBy
	switch orderby {
	case "time_asc":
		ob = to.Ptr(azcontainerregistry.ArtifactManifestOrderByLastUpdatedOnAscending)
	case "time_desc":
		ob = to.Ptr(azcontainerregistry.ArtifactManifestOrderByLastUpdatedOnDescending)
	}
	p := s.c.NewListManifestsPager(repo, &azcontainerregistry.ClientListManifestsOptions{MaxNum: to.Ptr[int32](100), OrderBy: ob})
	for p.More() && (top <= 0 || len(out) < top) {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, arm.Wrap(err)
		}
		for _, m := range page.Attributes {
			out = append(out, manifestJSON(m))
		}
	}
	if top > 0 && len(out) > top {
		out = out[:top]
	}
	return out, nil
}

func (s sdkRegistry) Repository(ctx context.Context, repo string) (any, error) {
	r, err := s.c.GetRepositoryProperties(ctx, repo, nil)
	if err != nil {
		return nil, arm.Wrap(err)
	}
	p := r.ContainerRepositoryProperties
	out := map[string]any{"registry": val(p.RegistryLoginServer), "imageName": val(p.Name), "createdTime": acrTime(p.CreatedOn),
		"lastUpdateTime": acrTime(p.LastUpdatedOn), "manifestCount": val(p.ManifestCount), "tagCount": val(p.TagCount)}
	if c := p.ChangeableAttributes; c != nil {
		out["changeableAttributes"] = writeable(c.CanDelete, c.CanList, c.CanRead, c.CanWrite)
	}
	return out, nil
}

func (s sdkRegistry) Tag(ctx context.Context, repo, tag string) (any, error) {
	r, err := s.c.GetTagProperties(ctx, repo, tag, nil)
	if err != nil {
		return nil, arm.Wrap(err)
	}
	return map[string]any{"registry": val(r.RegistryLoginServer), "imageName": val(r.RepositoryName), "tag": tagJSON(r.Tag)}, nil
}

func (s sdkRegistry) Manifest(ctx context.Context, repo, digest string) (any, error) {
	r, err := s.c.GetManifestProperties(ctx, repo, digest, nil)
	if err != nil {
		return nil, arm.Wrap(err)
	}
	return map[string]any{"registry": val(r.RegistryLoginServer), "imageName": val(r.RepositoryName), "manifest": manifestJSON(r.Manifest)}, nil
}

func (s sdkRegistry) DeleteRepository(ctx context.Context, repo string) (any, error) {
	_, err := s.c.DeleteRepository(ctx, repo, nil)
	return nil, arm.Wrap(err)
}

func (s sdkRegistry) DeleteTag(ctx context.Context, repo, tag string) error {
	_, err := s.c.DeleteTag(ctx, repo, tag, nil)
	return arm.Wrap(err)
}

func (s sdkRegistry) DeleteManifest(ctx context.Context, repo, digest string) error {
	_, err := s.c.DeleteManifest(ctx, repo, digest, nil)
	return arm.Wrap(err)
}

// dataTarget is a registry named for its data plane, with optional admin (or
// refresh-token) credentials.
type dataTarget struct {
	target
	User, Password string
}

func (t *dataTarget) flags(cmd *cobra.Command) {
	t.target.flags(cmd)
	cmd.Flags().StringVarP(&t.User, "username", "u", "", "The username used to log into a container registry.")
	cmd.Flags().StringVarP(&t.Password, "password", "p", "", "The password used to log into a container registry.")
}

// loginServer finds the registry's login server through ARM.
func (t *dataTarget) loginServer(f *cmdutil.Factory, d *Deps) (string, error) {
	svc, err := t.resolve(f, d, false)
	if err != nil {
		return "", err
	}
	reg, err := svc.Get(f.Context(), t.Group, t.Name)
	if err != nil {
		return "", err
	}
	props, _ := reg["properties"].(map[string]any)
	ls, _ := props["loginServer"].(string)
	if ls == "" {
		return "", cmdutil.Fail("The registry '%s' has no login server.", t.Name)
	}
	return ls, nil
}

func (t *dataTarget) client(f *cmdutil.Factory, d *Deps) (RegistryClient, error) {
	if (t.User == "") != (t.Password == "") {
		return nil, cmdutil.Fail("Please specify both username and password in non-interactive mode.")
	}
	ls, err := t.loginServer(f, d)
	if err != nil {
		return nil, err
	}
	return d.Registry(ls, t.User, t.Password)
}

func newRepository(f *cmdutil.Factory, d *Deps) *cobra.Command {
	cmd := cmdutil.GroupCommand(&cobra.Command{Use: "repository", Short: "Manage repositories (image names) for Azure Container Registries."})
	cmd.AddCommand(newRepoList(f, d), newShowTags(f, d), newShowManifests(f, d), newRepoShow(f, d), newRepoDelete(f, d), newUntag(f, d))
	return cmd
}

func repoListRun(f *cmdutil.Factory, d *Deps, o *dataTarget, top int) error {
	c, err := o.client(f, d)
	if err != nil {
		return err
	}
	names, err := c.Repositories(f.Context(), top)
	if err != nil {
		return err
	}
	out := make([]any, len(names))
	for i, n := range names {
		out[i] = n
	}
	return f.Print(out, cmdutil.PrintOptions{})
}

func newRepoList(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &dataTarget{}
	var top int
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List repositories in an Azure Container Registry.",
		Example: "  aci acr repository list -n myregistry -o table",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, args []string) error { return repoListRun(f, d, o, top) },
	}
	o.flags(cmd)
	cmd.Flags().IntVar(&top, "top", 0, "Limit the number of items in the results.")
	return cmd
}

// RepoOptions are the repository commands' arguments.
type RepoOptions struct {
	dataTarget
	Repo, Image, Order string
	Top                int
	Detail, Yes        bool
}

// parseRepo checks --repository and --orderby as az does.
func (o *RepoOptions) parseRepo(cmd *cobra.Command) error {
	var m cmdutil.Missing
	m.Need("--repository", o.Repo)
	if err := m.Err(); err != nil {
		return err
	}
	if o.Order != "" {
		if _, err := cmdutil.Choice(cmd, "--orderby", o.Order, "time_asc", "time_desc"); err != nil {
			return err
		}
	}
	return nil
}

func (o *RepoOptions) listFlags(cmd *cobra.Command, orderHelp string) {
	o.flags(cmd)
	cmd.Flags().StringVar(&o.Repo, "repository", "", "The name of the repository.")
	cmd.Flags().IntVar(&o.Top, "top", 0, "Limit the number of items in the results.")
	cmd.Flags().StringVar(&o.Order, "orderby", "", orderHelp)
	cmd.Flags().BoolVar(&o.Detail, "detail", false, "Show detailed information.")
}

// showTagsRun prints the repository's tags: names, or with --detail their
// attributes.
func showTagsRun(f *cmdutil.Factory, d *Deps, o *RepoOptions) error {
	c, err := o.client(f, d)
	if err != nil {
		return err
	}
	tags, err := c.Tags(f.Context(), o.Repo, o.Top, o.Order)
	if err != nil {
		return err
	}
	if !o.Detail {
		for i, t := range tags {
			tags[i] = t.(map[string]any)["name"]
		}
	}
	return f.Print(tags, cmdutil.PrintOptions{})
}

func newShowTags(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &RepoOptions{}
	cmd := &cobra.Command{
		Use:   "show-tags",
		Short: "Show tags for a repository in an Azure Container Registry.",
		Example: "  # Show the newest tag of a repository.\n  aci acr repository show-tags -n myregistry --repository hello --top 1 --orderby time_desc\n\n" +
			"  # Show the details of the tags of a repository.\n  aci acr repository show-tags -n myregistry --repository hello --detail",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.parseRepo(cmd); err != nil {
				return err
			}
			return showTagsRun(f, d, o)
		},
	}
	o.listFlags(cmd, "Order the items in the results. Default to alphabetical order of names. Allowed values: time_asc, time_desc.")
	return cmd
}

// showManifestsRun prints the repository's manifests: digest, tags and
// time, or with --detail their attributes.
func showManifestsRun(f *cmdutil.Factory, d *Deps, o *RepoOptions) error {
	c, err := o.client(f, d)
	if err != nil {
		return err
	}
	list, err := c.Manifests(f.Context(), o.Repo, o.Top, o.Order)
	if err != nil {
		return err
	}
	if !o.Detail {
		for i, it := range list {
			mm := it.(map[string]any)
			list[i] = map[string]any{"digest": mm["digest"], "tags": mm["tags"], "timestamp": mm["lastUpdateTime"]}
		}
	}
	return f.Print(list, cmdutil.PrintOptions{})
}

func newShowManifests(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &RepoOptions{}
	cmd := &cobra.Command{
		Use:     "show-manifests",
		Short:   "Show manifests of a repository in an Azure Container Registry.",
		Example: "  aci acr repository show-manifests -n myregistry --repository hello --orderby time_desc",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.parseRepo(cmd); err != nil {
				return err
			}
			return showManifestsRun(f, d, o)
		},
	}
	o.listFlags(cmd, "Order the items in the results. Allowed values: time_asc, time_desc.")
	return cmd
}

// splitImage reads "repo:tag" or "repo@digest".
func splitImage(image string) (repo, tag, digest string) {
	if i := strings.Index(image, "@"); i >= 0 {
		return image[:i], "", image[i+1:]
	}
	if i := strings.LastIndex(image, ":"); i >= 0 && !strings.Contains(image[i:], "/") {
		return image[:i], image[i+1:], ""
	}
	return image, "latest", ""
}

func repoOrImage(repo, image string) error {
	if (repo == "") == (image == "") {
		return cmdutil.Fail("Usage error: You need to provide either --image IMAGE | --repository REPOSITORY, but not both")
	}
	return nil
}

// repoShowRun prints a repository's attributes, or an image's by tag or
// digest.
func repoShowRun(f *cmdutil.Factory, d *Deps, o *RepoOptions) error {
	c, err := o.client(f, d)
	if err != nil {
		return err
	}
	var v any
	if o.Repo != "" {
		v, err = c.Repository(f.Context(), o.Repo)
	} else if r, tag, dg := splitImage(o.Image); dg != "" {
		v, err = c.Manifest(f.Context(), r, dg)
	} else {
		v, err = c.Tag(f.Context(), r, tag)
	}
	if err != nil {
		return err
	}
	return f.Print(v, cmdutil.PrintOptions{})
}

func newRepoShow(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &RepoOptions{}
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Get the attributes of a repository or image in an Azure Container Registry.",
		Example: "  # Get the attributes of a repository.\n  aci acr repository show -n myregistry --repository hello\n\n" +
			"  # Get the attributes of an image by tag.\n  aci acr repository show -n myregistry --image hello:v1",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := repoOrImage(o.Repo, o.Image); err != nil {
				return err
			}
			return repoShowRun(f, d, o)
		},
	}
	o.flags(cmd)
	cmd.Flags().StringVar(&o.Repo, "repository", "", "The name of the repository.")
	cmd.Flags().StringVarP(&o.Image, "image", "t", "", "The name of the image. May include a tag in the format 'name:tag' or digest in the format 'name@digest'.")
	return cmd
}

// repoDeleteRun asks az's question, then deletes the repository, or the
// manifest an image names (with every tag on it).
func repoDeleteRun(f *cmdutil.Factory, d *Deps, o *RepoOptions) error {
	q := fmt.Sprintf("Are you sure you want to delete the repository '%s' and all images under it?", o.Repo)
	if o.Image != "" {
		q = fmt.Sprintf("This operation will delete the manifest '%s' and all the following images: ['%s'].\nAre you sure you want to continue?", o.Image, o.Image)
	}
	if err := f.ConfirmQuestion(o.Yes, q); err != nil {
		return err
	}
	c, err := o.client(f, d)
	if err != nil {
		return err
	}
	if o.Repo != "" {
		_, err := c.DeleteRepository(f.Context(), o.Repo)
		return err
	}
	r, tag, dg := splitImage(o.Image)
	if dg == "" {
		t, err := c.Tag(f.Context(), r, tag)
		if err != nil {
			return err
		}
		tm, _ := t.(map[string]any)["tag"].(map[string]any)
		dg, _ = tm["digest"].(string)
	}
	return c.DeleteManifest(f.Context(), r, dg)
}

func newRepoDelete(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &RepoOptions{}
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete a repository or image in an Azure Container Registry.",
		Example: "  # Delete an image manifest by tag: the manifest and every tag referencing it.\n  aci acr repository delete -n myregistry --image hello:v1\n\n" +
			"  # Delete a repository and all images under it.\n  aci acr repository delete -n myregistry --repository hello --yes",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := repoOrImage(o.Repo, o.Image); err != nil {
				return err
			}
			return repoDeleteRun(f, d, o)
		},
	}
	o.flags(cmd)
	cmd.Flags().StringVar(&o.Repo, "repository", "", "The name of the repository.")
	cmd.Flags().StringVarP(&o.Image, "image", "t", "", "The name of the image. May include a tag in the format 'name:tag' or digest in the format 'name@digest'.")
	cmd.Flags().BoolVarP(&o.Yes, "yes", "y", false, "Do not prompt for confirmation.")
	return cmd
}

// untagRun removes a tag, leaving its manifest.
func untagRun(f *cmdutil.Factory, d *Deps, o *dataTarget, repo, tag string) error {
	c, err := o.client(f, d)
	if err != nil {
		return err
	}
	return c.DeleteTag(f.Context(), repo, tag)
}

func newUntag(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &dataTarget{}
	var image string
	cmd := &cobra.Command{
		Use:     "untag",
		Short:   "Untag an image in an Azure Container Registry.",
		Example: "  aci acr repository untag -n myregistry --image hello:v1",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var m cmdutil.Missing
			m.Need("--image/-t", image)
			if err := m.Err(); err != nil {
				return err
			}
			r, tag, dg := splitImage(image)
			if dg != "" {
				return cmdutil.Fail("Image name must include a tag in the format 'name:tag'.")
			}
			return untagRun(f, d, o, r, tag)
		},
	}
	o.flags(cmd)
	cmd.Flags().StringVarP(&image, "image", "t", "", "The name of the image. May include a tag in the format 'name:tag'.")
	return cmd
}

// loginRun logs Docker in to the registry with the login's registry token
// (or the credentials given), or with expose prints the token instead.
func loginRun(f *cmdutil.Factory, d *Deps, o *dataTarget, expose bool) error {
	ls, err := o.loginServer(f, d)
	if err != nil {
		return err
	}
	user, password := o.User, o.Password
	if user == "" {
		if password, err = d.Token(f.Context(), ls); err != nil {
			return err
		}
		user = NullUser
	}
	if expose {
		f.Warn("You can perform manual login using the provided access token below, for example: 'docker login loginServer -u %s -p accessToken'", NullUser)
		return f.Print(map[string]any{"accessToken": password, "loginServer": ls}, cmdutil.PrintOptions{})
	}
	out, err := d.Docker(f.Context(), ls, user, password)
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(f.IO.Out, out)
	return err
}

func newLogin(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &dataTarget{}
	var expose bool
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Log in to an Azure Container Registry through the Docker CLI.",
		Long: "Log in to an Azure Container Registry through the Docker CLI.\n\n" +
			"Docker must be installed on your machine. Once done, use 'docker logout <registry url>' to log out. " +
			"With --expose-token, no Docker is needed: the registry's refresh token is printed instead.",
		Example: "  # Log in to an Azure Container Registry.\n  aci acr login -n myregistry\n\n" +
			"  # Get a token for 'docker login' elsewhere, without Docker here.\n  aci acr login -n myregistry --expose-token",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if (o.User == "") != (o.Password == "") {
				return cmdutil.Fail("Please specify both username and password in non-interactive mode.")
			}
			if expose && o.User != "" {
				return cmdutil.Fail("--expose-token cannot be used with --username or --password.")
			}
			return loginRun(f, d, o, expose)
		},
	}
	o.flags(cmd)
	cmd.Flags().BoolVarP(&expose, "expose-token", "t", false, "Expose access token instead of automatically logging in through Docker CLI.")
	return cmd
}

// dockerLogin runs `docker login`, the password on stdin (never in argv).
func dockerLogin(ctx context.Context, server, user, password string) (string, error) {
	if _, err := exec.LookPath("docker"); err != nil {
		return "", cmdutil.Fail("Could not find the docker command. Install Docker, or use 'aci acr login --expose-token' and log in elsewhere.")
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	c := exec.CommandContext(ctx, "docker", "login", "--username", user, "--password-stdin", server)
	c.Stdin = strings.NewReader(password)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		var ee *exec.ExitError
		if msg == "" || !errors.As(err, &ee) {
			msg = err.Error()
		}
		return "", cmdutil.Fail("%s", msg)
	}
	return out.String(), nil
}
