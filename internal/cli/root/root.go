// Package root assembles aci's command tree and az's global arguments.
package root

import (
	"context"
	"github.com/aci-cli/aci/internal/cli/acr"
	"io"
	"strings"

	"github.com/aci-cli/aci/internal/build"
	"github.com/aci-cli/aci/internal/cli/account"
	"github.com/aci-cli/aci/internal/cli/bench"
	"github.com/aci-cli/aci/internal/cli/cloud"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/cli/completion"
	"github.com/aci-cli/aci/internal/cli/compose"
	"github.com/aci-cli/aci/internal/cli/configure"
	"github.com/aci-cli/aci/internal/cli/connector"
	"github.com/aci-cli/aci/internal/cli/container"
	"github.com/aci-cli/aci/internal/cli/deployment"
	"github.com/aci-cli/aci/internal/cli/group"
	"github.com/aci-cli/aci/internal/cli/local"
	"github.com/aci-cli/aci/internal/cli/login"
	"github.com/aci-cli/aci/internal/cli/provider"
	"github.com/aci-cli/aci/internal/cli/rest"
	"github.com/aci-cli/aci/internal/cli/storage"
	"github.com/aci-cli/aci/internal/cli/version"
	"github.com/aci-cli/aci/internal/output"
	"github.com/spf13/cobra"
)

// New builds the root command with every group (documentation, completion,
// the root's help).
func New(f *cmdutil.Factory) *cobra.Command {
	root := newRoot(f)
	for _, name := range groupOrder {
		root.AddCommand(groups[name](f))
	}
	finish(f, root, true)
	return root
}

// groups build the top-level commands. A command line names one of them
// first, and only that one is built: the whole tree (121 commands, their
// flags) is most of aci's start-up.
var groups = map[string]func(*cmdutil.Factory) *cobra.Command{
	"group": func(f *cmdutil.Factory) *cobra.Command {
		c := group.NewCmd(f)
		// The older spelling the seed uses: `group deployment create`.
		c.AddCommand(deployment.NewGroupDeployment(f))
		return c
	},
	"container":  container.NewCmd,
	"compose":    compose.NewCmd,
	"bench":      bench.NewCmd,
	"provider":   provider.NewCmd,
	"account":    account.NewCmd,
	"cloud":      cloud.NewCmd,
	"login":      login.NewCmdLogin,
	"logout":     func(f *cmdutil.Factory) *cobra.Command { return login.NewCmdLogout(f, nil) },
	"configure":  configure.NewCmd,
	"version":    version.NewCmd,
	"completion": func(*cmdutil.Factory) *cobra.Command { return completion.NewCmd() },
	"local":      local.NewCmd,
	"connector":  connector.NewCmd,
	"rest":       rest.NewCmd,
	"acr":        acr.NewCmd,
	"storage":    storage.NewCmd,
	"deployment": deployment.NewCmd,
}

// groupOrder is the order the root's help lists them in.
var groupOrder = []string{"group", "container", "compose", "bench", "provider", "account", "cloud", "login", "logout",
	"configure", "version", "completion", "local", "connector", "rest", "acr", "storage", "deployment"}

// newFor builds the tree a command line needs: its first word's group
// alone, or everything (the root's help, a misspelt group, completion).
func newFor(f *cmdutil.Factory, args []string) *cobra.Command {
	first := ""
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			first = a
			break
		}
	}
	build, ok := groups[first]
	if !ok {
		return New(f)
	}
	root := newRoot(f)
	root.AddCommand(build(f))
	finish(f, root, false)
	return root
}

// finish applies what every tree gets: argparse's leaves, [Required]
// marks, and (for completion) value completion of every flag.
func finish(f *cmdutil.Factory, root *cobra.Command, completion bool) {
	markLeaves(root)
	markRequired(root)
	if completion {
		registerCompletion(f, root)
	}
}

// newRoot is the root command: az's global arguments, help and errors.
func newRoot(f *cmdutil.Factory) *cobra.Command {
	root := cmdutil.GroupCommand(&cobra.Command{
		Use:           "aci",
		Short:         "A fast, az-compatible command-line tool for Azure Container Instances.",
		Version:       build.Version,
		SilenceErrors: true,
		SilenceUsage:  true,
	})
	root.SetVersionTemplate("aci {{.Version}}\n")
	g := &f.Globals
	pf := root.PersistentFlags()
	pf.StringVarP(&g.Output, "output", "o", "", "Output format. Allowed values: json, jsonc, none, table, tsv, yaml, yamlc.")
	pf.StringVar(&g.Query, "query", "", "JMESPath query string. See http://jmespath.org/ for more information and examples.")
	pf.StringVar(&g.Subscription, "subscription", "", "Name or ID of subscription. You can configure the default subscription using 'aci account set -s NAME_OR_ID'.")
	pf.BoolVar(&g.Debug, "debug", false, "Increase logging verbosity to show all debug logs.")
	pf.BoolVar(&g.Verbose, "verbose", false, "Increase logging verbosity. Use --debug for full debug logs.")
	pf.BoolVar(&g.OnlyShowErrors, "only-show-errors", false, "Only show errors, suppressing warnings.")
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		return globals(f, cmd)
	}
	root.SetFlagErrorFunc(cmdutil.FlagError)
	root.SetUsageFunc(func(c *cobra.Command) error {
		_, err := io.WriteString(c.OutOrStderr(), cmdutil.Usage(c))
		return err
	})
	// az's help is the layout alone: the summary is its first section.
	root.SetHelpFunc(func(c *cobra.Command, _ []string) {
		_, _ = io.WriteString(c.OutOrStdout(), cmdutil.Usage(c))
	})
	return root
}

// markLeaves makes every leaf command reject stray positional arguments the way
// argparse does, instead of cobra's "unknown command".
func markLeaves(c *cobra.Command) {
	for _, sc := range c.Commands() {
		if sc.HasSubCommands() {
			markLeaves(sc)
			continue
		}
		if sc.Args == nil {
			sc.Args = cobra.NoArgs
		}
		inner := sc.Args
		sc.Args = func(cmd *cobra.Command, args []string) error {
			if err := inner(cmd, args); err != nil {
				// Name only the words beyond what the command takes.
				for k := len(args) - 1; k >= 0; k-- {
					if inner(cmd, args[:k]) == nil {
						return cmdutil.UsageError("unrecognized arguments: %s", strings.Join(args[k:], " "))
					}
				}
				return cmdutil.UsageError("unrecognized arguments: %s", strings.Join(args, " "))
			}
			return nil
		}
	}
}

func globals(f *cmdutil.Factory, cmd *cobra.Command) error {
	g := &f.Globals
	if g.OnlyShowErrors && (g.Debug || g.Verbose) {
		return cmdutil.Fail("--only-show-errors can't be used together with --debug or --verbose")
	}
	if !cmd.Flags().Changed("output") {
		g.Output = "json"
		if cfg, err := f.Config(); err == nil {
			g.Output = cfg.Get("core", "output", "json")
		}
	} else {
		g.Output = strings.ToLower(g.Output)
		if !output.ValidFormat(g.Output) {
			return cmdutil.UsageError("%s: '%s' is not a valid value for '--output'. Allowed values: %s.",
				cmd.CommandPath(), g.Output, strings.Join(output.Formats, ", "))
		}
	}
	if _, err := f.Query(); err != nil {
		return err
	}
	if cmd.Context() != nil {
		f.Ctx = cmd.Context()
	}
	return nil
}

// Execute runs aci with args (without the program name).
func Execute(ctx context.Context, f *cmdutil.Factory, args []string) error {
	root := newFor(f, args)
	root.InitDefaultHelpCmd()
	// The words before the first flag name the command: a word that names no
	// subcommand of a group is a misspelling, whatever flags follow it
	// ("aci contaner list -g x" is not about -g).
	cur := root
	for _, a := range args {
		if strings.HasPrefix(a, "-") || strings.HasPrefix(a, "__") || !cur.HasSubCommands() {
			break
		}
		next, _, err := cur.Find([]string{a})
		if err != nil || next == cur {
			return cmdutil.UnknownCommand(cur, a)
		}
		cur = next
	}
	root.SetArgs(cmdutil.ExpandNArgs(root, args))
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	err := root.ExecuteContext(ctx)
	if err != nil && strings.HasPrefix(err.Error(), "unknown command ") {
		// cobra's own wording for the root's unknown subcommand.
		name := strings.TrimPrefix(err.Error(), "unknown command ")
		name = strings.Trim(strings.SplitN(name, " for ", 2)[0], `"`)
		return cmdutil.UnknownCommand(root, name)
	}
	return err
}

// requiredFlags are the arguments each command refuses to run without
// (checked in its run function, in az's words), marked [Required] in its
// help. TestRequiredArgumentsMarkedInHelp runs every command bare and keeps
// this table true.
var requiredFlags = map[string][]string{
	"bench report":                           {"from"},
	"connector run":                          {"resource-group"},
	"account set":                            {"subscription"},
	"acr check-name":                         {"name"},
	"acr credential renew":                   {"password-name"},
	"acr credential show":                    {"name"},
	"acr delete":                             {"name"},
	"acr import":                             {"source"},
	"acr login":                              {"name"},
	"acr repository list":                    {"name"},
	"acr repository show-manifests":          {"repository"},
	"acr repository show-tags":               {"repository"},
	"acr repository untag":                   {"image"},
	"acr show-endpoints":                     {"name"},
	"acr show-usage":                         {"name"},
	"acr show":                               {"name"},
	"acr task list-runs":                     {"registry"},
	"acr task logs":                          {"registry"},
	"acr update":                             {"name"},
	"bench cleanup":                          {"resource-group"},
	"cloud register":                         {"name"},
	"cloud set":                              {"name"},
	"cloud unregister":                       {"name"},
	"cloud update":                           {"name"},
	"container attach":                       {"name", "resource-group"},
	"container exec":                         {"exec-command"},
	"container export":                       {"name", "resource-group"},
	"container logs":                         {"name", "resource-group"},
	"container wait":                         {"name", "resource-group"},
	"deployment group cancel":                {"name", "resource-group"},
	"deployment group delete":                {"name", "resource-group"},
	"deployment group export":                {"name", "resource-group"},
	"deployment group list":                  {"resource-group"},
	"deployment group show":                  {"name", "resource-group"},
	"deployment group wait":                  {"name", "resource-group"},
	"deployment operation group list":        {"name", "resource-group"},
	"deployment operation group show":        {"name", "resource-group"},
	"group create":                           {"location", "name"},
	"group delete":                           {"name"},
	"group deployment delete":                {"name", "resource-group"},
	"group deployment export":                {"name", "resource-group"},
	"group deployment list":                  {"resource-group"},
	"group deployment operation list":        {"name", "resource-group"},
	"group deployment show":                  {"name", "resource-group"},
	"group deployment wait":                  {"name", "resource-group"},
	"group exists":                           {"name"},
	"group show":                             {"name"},
	"group update":                           {"name"},
	"group wait":                             {"name"},
	"provider operation show":                {"namespace"},
	"provider register":                      {"namespace"},
	"provider show":                          {"namespace"},
	"provider unregister":                    {"namespace"},
	"rest":                                   {"url"},
	"storage account check-name":             {"name"},
	"storage account delete":                 {"name"},
	"storage account generate-sas":           {"resource-types", "services"},
	"storage account keys list":              {"account-name"},
	"storage account keys renew":             {"key"},
	"storage account show-connection-string": {"name"},
	"storage account show":                   {"name"},
	"storage account update":                 {"name"},
	"storage directory create":               {"name", "share-name"},
	"storage directory delete":               {"name", "share-name"},
	"storage directory exists":               {"name", "share-name"},
	"storage directory list":                 {"share-name"},
	"storage file delete":                    {"path", "share-name"},
	"storage file download-batch":            {"destination", "source"},
	"storage file download":                  {"path", "share-name"},
	"storage file exists":                    {"path", "share-name"},
	"storage file list":                      {"share-name"},
	"storage file show":                      {"path", "share-name"},
	"storage file upload-batch":              {"destination", "source"},
	"storage file upload":                    {"share-name", "source"},
	"storage share create":                   {"name"},
	"storage share delete":                   {"name"},
	"storage share exists":                   {"name"},
	"storage share generate-sas":             {"name"},
	"storage share show":                     {"name"},
	"storage share stats":                    {"name"},
	"storage share-rm create":                {"name", "storage-account"},
	"storage share-rm delete":                {"name", "storage-account"},
	"storage share-rm exists":                {"name", "storage-account"},
	"storage share-rm list":                  {"storage-account"},
	"storage share-rm show":                  {"name", "storage-account"},
	"storage share-rm update":                {"name", "storage-account"},
}

// markRequired marks requiredFlags in the tree's help.
func markRequired(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		path := strings.TrimPrefix(c.CommandPath(), root.Name()+" ")
		if names, ok := requiredFlags[path]; ok {
			cmdutil.Required(c, names...)
		}
		for _, sc := range c.Commands() {
			walk(sc)
		}
	}
	walk(root)
}
