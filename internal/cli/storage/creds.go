package storage

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/sas"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/service"
	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/spf13/cobra"
)

// creds are a data-plane command's credential flags, resolved as az's
// validate_client_parameters does.
type creds struct {
	AccountName, AccountKey, ConnectionString, SAS, Endpoint string
}

func (c *creds) flags(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&c.AccountName, "account-name", "", "Storage account name. Related environment variable: AZURE_STORAGE_ACCOUNT. Must be used in conjunction with either storage account key or a SAS token. If neither are present, the command will try to query the storage account key using the authenticated Azure account.")
	fl.StringVar(&c.AccountKey, "account-key", "", "Storage account key. Must be used in conjunction with storage account name. Environment variable: AZURE_STORAGE_KEY.")
	fl.StringVar(&c.ConnectionString, "connection-string", "", "Storage account connection string. Environment variable: AZURE_STORAGE_CONNECTION_STRING.")
	fl.StringVar(&c.SAS, "sas-token", "", "A Shared Access Signature (SAS). Must be used in conjunction with storage account name. Environment variable: AZURE_STORAGE_SAS_TOKEN.")
	fl.StringVar(&c.Endpoint, "file-endpoint", "", "Storage data service endpoint. Must be used in conjunction with either storage account key or a SAS token. You can find each service primary endpoint with 'aci storage account show'. Environment variable: AZURE_STORAGE_SERVICE_ENDPOINT.")
}

// parseConnectionString reads "k=v;k=v" (values may hold '=').
func parseConnectionString(s string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(s, ";") {
		k, v, ok := strings.Cut(part, "=")
		if ok && strings.TrimSpace(k) != "" {
			out[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return out
}

const queryKeyWarning = `
There are no credentials provided in your command and environment, we will query for account key for your storage account.
It is recommended to provide --connection-string, --account-key or --sas-token in your command as credentials.

In addition, setting the corresponding environment variables can avoid inputting credentials in your command. Please use --help to get more information about environment variable usage.`

// resolve fills the credentials from the flags, then the environment and
// config ([storage] connection_string, account, key, sas_token), then, with
// only an account name, the account's first key through ARM.
func (c *creds) resolve(f *cmdutil.Factory, d *Deps) error {
	cfg, _ := f.Config()
	get := func(key string) string {
		if cfg == nil {
			return ""
		}
		return cfg.Get("storage", key, "")
	}
	if c.ConnectionString == "" && c.AccountKey == "" && c.SAS == "" {
		c.ConnectionString = get("connection_string")
	}
	if c.ConnectionString != "" {
		cs := parseConnectionString(c.ConnectionString)
		c.AccountName, c.AccountKey, c.SAS = cs["AccountName"], cs["AccountKey"], cs["SharedAccessSignature"]
		if c.Endpoint == "" {
			c.Endpoint = cs["FileEndpoint"]
		}
		if c.Endpoint == "" && cs["EndpointSuffix"] != "" && c.AccountName != "" {
			proto := cs["DefaultEndpointsProtocol"]
			if proto == "" {
				proto = "https"
			}
			c.Endpoint = proto + "://" + c.AccountName + ".file." + cs["EndpointSuffix"] + "/"
		}
	}
	if c.AccountName == "" {
		c.AccountName = get("account")
	}
	if c.AccountKey == "" && c.SAS == "" {
		c.AccountKey = get("key")
	}
	if c.SAS == "" {
		c.SAS = get("sas_token")
	}
	c.SAS = strings.TrimLeft(c.SAS, "?")
	if c.Endpoint == "" {
		c.Endpoint = get("service_endpoint")
	}
	if c.AccountName == "" && c.Endpoint == "" {
		return cmdutil.Fail("Missing/Invalid credentials to access storage service. The following variations are accepted:\n" +
			"    (1) account name and key (--account-name and --account-key options or\n" +
			"        set AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY environment variables)\n" +
			"    (2) account name and SAS token (--sas-token option used with either the --account-name\n" +
			"        option or AZURE_STORAGE_ACCOUNT environment variable)\n" +
			"    (3) account name (--account-name option or AZURE_STORAGE_ACCOUNT environment variable;\n" +
			"        this will make calls to query for a storage account key using login credentials)\n" +
			"    (4) connection string (--connection-string option or\n" +
			"        set AZURE_STORAGE_CONNECTION_STRING environment variable)")
	}
	if c.AccountName != "" && c.AccountKey == "" && c.SAS == "" {
		f.Warn("%s", queryKeyWarning)
		key, err := c.queryKey(f, d)
		if err != nil {
			// az prints the exception's text alone here, not an ERROR line.
			f.Warn("\nSkip querying account key due to failure: %s", strings.TrimSpace(strings.TrimPrefix(cmdutil.ErrorText(err), "ERROR: ")))
		}
		c.AccountKey = key
	}
	return nil
}

// queryKey is az's _query_account_key: find the account in the
// subscription, list its keys, take the first.
func (c *creds) queryKey(f *cmdutil.Factory, d *Deps) (string, error) {
	svc, err := d.Service()
	if err != nil {
		return "", err
	}
	rg, err := accountGroup(f.Context(), svc, c.AccountName)
	if err != nil {
		return "", err
	}
	keys, err := svc.Keys(f.Context(), rg, c.AccountName)
	if err != nil {
		return "", err
	}
	return keyValue(keys, "key1"), nil
}

// client is the account's file service client, after resolve.
func (c *creds) client(f *cmdutil.Factory, d *Deps) (*service.Client, error) {
	if err := c.resolve(f, d); err != nil {
		return nil, err
	}
	dp, err := d.DataPlane()
	if err != nil {
		return nil, err
	}
	return dp.FileServiceAt(c.Endpoint, c.AccountName, arm.StorageAuth{AccountKey: c.AccountKey, SAS: c.SAS})
}

// sharedKey is the credential a SAS is signed with.
func (c *creds) sharedKey(f *cmdutil.Factory, d *Deps) (*sas.SharedKeyCredential, error) {
	if err := c.resolve(f, d); err != nil {
		return nil, err
	}
	if c.AccountName == "" || c.AccountKey == "" {
		return nil, cmdutil.Fail("Missing/Invalid credentials to access storage service: a SAS is signed with an account name and key (--account-name and --account-key, or --connection-string).")
	}
	return service.NewSharedKeyCredential(c.AccountName, c.AccountKey)
}

// storageErr turns a data-plane failure into az's lines: the service's
// message, then "ErrorCode:...". Not-found answers exit 3 where az's
// show_exception_handler does.
func storageErr(err error, notFoundIs3 bool) error {
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return err
	}
	msg := re.ErrorCode
	if i := strings.Index(re.Error(), "ERROR CODE: "); i >= 0 {
		// The SDK's text carries the XML body; az prints the message inside.
		if s, e := strings.Index(re.Error(), "<Message>"), strings.Index(re.Error(), "</Message>"); s >= 0 && e > s {
			msg = xmlText(re.Error()[s+len("<Message>") : e])
		}
	}
	if msg == "" {
		msg = fmt.Sprintf("Operation returned an invalid status '%s'", httpStatusText(re.StatusCode))
	} else if re.ErrorCode != "" {
		msg += "\nErrorCode:" + re.ErrorCode
	}
	code := 1
	if notFoundIs3 && re.StatusCode == 404 {
		code = 3
	}
	return &cmdutil.ExitError{Code: code, Err: errors.New(msg)}
}

func xmlText(s string) string {
	r := strings.NewReplacer("&#xA;", "\n", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&apos;", "'", "&amp;", "&")
	return r.Replace(s)
}

func httpStatusText(code int) string {
	switch code {
	case 403:
		return "Forbidden"
	case 404:
		return "The specified resource does not exist."
	case 409:
		return "Conflict"
	}
	return fmt.Sprint(code)
}

// parseExpiry reads az's UTC datetimes ('2026-12-01T00:00Z' and friends).
func parseExpiry(flag, v string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04Z", "2006-01-02T15:04:05Z", time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, cmdutil.UsageError("argument %s: invalid datetime value: '%s' (use a UTC datetime such as 2026-12-31T23:59Z)", flag, v)
}
