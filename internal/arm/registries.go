package arm

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// RegistryAPIVersion is what az 2.62 sends to Microsoft.ContainerRegistry.
const RegistryAPIVersion = "2023-11-01-preview"

// RegistryType is the ARM type of container registries.
const RegistryType = "Microsoft.ContainerRegistry/registries"

// Registries is Microsoft.ContainerRegistry/registries. Bodies travel as wire
// JSON, as az prints fields the typed models would drop.
type Registries struct {
	raw *RawClient
	sub string
}

// Registries builds the registry service.
func (c *Client) Registries() (*Registries, error) {
	raw, err := c.Raw()
	return &Registries{raw: raw, sub: c.Subscription}, err
}

func (s *Registries) path(rg, name string) string {
	return "/subscriptions/" + url.PathEscape(s.sub) + "/resourceGroups/" + url.PathEscape(rg) +
		"/providers/Microsoft.ContainerRegistry/registries/" + url.PathEscape(name)
}

// lro sends a request and follows its long-running operation to the final
// resource (the first answer when it was synchronous).
func (s *Registries) lro(ctx context.Context, method, path string, body any, wait bool, tick Progress) (Raw, error) {
	resp, err := s.raw.send(ctx, method, path, RegistryAPIVersion, nil, body)
	if err != nil {
		return nil, err
	}
	if !wait {
		resp.Body.Close()
		return nil, nil
	}
	if resp.StatusCode == http.StatusOK && resp.Header.Get("Azure-AsyncOperation") == "" && resp.Header.Get("Location") == "" {
		return decodeBody(resp)
	}
	if _, err := s.raw.follow(ctx, resp, tick); err != nil {
		return nil, err
	}
	if method == http.MethodDelete {
		return nil, nil
	}
	// The operation's status is not the resource: read it.
	return s.raw.Do(ctx, http.MethodGet, path, RegistryAPIVersion, nil, nil)
}

// Create PUTs a registry and waits for it.
func (s *Registries) Create(ctx context.Context, rg, name string, body any, wait bool, tick Progress) (Raw, error) {
	return s.lro(ctx, http.MethodPut, s.path(rg, name), body, wait, tick)
}

// Update PATCHes a registry.
func (s *Registries) Update(ctx context.Context, rg, name string, patch any) (Raw, error) {
	return s.lro(ctx, http.MethodPatch, s.path(rg, name), patch, true, nil)
}

// Get reads a registry.
func (s *Registries) Get(ctx context.Context, rg, name string) (Raw, error) {
	return s.raw.Do(ctx, http.MethodGet, s.path(rg, name), RegistryAPIVersion, nil, nil)
}

// List lists the registries of a group, or of the subscription when rg is "".
func (s *Registries) List(ctx context.Context, rg string) ([]any, error) {
	p := "/subscriptions/" + url.PathEscape(s.sub)
	if rg != "" {
		p += "/resourceGroups/" + url.PathEscape(rg)
	}
	return s.raw.List(ctx, p+"/providers/Microsoft.ContainerRegistry/registries", RegistryAPIVersion, nil)
}

// Delete deletes a registry and waits.
func (s *Registries) Delete(ctx context.Context, rg, name string, tick Progress) error {
	_, err := s.lro(ctx, http.MethodDelete, s.path(rg, name), nil, true, tick)
	return err
}

// Credentials lists the admin credentials, regenerating one first when
// regenerate names it ("password" or "password2").
func (s *Registries) Credentials(ctx context.Context, rg, name, regenerate string) (Raw, error) {
	if regenerate != "" {
		return s.raw.Do(ctx, http.MethodPost, s.path(rg, name)+"/regenerateCredential", RegistryAPIVersion, nil, map[string]string{"name": regenerate})
	}
	return s.raw.Do(ctx, http.MethodPost, s.path(rg, name)+"/listCredentials", RegistryAPIVersion, nil, nil)
}

// Usages lists a registry's quota usages.
func (s *Registries) Usages(ctx context.Context, rg, name string) (Raw, error) {
	return s.raw.Do(ctx, http.MethodGet, s.path(rg, name)+"/listUsages", RegistryAPIVersion, nil, nil)
}

// CheckName asks whether a registry name is free.
func (s *Registries) CheckName(ctx context.Context, name string) (Raw, error) {
	return s.raw.Do(ctx, http.MethodPost, "/subscriptions/"+url.PathEscape(s.sub)+"/providers/Microsoft.ContainerRegistry/checkNameAvailability",
		RegistryAPIVersion, nil, map[string]string{"name": name, "type": RegistryType})
}

// FindGroup finds the resource group of a resource by type and name, as az
// does when -g is left out ("" when there is none).
func (s *Registries) FindGroup(ctx context.Context, typ, name string) (string, error) {
	q := url.Values{"$filter": {"resourceType eq '" + typ + "'"}}
	all, err := s.raw.List(ctx, "/subscriptions/"+url.PathEscape(s.sub)+"/resources", "2022-09-01", q)
	if err != nil {
		return "", err
	}
	for _, it := range all {
		m, _ := it.(map[string]any)
		if n, _ := m["name"].(string); strings.EqualFold(n, name) {
			id, _ := m["id"].(string)
			parts := strings.Split(id, "/")
			for i := 0; i+1 < len(parts); i++ {
				if strings.EqualFold(parts[i], "resourceGroups") {
					return parts[i+1], nil
				}
			}
		}
	}
	return "", nil
}

// Import runs importImage (ImportImageParameters) and, with wait, follows it.
func (s *Registries) Import(ctx context.Context, rg, name string, body any, wait bool, tick Progress) error {
	resp, err := s.raw.send(ctx, http.MethodPost, s.path(rg, name)+"/importImage", RegistryAPIVersion, nil, body)
	if err != nil {
		return err
	}
	if !wait || (resp.StatusCode == http.StatusOK && resp.Header.Get("Location") == "" && resp.Header.Get("Azure-AsyncOperation") == "") {
		resp.Body.Close()
		return nil
	}
	_, err = s.raw.follow(ctx, resp, tick)
	return err
}

// Subscription is the subscription the service works in.
func (s *Registries) Subscription() string { return s.sub }

// RunsAPIVersion is what az 2.45 sends for registry runs (acr build).
const RunsAPIVersion = "2019-06-01-preview"

// BuildSourceUploadURL asks where to upload a build context.
func (s *Registries) BuildSourceUploadURL(ctx context.Context, rg, name string) (Raw, error) {
	return s.raw.Do(ctx, http.MethodPost, s.path(rg, name)+"/listBuildSourceUploadUrl", RunsAPIVersion, nil, nil)
}

// ScheduleRun queues a run (a DockerBuildRequest) and returns it.
func (s *Registries) ScheduleRun(ctx context.Context, rg, name string, body any) (Raw, error) {
	return s.raw.postLRO(ctx, s.path(rg, name)+"/scheduleRun", RunsAPIVersion, body)
}

// Run reads a run.
func (s *Registries) Run(ctx context.Context, rg, name, runID string) (Raw, error) {
	return s.raw.Do(ctx, http.MethodGet, s.path(rg, name)+"/runs/"+url.PathEscape(runID), RunsAPIVersion, nil, nil)
}

// RunLogURL is the SAS URL of a run's log.
func (s *Registries) RunLogURL(ctx context.Context, rg, name, runID string) (Raw, error) {
	return s.raw.Do(ctx, http.MethodPost, s.path(rg, name)+"/runs/"+url.PathEscape(runID)+"/listLogSasUrl", RunsAPIVersion, nil, nil)
}

// Runs lists a registry's runs, newest first ($top as az sends it).
func (s *Registries) Runs(ctx context.Context, rg, name string, top int) ([]any, error) {
	q := url.Values{}
	if top > 0 {
		q.Set("$top", strconv.Itoa(top))
	}
	return s.raw.List(ctx, s.path(rg, name)+"/runs", RunsAPIVersion, q)
}
