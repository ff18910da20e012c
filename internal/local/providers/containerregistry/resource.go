package containerregistry

import (
	"encoding/json"
	"fmt"
)

// registry is a registry as ACR describes it: what PUT answers and GET
// returns, and what the store keeps. Fields are in the JSON's alphabetical
// order, so the wire form is what ACR's (and this provider's earlier maps)
// gave.
type registry struct {
	ID         string            `json:"id"`
	Location   string            `json:"location"`
	Name       string            `json:"name"`
	Properties registryProps     `json:"properties"`
	Sku        registrySku       `json:"sku"`
	SystemData systemData        `json:"systemData"`
	Tags       map[string]string `json:"tags"`
	Type       string            `json:"type"`
}

type registrySku struct {
	Name string `json:"name"`
	Tier string `json:"tier"`
}

type registryProps struct {
	AdminUserEnabled           bool           `json:"adminUserEnabled"`
	AnonymousPullEnabled       bool           `json:"anonymousPullEnabled"`
	CreationDate               string         `json:"creationDate"`
	DataEndpointEnabled        bool           `json:"dataEndpointEnabled"`
	DataEndpointHostNames      []string       `json:"dataEndpointHostNames"`
	Encryption                 status         `json:"encryption"`
	LoginServer                string         `json:"loginServer"`
	MetadataSearch             string         `json:"metadataSearch"`
	NetworkRuleBypassOptions   string         `json:"networkRuleBypassOptions"`
	NetworkRuleSet             networkRuleSet `json:"networkRuleSet"`
	Policies                   policies       `json:"policies"`
	PrivateEndpointConnections []any          `json:"privateEndpointConnections"`
	ProvisioningState          string         `json:"provisioningState"`
	PublicNetworkAccess        string         `json:"publicNetworkAccess"`
	ZoneRedundancy             string         `json:"zoneRedundancy"`
}

type status struct {
	Status string `json:"status"`
}

type networkRuleSet struct {
	DefaultAction string `json:"defaultAction"`
	IPRules       []any  `json:"ipRules"`
}

type policies struct {
	AzureADAuthenticationAsArmPolicy status          `json:"azureADAuthenticationAsArmPolicy"`
	ExportPolicy                     status          `json:"exportPolicy"`
	QuarantinePolicy                 status          `json:"quarantinePolicy"`
	RetentionPolicy                  retentionPolicy `json:"retentionPolicy"`
	SoftDeletePolicy                 softDelete      `json:"softDeletePolicy"`
	TrustPolicy                      trustPolicy     `json:"trustPolicy"`
}

type retentionPolicy struct {
	Days            int    `json:"days"`
	LastUpdatedTime string `json:"lastUpdatedTime"`
	Status          string `json:"status"`
}

type softDelete struct {
	LastUpdatedTime string `json:"lastUpdatedTime"`
	RetentionDays   int    `json:"retentionDays"`
	Status          string `json:"status"`
}

type trustPolicy struct {
	Status string `json:"status"`
	Type   string `json:"type"`
}

type systemData struct {
	CreatedAt          string `json:"createdAt"`
	CreatedBy          string `json:"createdBy"`
	CreatedByType      string `json:"createdByType"`
	LastModifiedAt     string `json:"lastModifiedAt"`
	LastModifiedBy     string `json:"lastModifiedBy"`
	LastModifiedByType string `json:"lastModifiedByType"`
}

// decodeRegistry reads a stored registry.
func decodeRegistry(body []byte) (*registry, error) {
	var reg registry
	if err := json.Unmarshal(body, &reg); err != nil {
		return nil, fmt.Errorf("a stored registry: %w", err)
	}
	return &reg, nil
}

// newRegistry is a new registry as ACR describes it, with ACR's defaults
// for every policy.
func newRegistry(b *registryBody, id, name, loc, sku, addr, who string) *registry {
	created, createdOffset := now(), nowOffset()
	reg := &registry{ID: id, Location: loc, Name: name, Type: Type, Tags: tagsOf(b.Tags),
		Sku: registrySku{Name: sku, Tier: sku},
		SystemData: systemData{CreatedBy: who, CreatedByType: "User", CreatedAt: createdOffset,
			LastModifiedBy: who, LastModifiedByType: "User", LastModifiedAt: createdOffset},
		Properties: registryProps{
			LoginServer: addr, CreationDate: created, ProvisioningState: "Creating",
			NetworkRuleSet: networkRuleSet{DefaultAction: "Allow", IPRules: []any{}},
			Policies: policies{QuarantinePolicy: status{"disabled"}, TrustPolicy: trustPolicy{Type: "Notary", Status: "disabled"},
				RetentionPolicy: retentionPolicy{Days: 7, LastUpdatedTime: createdOffset, Status: "disabled"},
				ExportPolicy:    status{"enabled"}, AzureADAuthenticationAsArmPolicy: status{"enabled"},
				SoftDeletePolicy: softDelete{RetentionDays: 7, LastUpdatedTime: createdOffset, Status: "disabled"}},
			Encryption: status{"disabled"}, DataEndpointHostNames: []string{}, PrivateEndpointConnections: []any{},
			PublicNetworkAccess: "Enabled", NetworkRuleBypassOptions: "AzureServices", ZoneRedundancy: "Disabled", MetadataSearch: "Disabled",
		},
	}
	reg.apply(b)
	return reg
}

// tagsOf reads a request's tags; a null value is an empty one, as ARM's.
func tagsOf(in map[string]*string) map[string]string {
	tags := map[string]string{}
	for k, v := range in {
		if v != nil {
			tags[k] = *v
		} else {
			tags[k] = ""
		}
	}
	return tags
}

// apply sets what a PUT or PATCH names; the rest stays.
func (reg *registry) apply(b *registryBody) {
	if b.Properties == nil {
		return
	}
	p, rp := b.Properties, &reg.Properties
	for _, f := range []struct {
		in  *bool
		out *bool
	}{{p.AdminUserEnabled, &rp.AdminUserEnabled}, {p.AnonymousPullEnabled, &rp.AnonymousPullEnabled}, {p.DataEndpointEnabled, &rp.DataEndpointEnabled}} {
		if f.in != nil {
			*f.out = *f.in
		}
	}
	for _, f := range []struct {
		in  *string
		out *string
	}{{p.PublicNetworkAccess, &rp.PublicNetworkAccess}, {p.ZoneRedundancy, &rp.ZoneRedundancy}, {p.NetworkRuleBypassOptions, &rp.NetworkRuleBypassOptions}} {
		if f.in != nil {
			*f.out = *f.in
		}
	}
	if p.NetworkRuleSet != nil && p.NetworkRuleSet.DefaultAction != "" {
		rp.NetworkRuleSet = networkRuleSet{DefaultAction: p.NetworkRuleSet.DefaultAction, IPRules: []any{}}
	}
}

// run is an acr build's run, as ACR describes it. Fields are in the JSON's
// alphabetical order (the wire form earlier maps gave).
type run struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Properties runProps `json:"properties"`
	Type       string   `json:"type"`
}

type runProps struct {
	AgentConfiguration struct {
		CPU int `json:"cpu"`
	} `json:"agentConfiguration"`
	CreateTime         string        `json:"createTime"`
	FinishTime         string        `json:"finishTime,omitempty"`
	IsArchiveEnabled   bool          `json:"isArchiveEnabled"`
	LastUpdatedTime    string        `json:"lastUpdatedTime"`
	OutputImages       []outputImage `json:"outputImages"`
	Platform           runPlatform   `json:"platform"`
	ProvisioningState  string        `json:"provisioningState"`
	RunID              string        `json:"runId"`
	RunType            string        `json:"runType"`
	SourceRegistryAuth string        `json:"sourceRegistryAuth"`
	StartTime          string        `json:"startTime,omitempty"`
	Status             string        `json:"status"`
}

type runPlatform struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
}

type outputImage struct {
	Digest     string `json:"digest"`
	Registry   string `json:"registry"`
	Repository string `json:"repository"`
	Tag        string `json:"tag"`
}
