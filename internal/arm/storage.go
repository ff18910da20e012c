package arm

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// StorageAPIVersion is what az sends to Microsoft.Storage.
const StorageAPIVersion = "2023-05-01"

// StorageAccountType is the ARM type of storage accounts.
const StorageAccountType = "Microsoft.Storage/storageAccounts"

// StorageAccounts is Microsoft.Storage/storageAccounts and their file shares
// (share-rm). Bodies travel as wire JSON, shaped for printing by azshape.
type StorageAccounts struct {
	raw *RawClient
	sub string
}

// StorageAccounts builds the storage service.
func (c *Client) StorageAccounts() (*StorageAccounts, error) {
	raw, err := c.Raw()
	return &StorageAccounts{raw: raw, sub: c.Subscription}, err
}

func (s *StorageAccounts) path(rg, name string) string {
	return "/subscriptions/" + url.PathEscape(s.sub) + "/resourceGroups/" + url.PathEscape(rg) +
		"/providers/Microsoft.Storage/storageAccounts/" + url.PathEscape(name)
}

// Create PUTs an account and, with wait, follows Azure's 202 + Location poll
// to the account.
func (s *StorageAccounts) Create(ctx context.Context, rg, name string, body any, wait bool, tick Progress) (Raw, error) {
	resp, err := s.raw.send(ctx, http.MethodPut, s.path(rg, name), StorageAPIVersion, nil, body)
	if err != nil {
		return nil, err
	}
	if !wait {
		resp.Body.Close()
		return nil, nil
	}
	if resp.StatusCode == http.StatusOK {
		return decodeBody(resp)
	}
	if _, err := s.raw.follow(ctx, resp, tick); err != nil {
		return nil, err
	}
	return s.Get(ctx, rg, name)
}

// Update PATCHes an account.
func (s *StorageAccounts) Update(ctx context.Context, rg, name string, patch any) (Raw, error) {
	return s.raw.Do(ctx, http.MethodPatch, s.path(rg, name), StorageAPIVersion, nil, patch)
}

// Get reads an account.
func (s *StorageAccounts) Get(ctx context.Context, rg, name string) (Raw, error) {
	return s.raw.Do(ctx, http.MethodGet, s.path(rg, name), StorageAPIVersion, nil, nil)
}

// List lists the accounts of a group, or of the subscription when rg is "".
func (s *StorageAccounts) List(ctx context.Context, rg string) ([]any, error) {
	p := "/subscriptions/" + url.PathEscape(s.sub)
	if rg != "" {
		p += "/resourceGroups/" + url.PathEscape(rg)
	}
	return s.raw.List(ctx, p+"/providers/Microsoft.Storage/storageAccounts", StorageAPIVersion, nil)
}

// Delete deletes an account.
func (s *StorageAccounts) Delete(ctx context.Context, rg, name string) error {
	_, err := s.raw.Do(ctx, http.MethodDelete, s.path(rg, name), StorageAPIVersion, nil, nil)
	return err
}

// Keys lists the account keys ($expand=kerb, as az asks).
func (s *StorageAccounts) Keys(ctx context.Context, rg, name string) (Raw, error) {
	return s.raw.Do(ctx, http.MethodPost, s.path(rg, name)+"/listKeys", StorageAPIVersion, url.Values{"$expand": {"kerb"}}, nil)
}

// RenewKey regenerates key1 or key2 and returns the keys.
func (s *StorageAccounts) RenewKey(ctx context.Context, rg, name, keyName string) (Raw, error) {
	return s.raw.Do(ctx, http.MethodPost, s.path(rg, name)+"/regenerateKey", StorageAPIVersion, nil, map[string]string{"keyName": keyName})
}

// CheckName asks whether an account name is free.
func (s *StorageAccounts) CheckName(ctx context.Context, name string) (Raw, error) {
	return s.raw.Do(ctx, http.MethodPost, "/subscriptions/"+url.PathEscape(s.sub)+"/providers/Microsoft.Storage/checkNameAvailability",
		StorageAPIVersion, nil, map[string]string{"name": name, "type": StorageAccountType})
}

// FindGroup finds an account's resource group the way az does without -g:
// by listing the subscription's accounts ("" when none has the name).
func (s *StorageAccounts) FindGroup(ctx context.Context, name string) (string, error) {
	all, err := s.List(ctx, "")
	if err != nil {
		return "", err
	}
	for _, it := range all {
		m, _ := it.(map[string]any)
		if n, _ := m["name"].(string); strings.EqualFold(n, name) {
			id, _ := m["id"].(string)
			if rg := ResourceGroupOf(id); rg != "" {
				return rg, nil
			}
		}
	}
	return "", nil
}

// ResourceGroupOf is the resource group segment of a resource id ("" if none).
func ResourceGroupOf(id string) string {
	parts := strings.Split(id, "/")
	for i := 0; i+1 < len(parts); i++ {
		if strings.EqualFold(parts[i], "resourceGroups") {
			return parts[i+1]
		}
	}
	return ""
}

func (s *StorageAccounts) sharePath(rg, account, share string) string {
	p := s.path(rg, account) + "/fileServices/default/shares"
	if share != "" {
		p += "/" + url.PathEscape(share)
	}
	return p
}

// ShareCreate PUTs a share.
func (s *StorageAccounts) ShareCreate(ctx context.Context, rg, account, share string, body any) (Raw, error) {
	return s.raw.Do(ctx, http.MethodPut, s.sharePath(rg, account, share), StorageAPIVersion, nil, body)
}

// ShareUpdate PATCHes a share.
func (s *StorageAccounts) ShareUpdate(ctx context.Context, rg, account, share string, body any) (Raw, error) {
	return s.raw.Do(ctx, http.MethodPatch, s.sharePath(rg, account, share), StorageAPIVersion, nil, body)
}

// ShareGet reads a share.
func (s *StorageAccounts) ShareGet(ctx context.Context, rg, account, share string) (Raw, error) {
	return s.raw.Do(ctx, http.MethodGet, s.sharePath(rg, account, share), StorageAPIVersion, nil, nil)
}

// ShareList lists an account's shares.
func (s *StorageAccounts) ShareList(ctx context.Context, rg, account string) ([]any, error) {
	return s.raw.List(ctx, s.sharePath(rg, account, ""), StorageAPIVersion, nil)
}

// ShareDelete deletes a share.
func (s *StorageAccounts) ShareDelete(ctx context.Context, rg, account, share string) error {
	_, err := s.raw.Do(ctx, http.MethodDelete, s.sharePath(rg, account, share), StorageAPIVersion, url.Values{"$include": {"none"}}, nil)
	return err
}

// Subscription is the subscription the service works in.
func (s *StorageAccounts) Subscription() string { return s.sub }
