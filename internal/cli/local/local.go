// Package local implements `aci local`: start, stop and inspect the ARM-compatible
// endpoint on this machine, and point aci (and print how to point az) at it.
// The server itself is the aci-local binary (internal/local/daemon), run from
// here, so its dependencies stay out of every other command's start-up.
package local

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/cli/login"
	"github.com/aci-cli/aci/internal/local/wire"
	"github.com/spf13/cobra"
)

// DefaultPort is where `aci local start` listens unless told otherwise.
const DefaultPort = wire.DefaultPort

// CloudName is the cloud aci registers for the local endpoint.
const CloudName = "local"

// NewCmd builds `aci local`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.GroupCommand(&cobra.Command{Use: "local", Short: "Run an ARM-compatible endpoint on this machine."})
	cmd.AddCommand(newStart(f), newStop(f), newStatus(f), newEnv(f), newReset(f), newImages(f), newApprove(f))
	return cmd
}

// defaultStateDir is the state dir of the instance `aci local start` last
// started from this config dir (it records it, so status, env, stop and reset
// find an instance started with --state-dir), else <config dir>/local.
func defaultStateDir(f *cmdutil.Factory) string {
	if b, err := os.ReadFile(stateDirPointer(f)); err == nil {
		if d := strings.TrimSpace(string(b)); filepath.IsAbs(d) {
			if fi, err := os.Stat(d); err == nil && fi.IsDir() {
				return d
			}
		}
	}
	return filepath.Join(f.ConfigDir, "local")
}

func stateDirPointer(f *cmdutil.Factory) string { return filepath.Join(f.ConfigDir, "local-state-dir") }

// portPointer remembers the port last given to `aci local start --port`.
func portPointer(f *cmdutil.Factory) string { return filepath.Join(f.ConfigDir, "local-port") }

// startPort is where `aci local start` listens without --port:
// ACI_LOCAL_PORT, else the port last given with --port, else DefaultPort.
func startPort(f *cmdutil.Factory) (int, error) {
	if v := os.Getenv("ACI_LOCAL_PORT"); v != "" {
		p, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || p < 0 || p > 65535 {
			return 0, cmdutil.UsageError("ACI_LOCAL_PORT=%s is not a port (0-65535)", v)
		}
		return p, nil
	}
	if b, err := os.ReadFile(portPointer(f)); err == nil {
		if p, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && p > 0 && p <= 65535 {
			return p, nil
		}
	}
	return DefaultPort, nil
}

type runtimeInfo = wire.RuntimeInfo

func runtimePath(dir string) string { return wire.RuntimeFile(dir) }

// running returns the live instance of a state dir, if any.
func running(dir string) (*runtimeInfo, map[string]any) {
	b, err := os.ReadFile(runtimePath(dir))
	if err != nil {
		return nil, nil
	}
	var ri runtimeInfo
	if json.Unmarshal(b, &ri) != nil || ri.Endpoint == "" {
		return nil, nil
	}
	st, err := fetchStatus(dir, ri.Endpoint)
	if err != nil {
		return nil, nil
	}
	if pid, _ := st["pid"].(float64); int(pid) != ri.PID {
		return nil, nil
	}
	return &ri, st
}

func trustingClient(dir string) (*http.Client, error) {
	pem, err := os.ReadFile(wire.CAFile(dir))
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}, nil
}

// fetchStatus asks the instance of a state dir about itself. The status needs a
// token, which only who can read the state dir's principal can get.
func fetchStatus(dir, endpoint string) (map[string]any, error) {
	c, err := trustingClient(dir)
	if err != nil {
		return nil, err
	}
	id, err := identityOf(dir)
	if err != nil {
		return nil, err
	}
	tr, err := c.PostForm(endpoint+"/adfs/oauth2/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {id.ClientID}, "client_secret": {id.ClientSecret}, "resource": {wire.ARMAudience}})
	if err != nil {
		return nil, err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(io.LimitReader(tr.Body, 1<<20)).Decode(&tok)
	tr.Body.Close()
	if err != nil || tok.AccessToken == "" {
		return nil, fmt.Errorf("aci local refused its own principal (%d)", tr.StatusCode)
	}
	req, _ := http.NewRequest("GET", endpoint+"/aci-local/status", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var st map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return nil, err
	}
	return st, nil
}

type startOptions struct {
	port     int
	stateDir string
	listen   string
	detach   bool
	remote   bool
	gitRoots []string
	// tokenLife and refreshLife shorten sign-ins (tests of expiry).
	tokenLife, refreshLife time.Duration
	hostsFile              string
	portGiven              bool // --port was given: remember it
}

// parse makes the paths absolute, picks the port (a remembered one unless
// --port was given) and refuses an address beyond loopback without
// --allow-remote.
func (o *startOptions) parse(f *cmdutil.Factory, portGiven bool) error {
	if o.stateDir == "" {
		o.stateDir = defaultStateDir(f)
	}
	abs, err := filepath.Abs(o.stateDir)
	if err != nil {
		return err
	}
	o.stateDir = abs
	for i, r := range o.gitRoots {
		if o.gitRoots[i], err = filepath.Abs(r); err != nil {
			return err
		}
	}
	o.portGiven = portGiven
	if !portGiven {
		if o.port, err = startPort(f); err != nil {
			return err
		}
	}
	if o.port < 0 || o.port > 65535 {
		return cmdutil.UsageError("argument --port: invalid int value: '%d'", o.port)
	}
	if o.listen == "" {
		o.listen = net.JoinHostPort("127.0.0.1", strconv.Itoa(o.port))
	} else if _, _, err := net.SplitHostPort(o.listen); err != nil {
		o.listen = net.JoinHostPort(o.listen, strconv.Itoa(o.port))
	}
	if host, _, _ := net.SplitHostPort(o.listen); !wire.IsLoopback(host) {
		if !o.remote {
			return cmdutil.UsageError("--listen %s is beyond loopback: aci local runs containers as root and hands out tokens; add --allow-remote to do it anyway", o.listen)
		}
		fmt.Fprintf(f.IO.ErrOut, "WARNING: aci local listens on %s: every machine that reaches it can try its credentials.\n", o.listen)
	}
	return nil
}

// startRun refuses a second instance on one state dir, remembers the state
// dir (and a given port) for later commands, then starts the server.
func startRun(f *cmdutil.Factory, o *startOptions) error {
	if ri, _ := running(o.stateDir); ri != nil {
		return cmdutil.Fail("aci local is already running at %s (pid %d).", ri.Endpoint, ri.PID)
	}
	if err := os.MkdirAll(f.ConfigDir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(stateDirPointer(f), []byte(o.stateDir+"\n"), 0o600); err != nil {
		return err
	}
	if o.portGiven && o.port != 0 {
		if err := os.WriteFile(portPointer(f), []byte(strconv.Itoa(o.port)+"\n"), 0o600); err != nil {
			return err
		}
	}
	return start(f, o)
}

func newStart(f *cmdutil.Factory) *cobra.Command {
	o := &startOptions{}
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Start aci local and point aci at it.",
		Long: "Starts an HTTPS endpoint on 127.0.0.1 that speaks Azure Resource Manager, registers it as the cloud\n" +
			"'local', selects it and logs aci in with the endpoint's service principal, so `aci group list` works next.",
		Example: "  aci local start --detach && aci group create -n demo -l westus",
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.parse(f, cmd.Flags().Changed("port")); err != nil {
				return err
			}
			return startRun(f, o)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&o.port, "port", DefaultPort, "Port to listen on (0 picks a free one); remembered for the next start. Default: $ACI_LOCAL_PORT, else the port last given, else 47443.")
	fl.StringVar(&o.stateDir, "state-dir", "", "Where state, certificates and logs live (default: the one last used, else <config dir>/local).")
	fl.StringVar(&o.listen, "listen", "", "Address to listen on (default 127.0.0.1); another address exposes the endpoint beyond this machine.")
	fl.StringArrayVar(&o.gitRoots, "git-repo-root", nil, "A directory whose repositories gitRepo volumes may clone (repeatable); none by default.")
	fl.BoolVar(&o.remote, "allow-remote", false, "Allow a --listen address beyond loopback (anyone who reaches it can try its credentials).")
	fl.BoolVar(&o.detach, "detach", false, "Run in the background and return once it answers.")
	fl.DurationVar(&o.tokenLife, "token-lifetime", time.Hour, "How long the access tokens it issues live.")
	fl.DurationVar(&o.refreshLife, "refresh-token-lifetime", 90*24*time.Hour, "How long a user's sign-in lasts unused (every refresh extends it).")
	fl.StringVar(&o.hostsFile, "hosts-file", "", "The hosts file where aci local keeps the names it hands out (group FQDNs, storage endpoints) so every client resolves them: /etc/hosts when aci local runs as root; 'none' for no file ('aci local env --hosts' prints the lines).")
	return cmd
}

// serverArgs is the aci-local command line for these options.
func serverArgs(o *startOptions) []string {
	args := []string{"serve", "--state-dir", o.stateDir, "--listen", o.listen, "--allow-remote=" + strconv.FormatBool(o.remote)}
	for _, r := range o.gitRoots {
		args = append(args, "--git-repo-root", r)
	}
	if o.tokenLife > 0 {
		args = append(args, "--token-lifetime", o.tokenLife.String())
	}
	if o.refreshLife > 0 {
		args = append(args, "--refresh-token-lifetime", o.refreshLife.String())
	}
	if o.hostsFile != "" {
		args = append(args, "--hosts-file", o.hostsFile)
	}
	return args
}

// launch starts aci-local and waits until it answers: in its own session with
// its output in server.log (--detach), or as a child that lives as long as
// this command, its output on stderr. It returns what the instance answered.
func launch(f *cmdutil.Factory, o *startOptions) (*exec.Cmd, <-chan error, *runtimeInfo, map[string]any, error) {
	bin, err := wire.ServerBinary()
	if err != nil {
		return nil, nil, nil, nil, cmdutil.Fail("%v", err)
	}
	if err := os.MkdirAll(o.stateDir, 0o700); err != nil {
		return nil, nil, nil, nil, err
	}
	os.Remove(runtimePath(o.stateDir))
	c := exec.Command(bin, serverArgs(o)...)
	c.Env = append(os.Environ(), "ACI_CONFIG_DIR="+f.ConfigDir)
	if o.detach {
		logf, err := os.OpenFile(wire.ServerLog(o.stateDir), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		defer logf.Close()
		c.Stdout, c.Stderr = logf, logf
		detach(c)
	} else {
		c.Stdout, c.Stderr = f.IO.ErrOut, f.IO.ErrOut
	}
	if err := c.Start(); err != nil {
		return nil, nil, nil, nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- c.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if ri, st := running(o.stateDir); ri != nil {
			return c, exited, ri, st, nil
		}
		select {
		case err := <-exited:
			b, _ := os.ReadFile(wire.ServerLog(o.stateDir))
			why := lastLine(string(b))
			if !o.detach {
				why = "see above"
			}
			return nil, nil, nil, nil, cmdutil.Fail("aci local exited during start-up (%v): %s", err, strings.TrimPrefix(why, "Error: "))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = c.Process.Signal(syscall.SIGTERM) // it may have exited already
			return nil, nil, nil, nil, cmdutil.Fail("aci local did not answer within 30 s; see %s", wire.ServerLog(o.stateDir))
		}
	}
}

// start launches aci-local, points aci at it and prints its status; without
// --detach it then serves until Ctrl-C.
func start(f *cmdutil.Factory, o *startOptions) error {
	c, exited, ri, st, err := launch(f, o)
	if err != nil {
		return err
	}
	id, err := identityOf(o.stateDir)
	if err == nil {
		err = configure(f, o.stateDir, ri.Endpoint, id)
	}
	if err == nil {
		err = f.Print(st, cmdutil.PrintOptions{})
	}
	if o.detach || err != nil {
		if err != nil && !o.detach {
			stopChild(c, exited)
		}
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "aci local is running at %s; press Ctrl-C to stop it.\n", ri.Endpoint)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	select {
	case <-sig:
	case <-f.Context().Done():
	case err := <-exited:
		return cmdutil.Fail("aci local stopped: %v", err)
	}
	stopChild(c, exited)
	return nil
}

// stopChild asks the server to stop and waits until it has. Its exit
// status is that of a stop we asked for, so it says nothing new.
func stopChild(c *exec.Cmd, exited <-chan error) {
	_ = c.Process.Signal(syscall.SIGTERM) // it may have exited already
	<-exited                              //nolint:errcheck // "signal: terminated", as asked
}

func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}

func identityOf(dir string) (*wire.Principals, error) {
	b, err := os.ReadFile(wire.PrincipalsFile(dir))
	if err != nil {
		return nil, err
	}
	var id wire.Principals
	return &id, json.Unmarshal(b, &id)
}

// StorageSuffix is the local cloud's storage endpoint suffix for an
// endpoint: core.aci.localhost:PORT.
func StorageSuffix(endpoint string) string {
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(endpoint, "https://"))
	return "core." + wire.LocalSuffix + ":" + port
}

// configure registers and selects the cloud "local" and logs aci in with the
// endpoint's service principal.
func configure(f *cmdutil.Factory, dir, endpoint string, id *wire.Principals) error {
	clouds, err := f.Clouds()
	if err != nil {
		return err
	}
	c := &arm.Cloud{Name: CloudName, CABundle: wire.CAFile(dir),
		Endpoints: map[string]string{"resourceManager": endpoint + "/", "activeDirectory": endpoint + "/adfs",
			"activeDirectoryResourceId": wire.ARMAudience, "management": wire.ARMAudience,
			"activeDirectoryGraphResourceId": endpoint + "/graph/", "gallery": endpoint + "/", "portal": endpoint + "/"},
		// Data-plane names of the local cloud are aci local's own, never Azure's:
		// a registry or storage request made against it stays on this machine.
		// Storage names take the shape the Azure SDKs read an account from
		// (ACCOUNT.file.core.SUFFIX), on the endpoint's port, as aci local
		// env registers them with az: both print the same connection strings.
		Suffixes:       map[string]string{"acrLoginServerEndpoint": ".acr." + wire.LocalSuffix, "storageEndpoint": StorageSuffix(endpoint)},
		LoopbackSuffix: wire.LocalSuffix}
	if err := clouds.Save(c); err != nil {
		return err
	}
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	if err := cfg.Set("cloud", "name", CloudName); err != nil {
		return err
	}
	_, err = login.Login(f, &login.Options{ServicePrincipal: true, Username: id.ClientID, Password: id.ClientSecret, Tenant: id.TenantID})
	return err
}

// stopRun signals the instance of a state dir and waits, up to wait, until
// it has gone (its runtime file removed).
func stopRun(f *cmdutil.Factory, stateDir string, wait time.Duration) error {
	if stateDir == "" {
		stateDir = defaultStateDir(f)
	}
	ri, _ := running(stateDir)
	if ri == nil {
		return cmdutil.Fail("aci local is not running.")
	}
	p, err := os.FindProcess(ri.PID)
	if err != nil {
		return err
	}
	if err := p.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		if r, _ := running(stateDir); r == nil {
			if _, err := os.Stat(runtimePath(stateDir)); os.IsNotExist(err) {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return cmdutil.Fail("aci local (pid %d) did not stop within %s.", ri.PID, wait)
}

func newStop(f *cmdutil.Factory) *cobra.Command {
	var stateDir string
	cmd := &cobra.Command{
		Use:   "stop",
		Short: "Stop aci local.",
		RunE: func(cmd *cobra.Command, args []string) error {
			return stopRun(f, stateDir, 15*time.Second)
		},
	}
	cmd.Flags().StringVar(&stateDir, "state-dir", "", "The state dir of the instance (default: the one aci local start last used, else <config dir>/local).")
	return cmd
}

func statusRun(f *cmdutil.Factory, stateDir string) error {
	if stateDir == "" {
		stateDir = defaultStateDir(f)
	}
	_, st := running(stateDir)
	if st == nil {
		return cmdutil.Fail("aci local is not running (state dir %s).", stateDir)
	}
	st["running"] = true
	st["docker"] = dockerState()
	return f.Print(st, cmdutil.PrintOptions{})
}

func newStatus(f *cmdutil.Factory) *cobra.Command {
	var stateDir string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show whether aci local runs, where, and with which runtime.",
		RunE: func(cmd *cobra.Command, args []string) error {
			return statusRun(f, stateDir)
		},
	}
	cmd.Flags().StringVar(&stateDir, "state-dir", "", "The state dir of the instance (default: the one aci local start last used, else <config dir>/local).")
	return cmd
}

// envRun prints the shell lines that point az (and the SDKs' environment
// credentials) at the instance, or with hosts the hosts-file lines.
func envRun(f *cmdutil.Factory, stateDir string, hosts bool) error {
	ri, id, err := liveInstance(f, &stateDir)
	if err != nil {
		return err
	}
	if hosts {
		// What aci local keeps in /etc/hosts when it may write there.
		b, err := os.ReadFile(filepath.Join(stateDir, "hosts"))
		if err != nil && !os.IsNotExist(err) {
			return err
		}
		_, err = f.IO.Out.Write(b)
		return err
	}
	ca := wire.CAFile(stateDir)
	fmt.Fprintf(f.IO.Out, "export REQUESTS_CA_BUNDLE=%s\n", shellQuote(ca))
	fmt.Fprintf(f.IO.Out, "export SSL_CERT_FILE=%s\n", shellQuote(ca))
	// Managed identity, App Service shape (azidentity, aci login --identity).
	fmt.Fprintf(f.IO.Out, "export IDENTITY_ENDPOINT=%s/msi/token\n", ri.Endpoint)
	fmt.Fprintf(f.IO.Out, "export IDENTITY_HEADER=%s\n", id.MSISecret)
	// Idempotent: a cloud registered by an earlier run (perhaps on
	// another port) is replaced, so the lines work every time. az
	// refuses to unregister the cloud in use, hence the switch first.
	fmt.Fprintf(f.IO.Out, "az cloud set -n AzureCloud >/dev/null 2>&1 || true; az cloud unregister -n %s >/dev/null 2>&1 || true\n", CloudName)
	// The storage suffix puts the account where the Azure SDKs look for
	// it (ACCOUNT.file.core.SUFFIX), on the endpoint's port.
	fmt.Fprintf(f.IO.Out, "az cloud register -n %s --endpoint-resource-manager %s/ --suffix-acr-login-server-endpoint .acr.%s --suffix-storage-endpoint %s\n",
		CloudName, ri.Endpoint, wire.LocalSuffix, StorageSuffix(ri.Endpoint))
	fmt.Fprintf(f.IO.Out, "az cloud set -n %s\n", CloudName)
	fmt.Fprintf(f.IO.Out, "az login --service-principal -u %s -p %s --tenant %s\n", id.ClientID, id.ClientSecret, id.TenantID)
	return nil
}

func newEnv(f *cmdutil.Factory) *cobra.Command {
	var stateDir string
	var hosts bool
	cmd := &cobra.Command{
		Use:     "env",
		Short:   "Print the shell lines that point the real az CLI (and other clients) at aci local.",
		Example: "  eval \"$(aci local env)\"",
		RunE: func(cmd *cobra.Command, args []string) error {
			return envRun(f, stateDir, hosts)
		},
	}
	cmd.Flags().StringVar(&stateDir, "state-dir", "", "The state dir of the instance (default: the one aci local start last used, else <config dir>/local).")
	cmd.Flags().BoolVar(&hosts, "hosts", false, "Print the hosts-file lines that make the names aci local hands out resolve (what it keeps in /etc/hosts when it runs as root).")
	return cmd
}

// liveInstance is the running instance of a state dir (the default one when
// empty) and its principals.
func liveInstance(f *cmdutil.Factory, stateDir *string) (*runtimeInfo, *wire.Principals, error) {
	if *stateDir == "" {
		*stateDir = defaultStateDir(f)
	}
	ri, _ := running(*stateDir)
	if ri == nil {
		return nil, nil, cmdutil.Fail("aci local is not running; start it with `aci local start --detach`.")
	}
	id, err := identityOf(*stateDir)
	if err != nil {
		return nil, nil, err
	}
	return ri, id, nil
}

func shellQuote(s string) string {
	for _, c := range s {
		if !(c == '/' || c == '.' || c == '-' || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	return s
}

// resetRun has aci-local remove every group's Docker objects, volumes and
// files; never under a running instance.
func resetRun(f *cmdutil.Factory, stateDir string, all bool) error {
	if stateDir == "" {
		stateDir = defaultStateDir(f)
	}
	if ri, _ := running(stateDir); ri != nil {
		return cmdutil.Fail("aci local is running (pid %d); stop it first with `aci local stop`.", ri.PID)
	}
	sargs := []string{"reset", "--state-dir", stateDir}
	if all {
		sargs = append(sargs, "--all")
	}
	return runServer(f, sargs...)
}

func newReset(f *cmdutil.Factory) *cobra.Command {
	var stateDir string
	var all bool
	cmd := &cobra.Command{
		Use:   "reset",
		Short: "Delete every resource aci local holds (with --all, also its CA and identity).",
		RunE: func(cmd *cobra.Command, args []string) error {
			return resetRun(f, stateDir, all)
		},
	}
	cmd.Flags().StringVar(&stateDir, "state-dir", "", "The state dir of the instance (default: the one aci local start last used, else <config dir>/local).")
	cmd.Flags().BoolVar(&all, "all", false, "Also delete the CA, certificates and the service principal.")
	return cmd
}

// imagesRun has aci-local build and list its built-in images.
func imagesRun(f *cmdutil.Factory) error {
	var out bytes.Buffer
	if err := runServerTo(f, &out, "images", "--state-dir", defaultStateDir(f)); err != nil {
		return err
	}
	var list []any
	if err := json.Unmarshal(out.Bytes(), &list); err != nil {
		return cmdutil.Fail("aci-local images answered %q", out.String())
	}
	return f.Print(list, cmdutil.PrintOptions{})
}

// newRuntime picks Docker when an engine answers, else the process runtime
// (which serves only the built-in hello-world image).
func newImages(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "images",
		Short: "Build aci local's built-in images from the aci-local binary and list what runs offline.",
		Long: "Build aci local's built-in images (each group's pause container and the stand-ins) from the\n" +
			"aci-local binary, and list them: the images of the ACI docs and quick starts that run without\n" +
			"a network, as these stand-ins. Other images run when the Docker engine has them, or from an\n" +
			"aci local registry.",
		Example: "  aci local images -o table",
		RunE:    func(cmd *cobra.Command, args []string) error { return imagesRun(f) },
	}
}

// runServer runs one aci-local command to its end, its output on ours.
func runServer(f *cmdutil.Factory, args ...string) error { return runServerTo(f, f.IO.Out, args...) }

// runServerTo is runServer with its standard output on out.
func runServerTo(f *cmdutil.Factory, out io.Writer, args ...string) error {
	bin, err := wire.ServerBinary()
	if err != nil {
		return cmdutil.Fail("%v", err)
	}
	c := exec.CommandContext(f.Context(), bin, args...)
	c.Stdout, c.Stderr = out, f.IO.ErrOut
	if err := c.Run(); err != nil {
		return cmdutil.SilentExit(1)
	}
	return nil
}

func dockerState() string {
	sock := "/var/run/docker.sock"
	if h := os.Getenv("DOCKER_HOST"); len(h) > 7 && h[:7] == "unix://" {
		sock = h[7:]
	}
	c, err := net.DialTimeout("unix", sock, 500*time.Millisecond)
	if err != nil {
		return "unavailable"
	}
	c.Close()
	return "available"
}

// approveRun approves a waiting device code with the local user's password.
func approveRun(f *cmdutil.Factory, stateDir, code string) error {
	ri, id, err := liveInstance(f, &stateDir)
	if err != nil {
		return err
	}
	c, err := trustingClient(stateDir)
	if err != nil {
		return err
	}
	resp, err := c.PostForm(ri.Endpoint+"/adfs/device", url.Values{"user_code": {code},
		"username": {id.UserName}, "password": {id.UserPassword}})
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return cmdutil.Fail("The code %s is not waiting for a sign-in (it may have expired).", code)
	}
	fmt.Fprintf(f.IO.ErrOut, "Approved: the sign-in waiting on %s completes as %s.\n", code, id.UserName)
	return nil
}

// newApprove completes a device-code sign-in as the local user: what a person
// does on the device page, for a terminal or a test. Only who can read the
// state dir's principals can do it, as only they know the user's password.
func newApprove(f *cmdutil.Factory) *cobra.Command {
	var stateDir string
	cmd := &cobra.Command{
		Use:     "approve CODE",
		Short:   "Approve a device-code sign-in (aci login --use-device-code, az login --use-device-code) as the local user.",
		Example: "  aci local approve FJRT5QXUV",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return approveRun(f, stateDir, args[0])
		},
	}
	cmd.Flags().StringVar(&stateDir, "state-dir", "", "The state dir of the instance (default: the one aci local start last used, else <config dir>/local).")
	return cmd
}
