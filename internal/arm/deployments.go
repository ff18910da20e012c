package arm

import (
	"context"
	"net/http"
	"net/url"
)

// DeploymentAPIVersion is what az 2.45 sends to Microsoft.Resources/deployments.
const DeploymentAPIVersion = "2022-09-01"

// Deployments is Microsoft.Resources/deployments at resource-group scope.
type Deployments struct {
	raw *RawClient
	sub string
}

// Deployments builds the deployment service.
func (c *Client) Deployments() (*Deployments, error) {
	raw, err := c.Raw()
	return &Deployments{raw: raw, sub: c.Subscription}, err
}

func (s *Deployments) path(rg, name string) string {
	p := "/subscriptions/" + url.PathEscape(s.sub) + "/resourcegroups/" + url.PathEscape(rg) + "/providers/Microsoft.Resources/deployments"
	if name != "" {
		p += "/" + url.PathEscape(name)
	}
	return p
}

// Create PUTs a deployment and, with wait, follows it to its end, then reads
// it (a failed deployment is returned, with its error, not as an error).
func (s *Deployments) Create(ctx context.Context, rg, name string, body any, wait bool, tick Progress) (Raw, error) {
	resp, err := s.raw.send(ctx, http.MethodPut, s.path(rg, name), DeploymentAPIVersion, nil, body)
	if err != nil {
		return nil, err
	}
	if !wait {
		return decodeBody(resp)
	}
	if _, err := s.raw.follow(ctx, resp, tick); err != nil {
		// The deployment's own record says why; az prints that.
		if got, gerr := s.Get(ctx, rg, name); gerr == nil {
			return got, err
		}
		return nil, err
	}
	return s.Get(ctx, rg, name)
}

// Validate asks ARM to validate a deployment.
func (s *Deployments) Validate(ctx context.Context, rg, name string, body any) (Raw, error) {
	return s.raw.Do(ctx, http.MethodPost, s.path(rg, name)+"/validate", DeploymentAPIVersion, nil, body)
}

// WhatIf asks what a deployment would change.
func (s *Deployments) WhatIf(ctx context.Context, rg, name string, body any) (Raw, error) {
	return s.raw.postLRO(ctx, s.path(rg, name)+"/whatIf", DeploymentAPIVersion, body)
}

// Get reads a deployment.
func (s *Deployments) Get(ctx context.Context, rg, name string) (Raw, error) {
	return s.raw.Do(ctx, http.MethodGet, s.path(rg, name), DeploymentAPIVersion, nil, nil)
}

// List lists a group's deployments.
func (s *Deployments) List(ctx context.Context, rg, filter string) ([]any, error) {
	var q url.Values
	if filter != "" {
		q = url.Values{"$filter": {filter}}
	}
	return s.raw.List(ctx, s.path(rg, ""), DeploymentAPIVersion, q)
}

// Delete deletes a deployment record (not its resources).
func (s *Deployments) Delete(ctx context.Context, rg, name string, wait bool) error {
	resp, err := s.raw.send(ctx, http.MethodDelete, s.path(rg, name), DeploymentAPIVersion, nil, nil)
	if err != nil {
		return err
	}
	if !wait || resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusNoContent {
		resp.Body.Close()
		return nil
	}
	_, err = s.raw.follow(ctx, resp, nil)
	return err
}

// Cancel cancels a running deployment.
func (s *Deployments) Cancel(ctx context.Context, rg, name string) error {
	_, err := s.raw.Do(ctx, http.MethodPost, s.path(rg, name)+"/cancel", DeploymentAPIVersion, nil, nil)
	return err
}

// Export returns the deployment's template.
func (s *Deployments) Export(ctx context.Context, rg, name string) (Raw, error) {
	return s.raw.Do(ctx, http.MethodPost, s.path(rg, name)+"/exportTemplate", DeploymentAPIVersion, nil, nil)
}

// Operations lists a deployment's operations.
func (s *Deployments) Operations(ctx context.Context, rg, name string) ([]any, error) {
	return s.raw.List(ctx, s.path(rg, name)+"/operations", DeploymentAPIVersion, nil)
}

// Operation reads one operation.
func (s *Deployments) Operation(ctx context.Context, rg, name, id string) (Raw, error) {
	return s.raw.Do(ctx, http.MethodGet, s.path(rg, name)+"/operations/"+url.PathEscape(id), DeploymentAPIVersion, nil, nil)
}
