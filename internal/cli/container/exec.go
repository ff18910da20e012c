package container

import (
	"net/url"
	"os"
	"strings"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/shlex"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

type execOptions struct {
	deps
	target
	Container, Command string
}

func newExec(f *cmdutil.Factory, runF func(*execOptions) error) *cobra.Command {
	o := &execOptions{deps: depsOf(f), target: newTarget()}
	cmd := &cobra.Command{
		Use:   "exec [-- COMMAND [ARG...]]",
		Short: "Execute a command from within a running container of a container group.",
		Long: "Run a command in a container. The command is --exec-command, or everything after `--` (arguments\n" +
			"are quoted for the service). Works with and without a terminal: piped standard input is sent,\n" +
			"output is written as it comes, and the remote exit status is returned where the service reports it.",
		Example: "  aci container exec -g rg -n web --exec-command /bin/sh\n  aci container exec -g rg -n web -- ls -la /\n  echo hi | aci container exec -g rg -n web -- cat",
		Args:    cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				if o.Command != "" {
					return cmdutil.UsageError("usage error: --exec-command CMD | -- CMD [ARG...]")
				}
				o.Command = quoteArgs(args)
			}
			var m cmdutil.Missing
			m.Need("--exec-command", o.Command)
			if err := m.Err(); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return execRun(o)
		},
	}
	o.target.Flags(cmd)
	cmd.Flags().StringVar(&o.Container, "container-name", "", "The container name where to execute the command. Can be omitted for container groups with only one container.")
	cmd.Flags().StringVar(&o.Command, "exec-command", "", "The command to run from within the container.")
	return cmd
}

// quoteArgs joins argv into one command string that POSIX splitting restores.
func quoteArgs(args []string) string { return shlex.Join(args) }

// LocalEndpoint tells whether the active cloud is aci local.
func LocalEndpoint(f *cmdutil.Factory) bool { return localEndpoint(f) }

// QuoteArgs joins argv into one command string that POSIX splitting restores.
func QuoteArgs(args []string) string { return quoteArgs(args) }

// localEndpoint reports whether the active cloud is aci local's (it serves
// its data planes under a loopback suffix).
func localEndpoint(f *cmdutil.Factory) bool {
	cloud, _, _, err := f.Account()
	return err == nil && cloud != nil && cloud.LoopbackSuffix != ""
}

// execRun runs the command in the container (the group's only one when
// not named).
func execRun(o *execOptions) error {
	svc, _, c, err := containerOf(o.f, o.Service, &o.target, o.Container)
	if err != nil {
		return err
	}
	return ExecSession(o.f, svc, o.Group, o.Name, c, o.Command)
}

// ExecSession runs command in a container of a group and relays the
// terminal (or pipes) until it ends; the error carries the remote exit code
// where the service reports one. aci compose exec uses it too.
func ExecSession(f *cmdutil.Factory, svc Service, group, name, c, command string) error {
	rows, cols := int32(24), int32(80)
	outFile, _ := f.IO.Out.(*os.File)
	if outFile != nil && f.IO.StdoutTTY {
		if w, h, err := term.GetSize(int(outFile.Fd())); err == nil && w > 0 && h > 0 {
			rows, cols = int32(h), int32(w)
		}
	}
	if (!f.IO.StdinTTY || !f.IO.StdoutTTY) && localEndpoint(f) {
		// Pipes want plain streams, not a terminal: aci local reads a 0x0
		// size that way (ACI itself always gives a terminal).
		rows, cols = 0, 0
	}
	uri, password, err := svc.Exec(f.Context(), group, name, c, command, rows, cols)
	if err != nil {
		return err
	}
	u, err := url.Parse(uri)
	if err != nil {
		return cmdutil.Fail("The service answered an invalid exec URI.")
	}
	tlsCfg, err := f.TLSConfig(u.Hostname())
	if err != nil {
		return err
	}
	inFile, _ := f.IO.In.(*os.File)
	if inFile != nil && f.IO.StdinTTY {
		if st, err := term.MakeRaw(int(inFile.Fd())); err == nil {
			defer func() { _ = term.Restore(int(inFile.Fd()), st) }()
		}
	}
	end, err := arm.RelayExec(f.Context(), uri, password, tlsCfg, arm.ExecStreams{In: f.IO.In, SendEOF: !f.IO.StdinTTY, Out: f.IO.Out})
	return exitOf(end, err, localEndpoint(f))
}

// sessionEnd is the exit of a session whose stream ended with err. aci local
// reports the command's status in its close frame ("exitCode=N"); Azure
// reports none, and then, as az does, the exit is 0. A connection that drops
// (no close frame), or a close frame without a status from aci local, leaves
// the command's fate unknown: never a silent success.
func sessionEnd(err error, local bool) error {
	end, rerr := arm.ExecEndOf(err)
	return exitOf(end, rerr, local)
}

func exitOf(end arm.ExecEnd, err error, local bool) error {
	switch {
	case err != nil:
		return cmdutil.Fail("%s", capitalize(err.Error()))
	case end.Known && end.Code != 0:
		return cmdutil.SilentExit(end.Code)
	case end.Known:
		return nil
	case local || !end.Normal():
		return cmdutil.Fail("The exec session ended without the command's exit status (close code %d%s).", end.CloseCode, reasonSuffix(end.Reason))
	}
	return nil
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

func reasonSuffix(r string) string {
	if r == "" {
		return ""
	}
	return ": " + r
}
