package containerregistry

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aci-cli/aci/internal/local/core"
	"github.com/distribution/distribution/v3"
	"github.com/distribution/distribution/v3/configuration"
	v2 "github.com/distribution/distribution/v3/registry/api/v2"
	"github.com/distribution/distribution/v3/registry/handlers"
	"github.com/distribution/distribution/v3/registry/storage"
	"github.com/distribution/distribution/v3/registry/storage/driver/filesystem"
	"github.com/gorilla/mux"
	"github.com/sirupsen/logrus"
)

func init() {
	// The distribution logs every request (and every client mistake, as an
	// error) through logrus' global logger; aci local's request log already
	// records each request and its status.
	logrus.SetLevel(logrus.FatalLevel)
}

// anonymousUser is the user name Docker and az log in with when the password
// is an ACR refresh token.
const anonymousUser = "00000000-0000-0000-0000-000000000000"

type settings struct{ admin, anonymous bool }

// plane is one registry's data plane: OCI distribution (the distribution
// project's own handlers over its filesystem driver) behind ACR's
// authentication, plus ACR's /acr/v1 metadata API and token endpoints.
type plane struct {
	s         *core.Server
	id        string
	login     string // host:port
	app       *handlers.App
	ns        distribution.Namespace
	driver    *filesystem.Driver
	dp        *core.DataPlane
	passwords func() [2]string
	dir       string // the registry's storage
	secret    string // signs its SAS URLs

	mu  sync.RWMutex
	set settings
}

func newPlane(s *core.Server, id string, p *private, dir string, set settings, passwords func() [2]string) (*plane, error) {
	cfg := &configuration.Configuration{}
	cfg.Storage = configuration.Storage{
		"filesystem":  configuration.Parameters{"rootdirectory": dir},
		"delete":      configuration.Parameters{"enabled": true},
		"redirect":    configuration.Parameters{"disable": true},
		"maintenance": configuration.Parameters{"uploadpurging": map[any]any{"enabled": false}},
	}
	cfg.HTTP.Secret = p.Secret
	cfg.Catalog.MaxEntries = 1000
	cfg.Log.AccessLog.Disabled = true
	cfg.Log.Level = "warn"
	var app *handlers.App
	if err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("the registry storage failed to open: %v", r)
			}
		}()
		app = handlers.NewApp(context.Background(), cfg)
		return nil
	}(); err != nil {
		return nil, err
	}
	drv := filesystem.New(filesystem.DriverParameters{RootDirectory: dir, MaxThreads: 100})
	ns, err := storage.NewRegistry(context.Background(), drv, storage.EnableDelete)
	if err != nil {
		return nil, err
	}
	pl := &plane{s: s, id: id, login: p.Addr, app: app, ns: ns, driver: drv, set: set, passwords: passwords, dir: dir, secret: p.Secret}
	dp, err := s.ServeDataPlane(p.Addr, pl)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on the login server %s: %v", p.Addr, err)
	}
	pl.dp = dp
	return pl, nil
}

func (pl *plane) close() {
	pl.dp.Close()
	_ = pl.app.Shutdown()
}

func (pl *plane) setSettings(s settings) {
	pl.mu.Lock()
	pl.set = s
	pl.mu.Unlock()
}

func (pl *plane) settings() settings {
	pl.mu.RLock()
	defer pl.mu.RUnlock()
	return pl.set
}

func (pl *plane) name() string { return pl.id[strings.LastIndex(pl.id, "/")+1:] }

// regError writes the distribution spec's error body.
func regError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Docker-Distribution-Api-Version", "registry/2.0")
	w.WriteHeader(status)
	type regErr struct {
		Code    string `json:"code"`
		Detail  any    `json:"detail"`
		Message string `json:"message"`
	}
	b, err := json.Marshal(struct {
		Errors []regErr `json:"errors"`
	}{[]regErr{{Code: code, Message: msg}}})
	if err == nil {
		_, _ = w.Write(b)
	}
}

// ServeHTTP authenticates, authorizes the request's scope, then hands it to
// the token endpoints, /acr/v1 or the distribution.
func (pl *plane) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/oauth2/exchange":
		pl.exchange(w, r)
		return
	case "/oauth2/token":
		pl.token(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/aci-local-blobs/") {
		pl.blobs(w, r)
		return
	}
	if !strings.HasPrefix(r.URL.Path, "/v2/") && r.URL.Path != "/v2" && !strings.HasPrefix(r.URL.Path, "/acr/v1/") {
		regError(w, 404, "NAME_UNKNOWN", "The requested path is not served by this registry.")
		return
	}
	need := requiredScope(r)
	grants, authErr := pl.authenticate(r)
	if authErr != "" || !allowed(grants, need, pl.settings().anonymous) {
		pl.challenge(w, need, authErr)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/acr/v1/") {
		pl.acr(w, r)
		return
	}
	if from := r.URL.Query().Get("from"); from != "" && r.Method == http.MethodPost {
		// A cross-repository mount reads another repository: without pull on
		// it, the upload starts from scratch instead.
		if !allowed(grants, []access{{Type: "repository", Name: from, Actions: []string{"pull"}}}, false) {
			q := r.URL.Query()
			q.Del("from")
			q.Del("mount")
			r.URL.RawQuery = q.Encode()
		}
	}
	w.Header().Set("Docker-Distribution-Api-Version", "registry/2.0")
	pl.app.ServeHTTP(w, r)
}

// access is one scope: repository:hello:pull,push or registry:catalog:*.
type access struct {
	Type    string   `json:"type"`
	Name    string   `json:"name"`
	Actions []string `json:"actions"`
}

func (a access) String() string { return a.Type + ":" + a.Name + ":" + strings.Join(a.Actions, ",") }

// requiredScope is what a request needs, named as ACR's challenges name it.
func requiredScope(r *http.Request) []access {
	p := r.URL.Path
	read := r.Method == http.MethodGet || r.Method == http.MethodHead
	switch {
	case p == "/v2/" || p == "/v2":
		return nil
	case p == "/v2/_catalog" || p == "/acr/v1/_catalog":
		return []access{{Type: "registry", Name: "catalog", Actions: []string{"*"}}}
	case strings.HasPrefix(p, "/acr/v1/"):
		repo := strings.TrimPrefix(p, "/acr/v1/")
		for _, cut := range []string{"/_tags", "/_manifests"} {
			if i := strings.Index(repo, cut); i >= 0 {
				repo = repo[:i]
			}
		}
		act := "metadata_read"
		switch r.Method {
		case http.MethodDelete:
			act = "delete"
		case http.MethodPatch:
			act = "metadata_write"
		}
		return []access{{Type: "repository", Name: repo, Actions: []string{act}}}
	}
	repo, ok := repoOf(r)
	if !ok {
		// No repository route: nothing a repository grant may reach.
		return []access{{Type: "registry", Name: "catalog", Actions: []string{"*"}}}
	}
	switch {
	case read:
		return []access{{Type: "repository", Name: repo, Actions: []string{"pull"}}}
	case r.Method == http.MethodDelete:
		return []access{{Type: "repository", Name: repo, Actions: []string{"delete"}}}
	default:
		return []access{{Type: "repository", Name: repo, Actions: []string{"pull", "push"}}}
	}
}

// distRoutes is the distribution's own router, the one its handlers serve by.
var distRoutes = v2.Router()

// repoOf is the repository a /v2/ request reaches, as the distribution's
// router parses it: "/v2/a/blobs/x/manifests/latest" is repository
// "a/blobs/x", so a grant for "a" must not cover it.
func repoOf(r *http.Request) (string, bool) {
	var m mux.RouteMatch
	if !distRoutes.Match(r, &m) || m.Route == nil {
		return "", false
	}
	name, ok := m.Vars["name"]
	return name, ok && name != ""
}

// allowed reports whether grants cover need. Anonymous pull covers reads of
// repositories when the registry allows it.
func allowed(grants []access, need []access, anonymous bool) bool {
	if grants == nil {
		if !anonymous {
			return false
		}
		for _, n := range need {
			for _, a := range n.Actions {
				if n.Type != "repository" || (a != "pull" && a != "metadata_read") {
					return false
				}
			}
		}
		return true
	}
	for _, n := range need {
		for _, a := range n.Actions {
			if !grantHas(grants, n.Type, n.Name, a) {
				return false
			}
		}
	}
	return true
}

func grantHas(grants []access, typ, name, action string) bool {
	for _, g := range grants {
		if g.Type != typ || (g.Name != name && g.Name != "*") {
			continue
		}
		for _, a := range g.Actions {
			if a == action || a == "*" || (action == "metadata_read" && a == "pull") {
				return true
			}
		}
	}
	return false
}

// everything is what the admin user and the subscription's principals hold.
var everything = []access{{Type: "repository", Name: "*", Actions: []string{"*"}}, {Type: "registry", Name: "catalog", Actions: []string{"*"}}}

// authenticate reads the request's credentials: nil grants and no error for
// none, an error text for wrong ones.
func (pl *plane) authenticate(r *http.Request) ([]access, string) {
	h := r.Header.Get("Authorization")
	switch {
	case h == "":
		return nil, ""
	case strings.HasPrefix(h, "Basic "):
		u, p, ok := r.BasicAuth()
		if !ok || !pl.basicOK(u, p) {
			return nil, "authentication required, visit https://aka.ms/acr/authorization for more information."
		}
		return everything, ""
	case strings.HasPrefix(h, "Bearer "):
		claims, err := pl.s.VerifyToken(strings.TrimPrefix(h, "Bearer "), pl.login)
		if err != nil || claims["grant_type"] != "access_token" {
			return nil, "authentication required, visit https://aka.ms/acr/authorization for more information."
		}
		var grants []access
		b, _ := json.Marshal(claims["access"])
		_ = json.Unmarshal(b, &grants)
		if grants == nil {
			grants = []access{}
		}
		return grants, ""
	}
	return nil, "authentication required, visit https://aka.ms/acr/authorization for more information."
}

// basicOK checks an admin password, or a refresh token under the null user.
func (pl *plane) basicOK(user, pass string) bool {
	if strings.EqualFold(user, anonymousUser) {
		return pl.refreshOK(pass)
	}
	if !pl.settings().admin || !strings.EqualFold(user, pl.name()) || pass == "" {
		return false
	}
	pw := pl.passwords()
	return core.SecretsEqual(pass, pw[0]) || core.SecretsEqual(pass, pw[1])
}

func (pl *plane) refreshOK(tok string) bool {
	claims, err := pl.s.VerifyToken(tok, pl.login)
	return err == nil && claims["grant_type"] == "refresh_token"
}

func (pl *plane) challenge(w http.ResponseWriter, need []access, msg string) {
	c := fmt.Sprintf(`Bearer realm="https://%s/oauth2/token",service="%s"`, pl.login, pl.login)
	if len(need) > 0 {
		var ss []string
		for _, n := range need {
			ss = append(ss, n.String())
		}
		c += fmt.Sprintf(`,scope="%s"`, strings.Join(ss, " "))
	}
	w.Header().Set("WWW-Authenticate", c)
	if msg == "" {
		msg = "authentication required, visit https://aka.ms/acr/authorization for more information."
	}
	regError(w, 401, "UNAUTHORIZED", msg)
}

func (pl *plane) sign(grant string, access []access, sub string, life time.Duration) (string, error) {
	now := time.Now()
	claims := map[string]any{"iss": "https://" + pl.login + "/", "aud": pl.login, "sub": sub, "grant_type": grant,
		"tid": pl.s.Identity().TenantID, "iat": now.Unix(), "nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(life).Unix(),
		"jti": core.RandomSecret()[:16]}
	if access != nil {
		claims["access"] = access
	}
	return pl.s.SignToken(claims)
}

func tokenErr(w http.ResponseWriter, status int, msg string) {
	type tokErr struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	core.WriteJSON(w, status, struct {
		Errors []tokErr `json:"errors"`
	}{[]tokErr{{"UNAUTHORIZED", msg}}})
}

// exchange is ACR's POST /oauth2/exchange: an AAD token of this tenant (for
// ARM or for the registry audience) becomes a registry refresh token.
func (pl *plane) exchange(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		tokenErr(w, 405, "POST is required.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		tokenErr(w, 400, "The form could not be read.")
		return
	}
	gt := r.PostForm.Get("grant_type")
	if gt != "access_token" && gt != "access_token_refresh_token" {
		tokenErr(w, 400, "grant_type must be access_token.")
		return
	}
	if svc := r.PostForm.Get("service"); svc != "" && !strings.EqualFold(svc, pl.login) {
		tokenErr(w, 400, "The service does not match this registry.")
		return
	}
	claims, err := pl.s.VerifyToken(r.PostForm.Get("access_token"), core.ARMAudience, "https://management.azure.com/", registryAudience)
	if err == nil && !core.IsAccessToken(claims) {
		err = fmt.Errorf("it is not an access token")
	}
	if err != nil {
		tokenErr(w, 401, "The access token is invalid: "+err.Error())
		return
	}
	sub, _ := claims["oid"].(string)
	rt, err := pl.sign("refresh_token", nil, sub, 3*time.Hour)
	if err != nil {
		tokenErr(w, 500, err.Error())
		return
	}
	core.WriteJSON(w, 200, struct {
		RefreshToken string `json:"refresh_token"`
	}{rt})
}

// registryAudience is the AAD audience of ACR's data plane.
const registryAudience = "https://containerregistry.azure.net"

// token is ACR's /oauth2/token: GET with Basic credentials (Docker), POST
// with a refresh token or a password (az, the SDK, Docker with an identity
// token); anonymous GET where anonymous pull is on. It grants the scopes
// asked for that the caller holds.
func (pl *plane) token(w http.ResponseWriter, r *http.Request) {
	var scopes []string
	var grants []access
	switch r.Method {
	case http.MethodGet:
		scopes = r.URL.Query()["scope"]
		if u, p, ok := r.BasicAuth(); ok {
			if !pl.basicOK(u, p) {
				tokenErr(w, 401, "authentication required, visit https://aka.ms/acr/authorization for more information.")
				return
			}
			grants = everything
		} else if !pl.settings().anonymous {
			tokenErr(w, 401, "authentication required, visit https://aka.ms/acr/authorization for more information.")
			return
		} else {
			grants = []access{{Type: "repository", Name: "*", Actions: []string{"pull", "metadata_read"}}}
		}
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			tokenErr(w, 400, "The form could not be read.")
			return
		}
		scopes = r.PostForm["scope"]
		switch r.PostForm.Get("grant_type") {
		case "refresh_token":
			if !pl.refreshOK(r.PostForm.Get("refresh_token")) {
				tokenErr(w, 401, "The refresh token is invalid or expired.")
				return
			}
		case "password":
			u, p := r.PostForm.Get("username"), r.PostForm.Get("password")
			switch {
			case u == "" && p == "" && pl.settings().anonymous:
				// The SDK's anonymous client asks this way.
				grants = []access{{Type: "repository", Name: "*", Actions: []string{"pull", "metadata_read"}}}
			case !pl.basicOK(u, p):
				tokenErr(w, 401, "authentication required, visit https://aka.ms/acr/authorization for more information.")
				return
			}
		default:
			tokenErr(w, 400, "grant_type must be refresh_token or password.")
			return
		}
		if grants == nil {
			grants = everything
		}
	default:
		tokenErr(w, 405, "GET or POST is required.")
		return
	}
	tok, err := pl.sign("access_token", grantedScopes(scopes, grants), "aci-local", 75*time.Minute)
	if err != nil {
		tokenErr(w, 500, err.Error())
		return
	}
	out := struct {
		AccessToken string `json:"access_token"`
		Token       string `json:"token,omitempty"` // Docker's field name, on GET
	}{AccessToken: tok}
	if r.Method == http.MethodGet {
		out.Token = tok
	}
	core.WriteJSON(w, 200, out)
}

// grantedScopes are the actions of the scopes asked for that the caller
// holds; none asked for, or none held, is an empty grant, never an error.
func grantedScopes(scopes []string, grants []access) []access {
	granted := []access{}
	for _, s := range scopes {
		for _, one := range strings.Fields(s) {
			a, ok := parseScope(one)
			if !ok {
				continue
			}
			var acts []string
			for _, act := range a.Actions {
				if grantHas(grants, a.Type, a.Name, act) {
					acts = append(acts, act)
				}
			}
			if len(acts) > 0 {
				granted = append(granted, access{Type: a.Type, Name: a.Name, Actions: acts})
			}
		}
	}
	return granted
}

// parseScope reads "repository:name:pull,push" (names may hold colons only
// in their tag-free form, so the last colon splits).
func parseScope(s string) (access, bool) {
	i, j := strings.Index(s, ":"), strings.LastIndex(s, ":")
	if i < 0 || j <= i {
		return access{}, false
	}
	return access{Type: s[:i], Name: s[i+1 : j], Actions: strings.Split(s[j+1:], ",")}, true
}
