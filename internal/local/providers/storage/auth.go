package storage

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// authError is a refusal in Azure Storage's terms.
type authError struct {
	status      int
	code, msg   string
	detail      string // AuthenticationErrorDetail
	stringToSig string
}

func (e *authError) Error() string { return e.code }

func authFailed(detail string) *authError {
	return &authError{status: 403, code: "AuthenticationFailed",
		msg: "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.", detail: detail}
}

// grant is what a verified request may do: everything (a key), or what its
// SAS allows.
type grant struct {
	sas   bool
	perms string // SAS permissions: r w d l c
	// a service SAS is bound to a share (and maybe one file)
	share, file string
	// an account SAS names resource types: s(ervice) c(ontainer=share) o(bject)
	resourceTypes string
}

func hmacB64(key []byte, s string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// matchesKey reports whether sig is s signed with one of the keys, in
// constant time per key.
func matchesKey(keys [2]string, s, sig string) bool {
	ok := false
	for _, k := range keys {
		kb, err := base64.StdEncoding.DecodeString(k)
		if err != nil || k == "" {
			continue
		}
		if subtle.ConstantTimeCompare([]byte(hmacB64(kb, s)), []byte(sig)) == 1 {
			ok = true
		}
	}
	return ok
}

// rawPath is the request's path exactly as sent (the signature covers the
// encoded form).
func rawPath(r *http.Request) string {
	p := r.RequestURI
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if p == "" {
		p = "/"
	}
	return p
}

// sharedKeyString is the string a Shared Key request signs (Blob, Queue and
// File services, version 2009-09-19 and later).
func sharedKeyString(r *http.Request, account string) string {
	h := r.Header
	cl := h.Get("Content-Length")
	if cl == "0" {
		cl = ""
	}
	var ms []string
	for k := range h {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-ms-") {
			ms = append(ms, lk)
		}
	}
	sort.Strings(ms)
	var canon strings.Builder
	for i, k := range ms {
		if i > 0 {
			canon.WriteByte('\n')
		}
		canon.WriteString(k + ":" + strings.TrimSpace(strings.Join(h.Values(k), ",")))
	}
	res := "/" + account + rawPath(r)
	q, _ := url.ParseQuery(r.URL.RawQuery)
	names := make([]string, 0, len(q))
	lower := map[string][]string{}
	for k, v := range q {
		lk := strings.ToLower(k)
		if _, seen := lower[lk]; !seen {
			names = append(names, lk)
		}
		lower[lk] = append(lower[lk], v...)
	}
	sort.Strings(names)
	for _, k := range names {
		v := append([]string(nil), lower[k]...)
		sort.Strings(v)
		res += "\n" + k + ":" + strings.Join(v, ",")
	}
	return strings.Join([]string{r.Method, h.Get("Content-Encoding"), h.Get("Content-Language"), cl, h.Get("Content-MD5"),
		h.Get("Content-Type"), h.Get("Date"), h.Get("If-Modified-Since"), h.Get("If-Match"), h.Get("If-None-Match"),
		h.Get("If-Unmodified-Since"), h.Get("Range"), canon.String(), res}, "\n")
}

// verify authenticates a request for account: Shared Key, or a SAS signed
// with one of its keys. share and file are the resource named (for a service
// SAS's scope).
//
// policy finds a stored access policy of the share by its id, for a
// service SAS that names one (si).
func verify(r *http.Request, account string, keys [2]string, share, file string, policy func(id string) (accessPolicy, bool)) (*grant, *authError) {
	auth := r.Header.Get("Authorization")
	q := r.URL.Query()
	switch {
	case strings.HasPrefix(auth, "SharedKey "):
		creds := strings.TrimPrefix(auth, "SharedKey ")
		i := strings.LastIndexByte(creds, ':')
		if i < 0 {
			return nil, &authError{status: 400, code: "InvalidAuthenticationInfo", msg: "Authentication information is not given in the correct format. Check the value of Authorization header."}
		}
		if creds[:i] != account {
			return nil, authFailed("The account being accessed does not match the account in the Authorization header.")
		}
		if err := checkDate(r); err != nil {
			return nil, err
		}
		s := sharedKeyString(r, account)
		if !matchesKey(keys, s, creds[i+1:]) {
			e := authFailed("The MAC signature found in the HTTP request '" + creds[i+1:] + "' is not the same as any computed signature. Server used following string to sign: '" + s + "'.")
			e.stringToSig = s
			return nil, e
		}
		return &grant{}, nil
	case auth != "":
		return nil, &authError{status: 400, code: "InvalidAuthenticationInfo", msg: "Authentication information is not given in the correct format. Check the value of Authorization header."}
	case q.Get("sig") != "":
		return verifySAS(q, account, keys, share, file, clientIP(r), policy)
	default:
		return nil, &authError{status: 401, code: "NoAuthenticationInformation", msg: "Server failed to authenticate the request. Please refer to the information in the www-authenticate header."}
	}
}

// checkDate refuses a request signed more than 15 minutes from now, as Azure
// does, so a captured request cannot be replayed later.
func checkDate(r *http.Request) *authError {
	d := r.Header.Get("x-ms-date")
	if d == "" {
		d = r.Header.Get("Date")
	}
	t, err := http.ParseTime(d)
	if err != nil {
		return authFailed("The Date header in the request is incorrect.")
	}
	if diff := time.Since(t); diff > 15*time.Minute || diff < -15*time.Minute {
		return authFailed("Request date header too old: '" + d + "'")
	}
	return nil
}

func sasTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// verifySAS checks an account SAS (ss, srt) or a file service SAS (sr): its
// signature over the fields as sent, its time window and protocol. A
// service SAS may take its permissions and window from a stored access
// policy (si), so that changing or removing the policy revokes it.
func verifySAS(q url.Values, account string, keys [2]string, share, file string, client net.IP, policy func(string) (accessPolicy, bool)) (*grant, *authError) {
	g := q.Get
	gr := &grant{sas: true}
	s, e := sasStringToSign(q, account, share, file, gr)
	if e != nil {
		return nil, e
	}
	if !matchesKey(keys, s, g("sig")) {
		return nil, authFailed("Signature did not match. String to sign used was " + s)
	}
	w := sasWindow{perms: g("sp"), start: g("st"), expiry: g("se")}
	if si := g("si"); si != "" && gr.resourceTypes == "" {
		if e := w.from(si, policy); e != nil {
			return nil, e
		}
	}
	gr.perms = w.perms
	if e := w.check(); e != nil {
		return nil, e
	}
	if sip := g("sip"); sip != "" {
		in, valid := ipInRange(sip, client)
		if !valid {
			return nil, authFailed("The signed IP range '" + sip + "' is not valid.")
		}
		if !in {
			return nil, &authError{status: 403, code: "AuthorizationSourceIPMismatch", msg: "This request is not authorized to perform this operation using this source IP " + client.String() + "."}
		}
	}
	if spr := g("spr"); spr != "" && spr != "https" && spr != "https,http" {
		return nil, &authError{status: 403, code: "AuthorizationProtocolMismatch", msg: "This request is not authorized to perform this operation using this protocol."}
	}
	return gr, nil
}

// sasStringToSign is what the SAS's signature covers, as Azure builds it
// for an account SAS or a file service SAS; it fills in the grant's scope.
func sasStringToSign(q url.Values, account, share, file string, gr *grant) (string, *authError) {
	g := q.Get
	if g("ss") != "" || g("srt") != "" {
		fields := []string{account, g("sp"), g("ss"), g("srt"), g("st"), g("se"), g("sip"), g("spr"), g("sv")}
		if g("sv") >= "2020-12-06" {
			fields = append(fields, g("ses"))
		}
		gr.resourceTypes = g("srt")
		if !strings.Contains(g("ss"), "f") {
			return "", &authError{status: 403, code: "AuthorizationServiceMismatch", msg: "This request is not authorized to perform this operation using this service."}
		}
		return strings.Join(fields, "\n") + "\n", nil
	}
	canon := "/file/" + account + "/" + share
	switch g("sr") {
	case "s":
		gr.share = share
	case "f":
		canon += "/" + file
		gr.share, gr.file = share, file
	default:
		return "", authFailed("Signature fields not well formed.")
	}
	return strings.Join([]string{g("sp"), g("st"), g("se"), canon, g("si"), g("sip"), g("spr"), g("sv"),
		g("rscc"), g("rscd"), g("rsce"), g("rscl"), g("rsct")}, "\n"), nil
}

// sasWindow is what a SAS may do and when: from its own fields, or from
// the stored access policy it names.
type sasWindow struct{ perms, start, expiry string }

// from fills the window from the share's policy id. A field may be given
// by the SAS or by the policy, never both, as on Azure.
func (w *sasWindow) from(id string, policy func(string) (accessPolicy, bool)) *authError {
	if policy == nil {
		return authFailed("The specified signed identifier does not exist.")
	}
	p, ok := policy(id)
	if !ok {
		return authFailed("The specified signed identifier does not exist.")
	}
	for _, f := range []struct {
		sas *string
		pol string
	}{{&w.perms, p.Permission}, {&w.start, p.Start}, {&w.expiry, p.Expiry}} {
		if *f.sas != "" && f.pol != "" {
			return authFailed("Access policy fields can be associated with signature or SAS identifier but not both")
		}
		if *f.sas == "" {
			*f.sas = f.pol
		}
	}
	return nil
}

// check refuses a SAS outside its time window.
func (w *sasWindow) check() *authError {
	se, ok := sasTime(w.expiry)
	if !ok {
		return authFailed("Signed expiry time must be given.")
	}
	if time.Now().After(se) {
		return authFailed("Signed expiry time [" + se.Format(http.TimeFormat) + "] must be after signed start time [" + time.Now().UTC().Format(http.TimeFormat) + "]")
	}
	if w.start != "" {
		if t, ok := sasTime(w.start); !ok || time.Now().Add(5*time.Minute).Before(t) {
			return authFailed("Signature not valid in the specified time frame: Start [" + w.start + "] - Expiry [" + w.expiry + "] - Current [" + time.Now().UTC().Format(http.TimeFormat) + "]")
		}
	}
	return nil
}

// clientIP is the address a request came from.
func clientIP(r *http.Request) net.IP {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return net.ParseIP(host)
}

// ipInRange reads a SAS's sip ("a.b.c.d" or "a.b.c.d-e.f.g.h") and tells
// whether ip is in it; valid is false for a malformed range.
func ipInRange(sip string, ip net.IP) (in, valid bool) {
	lo, hi, isRange := strings.Cut(sip, "-")
	from, to := net.ParseIP(strings.TrimSpace(lo)), net.ParseIP(strings.TrimSpace(lo))
	if isRange {
		to = net.ParseIP(strings.TrimSpace(hi))
	}
	if from == nil || to == nil || bytes.Compare(from.To16(), to.To16()) > 0 {
		return false, false
	}
	if ip == nil {
		return false, true
	}
	v := ip.To16()
	return bytes.Compare(v, from.To16()) >= 0 && bytes.Compare(v, to.To16()) <= 0, true
}

// allows reports whether a SAS grant covers an operation needing perm (one
// of r w d l c) on the resource level ("s" service, "c" share, "o" file or
// directory) of share/file.
func (g *grant) allows(perm byte, level byte, share, file string) bool {
	if !g.sas {
		return true
	}
	if !strings.ContainsRune(g.perms, rune(perm)) {
		return false
	}
	if g.resourceTypes != "" {
		return strings.ContainsRune(g.resourceTypes, rune(level))
	}
	// A service SAS reaches its share (or its one file), nothing above.
	if level == 's' || share != g.share {
		return false
	}
	return g.file == "" || file == g.file
}
