// Package configure implements `aci configure`: defaults and settings in the
// config file, as `az configure`.
package configure

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/config"
	"github.com/spf13/cobra"
)

// Options are `aci configure`'s arguments.
type Options struct {
	Defaults     []string
	ListDefaults string
	Scope        string

	list bool // --list-defaults was given, and not as false
}

// configureRun lists the defaults, sets the ones given, or asks (on a
// terminal) for the output format; --scope local uses ./.aci/config.
func configureRun(f *cmdutil.Factory, o *Options) error {
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	if o.Scope == "local" {
		if cfg, err = config.Load(filepath.Join(".", ".aci")); err != nil {
			return err
		}
	}
	switch {
	case o.list:
		return list(f, cfg)
	case len(o.Defaults) > 0:
		return setDefaults(cfg, o.Defaults)
	}
	if !f.IO.StdinTTY {
		return cmdutil.Fail("This command is interactive and no tty available.")
	}
	return interactive(f, cfg)
}

// setDefaults writes name=value pairs in the order given; ” clears one.
func setDefaults(cfg *config.Config, pairs []string) error {
	vals := map[string]string{}
	var order []string
	for _, d := range pairs {
		k, v, ok := strings.Cut(d, "=")
		if !ok {
			return cmdutil.Fail("usage error: --defaults STRING=STRING STRING=STRING ...")
		}
		if v == "''" || v == `""` {
			v = ""
		}
		vals[k] = v
		order = append(order, k)
	}
	return cfg.SetMany("defaults", vals, order)
}

// NewCmd builds `aci configure`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	o := &Options{}
	cmd := &cobra.Command{
		Use:   "configure",
		Short: "Manage aci configuration. This command is interactive.",
		Example: `  aci configure --defaults group=myRG location=westeurope
  aci configure --list-defaults`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := cmdutil.Choice(cmd, "--scope", o.Scope, "global", "local"); err != nil {
				return err
			}
			o.list = cmd.Flags().Changed("list-defaults") && o.ListDefaults != "false"
			return configureRun(f, o)
		},
	}
	cmd.Flags().StringArrayVarP(&o.Defaults, "defaults", "d", nil, "Space-separated 'name=value' pairs for common argument defaults.")
	cmd.Flags().StringVarP(&o.ListDefaults, "list-defaults", "l", "false", "List all applicable defaults.")
	cmdutil.OptionalValue(cmd, "list-defaults", "true")
	cmd.Flags().StringVar(&o.Scope, "scope", "global", "Scope of defaults. Using \"local\" for settings only effective under current folder.")
	cmdutil.NArgs(cmd, "defaults")
	return cmd
}

// list prints the non-empty defaults with where each came from.
func list(f *cmdutil.Factory, cfg *config.Config) error {
	names := map[string]bool{}
	for k := range cfg.Section("defaults") {
		names[k] = true
	}
	for _, e := range os.Environ() {
		k, _, _ := strings.Cut(e, "=")
		for _, p := range []string{"ACI_DEFAULTS_", "AZURE_DEFAULTS_"} {
			if strings.HasPrefix(k, p) {
				names[strings.ToLower(strings.TrimPrefix(k, p))] = true
			}
		}
	}
	var keys []string
	for k := range names {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := []any{}
	for _, k := range keys {
		v, src, ok := cfg.Lookup("defaults", k)
		if !ok || v == "" {
			continue
		}
		if rel, err := filepath.Rel(mustGetwd(), src); err == nil && !strings.HasPrefix(rel, "..") && filepath.IsAbs(src) {
			src = rel
		}
		out = append(out, map[string]any{"name": k, "source": src, "value": v})
	}
	return f.Print(out, cmdutil.PrintOptions{})
}

func mustGetwd() string {
	wd, _ := os.Getwd()
	return wd
}

func interactive(f *cmdutil.Factory, cfg *config.Config) error {
	in := bufio.NewReader(f.IO.In)
	fmt.Fprintln(f.IO.ErrOut, "Welcome to aci! This command will guide you through logging in and configuring some default settings.")
	fmt.Fprintln(f.IO.ErrOut, "\nWhat default output format would you like?")
	formats := []string{"json", "jsonc", "yaml", "yamlc", "table", "tsv", "none"}
	for i, fm := range formats {
		fmt.Fprintf(f.IO.ErrOut, " [%d] %s\n", i+1, fm)
	}
	fmt.Fprint(f.IO.ErrOut, "Please enter a choice [Default choice(1)]: ")
	// Ctrl-C (or the end of input) at the prompt writes nothing: the read
	// waits in a goroutine, and an interrupt ends the command at once.
	type answer struct {
		line string
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		line, err := in.ReadString('\n')
		got <- answer{line, err}
	}()
	var line string
	select {
	case <-f.Context().Done():
		fmt.Fprintln(f.IO.ErrOut)
		return cmdutil.SilentExit(1)
	case a := <-got:
		if a.err != nil && strings.TrimSpace(a.line) == "" {
			fmt.Fprintln(f.IO.ErrOut)
			return cmdutil.Fail("No choice was read (the input ended); nothing was configured.")
		}
		line = a.line
	}
	choice := 1
	if _, err := fmt.Sscanf(strings.TrimSpace(line), "%d", &choice); err != nil {
		choice = 1 // az takes anything but a listed number as the default
	}
	if choice < 1 || choice > len(formats) {
		choice = 1
	}
	if err := cfg.Set("core", "output", formats[choice-1]); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "\nYour settings can be found at %s\n", cfg.Path())
	return nil
}
