package root

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/output"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Completion of values: enums from each flag's own "Allowed values: …"
// help, and resource names (groups, container groups and their containers,
// registries, storage accounts, locations) listed through ARM and cached a
// short while in the config dir, so a tab press costs no request most times.

var allowedRE = lazyRegexp(`Allowed values: ([^.]+)\.`)

type lister func(ctx context.Context, f *cmdutil.Factory, cmd *cobra.Command) ([]string, error)

// registerCompletion walks the tree and registers value completion for
// every flag that has something to offer.
func registerCompletion(f *cmdutil.Factory, root *cobra.Command) {
	_ = root.RegisterFlagCompletionFunc("output", fixed(output.Formats))
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sc := range c.Commands() {
			walk(sc)
		}
		path := strings.TrimPrefix(c.CommandPath(), "aci ")
		c.LocalNonPersistentFlags().VisitAll(func(fl *pflag.Flag) {
			var fn func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective)
			switch {
			case fl.Name == "resource-group":
				fn = cached(f, "groups", 2*time.Minute, listGroups)
			case fl.Name == "location":
				fn = cached(f, "locations", 24*time.Hour, listLocations)
			case fl.Name == "container-name":
				fn = cached(f, "containers", 2*time.Minute, listContainers)
			case fl.Name == "name" && strings.HasPrefix(path, "container "):
				fn = cached(f, "containergroups", 2*time.Minute, listContainerGroups)
			case (fl.Name == "name" || fl.Name == "registry") && strings.HasPrefix(path, "acr "):
				fn = cached(f, "registries", 2*time.Minute, listRegistries)
			case (fl.Name == "name" || fl.Name == "account-name") && strings.HasPrefix(path, "storage account") ||
				fl.Name == "storage-account" || fl.Name == "azure-file-volume-account-name":
				fn = cached(f, "storageaccounts", 2*time.Minute, listStorageAccounts)
			default:
				if m := allowedRE().FindStringSubmatch(fl.Usage); m != nil {
					var vals []string
					for _, v := range strings.Split(m[1], ",") {
						vals = append(vals, strings.TrimSpace(v))
					}
					fn = fixed(vals)
				}
			}
			if fn != nil {
				_ = c.RegisterFlagCompletionFunc(fl.Name, fn)
			}
		})
	}
	walk(root)
}

func fixed(vals []string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(_ *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
		return filterPrefix(vals, prefix), cobra.ShellCompDirectiveNoFileComp
	}
}

func filterPrefix(vals []string, prefix string) []string {
	var out []string
	for _, v := range vals {
		if strings.HasPrefix(strings.ToLower(v), strings.ToLower(prefix)) {
			out = append(out, v)
		}
	}
	return out
}

type cacheEntry struct {
	Time   time.Time `json:"time"`
	Values []string  `json:"values"`
}

// cached answers from <config>/cache/completion-<hash>.json while fresh;
// the key holds the cloud, the subscription, what is listed and the group
// it is listed in.
func cached(f *cmdutil.Factory, kind string, ttl time.Duration, list lister) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
		scope := kind
		if g, _ := cmd.Flags().GetString("resource-group"); g != "" && kind != "groups" && kind != "locations" {
			scope += "|" + g
		}
		if n, _ := cmd.Flags().GetString("name"); kind == "containers" {
			scope += "|" + n
		}
		if cloud, sub, _, err := f.Account(); err == nil && cloud != nil {
			scope = cloud.Name + "|" + scope
			if sub != nil {
				scope = sub.ID + "|" + scope
			}
		}
		sum := sha256.Sum256([]byte(scope))
		file := filepath.Join(f.ConfigDir, "cache", "completion-"+hex.EncodeToString(sum[:8])+".json")
		var e cacheEntry
		if b, err := os.ReadFile(file); err == nil && json.Unmarshal(b, &e) == nil && time.Since(e.Time) < ttl {
			return filterPrefix(e.Values, prefix), cobra.ShellCompDirectiveNoFileComp
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		vals, err := list(ctx, f, cmd)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		sort.Strings(vals)
		if b, err := json.Marshal(cacheEntry{Time: time.Now(), Values: vals}); err == nil {
			_ = os.MkdirAll(filepath.Dir(file), 0o700)
			_ = os.WriteFile(file, b, 0o600)
		}
		return filterPrefix(vals, prefix), cobra.ShellCompDirectiveNoFileComp
	}
}

func names(items []any) []string {
	var out []string
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			if n, ok := m["name"].(string); ok {
				out = append(out, n)
			}
		}
	}
	return out
}

func groupOf(cmd *cobra.Command, f *cmdutil.Factory) string {
	g, _ := cmd.Flags().GetString("resource-group")
	f.Default(&g, "group")
	return g
}

// names of a list call made with the ARM client.
func listed[S any](ctx context.Context, f *cmdutil.Factory, make func(*arm.Client) (S, error), list func(S) ([]any, error)) ([]string, error) {
	c, err := f.ARM()
	if err != nil {
		return nil, err
	}
	svc, err := make(c)
	if err != nil {
		return nil, err
	}
	items, err := list(svc)
	return names(items), err
}

func listGroups(ctx context.Context, f *cmdutil.Factory, _ *cobra.Command) ([]string, error) {
	return listed(ctx, f, (*arm.Client).ResourceGroups, func(s *arm.ResourceGroups) ([]any, error) { return s.List(ctx, "") })
}

func listLocations(ctx context.Context, f *cmdutil.Factory, _ *cobra.Command) ([]string, error) {
	c, err := f.ARM()
	if err != nil {
		return nil, err
	}
	svc, err := c.Subscriptions()
	if err != nil {
		return nil, err
	}
	items, err := svc.Locations(ctx, c.Subscription, false)
	return names(items), err
}

func listContainerGroups(ctx context.Context, f *cmdutil.Factory, cmd *cobra.Command) ([]string, error) {
	return listed(ctx, f, (*arm.Client).ContainerGroups, func(s *arm.ContainerGroups) ([]any, error) { return s.List(ctx, groupOf(cmd, f)) })
}

func listContainers(ctx context.Context, f *cmdutil.Factory, cmd *cobra.Command) ([]string, error) {
	c, err := f.ARM()
	if err != nil {
		return nil, err
	}
	svc, err := c.ContainerGroups()
	if err != nil {
		return nil, err
	}
	name, _ := cmd.Flags().GetString("name")
	if name == "" || groupOf(cmd, f) == "" {
		return nil, nil
	}
	raw, err := svc.Get(ctx, groupOf(cmd, f), name)
	if err != nil {
		return nil, err
	}
	props, _ := raw["properties"].(map[string]any)
	cs, _ := props["containers"].([]any)
	return names(cs), nil
}

func listRegistries(ctx context.Context, f *cmdutil.Factory, cmd *cobra.Command) ([]string, error) {
	return listed(ctx, f, (*arm.Client).Registries, func(s *arm.Registries) ([]any, error) { return s.List(ctx, groupOf(cmd, f)) })
}

func listStorageAccounts(ctx context.Context, f *cmdutil.Factory, cmd *cobra.Command) ([]string, error) {
	return listed(ctx, f, (*arm.Client).StorageAccounts, func(s *arm.StorageAccounts) ([]any, error) { return s.List(ctx, groupOf(cmd, f)) })
}

// lazyRegexp compiles expr on first use: package-level regexps compile in
// init, on every command's start-up, whether or not the command needs them.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
