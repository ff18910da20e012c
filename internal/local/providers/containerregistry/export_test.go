package containerregistry

import "encoding/base64"

// BasicHeader is an Authorization header for admin credentials: the
// external tests' helper, compiled with the tests only.
func BasicHeader(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}
