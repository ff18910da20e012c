package hello

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"
)

// Sidecar is aci local's stand-in for microsoft/aci-tutorial-sidecar: it
// requests the group's app on localhost every interval and logs each answer,
// so the app-and-sidecar template shows two containers sharing a network.
func Sidecar(ctx context.Context, url string, interval time.Duration, log io.Writer) error {
	c := &http.Client{Timeout: 5 * time.Second}
	for {
		now := time.Now().UTC().Format(time.RFC3339)
		resp, err := c.Get(url)
		if err != nil {
			fmt.Fprintf(log, "%s GET %s failed: %v\n", now, url, err)
		} else {
			n, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			fmt.Fprintf(log, "%s GET %s -> %s (%d bytes)\n", now, url, resp.Status, n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(interval):
		}
	}
}

// FilesHandler is aci local's stand-in for seanmckenna/aci-hellofiles: each
// request writes a timestamped file into dir (the mounted share) and the
// page lists the files there, so a template's Azure Files volume is seen to
// persist.
func FilesHandler(dir string, log io.Writer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now().UTC()
		fmt.Fprintf(log, "%s %s %s %s\n", r.RemoteAddr, r.Method, r.URL.RequestURI(), now.Format(time.RFC3339))
		if r.URL.Path == "/" {
			name := filepath.Join(dir, strconv.FormatInt(now.UnixNano(), 10)+".txt")
			if err := os.WriteFile(name, []byte("Hello from aci-hellofiles at "+now.Format(time.RFC3339Nano)+"\n"), 0o644); err != nil {
				http.Error(w, "cannot write to "+dir+": "+err.Error(), http.StatusInternalServerError)
				return
			}
		}
		ents, _ := os.ReadDir(dir)
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<html><head><title>Hello files</title></head><body><h1>Files in %s</h1><ul>\n", html.EscapeString(dir))
		for _, n := range names {
			fmt.Fprintf(w, "<li>%s</li>\n", html.EscapeString(n))
		}
		_, _ = io.WriteString(w, "</ul></body></html>\n")
	})
}
