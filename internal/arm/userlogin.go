package arm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity/cache"
	msalcache "github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
	"github.com/pkg/browser"
)

// Interactive logins (browser, device code) keep their refresh token in a
// persistent MSAL cache so a person stays signed in for weeks, as with az.
// On macOS and Windows the cache is azidentity/cache's, encrypted with the
// Keychain or DPAPI, and the login is an azidentity AuthenticationRecord. On
// Linux azidentity/cache keeps its key in the kernel keyring, which forgets it
// at shutdown (and which Docker's seccomp profile forbids), so a login would
// not outlive a reboot: there the cache is a 0600 JSON file in the config dir,
// as az keeps msal_token_cache.json on Linux. azidentity cannot be given
// another storage, so that path talks to MSAL, the library azidentity is
// built on, directly. ACI_TOKEN_CACHE=file|keyring overrides the choice.

// LoginFlow is how an interactive login proves the user.
type LoginFlow int

const (
	// FlowBrowser is the authorization code flow with PKCE and a loopback redirect.
	FlowBrowser LoginFlow = iota
	// FlowDeviceCode shows a code to enter in a browser on any device.
	FlowDeviceCode
)

// Token storages.
const (
	StorageKeyring = "keyring"
	StorageFile    = "file"
)

const (
	userLoginsFile = "aci_logins.json"
	msalFileName   = "msal_token_cache.json"
)

// UserLogin records an interactive login: where its tokens are and the
// account to ask MSAL for. It holds no secret.
type UserLogin struct {
	Cloud    string                          `json:"cloud"`
	Username string                          `json:"username"`
	Tenant   string                          `json:"tenant"`
	Storage  string                          `json:"storage"`
	Record   azidentity.AuthenticationRecord `json:"record"`
}

// ErrLoginExpired is the message when an interactive login can no longer
// refresh its tokens.
type ErrLoginExpired struct{ Reason string }

func (e *ErrLoginExpired) Error() string {
	msg := "The login has expired or was revoked. Please run 'aci login' again."
	if e.Reason != "" {
		msg += " (" + e.Reason + ")"
	}
	return msg
}

// LoadUserLogins reads the interactive logins of a config dir.
func LoadUserLogins(dir string) ([]UserLogin, error) {
	b, err := os.ReadFile(filepath.Join(dir, userLoginsFile))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var l []UserLogin
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, userLoginsFile), err)
	}
	return l, nil
}

func saveUserLogins(dir string, l []UserLogin) error {
	if len(l) == 0 {
		err := os.Remove(filepath.Join(dir, userLoginsFile))
		if os.IsNotExist(err) {
			return nil
		}
		return err
	}
	b, _ := json.MarshalIndent(l, "", "  ")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, userLoginsFile), b, 0o600)
}

// FindUserLogin returns the login of username on a cloud.
func FindUserLogin(dir, cloud, username string) (*UserLogin, error) {
	l, err := LoadUserLogins(dir)
	if err != nil {
		return nil, err
	}
	for i := range l {
		if l[i].Cloud == cloud && strings.EqualFold(l[i].Username, username) {
			return &l[i], nil
		}
	}
	return nil, nil
}

var keyringOnce = sync.OnceValue(func() error {
	_, err := cache.New(&cache.Options{Name: "aci-probe"})
	return err
})

// TokenStorage is where a new interactive login keeps its tokens.
func TokenStorage() string {
	switch os.Getenv("ACI_TOKEN_CACHE") {
	case StorageFile:
		return StorageFile
	case StorageKeyring:
		return StorageKeyring
	}
	if goruntime.GOOS != "linux" && keyringOnce() == nil {
		return StorageKeyring
	}
	return StorageFile
}

// keyringCacheName isolates each config dir's cache in the keyring storage.
func keyringCacheName(dir string) string {
	abs, _ := filepath.Abs(dir)
	h := sha256.Sum256([]byte(abs))
	return "aci-" + hex.EncodeToString(h[:8])
}

// CanOpenBrowser tells whether a browser can be started here (on Linux: a
// display and an opener), as az decides between browser and device code.
func CanOpenBrowser() bool {
	if goruntime.GOOS != "linux" {
		return true
	}
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return false
	}
	for _, p := range []string{"xdg-open", "x-www-browser", "www-browser"} {
		if _, err := exec.LookPath(p); err == nil {
			return true
		}
	}
	return false
}

func init() {
	// The opener's output must never mix with a command's JSON on stdout.
	browser.Stdout = os.Stderr
}

// userAuth is an interactive login's machinery for one storage.
type userAuth struct {
	o       CredentialOptions
	tenant  string // as requested: "organizations", a tenant, or "adfs"
	storage string
}

func newUserAuth(o CredentialOptions, tenant, storage string) *userAuth {
	_, t, _ := Authority(o.Cloud, tenant)
	if t == "" {
		t = "organizations"
	}
	return &userAuth{o: o, tenant: t, storage: storage}
}

func (u *userAuth) discovery() bool {
	_, _, d := Authority(u.o.Cloud, u.tenant)
	return d
}

func (u *userAuth) authority() string {
	host, _, _ := Authority(u.o.Cloud, u.tenant)
	return strings.TrimRight(host, "/") + "/" + u.tenant
}

func (u *userAuth) keyring() (azidentity.Cache, error) {
	return cache.New(&cache.Options{Name: keyringCacheName(u.o.ConfigDir)})
}

// httpClient is the transport MSAL uses on the file path: the pipeline's
// (which trusts aci local's CA), always with a timeout.
func (u *userAuth) httpClient() *http.Client {
	if c, ok := u.o.Client.Transport.(*http.Client); ok {
		return c
	}
	return &http.Client{Timeout: 30 * time.Second}
}

func (u *userAuth) msal() (public.Client, error) {
	return public.New(AzCLIClientID, public.WithAuthority(u.authority()),
		public.WithCache(&fileCache{path: filepath.Join(u.o.ConfigDir, msalFileName)}),
		public.WithHTTPClient(u.httpClient()), public.WithInstanceDiscovery(u.discovery()))
}

// Login runs an interactive login and returns its record; prompt shows the
// device code's instructions.
func (u *userAuth) Login(ctx context.Context, flow LoginFlow, scopes []string, prompt func(string)) (azidentity.AuthenticationRecord, error) {
	if u.storage == StorageKeyring {
		c, err := u.keyring()
		if err != nil {
			return azidentity.AuthenticationRecord{}, err
		}
		co := azcore.ClientOptions(u.o.clientOptions())
		// azidentity keeps CAE and non-CAE tokens in separate caches; ARM's
		// pipeline asks for CAE, so the login seeds that one and silent
		// requests always use it (see silent).
		tro := &policy.TokenRequestOptions{Scopes: scopes, EnableCAE: true}
		if flow == FlowBrowser {
			cred, err := azidentity.NewInteractiveBrowserCredential(&azidentity.InteractiveBrowserCredentialOptions{
				ClientOptions: co, ClientID: AzCLIClientID, TenantID: u.tenant, Cache: c,
				DisableInstanceDiscovery: !u.discovery()})
			if err != nil {
				return azidentity.AuthenticationRecord{}, err
			}
			return cred.Authenticate(ctx, tro)
		}
		cred, err := azidentity.NewDeviceCodeCredential(&azidentity.DeviceCodeCredentialOptions{
			ClientOptions: co, ClientID: AzCLIClientID, TenantID: u.tenant, Cache: c, DisableInstanceDiscovery: !u.discovery(),
			UserPrompt: func(_ context.Context, m azidentity.DeviceCodeMessage) error { prompt(m.Message); return nil }})
		if err != nil {
			return azidentity.AuthenticationRecord{}, err
		}
		return cred.Authenticate(ctx, tro)
	}
	app, err := u.msal()
	if err != nil {
		return azidentity.AuthenticationRecord{}, err
	}
	var res public.AuthResult
	if flow == FlowBrowser {
		res, err = app.AcquireTokenInteractive(ctx, scopes)
	} else {
		var dc public.DeviceCode
		if dc, err = app.AcquireTokenByDeviceCode(ctx, scopes); err == nil {
			prompt(dc.Result.Message)
			res, err = dc.AuthenticationResult(ctx)
		}
	}
	if err != nil {
		return azidentity.AuthenticationRecord{}, err
	}
	a := res.Account
	return azidentity.AuthenticationRecord{Authority: u.authority(), ClientID: AzCLIClientID, HomeAccountID: a.HomeAccountID,
		TenantID: a.Realm, Username: a.PreferredUsername, Version: "1.0"}, nil
}

// NewUserCredential is the credential of a recorded interactive login: tokens
// from its cache, refreshed silently; never a prompt.
func NewUserCredential(o CredentialOptions, l UserLogin) (azcore.TokenCredential, error) {
	u := newUserAuth(o, l.Tenant, l.Storage)
	if l.Storage == StorageKeyring {
		c, err := u.keyring()
		if err != nil {
			return nil, &ErrLoginExpired{Reason: "the keyring holding the login cannot be opened: " + err.Error()}
		}
		cred, err := azidentity.NewDeviceCodeCredential(&azidentity.DeviceCodeCredentialOptions{
			ClientOptions: azcore.ClientOptions(u.o.clientOptions()), ClientID: AzCLIClientID, TenantID: u.tenant, Cache: c,
			AuthenticationRecord: l.Record, DisableAutomaticAuthentication: true, DisableInstanceDiscovery: !u.discovery()})
		if err != nil {
			return nil, err
		}
		return silent{cred}, nil
	}
	return &msalUser{u: u, rec: l.Record}, nil
}

// silent asks the CAE cache the login seeded, and turns azidentity's
// "authentication required" into aci's message.
type silent struct{ c azcore.TokenCredential }

func (s silent) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	o.EnableCAE = true
	t, err := s.c.GetToken(ctx, o)
	if err != nil {
		return t, &ErrLoginExpired{Reason: firstLine(err)}
	}
	return t, nil
}

type msalUser struct {
	u   *userAuth
	rec azidentity.AuthenticationRecord
}

func (m *msalUser) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	app, err := m.u.msal()
	if err != nil {
		return azcore.AccessToken{}, err
	}
	accts, err := app.Accounts(ctx)
	if err != nil {
		return azcore.AccessToken{}, &ErrLoginExpired{Reason: "the token cache cannot be read: " + err.Error()}
	}
	for _, a := range accts {
		if a.HomeAccountID == m.rec.HomeAccountID {
			res, err := app.AcquireTokenSilent(ctx, o.Scopes, public.WithSilentAccount(a))
			if err != nil {
				return azcore.AccessToken{}, &ErrLoginExpired{Reason: firstLine(err)}
			}
			return azcore.AccessToken{Token: res.AccessToken, ExpiresOn: res.ExpiresOn}, nil
		}
	}
	return azcore.AccessToken{}, &ErrLoginExpired{Reason: "the token cache holds no tokens for " + m.rec.Username}
}

// firstLine keeps the AADSTS line of an MSAL or azidentity error.
func firstLine(err error) string {
	for _, l := range strings.Split(err.Error(), "\n") {
		if i := strings.Index(l, "AADSTS"); i >= 0 {
			l = l[i:]
			if j := strings.IndexAny(l, `"`); j > 0 {
				l = l[:j]
			}
			return strings.TrimSpace(l)
		}
	}
	return strings.TrimSpace(strings.Split(err.Error(), "\n")[0])
}

// fileCache is MSAL's cache as a 0600 file, written whole and atomically.
type fileCache struct{ path string }

func (f *fileCache) Replace(_ context.Context, u msalcache.Unmarshaler, _ msalcache.ReplaceHints) error {
	b, err := os.ReadFile(f.path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	// A corrupt cache is as good as none: the user logs in again.
	_ = u.Unmarshal(b)
	return nil
}

func (f *fileCache) Export(_ context.Context, m msalcache.Marshaler, _ msalcache.ExportHints) error {
	b, err := m.Marshal()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(f.path), 0o700); err != nil {
		return err
	}
	return writeFileAtomic(f.path, b, 0o600)
}

// InteractiveLogin signs a user in with flow and records the login; it
// returns the record (the username and home tenant are in it).
func InteractiveLogin(ctx context.Context, o CredentialOptions, tenant string, flow LoginFlow, scopes []string, prompt func(string)) (UserLogin, error) {
	storage := TokenStorage()
	u := newUserAuth(o, tenant, storage)
	rec, err := u.Login(ctx, flow, scopes, prompt)
	if err != nil {
		return UserLogin{}, err
	}
	l := UserLogin{Cloud: o.Cloud.Name, Username: rec.Username, Tenant: u.tenant, Storage: storage, Record: rec}
	logins, err := LoadUserLogins(o.ConfigDir)
	if err != nil {
		logins = nil
	}
	keep := []UserLogin{l}
	for _, x := range logins {
		if !(x.Cloud == l.Cloud && strings.EqualFold(x.Username, l.Username)) {
			keep = append(keep, x)
		}
	}
	return l, saveUserLogins(o.ConfigDir, keep)
}

// Logout ends an interactive login: the sign-in is revoked where the
// authority offers revocation (aci local does; Azure AD has no such endpoint
// for public clients), then its tokens and record are removed.
func Logout(ctx context.Context, o CredentialOptions, l UserLogin) error {
	if cred, err := NewUserCredential(o, l); err == nil {
		scope := o.Cloud.Audience() + "/.default"
		if tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{scope}}); err == nil {
			newUserAuth(o, l.Tenant, l.Storage).revoke(ctx, tok.Token)
		}
	}
	u := newUserAuth(o, l.Tenant, l.Storage)
	if l.Storage == StorageKeyring {
		// The encrypted cache belongs to this config dir alone.
		p := filepath.Join(identityServiceDir(), keyringCacheName(o.ConfigDir))
		for _, f := range []string{p, p + ".cae", p + ".lockfile", p + ".cae.lockfile"} {
			if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
	} else if app, err := u.msal(); err == nil {
		if accts, err := app.Accounts(ctx); err == nil {
			for _, a := range accts {
				if a.HomeAccountID == l.Record.HomeAccountID {
					if err := app.RemoveAccount(ctx, a); err != nil {
						return err
					}
				}
			}
		}
	}
	logins, err := LoadUserLogins(o.ConfigDir)
	if err != nil {
		return err
	}
	var keep []UserLogin
	for _, x := range logins {
		if !(x.Cloud == l.Cloud && strings.EqualFold(x.Username, l.Username)) {
			keep = append(keep, x)
		}
	}
	return saveUserLogins(o.ConfigDir, keep)
}

// identityServiceDir is where azidentity/cache keeps its encrypted files.
func identityServiceDir() string {
	dir, _ := os.UserHomeDir()
	switch goruntime.GOOS {
	case "linux":
		if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
			dir = d
		} else {
			dir = filepath.Join(dir, ".cache")
		}
	case "windows":
		dir = os.Getenv("LOCALAPPDATA")
	}
	return filepath.Join(dir, ".IdentityService")
}

// revoke asks the authority's revocation endpoint (RFC 7009), when its
// OpenID metadata names one, to end the sign-in a token belongs to.
func (u *userAuth) revoke(ctx context.Context, token string) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	c := u.httpClient()
	meta := u.authority() + "/.well-known/openid-configuration"
	if u.tenant != "adfs" {
		meta = u.authority() + "/v2.0/.well-known/openid-configuration"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, meta, nil)
	if err != nil {
		return
	}
	resp, err := c.Do(req)
	if err != nil {
		return
	}
	var m struct {
		Revocation string `json:"revocation_endpoint"`
	}
	err = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&m)
	resp.Body.Close()
	if err != nil || m.Revocation == "" {
		return
	}
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, m.Revocation,
		strings.NewReader(url.Values{"token": {token}, "token_type_hint": {"access_token"}, "client_id": {AzCLIClientID}}.Encode()))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err := c.Do(req); err == nil {
		resp.Body.Close()
	}
}
