package core

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// A user's sign-in (password, device code, authorization code) opens a
// session. Its refresh tokens rotate: every refresh answers with a new one
// whose expiry slides forward, so a login used at least once per refresh-token
// lifetime lasts. Older refresh tokens of a live session stay valid until
// they expire, as AAD's do, because an az login and aci's reuse of it redeem
// the same token independently. Revoking the session (logout) ends all of its
// refresh tokens and its access tokens (they carry the session id) at once.
// Sessions persist in the store, so a restart keeps people signed in.

const sessionsMeta = "signin-sessions"

type session struct {
	Client  string    `json:"client"`
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
	Revoked bool      `json:"revoked,omitempty"`
}

type sessions struct {
	mu         sync.Mutex
	store      *Store
	m          map[string]*session
	rtLifetime time.Duration
	atLifetime time.Duration
	sign       func(jwt.MapClaims) (string, error)
	key        *rsa.PublicKey
}

func newSessions(store *Store, rtLifetime, atLifetime time.Duration, sign func(jwt.MapClaims) (string, error), key *rsa.PublicKey) *sessions {
	s := &sessions{store: store, m: map[string]*session{}, rtLifetime: rtLifetime, atLifetime: atLifetime, sign: sign, key: key}
	if store != nil {
		_, _ = store.GetMeta(sessionsMeta, &s.m)
		if s.m == nil {
			s.m = map[string]*session{}
		}
	}
	return s
}

// save writes the sessions, dropping those whose last tokens have all
// expired; the caller holds mu.
func (s *sessions) save() error {
	now := time.Now()
	for id, v := range s.m {
		if v.Expires.Add(s.atLifetime).Before(now) {
			delete(s.m, id)
		}
	}
	if s.store == nil {
		return nil
	}
	return s.store.PutMeta(sessionsMeta, s.m)
}

func (s *sessions) open(client string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := uuid.NewString()
	now := time.Now()
	s.m[id] = &session{Client: client, Created: now, Expires: now.Add(s.rtLifetime)}
	return id, s.save()
}

// refreshToken mints the session's next refresh token and slides its expiry.
func (s *sessions) refreshToken(sid, sub, client string) (string, error) {
	now := time.Now()
	exp := now.Add(s.rtLifetime)
	rt, err := s.sign(jwt.MapClaims{"typ": "refresh", "token_use": "refresh", "sid": sid, "sub": sub, "cid": client, "jti": uuid.NewString(),
		"iat": now.Unix(), "exp": exp.Unix()})
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.m[sid]; ok {
		v.Expires = exp
	}
	return rt, s.save()
}

// claims parses a refresh token this tenant signed; expired ones too when
// expired is true (revocation).
func (s *sessions) claims(raw string, expired bool) (jwt.MapClaims, error) {
	claims := jwt.MapClaims{}
	opts := []jwt.ParserOption{jwt.WithValidMethods([]string{"RS256"})}
	if expired {
		opts = append(opts, jwt.WithoutClaimsValidation())
	} else {
		opts = append(opts, jwt.WithExpirationRequired())
	}
	_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return s.key, nil }, opts...)
	return claims, err
}

// redeem checks a refresh token and returns its session; errors are AAD's.
func (s *sessions) redeem(raw, client string) (string, error) {
	claims, err := s.claims(raw, false)
	if errors.Is(err, jwt.ErrTokenExpired) {
		return "", errors.New("AADSTS700082: The refresh token has expired due to inactivity. Sign in again.")
	}
	sid, _ := claims["sid"].(string)
	if err != nil || claims["typ"] != "refresh" || sid == "" {
		return "", errors.New("AADSTS70000: The provided refresh token is invalid or malformed.")
	}
	if cid, _ := claims["cid"].(string); cid != "" && client != "" && !strings.EqualFold(cid, client) {
		return "", errors.New("AADSTS70000: The refresh token was issued to a different client.")
	}
	if !s.active(sid) {
		return "", errors.New("AADSTS50173: The provided grant has expired due to it being revoked; sign in again.")
	}
	return sid, nil
}

func (s *sessions) active(sid string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[sid]
	return ok && !v.Revoked
}

// revoke ends the session a refresh or access token of this tenant names.
func (s *sessions) revoke(raw string) {
	claims, err := s.claims(raw, true)
	if err != nil {
		return
	}
	sid, _ := claims["sid"].(string)
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.m[sid]; ok {
		v.Revoked = true
		_ = s.save()
	}
}

// Device codes (RFC 8628): the CLI shows a user code, the user approves it on
// the device page (or with `aci local approve CODE`), the CLI's polling then
// gets its tokens. Codes live in memory for 15 minutes.

const (
	deviceCodeLife    = 15 * time.Minute
	maxPendingCodes   = 1000
	maxCodesPerClient = 16
	userCodeAlphabet  = "BCDFGHJKLMNPQRSTVWXZ23456789" // no vowels: no words
)

type deviceCode struct {
	device, user, client string
	expires              time.Time
	approved             bool
}

type deviceCodes struct {
	mu       sync.Mutex
	byDevice map[string]*deviceCode
	byUser   map[string]*deviceCode
}

func randomCode(alphabet string, n int) string {
	var b strings.Builder
	for range n {
		i, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b.WriteByte(alphabet[i.Int64()])
	}
	return b.String()
}

func (d *deviceCodes) prune(now time.Time) {
	for k, v := range d.byDevice {
		if now.After(v.expires) {
			delete(d.byDevice, k)
			delete(d.byUser, v.user)
		}
	}
}

func (d *deviceCodes) pendingFor(client string) int {
	n := 0
	for _, c := range d.byDevice {
		if strings.EqualFold(c.client, client) {
			n++
		}
	}
	return n
}

// evictOldest drops the code that expires first, of client ("" any client).
func (d *deviceCodes) evictOldest(client string) {
	var oldest *deviceCode
	for _, c := range d.byDevice {
		if (client == "" || strings.EqualFold(c.client, client)) && (oldest == nil || c.expires.Before(oldest.expires)) {
			oldest = c
		}
	}
	if oldest != nil {
		delete(d.byDevice, oldest.device)
		delete(d.byUser, oldest.user)
	}
}

func (d *deviceCodes) start(client string) (*deviceCode, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	d.prune(now)
	// Nobody is locked out by others' requests: past the caps, a new code
	// replaces the oldest one waiting (of the same client first), so a flood
	// of unauthenticated requests costs bounded memory and blocks no one.
	if d.pendingFor(client) >= maxCodesPerClient {
		d.evictOldest(client)
	}
	if len(d.byDevice) >= maxPendingCodes {
		d.evictOldest("")
	}
	c := &deviceCode{device: RandomSecret(), user: randomCode(userCodeAlphabet, 9), client: client, expires: now.Add(deviceCodeLife)}
	for d.byUser[c.user] != nil {
		c.user = randomCode(userCodeAlphabet, 9)
	}
	d.byDevice[c.device], d.byUser[c.user] = c, c
	return c, nil
}

// approve marks a user code signed in; false when there is no such code.
func (d *deviceCodes) approve(user string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.prune(time.Now())
	c, ok := d.byUser[strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(user), "-", ""))]
	if ok {
		c.approved = true
	}
	return ok
}

// poll answers a CLI's poll: "" once approved (the code is then spent),
// else the RFC 8628 error and AAD's description.
func (d *deviceCodes) poll(device, client string) (string, string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	c, ok := d.byDevice[device]
	switch {
	case !ok || device == "":
		return "invalid_grant", "AADSTS70000: The provided device code is invalid or was already used."
	case time.Now().After(c.expires):
		delete(d.byDevice, device)
		delete(d.byUser, c.user)
		return "expired_token", "AADSTS70020: The provided value for the input parameter 'device_code' is not valid. This device code has expired."
	case !strings.EqualFold(c.client, client):
		return "invalid_grant", "AADSTS70000: The device code was issued to a different client."
	case !c.approved:
		return "authorization_pending", "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling."
	}
	delete(d.byDevice, device)
	delete(d.byUser, c.user)
	return "", ""
}

// Authorization codes (RFC 6749 §4.1 with PKCE, RFC 7636): single use, five
// minutes, bound to the client, the loopback redirect and the S256 challenge.

type authCode struct {
	client, redirect, challenge string
	expires                     time.Time
}

type authCodes struct {
	mu sync.Mutex
	m  map[string]*authCode
}

func (a *authCodes) issue(client, redirect, challenge string) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := time.Now()
	for k, v := range a.m {
		if now.After(v.expires) {
			delete(a.m, k)
		}
	}
	if len(a.m) >= maxPendingCodes {
		return "", errors.New("too many sign-ins are waiting")
	}
	code := RandomSecret()
	a.m[code] = &authCode{client: client, redirect: redirect, challenge: challenge, expires: now.Add(5 * time.Minute)}
	return code, nil
}

func (a *authCodes) redeem(form url.Values) error {
	a.mu.Lock()
	c, ok := a.m[form.Get("code")]
	delete(a.m, form.Get("code"))
	a.mu.Unlock()
	if !ok || form.Get("code") == "" || time.Now().After(c.expires) {
		return errors.New("AADSTS70008: The provided authorization code or refresh token has expired or was already used.")
	}
	if !strings.EqualFold(c.client, form.Get("client_id")) {
		return errors.New("AADSTS70000: The authorization code was issued to a different client.")
	}
	if c.redirect != form.Get("redirect_uri") {
		return errors.New("AADSTS50148: The redirect_uri does not match the one of the authorization request.")
	}
	sum := sha256.Sum256([]byte(form.Get("code_verifier")))
	if !eq(base64.RawURLEncoding.EncodeToString(sum[:]), c.challenge) {
		return errors.New("AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.")
	}
	return nil
}

// loopbackRedirect accepts only http redirects to this machine (RFC 8252
// §7.3): the code must never travel to another host.
func loopbackRedirect(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.User != nil || u.Fragment != "" {
		return false
	}
	h := u.Hostname()
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

var signinPage = template.Must(template.New("signin").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>aci local: sign in</title></head>
<body style="font-family: sans-serif; max-width: 36em; margin: 3em auto">
<h1>aci local</h1>
{{if .Done}}<p>{{.Done}}</p>{{else}}
<p>{{.Intro}}</p>
{{if .Error}}<p style="color: #b00"><strong>{{.Error}}</strong></p>{{end}}
<form method="post" action="{{.Action}}">
{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}{{if .AskCode}}<p><label>Code <input name="user_code" value="{{.Code}}" autofocus></label></p>{{end}}
<p><label>User <input name="username" value="{{.User}}"></label></p>
<p><label>Password <input name="password" type="password"></label></p>
<p><button type="submit">Sign in</button></p>
</form>
<p style="color: #555">The password of the local user is in principals.json in the state dir of aci local.</p>
{{end}}
</body></html>
`))

// formPostPage hands the code to the loopback redirect by a POST, the
// form_post response mode MSAL asks for.
var formPostPage = template.Must(template.New("formpost").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>aci local: signed in</title></head>
<body onload="document.forms[0].submit()">
<form method="post" action="{{.Action}}">
{{range $k, $v := .Fields}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}<noscript><button type="submit">Continue</button></noscript>
</form></body></html>
`))

type signinView struct {
	Intro, Error, Action, User, Code, Done string
	AskCode                                bool
	Hidden                                 map[string]string
}

func renderSignin(w http.ResponseWriter, status int, v signinView) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; form-action 'self' http://localhost:* http://127.0.0.1:*; script-src 'unsafe-inline'")
	w.WriteHeader(status)
	_ = signinPage.Execute(w, v)
}

// registerSignIn serves the device-code, authorization and revocation
// endpoints in the ADFS and AAD v1/v2 shapes.
func (t *tokenService) registerSignIn(mux *http.ServeMux) {
	for _, p := range []string{"/adfs/oauth2", "/{tenant}/oauth2", "/{tenant}/oauth2/v2.0"} {
		mux.HandleFunc("POST "+p+"/devicecode", t.deviceCode)
		mux.HandleFunc("GET "+p+"/authorize", t.authorize)
		mux.HandleFunc("POST "+p+"/authorize", t.authorize)
		mux.HandleFunc("POST "+p+"/revoke", t.revoke)
	}
	mux.HandleFunc("GET /adfs/device", t.devicePage)
	mux.HandleFunc("POST /adfs/device", t.devicePage)
}

func (t *tokenService) userOK(r *http.Request) bool {
	return eq(strings.ToLower(strings.TrimSpace(r.PostForm.Get("username"))), t.id.UserName) && eq(r.PostForm.Get("password"), t.id.UserPassword)
}

func (t *tokenService) deviceCode(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil || r.PostForm.Get("client_id") == "" {
		tokenError(w, 400, "invalid_request", "AADSTS900144: The request body must contain the following parameter: 'client_id'.")
		return
	}
	c, err := t.devices.start(r.PostForm.Get("client_id"))
	if err != nil {
		tokenError(w, 429, "temporarily_unavailable", "AADSTS90033: "+err.Error())
		return
	}
	page := t.base(r) + "/adfs/device"
	WriteJSON(w, 200, map[string]any{"user_code": c.user, "device_code": c.device, "verification_uri": page,
		"expires_in": int(deviceCodeLife.Seconds()), "interval": 1,
		"message": fmt.Sprintf("To sign in, use a web browser to open the page %s and enter the code %s to authenticate (or run 'aci local approve %s').", page, c.user, c.user)})
}

func (t *tokenService) devicePage(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		renderSignin(w, 400, signinView{Error: "The form could not be read."})
		return
	}
	v := signinView{Intro: "Enter the code your command line shows, and sign in as the local user.", Action: "/adfs/device",
		AskCode: true, User: t.id.UserName, Code: r.Form.Get("user_code")}
	if r.Method == http.MethodGet {
		renderSignin(w, 200, v)
		return
	}
	if !t.userOK(r) {
		v.Error = "The user name or password is incorrect."
		renderSignin(w, 401, v)
		return
	}
	if !t.devices.approve(r.PostForm.Get("user_code")) {
		v.Error = "That code is not waiting for a sign-in (it may have expired)."
		renderSignin(w, 400, v)
		return
	}
	renderSignin(w, 200, signinView{Done: "You have signed in. You may close this window and return to your command line."})
}

// authorizeParams are the request's OAuth parameters carried through the form.
var authorizeParams = []string{"client_id", "redirect_uri", "response_type", "response_mode", "scope", "state",
	"code_challenge", "code_challenge_method", "nonce", "prompt", "login_hint", "domain_hint", "client_info", "claims"}

func (t *tokenService) authorize(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		renderSignin(w, 400, signinView{Error: "The request could not be read."})
		return
	}
	q := r.Form
	redirect := q.Get("redirect_uri")
	// No redirect before the redirect is known to be safe: errors stay here.
	switch {
	case q.Get("client_id") == "":
		renderSignin(w, 400, signinView{Error: "AADSTS900144: The request must contain the parameter 'client_id'."})
		return
	case !loopbackRedirect(redirect):
		renderSignin(w, 400, signinView{Error: "AADSTS50011: The redirect URI must be an http address on this machine (localhost or 127.0.0.1)."})
		return
	case q.Get("response_type") != "code":
		renderSignin(w, 400, signinView{Error: "AADSTS700054: response_type must be 'code'."})
		return
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		renderSignin(w, 400, signinView{Error: "AADSTS9002325: Proof Key for Code Exchange (S256) is required."})
		return
	}
	hidden := map[string]string{}
	for _, k := range authorizeParams {
		if v := q.Get(k); v != "" {
			hidden[k] = v
		}
	}
	user := q.Get("login_hint")
	if user == "" {
		user = t.id.UserName
	}
	v := signinView{Intro: "Sign in to the local tenant to finish the sign-in your command line started.",
		Action: r.URL.Path, Hidden: hidden, User: user}
	if r.Method == http.MethodGet {
		renderSignin(w, 200, v)
		return
	}
	if !t.userOK(r) {
		v.Error = "The user name or password is incorrect."
		renderSignin(w, 401, v)
		return
	}
	code, err := t.codes.issue(q.Get("client_id"), redirect, q.Get("code_challenge"))
	if err != nil {
		renderSignin(w, 429, signinView{Error: err.Error()})
		return
	}
	fields := map[string]string{"code": code}
	if s := q.Get("state"); s != "" {
		fields["state"] = s
	}
	if q.Get("response_mode") == "form_post" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_ = formPostPage.Execute(w, map[string]any{"Action": redirect, "Fields": fields})
		return
	}
	u, _ := url.Parse(redirect)
	rq := u.Query()
	for k, v := range fields {
		rq.Set(k, v)
	}
	u.RawQuery = rq.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// revoke (RFC 7009) ends the session of a refresh or access token. It always
// answers 200: whether a token was valid is not the caller's business.
func (t *tokenService) revoke(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		tokenError(w, 400, "invalid_request", "AADSTS900144: The request body must be form-encoded.")
		return
	}
	t.sessions.revoke(r.PostForm.Get("token"))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}
