package arm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// AzCLIClientID is the Azure CLI's public client: az's interactive logins
// hold refresh tokens issued to it.
const AzCLIClientID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"

// AzConfigDir is where az keeps its login: AZURE_CONFIG_DIR, else ~/.azure.
func AzConfigDir() string {
	if d := os.Getenv("AZURE_CONFIG_DIR"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".azure")
}

// msalCache is the part of az's MSAL token cache (msal_token_cache.json,
// plain JSON on Linux) aci reads. It is never written.
type msalCache struct {
	AccessToken map[string]struct {
		HomeAccountID string `json:"home_account_id"`
		Environment   string `json:"environment"`
		ClientID      string `json:"client_id"`
		Secret        string `json:"secret"`
		Target        string `json:"target"`
		Realm         string `json:"realm"`
		ExpiresOn     string `json:"expires_on"`
	} `json:"AccessToken"`
	RefreshToken map[string]struct {
		HomeAccountID string `json:"home_account_id"`
		Environment   string `json:"environment"`
		ClientID      string `json:"client_id"`
		Secret        string `json:"secret"`
	} `json:"RefreshToken"`
	Account map[string]struct {
		HomeAccountID string `json:"home_account_id"`
		Environment   string `json:"environment"`
		Realm         string `json:"realm"`
		Username      string `json:"username"`
	} `json:"Account"`
}

// AzUserCredential is an az user login reused without running az: access
// tokens come from az's MSAL cache while they last, then from its refresh
// token at the cloud's token endpoint. A refreshed token rotates only in
// aci's memory (and aci's own token cache): az's files are only read.
type AzUserCredential struct {
	dir, username, tenant string
	cloud                 *Cloud
	client                *http.Client
	mu                    sync.Mutex
	rt                    string // a rotated refresh token, once used
}

// NewAzUserCredential reuses az's login of username in dir.
func NewAzUserCredential(dir string, cloud *Cloud, username, tenant string, o CredentialOptions) *AzUserCredential {
	hc := &http.Client{Timeout: 30 * time.Second}
	if t, ok := o.Client.Transport.(*http.Client); ok {
		hc = t
	}
	return &AzUserCredential{dir: dir, username: username, tenant: tenant, cloud: cloud, client: hc}
}

func (c *AzUserCredential) load() (*msalCache, string, error) {
	b, err := os.ReadFile(filepath.Join(c.dir, "msal_token_cache.json"))
	if err != nil {
		return nil, "", err
	}
	var m msalCache
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, "", fmt.Errorf("az's token cache cannot be read: %v", err)
	}
	for _, a := range m.Account {
		if strings.EqualFold(a.Username, c.username) {
			return &m, a.HomeAccountID, nil
		}
	}
	return nil, "", fmt.Errorf("az's token cache holds no account %s", c.username)
}

// GetToken answers from az's cache, else refreshes.
func (c *AzUserCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	m, home, err := c.load()
	if err != nil {
		return azcore.AccessToken{}, err
	}
	scope := strings.Join(opts.Scopes, " ")
	for _, at := range m.AccessToken {
		if at.HomeAccountID != home || at.ClientID != AzCLIClientID || !strings.Contains(" "+at.Target+" ", " "+scope+" ") {
			continue
		}
		if exp, err := strconv.ParseInt(at.ExpiresOn, 10, 64); err == nil && time.Until(time.Unix(exp, 0)) > 5*time.Minute {
			return azcore.AccessToken{Token: at.Secret, ExpiresOn: time.Unix(exp, 0)}, nil
		}
	}
	c.mu.Lock()
	rt := c.rt
	c.mu.Unlock()
	if rt == "" {
		for _, r := range m.RefreshToken {
			if r.HomeAccountID == home && r.ClientID == AzCLIClientID {
				rt = r.Secret
			}
		}
	}
	if rt == "" {
		return azcore.AccessToken{}, errors.New("az's token cache holds no refresh token for this login")
	}
	return c.refresh(ctx, rt, scope)
}

// tokenURL is the cloud's token endpoint for the login's tenant (ADFS
// authorities have no tenant segment of their own).
func (c *AzUserCredential) tokenURL() (string, error) {
	host, tenant, _ := Authority(c.cloud, c.tenant)
	if host == "" || host == "/" {
		return "", errors.New("the cloud has no login endpoint")
	}
	host = strings.TrimRight(host, "/")
	switch {
	case strings.EqualFold(tenant, "adfs"):
		return host + "/adfs/oauth2/token", nil
	case tenant == "":
		tenant = "organizations"
	}
	return host + "/" + tenant + "/oauth2/v2.0/token", nil
}

func (c *AzUserCredential) refresh(ctx context.Context, rt, scope string) (azcore.AccessToken, error) {
	u, err := c.tokenURL()
	if err != nil {
		return azcore.AccessToken{}, err
	}
	form := url.Values{"client_id": {AzCLIClientID}, "grant_type": {"refresh_token"}, "refresh_token": {rt},
		"scope": {scope + " offline_access openid profile"}}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return azcore.AccessToken{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.client.Do(req)
	if err != nil {
		return azcore.AccessToken{}, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var tok struct {
		AccessToken  string          `json:"access_token"`
		RefreshToken string          `json:"refresh_token"`
		ExpiresIn    json.Number     `json:"expires_in"`
		Error        string          `json:"error"`
		Description  string          `json:"error_description"`
		_            json.RawMessage `json:"-"`
	}
	if err := json.Unmarshal(body, &tok); err != nil || resp.StatusCode != 200 || tok.AccessToken == "" {
		if tok.Error != "" {
			return azcore.AccessToken{}, fmt.Errorf("refreshing az's login failed: %s: %s", tok.Error, tok.Description)
		}
		return azcore.AccessToken{}, fmt.Errorf("refreshing az's login failed: HTTP %d", resp.StatusCode)
	}
	if tok.RefreshToken != "" {
		c.mu.Lock()
		c.rt = tok.RefreshToken
		c.mu.Unlock()
	}
	secs, _ := tok.ExpiresIn.Int64()
	if secs <= 0 {
		secs = 3600
	}
	return azcore.AccessToken{Token: tok.AccessToken, ExpiresOn: time.Now().Add(time.Duration(secs) * time.Second)}, nil
}
