package container

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/spf13/cobra"
)

type logsOptions struct {
	deps
	target
	Container  string
	Follow     bool
	Tail       int32
	Timestamps bool
}

func newLogs(f *cmdutil.Factory, runF func(*logsOptions) error) *cobra.Command {
	o := &logsOptions{deps: depsOf(f), target: newTarget()}
	cmd := &cobra.Command{
		Use:   "logs",
		Short: "Examine the logs for a container in a container group.",
		Long: "Print a container's logs. With --follow, aci polls the logs and prints only lines it has not\n" +
			"printed yet (az reprints everything every 2 s), and exits 0 once the container terminated.",
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			return logsRun(o)
		},
	}
	o.target.Flags(cmd)
	cmd.Flags().StringVar(&o.Container, "container-name", "", "The container name to tail the logs. If omitted, the first container in the container group will be chosen.")
	cmd.Flags().BoolVar(&o.Follow, "follow", false, "Indicate to stream the tailing logs.")
	cmd.Flags().Int32Var(&o.Tail, "tail", 0, "Only the last N lines (0: all).")
	cmd.Flags().BoolVar(&o.Timestamps, "timestamps", false, "Prefix every line with its timestamp.")
	return cmd
}

// logsRun prints the container's logs once, or follows them.
func logsRun(o *logsOptions) error {
	f := o.f
	svc, g, c, err := containerOf(f, o.Service, &o.target, o.Container)
	if err != nil {
		return err
	}
	if !o.Follow {
		text, err := svc.Logs(f.Context(), o.Group, o.Name, c, o.Tail, o.Timestamps)
		if err != nil {
			return err
		}
		// az prints the content with print(): one more newline.
		fmt.Fprintln(f.IO.Out, text)
		return nil
	}
	return follow(f, svc, o, c, g)
}

// Follower turns successive full log snapshots into the lines not printed yet.
type Follower struct {
	printed []string
}

// Next returns the new lines of a snapshot. A snapshot that does not continue
// the previous one (a restarted container) starts over.
func (fw *Follower) Next(snapshot string) []string {
	lines := strings.Split(strings.TrimSuffix(snapshot, "\n"), "\n")
	if snapshot == "" {
		lines = nil
	}
	n := len(fw.printed)
	continues := len(lines) >= n
	for i := 0; continues && i < n; i++ {
		continues = lines[i] == fw.printed[i]
	}
	var fresh []string
	if continues {
		fresh = lines[n:]
	} else {
		// The log was reset or rotated: find where the old tail ends, if anywhere.
		fresh = lines
		if n > 0 {
			last := fw.printed[n-1]
			for i := len(lines) - 1; i >= 0; i-- {
				if lines[i] == last {
					fresh = lines[i+1:]
					break
				}
			}
		}
	}
	fw.printed = lines
	return fresh
}

func follow(f *cmdutil.Factory, svc Service, o *logsOptions, c string, g arm.Raw) error {
	fw := &Follower{}
	first := true
	for {
		tail := int32(0)
		if first {
			tail = o.Tail
		}
		text, err := svc.Logs(f.Context(), o.Group, o.Name, c, tail, o.Timestamps)
		var ae *arm.Error
		if errors.As(err, &ae) && ae.Code == "ContainerNotRunning" && !terminated(g, c) {
			// Not started yet (a create --no-wait a moment ago): wait for it.
			text, err = "", nil
		}
		if err != nil {
			return err
		}
		if first && o.Tail > 0 {
			// Later snapshots are full logs; remember the full one to de-duplicate.
			for _, l := range fw.Next(text) {
				fmt.Fprintln(f.IO.Out, l)
			}
			full, err := svc.Logs(f.Context(), o.Group, o.Name, c, 0, o.Timestamps)
			if err != nil {
				return err
			}
			fw.printed = strings.Split(strings.TrimSuffix(full, "\n"), "\n")
		} else {
			for _, l := range fw.Next(text) {
				fmt.Fprintln(f.IO.Out, l)
			}
		}
		first = false
		if terminated(g, c) {
			if code, ok := exitCode(g, c); ok && code != 0 {
				fmt.Fprintf(f.IO.ErrOut, "container '%s' terminated with exit code %d\n", c, code)
			}
			return nil
		}
		select {
		case <-f.Context().Done():
			return nil
		case <-time.After(f.FollowInterval()):
		}
		if g, err = svc.Get(f.Context(), o.Group, o.Name); err != nil {
			return err
		}
	}
}

// Terminated tells whether a container of a group has finished for good.
func Terminated(g arm.Raw, c string) bool { return terminated(g, c) }

// exitCode is a terminated container's exit code, from the instance view.
func exitCode(g arm.Raw, c string) (int, bool) {
	cs, _ := dig(g, "properties", "containers").([]any)
	for _, x := range cs {
		m, _ := x.(map[string]any)
		if m["name"] != c {
			continue
		}
		switch v := dig(m, "properties", "instanceView", "currentState", "exitCode").(type) {
		case float64:
			return int(v), true
		case int:
			return v, true
		}
	}
	return 0, false
}

// terminated is az's _is_container_terminated.
func terminated(g arm.Raw, c string) bool {
	state, _ := dig(g, "properties", "instanceView", "state").(string)
	if state == "Succeeded" || state == "Failed" || state == "Stopped" {
		return true
	}
	if p, _ := dig(g, "properties", "restartPolicy").(string); p == "Always" {
		return false
	}
	for _, ci := range asList(dig(g, "properties", "containers")) {
		cm := ci.(map[string]any)
		if cm["name"] == c {
			st, _ := dig(cm, "properties", "instanceView", "currentState", "state").(string)
			return st == "Terminated"
		}
	}
	return false
}

func newAttach(f *cmdutil.Factory, runF func(*logsOptions) error) *cobra.Command {
	o := &logsOptions{deps: depsOf(f), target: newTarget()}
	cmd := &cobra.Command{
		Use:   "attach",
		Short: "Attach local standard output and error streams to a container in a container group.",
		Long:  "Print the container's state changes and events until it runs, then its output as it comes. Ctrl-C detaches.",
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			return attachRun(o)
		},
	}
	o.target.Flags(cmd)
	cmd.Flags().StringVar(&o.Container, "container-name", "", "The container to attach to. If omitted, the first container in the container group will be chosen.")
	return cmd
}

// attachRun prints the container's state changes and new events until it
// runs (or has ended), then follows its logs.
func attachRun(o *logsOptions) error {
	f := o.f
	svc, g, c, err := containerOf(f, o.Service, &o.target, o.Container)
	if err != nil {
		return err
	}
	lastState := ""
	seen := map[string]bool{}
	for {
		st, events := containerStateAndEvents(g, c)
		if st != lastState {
			fmt.Fprintf(f.IO.Out, "Container '%s' is in state '%s'...\n", c, st)
			lastState = st
		}
		for _, e := range events {
			if !seen[e] {
				seen[e] = true
				fmt.Fprintln(f.IO.Out, e)
			}
		}
		if st == "Running" || terminated(g, c) {
			break
		}
		select {
		case <-f.Context().Done():
			return nil
		case <-time.After(f.FollowInterval()):
		}
		if g, err = svc.Get(f.Context(), o.Group, o.Name); err != nil {
			return err
		}
	}
	fmt.Fprintln(f.IO.Out, "\nStart streaming logs:")
	return follow(f, svc, o, c, g)
}

func containerStateAndEvents(g arm.Raw, c string) (string, []string) {
	for _, ci := range asList(dig(g, "properties", "containers")) {
		cm := ci.(map[string]any)
		if cm["name"] != c {
			continue
		}
		st, _ := dig(cm, "properties", "instanceView", "currentState", "state").(string)
		if st == "" {
			st = "Unknown"
		}
		evs := asList(dig(cm, "properties", "instanceView", "events"))
		sort.SliceStable(evs, func(i, j int) bool {
			a, _ := evs[i].(map[string]any)["lastTimestamp"].(string)
			b, _ := evs[j].(map[string]any)["lastTimestamp"].(string)
			return a < b
		})
		var out []string
		for _, e := range evs {
			em := e.(map[string]any)
			out = append(out, fmt.Sprintf("(count: %v) (last timestamp: %v) %v", em["count"], em["lastTimestamp"], em["message"]))
		}
		return st, out
	}
	return "Unknown", nil
}
