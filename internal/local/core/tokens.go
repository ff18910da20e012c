package core

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aci-cli/aci/internal/local/wire"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// ARMAudience is the token audience of Azure Resource Manager.
const ARMAudience = wire.ARMAudience

const signingKID = "aci-local-1"

// tokenService issues and verifies tokens for the local tenant.
type tokenService struct {
	lifetime time.Duration
	id       *Identity
	base     func(r *http.Request) string
	sessions *sessions
	devices  *deviceCodes
	codes    *authCodes
	verified verifiedTokens
}

// verifiedTokens remembers the tokens whose signature checked out, until
// they expire: an RSA verification and a JSON parse per request were a
// seventh of aci local's CPU under a client polling every 5 ms. Expiry,
// revocation, kind, audience and tenant are still checked on every request.
type verifiedTokens struct {
	mu sync.Mutex
	m  map[string]jwt.MapClaims
}

// maxVerified bounds the cache (tokens are about a KiB each); when full it
// starts again.
const maxVerified = 4096

func (v *verifiedTokens) get(raw string) (jwt.MapClaims, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	c, ok := v.m[raw]
	return c, ok
}

func (v *verifiedTokens) put(raw string, c jwt.MapClaims) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil || len(v.m) >= maxVerified {
		v.m = map[string]jwt.MapClaims{}
	}
	v.m[raw] = c
}

func (v *verifiedTokens) drop(raw string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.m, raw)
}

func (t *tokenService) sign(claims jwt.MapClaims) (string, error) {
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = signingKID
	return tok.SignedString(t.id.key)
}

func (t *tokenService) accessToken(r *http.Request, audience, subject, appID, kind string) (string, time.Time, error) {
	return t.signAccess(r, audience, subject, appID, kind, "")
}

// userAccessToken carries its sign-in session (sid), so revoking the session
// ends its access tokens too, not only its refresh tokens.
func (t *tokenService) userAccessToken(r *http.Request, audience, subject, appID, sid string) (string, time.Time, error) {
	return t.signAccess(r, audience, subject, appID, "user", sid)
}

func (t *tokenService) signAccess(r *http.Request, audience, subject, appID, kind, sid string) (string, time.Time, error) {
	now := time.Now()
	exp := now.Add(t.lifetime)
	c := jwt.MapClaims{
		"aud": audience, "iss": t.base(r) + "/adfs", "tid": t.id.TenantID, "oid": subject, "sub": subject,
		"appid": appID, "idtyp": kind, "iat": now.Unix(), "nbf": now.Add(-5 * time.Minute).Unix(), "exp": exp.Unix(),
		"ver": "1.0", "token_use": "access",
	}
	if sid != "" {
		c["sid"] = sid
	}
	s, err := t.sign(c)
	return s, exp, err
}

// leeway is the clock skew verification allows: a minute, but never more
// than a quarter of a token's life, so short lifetimes (tests) really end.
func (t *tokenService) leeway() time.Duration {
	return min(time.Minute, t.lifetime/4)
}

// verify checks an ARM request's bearer token; the error text is ARM's.
func (t *tokenService) verify(header string) (jwt.MapClaims, *APIError) {
	if header == "" {
		return nil, &APIError{401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing."}
	}
	raw, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		return nil, &APIError{401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is provided in an invalid format."}
	}
	claims, err := t.parse(raw)
	switch {
	case err != nil && strings.Contains(err.Error(), "token is expired"):
		exp, _ := claims.GetExpirationTime()
		when := ""
		if exp != nil {
			when = exp.UTC().Format("01/02/2006 15:04:05")
		}
		return nil, &APIError{401, "ExpiredAuthenticationToken", fmt.Sprintf("The access token expiry UTC time '%s' is earlier than current UTC time '%s'.", when, time.Now().UTC().Format("01/02/2006 15:04:05"))}
	case err != nil:
		return nil, &APIError{401, "InvalidAuthenticationToken", "The access token is invalid."}
	}
	if !IsAccessToken(claims) {
		return nil, &APIError{401, "InvalidAuthenticationToken", "The access token is invalid: it is not an access token (ID and refresh tokens are not bearer tokens)."}
	}
	aud, _ := claims["aud"].(string)
	if strings.TrimRight(aud, "/") != strings.TrimRight(ARMAudience, "/") && strings.TrimRight(aud, "/") != "https://management.azure.com" {
		return nil, &APIError{401, "InvalidAuthenticationTokenAudience", fmt.Sprintf("The access token has been obtained for wrong audience or resource '%s'. It should exactly match with one of the allowed audiences '%s','https://management.azure.com/'.", aud, ARMAudience)}
	}
	if sid, _ := claims["sid"].(string); sid != "" && !t.sessions.active(sid) {
		return nil, &APIError{401, "InvalidAuthenticationToken", "The access token has been revoked: its sign-in was ended (logout or revocation)."}
	}
	if tid, _ := claims["tid"].(string); tid != t.id.TenantID {
		return nil, &APIError{401, "InvalidAuthenticationTokenTenant", fmt.Sprintf("The access token is from the wrong issuer '%s'. It must match the tenant associated with this subscription.", tid)}
	}
	return claims, nil
}

// parse checks a token's signature and times, once per token while it
// lasts; the claims are the caller's own copy.
func (t *tokenService) parse(raw string) (jwt.MapClaims, error) {
	if c, ok := t.verified.get(raw); ok {
		exp, err := c.GetExpirationTime()
		if err == nil && exp != nil && time.Now().Before(exp.Add(t.leeway())) {
			return maps.Clone(c), nil
		}
		t.verified.drop(raw)
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(tok *jwt.Token) (any, error) {
		if _, ok := tok.Method.(*jwt.SigningMethodRSA); !ok {
			return nil, fmt.Errorf("unexpected signing method %v", tok.Header["alg"])
		}
		return &t.id.key.PublicKey, nil
	}, jwt.WithLeeway(t.leeway()), jwt.WithValidMethods([]string{"RS256"}))
	if exp, _ := claims.GetExpirationTime(); err == nil && exp != nil {
		t.verified.put(raw, maps.Clone(claims))
	}
	return claims, err
}

// IsAccessToken reports whether claims are an access token's. Every token
// this tenant signs names its kind (token_use: access, id or refresh); access
// tokens signed before kinds were written are told apart by idtyp, which ID
// and refresh tokens never carried. The kind, not the audience, decides:
// an ID token for a client named like ARM has ARM's audience too.
func IsAccessToken(claims jwt.MapClaims) bool {
	if use, ok := claims["token_use"]; ok {
		return use == "access"
	}
	typ, _ := claims["idtyp"].(string)
	return (typ == "app" || typ == "user") && claims["typ"] == nil
}

func b64(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func audienceFrom(form map[string][]string) string {
	get := func(k string) string {
		if v := form[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	if res := get("resource"); res != "" {
		return res
	}
	for _, s := range strings.Fields(get("scope")) {
		if strings.HasSuffix(s, "/.default") {
			return strings.TrimSuffix(s, ".default")
		}
	}
	return ARMAudience
}

func tokenError(w http.ResponseWriter, status int, code, desc string) {
	WriteJSON(w, status, map[string]any{"error": code, "error_description": desc,
		"error_codes": []int{7000215}, "timestamp": time.Now().UTC().Format("2006-01-02 15:04:05Z"),
		"trace_id": uuid.NewString(), "correlation_id": uuid.NewString()})
}

func eq(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// SecretsEqual compares two secrets in constant time.
func SecretsEqual(a, b string) bool { return eq(a, b) }

// register adds the token-service routes.
func (t *tokenService) register(mux *http.ServeMux) {
	mux.HandleFunc("GET /metadata/endpoints", func(w http.ResponseWriter, r *http.Request) {
		b := t.base(r)
		WriteJSON(w, 200, map[string]any{"galleryEndpoint": b + "/", "graphEndpoint": b + "/graph/", "portalEndpoint": b + "/",
			"authentication": map[string]any{"loginEndpoint": b + "/adfs", "audiences": []string{ARMAudience}}})
	})
	oidc := func(w http.ResponseWriter, r *http.Request, root string, v2 bool) {
		oauth := root + "/oauth2"
		if v2 {
			oauth += "/v2.0"
		}
		WriteJSON(w, 200, map[string]any{"issuer": root, "authorization_endpoint": oauth + "/authorize",
			"token_endpoint": oauth + "/token", "device_authorization_endpoint": oauth + "/devicecode",
			"revocation_endpoint": oauth + "/revoke",
			"jwks_uri":            t.base(r) + "/adfs/discovery/keys", "tenant_region_scope": "NA",
			"response_types_supported": []string{"code", "id_token", "token"},
			"response_modes_supported": []string{"query", "form_post"},
			"subject_types_supported":  []string{"pairwise"}, "id_token_signing_alg_values_supported": []string{"RS256"},
			"grant_types_supported": []string{"client_credentials", "password", "refresh_token", "authorization_code",
				"urn:ietf:params:oauth:grant-type:device_code"},
			"code_challenge_methods_supported": []string{"S256"}})
	}
	mux.HandleFunc("GET /adfs/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		oidc(w, r, t.base(r)+"/adfs", false)
	})
	mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		oidc(w, r, t.base(r)+"/"+r.PathValue("tenant"), true)
	})
	mux.HandleFunc("GET /adfs/discovery/keys", func(w http.ResponseWriter, r *http.Request) {
		pk := t.id.key.PublicKey
		WriteJSON(w, 200, map[string]any{"keys": []any{map[string]any{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": signingKID,
			"n": base64.RawURLEncoding.EncodeToString(pk.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pk.E)).Bytes())}}})
	})
	t.registerSignIn(mux)
	mux.HandleFunc("POST /adfs/oauth2/token", t.token)
	mux.HandleFunc("POST /{tenant}/oauth2/token", t.token)
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", t.token)
	// Managed identity: msrestazure's MSI_ENDPOINT (POST form) and the IMDS shape (GET).
	mux.HandleFunc("GET /msi/token", t.msi)
	mux.HandleFunc("POST /msi/token", t.msi)
	mux.HandleFunc("/msi/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "GET, POST")
		WriteJSON(w, 405, map[string]any{"error": "invalid_request", "error_description": "Method not allowed"})
	})
	mux.HandleFunc("GET /metadata/identity/oauth2/token", t.msi)
}

func (t *tokenService) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		tokenError(w, 400, "invalid_request", "AADSTS900144: The request body must be form-encoded.")
		return
	}
	aud := audienceFrom(r.PostForm)
	now := time.Now()
	switch r.PostForm.Get("grant_type") {
	case "client_credentials":
		if !eq(r.PostForm.Get("client_id"), t.id.ClientID) || !eq(r.PostForm.Get("client_secret"), t.id.ClientSecret) {
			tokenError(w, 401, "invalid_client", "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '"+r.PostForm.Get("client_id")+"'.")
			return
		}
		at, exp, err := t.accessToken(r, aud, t.id.ClientID, t.id.ClientID, "app")
		if err != nil {
			tokenError(w, 500, "server_error", err.Error())
			return
		}
		WriteJSON(w, 200, map[string]any{"token_type": "Bearer", "expires_in": int(exp.Sub(now).Seconds()),
			"ext_expires_in": int(exp.Sub(now).Seconds()), "access_token": at})
	case "password":
		if !eq(strings.ToLower(r.PostForm.Get("username")), t.id.UserName) || !eq(r.PostForm.Get("password"), t.id.UserPassword) {
			tokenError(w, 400, "invalid_grant", "AADSTS50126: Error validating credentials due to invalid username or password.")
			return
		}
		t.issueUser(w, r, r.PostForm.Get("client_id"), "")
	case "refresh_token":
		sid, err := t.sessions.redeem(r.PostForm.Get("refresh_token"), r.PostForm.Get("client_id"))
		if err != nil {
			tokenError(w, 400, "invalid_grant", err.Error())
			return
		}
		t.issueUser(w, r, r.PostForm.Get("client_id"), sid)
	case "authorization_code":
		if err := t.codes.redeem(r.PostForm); err != nil {
			tokenError(w, 400, "invalid_grant", err.Error())
			return
		}
		t.issueUser(w, r, r.PostForm.Get("client_id"), "")
	case "device_code", "urn:ietf:params:oauth:grant-type:device_code":
		if code, desc := t.devices.poll(r.PostForm.Get("device_code"), r.PostForm.Get("client_id")); code != "" {
			tokenError(w, 400, code, desc)
			return
		}
		t.issueUser(w, r, r.PostForm.Get("client_id"), "")
	default:
		tokenError(w, 400, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type '"+r.PostForm.Get("grant_type")+"'.")
	}
}

// issueUser answers a user sign-in: an access token, a refresh token of the
// sign-in's session (sid; a new session when sid is empty) and an id token,
// in the AAD shape MSAL caches.
func (t *tokenService) issueUser(w http.ResponseWriter, r *http.Request, clientID, sid string) {
	now := time.Now()
	if sid == "" {
		var err error
		if sid, err = t.sessions.open(clientID); err != nil {
			tokenError(w, 500, "server_error", "AADSTS90000: the sign-in could not be recorded.")
			return
		}
	}
	userOID := uuidFrom(t.id.UserName)
	aud := audienceFrom(r.PostForm)
	at, exp, err := t.userAccessToken(r, aud, userOID, clientID, sid)
	if err != nil {
		tokenError(w, 500, "server_error", err.Error())
		return
	}
	rt, err := t.sessions.refreshToken(sid, userOID, clientID)
	if err != nil {
		tokenError(w, 500, "server_error", err.Error())
		return
	}
	idt, _ := t.sign(jwt.MapClaims{"token_use": "id", "sid": sid, "aud": clientID, "iss": t.base(r) + "/adfs", "tid": t.id.TenantID, "oid": userOID,
		"sub": userOID, "upn": t.id.UserName, "unique_name": t.id.UserName, "preferred_username": t.id.UserName,
		"name": "aci local user", "iat": now.Unix(), "nbf": now.Unix(), "exp": exp.Unix(), "ver": "1.0"})
	scope := r.PostForm.Get("scope")
	WriteJSON(w, 200, map[string]any{"token_type": "Bearer", "scope": scope,
		"expires_in": int(exp.Sub(now).Seconds()), "ext_expires_in": int(exp.Sub(now).Seconds()),
		"access_token": at, "refresh_token": rt, "id_token": idt,
		"client_info": b64(map[string]string{"uid": userOID, "utid": t.id.TenantID})})
}

// msi is the managed-identity endpoint in the shapes azidentity and az use:
// App Service (IDENTITY_ENDPOINT + X-IDENTITY-HEADER), msrestazure's MSI_SECRET
// (a "secret" header) and IMDS (GET with Metadata: true). Unlike Azure's IMDS it
// cannot tell who calls from where, so every shape needs the secret too; without
// it nobody gets a token, whatever they send.
func (t *tokenService) msi(w http.ResponseWriter, r *http.Request) {
	msiError := func(status int, code, desc string) {
		WriteJSON(w, status, map[string]any{"error": code, "error_description": desc})
	}
	if strings.HasPrefix(r.URL.Path, "/metadata/") && !strings.EqualFold(r.Header.Get("Metadata"), "true") {
		msiError(400, "invalid_request", "Required metadata header not specified")
		return
	}
	secret := r.Header.Get("X-IDENTITY-HEADER")
	if secret == "" {
		secret = r.Header.Get("secret")
	}
	if secret == "" || !eq(secret, t.id.MSISecret) {
		msiError(401, "unauthorized_client", "The managed identity endpoint of aci local needs its secret (IDENTITY_HEADER; see 'aci local env').")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		msiError(400, "invalid_request", "The request could not be parsed.")
		return
	}
	aud := r.Form.Get("resource")
	if aud == "" {
		msiError(400, "invalid_request", "Required query variable 'resource' is missing")
		return
	}
	for _, k := range []string{"client_id", "object_id", "principal_id", "mi_res_id", "msi_res_id"} {
		if v := r.Form.Get(k); v != "" && !strings.EqualFold(v, t.id.ClientID) {
			msiError(400, "invalid_request", "Identity not found")
			return
		}
	}
	at, exp, err := t.accessToken(r, aud, uuidFrom("managed-identity"), t.id.ClientID, "app")
	if err != nil {
		msiError(500, "server_error", "signing failed")
		return
	}
	WriteJSON(w, 200, map[string]any{"access_token": at, "token_type": "Bearer", "resource": aud,
		"expires_in": fmt.Sprint(int(time.Until(exp).Seconds())), "expires_on": fmt.Sprint(exp.Unix()),
		"client_id": t.id.ClientID})
}

// uuidFrom makes a stable object id from a name.
func uuidFrom(name string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("aci-local:"+name)).String()
}

// VerifyToken checks a token this tenant signed: signature, expiry, tenant,
// and an audience among audiences (compared without a trailing slash). Data
// planes use it for the AAD tokens they exchange (ACR's /oauth2/exchange) and
// for their own tokens (aud = the data plane).
func (s *Server) VerifyToken(raw string, audiences ...string) (jwt.MapClaims, error) {
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(tok *jwt.Token) (any, error) {
		return &s.id.key.PublicKey, nil
	}, jwt.WithLeeway(time.Minute), jwt.WithValidMethods([]string{"RS256"}), jwt.WithExpirationRequired())
	if err != nil {
		return nil, err
	}
	aud, _ := claims["aud"].(string)
	ok := false
	for _, a := range audiences {
		ok = ok || strings.EqualFold(strings.TrimRight(aud, "/"), strings.TrimRight(a, "/"))
	}
	if !ok {
		return nil, fmt.Errorf("the token is for audience %q", aud)
	}
	if use, ok := claims["token_use"]; ok && use != "access" {
		return nil, fmt.Errorf("the token is an %v token, not an access token", use)
	}
	if tid, _ := claims["tid"].(string); tid != "" && tid != s.id.TenantID {
		return nil, fmt.Errorf("the token is from tenant %q", tid)
	}
	if sid, _ := claims["sid"].(string); sid != "" && !s.tokens.sessions.active(sid) {
		return nil, fmt.Errorf("the token's sign-in was revoked")
	}
	return claims, nil
}
