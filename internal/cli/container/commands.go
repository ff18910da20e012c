package container

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/spf13/cobra"
)

// deps are what every run function gets: the factory (IO, printing, the
// context) and the service, which tests replace with a fake.
type deps struct {
	f       *cmdutil.Factory
	Service func() (Service, error)
	// Location is a resource group's location (create's default).
	Location func(ctx context.Context, rg string) (string, error)
	// AccountKey is a storage account's first key (an Azure File volume
	// that names no key).
	AccountKey func(ctx context.Context, account string) (string, error)
}

func depsOf(f *cmdutil.Factory) deps {
	return deps{f: f, Service: func() (Service, error) { return service(f) },
		Location:   func(_ context.Context, rg string) (string, error) { return groupLocation(f, rg) },
		AccountKey: func(_ context.Context, account string) (string, error) { return storageAccountKey(f, account) }}
}

// ShowOptions are `container show`'s arguments, resolved to targets.
type ShowOptions struct {
	deps
	Targets []target
}

func newShow(f *cmdutil.Factory, runF func(*ShowOptions) error) *cobra.Command {
	tv := newTarget()
	t := &tv
	o := &ShowOptions{deps: depsOf(f)}
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Get the details of a container group.",
		RunE: func(cmd *cobra.Command, args []string) error {
			ts, err := t.Targets(f)
			if err != nil {
				return err
			}
			o.Targets = ts
			if runF != nil {
				return runF(o)
			}
			return showRun(o)
		},
	}
	t.IDFlags(cmd)
	return cmd
}

// showRun prints each group; one as an object, several (--ids) as a list.
func showRun(o *ShowOptions) error {
	svc, err := o.Service()
	if err != nil {
		return err
	}
	var out []any
	for _, tt := range o.Targets {
		raw, err := svc.Get(o.f.Context(), tt.Group, tt.Name)
		if err != nil {
			return err
		}
		out = append(out, Shape(raw))
	}
	if len(out) == 1 {
		return o.f.Print(out[0], printOpts)
	}
	return o.f.Print(out, printOpts)
}

// ListOptions are `container list`'s arguments.
type ListOptions struct {
	deps
	Group              string
	Details, NoDetails bool
}

func newList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	o := &ListOptions{deps: depsOf(f)}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List container groups.",
		Long: "List container groups. ARM's list answers carry no instance view, so az shows 'Succeeded' for a\n" +
			"running group; on a terminal with -o table (or with --details) aci reads each group's live state.\n" +
			"Piped and machine-readable output stays exactly az's unless --details is given.",
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("resource-group") {
				f.Default(&o.Group, "group")
			}
			if runF != nil {
				return runF(o)
			}
			return listRun(o)
		},
	}
	cmd.Flags().StringVarP(&o.Group, "resource-group", "g", "", "Name of resource group (all of the subscription's when omitted).")
	cmd.Flags().BoolVar(&o.Details, "details", false, "Read every group's live state (instance view).")
	cmd.Flags().BoolVar(&o.NoDetails, "no-details", false, "Never read instance views, even on a terminal.")
	return cmd
}

// listRun lists groups, reading live states where they will be seen.
func listRun(o *ListOptions) error {
	f := o.f
	svc, err := o.Service()
	if err != nil {
		return err
	}
	list, err := svc.List(f.Context(), o.Group)
	if err != nil {
		return err
	}
	if o.Details || (!o.NoDetails && f.IO.StdoutTTY && f.Globals.Output == "table" && f.Globals.Query == "") {
		fillInstanceViews(f, svc, list)
	}
	return f.Print(Shape(list), printOpts)
}

// fillInstanceViews replaces list items lacking an instance view by a GET of the
// group, eight at a time.
func fillInstanceViews(f *cmdutil.Factory, svc Service, list []any) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, it := range list {
		m, _ := it.(map[string]any)
		if dig(m, "properties", "instanceView") != nil {
			continue
		}
		id, _ := m["id"].(string)
		rg, name := groupAndName(id)
		if rg == "" {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			if g, err := svc.Get(f.Context(), rg, name); err == nil {
				list[i] = g
			}
		}(i)
	}
	wg.Wait()
}

func groupAndName(id string) (string, string) {
	var parts []string
	start := 0
	for i := 0; i <= len(id); i++ {
		if i == len(id) || id[i] == '/' {
			if i > start {
				parts = append(parts, id[start:i])
			}
			start = i + 1
		}
	}
	if len(parts) < 8 {
		return "", ""
	}
	return parts[3], parts[7]
}

// DeleteOptions are `container delete`'s arguments, resolved to targets.
type DeleteOptions struct {
	deps
	Targets []target
}

func newDelete(f *cmdutil.Factory, runF func(*DeleteOptions) error) *cobra.Command {
	tv := newTarget()
	t := &tv
	var yes bool
	o := &DeleteOptions{deps: depsOf(f)}
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete a container group.",
		RunE: func(cmd *cobra.Command, args []string) error {
			ts, err := t.Targets(f)
			if err != nil {
				return err
			}
			if err := f.Confirm(yes); err != nil {
				return err
			}
			o.Targets = ts
			if runF != nil {
				return runF(o)
			}
			return deleteRun(o)
		},
	}
	t.IDFlags(cmd)
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "Do not prompt for confirmation.")
	return cmd
}

// deleteRun deletes each group and prints what ARM returned for it.
func deleteRun(o *DeleteOptions) error {
	f := o.f
	svc, err := o.Service()
	if err != nil {
		return err
	}
	sp := f.StartSpinner("Running")
	var out []any
	for _, tt := range o.Targets {
		raw, err := svc.Delete(f.Context(), tt.Group, tt.Name, nil)
		if err != nil {
			sp.Stop()
			return err
		}
		if raw != nil {
			out = append(out, Shape(raw))
		}
	}
	sp.Stop()
	// az registers no table transformer for delete: the default table applies.
	po := cmdutil.PrintOptions{FloatKeys: printOpts.FloatKeys}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return f.Print(out[0], po)
	}
	return f.Print(out, po)
}

// ActionOptions are the arguments of restart, start and stop.
type ActionOptions struct {
	deps
	Targets []target
	NoWait  bool
	// Act is the action on one group.
	Act func(ctx context.Context, svc Service, t target, wait bool) error
}

func newAction(f *cmdutil.Factory, runF func(*ActionOptions) error, use, short string, noWait bool, act func(ctx context.Context, svc Service, t target, wait bool) error) *cobra.Command {
	tv := newTarget()
	t := &tv
	o := &ActionOptions{deps: depsOf(f), Act: act}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		RunE: func(cmd *cobra.Command, args []string) error {
			ts, err := t.Targets(f)
			if err != nil {
				return err
			}
			o.Targets = ts
			if runF != nil {
				return runF(o)
			}
			return actionRun(o)
		},
	}
	t.IDFlags(cmd)
	if noWait {
		cmd.Flags().BoolVar(&o.NoWait, "no-wait", false, "Do not wait for the long-running operation to finish.")
	}
	return cmd
}

func actionRun(o *ActionOptions) error {
	svc, err := o.Service()
	if err != nil {
		return err
	}
	sp := o.f.StartSpinner("Running")
	defer sp.Stop()
	for _, t := range o.Targets {
		if err := o.Act(o.f.Context(), svc, t, !o.NoWait); err != nil {
			return err
		}
	}
	return nil
}

func newRestart(f *cmdutil.Factory, runF func(*ActionOptions) error) *cobra.Command {
	return newAction(f, runF, "restart", "Restart all containers in a container group.", true, func(ctx context.Context, svc Service, t target, wait bool) error {
		return svc.Restart(ctx, t.Group, t.Name, wait, nil)
	})
}

func newStart(f *cmdutil.Factory, runF func(*ActionOptions) error) *cobra.Command {
	return newAction(f, runF, "start", "Start all containers in a container group.", true, func(ctx context.Context, svc Service, t target, wait bool) error {
		return svc.Start(ctx, t.Group, t.Name, wait, nil)
	})
}

func newStop(f *cmdutil.Factory, runF func(*ActionOptions) error) *cobra.Command {
	return newAction(f, runF, "stop", "Stop all containers in a container group.", false, func(ctx context.Context, svc Service, t target, _ bool) error {
		return svc.Stop(ctx, t.Group, t.Name)
	})
}

// WaitOptions are `container wait`'s arguments (aci's addition).
type WaitOptions struct {
	deps
	target
	Condition, Container string
	Interval             cmdutil.Seconds
	Timeout              cmdutil.Seconds
	ExitCode             bool
}

func newWait(f *cmdutil.Factory, runF func(*WaitOptions) error) *cobra.Command {
	o := &WaitOptions{deps: depsOf(f), target: newTarget()}
	cmd := &cobra.Command{
		Use:   "wait",
		Short: "Wait until a container group is running, or until it terminated (printing the container's exit code).",
		Long: "Wait for a container group. With --condition terminated (the default) aci returns when the\n" +
			"containers have terminated and prints the exit code on stdout, as 'docker wait' does, with a line\n" +
			"on stderr saying what happened. The exit status is the command's own: 0 when the wait succeeded,\n" +
			"3 when the group does not exist, 1 for a timeout or any other failure, so a script can tell a job\n" +
			"that failed from a wait that failed. With --exit-code the exit status is the container's instead.",
		Example: "  # Run a job and fail the pipeline when it fails.\n" +
			"  aci container create -g rg -n job --image myjob --restart-policy Never --no-wait\n" +
			"  code=$(aci container wait -g rg -n job) && [ \"$code\" = 0 ]\n\n" +
			"  # The same, with the job's exit code as the status.\n" +
			"  aci container wait -g rg -n job --exit-code",
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.target.Resolve(f, true); err != nil {
				return err
			}
			cond, err := cmdutil.Choice(cmd, "--condition", o.Condition, "terminated", "running", "succeeded", "deleted")
			if err != nil {
				return err
			}
			o.Condition = cond
			if runF != nil {
				return runF(o)
			}
			return waitRun(o)
		},
	}
	o.target.Flags(cmd)
	cmd.Flags().StringVar(&o.Condition, "condition", "terminated", "What to wait for: terminated, running, succeeded or deleted.")
	cmd.Flags().StringVar(&o.Container, "container-name", "", "The container whose exit code to report (default: the only, or the first failing one).")
	cmd.Flags().BoolVar(&o.ExitCode, "exit-code", false, "Exit with the container's exit code instead of 0 (it may then look like aci's own 1 or 3).")
	cmdutil.SecondsVar(cmd, &o.Interval, "interval", 2*time.Second, "Polling interval in seconds (or a duration: 500ms).")
	cmdutil.SecondsVar(cmd, &o.Timeout, "timeout", time.Hour, "Maximum wait in seconds (or a duration: 90s, 5m).")
	return cmd
}

// waitRun polls until the condition holds; a terminated group's exit code
// is printed, and with --exit-code becomes the command's.
func waitRun(o *WaitOptions) error {
	f := o.f
	svc, err := o.Service()
	if err != nil {
		return err
	}
	sp := f.StartSpinner("Waiting")
	var end *waitEnd
	err = cmdutil.Poll(f.Context(), o.Interval.D(), o.Timeout.D(), func(ctx context.Context) (bool, error) {
		g, err := svc.Get(ctx, o.Group, o.Name)
		done, t, err := waitCheck(o.Condition, o.Container, g, err)
		end = t
		return done, err
	})
	sp.Stop()
	if errors.Is(err, cmdutil.ErrWaitTimeout) {
		return cmdutil.Fail("Timed out after %s waiting for container group '%s' to be %s.", o.Timeout.D(), o.Name, o.Condition)
	}
	if err != nil || end == nil {
		return err
	}
	if !f.Globals.OnlyShowErrors || end.code != 0 {
		fmt.Fprintf(f.IO.ErrOut, "container '%s' terminated with exit code %d\n", end.container, end.code)
	}
	if err := f.Print(end.code, cmdutil.PrintOptions{}); err != nil {
		return err
	}
	if o.ExitCode && end.code != 0 {
		return cmdutil.SilentExit(end.code)
	}
	return nil
}

// waitEnd is how a waited-for group ended: the container reported and its code.
type waitEnd struct {
	container string
	code      int
}

// waitCheck decides one poll; a terminated group ends with the reported
// container's exit code.
func waitCheck(cond, container string, g arm.Raw, err error) (bool, *waitEnd, error) {
	if err != nil {
		if ae, ok := err.(*arm.Error); ok && ae.NotFound() && cond == "deleted" {
			return true, nil, nil
		}
		return false, nil, err
	}
	if cond == "deleted" {
		return false, nil, nil
	}
	state, _ := dig(g, "properties", "instanceView", "state").(string)
	prov, _ := dig(g, "properties", "provisioningState").(string)
	if prov == "Failed" || state == "Failed" && cond != "terminated" {
		return true, nil, cmdutil.Fail("Container group '%s' failed: %s", g["name"], lastEvent(g))
	}
	cs := asList(dig(g, "properties", "containers"))
	allTerminated, allRunning := len(cs) > 0, len(cs) > 0
	end := &waitEnd{}
	for i, c := range cs {
		cm := c.(map[string]any)
		st, _ := dig(cm, "properties", "instanceView", "currentState", "state").(string)
		allTerminated = allTerminated && st == "Terminated"
		allRunning = allRunning && st == "Running"
		code := int(num(dig(cm, "properties", "instanceView", "currentState", "exitCode")))
		name, _ := cm["name"].(string)
		if i == 0 && container == "" || container == "" && code != 0 && end.code == 0 || name == container {
			end.container, end.code = name, code
		}
	}
	switch cond {
	case "running":
		return state == "Running" && allRunning, nil, nil
	case "succeeded":
		return prov == "Succeeded", nil, nil
	}
	if allTerminated || state == "Succeeded" || state == "Failed" || state == "Stopped" {
		return true, end, nil
	}
	return false, nil, nil
}

func lastEvent(g arm.Raw) string {
	var msg string
	for _, c := range asList(dig(g, "properties", "containers")) {
		for _, e := range asList(dig(c.(map[string]any), "properties", "instanceView", "events")) {
			if m, _ := e.(map[string]any)["message"].(string); m != "" {
				msg = m
			}
		}
	}
	if msg == "" {
		for _, e := range asList(dig(g, "properties", "instanceView", "events")) {
			if m, _ := e.(map[string]any)["message"].(string); m != "" {
				msg = m
			}
		}
	}
	return msg
}
