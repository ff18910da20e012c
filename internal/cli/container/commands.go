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

func newShow(f *cmdutil.Factory) *cobra.Command {
	tv := newTarget()
	t := &tv
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Get the details of a container group.",
		RunE: func(cmd *cobra.Command, args []string) error {
			ts, err := t.Targets(f)
			if err != nil {
				return err
			}
			svc, err := service(f)
			if err != nil {
				return err
			}
			var out []any
			for _, tt := range ts {
				raw, err := svc.Get(f.Context(), tt.Group, tt.Name)
				if err != nil {
					return err
				}
				out = append(out, Shape(raw))
			}
			if len(out) == 1 {
				return f.Print(out[0], printOpts)
			}
			return f.Print(out, printOpts)
		},
	}
	t.IDFlags(cmd)
	return cmd
}

func newList(f *cmdutil.Factory) *cobra.Command {
	var rg string
	var details, noDetails bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List container groups.",
		Long: "List container groups. ARM's list answers carry no instance view, so az shows 'Succeeded' for a\n" +
			"running group; on a terminal with -o table (or with --details) aci reads each group's live state.\n" +
			"Piped and machine-readable output stays exactly az's unless --details is given.",
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("resource-group") {
				f.Default(&rg, "group")
			}
			svc, err := service(f)
			if err != nil {
				return err
			}
			list, err := svc.List(f.Context(), rg)
			if err != nil {
				return err
			}
			if details || (!noDetails && f.IO.StdoutTTY && f.Globals.Output == "table" && f.Globals.Query == "") {
				fillInstanceViews(f, svc, list)
			}
			return f.Print(Shape(list), printOpts)
		},
	}
	cmd.Flags().StringVarP(&rg, "resource-group", "g", "", "Name of resource group (all of the subscription's when omitted).")
	cmd.Flags().BoolVar(&details, "details", false, "Read every group's live state (instance view).")
	cmd.Flags().BoolVar(&noDetails, "no-details", false, "Never read instance views, even on a terminal.")
	return cmd
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

func newDelete(f *cmdutil.Factory) *cobra.Command {
	tv := newTarget()
	t := &tv
	var yes bool
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
			svc, err := service(f)
			if err != nil {
				return err
			}
			sp := f.StartSpinner("Running")
			var out []any
			for _, tt := range ts {
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
		},
	}
	t.IDFlags(cmd)
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "Do not prompt for confirmation.")
	return cmd
}

func newAction(f *cmdutil.Factory, use, short string, noWait bool, run func(svc Service, t *target, wait bool) error) *cobra.Command {
	tv := newTarget()
	t := &tv
	var nw bool
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		RunE: func(cmd *cobra.Command, args []string) error {
			ts, err := t.Targets(f)
			if err != nil {
				return err
			}
			svc, err := service(f)
			if err != nil {
				return err
			}
			sp := f.StartSpinner("Running")
			defer sp.Stop()
			for i := range ts {
				if err := run(svc, &ts[i], !nw); err != nil {
					return err
				}
			}
			return nil
		},
	}
	t.IDFlags(cmd)
	if noWait {
		cmd.Flags().BoolVar(&nw, "no-wait", false, "Do not wait for the long-running operation to finish.")
	}
	return cmd
}

func newRestart(f *cmdutil.Factory) *cobra.Command {
	return newAction(f, "restart", "Restart all containers in a container group.", true, func(svc Service, t *target, wait bool) error {
		return svc.Restart(f.Context(), t.Group, t.Name, wait, nil)
	})
}

func newStart(f *cmdutil.Factory) *cobra.Command {
	return newAction(f, "start", "Start all containers in a container group.", true, func(svc Service, t *target, wait bool) error {
		return svc.Start(f.Context(), t.Group, t.Name, wait, nil)
	})
}

func newStop(f *cmdutil.Factory) *cobra.Command {
	return newAction(f, "stop", "Stop all containers in a container group.", false, func(svc Service, t *target, _ bool) error {
		return svc.Stop(f.Context(), t.Group, t.Name)
	})
}

// WaitOptions are `container wait`'s arguments (aci's addition).
type WaitOptions struct {
	target
	Condition, Container string
	Interval             cmdutil.Seconds
	Timeout              cmdutil.Seconds
	ExitCode             bool
}

func newWait(f *cmdutil.Factory) *cobra.Command {
	o := &WaitOptions{target: newTarget()}
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
			svc, err := service(f)
			if err != nil {
				return err
			}
			sp := f.StartSpinner("Waiting")
			var end *waitEnd
			err = cmdutil.Poll(f.Context(), o.Interval.D(), o.Timeout.D(), func(ctx context.Context) (bool, error) {
				g, err := svc.Get(ctx, o.Group, o.Name)
				done, t, err := waitCheck(cond, o.Container, g, err)
				end = t
				return done, err
			})
			sp.Stop()
			if errors.Is(err, cmdutil.ErrWaitTimeout) {
				return cmdutil.Fail("Timed out after %s waiting for container group '%s' to be %s.", o.Timeout.D(), o.Name, cond)
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
