// Package redact removes secrets (passwords, keys, secure values, tokens) from text
// before it is logged: --debug output and aci local's request log.
package redact

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
)

// Mask replaces a secret.
const Mask = "REDACTED"

var secretWords = []string{"password", "secret", "token", "securevalue", "connectionstring", "sig", "assertion", "credential"}

// SecretKey reports whether a JSON key or form field holds a secret.
func SecretKey(k string) bool {
	l := strings.ToLower(k)
	// Names of places and kinds are not secrets: token_endpoint, token_type,
	// tokenType, keyVaultUri, secretUrl.
	if strings.Contains(l, "endpoint") || strings.HasSuffix(l, "type") || strings.HasSuffix(l, "uri") || strings.HasSuffix(l, "url") {
		return false
	}
	for _, w := range secretWords {
		if strings.Contains(l, w) {
			return true
		}
	}
	// accountKey, storageAccountKey, primaryKey, key1... but not keyName/keyVault.
	return strings.HasSuffix(l, "key") || numberedKey.MatchString(l)
}

// numberedKey is key1, key2 (storage account keys); compiled once, since aci
// local's request log calls SecretKey for every query parameter.
var numberedKey = regexp.MustCompile(`^key\d*$`)

// Header redacts the value of a secret-bearing HTTP header.
func Header(name, value string) string {
	switch strings.ToLower(name) {
	case "authorization", "x-ms-authorization-auxiliary", "cookie", "set-cookie", "x-identity-header", "secret":
		return Mask
	}
	return value
}

// Body redacts a request or response body: JSON, form-encoded, or left as it is.
func Body(b []byte) string {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return ""
	}
	var v any
	if json.Unmarshal(b, &v) == nil {
		out, err := json.Marshal(value("", v))
		if err == nil {
			return string(out)
		}
	}
	if q, err := url.ParseQuery(s); err == nil && strings.Contains(s, "=") && !strings.ContainsAny(s, " \n{") {
		for k := range q {
			if SecretKey(k) {
				q[k] = []string{Mask}
			}
		}
		return q.Encode()
	}
	return jwtLike.ReplaceAllString(s, Mask)
}

var jwtLike = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)

func value(parent string, v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			// Lists of credentials carry their secret in a plain "value" field.
			if SecretKey(k) || (k == "value" && (strings.EqualFold(parent, "keys") || strings.EqualFold(parent, "passwords"))) {
				if _, isStr := e.(string); isStr {
					out[k] = Mask
					continue
				}
				if e == nil {
					out[k] = nil
					continue
				}
			}
			out[k] = value(k, e)
		}
		// An environment variable {name, secureValue} never shows its secureValue.
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = value(parent, e)
		}
		return out
	case string:
		if jwtLike.MatchString(x) {
			return Mask
		}
	}
	return v
}

// Query redacts a raw query string (no leading '?'): secret-bearing parameters
// always, and every value whose name is not in keep, so a log shows which
// parameters came without what they carried.
func Query(raw string, keep ...string) string {
	if raw == "" {
		return ""
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return Mask
	}
	for k := range q {
		kept := false
		for _, n := range keep {
			kept = kept || strings.EqualFold(k, n)
		}
		if SecretKey(k) || (len(keep) > 0 && !kept) {
			q[k] = []string{Mask}
		}
	}
	return q.Encode()
}

// URL redacts SAS signatures and secrets in a URL's query string.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.RawQuery == "" {
		return raw
	}
	q := u.Query()
	changed := false
	for k := range q {
		if SecretKey(k) {
			q[k] = []string{Mask}
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return u.String()
}
