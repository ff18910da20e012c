package arm

import (
	"context"
	"net/http"
	"net/url"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerinstance/armcontainerinstance/v2"
)

// ContainerAPIVersion is what armcontainerinstance v2.4.0 and az 2.62 send.
const ContainerAPIVersion = "2023-05-01"

// ContainerGroups is Microsoft.ContainerInstance/containerGroups. Bodies that az
// prints travel as wire JSON (the typed models drop fields); actions use the SDK.
type ContainerGroups struct {
	cg  *armcontainerinstance.ContainerGroupsClient
	c   *armcontainerinstance.ContainersClient
	raw *RawClient
	sub string
}

// ContainerGroups builds the container-group service.
func (c *Client) ContainerGroups() (*ContainerGroups, error) {
	cg, err := armcontainerinstance.NewContainerGroupsClient(c.Subscription, c.Cred, c.armOptions())
	if err != nil {
		return nil, err
	}
	cc, err := armcontainerinstance.NewContainersClient(c.Subscription, c.Cred, c.armOptions())
	if err != nil {
		return nil, err
	}
	raw, err := c.Raw()
	return &ContainerGroups{cg: cg, c: cc, raw: raw, sub: c.Subscription}, err
}

func (s *ContainerGroups) path(rg, name string) string {
	return "/subscriptions/" + url.PathEscape(s.sub) + "/resourceGroups/" + url.PathEscape(rg) +
		"/providers/Microsoft.ContainerInstance/containerGroups/" + url.PathEscape(name)
}

// CreateOrUpdate PUTs a wire body (apiVersion "" = ContainerAPIVersion) and, with
// wait, follows the long-running operation and returns the final resource.
func (s *ContainerGroups) CreateOrUpdate(ctx context.Context, rg, name, apiVersion string, body any, wait bool, tick Progress) (Raw, error) {
	if apiVersion == "" {
		apiVersion = ContainerAPIVersion
	}
	resp, err := s.raw.send(ctx, http.MethodPut, s.path(rg, name), apiVersion, nil, body)
	if err != nil {
		return nil, err
	}
	if !wait {
		resp.Body.Close()
		return nil, nil
	}
	final, err := s.raw.follow(ctx, resp, tick)
	if err != nil {
		return nil, err
	}
	if final == nil {
		// Done in the first answer: that answer is the resource.
		return decodeBody(resp)
	}
	return decodeBody(final)
}

// Get reads a group (with its instance view).
func (s *ContainerGroups) Get(ctx context.Context, rg, name string) (Raw, error) {
	return s.raw.Do(ctx, http.MethodGet, s.path(rg, name), ContainerAPIVersion, nil, nil)
}

// List lists groups of a resource group, or of the subscription when rg is "".
func (s *ContainerGroups) List(ctx context.Context, rg string) ([]any, error) {
	p := "/subscriptions/" + url.PathEscape(s.sub)
	if rg != "" {
		p += "/resourceGroups/" + url.PathEscape(rg)
	}
	return s.raw.List(ctx, p+"/providers/Microsoft.ContainerInstance/containerGroups", ContainerAPIVersion, nil)
}

// Delete deletes a group and returns it as the service last described it.
func (s *ContainerGroups) Delete(ctx context.Context, rg, name string, tick Progress) (Raw, error) {
	cctx, first := captured(ctx)
	p, err := s.cg.BeginDelete(cctx, rg, name, nil)
	if err != nil {
		return nil, Wrap(err)
	}
	final, err := pollUntilDone(ctx, p, tick)
	if err != nil {
		return nil, err
	}
	if body, err := decodeBody(final); err == nil && body != nil {
		return body, nil
	}
	return decodeBody(*first)
}

// Restart restarts every container of a group in place.
func (s *ContainerGroups) Restart(ctx context.Context, rg, name string, wait bool, tick Progress) error {
	p, err := s.cg.BeginRestart(ctx, rg, name, nil)
	if err != nil || !wait {
		return Wrap(err)
	}
	_, err = pollUntilDone(ctx, p, tick)
	return err
}

// Start starts a stopped group.
func (s *ContainerGroups) Start(ctx context.Context, rg, name string, wait bool, tick Progress) error {
	p, err := s.cg.BeginStart(ctx, rg, name, nil)
	if err != nil || !wait {
		return Wrap(err)
	}
	_, err = pollUntilDone(ctx, p, tick)
	return err
}

// Stop stops a group (synchronous in ARM).
func (s *ContainerGroups) Stop(ctx context.Context, rg, name string) error {
	_, err := s.cg.Stop(ctx, rg, name, nil)
	return Wrap(err)
}

// Logs returns a container's log text; tail 0 means all.
func (s *ContainerGroups) Logs(ctx context.Context, rg, name, container string, tail int32, timestamps bool) (string, error) {
	opts := &armcontainerinstance.ContainersClientListLogsOptions{}
	if tail > 0 {
		opts.Tail = &tail
	}
	if timestamps {
		opts.Timestamps = &timestamps
	}
	res, err := s.c.ListLogs(ctx, rg, name, container, opts)
	if err != nil {
		return "", Wrap(err)
	}
	if res.Content == nil {
		return "", nil
	}
	return *res.Content, nil
}

// Exec asks for a websocket that runs command in a container.
func (s *ContainerGroups) Exec(ctx context.Context, rg, name, container, command string, rows, cols int32) (uri, password string, err error) {
	res, err := s.c.ExecuteCommand(ctx, rg, name, container, armcontainerinstance.ContainerExecRequest{
		Command:      &command,
		TerminalSize: &armcontainerinstance.ContainerExecRequestTerminalSize{Rows: &rows, Cols: &cols},
	}, nil)
	if err != nil {
		return "", "", Wrap(err)
	}
	if res.WebSocketURI != nil {
		uri = *res.WebSocketURI
	}
	if res.Password != nil {
		password = *res.Password
	}
	return uri, password, nil
}
