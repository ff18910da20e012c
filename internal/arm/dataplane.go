package arm

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
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
	return azcontainerregistry.NewClient("https://"+loginServer, d.Cred, &azcontainerregistry.ClientOptions{ClientOptions: d.registryOptions()})
}

func (d *DataPlane) registryOptions() policy.ClientOptions {
	o := d.Options
	o.Cloud = azcloud.Configuration{ActiveDirectoryAuthorityHost: d.Options.Cloud.ActiveDirectoryAuthorityHost,
		Services: map[azcloud.ServiceName]azcloud.ServiceConfiguration{azcontainerregistry.ServiceName: {Audience: registryAudience}}}
	return o
}

// StorageAuth is how a storage data-plane request proves itself, as az
// resolves it: an account key (Shared Key), a SAS token, or, with neither,
// the login's AAD token.
type StorageAuth struct {
	AccountKey string
	SAS        string
}

// FileServiceURL is an account's file endpoint in this cloud, by name
// (https://ACCOUNT.file.SUFFIX/). On a cloud whose names are served on this
// machine (aci local) the name keeps the resource manager's port: the
// transport dials it on loopback, where aci local answers for it.
func (d *DataPlane) FileServiceURL(account string) (string, error) {
	suffix := ""
	if d.Cloud != nil {
		suffix = d.Cloud.Suffixes["storageEndpoint"]
	}
	if suffix == "" {
		return "", errors.New("the cloud has no storage endpoint suffix")
	}
	host := account + ".file." + strings.Trim(suffix, ".")
	if _, _, err := net.SplitHostPort(host); err == nil {
		return "https://" + host + "/", nil // the suffix names its port
	}
	if d.Cloud.loopbackTarget(host) != "" {
		if u, err := url.Parse(d.Cloud.ResourceManager()); err == nil && u.Port() != "" {
			host += ":" + u.Port()
		}
	}
	return "https://" + host + "/", nil
}

// FileServiceAt is the Azure Files client of an account, at an explicit
// endpoint (a connection string's FileEndpoint, --file-endpoint, ARM's
// primaryEndpoints.file), or the cloud's when endpoint is "". Shared Key
// and SAS signing are the SDK's own (no hand-written signatures).
func (d *DataPlane) FileServiceAt(endpoint, account string, auth StorageAuth) (*service.Client, error) {
	u := endpoint
	if u == "" {
		var err error
		if u, err = d.FileServiceURL(account); err != nil {
			return nil, err
		}
	}
	if !strings.HasSuffix(u, "/") {
		u += "/"
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
		if d.Cred == nil {
			return nil, errors.New("no credentials: give --connection-string, --account-key or --sas-token")
		}
		// Azure Files takes AAD tokens only with a backup intent.
		o.FileRequestIntent = to.Ptr(service.ShareTokenIntentBackup)
		return service.NewClient(u, d.Cred, o)
	}
}

// RegistryBasic is the registry client of a login server with a user name and
// password (an admin user, or the null user with a refresh token): each
// request carries them as Basic credentials, as az sends them.
func (d *DataPlane) RegistryBasic(loginServer, user, password string) (*azcontainerregistry.Client, error) {
	if loginServer == "" || strings.Contains(loginServer, "/") {
		return nil, errors.New("a registry login server is a host name (and port), e.g. myreg.azurecr.io")
	}
	o := d.registryOptions()
	o.PerCallPolicies = append(append([]policy.Policy{}, o.PerCallPolicies...), basicAuth{user, password})
	return azcontainerregistry.NewClient("https://"+loginServer, nil, &azcontainerregistry.ClientOptions{ClientOptions: o})
}

type basicAuth struct{ user, password string }

func (b basicAuth) Do(req *policy.Request) (*http.Response, error) {
	req.Raw().SetBasicAuth(b.user, b.password)
	return req.Next()
}

// RegistryRefreshToken exchanges this login's AAD token for the registry's
// refresh token (ACR's /oauth2/exchange): what `acr login` hands to Docker
// as the password of the null user.
func (d *DataPlane) RegistryRefreshToken(ctx context.Context, loginServer string) (string, error) {
	if d.Cred == nil {
		return "", errors.New("not logged in")
	}
	tok, err := d.Cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{registryAudience + "/.default"}})
	if err != nil {
		return "", err
	}
	ac, err := azcontainerregistry.NewAuthenticationClient("https://"+loginServer, &azcontainerregistry.AuthenticationClientOptions{ClientOptions: d.Options})
	if err != nil {
		return "", err
	}
	res, err := ac.ExchangeAADAccessTokenForACRRefreshToken(ctx, azcontainerregistry.PostContentSchemaGrantTypeAccessToken, loginServer,
		&azcontainerregistry.AuthenticationClientExchangeAADAccessTokenForACRRefreshTokenOptions{AccessToken: &tok.Token})
	if err != nil {
		return "", Wrap(err)
	}
	if res.RefreshToken == nil {
		return "", errors.New("the registry returned no refresh token")
	}
	return *res.RefreshToken, nil
}
