// Package daemon is the aci-local binary: the server behind `aci local`, with
// its Docker runtime and providers, kept out of the aci CLI so that every other
// command starts without them. The CLI runs it (`aci-local serve`, `reset`,
// `images`); the built-in images run it too (`pause`, `hello-server`).
package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/spf13/pflag"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aci-cli/aci/internal/compose"
	"github.com/aci-cli/aci/internal/hello"
	"github.com/aci-cli/aci/internal/local/core"
	"github.com/aci-cli/aci/internal/local/providers/containerinstance"
	"github.com/aci-cli/aci/internal/local/providers/containerregistry"
	"github.com/aci-cli/aci/internal/local/providers/resources"
	"github.com/aci-cli/aci/internal/local/providers/storage"
	"github.com/aci-cli/aci/internal/local/runtime"
	"github.com/aci-cli/aci/internal/local/runtime/docker"
	"github.com/aci-cli/aci/internal/local/runtime/process"
	"github.com/aci-cli/aci/internal/local/wire"
	"github.com/spf13/cobra"
)

// Execute runs aci-local with args; the error is already printed.
func Execute(version string, args []string, stdout, stderr io.Writer) error {
	root := &cobra.Command{Use: "aci-local", Short: "The server behind `aci local` (run it through aci).",
		Version: version, SilenceUsage: true}
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newServe(version, stderr), newReset(), newImages(stderr), newPause(), newHelloServer(stdout), newSidecar(stdout), newHelloFiles(stdout), newComposeHelper(stdout))
	return root.Execute()
}

func newServe(version string, log io.Writer) *cobra.Command {
	var o core.Options
	lim := containerinstance.DefaultLimits()
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve until SIGTERM or Ctrl-C; runtime.json in the state dir says where.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Version = version
			o.HostsFile = hostsPath(o.HostsFile)
			return serve(o, lim, log)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.StateDir, "state-dir", "", "Where state, certificates and logs live.")
	fl.StringVar(&o.Listen, "listen", net.JoinHostPort("127.0.0.1", strconv.Itoa(wire.DefaultPort)), "host:port to listen on.")
	fl.BoolVar(&o.AllowRemote, "allow-remote", false, "Allow a listen address beyond loopback.")
	fl.StringSliceVar(&o.GitRepoRoots, "git-repo-root", nil, "A directory whose repositories gitRepo volumes may clone (repeatable).")
	fl.DurationVar(&o.TokenLifetime, "token-lifetime", time.Hour, "How long issued access tokens live.")
	fl.DurationVar(&o.RefreshTokenLifetime, "refresh-token-lifetime", 90*24*time.Hour, "How long a user's sign-in lasts unused.")
	hostsFlag(fl, &o.HostsFile)
	fl.Float64Var(&lim.MaxCPU, "group-max-cpu", lim.MaxCPU, "The most CPU a container group may request (the region's capabilities).")
	fl.Float64Var(&lim.MaxMemoryGB, "group-max-memory", lim.MaxMemoryGB, "The most memory (GB) a container group may request.")
	fl.Float64Var(&lim.CoresQuota, "cores-quota", lim.CoresQuota, "The StandardCores quota per region.")
	fl.IntVar(&lim.GroupsQuota, "groups-quota", lim.GroupsQuota, "The container group quota per region.")
	_ = cmd.MarkFlagRequired("state-dir") // fails only for a flag not defined above
	return cmd
}

// hostsFlag is --hosts-file: where aci local keeps the names it hands out
// (/etc/hosts when it runs as root, which may write there; "none" for no file).
func hostsFlag(fl *pflag.FlagSet, v *string) {
	def := "none"
	if os.Geteuid() == 0 {
		def = "/etc/hosts"
	}
	fl.StringVar(v, "hosts-file", def, "The hosts file whose aci local block makes group FQDNs and storage endpoints resolve for every client ('none': no file; 'aci local env --hosts' prints the lines).")
}

func hostsPath(v string) string {
	if v == "none" {
		return ""
	}
	return v
}

// newRuntime is the Docker runtime where an engine answers, else the process
// runtime (the hello-world image only), saying why.
func newRuntime(stateDir string) runtime.Runtime {
	d, err := docker.New(stateDir)
	if err != nil {
		return process.New(err.Error())
	}
	return d
}

func serve(o core.Options, lim containerinstance.Limits, log io.Writer) error {
	srv, err := core.New(o)
	if err != nil {
		return err
	}
	rt := newRuntime(o.StateDir)
	cg := containerinstance.NewContainerGroups(srv, rt)
	cg.Limits = lim
	builder, _ := rt.(runtime.Builder)
	containerregistry.New(srv, builder)
	files := storage.New(srv, ".file."+wire.LocalSuffix)
	cg.SetShares(files)
	cg.WatchQuotas(files)
	resources.New(srv)
	rctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	if err := cg.Reconcile(rctx); err != nil {
		fmt.Fprintf(log, "WARNING: reconciling containers of earlier runs failed: %v\n", err)
	}
	cancel()
	if err := srv.Start(); err != nil {
		srv.Close()
		var oe *net.OpError
		if errors.As(err, &oe) {
			return fmt.Errorf("cannot listen on %s: %v (use --port to choose another port)", o.Listen, oe.Err)
		}
		return err
	}
	defer srv.Close()
	b, _ := json.Marshal(wire.RuntimeInfo{PID: os.Getpid(), Endpoint: srv.BaseURL()})
	if err := os.WriteFile(wire.RuntimeFile(o.StateDir), b, 0o600); err != nil {
		return err
	}
	defer os.Remove(wire.RuntimeFile(o.StateDir))
	fmt.Fprintf(log, "aci local is serving at %s\n", srv.BaseURL())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	go func() {
		<-sig // a second signal does not wait for the orderly stop
		os.Exit(1)
	}()
	return nil
}

// newReset removes a stopped instance's resources: its Docker objects, secret
// volumes, database and logs (with --all also its CA and identity).
func newReset() *cobra.Command {
	var stateDir, hosts string
	var all bool
	cmd := &cobra.Command{
		Use:   "reset",
		Short: "Delete every resource of a stopped instance.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if d, err := docker.New(stateDir); err == nil {
				if err := d.Reconcile(cmd.Context(), func(string) bool { return false }); err != nil {
					return err
				}
			}
			for _, d := range []string{"volumes", "registries", "storage"} {
				if err := os.RemoveAll(filepath.Join(stateDir, d)); err != nil {
					return err
				}
			}
			if err := runtime.RemoveSecretVolumes(stateDir); err != nil {
				return err
			}
			if err := core.RemoveHostsBlock(hostsPath(hosts), stateDir); err != nil {
				return fmt.Errorf("removing aci local's names from %s: %v", hosts, err)
			}
			// With the database gone, its sealing key protects nothing: a new
			// one comes with the next database.
			files := []string{"state.db", "secrets.key", "requests.log", "requests.log.1", "server.log", "runtime.json"}
			if all {
				files = append(files, "ca.pem", "ca-key.pem", "server.pem", "server-key.pem", "principals.json", "token-signing-key.pem")
			}
			for _, n := range files {
				if err := os.Remove(filepath.Join(stateDir, n)); err != nil && !os.IsNotExist(err) {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&stateDir, "state-dir", "", "The state dir of the instance.")
	cmd.Flags().BoolVar(&all, "all", false, "Also delete the CA, certificates and the service principal.")
	hostsFlag(cmd.Flags(), &hosts)
	_ = cmd.MarkFlagRequired("state-dir") // fails only for a flag not defined above
	return cmd
}

func newImages(log io.Writer) *cobra.Command {
	var stateDir string
	cmd := &cobra.Command{
		Use:   "images",
		Short: "Build the built-in images (pause and the stand-ins) from this binary; print them as JSON.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := docker.New(stateDir)
			if err != nil {
				return err
			}
			if err := d.EnsureImages(cmd.Context()); err != nil {
				return err
			}
			// What runs offline, as data for aci's output formats.
			type image struct {
				Image     string `json:"image"`
				StandsFor string `json:"standsFor"`
				Runs      string `json:"runs"`
			}
			list := []image{{Image: "aci-local/pause", StandsFor: "(each group's network holder)", Runs: "aci-local pause"}}
			for _, b := range runtime.Builtins {
				runs := "aci-local " + strings.Join(b.Entry, " ")
				if strings.HasPrefix(b.Entry[0], "/") {
					runs = strings.Join(b.Entry, " ")
				}
				var names []string
				for _, n := range b.Names {
					if !strings.HasPrefix(n, "aci-local/") {
						names = append(names, n)
					}
				}
				list = append(list, image{Image: "aci-local/" + b.Tag, StandsFor: strings.Join(names, ", "), Runs: runs})
			}
			return json.NewEncoder(cmd.OutOrStdout()).Encode(list)
		},
	}
	cmd.Flags().StringVar(&stateDir, "state-dir", "", "The state dir of the instance.")
	return cmd
}

// newPause is what a group's pause container runs: it holds the network
// namespace and exits on SIGTERM.
func newPause() *cobra.Command {
	return &cobra.Command{
		Use:    "pause",
		Hidden: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			sig := make(chan os.Signal, 1)
			signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
			<-sig
			return nil
		},
	}
}

// newHelloServer is the hello-world image's process.
func newHelloServer(out io.Writer) *cobra.Command {
	var port int
	cmd := &cobra.Command{
		Use:    "hello-server",
		Hidden: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(out, "listening on port %d\n", port)
			srv := &http.Server{Addr: ":" + strconv.Itoa(port), Handler: hello.Handler(out), ReadHeaderTimeout: 10 * time.Second}
			go func() {
				sig := make(chan os.Signal, 1)
				signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
				<-sig
				srv.Close()
			}()
			if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
				return err
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&port, "port", 80, "Port to listen on.")
	return cmd
}

// newSidecar is the sidecar stand-in's process: it requests the app on
// localhost and logs the answers.
func newSidecar(out io.Writer) *cobra.Command {
	var url string
	var every time.Duration
	cmd := &cobra.Command{
		Use:    "sidecar",
		Hidden: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
			defer stop()
			return hello.Sidecar(ctx, url, every, out)
		},
	}
	cmd.Flags().StringVar(&url, "url", "http://localhost/", "What to request.")
	cmd.Flags().DurationVar(&every, "every", 3*time.Second, "How often.")
	return cmd
}

// newHelloFiles is the hellofiles stand-in's process: a web server writing a
// file into the mounted share per request and listing them.
func newHelloFiles(out io.Writer) *cobra.Command {
	var port int
	var dir string
	cmd := &cobra.Command{
		Use:    "hello-files",
		Hidden: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(out, "listening on port %d, writing to %s\n", port, dir)
			srv := &http.Server{Addr: ":" + strconv.Itoa(port), Handler: hello.FilesHandler(dir, out), ReadHeaderTimeout: 10 * time.Second}
			go func() {
				sig := make(chan os.Signal, 1)
				signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
				<-sig
				srv.Close()
			}()
			if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
				return err
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&port, "port", 80, "Port to listen on.")
	cmd.Flags().StringVar(&dir, "dir", "/aci/logs", "Where to write.")
	return cmd
}

// newComposeHelper loads and converts a Compose project for aci compose: the
// Compose parser lives here so its start-up cost stays out of aci's.
func newComposeHelper(out io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:    "compose-helper",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			return compose.ServeStdio(ctx, os.Stdin, out)
		},
	}
}
