// Package hello is aci local's stand-in for mcr.microsoft.com/azuredocs/aci-helloworld:
// a small web server printing a welcome page and logging each request, run either
// inside a FROM-scratch image or, without Docker, in-process.
package hello

import (
	"fmt"
	"io"
	"net/http"
	"time"
)

const page = `<html>
<head><title>Welcome to Azure Container Instances!</title></head>
<body style="font-family: sans-serif; text-align: center">
<h1>Welcome to Azure Container Instances!</h1>
<p>Served by aci local's hello-world image.</p>
</body>
</html>
`

// Handler serves the welcome page and writes one log line per request to log,
// in the sample's "listening"/"GET /" style.
func Handler(log io.Writer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(log, "%s %s %s %s\n", r.RemoteAddr, r.Method, r.URL.RequestURI(), time.Now().UTC().Format(time.RFC3339))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, page) // a client that left needs no page
	})
}
