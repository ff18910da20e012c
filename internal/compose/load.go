// Package compose turns a Compose project into one ACI container group: it
// loads the project with the Compose Specification's own library
// (compose-go: interpolation, .env, profiles, extends, merged -f files, as
// Docker Compose does) and maps it to the group document `aci container
// create --file` takes, refusing what ACI cannot do with one line that names
// the key and the reason. It knows nothing of ARM or the CLI: the commands in
// internal/cli/compose deploy what it returns.
package compose

import (
	"context"
	"fmt"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// LoadOptions say which project to load, as docker compose's global flags do.
type LoadOptions struct {
	Files    []string // -f, in order (later files override earlier ones)
	Project  string   // -p
	WorkDir  string   // --project-directory
	Profiles []string // --profile
	EnvFiles []string // --env-file

	// skipSchema skips compose-go's JSON-schema check (fuzzing: under
	// coverage instrumentation the check takes seconds an input).
	skipSchema bool
}

// Load reads and resolves a Compose project.
func Load(ctx context.Context, o LoadOptions) (*types.Project, error) {
	// docker compose's order: the working directory and config files decide
	// where the default .env is.
	var opts []cli.ProjectOptionsFn
	if o.WorkDir != "" {
		opts = append(opts, cli.WithWorkingDirectory(o.WorkDir))
	}
	opts = append(opts, cli.WithOsEnv, cli.WithConfigFileEnv, cli.WithDefaultConfigPath,
		cli.WithEnvFiles(o.EnvFiles...), cli.WithDotEnv, cli.WithDefaultProfiles())
	if len(o.Profiles) > 0 {
		opts = append(opts, cli.WithProfiles(o.Profiles))
	}
	if o.Project != "" {
		opts = append(opts, cli.WithName(o.Project))
	}
	if o.skipSchema {
		opts = append(opts, cli.WithLoadOptions(func(lo *loader.Options) { lo.SkipValidation = true }))
	}
	po, err := cli.NewProjectOptions(o.Files, opts...)
	if err != nil {
		return nil, err
	}
	p, err := po.LoadProject(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s", strings.TrimSpace(err.Error()))
	}
	return p, nil
}
