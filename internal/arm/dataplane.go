package arm

import (
	"errors"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	azcloud "github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/containers/azcontainerregistry"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/service"
)

// DataPlane builds the Azure SDK's data-plane clients (registries, file
// shares) beside the ARM ones, with the same transport: timeouts, the cloud's
// CA, loopback names for aci local, redirects without credentials, retries,
// the invocation id and --debug's redacted log. Commands get their clients
// here and never build requests of their own.
type DataPlane struct {
	Cloud   *Cloud
	Cred    azcore.TokenCredential
	Options policy.ClientOptions
}

// DataPlane is the data-plane factory of this ARM client's cloud and login.
func (c *Client) DataPlane(cloud *Cloud) *DataPlane {
	return &DataPlane{Cloud: cloud, Cred: c.Cred, Options: c.Options}
}

// registryAudience is ACR's token audience (all clouds).
const registryAudience = "https://containerregistry.azure.net"

// Registry is the registry client of a login server ("myreg.azurecr.io", or
// aci local's "myreg.acr.aci.localhost:47443"). The SDK does ACR's token
// exchange itself: the AAD token of this login becomes a registry refresh
// token (/oauth2/exchange) and then a scoped access token (/oauth2/token),
// answering the registry's Bearer challenge. With no credential it uses
// anonymous pull.
func (d *DataPlane) Registry(loginServer string) (*azcontainerregistry.Client, error) {
	if loginServer == "" || strings.Contains(loginServer, "/") {
		return nil, errors.New("a registry login server is a host name (and port), e.g. myreg.azurecr.io")
	}
	o := d.Options
	o.Cloud = azcloud.Configuration{ActiveDirectoryAuthorityHost: d.Options.Cloud.ActiveDirectoryAuthorityHost,
		Services: map[azcloud.ServiceName]azcloud.ServiceConfiguration{azcontainerregistry.ServiceName: {Audience: registryAudience}}}
	return azcontainerregistry.NewClient("https://"+loginServer, d.Cred, &azcontainerregistry.ClientOptions{ClientOptions: o})
}

// StorageAuth is how a storage data-plane request proves itself, as az
// resolves it: an account key (Shared Key), a SAS token, or, with neither,
// the login's AAD token.
type StorageAuth struct {
	AccountKey string
	SAS        string
}

// FileServiceURL is an account's file endpoint in this cloud.
func (d *DataPlane) FileServiceURL(account string) (string, error) {
	suffix := ""
	if d.Cloud != nil {
		suffix = d.Cloud.Suffixes["storageEndpoint"]
	}
	if suffix == "" {
		return "", errors.New("the cloud has no storage endpoint suffix")
	}
	return "https://" + account + ".file." + strings.TrimPrefix(suffix, ".") + "/", nil
}

// FileService is the Azure Files client of an account: Shared Key and SAS
// signing are the SDK's own (no hand-written signatures).
func (d *DataPlane) FileService(account string, auth StorageAuth) (*service.Client, error) {
	u, err := d.FileServiceURL(account)
	if err != nil {
		return nil, err
	}
	o := &service.ClientOptions{ClientOptions: d.Options}
	switch {
	case auth.AccountKey != "":
		cred, err := service.NewSharedKeyCredential(account, auth.AccountKey)
		if err != nil {
			return nil, err
		}
		return service.NewClientWithSharedKeyCredential(u, cred, o)
	case auth.SAS != "":
		return service.NewClientWithNoCredential(u+"?"+strings.TrimPrefix(auth.SAS, "?"), o)
	default:
		// Azure Files takes AAD tokens only with a backup intent.
		o.FileRequestIntent = to.Ptr(service.ShareTokenIntentBackup)
		return service.NewClient(u, d.Cred, o)
	}
}
