// Package container implements `aci container`: container groups, as
// `az container`, plus what its users ask for (wait for a run-once group and get
// its exit code, logs --follow without repeats, exec with arguments and pipes).
package container

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/azshape"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/output"
	"github.com/spf13/cobra"
)

// Service is what the container commands need from ARM.
type Service interface {
	CreateOrUpdate(ctx context.Context, rg, name, apiVersion string, body any, wait bool, tick arm.Progress) (arm.Raw, error)
	Get(ctx context.Context, rg, name string) (arm.Raw, error)
	List(ctx context.Context, rg string) ([]any, error)
	Delete(ctx context.Context, rg, name string, tick arm.Progress) (arm.Raw, error)
	Restart(ctx context.Context, rg, name string, wait bool, tick arm.Progress) error
	Start(ctx context.Context, rg, name string, wait bool, tick arm.Progress) error
	Stop(ctx context.Context, rg, name string) error
	Logs(ctx context.Context, rg, name, container string, tail int32, timestamps bool) (string, error)
	Exec(ctx context.Context, rg, name, container, command string, rows, cols int32) (string, string, error)
}

func service(f *cmdutil.Factory) (Service, error) {
	c, err := f.ARM()
	if err != nil {
		return nil, err
	}
	return c.ContainerGroups()
}

// NewCmd builds `aci container`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.GroupCommand(&cobra.Command{Use: "container", Short: "Manage Azure Container Instances."})
	cmd.AddCommand(newCreate(f, nil), newShow(f, nil), newList(f, nil), newDelete(f, nil), newLogs(f, nil), newExec(f, nil), newAttach(f, nil),
		newRestart(f, nil), newStart(f, nil), newStop(f, nil), newExport(f, nil), newWait(f, nil))
	return cmd
}

// Shape is a container group as az prints it.
func Shape(raw any) any { return azshape.Shape(raw, azshape.ContainerGroup) }

var printOpts = cmdutil.PrintOptions{Table: Table, FloatKeys: azshape.ContainerFloats}

// Table is az's transform_container_group(_list), with two fixes az users ask
// for: images in a stable order, and CPU/memory summed over all containers.
func Table(v any) (any, error) {
	if l, ok := v.([]any); ok {
		rows := []any{}
		for _, g := range l {
			rows = append(rows, row(g.(map[string]any)))
		}
		return rows, nil
	}
	return row(v.(map[string]any)), nil
}

func row(g map[string]any) *output.OrderedMap {
	// A group shaped from an answer without an id has no resourceGroup: an
	// empty cell, never a crash.
	rg := g["resourceGroup"]
	status := g["provisioningState"]
	if iv, ok := g["instanceView"].(map[string]any); ok && iv["state"] != nil && iv["state"] != "" {
		status = iv["state"]
	}
	containers, _ := g["containers"].([]any)
	var image, cpumem any
	if len(containers) > 0 {
		seen := map[string]bool{}
		var imgs []string
		cpu, mem := 0.0, 0.0
		for _, c := range containers {
			cm := c.(map[string]any)
			if s, ok := cm["image"].(string); ok && !seen[s] {
				seen[s] = true
				imgs = append(imgs, s)
			}
			if req, ok := dig(cm, "resources", "requests").(map[string]any); ok {
				cpu += num(req["cpu"])
				mem += num(req["memoryInGb"])
			}
		}
		sort.Strings(imgs)
		image = strings.Join(imgs, ",")
		cpumem = fmt.Sprintf("%s core/%s gb", pyFloat(cpu), pyFloat(mem))
	}
	var ipPorts, network any
	if ip, ok := g["ipAddress"].(map[string]any); ok && len(ip) > 0 {
		var ports []string
		collect := func(l any) {
			for _, p := range asList(l) {
				ports = append(ports, strconv.FormatFloat(num(p.(map[string]any)["port"]), 'f', -1, 64))
			}
		}
		collect(ip["ports"])
		if ip["type"] == "Private" {
			for _, c := range containers {
				collect(c.(map[string]any)["ports"])
			}
		}
		addr := "None"
		if s, ok := ip["ip"].(string); ok {
			addr = s
		}
		ipPorts = addr + ":" + strings.Join(ports, ",")
		network = ip["type"]
	}
	return output.NewOrderedMap("Name", g["name"], "ResourceGroup", rg, "Status", status, "Image", image,
		"IP:ports", ipPorts, "Network", network, "CPU/Memory", cpumem, "OsType", g["osType"], "Location", g["location"])
}

func dig(m map[string]any, keys ...string) any {
	var cur any = m
	for _, k := range keys {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[k]
	}
	return cur
}

func asList(v any) []any { l, _ := v.([]any); return l }

func num(v any) float64 { f, _ := v.(float64); return f }

// pyFloat prints a float as Python's str() does.
func pyFloat(f float64) string {
	s := fmt.Sprintf("%g", f)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// target is the container group a verb acts on (see cmdutil.Target).
type target = cmdutil.Target

// newTarget is a target of container groups.
func newTarget() target {
	return target{Type: "Microsoft.ContainerInstance/containerGroups", NameHelp: "The name of the container group."}
}

// containerName picks the container of a group: the named one, or the only one.
func containerName(g arm.Raw, name string) (string, error) {
	cs := asList(dig(g, "properties", "containers"))
	if name != "" {
		for _, c := range cs {
			if n, _ := c.(map[string]any)["name"].(string); n == name {
				return name, nil
			}
		}
		return "", cmdutil.Fail("Found 0 or more than 1 container with name '%s'", name)
	}
	if len(cs) != 1 {
		return "", cmdutil.Fail("--container-name required when container group has more than one container.")
	}
	n, _ := cs[0].(map[string]any)["name"].(string)
	return n, nil
}

// containerOf reads a group and picks one of its containers (the named
// one, or the only one).
func containerOf(f *cmdutil.Factory, service func() (Service, error), t *target, container string) (Service, arm.Raw, string, error) {
	if err := t.Resolve(f, true); err != nil {
		return nil, nil, "", err
	}
	svc, err := service()
	if err != nil {
		return nil, nil, "", err
	}
	g, err := svc.Get(f.Context(), t.Group, t.Name)
	if err != nil {
		return nil, nil, "", err
	}
	c, err := containerName(g, container)
	return svc, g, c, err
}
