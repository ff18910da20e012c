package e2e

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// shortLived starts aci local with access tokens of a few seconds, so the
// test sees them expire, and returns the config dir's env and state dir.
func shortLived(t *testing.T) ([]string, string) {
	t.Helper()
	cfg := t.TempDir()
	env := []string{"ACI_CONFIG_DIR=" + cfg, "XDG_CACHE_HOME=" + t.TempDir()}
	must(t, run(t, env, aciBin, "local", "start", "--detach", "--port", "0", "--token-lifetime", "4s", "-o", "none"), 0)
	t.Cleanup(func() {
		run(t, env, aciBin, "local", "stop")
		run(t, env, aciBin, "local", "reset")
	})
	return env, filepath.Join(cfg, "local")
}

type localUser struct {
	UserName     string `json:"userName"`
	UserPassword string `json:"userPassword"`
}

func readUser(t *testing.T, stateDir string) localUser {
	t.Helper()
	var u localUser
	b, _ := os.ReadFile(filepath.Join(stateDir, "principals.json"))
	if err := json.Unmarshal(b, &u); err != nil || u.UserPassword == "" {
		t.Fatalf("principals: %v", err)
	}
	return u
}

func caClient(t *testing.T, stateDir string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(filepath.Join(stateDir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// background starts an aci command and returns it with its stderr lines.
func background(t *testing.T, env []string, args ...string) (*exec.Cmd, *strings.Builder, <-chan string) {
	t.Helper()
	cmd := exec.Command(aciBin, args...)
	cmd.Env = cleanEnv(env)
	out := &strings.Builder{}
	cmd.Stdout = out
	pr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	return cmd, out, lines
}

func waitExit(t *testing.T, cmd *exec.Cmd, what string) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("%s did not finish", what)
	}
}

// signedIn checks login's output: the local user's subscription.
func signedIn(t *testing.T, out string) {
	t.Helper()
	var subs []map[string]any
	if err := json.Unmarshal([]byte(out), &subs); err != nil || len(subs) != 1 {
		t.Fatalf("login output: %v %s", err, out)
	}
	if u, _ := subs[0]["user"].(map[string]any); u["type"] != "user" || u["name"] != "user@aci.local" {
		t.Fatalf("login user: %v", subs[0]["user"])
	}
}

// keepsWorking proves a login outlives its access token: a token taken now
// is refused by ARM once expired while commands go on working.
func keepsWorking(t *testing.T, env []string, stateDir, group string) {
	t.Helper()
	must(t, run(t, env, aciBin, "group", "create", "-n", group, "-l", "westus", "-o", "none"), 0)
	tok := strings.TrimSpace(must(t, run(t, env, aciBin, "account", "get-access-token", "--query", "accessToken", "-o", "tsv"), 0).stdout)
	time.Sleep(6 * time.Second)
	req, _ := http.NewRequest("GET", endpointOf(t, stateDir)+"/subscriptions?api-version=2022-12-01", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := caClient(t, stateDir).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.Contains(string(b), "ExpiredAuthenticationToken") {
		t.Fatalf("the old access token still works: %d %s", resp.StatusCode, b)
	}
	if r := must(t, run(t, env, aciBin, "group", "show", "-n", group, "--query", "name", "-o", "tsv"), 0); r.stdout != group+"\n" {
		t.Fatalf("after expiry: %+v", r)
	}
}

func endpointOf(t *testing.T, stateDir string) string {
	t.Helper()
	var ri struct {
		Endpoint string `json:"endpoint"`
	}
	b, _ := os.ReadFile(filepath.Join(stateDir, "runtime.json"))
	if err := json.Unmarshal(b, &ri); err != nil {
		t.Fatal(err)
	}
	return ri.Endpoint
}

// A device-code login (aci local approve plays the user) keeps its refresh
// token in a 0600 MSAL cache, stays signed in past its access token, keeps
// tokens out of --debug and other files, and logout revokes it: a copy of the
// cache taken before logout is worthless after.
func TestDeviceCodeLogin(t *testing.T) {
	env, stateDir := shortLived(t)
	env = append(env, "ACI_TOKEN_CACHE=file")
	cfg := strings.TrimPrefix(env[0], "ACI_CONFIG_DIR=")
	cmd, out, lines := background(t, env, "login", "--use-device-code")
	code := ""
	codeRE := regexp.MustCompile(`enter the code ([A-Z0-9]+)`)
	for l := range lines {
		if m := codeRE.FindStringSubmatch(l); m != nil {
			code = m[1]
			break
		}
	}
	if code == "" {
		t.Fatal("no device code shown")
	}
	must(t, run(t, env, aciBin, "local", "approve", code), 0)
	waitExit(t, cmd, "aci login --use-device-code")
	signedIn(t, out.String())
	if r := run(t, env, aciBin, "local", "approve", code); r.code != 1 {
		t.Fatalf("a spent code approved again: %+v", r)
	}

	cache := filepath.Join(cfg, "msal_token_cache.json")
	fi, err := os.Stat(cache)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("cache: %v %v", fi, err)
	}
	var msal map[string]map[string]map[string]any
	b, _ := os.ReadFile(cache)
	json.Unmarshal(b, &msal)
	var secrets []string
	for _, kind := range []string{"RefreshToken", "AccessToken"} {
		for _, e := range msal[kind] {
			if s, _ := e["secret"].(string); s != "" {
				secrets = append(secrets, s)
			}
		}
	}
	if len(msal["RefreshToken"]) != 1 || len(secrets) < 1 {
		t.Fatalf("the cache lacks a refresh token: %s", b)
	}

	keepsWorking(t, env, stateDir, "after-expiry")

	// No token in --debug, in any other file of the config dir, or in the
	// server's logs.
	dbg := must(t, run(t, env, aciBin, "group", "list", "--debug"), 0)
	b, _ = os.ReadFile(cache)
	json.Unmarshal(b, &msal)
	for _, kind := range []string{"RefreshToken", "AccessToken"} {
		for _, e := range msal[kind] {
			secrets = append(secrets, e["secret"].(string))
		}
	}
	var files []string
	filepath.Walk(cfg, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() && p != cache && !strings.HasPrefix(p, stateDir+string(os.PathSeparator)+"registries") {
			files = append(files, p)
		}
		return nil
	})
	for _, s := range secrets {
		if strings.Contains(dbg.stderr, s) {
			t.Fatal("--debug printed a token")
		}
		for _, f := range files {
			if b, _ := os.ReadFile(f); strings.Contains(string(b), s) {
				t.Fatalf("%s holds a token", f)
			}
		}
	}

	// A corrupt cache is a clean "log in again", never a crash.
	corrupt := t.TempDir()
	copyDir(t, cfg, corrupt)
	os.WriteFile(filepath.Join(corrupt, "msal_token_cache.json"), []byte("{not json"), 0o600)
	if r := run(t, []string{"ACI_CONFIG_DIR=" + corrupt, "ACI_TOKEN_CACHE=file"}, aciBin, "group", "list"); r.code != 1 ||
		!strings.Contains(r.stderr, "aci login") || strings.Contains(r.stderr, "goroutine") {
		t.Fatalf("corrupt cache: %+v", r)
	}

	// Logout revokes the sign-in: the cache's copy stops working too.
	stolen := t.TempDir()
	copyDir(t, cfg, stolen)
	stolenEnv := []string{"ACI_CONFIG_DIR=" + stolen, "ACI_TOKEN_CACHE=file"}
	must(t, run(t, stolenEnv, aciBin, "group", "show", "-n", "after-expiry", "-o", "none"), 0)
	must(t, run(t, env, aciBin, "logout"), 0)
	if r := run(t, env, aciBin, "group", "list"); r.code != 1 || !strings.Contains(r.stderr, "aci login") {
		t.Fatalf("after logout: %+v", r)
	}
	time.Sleep(6 * time.Second) // the copy's cached access token expires too
	if r := run(t, stolenEnv, aciBin, "group", "list"); r.code != 1 || !strings.Contains(r.stderr, "revoked") || strings.Contains(r.stderr, "goroutine") {
		t.Fatalf("a revoked login still works: %+v", r)
	}
}

var formRE = regexp.MustCompile(`<form method="post" action="([^"]+)">`)
var inputRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

func formOf(t *testing.T, page string) (string, url.Values) {
	t.Helper()
	m := formRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no form in %s", page)
	}
	v := url.Values{}
	for _, f := range inputRE.FindAllStringSubmatch(page, -1) {
		v.Set(f[1], unescape(f[2]))
	}
	return unescape(m[1]), v
}

func unescape(s string) string {
	r := strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#39;", "'", "&#34;", `"`, "&lt;", "<", "&gt;", ">", "&#x2f;", "/", "&#47;", "/")
	return r.Replace(s)
}

// A browser login as az does it: aci opens the sign-in page (a stand-in for
// xdg-open records the address), the test plays the browser (sign-in page,
// wrong then right password, the form_post back to aci's loopback redirect),
// and the login then outlives its access token. Both caches: MSAL's 0600
// file and azidentity/cache's keyring.
func TestBrowserLogin(t *testing.T) {
	for _, storage := range []string{"file", "keyring"} {
		t.Run(storage, func(t *testing.T) {
			env, stateDir := shortLived(t)
			user := readUser(t, stateDir)
			bin := t.TempDir()
			urlFile := filepath.Join(t.TempDir(), "url")
			script := "#!/bin/sh\nprintf '%s' \"$1\" > " + urlFile + "\n"
			if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
			env = append(env, "ACI_TOKEN_CACHE="+storage, "DISPLAY=:99", "PATH="+bin+":"+os.Getenv("PATH"))
			cmd, out, lines := background(t, env, "login")
			var stderr []string
			done := make(chan struct{})
			go func() {
				for l := range lines {
					stderr = append(stderr, l)
				}
				close(done)
			}()
			defer func() {
				if t.Failed() {
					<-done
					t.Logf("aci login's stderr:\n%s", strings.Join(stderr, "\n"))
				}
			}()
			var authURL string
			for i := 0; i < 300 && authURL == ""; i++ {
				time.Sleep(100 * time.Millisecond)
				b, _ := os.ReadFile(urlFile)
				authURL = string(b)
			}
			if !strings.HasPrefix(authURL, endpointOf(t, stateDir)+"/adfs/oauth2/authorize?") {
				t.Fatalf("browser opened at %q", authURL)
			}
			c := caClient(t, stateDir)
			resp, err := c.Get(authURL)
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			action, form := formOf(t, string(page))
			form.Set("username", user.UserName)
			form.Set("password", "wrong")
			target := endpointOf(t, stateDir) + action
			if resp, err := c.PostForm(target, form); err != nil || resp.StatusCode != 401 {
				t.Fatalf("wrong password: %v %v", resp, err)
			}
			form.Set("password", user.UserPassword)
			resp, err = c.PostForm(target, form)
			if err != nil {
				t.Fatal(err)
			}
			page, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			redirect, fields := formOf(t, string(page))
			if u, err := url.Parse(redirect); err != nil || u.Scheme != "http" || u.Hostname() != "localhost" {
				t.Fatalf("redirect to %q", redirect)
			}
			// aci's loopback listener takes the code.
			resp, err = (&http.Client{Timeout: 10 * time.Second}).PostForm(redirect, fields)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			waitExit(t, cmd, "aci login")
			signedIn(t, out.String())
			var logins []map[string]any
			b, _ := os.ReadFile(filepath.Join(strings.TrimPrefix(env[0], "ACI_CONFIG_DIR="), "aci_logins.json"))
			if json.Unmarshal(b, &logins); len(logins) != 1 || logins[0]["storage"] != storage {
				t.Fatalf("login record: %s", b)
			}
			keepsWorking(t, env, stateDir, "browser-"+storage)
			must(t, run(t, env, aciBin, "logout"), 0)
			if r := run(t, env, aciBin, "group", "list"); r.code != 1 {
				t.Fatalf("after logout: %+v", r)
			}
		})
	}
}
