// Package storage implements `aci storage`: storage accounts and file shares
// over ARM (account, share-rm) and the Azure Files data plane (share,
// directory, file) through the official azfile client, with az's credential
// resolution, outputs and exit codes.
package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/azshape"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/spf13/cobra"
)

// Service is what the account and share-rm commands need from ARM.
type Service interface {
	Create(ctx context.Context, rg, name string, body any, wait bool, tick arm.Progress) (arm.Raw, error)
	Update(ctx context.Context, rg, name string, patch any) (arm.Raw, error)
	Get(ctx context.Context, rg, name string) (arm.Raw, error)
	List(ctx context.Context, rg string) ([]any, error)
	Delete(ctx context.Context, rg, name string) error
	Keys(ctx context.Context, rg, name string) (arm.Raw, error)
	RenewKey(ctx context.Context, rg, name, keyName string) (arm.Raw, error)
	CheckName(ctx context.Context, name string) (arm.Raw, error)
	FindGroup(ctx context.Context, name string) (string, error)
	ShareCreate(ctx context.Context, rg, account, share string, body any) (arm.Raw, error)
	ShareUpdate(ctx context.Context, rg, account, share string, body any) (arm.Raw, error)
	ShareGet(ctx context.Context, rg, account, share string) (arm.Raw, error)
	ShareList(ctx context.Context, rg, account string) ([]any, error)
	ShareDelete(ctx context.Context, rg, account, share string) error
}

// Deps are the services a command uses; tests replace them.
type Deps struct {
	Service   func() (Service, error)
	Group     func(ctx context.Context, name string) (arm.Raw, error)
	DataPlane func() (*arm.DataPlane, error)
}

func defaultDeps(f *cmdutil.Factory) *Deps {
	return &Deps{
		Service: func() (Service, error) {
			c, err := f.ARM()
			if err != nil {
				return nil, err
			}
			return c.StorageAccounts()
		},
		Group: func(ctx context.Context, name string) (arm.Raw, error) {
			c, err := f.ARM()
			if err != nil {
				return nil, err
			}
			rg, err := c.ResourceGroups()
			if err != nil {
				return nil, err
			}
			return rg.Get(ctx, name)
		},
		// The data plane needs no login: a key, a SAS or a connection string is
		// the credential, and the active cloud only lends its transport (its CA
		// and loopback names for aci local).
		DataPlane: func() (*arm.DataPlane, error) {
			cloud, _, _, err := f.Account()
			if err != nil {
				return nil, err
			}
			o, _ := f.ClientOptions(cloud)
			co, err := arm.ClientOptions(o, cloud)
			if err != nil {
				return nil, err
			}
			return &arm.DataPlane{Cloud: cloud, Options: co}, nil
		},
	}
}

// NewCmd builds `aci storage`.
func NewCmd(f *cmdutil.Factory) *cobra.Command { return NewCmdWith(f, defaultDeps(f)) }

// NewCmdWith builds `aci storage` over the given services.
func NewCmdWith(f *cmdutil.Factory, d *Deps) *cobra.Command {
	cmd := cmdutil.GroupCommand(&cobra.Command{Use: "storage", Short: "Manage Azure Cloud Storage resources."})
	cmd.AddCommand(newAccount(f, d), newShareRM(f, d), newShare(f, d), newDirectory(f, d), newFile(f, d))
	return cmd
}

// AccountShape is a storage account as az prints it.
func AccountShape(raw any) any { return azshape.Shape(raw, azshape.StorageAccount) }

// ShareRMShape is an ARM file share as az prints it.
func ShareRMShape(raw any) any { return azshape.Shape(raw, azshape.FileShare) }

// account is an account named by -n (or --account-name) and -g.
type account struct {
	Name, Group string
}

func (a *account) flags(cmd *cobra.Command, nameFlag string) {
	if nameFlag == "name" {
		cmd.Flags().StringVarP(&a.Name, "name", "n", "", "The storage account name.")
	} else {
		cmd.Flags().StringVarP(&a.Name, "account-name", "n", "", "The storage account name.")
	}
	cmd.Flags().StringVarP(&a.Group, "resource-group", "g", "", "Name of resource group. You can configure the default group using 'aci configure --defaults group=<name>'.")
}

// resolve checks the name and, without -g, finds the account's group by
// listing the subscription's accounts, as az does.
func (a *account) resolve(f *cmdutil.Factory, d *Deps, flag string) (Service, error) {
	var m cmdutil.Missing
	m.Need(flag, a.Name)
	if err := m.Err(); err != nil {
		return nil, err
	}
	f.Default(&a.Group, "group")
	svc, err := d.Service()
	if err != nil {
		return nil, err
	}
	if a.Group == "" {
		if a.Group, err = accountGroup(f.Context(), svc, a.Name); err != nil {
			return nil, err
		}
	}
	return svc, nil
}

// accountGroup is the one way every storage command finds an account's
// resource group when none is given: az's _query_account_rg, listing the
// subscription's accounts, with its error (exit 1) when none is named so.
func accountGroup(ctx context.Context, svc Service, name string) (string, error) {
	g, err := svc.FindGroup(ctx, name)
	if err != nil {
		return "", err
	}
	if g == "" {
		return "", cmdutil.Fail("Storage account '%s' not found.", name)
	}
	return g, nil
}

func boolFlag(cmd *cobra.Command, name string) (*bool, error) {
	if !cmd.Flags().Changed(name) {
		return nil, nil
	}
	v, _ := cmd.Flags().GetString(name)
	b, err := cmdutil.Choice(cmd, "--"+name, v, "true", "false")
	if err != nil {
		return nil, err
	}
	r := b == "true"
	return &r, nil
}

// keyName maps az's --key (primary, secondary, key1, key2) to ARM's.
func keyName(cmd *cobra.Command, v string) (string, error) {
	k, err := cmdutil.Choice(cmd, "--key", v, "primary", "secondary", "key1", "key2")
	if err != nil {
		return "", err
	}
	switch k {
	case "primary":
		return "key1", nil
	case "secondary":
		return "key2", nil
	}
	return k, nil
}

// keysOf is listKeys' answer as az prints it (the keys list).
func keysOf(raw arm.Raw) []any {
	ks, _ := raw["keys"].([]any)
	out := []any{}
	for _, k := range ks {
		m, _ := k.(map[string]any)
		c := map[string]any{}
		for kk, v := range m {
			c[kk] = v
		}
		if t, ok := c["creationTime"].(string); ok {
			c["creationTime"] = azshape.PyTime(t)
		}
		out = append(out, c)
	}
	return out
}

func keyValue(raw arm.Raw, name string) string {
	for _, k := range keysOf(raw) {
		m, _ := k.(map[string]any)
		if strings.EqualFold(fmt.Sprint(m["keyName"]), name) {
			v, _ := m["value"].(string)
			return v
		}
	}
	return ""
}
