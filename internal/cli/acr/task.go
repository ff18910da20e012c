package acr

import (
	"context"
	"fmt"
	"time"

	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/output"
	"github.com/spf13/cobra"
)

// runLister is what `acr task list-runs` and `task logs` read.
type runLister interface {
	Runs(ctx context.Context, rg, name string, top int) ([]any, error)
}

func newTask(f *cmdutil.Factory, d *Deps) *cobra.Command {
	cmd := cmdutil.GroupCommand(&cobra.Command{Use: "task", Short: "Manage a collection of steps for building, testing and OS & Framework patching container images (runs of acr build)."})
	cmd.AddCommand(newListRuns(f, d), newTaskLogs(f, d))
	return cmd
}

// listRunsRun lists the registry's runs, newest first, at most top.
func listRunsRun(f *cmdutil.Factory, d *Deps, o *target, top int) error {
	svc, err := o.resolve(f, d, false)
	if err != nil {
		return err
	}
	rl, ok := svc.(runLister)
	if !ok {
		return cmdutil.Fail("runs are not available")
	}
	runs, err := rl.Runs(f.Context(), o.Group, o.Name, top)
	if err != nil {
		return err
	}
	if top > 0 && len(runs) > top {
		runs = runs[:top]
	}
	return f.Print(runs, cmdutil.PrintOptions{Table: runTable})
}

func newListRuns(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &target{}
	var top int
	cmd := &cobra.Command{
		Use:     "list-runs",
		Short:   "List all of the executed runs for a registry, with filters.",
		Example: "  # List the last 5 runs of a registry as a table.\n  aci acr task list-runs -r myregistry --top 5 -o table",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, args []string) error { return listRunsRun(f, d, o, top) },
	}
	o.nameFlag = "--registry/-r"
	cmd.Flags().StringVarP(&o.Name, "registry", "r", "", "The name of the container registry. It should be specified in lower case.")
	cmd.Flags().StringVarP(&o.Group, "resource-group", "g", "", "Name of resource group.")
	cmd.Flags().IntVar(&top, "top", 15, "Limit the number of latest runs in the results.")
	return cmd
}

// runTable is az's run_output_format, for a list of runs or one run (acr
// build --no-wait and --no-logs print the run).
func runTable(v any) (any, error) {
	rows := []any{}
	items, _ := v.([]any)
	if one, ok := v.(map[string]any); ok {
		items = []any{one}
	}
	for _, it := range items {
		m, _ := it.(map[string]any)
		p, _ := m["properties"].(map[string]any)
		if p == nil {
			p = m
		}
		plat, _ := p["platform"].(map[string]any)
		started, duration := cell(nil), cell(nil)
		st, errS := time.Parse(time.RFC3339Nano, fmt.Sprint(p["startTime"]))
		if errS == nil {
			started = st.UTC().Format("2006-01-02T15:04:05Z")
			if fin, err := time.Parse(time.RFC3339Nano, fmt.Sprint(p["finishTime"])); err == nil {
				d := fin.Sub(st).Round(time.Second)
				duration = fmt.Sprintf("%02d:%02d:%02d", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
			}
		}
		trigger := "Manual" // a quick run is always started by hand
		rows = append(rows, output.NewOrderedMap("RUN ID", cell(p["runId"]), "TASK", cell(p["task"]), "PLATFORM", cell(plat["os"]),
			"STATUS", cell(p["status"]), "TRIGGER", trigger, "STARTED", started, "DURATION", duration))
	}
	return rows, nil
}

// taskLogsRun follows a run's log (the last run's without --run-id).
func taskLogsRun(f *cmdutil.Factory, d *Deps, o *target, runID string) error {
	svc, err := o.resolve(f, d, false)
	if err != nil {
		return err
	}
	b, ok := svc.(Builds)
	rl, ok2 := svc.(runLister)
	if !ok || !ok2 {
		return cmdutil.Fail("runs are not available")
	}
	if runID == "" {
		runs, err := rl.Runs(f.Context(), o.Group, o.Name, 1)
		if err != nil {
			return err
		}
		if len(runs) == 0 {
			return cmdutil.Fail("No runs found for registry '%s'.", o.Name)
		}
		m, _ := runs[0].(map[string]any)
		p, _ := m["properties"].(map[string]any)
		runID, _ = p["runId"].(string)
		f.Warn("Showing logs of the last created run.")
	}
	f.Warn("Run ID: %s", runID)
	logs, err := b.RunLogURL(f.Context(), o.Group, o.Name, runID)
	if err != nil {
		return err
	}
	link, _ := logs["logLink"].(string)
	if link == "" {
		return cmdutil.Fail("Could not get logs for ID: %s", runID)
	}
	_, err = d.FollowLog(f.Context(), link, f.IO.Out, f.FollowInterval())
	return err
}

func newTaskLogs(f *cmdutil.Factory, d *Deps) *cobra.Command {
	o := &target{}
	var runID string
	cmd := &cobra.Command{
		Use:     "logs",
		Short:   "Show logs for a particular run. If no run-id is supplied, show logs for the last created run.",
		Example: "  # Show the log of a run.\n  aci acr task logs -r myregistry --run-id ca1",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return taskLogsRun(f, d, o, runID)
		},
	}
	o.nameFlag = "--registry/-r"
	cmd.Flags().StringVarP(&o.Name, "registry", "r", "", "The name of the container registry. It should be specified in lower case.")
	cmd.Flags().StringVarP(&o.Group, "resource-group", "g", "", "Name of resource group.")
	cmd.Flags().StringVar(&runID, "run-id", "", "The unique run identifier.")
	return cmd
}
