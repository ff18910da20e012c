package acr

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/google/uuid"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	"github.com/spf13/cobra"
)

// Builds is what `acr build` needs beyond the registry service.
type Builds interface {
	BuildSourceUploadURL(ctx context.Context, rg, name string) (arm.Raw, error)
	ScheduleRun(ctx context.Context, rg, name string, body any) (arm.Raw, error)
	Run(ctx context.Context, rg, name, runID string) (arm.Raw, error)
	RunLogURL(ctx context.Context, rg, name, runID string) (arm.Raw, error)
}

// BuildOptions are `acr build`'s arguments.
type BuildOptions struct {
	target
	Images, BuildArgs, SecretArgs []string
	File, Platform, Target        string
	NoPush, NoLogs, NoWait        bool
	NoCache                       bool
	Timeout                       int
	Source                        string
}

// vcsNames are never sent, as az leaves them out.
var vcsNames = map[string]bool{".git": true, ".gitignore": true, ".bzr": true, "bzrignore": true, ".hg": true, ".hgignore": true, ".svn": true}

// packContext writes the context as tar.gz: what .dockerignore excludes
// (Docker's own pattern rules, '!' and '**' included) and version-control
// directories are left out, symbolic links stay links, and a Dockerfile
// outside the context goes in under a unique name.
func packContext(dir, dockerfile string, w io.Writer) (string, error) {
	inTar, outside := dockerfileInTar(dir, dockerfile)
	pm, err := dockerignore(dir, inTar)
	if err != nil {
		return "", err
	}
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		if vcsNames[d.Name()] {
			return skip(d)
		}
		if pm != nil {
			excluded, err := pm.MatchesOrParentMatches(rel)
			if err != nil {
				return err
			}
			if excluded {
				// A '!' pattern may bring back something below, as Docker
				// walks on for it.
				if d.IsDir() && pm.Exclusions() {
					return nil
				}
				return skip(d)
			}
		}
		return addToTar(tw, p, rel, d)
	})
	if err == nil && outside {
		inTar = uuid.NewString() + "_" + filepath.Base(dockerfile)
		err = addFileAs(tw, dockerfile, inTar)
	}
	if err != nil {
		return "", err
	}
	if err := tw.Close(); err != nil {
		return "", err
	}
	return inTar, gz.Close()
}

// dockerfileInTar is the Dockerfile's path in the context, or outside
// when it lives elsewhere.
func dockerfileInTar(dir, dockerfile string) (string, bool) {
	if dockerfile == "" {
		return "Dockerfile", false
	}
	abs, err1 := filepath.Abs(dockerfile)
	absDir, err2 := filepath.Abs(dir)
	if rel, err := filepath.Rel(absDir, abs); err1 == nil && err2 == nil && err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel), false
	}
	return "", true
}

// dockerignore reads the context's .dockerignore (nil when there is none).
// The Dockerfile and .dockerignore itself are always sent, as the Docker
// CLI does.
func dockerignore(dir, dockerfile string) (*patternmatcher.PatternMatcher, error) {
	f, err := os.Open(filepath.Join(dir, ".dockerignore"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf(".dockerignore: %w", err)
	}
	patterns = append(patterns, "!.dockerignore")
	if dockerfile != "" {
		patterns = append(patterns, "!"+dockerfile)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return nil, fmt.Errorf(".dockerignore: %w", err)
	}
	return pm, nil
}

func skip(d fs.DirEntry) error {
	if d.IsDir() {
		return filepath.SkipDir
	}
	return nil
}

// addToTar adds one entry of the context: a regular file with its bytes,
// a directory, or a symbolic link as a link.
func addToTar(tw *tar.Writer, p, rel string, d fs.DirEntry) error {
	fi, err := d.Info()
	if err != nil {
		return err
	}
	link := ""
	if fi.Mode()&fs.ModeSymlink != 0 {
		if link, err = os.Readlink(p); err != nil {
			return err
		}
	}
	h, err := tar.FileInfoHeader(fi, link)
	if err != nil {
		return err
	}
	h.Name = rel
	if err := tw.WriteHeader(h); err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return nil
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(tw, f)
	return err
}

// addFileAs adds a file from outside the context under name.
func addFileAs(tw *tar.Writer, path, name string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), ModTime: time.Now()}); err != nil {
		return err
	}
	_, err = tw.Write(b)
	return err
}

func newBuild(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &BuildOptions{}
	cmd := &cobra.Command{
		Use:   "build SOURCE_LOCATION",
		Short: "Queues a quick build, providing streaming logs for an Azure Container Registry.",
		Long: "Queues a quick build, providing streaming logs for an Azure Container Registry.\n\n" +
			"SOURCE_LOCATION is a local directory (the build context). On aci local the build runs on this machine's Docker " +
			"engine and pulls nothing from the internet: base images must be local, in a loopback registry, or 'scratch'.",
		Example: "  # Queue a local context as a build, tag it and push it to the registry.\n  aci acr build -t sample/hello-world:v1 -r myregistry .\n\n" +
			"  # Queue a build without pushing it, to check that it builds.\n  aci acr build -t sample/hello-world:v1 -r myregistry --no-push .\n\n" +
			"  # Pass a build argument, with the Dockerfile elsewhere.\n  aci acr build -t hello:v1 -r myregistry -f docker/Dockerfile --build-arg VERSION=1 .",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cmdutil.UsageError("the following arguments are required: <SOURCE_LOCATION>")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Source = args[0]
			return runBuild(f, d, o)
		},
	}
	o.nameFlag = "--registry/-r"
	cmd.Flags().StringVarP(&o.Name, "registry", "r", "", "The name of the container registry. It should be specified in lower case. You can configure the default registry name using 'aci configure --defaults acr=<registry name>'.")
	cmd.Flags().StringVarP(&o.Group, "resource-group", "g", "", "Name of resource group.")
	cmd.Flags().StringArrayVarP(&o.Images, "image", "t", nil, "The name and tag of the image using the format: '-t repo/image:tag'. Multiple tags are supported by passing -t multiple times.")
	cmd.Flags().StringVarP(&o.File, "file", "f", "", "The relative path of the Docker file to the source code root folder. Default to 'Dockerfile'.")
	cmd.Flags().StringArrayVar(&o.BuildArgs, "build-arg", nil, "Build argument in '--build-arg name[=value]' format. Multiples supported by passing --build-arg multiple times.")
	cmd.Flags().StringArrayVar(&o.SecretArgs, "secret-build-arg", nil, "Secret build argument in '--secret-build-arg name[=value]' format.")
	cmd.Flags().BoolVar(&o.NoPush, "no-push", false, "Indicates whether the image built should be pushed to the registry.")
	cmd.Flags().BoolVar(&o.NoLogs, "no-logs", false, "Do not show logs after successfully queuing the build.")
	cmd.Flags().BoolVar(&o.NoWait, "no-wait", false, "Do not wait for the run to complete and return immediately after queuing the run.")
	cmd.Flags().BoolVar(&o.NoCache, "no-cache", false, "Indicates whether the image cache is enabled.")
	cmd.Flags().StringVar(&o.Platform, "platform", "", "The platform where build/task is run, Eg, 'windows' and 'linux'. Default to 'linux'.")
	cmd.Flags().StringVar(&o.Target, "target", "", "The name of the target build stage.")
	cmd.Flags().IntVar(&o.Timeout, "timeout", 0, "The timeout in seconds.")
	return cmd
}

func runBuild(f *cmdutil.Factory, d *Deps, o *BuildOptions) error {
	if err := o.checkSource(f); err != nil {
		return err
	}
	svc, err := o.resolve(f, d, false)
	if err != nil {
		return err
	}
	b, ok := svc.(Builds)
	if !ok {
		return cmdutil.Fail("builds are not available")
	}
	ctx := f.Context()
	rel, dockerfile, err := uploadContext(f, d, b, o)
	if err != nil {
		return err
	}
	if len(o.Images) == 0 && !o.NoPush {
		f.Warn("The build will not be pushed: no image names were given with -t.")
	}
	run, err := b.ScheduleRun(ctx, o.Group, o.Name, o.request(rel, dockerfile))
	if err != nil {
		return err
	}
	props, _ := run["properties"].(map[string]any)
	runID, _ := props["runId"].(string)
	f.Warn("Queued a build with ID: %s", runID)
	if o.NoWait {
		return f.Print(map[string]any(run), cmdutil.PrintOptions{Table: runTable})
	}
	f.Warn("Waiting for an agent...")
	if o.NoLogs {
		return waitRun(f, b, o, runID)
	}
	return followRun(f, d, b, o, runID)
}

// checkSource finds the context and its Dockerfile, as az does.
func (o *BuildOptions) checkSource(f *cmdutil.Factory) error {
	fi, err := os.Stat(o.Source)
	if err != nil || !fi.IsDir() {
		return cmdutil.Fail("Source location should be a local directory path or remote URL.")
	}
	if o.File == "" {
		f.Info("'--file or -f' is not provided. '%s' is used.", filepath.Join(o.Source, "Dockerfile"))
		if _, err := os.Stat(filepath.Join(o.Source, "Dockerfile")); err != nil {
			return cmdutil.Fail("Unable to find '%s'.", filepath.Join(o.Source, "Dockerfile"))
		}
	} else if _, err := os.Stat(o.File); err != nil {
		return cmdutil.Fail("Unable to find '%s'.", o.File)
	}
	return nil
}

// uploadContext packs the context and uploads it where the registry says;
// it returns the upload's relative path and the Dockerfile's path in it.
func uploadContext(f *cmdutil.Factory, d *Deps, b Builds, o *BuildOptions) (rel, dockerfile string, err error) {
	f.Warn("Packing source code into tar to upload...")
	tmp, err := os.CreateTemp("", "aci-build-*.tar.gz")
	if err != nil {
		return "", "", err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	dockerfile, err = packContext(o.Source, o.File, tmp)
	if err != nil {
		return "", "", cmdutil.Fail("Packing the source code failed: %v", err)
	}
	size, _ := tmp.Seek(0, io.SeekCurrent)
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return "", "", err
	}
	f.Warn("Uploading archived source code from '%s'...", tmp.Name())
	up, err := b.BuildSourceUploadURL(f.Context(), o.Group, o.Name)
	if err != nil {
		return "", "", err
	}
	uploadURL, _ := up["uploadUrl"].(string)
	rel, _ = up["relativePath"].(string)
	if uploadURL == "" {
		return "", "", cmdutil.Fail("Failed to get a SAS URL to upload context.")
	}
	if err := d.Upload(f.Context(), uploadURL, tmp); err != nil {
		return "", "", err
	}
	f.Warn("Sending context (%s) to registry: %s...", humanSize(size), o.Name)
	return rel, dockerfile, nil
}

// request is the DockerBuildRequest az sends.
func (o *BuildOptions) request(rel, dockerfile string) map[string]any {
	var arguments []any
	for _, set := range []struct {
		list   []string
		secret bool
	}{{o.BuildArgs, false}, {o.SecretArgs, true}} {
		for _, a := range set.list {
			k, v, hasV := strings.Cut(a, "=")
			if !hasV {
				v = os.Getenv(k)
			}
			arguments = append(arguments, map[string]any{"type": "Argument", "name": k, "value": v, "isSecret": set.secret})
		}
	}
	platform := o.Platform
	if platform == "" {
		platform = "linux"
	}
	body := map[string]any{"type": "DockerBuildRequest", "isArchiveEnabled": false, "imageNames": o.Images,
		"isPushEnabled": !o.NoPush && len(o.Images) > 0, "noCache": o.NoCache, "dockerFilePath": dockerfile,
		"sourceLocation": rel, "platform": map[string]any{"os": platform}, "agentConfiguration": map[string]any{}}
	if arguments != nil {
		body["arguments"] = arguments
	}
	if o.Target != "" {
		body["target"] = o.Target
	}
	if o.Timeout > 0 {
		body["timeout"] = o.Timeout
	}
	return body
}

// waitRun polls the run until it ends and prints it (--no-logs).
func waitRun(f *cmdutil.Factory, b Builds, o *BuildOptions, runID string) error {
	var final arm.Raw
	err := cmdutil.Poll(f.Context(), f.FollowInterval(), 0, func(ctx context.Context) (bool, error) {
		r, err := b.Run(ctx, o.Group, o.Name, runID)
		final = r
		st, _ := r["properties"].(map[string]any)
		s, _ := st["status"].(string)
		return err != nil || (s != "Queued" && s != "Running" && s != "Started"), err
	})
	if err != nil {
		return err
	}
	return f.Print(map[string]any(final), cmdutil.PrintOptions{Table: runTable})
}

// followRun streams the run's log until it ends, failing as az does.
func followRun(f *cmdutil.Factory, d *Deps, b Builds, o *BuildOptions, runID string) error {
	logs, err := b.RunLogURL(f.Context(), o.Group, o.Name, runID)
	if err != nil {
		return err
	}
	link, _ := logs["logLink"].(string)
	if link == "" {
		return cmdutil.Fail("Could not get logs for ID: %s", runID)
	}
	status, err := d.FollowLog(f.Context(), link, f.IO.Out, f.FollowInterval())
	if err != nil {
		return err
	}
	switch strings.ToLower(status) {
	case "internalerror", "failed":
		return cmdutil.Fail("Run failed")
	case "timedout":
		return cmdutil.Fail("Run timed out")
	case "canceled":
		return cmdutil.Fail("Run was canceled")
	}
	return nil
}

// humanSize is az's "1.234 KiB".
func humanSize(n int64) string {
	units := []string{"Bytes", "KiB", "MiB", "GiB"}
	v, i := float64(n), 0
	for v >= 1024 && i < len(units)-1 {
		v, i = v/1024, i+1
	}
	return fmt.Sprintf("%.3f %s", v, units[i])
}
