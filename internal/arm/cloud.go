package arm

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aci-cli/aci/internal/config"
	"gopkg.in/ini.v1"
)

// Cloud is one Azure cloud: where ARM and its token authority live.
type Cloud struct {
	Name      string
	Endpoints map[string]string // az's camelCase endpoint names
	Suffixes  map[string]string
	// CABundle is a PEM file trusted for this cloud only (aci local's own CA).
	CABundle string
	// LoopbackSuffix names hosts served on this machine (aci local's data
	// planes, "aci.localhost"): aci dials them at LoopbackAddress (default the
	// resource manager's host) and never asks DNS, so nothing for a local
	// cloud leaves the machine.
	LoopbackSuffix, LoopbackAddress string
	BuiltIn                         bool
}

// loopbackTarget is where a host under the cloud's loopback suffix is
// dialled, or "" for a host that is not.
func (c *Cloud) loopbackTarget(host string) string {
	if c == nil || c.LoopbackSuffix == "" {
		return ""
	}
	h, suf := strings.ToLower(strings.TrimSuffix(host, ".")), strings.ToLower(strings.Trim(c.LoopbackSuffix, "."))
	if h != suf && !strings.HasSuffix(h, "."+suf) {
		return ""
	}
	if c.LoopbackAddress != "" {
		return c.LoopbackAddress
	}
	if u, err := url.Parse(c.ResourceManager()); err == nil {
		return u.Hostname()
	}
	return ""
}

// ResourceManager is the ARM base URL with no trailing slash.
func (c *Cloud) ResourceManager() string {
	return strings.TrimRight(c.Endpoints["resourceManager"], "/")
}

// Audience is the token audience of ARM.
func (c *Cloud) Audience() string {
	if a := c.Endpoints["activeDirectoryResourceId"]; a != "" {
		return a
	}
	return "https://management.core.windows.net/"
}

// endpoint keys as az names them, and their clouds.config option names.
var endpointKeys = map[string]string{
	"activeDirectory":                "endpoint_active_directory",
	"activeDirectoryResourceId":      "endpoint_active_directory_resource_id",
	"activeDirectoryGraphResourceId": "endpoint_active_directory_graph_resource_id",
	"resourceManager":                "endpoint_resource_manager",
	"management":                     "endpoint_management",
	"gallery":                        "endpoint_gallery",
	"portal":                         "endpoint_portal",
	"microsoftGraphResourceId":       "endpoint_microsoft_graph_resource_id",
}

var suffixKeys = map[string]string{
	"acrLoginServerEndpoint": "suffix_acr_login_server_endpoint",
	"storageEndpoint":        "suffix_storage_endpoint",
	"keyvaultDns":            "suffix_keyvault_dns",
}

func builtinClouds() []*Cloud {
	mk := func(name, rm, ad, mgmt, graph, portal, msgraph, acr, storage, kv string) *Cloud {
		return &Cloud{Name: name, BuiltIn: true, Endpoints: map[string]string{
			"resourceManager": rm, "activeDirectory": ad, "activeDirectoryResourceId": mgmt,
			"management": mgmt, "activeDirectoryGraphResourceId": graph, "portal": portal,
			"gallery": "https://gallery.azure.com/", "microsoftGraphResourceId": msgraph,
		}, Suffixes: map[string]string{"acrLoginServerEndpoint": acr, "storageEndpoint": storage, "keyvaultDns": kv}}
	}
	return []*Cloud{
		mk("AzureCloud", "https://management.azure.com/", "https://login.microsoftonline.com",
			"https://management.core.windows.net/", "https://graph.windows.net/", "https://portal.azure.com",
			"https://graph.microsoft.com/", ".azurecr.io", "core.windows.net", ".vault.azure.net"),
		mk("AzureChinaCloud", "https://management.chinacloudapi.cn/", "https://login.chinacloudapi.cn",
			"https://management.core.chinacloudapi.cn/", "https://graph.chinacloudapi.cn/", "https://portal.azure.cn",
			"https://microsoftgraph.chinacloudapi.cn/", ".azurecr.cn", "core.chinacloudapi.cn", ".vault.azure.cn"),
		mk("AzureUSGovernment", "https://management.usgovcloudapi.net/", "https://login.microsoftonline.us",
			"https://management.core.usgovcloudapi.net/", "https://graph.windows.net/", "https://portal.azure.us",
			"https://graph.microsoft.us/", ".azurecr.us", "core.usgovcloudapi.net", ".vault.usgovcloudapi.net"),
	}
}

// Clouds reads the built-in clouds and those registered in <dir>/clouds.config.
type Clouds struct {
	dir    string
	list   []*Cloud
	active string
}

func cloudsPath(dir string) string { return filepath.Join(dir, "clouds.config") }

// LoadClouds reads the registry; active is the configured cloud name.
func LoadClouds(dir string, cfg *config.Config) (*Clouds, error) {
	cs := &Clouds{dir: dir, list: builtinClouds(), active: cfg.Get("cloud", "name", "AzureCloud")}
	f, err := ini.LoadSources(ini.LoadOptions{Loose: true, IgnoreInlineComment: true}, cloudsPath(dir))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", cloudsPath(dir), err)
	}
	for _, sec := range f.Sections() {
		if sec.Name() == ini.DefaultSection {
			continue
		}
		c := cs.Get(sec.Name())
		if c == nil {
			c = &Cloud{Name: sec.Name(), Endpoints: map[string]string{}, Suffixes: map[string]string{}}
			cs.list = append(cs.list, c)
		}
		for camel, opt := range endpointKeys {
			if k := sec.Key(opt); k.String() != "" {
				c.Endpoints[camel] = k.String()
			}
		}
		for camel, opt := range suffixKeys {
			if k := sec.Key(opt); k.String() != "" {
				c.Suffixes[camel] = k.String()
			}
		}
		c.CABundle = sec.Key("ca_bundle").String()
		c.LoopbackSuffix = sec.Key("loopback_suffix").String()
		c.LoopbackAddress = sec.Key("loopback_address").String()
	}
	return cs, nil
}

// List returns every cloud, built-ins first.
func (cs *Clouds) List() []*Cloud { return cs.list }

// ActiveName is the selected cloud's name.
func (cs *Clouds) ActiveName() string { return cs.active }

// Active returns the selected cloud.
func (cs *Clouds) Active() (*Cloud, error) {
	if c := cs.Get(cs.active); c != nil {
		return c, nil
	}
	return nil, fmt.Errorf("The cloud '%s' is not registered.", cs.active)
}

// Get finds a cloud by name (case-insensitive, as az).
func (cs *Clouds) Get(name string) *Cloud {
	for _, c := range cs.list {
		if strings.EqualFold(c.Name, name) {
			return c
		}
	}
	return nil
}

// Save writes a custom cloud to clouds.config.
func (cs *Clouds) Save(c *Cloud) error {
	if err := os.MkdirAll(cs.dir, 0o700); err != nil {
		return err
	}
	f, err := ini.LoadSources(ini.LoadOptions{Loose: true, IgnoreInlineComment: true}, cloudsPath(cs.dir))
	if err != nil {
		return err
	}
	f.DeleteSection(c.Name)
	sec := f.Section(c.Name)
	for _, camel := range slices.Sorted(maps.Keys(endpointKeys)) {
		if v := c.Endpoints[camel]; v != "" {
			sec.Key(endpointKeys[camel]).SetValue(v)
		}
	}
	for _, camel := range slices.Sorted(maps.Keys(suffixKeys)) {
		if v := c.Suffixes[camel]; v != "" {
			sec.Key(suffixKeys[camel]).SetValue(v)
		}
	}
	if c.CABundle != "" {
		sec.Key("ca_bundle").SetValue(c.CABundle)
	}
	if c.LoopbackSuffix != "" {
		sec.Key("loopback_suffix").SetValue(c.LoopbackSuffix)
	}
	if c.LoopbackAddress != "" {
		sec.Key("loopback_address").SetValue(c.LoopbackAddress)
	}
	if cs.Get(c.Name) == nil {
		cs.list = append(cs.list, c)
	}
	return config.WriteINI(cloudsPath(cs.dir), f)
}

// Remove deletes a custom cloud from clouds.config.
func (cs *Clouds) Remove(name string) error {
	f, err := ini.LoadSources(ini.LoadOptions{Loose: true, IgnoreInlineComment: true}, cloudsPath(cs.dir))
	if err != nil {
		return err
	}
	for _, s := range f.SectionStrings() {
		if strings.EqualFold(s, name) {
			f.DeleteSection(s)
		}
	}
	var keep []*Cloud
	for _, c := range cs.list {
		if !strings.EqualFold(c.Name, name) {
			keep = append(keep, c)
		}
	}
	cs.list = keep
	return config.WriteINI(cloudsPath(cs.dir), f)
}

// FetchMetadata fills a cloud's endpoints from {rm}/metadata/endpoints, as
// `az cloud register --endpoint-resource-manager` does.
func FetchMetadata(ctx context.Context, client *http.Client, rm string) (map[string]string, error) {
	url := strings.TrimRight(rm, "/") + "/metadata/endpoints?api-version=2015-01-01"
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("Unable to get endpoints from the cloud: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("Unable to get endpoints from the cloud: %s returned %s", url, resp.Status)
	}
	var md struct {
		GalleryEndpoint string `json:"galleryEndpoint"`
		GraphEndpoint   string `json:"graphEndpoint"`
		PortalEndpoint  string `json:"portalEndpoint"`
		Authentication  struct {
			LoginEndpoint string   `json:"loginEndpoint"`
			Audiences     []string `json:"audiences"`
		} `json:"authentication"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&md); err != nil {
		return nil, fmt.Errorf("Unable to get endpoints from the cloud: %v", err)
	}
	out := map[string]string{
		"activeDirectory":                md.Authentication.LoginEndpoint,
		"gallery":                        md.GalleryEndpoint,
		"activeDirectoryGraphResourceId": md.GraphEndpoint,
		"portal":                         md.PortalEndpoint,
	}
	if len(md.Authentication.Audiences) > 0 {
		out["activeDirectoryResourceId"] = md.Authentication.Audiences[0]
		out["management"] = md.Authentication.Audiences[0]
	}
	return out, nil
}

// Data is the cloud as az prints it (`az cloud show`).
func (c *Cloud) Data(active bool) map[string]any {
	ep := map[string]any{}
	for k := range endpointKeys {
		ep[k] = nilIfEmpty(c.Endpoints[k])
	}
	sf := map[string]any{}
	for k := range suffixKeys {
		sf[k] = nilIfEmpty(c.Suffixes[k])
	}
	return map[string]any{"name": c.Name, "isActive": active, "profile": "latest", "endpoints": ep, "suffixes": sf}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
