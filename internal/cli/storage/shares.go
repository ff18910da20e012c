package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/aci-cli/aci/internal/output"
	"math"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/fileerror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/sas"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/service"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/spf13/cobra"
)

// shareRM is a share-rm target: --storage-account (a name or an account id)
// with -g, and -n.
type shareRM struct {
	Account, Group, Name string
}

func (s *shareRM) flags(cmd *cobra.Command, withName bool) {
	cmd.Flags().StringVar(&s.Account, "storage-account", "", "The name or ID of the storage account.")
	cmd.Flags().StringVarP(&s.Group, "resource-group", "g", "", "Name of resource group. You can configure the default group using 'aci configure --defaults group=<name>'.")
	if withName {
		cmd.Flags().StringVarP(&s.Name, "name", "n", "", "The file share name.")
	}
}

func (s *shareRM) resolve(f *cmdutil.Factory, d *Deps, withName bool) (Service, error) {
	if strings.HasPrefix(s.Account, "/") {
		if g, n, ok := cmdutil.ParseResourceID(s.Account, "Microsoft.Storage/storageAccounts"); ok {
			s.Group, s.Account = g, n
		}
	}
	var m cmdutil.Missing
	m.Need("--storage-account", s.Account)
	if withName {
		m.Need("--name/-n", s.Name)
	}
	if err := m.Err(); err != nil {
		return nil, err
	}
	a := account{Name: s.Account, Group: s.Group}
	svc, err := a.resolve(f, d, "--storage-account")
	s.Group = a.Group
	return svc, err
}

// metadataFlag parses az's "k=v k2=v2" metadata.
func metadataOf(items []string) map[string]string {
	m := map[string]string{}
	for _, it := range items {
		k, v, _ := strings.Cut(it, "=")
		if k != "" {
			m[k] = v
		}
	}
	return m
}

func newShareRM(f *cmdutil.Factory, d *Deps) *cobra.Command {
	cmd := cmdutil.GroupCommand(&cobra.Command{Use: "share-rm", Short: "Manage Azure file shares using the Microsoft.Storage resource provider."})
	cmd.AddCommand(newShareRMCreate(f, d, false), newShareRMCreate(f, d, true), newShareRMShow(f, d), newShareRMList(f, d),
		newShareRMExists(f, d), newShareRMDelete(f, d))
	return cmd
}

// ShareRMOptions are `share-rm create`'s and `update`'s arguments.
type ShareRMOptions struct {
	shareRM
	Quota                             int
	Metadata                          []string
	Protocols, RootSquash, AccessTier string

	update bool           // share-rm update: a generic update of the share
	props  map[string]any // the properties the flags set, built by parse
}

// parse reads the properties the flags set, checked as az does.
func (o *ShareRMOptions) parse(cmd *cobra.Command) error {
	o.props = map[string]any{}
	if cmd.Flags().Changed("metadata") {
		o.props["metadata"] = metadataOf(o.Metadata)
	}
	if cmd.Flags().Changed("quota") {
		o.props["shareQuota"] = o.Quota
	}
	for _, c := range []struct {
		flag, key, value string
		allowed          []string
	}{
		{"--enabled-protocols", "enabledProtocols", o.Protocols, []string{"SMB", "NFS"}},
		{"--root-squash", "rootSquash", o.RootSquash, []string{"NoRootSquash", "RootSquash", "AllSquash"}},
		{"--access-tier", "accessTier", o.AccessTier, []string{"TransactionOptimized", "Hot", "Cool", "Premium"}},
	} {
		if c.value == "" {
			continue
		}
		v, err := cmdutil.Choice(cmd, c.flag, c.value, c.allowed...)
		if err != nil {
			return err
		}
		o.props[c.key] = v
	}
	return nil
}

// shareRMCreateRun creates the share, or, for update, reads it and sends
// its writable properties with the changes (az's generic update), not the
// changes alone.
func shareRMCreateRun(f *cmdutil.Factory, d *Deps, o *ShareRMOptions) error {
	svc, err := o.resolve(f, d, true)
	if err != nil {
		return err
	}
	var raw map[string]any
	if o.update {
		cur, err := svc.ShareGet(f.Context(), o.Group, o.Account, o.Name)
		if err != nil {
			return err
		}
		raw, err = svc.ShareUpdate(f.Context(), o.Group, o.Account, o.Name, map[string]any{"properties": mergedShareProps(cur, o.props)})
		if err != nil {
			return err
		}
	} else if raw, err = svc.ShareCreate(f.Context(), o.Group, o.Account, o.Name, map[string]any{"properties": o.props}); err != nil {
		return err
	}
	return f.Print(ShareRMShape(raw), cmdutil.PrintOptions{})
}

func newShareRMCreate(f *cmdutil.Factory, d *Deps, update bool) *cobra.Command {
	o := &ShareRMOptions{update: update}
	use, short, example := "create", "Create a new Azure file share under the specified storage account.",
		"  aci storage share-rm create -g MyResourceGroup --storage-account mystorageaccount --name myfileshare --quota 10 --metadata key1=value1"
	if update {
		use, short, example = "update", "Update the properties for an Azure file share.",
			"  aci storage share-rm update -g MyResourceGroup --storage-account mystorageaccount --name myfileshare --quota 3"
	}
	cmd := &cobra.Command{
		Use: use, Short: short, Example: example, Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.parse(cmd); err != nil {
				return err
			}
			return shareRMCreateRun(f, d, o)
		},
	}
	o.flags(cmd, true)
	fl := cmd.Flags()
	fl.IntVarP(&o.Quota, "quota", "q", 0, "The maximum size of the share in gigabytes. Must be greater than 0, and less than or equal to 5TB (5120). For Large File Shares, the maximum size is 102400.")
	fl.StringArrayVar(&o.Metadata, "metadata", nil, "Metadata in space-separated key=value pairs that is associated with the share. This overwrites any existing metadata.")
	cmdutil.NArgs(cmd, "metadata")
	if !update {
		fl.StringVar(&o.Protocols, "enabled-protocols", "", "Immutable property for file shares protocol. Allowed values: NFS, SMB.")
	}
	fl.StringVar(&o.RootSquash, "root-squash", "", "Reduction of the access rights for the remote superuser. Allowed values: AllSquash, NoRootSquash, RootSquash.")
	fl.StringVar(&o.AccessTier, "access-tier", "", "Access tier for specific share. Allowed values: Cool, Hot, Premium, TransactionOptimized.")
	return cmd
}

// shareWritable are a share's writable properties in the order az's model
// serializes them.
var shareWritable = []string{"metadata", "shareQuota", "enabledProtocols", "rootSquash", "accessTier", "signedIdentifiers"}

// mergedShareProps is what az's generic update PATCHes: the writable
// properties the share has (empty ones left out), changes applied, as JSON
// in the model's order.
func mergedShareProps(cur map[string]any, changes map[string]any) json.RawMessage {
	have, _ := cur["properties"].(map[string]any)
	var b bytes.Buffer
	b.WriteByte('{')
	for _, k := range shareWritable {
		v, ok := changes[k]
		if !ok {
			v, ok = have[k]
		}
		switch x := v.(type) {
		case nil:
			ok = false
		case []any:
			ok = ok && len(x) > 0
		case map[string]any:
			ok = ok && len(x) > 0
		}
		if !ok {
			continue
		}
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(v)
		if err != nil {
			continue
		}
		if b.Len() > 1 {
			b.WriteString(", ")
		}
		b.Write(kb)
		b.WriteString(": ")
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes()
}

func shareRMShowRun(f *cmdutil.Factory, d *Deps, o *shareRM) error {
	svc, err := o.resolve(f, d, true)
	if err != nil {
		return err
	}
	raw, err := svc.ShareGet(f.Context(), o.Group, o.Account, o.Name)
	if err != nil {
		return err
	}
	return f.Print(ShareRMShape(raw), cmdutil.PrintOptions{})
}

func newShareRMShow(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &shareRM{}
	cmd := &cobra.Command{
		Use: "show", Short: "Show the properties for a specified Azure file share.", Args: cobra.NoArgs,
		Example: "  aci storage share-rm show -g MyResourceGroup --storage-account mystorageaccount --name myfileshare",
		RunE:    func(cmd *cobra.Command, args []string) error { return shareRMShowRun(f, d, o) },
	}
	o.flags(cmd, true)
	return cmd
}

func shareRMListRun(f *cmdutil.Factory, d *Deps, o *shareRM) error {
	svc, err := o.resolve(f, d, false)
	if err != nil {
		return err
	}
	list, err := svc.ShareList(f.Context(), o.Group, o.Account)
	if err != nil {
		return err
	}
	return f.Print(ShareRMShape(list), cmdutil.PrintOptions{})
}

func newShareRMList(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &shareRM{}
	cmd := &cobra.Command{
		Use: "list", Short: "List the Azure file shares under the specified storage account.", Args: cobra.NoArgs,
		Example: "  aci storage share-rm list -g MyResourceGroup --storage-account mystorageaccount",
		RunE:    func(cmd *cobra.Command, args []string) error { return shareRMListRun(f, d, o) },
	}
	o.flags(cmd, false)
	return cmd
}

// shareRMExistsRun answers false for any service error, true otherwise, as az.
func shareRMExistsRun(f *cmdutil.Factory, d *Deps, o *shareRM) error {
	svc, err := o.resolve(f, d, true)
	if err != nil {
		return err
	}
	_, err = svc.ShareGet(f.Context(), o.Group, o.Account, o.Name)
	// az answers false for any service error, true otherwise.
	var re *azcore.ResponseError
	if err != nil && !errors.As(err, &re) && cmdutil.ExitCode(err) != 3 {
		return err
	}
	return f.Print(map[string]any{"exists": err == nil}, cmdutil.PrintOptions{Table: boolTable})
}

func newShareRMExists(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &shareRM{}
	cmd := &cobra.Command{
		Use: "exists", Short: "Check for the existence of an Azure file share.", Args: cobra.NoArgs,
		Example: "  aci storage share-rm exists -g MyResourceGroup --storage-account mystorageaccount --name myfileshare",
		RunE:    func(cmd *cobra.Command, args []string) error { return shareRMExistsRun(f, d, o) },
	}
	o.flags(cmd, true)
	return cmd
}

func shareRMDeleteRun(f *cmdutil.Factory, d *Deps, o *shareRM, yes bool) error {
	svc, err := o.resolve(f, d, true)
	if err != nil {
		return err
	}
	if err := f.Confirm(yes); err != nil {
		return err
	}
	return svc.ShareDelete(f.Context(), o.Group, o.Account, o.Name)
}

func newShareRMDelete(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &shareRM{}
	var yes bool
	cmd := &cobra.Command{
		Use: "delete", Short: "Delete the specified Azure file share or share snapshot.", Args: cobra.NoArgs,
		Example: "  aci storage share-rm delete -g MyResourceGroup --storage-account mystorageaccount --name myfileshare --yes",
		RunE:    func(cmd *cobra.Command, args []string) error { return shareRMDeleteRun(f, d, o, yes) },
	}
	o.flags(cmd, true)
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "Do not prompt for confirmation.")
	return cmd
}

// boolTable is az's transform_boolean_for_table: values become "True"/"False"
// under a capitalised key.
func boolTable(v any) (any, error) {
	m, _ := v.(map[string]any)
	var kv []any
	for k, val := range m {
		s := "False"
		if b, _ := val.(bool); b {
			s = "True"
		}
		kv = append(kv, strings.ToUpper(k[:1])+k[1:], s)
	}
	return []any{output.NewOrderedMap(kv...)}, nil
}

func newShare(f *cmdutil.Factory, d *Deps) *cobra.Command {
	cmd := cmdutil.GroupCommand(&cobra.Command{Use: "share", Short: "Manage file shares."})
	cmd.AddCommand(newShareCreate(f, d), newShareList(f, d), newShareShow(f, d), newShareDelete(f, d), newShareExists(f, d),
		newShareStats(f, d), newShareSAS(f, d))
	return cmd
}

// ShareOptions are the data-plane share commands' arguments.
type ShareOptions struct {
	creds
	Name        string
	Quota       int
	Metadata    []string
	FailOnExist bool

	quotaSet, metadataSet bool // which of the flags were given
}

func (o *ShareOptions) named(cmd *cobra.Command) {
	o.creds.flags(cmd)
	cmd.Flags().StringVarP(&o.Name, "name", "n", "", "The file share name.")
}

func (o *ShareOptions) share(f *cmdutil.Factory, d *Deps) (*share.Client, error) {
	var m cmdutil.Missing
	m.Need("--name/-n", o.Name)
	if err := m.Err(); err != nil {
		return nil, err
	}
	svc, err := o.client(f, d)
	if err != nil {
		return nil, err
	}
	return svc.NewShareClient(o.Name), nil
}

// shareCreateRun creates the share; one that exists is created: false
// unless --fail-on-exist.
func shareCreateRun(f *cmdutil.Factory, d *Deps, o *ShareOptions) error {
	sc, err := o.share(f, d)
	if err != nil {
		return err
	}
	opts := &share.CreateOptions{}
	if o.quotaSet {
		opts.Quota = to.Ptr(int32(o.Quota))
	}
	if o.metadataSet {
		opts.Metadata = sdkMetadata(o.Metadata)
	}
	_, err = sc.Create(f.Context(), opts)
	if fileerror.HasCode(err, fileerror.ShareAlreadyExists) && !o.FailOnExist {
		return printFlag(f, "created", false)
	}
	if err != nil {
		return storageErr(err, false)
	}
	return printFlag(f, "created", true)
}

// sdkMetadata is key=value items as the SDK's metadata.
func sdkMetadata(items []string) map[string]*string {
	out := map[string]*string{}
	for k, v := range metadataOf(items) {
		out[k] = to.Ptr(v)
	}
	return out
}

// printFlag prints az's {"created": true} and the like.
func printFlag(f *cmdutil.Factory, key string, v bool) error {
	return f.Print(map[string]any{key: v}, cmdutil.PrintOptions{Table: boolTable})
}

func newShareCreate(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &ShareOptions{}
	cmd := &cobra.Command{
		Use: "create", Short: "Creates a new share under the specified account.", Args: cobra.NoArgs,
		Example: "  aci storage share create -n myshare --connection-string \"$AZURE_STORAGE_CONNECTION_STRING\" --quota 10",
		RunE: func(cmd *cobra.Command, args []string) error {
			o.quotaSet, o.metadataSet = cmd.Flags().Changed("quota"), cmd.Flags().Changed("metadata")
			return shareCreateRun(f, d, o)
		},
	}
	o.named(cmd)
	fl := cmd.Flags()
	fl.IntVar(&o.Quota, "quota", 0, "Specifies the maximum size of the share, in gigabytes. Must be greater than 0, and less than or equal to 5TB (5120).")
	fl.StringArrayVar(&o.Metadata, "metadata", nil, "Metadata in space-separated key=value pairs. This overwrites any existing metadata.")
	cmdutil.NArgs(cmd, "metadata")
	fl.BoolVar(&o.FailOnExist, "fail-on-exist", false, "Specify whether to throw an exception when the share exists. False by default.")
	return cmd
}

// pyTime is a datetime as az's JSON encoder prints it (isoformat()).
func pyTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	u := t.UTC()
	if u.Nanosecond()/1000 == 0 {
		return u.Format("2006-01-02T15:04:05+00:00")
	}
	return u.Format("2006-01-02T15:04:05.000000+00:00")
}

func str(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

func etagOf(p *azcore.ETag) any {
	if p == nil {
		return nil
	}
	return string(*p)
}

func metaOf(m map[string]*string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if v != nil {
			out[strings.ToLower(k)] = *v
		}
	}
	return out
}

func shareListRun(f *cmdutil.Factory, d *Deps, c *creds, prefix string, withMeta bool) error {
	svc, err := c.client(f, d)
	if err != nil {
		return err
	}
	opts := &service.ListSharesOptions{Include: service.ListSharesInclude{Metadata: withMeta}}
	if prefix != "" {
		opts.Prefix = &prefix
	}
	items := []any{}
	pager := svc.NewListSharesPager(opts)
	for pager.More() {
		page, err := pager.NextPage(f.Context())
		if err != nil {
			return storageErr(err, false)
		}
		for _, s := range page.Shares {
			items = append(items, shareItem(s))
		}
	}
	return f.Print(items, cmdutil.PrintOptions{Table: shareListTable})
}

func newShareList(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &ShareOptions{}
	var prefix string
	var withMeta bool
	cmd := &cobra.Command{
		Use: "list", Short: "List the file shares in a storage account.", Args: cobra.NoArgs,
		Example: "  aci storage share list --connection-string \"$AZURE_STORAGE_CONNECTION_STRING\" -o table",
		RunE: func(cmd *cobra.Command, args []string) error {
			return shareListRun(f, d, &o.creds, prefix, withMeta)
		},
	}
	o.creds.flags(cmd)
	cmd.Flags().StringVar(&prefix, "prefix", "", "Filter the results to return only shares whose name begins with the specified prefix.")
	cmd.Flags().BoolVar(&withMeta, "include-metadata", false, "Specifies that share metadata be returned in the response.")
	return cmd
}

// shareItem is one `share list` entry as az 2.45 prints it.
func shareItem(s *service.Share) map[string]any {
	p := s.Properties
	if p == nil {
		p = &service.ShareProperties{}
	}
	var meta any
	if s.Metadata != nil {
		meta = metaOf(s.Metadata)
	}
	protocols := any(nil)
	if p.EnabledProtocols != nil {
		protocols = []any{*p.EnabledProtocols}
	}
	quota := any(nil)
	if p.Quota != nil {
		quota = int64(*p.Quota)
	}
	tier := any(nil)
	if p.AccessTier != nil {
		tier = *p.AccessTier
	}
	lease := map[string]any{"duration": nil, "state": nil, "status": nil}
	if p.LeaseState != nil {
		lease["state"] = string(*p.LeaseState)
	}
	if p.LeaseStatus != nil {
		lease["status"] = string(*p.LeaseStatus)
	}
	return map[string]any{"accessTier": tier, "deleted": nil, "deletedTime": nil, "etag": etagOf(p.ETag), "lastModified": pyTime(p.LastModified),
		"lease": lease, "metadata": meta, "name": str(s.Name), "nextAllowedQuotaDowngradeTime": nil, "protocols": protocols,
		"provisionedBandwidth": nil, "provisionedEgressMbps": nil, "provisionedIngressMbps": nil, "provisionedIops": nil, "quota": quota,
		"remainingRetentionDays": nil, "rootSquash": nil, "snapshot": str(s.Snapshot), "version": nil}
}

// shareListTable is az's transform_share_list: Name, Quota and Last Modified
// read from properties.*, which track2 entries no longer have (so az prints
// them blank; so do we).
func shareListTable(v any) (any, error) {
	items, _ := v.([]any)
	rows := []any{}
	for _, it := range items {
		m, _ := it.(map[string]any)
		props, _ := m["properties"].(map[string]any)
		cellOf := func(x any) string {
			if x == nil {
				return " "
			}
			return fmt.Sprint(x)
		}
		rows = append(rows, output.NewOrderedMap("Name", cellOf(m["name"]), "Quota", cellOf(props["quota"]), "Last Modified", cellOf(props["lastModified"])))
	}
	return rows, nil
}

func shareShowRun(f *cmdutil.Factory, d *Deps, o *ShareOptions) error {
	sc, err := o.share(f, d)
	if err != nil {
		return err
	}
	p, err := sc.GetProperties(f.Context(), nil)
	if err != nil {
		return storageErr(err, true)
	}
	return f.Print(shareShow(o.Name, p), cmdutil.PrintOptions{})
}

// shareShow is a share's properties as az's `share show` prints them.
func shareShow(name string, p share.GetPropertiesResponse) map[string]any {
	protocols := any(nil)
	if p.EnabledProtocols != nil {
		protocols = []any{*p.EnabledProtocols}
	}
	lease := map[string]any{"duration": nil, "state": nil, "status": nil}
	if p.LeaseState != nil {
		lease["state"] = string(*p.LeaseState)
	}
	if p.LeaseStatus != nil {
		lease["status"] = string(*p.LeaseStatus)
	}
	quota := any(nil)
	if p.Quota != nil {
		quota = int64(*p.Quota)
	}
	return map[string]any{"accessTier": str(p.AccessTier), "deleted": nil, "deletedTime": nil, "lease": lease, "metadata": metaOf(p.Metadata),
		"name": name, "nextAllowedQuotaDowngradeTime": nil, "properties": map[string]any{"etag": etagOf(p.ETag), "lastModified": pyTime(p.LastModified), "quota": quota},
		"protocols": protocols, "provisionedBandwidth": nil, "provisionedEgressMbps": nil, "provisionedIngressMbps": nil, "provisionedIops": nil,
		"remainingRetentionDays": nil, "rootSquash": nil, "snapshot": nil, "version": nil}
}

func newShareShow(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &ShareOptions{}
	cmd := &cobra.Command{
		Use: "show", Short: "Return all user-defined metadata and system properties for the specified share.", Args: cobra.NoArgs,
		Example: "  aci storage share show -n myshare --connection-string \"$AZURE_STORAGE_CONNECTION_STRING\"",
		RunE: func(cmd *cobra.Command, args []string) error {
			return shareShowRun(f, d, o)
		},
	}
	o.named(cmd)
	return cmd
}

// shareDeleteRun deletes the share; a missing one is deleted: false unless
// --fail-not-exist.
func shareDeleteRun(f *cmdutil.Factory, d *Deps, o *ShareOptions, failNotExist bool) error {
	sc, err := o.share(f, d)
	if err != nil {
		return err
	}
	_, err = sc.Delete(f.Context(), nil)
	if fileerror.HasCode(err, fileerror.ShareNotFound) && !failNotExist {
		return printFlag(f, "deleted", false)
	}
	if err != nil {
		return storageErr(err, false)
	}
	return printFlag(f, "deleted", true)
}

func newShareDelete(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &ShareOptions{}
	var failNotExist bool
	cmd := &cobra.Command{
		Use: "delete", Short: "Mark the specified share for deletion.", Args: cobra.NoArgs,
		Example: "  aci storage share delete -n myshare --connection-string \"$AZURE_STORAGE_CONNECTION_STRING\"",
		RunE: func(cmd *cobra.Command, args []string) error {
			return shareDeleteRun(f, d, o, failNotExist)
		},
	}
	o.named(cmd)
	cmd.Flags().BoolVar(&failNotExist, "fail-not-exist", false, "Specify whether to throw an exception when the share doesn't exist. False by default.")
	return cmd
}

func shareExistsRun(f *cmdutil.Factory, d *Deps, o *ShareOptions) error {
	sc, err := o.share(f, d)
	if err != nil {
		return err
	}
	_, err = sc.GetProperties(f.Context(), nil)
	return printExists(f, err, fileerror.ShareNotFound)
}

func newShareExists(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &ShareOptions{}
	cmd := &cobra.Command{
		Use: "exists", Short: "Check for the existence of a file share.", Args: cobra.NoArgs,
		Example: "  aci storage share exists -n myshare --connection-string \"$AZURE_STORAGE_CONNECTION_STRING\"",
		RunE:    func(cmd *cobra.Command, args []string) error { return shareExistsRun(f, d, o) },
	}
	o.named(cmd)
	return cmd
}

// shareStatsRun prints the share's usage in GiB, rounded as az rounds it
// and never 0.
func shareStatsRun(f *cmdutil.Factory, d *Deps, o *ShareOptions) error {
	sc, err := o.share(f, d)
	if err != nil {
		return err
	}
	st, err := sc.GetStatistics(f.Context(), nil)
	if err != nil {
		return storageErr(err, false)
	}
	var used int64
	if st.ShareUsageBytes != nil {
		used = *st.ShareUsageBytes
	}
	gb := int64(math.RoundToEven(float64(used) / float64(1<<30)))
	return f.Print(fmt.Sprint(max(gb, 1)), cmdutil.PrintOptions{})
}

func newShareStats(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &ShareOptions{}
	cmd := &cobra.Command{
		Use: "stats", Short: "Get the approximate size of the data stored on the share, rounded up to the nearest gigabyte.", Args: cobra.NoArgs,
		Example: "  aci storage share stats -n myshare --connection-string \"$AZURE_STORAGE_CONNECTION_STRING\"",
		RunE: func(cmd *cobra.Command, args []string) error {
			return shareStatsRun(f, d, o)
		},
	}
	o.named(cmd)
	return cmd
}

// SASOptions are the generate-sas commands' arguments.
type SASOptions struct {
	creds
	Name, Permissions, Expiry, Start, IP, Services, ResourceTypes string
	HTTPSOnly                                                     bool

	start, expiry time.Time // parsed from --start and --expiry
}

func (o *SASOptions) common(cmd *cobra.Command) {
	o.creds.flags(cmd)
	fl := cmd.Flags()
	fl.StringVar(&o.Permissions, "permissions", "", "The permissions the SAS grants. Allowed values: (c)reate (d)elete (l)ist (r)ead (w)rite. Can be combined.")
	fl.StringVar(&o.Expiry, "expiry", "", "Specifies the UTC datetime (Y-m-d'T'H:M'Z') at which the SAS becomes invalid.")
	fl.StringVar(&o.Start, "start", "", "Specifies the UTC datetime (Y-m-d'T'H:M'Z') at which the SAS becomes valid. Defaults to the time of the request.")
	fl.StringVar(&o.IP, "ip", "", "Specifies the IP address or range of IP addresses from which to accept requests.")
	fl.BoolVar(&o.HTTPSOnly, "https-only", false, "Only permit requests made with the HTTPS protocol.")
}

// parse reads --expiry and --start, both needed with --permissions.
func (o *SASOptions) parse() (err error) {
	var m cmdutil.Missing
	m.Need("--expiry", o.Expiry)
	m.Need("--permissions", o.Permissions)
	if err := m.Err(); err != nil {
		return err
	}
	if o.expiry, err = parseExpiry("--expiry", o.Expiry); err != nil {
		return err
	}
	if o.Start != "" {
		o.start, err = parseExpiry("--start", o.Start)
	}
	return err
}

func (o *SASOptions) ipRange() sas.IPRange {
	if o.IP == "" {
		return sas.IPRange{}
	}
	a, b, _ := strings.Cut(o.IP, "-")
	return sas.IPRange{Start: parseIP(a), End: parseIP(b)}
}

func (o *SASOptions) protocol() sas.Protocol {
	if o.HTTPSOnly {
		return sas.ProtocolHTTPS
	}
	return sas.ProtocolHTTPSandHTTP
}

// sharePermissions reads --permissions for a share SAS.
func sharePermissions(s string) (sas.SharePermissions, error) {
	var p sas.SharePermissions
	for _, c := range s {
		switch c {
		case 'r':
			p.Read = true
		case 'c':
			p.Create = true
		case 'w':
			p.Write = true
		case 'd':
			p.Delete = true
		case 'l':
			p.List = true
		default:
			return p, cmdutil.UsageError("argument --permissions: invalid permission '%c' (allowed: c d l r w)", c)
		}
	}
	return p, nil
}

// shareSASRun signs a service SAS for the share with the account's key.
func shareSASRun(f *cmdutil.Factory, d *Deps, o *SASOptions, perms sas.SharePermissions) error {
	key, err := o.sharedKey(f, d)
	if err != nil {
		return err
	}
	q, err := sas.SignatureValues{Protocol: o.protocol(), StartTime: o.start, ExpiryTime: o.expiry, Permissions: perms.String(),
		IPRange: o.ipRange(), ShareName: o.Name}.SignWithSharedKey(key)
	if err != nil {
		return cmdutil.Fail("%v", err)
	}
	return f.Print(q.Encode(), cmdutil.PrintOptions{})
}

func newShareSAS(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &SASOptions{}
	cmd := &cobra.Command{
		Use: "generate-sas", Short: "Generate a shared access signature for the share.", Args: cobra.NoArgs,
		Example: "  aci storage share generate-sas -n myshare --account-name mystorageaccount --account-key 00000000 --permissions rwdl --expiry 2026-12-31T23:59Z --https-only",
		RunE: func(cmd *cobra.Command, args []string) error {
			var m cmdutil.Missing
			m.Need("--name/-n", o.Name)
			if err := m.Err(); err != nil {
				return err
			}
			if err := o.parse(); err != nil {
				return err
			}
			perms, err := sharePermissions(o.Permissions)
			if err != nil {
				return err
			}
			return shareSASRun(f, d, o, perms)
		},
	}
	o.common(cmd)
	cmd.Flags().StringVarP(&o.Name, "name", "n", "", "The file share name.")
	return cmd
}

// accountSASRun signs an account SAS for the file service.
func accountSASRun(f *cmdutil.Factory, d *Deps, o *SASOptions) error {
	key, err := o.sharedKey(f, d)
	if err != nil {
		return err
	}
	q, err := sas.AccountSignatureValues{Protocol: o.protocol(), StartTime: o.start, ExpiryTime: o.expiry, Permissions: o.Permissions,
		ResourceTypes: o.ResourceTypes, IPRange: o.ipRange()}.SignWithSharedKey(key)
	if err != nil {
		return cmdutil.Fail("%v", err)
	}
	return f.Print(q.Encode(), cmdutil.PrintOptions{})
}

func newAccountSAS(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &SASOptions{}
	cmd := &cobra.Command{
		Use: "generate-sas", Short: "Generate a shared access signature for the storage account (file service).", Args: cobra.NoArgs,
		Example: "  aci storage account generate-sas --account-name mystorageaccount --account-key 00000000 --services f --resource-types sco --permissions rwdlc --expiry 2026-12-31T23:59Z",
		RunE: func(cmd *cobra.Command, args []string) error {
			var m cmdutil.Missing
			m.Need("--services", o.Services)
			m.Need("--resource-types", o.ResourceTypes)
			if err := m.Err(); err != nil {
				return err
			}
			if o.Services != "f" {
				return cmdutil.UsageError("argument --services: aci signs SAS tokens for the file service only ('f'), not '%s'", o.Services)
			}
			if err := o.parse(); err != nil {
				return err
			}
			return accountSASRun(f, d, o)
		},
	}
	o.common(cmd)
	cmd.Flags().StringVar(&o.Services, "services", "", "The storage services the SAS is usable with: (f)ile.")
	cmd.Flags().StringVar(&o.ResourceTypes, "resource-types", "", "The resource types the SAS is applicable for: (s)ervice (c)ontainer (o)bject. Can be combined.")
	return cmd
}

// printExists is the data plane's `exists`: false for the not-found codes,
// the error for anything else, as az prints them.
func printExists(f *cmdutil.Factory, err error, notFound ...fileerror.Code) error {
	if fileerror.HasCode(err, notFound...) {
		return f.Print(map[string]any{"exists": false}, cmdutil.PrintOptions{Table: boolTable})
	}
	if err != nil {
		return storageErr(err, false)
	}
	return f.Print(map[string]any{"exists": true}, cmdutil.PrintOptions{Table: boolTable})
}
