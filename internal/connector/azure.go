package connector

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net/url"

	aci "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerinstance/armcontainerinstance/v2"
	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/shlex"
)

// ARMGroups is Groups on ARM: the container groups of one resource group,
// through aci's ARM client (its login chain, clouds, retries and errors).
type ARMGroups struct {
	CG            *arm.ContainerGroups
	ResourceGroup string
	// TLS gives the TLS configuration for an exec websocket's host.
	TLS func(host string) (*tls.Config, error)
	// PlainExec asks for a session without a terminal when the caller has
	// none (aci local honours a 0x0 size; Azure always gives a terminal).
	PlainExec bool
}

// Put creates or updates a group and waits for ARM's long-running operation.
func (a *ARMGroups) Put(ctx context.Context, name string, g *aci.ContainerGroup) (*aci.ContainerGroup, error) {
	raw, err := a.CG.CreateOrUpdate(ctx, a.ResourceGroup, name, "", g, true, nil)
	if err != nil {
		return nil, a.mapErr(err)
	}
	if raw == nil {
		return a.Get(ctx, name)
	}
	return decodeGroup(raw)
}

// Get reads a group with its instance view.
func (a *ARMGroups) Get(ctx context.Context, name string) (*aci.ContainerGroup, error) {
	raw, err := a.CG.Get(ctx, a.ResourceGroup, name)
	if err != nil {
		return nil, a.mapErr(err)
	}
	return decodeGroup(raw)
}

// List lists the resource group's container groups.
func (a *ARMGroups) List(ctx context.Context) ([]*aci.ContainerGroup, error) {
	items, err := a.CG.List(ctx, a.ResourceGroup)
	if err != nil {
		return nil, a.mapErr(err)
	}
	out := make([]*aci.ContainerGroup, 0, len(items))
	for _, it := range items {
		g, err := decodeGroupAny(it)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

// Delete deletes a group and waits until it is gone.
func (a *ARMGroups) Delete(ctx context.Context, name string) error {
	_, err := a.CG.Delete(ctx, a.ResourceGroup, name, nil)
	return a.mapErr(err)
}

// Logs is a container's log (tail 0: all of it).
func (a *ARMGroups) Logs(ctx context.Context, name, container string, tail int, timestamps bool) (string, error) {
	s, err := a.CG.Logs(ctx, a.ResourceGroup, name, container, int32(tail), timestamps)
	return s, a.mapErr(err)
}

// Exec runs argv in a container through ACI's exec websocket.
func (a *ARMGroups) Exec(ctx context.Context, name, container string, argv []string, tty bool, s arm.ExecStreams) (arm.ExecEnd, error) {
	rows, cols := int32(24), int32(80)
	if !tty && a.PlainExec {
		rows, cols = 0, 0
	}
	uri, pw, err := a.CG.Exec(ctx, a.ResourceGroup, name, container, shlex.Join(argv), rows, cols)
	if err != nil {
		return arm.ExecEnd{}, a.mapErr(err)
	}
	u, err := url.Parse(uri)
	if err != nil {
		return arm.ExecEnd{}, err
	}
	cfg, err := a.TLS(u.Hostname())
	if err != nil {
		return arm.ExecEnd{}, err
	}
	return arm.RelayExec(ctx, uri, pw, cfg, s)
}

func (a *ARMGroups) mapErr(err error) error {
	var ae *arm.Error
	// ACI answers ContainerGroupNotFound (ARM's ResourceNotFound elsewhere);
	// a missing resource group is the connector's configuration, not a pod's.
	if errors.As(err, &ae) && ae.NotFound() && ae.Code != "ResourceGroupNotFound" {
		return ErrGroupNotFound
	}
	return err
}

func decodeGroup(raw arm.Raw) (*aci.ContainerGroup, error) {
	b, err := json.Marshal(raw)
	if err != nil {
		return nil, err
	}
	var g aci.ContainerGroup
	if err := json.Unmarshal(b, &g); err != nil {
		return nil, err
	}
	return &g, nil
}

func decodeGroupAny(v any) (*aci.ContainerGroup, error) {
	m, _ := v.(map[string]any)
	return decodeGroup(m)
}
