package arm

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Subscription is one entry of azureProfile.json, in az's layout, so `account show`
// prints what az prints.
type Subscription struct {
	ID                  string   `json:"id"`
	Name                string   `json:"name"`
	State               string   `json:"state"`
	User                User     `json:"user"`
	IsDefault           bool     `json:"isDefault"`
	TenantID            string   `json:"tenantId"`
	EnvironmentName     string   `json:"environmentName"`
	HomeTenantID        string   `json:"homeTenantId"`
	TenantDefaultDomain string   `json:"tenantDefaultDomain,omitempty"`
	TenantDisplayName   string   `json:"tenantDisplayName,omitempty"`
	ManagedByTenants    []string `json:"managedByTenants"`
}

// User is who logged in: type is "servicePrincipal" or "user". A managed
// identity is a "servicePrincipal" with AssignedIdentityInfo, as az stores
// it ("MSI", or "MSIClient-<id>" for a user-assigned one chosen with -u), so
// each reads the other's login.
type User struct {
	Name                 string `json:"name"`
	Type                 string `json:"type"`
	AssignedIdentityInfo string `json:"assignedIdentityInfo,omitempty"`
	ClientID             string `json:"clientId,omitempty"` // earlier aci profiles: a managed identity's -u
}

// ManagedIdentity reports whether the login is a managed identity, and the
// client id of a user-assigned one ("" for the system-assigned one).
func (u User) ManagedIdentity() (clientID string, ok bool) {
	switch {
	case u.Type == "managedIdentity": // written by earlier aci versions
		return u.ClientID, true
	case strings.HasPrefix(u.AssignedIdentityInfo, "MSIClient-"):
		return strings.TrimPrefix(u.AssignedIdentityInfo, "MSIClient-"), true
	case strings.HasPrefix(u.AssignedIdentityInfo, "MSI"):
		return u.ClientID, true
	}
	return "", false
}

// Profile is the logged-in state: subscriptions and the service principals' secrets.
type Profile struct {
	dir           string
	Subscriptions []Subscription `json:"subscriptions"`
}

// ServicePrincipal is a stored service-principal credential (mode 0600 file).
type ServicePrincipal struct {
	ClientID     string `json:"client_id"`
	Tenant       string `json:"tenant"`
	ClientSecret string `json:"client_secret,omitempty"`
	Certificate  string `json:"certificate,omitempty"`
}

func profilePath(dir string) string { return filepath.Join(dir, "azureProfile.json") }
func spPath(dir string) string      { return filepath.Join(dir, "service_principal_entries.json") }

// LoadProfile reads azureProfile.json (absent = not logged in).
func LoadProfile(dir string) (*Profile, error) {
	p := &Profile{dir: dir}
	b, err := os.ReadFile(profilePath(dir))
	if os.IsNotExist(err) {
		return p, nil
	}
	if err != nil {
		return nil, err
	}
	// az writes a UTF-8 BOM; tolerate it.
	b = []byte(strings.TrimPrefix(string(b), "\ufeff"))
	if err := json.Unmarshal(b, p); err != nil {
		return nil, fmt.Errorf("%s is not valid JSON: %v", profilePath(dir), err)
	}
	return p, nil
}

// Save writes azureProfile.json.
func (p *Profile) Save() error {
	if p.Subscriptions == nil {
		p.Subscriptions = []Subscription{}
	}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(profilePath(p.dir), b, 0o600)
}

// ForCloud returns the subscriptions of one cloud.
func (p *Profile) ForCloud(cloud string) []Subscription {
	var out []Subscription
	for _, s := range p.Subscriptions {
		if strings.EqualFold(s.EnvironmentName, cloud) {
			out = append(out, s)
		}
	}
	return out
}

// Default returns the default subscription of a cloud.
func (p *Profile) Default(cloud string) (*Subscription, bool) {
	subs := p.ForCloud(cloud)
	for i := range subs {
		if subs[i].IsDefault {
			return &subs[i], true
		}
	}
	return nil, false
}

// Find resolves a subscription by id or name within a cloud.
func (p *Profile) Find(cloud, idOrName string) (*Subscription, bool) {
	subs := p.ForCloud(cloud)
	for i := range subs {
		if strings.EqualFold(subs[i].ID, idOrName) {
			return &subs[i], true
		}
	}
	for i := range subs {
		if strings.EqualFold(subs[i].Name, idOrName) {
			return &subs[i], true
		}
	}
	return nil, false
}

// SetDefault marks one subscription of a cloud as default.
func (p *Profile) SetDefault(cloud, id string) {
	for i := range p.Subscriptions {
		s := &p.Subscriptions[i]
		if strings.EqualFold(s.EnvironmentName, cloud) {
			s.IsDefault = strings.EqualFold(s.ID, id)
		}
	}
}

// Replace swaps a cloud's subscriptions for a fresh login's.
func (p *Profile) Replace(cloud string, subs []Subscription) {
	var keep []Subscription
	for _, s := range p.Subscriptions {
		if !strings.EqualFold(s.EnvironmentName, cloud) {
			keep = append(keep, s)
		}
	}
	p.Subscriptions = append(keep, subs...)
}

// LoadServicePrincipals reads the stored service-principal secrets.
func LoadServicePrincipals(dir string) ([]ServicePrincipal, error) {
	b, err := os.ReadFile(spPath(dir))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var sps []ServicePrincipal
	return sps, json.Unmarshal(b, &sps)
}

// SaveServicePrincipal stores (or replaces) one service principal with mode 0600.
func SaveServicePrincipal(dir string, sp ServicePrincipal) error {
	sps, err := LoadServicePrincipals(dir)
	if err != nil {
		return err
	}
	var keep []ServicePrincipal
	for _, s := range sps {
		if !(s.ClientID == sp.ClientID && strings.EqualFold(s.Tenant, sp.Tenant)) {
			keep = append(keep, s)
		}
	}
	keep = append(keep, sp)
	b, err := json.MarshalIndent(keep, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(spPath(dir), b, 0o600)
}

// RemoveServicePrincipals deletes the stored secrets (logout).
func RemoveServicePrincipals(dir string) error {
	err := os.Remove(spPath(dir))
	if os.IsNotExist(err) {
		return nil
	}
	return err
}

func writeFileAtomic(path string, b []byte, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, mode); err != nil {
		return err
	}
	if err := os.Chmod(tmp, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
