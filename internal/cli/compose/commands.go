package compose

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/cli/container"
	"github.com/aci-cli/aci/internal/compose/model"
	"github.com/aci-cli/aci/internal/output"
	"github.com/fatih/color"
	"github.com/spf13/cobra"
)

type upOptions struct {
	location                 string
	noWait, dryRun, allowUns bool
}

func newUp(f *cmdutil.Factory, d *Deps, p *projectFlags) *cobra.Command {
	o := &upOptions{}
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Create or update the project's container group (and the storage its named volumes need).",
		Long: "Creates the container group of the project, or updates it in place where ACI allows it and recreates it\n" +
			"where not (a different OS, restart policy, address type, container set, volumes or resources), saying\n" +
			"which. Named volumes become Azure file shares: the storage account (x-aci-storage-account, or one\n" +
			"derived from the project) and the shares are created when missing.",
		Example: "  aci compose up -g demo\n  aci compose -f model.yaml -f model.prod.yaml -p shop up -g demo -l westeurope\n  aci compose up -g demo --dry-run -o yaml",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runUp(f, d, p, o)
		},
	}
	cmd.Flags().StringVarP(&o.location, "location", "l", "", "Location (default: the resource group's).")
	cmd.Flags().BoolVar(&o.noWait, "no-wait", false, "Do not wait for the container group to be running.")
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "Print the container group that would be deployed and change nothing.")
	cmd.Flags().BoolVar(&o.allowUns, "allow-unsupported", false, "Ignore, with a warning, Compose keys ACI cannot honour instead of refusing the file.")
	return cmd
}

func runUp(f *cmdutil.Factory, d *Deps, p *projectFlags, o *upOptions) error {
	rg, err := p.resourceGroup(f)
	if err != nil {
		return err
	}
	res, err := p.project(f, d, o.location, o.allowUns)
	if err != nil {
		return err
	}
	if !o.dryRun {
		if err := fillCredentials(f, d, res); err != nil {
			return err
		}
	}
	if o.dryRun {
		body, err := res.Group.Body()
		if err != nil {
			return err
		}
		return f.Print(body, cmdutil.PrintOptions{FloatKeys: floatKeys})
	}
	if res.Group.Location == "" {
		if res.Group.Location, err = container.GroupLocation(f, rg); err != nil {
			return err
		}
	}
	if err := ensureStorage(f, d, rg, res.Project, res); err != nil {
		return err
	}
	svc, err := d.Groups()
	if err != nil {
		return err
	}
	name := res.Group.Name
	body, err := res.Group.Body()
	if err != nil {
		return err
	}
	existing, err := svc.Get(f.Context(), rg, name)
	switch {
	case err == nil:
		tags, _ := existing["tags"].(map[string]any)
		if tags[model.ProjectTag] != res.Project {
			return cmdutil.Fail("The container group '%s' exists and is not project '%s''s; choose another project name with -p.", name, res.Project)
		}
		if why := recreateReasons(existing, body); len(why) > 0 {
			say(f, "Recreating container group %s: ACI cannot change %s in place", name, strings.Join(why, ", "))
			if _, err := svc.Delete(f.Context(), rg, name, nil); err != nil {
				return err
			}
		} else {
			say(f, "Updating container group %s in place", name)
		}
	case notFound(err):
		say(f, "Creating container group %s", name)
	default:
		return err
	}
	sp := f.StartSpinner("Running")
	g, err := svc.CreateOrUpdate(f.Context(), rg, name, model.APIVersion, body, !o.noWait, nil)
	sp.Stop()
	if err != nil || o.noWait {
		return err
	}
	return f.Print(psRows(g), cmdutil.PrintOptions{Table: psTable})
}

var floatKeys = map[string]bool{"cpu": true, "memoryInGB": true}

// ensureStorage creates the accounts and shares named volumes need, when
// missing, and fills in the keys the group mounts them with.
func ensureStorage(f *cmdutil.Factory, d *Deps, rg, project string, res *model.Result) error {
	if len(res.Shares) == 0 {
		return nil
	}
	st, err := d.Storage()
	if err != nil {
		return err
	}
	ctx := f.Context()
	keys := map[string]string{}
	for _, s := range res.Shares {
		accountRG, err := st.FindGroup(ctx, s.Account)
		if err != nil {
			return err
		}
		if accountRG == "" {
			if s.External {
				return cmdutil.Fail("volume %q is external, but storage account '%s' does not exist.", s.Volume, s.Account)
			}
			say(f, "Creating storage account %s", s.Account)
			if _, err := st.Create(ctx, rg, s.Account, map[string]any{"location": res.Group.Location, "kind": "StorageV2",
				"sku": map[string]any{"name": "Standard_LRS"}, "tags": map[string]any{model.ProjectTag: project},
				"properties": map[string]any{"minimumTlsVersion": "TLS1_2", "supportsHttpsTrafficOnly": true}}, true, nil); err != nil {
				return err
			}
			accountRG = rg
		}
		if _, err := st.ShareGet(ctx, accountRG, s.Account, s.Name); notFound(err) {
			if s.External {
				return cmdutil.Fail("volume %q is external, but share '%s' does not exist in '%s'.", s.Volume, s.Name, s.Account)
			}
			say(f, "Creating file share %s/%s", s.Account, s.Name)
			if _, err := st.ShareCreate(ctx, accountRG, s.Account, s.Name, map[string]any{"properties": map[string]any{
				"metadata": map[string]any{model.ShareMetadataKey: project}}}); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		if _, ok := keys[s.Account]; !ok {
			k, err := st.Keys(ctx, accountRG, s.Account)
			if err != nil {
				return err
			}
			list, _ := k["keys"].([]any)
			if len(list) == 0 {
				return cmdutil.Fail("The storage account '%s' lists no keys.", s.Account)
			}
			keys[s.Account], _ = list[0].(map[string]any)["value"].(string)
		}
	}
	for i := range res.Group.Properties.Volumes {
		if af := res.Group.Properties.Volumes[i].AzureFile; af != nil {
			af.StorageAccountKey = keys[af.StorageAccountName]
		}
	}
	return nil
}

// recreateReasons lists what ACI cannot update in place between the
// deployed group and the new body.
func recreateReasons(old arm.Raw, body map[string]any) []string {
	op, _ := old["properties"].(map[string]any)
	np, _ := body["properties"].(map[string]any)
	var why []string
	if !strings.EqualFold(str(op["osType"]), str(np["osType"])) {
		why = append(why, "the OS type")
	}
	if !strings.EqualFold(str(op["restartPolicy"]), str(np["restartPolicy"])) {
		why = append(why, "the restart policy")
	}
	ipType := func(p map[string]any) string {
		ip, _ := p["ipAddress"].(map[string]any)
		return strings.ToLower(str(ip["type"]))
	}
	if ipType(op) != ipType(np) {
		why = append(why, "the address type")
	}
	type res struct{ cpu, mem, gpu float64 }
	containers := func(p map[string]any) map[string]res {
		m := map[string]res{}
		cs, _ := p["containers"].([]any)
		for _, c := range cs {
			cm, _ := c.(map[string]any)
			props, _ := cm["properties"].(map[string]any)
			r, _ := props["resources"].(map[string]any)
			req, _ := r["requests"].(map[string]any)
			mem := num(req["memoryInGB"])
			if mem == 0 {
				mem = num(req["memoryInGb"])
			}
			gpu, _ := req["gpu"].(map[string]any)
			m[str(cm["name"])] = res{num(req["cpu"]), mem, num(gpu["count"])}
		}
		return m
	}
	oc, nc := containers(op), containers(np)
	if len(oc) != len(nc) {
		why = append(why, "the set of containers")
	} else {
		for n, r := range nc {
			o, ok := oc[n]
			switch {
			case !ok:
				why = append(why, "the set of containers")
			case math.Abs(o.cpu-r.cpu) > 1e-9 || math.Abs(o.mem-r.mem) > 1e-9 || o.gpu != r.gpu:
				why = append(why, "the resources of "+n)
			default:
				continue
			}
			break
		}
	}
	vols := func(p map[string]any) string {
		vs, _ := p["volumes"].([]any)
		var names []string
		for _, v := range vs {
			vm, _ := v.(map[string]any)
			kind := "other"
			for _, k := range []string{"azureFile", "emptyDir", "secret", "gitRepo"} {
				if _, ok := vm[k]; ok {
					kind = k
				}
			}
			names = append(names, str(vm["name"])+":"+kind)
		}
		sort.Strings(names)
		return strings.Join(names, ",")
	}
	if vols(op) != vols(np) {
		why = append(why, "the volumes")
	}
	return why
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func num(v any) float64 {
	switch n := v.(type) {
	case float64:
		return n
	case int:
		return float64(n)
	}
	return 0
}

// runDown deletes the project's group (never another project's), and with
// volumes the storage up created.
func runDown(f *cmdutil.Factory, d *Deps, p *projectFlags, volumes bool) error {
	rg, res, svc, err := p.deployed(f, d)
	if err != nil {
		return err
	}
	name := res.Group.Name
	g, err := svc.Get(f.Context(), rg, name)
	switch {
	case notFound(err):
		say(f, "Container group %s does not exist", name)
	case err != nil:
		return err
	default:
		if tags, _ := g["tags"].(map[string]any); tags[model.ProjectTag] != res.Project {
			return cmdutil.Fail("The container group '%s' is not project '%s''s; it was left alone.", name, res.Project)
		}
		say(f, "Deleting container group %s", name)
		sp := f.StartSpinner("Deleting")
		_, err := svc.Delete(f.Context(), rg, name, nil)
		sp.Stop()
		if err != nil {
			return err
		}
	}
	if !volumes {
		return nil
	}
	return removeStorage(f, d, res)
}

func newDown(f *cmdutil.Factory, d *Deps, p *projectFlags) *cobra.Command {
	var volumes bool
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Delete the project's container group (with --volumes, also the shares and storage account up created).",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return runDown(f, d, p, volumes) },
	}
	cmd.Flags().BoolVarP(&volumes, "volumes", "v", false, "Also delete the file shares (and the storage account) up created for named volumes.")
	return cmd
}

// removeStorage deletes the shares up created (their metadata names the
// project) and then accounts it created that hold no other share.
func removeStorage(f *cmdutil.Factory, d *Deps, res *model.Result) error {
	if len(res.Shares) == 0 {
		return nil
	}
	st, err := d.Storage()
	if err != nil {
		return err
	}
	ctx := f.Context()
	accounts := map[string]string{}
	for _, s := range res.Shares {
		if s.External {
			continue
		}
		rg, err := st.FindGroup(ctx, s.Account)
		if err != nil {
			return err
		}
		if rg == "" {
			continue
		}
		accounts[s.Account] = rg
		sh, err := st.ShareGet(ctx, rg, s.Account, s.Name)
		if notFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		props, _ := sh["properties"].(map[string]any)
		md, _ := props["metadata"].(map[string]any)
		if md[model.ShareMetadataKey] != res.Project {
			f.Warn("share %s/%s was not created by this project; it was left alone", s.Account, s.Name)
			continue
		}
		say(f, "Deleting file share %s/%s", s.Account, s.Name)
		if err := st.ShareDelete(ctx, rg, s.Account, s.Name); err != nil {
			return err
		}
	}
	for _, acct := range slices.Sorted(maps.Keys(accounts)) {
		rg := accounts[acct]
		a, err := st.Get(ctx, rg, acct)
		if err != nil {
			return err
		}
		if tags, _ := a["tags"].(map[string]any); tags[model.ProjectTag] != res.Project {
			continue
		}
		left, err := st.ShareList(ctx, rg, acct)
		if err != nil {
			return err
		}
		if len(left) > 0 {
			f.Warn("storage account %s still holds %d share(s); it was left alone", acct, len(left))
			continue
		}
		say(f, "Deleting storage account %s", acct)
		if err := st.Delete(ctx, rg, acct); err != nil {
			return err
		}
	}
	return nil
}

func runPs(f *cmdutil.Factory, d *Deps, p *projectFlags) error {
	rg, res, svc, err := p.deployed(f, d)
	if err != nil {
		return err
	}
	g, err := svc.Get(f.Context(), rg, res.Group.Name)
	if notFound(err) {
		return f.Print([]any{}, cmdutil.PrintOptions{Table: psTable})
	}
	if err != nil {
		return err
	}
	return f.Print(psRows(g), cmdutil.PrintOptions{Table: psTable})
}

func newPs(f *cmdutil.Factory, d *Deps, p *projectFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "ps",
		Short: "List the project's containers: service, image, state, ports.",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return runPs(f, d, p) },
	}
}

// psRows are the group's containers as docker compose ps lists them.
func psRows(g arm.Raw) []any {
	props, _ := g["properties"].(map[string]any)
	ip, _ := props["ipAddress"].(map[string]any)
	addr := str(ip["ip"])
	public := map[string]bool{}
	if pl, ok := ip["ports"].([]any); ok {
		for _, x := range pl {
			pm, _ := x.(map[string]any)
			public[fmt.Sprintf("%v/%s", pm["port"], strings.ToLower(str(pm["protocol"])))] = true
		}
	}
	groupState := ""
	if iv, ok := props["instanceView"].(map[string]any); ok {
		groupState = str(iv["state"])
	}
	rows := []any{}
	cs, _ := props["containers"].([]any)
	for _, c := range cs {
		cm, _ := c.(map[string]any)
		cp, _ := cm["properties"].(map[string]any)
		state, restarts := groupState, 0.0
		exit := any(nil)
		if iv, ok := cp["instanceView"].(map[string]any); ok {
			cur, _ := iv["currentState"].(map[string]any)
			if s := str(cur["state"]); s != "" {
				state = s
			}
			if str(cur["state"]) == "Terminated" {
				exit = cur["exitCode"]
			}
			restarts = num(iv["restartCount"])
		}
		var ports []string
		if pl, ok := cp["ports"].([]any); ok {
			for _, x := range pl {
				pm, _ := x.(map[string]any)
				proto := strings.ToLower(str(pm["protocol"]))
				if proto == "" {
					proto = "tcp"
				}
				key := fmt.Sprintf("%v/%s", pm["port"], proto)
				if public[key] && addr != "" {
					ports = append(ports, fmt.Sprintf("%s:%v->%s", addr, pm["port"], key))
				} else {
					ports = append(ports, key)
				}
			}
		}
		rows = append(rows, map[string]any{"service": cm["name"], "image": cp["image"], "state": state,
			"ports": strings.Join(ports, ", "), "restartCount": restarts, "exitCode": exit})
	}
	return rows
}

// psTable orders ps's columns as docker compose does.
func psTable(v any) (any, error) {
	l, _ := v.([]any)
	rows := []any{}
	for _, r := range l {
		m, _ := r.(map[string]any)
		rows = append(rows, output.NewOrderedMap("Service", m["service"], "Image", m["image"], "State", m["state"],
			"Restarts", m["restartCount"], "Ports", m["ports"]))
	}
	return rows, nil
}

type logsOptions struct {
	follow, timestamps bool
	tail               int32
}

func newLogs(f *cmdutil.Factory, d *Deps, p *projectFlags) *cobra.Command {
	o := &logsOptions{}
	cmd := &cobra.Command{
		Use:   "logs [SERVICE...]",
		Short: "Show the services' logs, each line prefixed by its service and all in time order.",
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLogs(f, d, p, o, args)
		},
	}
	cmd.Flags().BoolVar(&o.follow, "follow", false, "Keep printing new lines until the containers end (or Ctrl-C).")
	cmd.Flags().BoolVarP(&o.timestamps, "timestamps", "t", false, "Show each line's timestamp.")
	cmd.Flags().Int32Var(&o.tail, "tail", 0, "Only the last N lines of each service (0: all).")
	return cmd
}

type logLine struct {
	at      time.Time
	service string
	ts      string
	text    string
	seq     int
}

func splitStamp(l string) (time.Time, string, string) {
	if i := strings.IndexByte(l, ' '); i > 0 {
		if t, err := time.Parse(time.RFC3339Nano, l[:i]); err == nil {
			return t, l[:i], l[i+1:]
		}
	}
	return time.Time{}, "", l
}

func runLogs(f *cmdutil.Factory, d *Deps, p *projectFlags, o *logsOptions, services []string) error {
	rg, res, svc, err := p.deployed(f, d)
	if err != nil {
		return err
	}
	name := res.Group.Name
	g, err := svc.Get(f.Context(), rg, name)
	if err != nil {
		return err
	}
	if services, err = chooseServices(g, services); err != nil {
		return err
	}
	lg := &logStreams{f: f, svc: svc, rg: rg, group: name, o: o, prefix: prefixes(f, services), followers: map[string]*container.Follower{}}
	for _, s := range services {
		lg.followers[s] = &container.Follower{}
	}
	for round := 0; ; round++ {
		batch, err := lg.collect(services, round)
		if err != nil {
			return err
		}
		lg.print(batch)
		if !o.follow {
			return nil
		}
		done := true
		for _, s := range services {
			done = done && container.Terminated(g, s)
		}
		if done {
			return nil
		}
		select {
		case <-f.Context().Done():
			return nil
		case <-time.After(f.FollowInterval()):
		}
		if g, err = svc.Get(f.Context(), rg, name); err != nil {
			return err
		}
	}
}

// chooseServices checks the services asked for against the group's
// containers; none asked for means all.
func chooseServices(g map[string]any, services []string) ([]string, error) {
	var all []string
	props, _ := g["properties"].(map[string]any)
	cs, _ := props["containers"].([]any)
	for _, c := range cs {
		all = append(all, str(c.(map[string]any)["name"]))
	}
	if len(services) == 0 {
		return all, nil
	}
	for _, s := range services {
		if !slices.Contains(all, s) {
			return nil, cmdutil.Fail("no such service: %s", s)
		}
	}
	return services, nil
}

// prefixes are docker compose's "name | " columns, coloured on a terminal.
func prefixes(f *cmdutil.Factory, services []string) map[string]string {
	width := 0
	for _, s := range services {
		width = max(width, len(s))
	}
	colorOn := f.IO.StdoutTTY && f.StderrColor()
	palette := []color.Attribute{color.FgCyan, color.FgYellow, color.FgGreen, color.FgMagenta, color.FgBlue, color.FgRed}
	prefix := map[string]string{}
	for i, s := range services {
		pfx := fmt.Sprintf("%-*s | ", width, s)
		if colorOn {
			c := color.New(palette[i%len(palette)])
			c.EnableColor()
			pfx = c.Sprint(pfx)
		}
		prefix[s] = pfx
	}
	return prefix
}

// logStreams follows several containers' logs as one, in time order.
type logStreams struct {
	f         *cmdutil.Factory
	svc       container.Service
	rg, group string
	o         *logsOptions
	prefix    map[string]string
	followers map[string]*container.Follower
	seq       int
}

// collect is every service's new lines since the last round, sorted by
// their timestamps (ties in arrival order).
func (lg *logStreams) collect(services []string, round int) ([]logLine, error) {
	var batch []logLine
	ctx := lg.f.Context()
	for _, s := range services {
		tail := int32(0)
		if round == 0 {
			tail = lg.o.tail
		}
		text, err := lg.svc.Logs(ctx, lg.rg, lg.group, s, tail, true)
		if err != nil {
			var ae *arm.Error
			if errorsAs(err, &ae) && ae.Code == "ContainerNotRunning" {
				continue // not started yet
			}
			return nil, err
		}
		lines := lg.followers[s].Next(text)
		if round == 0 && lg.o.tail > 0 && lg.o.follow {
			// Later snapshots are whole logs: remember this one whole.
			if full, err := lg.svc.Logs(ctx, lg.rg, lg.group, s, 0, true); err == nil {
				lg.followers[s] = &container.Follower{}
				lg.followers[s].Next(full)
			}
		}
		for _, l := range lines {
			at, ts, txt := splitStamp(l)
			lg.seq++
			batch = append(batch, logLine{at: at, service: s, ts: ts, text: txt, seq: lg.seq})
		}
	}
	sort.SliceStable(batch, func(i, j int) bool {
		if !batch[i].at.Equal(batch[j].at) {
			return batch[i].at.Before(batch[j].at)
		}
		return batch[i].seq < batch[j].seq
	})
	return batch, nil
}

func (lg *logStreams) print(batch []logLine) {
	for _, l := range batch {
		text := l.text
		if lg.o.timestamps && l.ts != "" {
			text = l.ts + " " + text
		}
		fmt.Fprintln(lg.f.IO.Out, lg.prefix[l.service]+text)
	}
}

func newExec(f *cmdutil.Factory, d *Deps, p *projectFlags) *cobra.Command {
	return &cobra.Command{
		Use:     "exec SERVICE -- COMMAND [ARG...]",
		Short:   "Run a command in a service's container.",
		Example: "  aci compose exec -g demo web -- ls /\n  aci compose exec -g demo web -- sh",
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			rg, res, svc, err := p.deployed(f, d)
			if err != nil {
				return err
			}
			found := false
			for _, c := range res.Group.Properties.Containers {
				found = found || c.Name == args[0]
			}
			if !found {
				return cmdutil.Fail("no such service: %s", args[0])
			}
			return container.ExecSession(f, svc, rg, res.Group.Name, args[0], container.QuoteArgs(args[1:]))
		},
	}
}

func runConfig(f *cmdutil.Factory, d *Deps, p *projectFlags, format string) error {
	if format != "yaml" && format != "json" {
		return cmdutil.UsageError("argument --format: invalid choice: '%s' (choose from 'yaml', 'json')", format)
	}
	resp, err := p.ask(f, d, model.Request{Op: "config", Format: format})
	if err != nil {
		return err
	}
	_, err = f.IO.Out.Write([]byte(resp.Config))
	return err
}

func newConfig(f *cmdutil.Factory, d *Deps, p *projectFlags) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Print the resolved project: files merged, variables interpolated, as docker compose config does.",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return runConfig(f, d, p, format) },
	}
	cmd.Flags().StringVar(&format, "format", "yaml", "yaml or json.")
	return cmd
}

// runConvert prints the project as a container-group YAML or a template.
func runConvert(f *cmdutil.Factory, d *Deps, p *projectFlags, format, location string, allow bool) error {
	res, err := p.project(f, d, location, allow)
	if err != nil {
		return err
	}
	if format == "template" {
		t, err := res.Template()
		if err != nil {
			return err
		}
		return f.Print(t, cmdutil.PrintOptions{FloatKeys: floatKeys})
	}
	b, err := res.Group.YAML()
	if err != nil {
		return err
	}
	_, err = f.IO.Out.Write(b)
	return err
}

func newConvert(f *cmdutil.Factory, d *Deps, p *projectFlags) *cobra.Command {
	var format, location string
	var allow bool
	cmd := &cobra.Command{
		Use:   "convert",
		Short: "Print the container group YAML `aci container create --file` takes, or an ARM template.",
		Long: "Prints the project as one container group: YAML for `aci container create -g RG --file FILE` (storage\n" +
			"account keys are left out: create looks them up), or with --format template an ARM template that also\n" +
			"creates the storage its named volumes need, for `aci deployment group create --template-file`.",
		Example: "  aci compose convert > group.yaml && aci container create -g demo --file group.yaml\n  aci compose convert --format template > azuredeploy.json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "yaml" && format != "template" {
				return cmdutil.UsageError("argument --format: invalid choice: '%s' (choose from 'yaml', 'template')", format)
			}
			return runConvert(f, d, p, format, location, allow)
		},
	}
	cmd.Flags().StringVar(&format, "format", "yaml", "yaml (a container group file) or template (an ARM template).")
	cmd.Flags().StringVarP(&location, "location", "l", "", "Location to write into the group (default: none; create uses the resource group's).")
	cmd.Flags().BoolVar(&allow, "allow-unsupported", false, "Ignore, with a warning, Compose keys ACI cannot honour instead of refusing the file.")
	return cmd
}
