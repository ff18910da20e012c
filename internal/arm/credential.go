package arm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	azcloud "github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// ErrNotLoggedIn is az's message when there is no account to use.
var ErrNotLoggedIn = errors.New("Please run 'aci login' to setup account.")

// isPublicAuthority tells whether MSAL may run instance discovery for a host.
func isPublicAuthority(host string) bool {
	for _, c := range builtinClouds() {
		if strings.EqualFold(strings.TrimRight(c.Endpoints["activeDirectory"], "/"), strings.TrimRight(host, "/")) {
			return true
		}
	}
	return false
}

// Authority returns the authority host and tenant azidentity must use for a cloud.
// An ADFS-style authority (<base>/adfs, as Azure Stack and aci local publish) takes
// the tenant "adfs" whatever tenant the user named, as az does.
func Authority(c *Cloud, tenant string) (host, effectiveTenant string, discovery bool) {
	ad := strings.TrimRight(c.Endpoints["activeDirectory"], "/")
	if strings.HasSuffix(strings.ToLower(ad), "/adfs") {
		return ad[:len(ad)-len("adfs")], "adfs", false
	}
	return ad + "/", tenant, isPublicAuthority(ad)
}

// CredentialOptions carries what every credential needs: the cloud and transport.
type CredentialOptions struct {
	Cloud     *Cloud
	Client    policy.ClientOptions
	ConfigDir string
}

func (o CredentialOptions) clientOptions() policy.ClientOptions {
	co := o.Client
	host, _, _ := Authority(o.Cloud, "")
	co.Cloud = azcloud.Configuration{ActiveDirectoryAuthorityHost: host, Services: map[azcloud.ServiceName]azcloud.ServiceConfiguration{
		azcloud.ResourceManager: {Endpoint: o.Cloud.ResourceManager(), Audience: o.Cloud.Audience()},
	}}
	return co
}

// NewServicePrincipalCredential builds a client-secret or certificate credential.
func NewServicePrincipalCredential(o CredentialOptions, sp ServicePrincipal) (azcore.TokenCredential, error) {
	_, tenant, discovery := Authority(o.Cloud, sp.Tenant)
	co := o.clientOptions()
	if sp.Certificate != "" {
		pem, err := os.ReadFile(sp.Certificate)
		if err != nil {
			return nil, fmt.Errorf("reading certificate: %v", err)
		}
		certs, key, err := azidentity.ParseCertificates(pem, nil)
		if err != nil {
			return nil, fmt.Errorf("parsing certificate %s: %v", sp.Certificate, err)
		}
		return azidentity.NewClientCertificateCredential(tenant, sp.ClientID, certs, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: azcore.ClientOptions(co), DisableInstanceDiscovery: !discovery})
	}
	return azidentity.NewClientSecretCredential(tenant, sp.ClientID, sp.ClientSecret,
		&azidentity.ClientSecretCredentialOptions{ClientOptions: azcore.ClientOptions(co), DisableInstanceDiscovery: !discovery})
}

// NewManagedIdentityCredential builds a managed-identity credential (optionally a
// user-assigned one by client id or resource id).
func NewManagedIdentityCredential(o CredentialOptions, id string) (azcore.TokenCredential, error) {
	opts := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: azcore.ClientOptions(o.clientOptions())}
	switch {
	case strings.HasPrefix(id, "/"):
		opts.ID = azidentity.ResourceID(id)
	case id != "":
		opts.ID = azidentity.ClientID(id)
	}
	return azidentity.NewManagedIdentityCredential(opts)
}

// NewAmbientCredential is used when aci has no login of its own: the environment
// (AZURE_CLIENT_ID/SECRET/TENANT_ID, workload identity), then an existing `az login`.
func NewAmbientCredential(o CredentialOptions) (azcore.TokenCredential, error) {
	co := azcore.ClientOptions(o.clientOptions())
	var chain []azcore.TokenCredential
	if os.Getenv("AZURE_CLIENT_ID") != "" && (os.Getenv("AZURE_CLIENT_SECRET") != "" || os.Getenv("AZURE_CLIENT_CERTIFICATE_PATH") != "") {
		if c, err := azidentity.NewEnvironmentCredential(&azidentity.EnvironmentCredentialOptions{ClientOptions: co,
			DisableInstanceDiscovery: !isPublicAuthority(o.Cloud.Endpoints["activeDirectory"])}); err == nil {
			chain = append(chain, c)
		}
	}
	if os.Getenv("AZURE_FEDERATED_TOKEN_FILE") != "" {
		if c, err := azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{ClientOptions: co}); err == nil {
			chain = append(chain, c)
		}
	}
	if c, err := azidentity.NewAzureCLICredential(nil); err == nil {
		chain = append(chain, c)
	}
	return azidentity.NewChainedTokenCredential(chain, nil)
}

// tokenCache keeps access tokens between invocations (mode 0600) so a command does
// not pay for a token request every time, as az's MSAL cache does.
type tokenCache struct {
	inner azcore.TokenCredential
	path  string
	key   string
	mu    sync.Mutex
}

// CachedCredential wraps cred with the on-disk token cache; key identifies the
// principal (cloud, tenant, client).
func CachedCredential(cred azcore.TokenCredential, configDir, key string) azcore.TokenCredential {
	return &tokenCache{inner: cred, path: filepath.Join(configDir, "tokens.json"), key: key}
}

type cachedToken struct {
	Token     string    `json:"token"`
	ExpiresOn time.Time `json:"expiresOn"`
}

func (t *tokenCache) entryKey(scopes []string) string {
	h := sha256.Sum256([]byte(t.key + "|" + strings.Join(scopes, " ")))
	return hex.EncodeToString(h[:16])
}

func (t *tokenCache) load() map[string]cachedToken {
	m := map[string]cachedToken{}
	if b, err := os.ReadFile(t.path); err == nil {
		_ = json.Unmarshal(b, &m)
	}
	return m
}

func (t *tokenCache) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	k := t.entryKey(opts.Scopes)
	m := t.load()
	if c, ok := m[k]; ok && time.Until(c.ExpiresOn) > 5*time.Minute {
		return azcore.AccessToken{Token: c.Token, ExpiresOn: c.ExpiresOn}, nil
	}
	tok, err := t.inner.GetToken(ctx, opts)
	if err != nil {
		return tok, err
	}
	now := time.Now()
	for kk, v := range m {
		if v.ExpiresOn.Before(now) {
			delete(m, kk)
		}
	}
	m[k] = cachedToken{Token: tok.Token, ExpiresOn: tok.ExpiresOn}
	if b, err := json.Marshal(m); err == nil {
		_ = writeFileAtomic(t.path, b, 0o600)
	}
	return tok, nil
}

// ClearTokenCache removes cached tokens (logout, new login).
func ClearTokenCache(configDir string) error {
	err := os.Remove(filepath.Join(configDir, "tokens.json"))
	if os.IsNotExist(err) {
		return nil
	}
	return err
}
