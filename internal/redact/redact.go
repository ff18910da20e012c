// Package redact removes secrets (passwords, keys, secure values, tokens) from text
// before it is logged: --debug output and aci local's request log.
package redact

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/aci-cli/aci/internal/jsonc"
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
	return strings.HasSuffix(l, "key") || numberedKey().MatchString(l)
}

// numberedKey is key1, key2 (storage account keys); compiled once, since aci
// local's request log calls SecretKey for every query parameter.
var numberedKey = lazyRegexp(`^key\d*$`)

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
	return jwtLike().ReplaceAllString(s, Mask)
}

var jwtLike = lazyRegexp(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)

// secureTypes are the template parameter types whose values are secrets.
var secureTypes = map[string]bool{"securestring": true, "secureobject": true}

// deployment masks what a deployment's properties mark secure: the values
// (and template defaults) of securestring and secureObject parameters,
// whatever their names. The template may be an object or, as az sends it,
// its text.
func deployment(x map[string]any) map[string]any {
	tmpl := x["template"]
	text, isText := tmpl.(string)
	if isText {
		t, err := jsonc.Decode([]byte(text))
		if err != nil {
			return x
		}
		tmpl = t
	}
	tm, _ := tmpl.(map[string]any)
	defs, _ := tm["parameters"].(map[string]any)
	secure := map[string]bool{}
	newDefs := make(map[string]any, len(defs))
	for name, d := range defs {
		def, _ := d.(map[string]any)
		typ, _ := def["type"].(string)
		if !secureTypes[strings.ToLower(typ)] {
			newDefs[name] = d
			continue
		}
		secure[strings.ToLower(name)] = true
		nd := make(map[string]any, len(def))
		for k, e := range def {
			if k == "defaultValue" {
				e = Mask
			}
			nd[k] = e
		}
		newDefs[name] = nd
	}
	if len(secure) == 0 {
		return x
	}
	out := make(map[string]any, len(x))
	for k, e := range x {
		out[k] = e
	}
	nt := make(map[string]any, len(tm))
	for k, e := range tm {
		nt[k] = e
	}
	nt["parameters"] = newDefs
	out["template"] = nt
	if isText {
		if b, err := json.Marshal(nt); err == nil {
			out["template"] = string(b)
		}
	}
	if params, ok := x["parameters"].(map[string]any); ok {
		np := make(map[string]any, len(params))
		for name, p := range params {
			if pm, ok := p.(map[string]any); ok && secure[strings.ToLower(name)] {
				masked := make(map[string]any, len(pm))
				for k, e := range pm {
					if k == "value" {
						e = Mask
					}
					masked[k] = e
				}
				p = masked
			}
			np[name] = p
		}
		out["parameters"] = np
	}
	return out
}

func value(parent string, v any) any {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["template"]; ok {
			x = deployment(x)
		}
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
		if jwtLike().MatchString(x) {
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

// lazyRegexp compiles expr on first use: package-level regexps compile in
// init, on every command's start-up, whether or not the command needs them.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
