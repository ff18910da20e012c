package storage

import (
	"fmt"
	"strings"

	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/spf13/cobra"
)

var (
	skus  = []string{"Standard_LRS", "Standard_GRS", "Standard_RAGRS", "Standard_ZRS", "Premium_LRS", "Premium_ZRS", "Standard_GZRS", "Standard_RAGZRS"}
	kinds = []string{"Storage", "StorageV2", "BlobStorage", "FileStorage", "BlockBlobStorage"}
)

func newAccount(f *cmdutil.Factory, d *Deps) *cobra.Command {
	cmd := cmdutil.GroupCommand(&cobra.Command{Use: "account", Short: "Manage storage accounts."})
	keys := cmdutil.GroupCommand(&cobra.Command{Use: "keys", Short: "Manage storage account keys."})
	keys.AddCommand(newKeysList(f, d), newKeysRenew(f, d))
	cmd.AddCommand(newAccountCreate(f, d), newAccountList(f, d), newAccountShow(f, d), newAccountUpdate(f, d), newAccountDelete(f, d),
		newCheckName(f, d), keys, newConnectionString(f, d), newAccountSAS(f, d))
	return cmd
}

// AccountCreateOptions are `storage account create`'s arguments.
type AccountCreateOptions struct {
	account
	accountProps
	Sku, Kind, Location string
	Tags                []string

	body map[string]any // built from the flags by parse
}

// accountProps are the properties create and update both set.
type accountProps struct {
	HTTPSOnly, MinTLS, PublicBlob, AccessTier string
}

// properties adds the flags given to an account's properties, checked as az does.
func (o *accountProps) properties(cmd *cobra.Command, props map[string]any) error {
	for flag, key := range map[string]string{"https-only": "supportsHttpsTrafficOnly", "allow-blob-public-access": "allowBlobPublicAccess"} {
		b, err := boolFlag(cmd, flag)
		if err != nil {
			return err
		}
		if b != nil {
			props[key] = *b
		}
	}
	if o.MinTLS != "" {
		v, err := cmdutil.Choice(cmd, "--min-tls-version", o.MinTLS, "TLS1_0", "TLS1_1", "TLS1_2")
		if err != nil {
			return err
		}
		props["minimumTlsVersion"] = v
	}
	if o.AccessTier != "" {
		v, err := cmdutil.Choice(cmd, "--access-tier", o.AccessTier, "Hot", "Cool", "Premium")
		if err != nil {
			return err
		}
		props["accessTier"] = v
	}
	return nil
}

// parse checks the flags as az does and builds the account's body, all
// before anything is sent.
func (o *AccountCreateOptions) parse(f *cmdutil.Factory, cmd *cobra.Command) error {
	f.Default(&o.Group, "group")
	f.Default(&o.Location, "location")
	var m cmdutil.Missing
	m.Need("--resource-group/-g", o.Group)
	m.Need("--name/-n", o.Name)
	if err := m.Err(); err != nil {
		return err
	}
	sku, err := cmdutil.Choice(cmd, "--sku", o.Sku, skus...)
	if err != nil {
		return err
	}
	kind, err := cmdutil.Choice(cmd, "--kind", o.Kind, kinds...)
	if err != nil {
		return err
	}
	props := map[string]any{"encryption": map[string]any{"services": map[string]any{"blob": map[string]any{}}, "keySource": "Microsoft.Storage"}}
	if err := o.properties(cmd, props); err != nil {
		return err
	}
	o.body = map[string]any{"sku": map[string]any{"name": sku}, "kind": kind, "properties": props}
	if cmd.Flags().Changed("tags") {
		o.body["tags"] = cmdutil.ParseTags(o.Tags)
	}
	return nil
}

// accountCreateRun checks the name, as az does, then creates the account in
// its group's location unless one was given.
func accountCreateRun(f *cmdutil.Factory, d *Deps, o *AccountCreateOptions) error {
	svc, err := d.Service()
	if err != nil {
		return err
	}
	check, err := svc.CheckName(f.Context(), o.Name)
	if err != nil {
		return err
	}
	if avail, _ := check["nameAvailable"].(bool); !avail {
		msg, _ := check["message"].(string)
		return cmdutil.Fail("%s", msg)
	}
	if o.Location == "" {
		g, err := d.Group(f.Context(), o.Group)
		if err != nil {
			return err
		}
		o.Location, _ = g["location"].(string)
	}
	o.body["location"] = o.Location
	sp := f.StartSpinner("Running")
	raw, err := svc.Create(f.Context(), o.Group, o.Name, o.body, true, nil)
	sp.Stop()
	if err != nil {
		return err
	}
	return f.Print(AccountShape(raw), cmdutil.PrintOptions{})
}

func newAccountCreate(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &AccountCreateOptions{}
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a storage account.",
		Example: "  # Create a storage account with the default SKU, for file shares.\n" +
			"  aci storage account create -n mystorageaccount -g MyResourceGroup -l westus --sku Standard_LRS",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.parse(f, cmd); err != nil {
				return err
			}
			return accountCreateRun(f, d, o)
		},
	}
	o.flags(cmd, "name")
	cmdutil.Required(cmd, "name", "resource-group")
	fl := cmd.Flags()
	fl.StringVar(&o.Sku, "sku", "Standard_RAGRS", "The storage account SKU. Allowed values: "+strings.Join(skus, ", ")+".")
	fl.StringVar(&o.Kind, "kind", "StorageV2", "Indicate the type of storage account. Allowed values: "+strings.Join(kinds, ", ")+".")
	fl.StringVarP(&o.Location, "location", "l", "", "Location. Values from: 'aci account list-locations'. Defaults to the resource group's location.")
	fl.StringVar(&o.HTTPSOnly, "https-only", "", "Allow https traffic only to storage service if set to true. The default value is true. Allowed values: false, true.")
	fl.StringVar(&o.MinTLS, "min-tls-version", "", "The minimum TLS version to be permitted on requests to storage. Allowed values: TLS1_0, TLS1_1, TLS1_2.")
	fl.StringVar(&o.PublicBlob, "allow-blob-public-access", "", "Allow or disallow public access to all blobs or containers in the storage account. Allowed values: false, true.")
	fl.StringVar(&o.AccessTier, "access-tier", "", "The access tier used for billing. Allowed values: Cool, Hot, Premium.")
	fl.StringArrayVar(&o.Tags, "tags", nil, "Space-separated tags: key[=value] [key[=value] ...]. Use '' to clear existing tags.")
	cmdutil.NArgs(cmd, "tags")
	return cmd
}

func accountListRun(f *cmdutil.Factory, d *Deps, group string) error {
	svc, err := d.Service()
	if err != nil {
		return err
	}
	list, err := svc.List(f.Context(), group)
	if err != nil {
		return err
	}
	return f.Print(AccountShape(list), cmdutil.PrintOptions{})
}

func newAccountList(f *cmdutil.Factory, d *Deps) *cobra.Command {
	var group string
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List storage accounts.",
		Example: "  # List all storage accounts in a resource group.\n  aci storage account list -g MyResourceGroup",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, args []string) error { return accountListRun(f, d, group) },
	}
	cmd.Flags().StringVarP(&group, "resource-group", "g", "", "Name of resource group. You can configure the default group using 'aci configure --defaults group=<name>'.")
	return cmd
}

func accountShowRun(f *cmdutil.Factory, d *Deps, o *account) error {
	svc, err := o.resolve(f, d, "--name/-n")
	if err != nil {
		return err
	}
	raw, err := svc.Get(f.Context(), o.Group, o.Name)
	if err != nil {
		return err
	}
	return f.Print(AccountShape(raw), cmdutil.PrintOptions{})
}

func newAccountShow(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &account{}
	cmd := &cobra.Command{
		Use:     "show",
		Short:   "Show storage account properties.",
		Example: "  aci storage account show -n mystorageaccount -g MyResourceGroup",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, args []string) error { return accountShowRun(f, d, o) },
	}
	o.flags(cmd, "name")
	return cmd
}

// AccountUpdateOptions are `storage account update`'s arguments.
type AccountUpdateOptions struct {
	account
	accountProps
	Sku  string
	Tags []string

	patch map[string]any // built from the flags by parse
}

// parse builds the PATCH from the flags given, checked as az does.
func (o *AccountUpdateOptions) parse(cmd *cobra.Command) error {
	o.patch = map[string]any{}
	props := map[string]any{}
	if o.Sku != "" {
		sku, err := cmdutil.Choice(cmd, "--sku", o.Sku, skus...)
		if err != nil {
			return err
		}
		o.patch["sku"] = map[string]any{"name": sku}
	}
	if cmd.Flags().Changed("tags") {
		o.patch["tags"] = cmdutil.ParseTags(o.Tags)
	}
	if err := o.properties(cmd, props); err != nil {
		return err
	}
	if len(props) > 0 {
		o.patch["properties"] = props
	}
	return nil
}

func accountUpdateRun(f *cmdutil.Factory, d *Deps, o *AccountUpdateOptions) error {
	svc, err := o.resolve(f, d, "--name/-n")
	if err != nil {
		return err
	}
	raw, err := svc.Update(f.Context(), o.Group, o.Name, o.patch)
	if err != nil {
		return err
	}
	return f.Print(AccountShape(raw), cmdutil.PrintOptions{})
}

func newAccountUpdate(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &AccountUpdateOptions{}
	cmd := &cobra.Command{
		Use:     "update",
		Short:   "Update the properties of a storage account.",
		Example: "  aci storage account update -n mystorageaccount -g MyResourceGroup --min-tls-version TLS1_2 --tags env=test",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.parse(cmd); err != nil {
				return err
			}
			return accountUpdateRun(f, d, o)
		},
	}
	o.flags(cmd, "name")
	fl := cmd.Flags()
	fl.StringVar(&o.Sku, "sku", "", "Note that the SKU name cannot be updated to Standard_ZRS, Premium_LRS or Premium_ZRS, nor can accounts of those SKU names be updated to any other value.")
	fl.StringVar(&o.HTTPSOnly, "https-only", "", "Allow https traffic only to storage service if set to true. Allowed values: false, true.")
	fl.StringVar(&o.MinTLS, "min-tls-version", "", "The minimum TLS version to be permitted on requests to storage. Allowed values: TLS1_0, TLS1_1, TLS1_2.")
	fl.StringVar(&o.PublicBlob, "allow-blob-public-access", "", "Allow or disallow public access to all blobs or containers in the storage account. Allowed values: false, true.")
	fl.StringVar(&o.AccessTier, "access-tier", "", "The access tier used for billing. Allowed values: Cool, Hot, Premium.")
	fl.StringArrayVar(&o.Tags, "tags", nil, "Space-separated tags: key[=value] [key[=value] ...]. Use '' to clear existing tags.")
	cmdutil.NArgs(cmd, "tags")
	return cmd
}

func accountDeleteRun(f *cmdutil.Factory, d *Deps, o *account, yes bool) error {
	svc, err := o.resolve(f, d, "--name/-n")
	if err != nil {
		return err
	}
	if err := f.Confirm(yes); err != nil {
		return err
	}
	return svc.Delete(f.Context(), o.Group, o.Name)
}

func newAccountDelete(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &account{}
	var yes bool
	cmd := &cobra.Command{
		Use:     "delete",
		Short:   "Delete a storage account.",
		Example: "  aci storage account delete -n mystorageaccount -g MyResourceGroup --yes",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, args []string) error { return accountDeleteRun(f, d, o, yes) },
	}
	o.flags(cmd, "name")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "Do not prompt for confirmation.")
	return cmd
}

func checkNameRun(f *cmdutil.Factory, d *Deps, name string) error {
	var m cmdutil.Missing
	m.Need("--name/-n", name)
	if err := m.Err(); err != nil {
		return err
	}
	svc, err := d.Service()
	if err != nil {
		return err
	}
	raw, err := svc.CheckName(f.Context(), name)
	if err != nil {
		return err
	}
	return f.Print(map[string]any(raw), cmdutil.PrintOptions{})
}

func newCheckName(f *cmdutil.Factory, d *Deps) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:     "check-name",
		Short:   "Check that the storage account name is valid and is not already in use.",
		Example: "  aci storage account check-name -n mystorageaccount",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, args []string) error { return checkNameRun(f, d, name) },
	}
	cmd.Flags().StringVarP(&name, "name", "n", "", "The storage account name.")
	return cmd
}

func keysListRun(f *cmdutil.Factory, d *Deps, o *account) error {
	svc, err := o.resolve(f, d, "--account-name/-n")
	if err != nil {
		return err
	}
	raw, err := svc.Keys(f.Context(), o.Group, o.Name)
	if err != nil {
		return err
	}
	return f.Print(keysOf(raw), cmdutil.PrintOptions{})
}

func newKeysList(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &account{}
	var expand string
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the access keys or Kerberos keys (if active directory enabled) for a storage account.",
		Example: "  aci storage account keys list -g MyResourceGroup -n MyStorageAccount",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, args []string) error { return keysListRun(f, d, o) },
	}
	o.flags(cmd, "account-name")
	cmd.Flags().StringVar(&expand, "expand-key-type", "kerb", "Specify the expanded key types to be listed.")
	return cmd
}

func keysRenewRun(f *cmdutil.Factory, d *Deps, o *account, key string) error {
	svc, err := o.resolve(f, d, "--account-name/-n")
	if err != nil {
		return err
	}
	raw, err := svc.RenewKey(f.Context(), o.Group, o.Name, key)
	if err != nil {
		return err
	}
	return f.Print(keysOf(raw), cmdutil.PrintOptions{})
}

func newKeysRenew(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &account{}
	var key string
	cmd := &cobra.Command{
		Use:     "renew",
		Short:   "Regenerate one of the access keys for a storage account.",
		Example: "  aci storage account keys renew -g MyResourceGroup -n MyStorageAccount --key primary",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var m cmdutil.Missing
			m.Need("--key", key)
			if err := m.Err(); err != nil {
				return err
			}
			k, err := keyName(cmd, key)
			if err != nil {
				return err
			}
			return keysRenewRun(f, d, o, k)
		},
	}
	o.flags(cmd, "account-name")
	cmd.Flags().StringVar(&key, "key", "", "The key options to regenerate. Allowed values: key1, key2, primary, secondary.")
	return cmd
}

// ConnectionStringOptions are `storage account show-connection-string`'s arguments.
type ConnectionStringOptions struct {
	account
	Protocol, Key, Blob, File, Queue, Table, SAS string
}

// connectionStringRun builds az's connection string from the account's keys
// and published endpoints.
func connectionStringRun(f *cmdutil.Factory, d *Deps, o *ConnectionStringOptions) error {
	svc, err := o.resolve(f, d, "--name/-n")
	if err != nil {
		return err
	}
	keys, err := svc.Keys(f.Context(), o.Group, o.Name)
	if err != nil {
		return err
	}
	acct, err := svc.Get(f.Context(), o.Group, o.Name)
	if err != nil {
		return err
	}
	suffix := ""
	if dp, err := d.DataPlane(); err == nil && dp.Cloud != nil {
		suffix = dp.Cloud.Suffixes["storageEndpoint"]
	}
	// az's order: protocol, suffix, name, key, then each endpoint the
	// account publishes unless given.
	cs := fmt.Sprintf("DefaultEndpointsProtocol=%s;EndpointSuffix=%s;AccountName=%s;AccountKey=%s", o.Protocol, suffix, o.Name, keyValue(keys, o.Key))
	eps, _ := acct["properties"].(map[string]any)
	eps, _ = eps["primaryEndpoints"].(map[string]any)
	for _, e := range []struct{ name, given string }{{"Blob", o.Blob}, {"File", o.File}, {"Queue", o.Queue}, {"Table", o.Table}} {
		v := e.given
		if v == "" {
			v, _ = eps[strings.ToLower(e.name)].(string)
		}
		if v != "" {
			cs += ";" + e.name + "Endpoint=" + v
		}
	}
	if o.SAS != "" {
		cs += ";SharedAccessSignature=" + o.SAS
	}
	return f.Print(map[string]any{"connectionString": cs}, cmdutil.PrintOptions{})
}

func newConnectionString(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &ConnectionStringOptions{}
	cmd := &cobra.Command{
		Use:   "show-connection-string",
		Short: "Get the connection string for a storage account.",
		Example: "  aci storage account show-connection-string -g MyResourceGroup -n mystorageaccount\n\n" +
			"  # Use it for the data-plane commands.\n" +
			"  export AZURE_STORAGE_CONNECTION_STRING=$(aci storage account show-connection-string -g MyResourceGroup -n mystorageaccount -o tsv)",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if o.Protocol, err = cmdutil.Choice(cmd, "--protocol", o.Protocol, "http", "https"); err != nil {
				return err
			}
			if o.Key, err = keyName(cmd, o.Key); err != nil {
				return err
			}
			return connectionStringRun(f, d, o)
		},
	}
	o.flags(cmd, "name")
	fl := cmd.Flags()
	fl.StringVar(&o.Protocol, "protocol", "https", "The default endpoint protocol. Allowed values: http, https.")
	fl.StringVar(&o.Key, "key", "key1", "The key to use. Allowed values: key1, key2, primary, secondary.")
	fl.StringVar(&o.Blob, "blob-endpoint", "", "Custom endpoint for blobs.")
	fl.StringVar(&o.File, "file-endpoint", "", "Custom endpoint for files.")
	fl.StringVar(&o.Queue, "queue-endpoint", "", "Custom endpoint for queues.")
	fl.StringVar(&o.Table, "table-endpoint", "", "Custom endpoint for tables.")
	fl.StringVar(&o.SAS, "sas-token", "", "The SAS token to be used in the connection-string.")
	return cmd
}
