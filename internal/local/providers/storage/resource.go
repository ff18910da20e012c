package storage

import (
	"encoding/json"
	"fmt"
	"strings"
)

// storageAccount is an account as Azure describes it: what PUT answers and
// GET returns, and what the store keeps. Fields are in the JSON's
// alphabetical order, so the wire form is what earlier maps gave.
type storageAccount struct {
	ID         string            `json:"id"`
	Kind       string            `json:"kind"`
	Location   string            `json:"location"`
	Name       string            `json:"name"`
	Properties accountProps      `json:"properties"`
	Sku        accountSku        `json:"sku"`
	Tags       map[string]string `json:"tags"`
	Type       string            `json:"type"`
}

type accountSku struct {
	Name string `json:"name"`
	Tier string `json:"tier"`
}

type accountProps struct {
	AccessTier                  string            `json:"accessTier,omitempty"`
	AllowBlobPublicAccess       bool              `json:"allowBlobPublicAccess"`
	AllowCrossTenantReplication bool              `json:"allowCrossTenantReplication"`
	AllowSharedKeyAccess        *bool             `json:"allowSharedKeyAccess,omitempty"`
	CreationTime                string            `json:"creationTime"`
	Encryption                  accountEncryption `json:"encryption"`
	KeyCreationTime             keyTimes          `json:"keyCreationTime"`
	LargeFileSharesState        string            `json:"largeFileSharesState,omitempty"`
	MinimumTLSVersion           string            `json:"minimumTlsVersion"`
	NetworkAcls                 networkAcls       `json:"networkAcls"`
	PrimaryEndpoints            *endpoints        `json:"primaryEndpoints,omitempty"`
	PrimaryLocation             string            `json:"primaryLocation"`
	PrivateEndpointConnections  []any             `json:"privateEndpointConnections"`
	ProvisioningState           string            `json:"provisioningState"`
	PublicNetworkAccess         string            `json:"publicNetworkAccess,omitempty"`
	StatusOfPrimary             string            `json:"statusOfPrimary"`
	SupportsHTTPSTrafficOnly    bool              `json:"supportsHttpsTrafficOnly"`
}

type accountEncryption struct {
	KeySource string `json:"keySource"`
	Services  struct {
		Blob encryptionService `json:"blob"`
		File encryptionService `json:"file"`
	} `json:"services"`
}

type encryptionService struct {
	Enabled         bool   `json:"enabled"`
	KeyType         string `json:"keyType"`
	LastEnabledTime string `json:"lastEnabledTime"`
}

type keyTimes struct {
	Key1 string `json:"key1"`
	Key2 string `json:"key2"`
}

type networkAcls struct {
	Bypass              string `json:"bypass"`
	DefaultAction       string `json:"defaultAction"`
	IPRules             []any  `json:"ipRules"`
	IPv6Rules           []any  `json:"ipv6Rules"`
	VirtualNetworkRules []any  `json:"virtualNetworkRules"`
}

type endpoints struct {
	File string `json:"file"`
}

func decodeAccount(body []byte) (*storageAccount, error) {
	var a storageAccount
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("a stored storage account: %w", err)
	}
	return &a, nil
}

func skuOf(name string) accountSku {
	tier := "Standard"
	if strings.HasPrefix(name, "Premium") {
		tier = "Premium"
	}
	return accountSku{Name: name, Tier: tier}
}

// newAccount is a new account as Azure describes it, with its defaults.
func newAccount(b *accountBody, id, name, loc, sku, kind, created string) *storageAccount {
	a := &storageAccount{ID: id, Kind: kind, Location: loc, Name: name, Type: Type, Sku: skuOf(sku), Tags: tagsOf(b.Tags),
		Properties: accountProps{
			KeyCreationTime: keyTimes{created, created}, PrivateEndpointConnections: []any{}, MinimumTLSVersion: "TLS1_0",
			NetworkAcls:              networkAcls{Bypass: "AzureServices", DefaultAction: "Allow", IPRules: []any{}, IPv6Rules: []any{}, VirtualNetworkRules: []any{}},
			SupportsHTTPSTrafficOnly: true, ProvisioningState: "Creating", CreationTime: created, PrimaryLocation: loc, StatusOfPrimary: "available",
		}}
	enc := &a.Properties.Encryption
	enc.KeySource = "Microsoft.Storage"
	enc.Services.Blob = encryptionService{Enabled: true, KeyType: "Account", LastEnabledTime: created}
	enc.Services.File = enc.Services.Blob
	if kind == "StorageV2" || kind == "BlobStorage" {
		a.Properties.AccessTier = "Hot"
	}
	a.apply(b)
	return a
}

func tagsOf(in map[string]*string) map[string]string {
	tags := map[string]string{}
	for k, v := range in {
		if v == nil {
			tags[k] = ""
		} else {
			tags[k] = *v
		}
	}
	return tags
}

// apply sets what a PUT or PATCH names; the rest stays.
func (a *storageAccount) apply(b *accountBody) {
	if b.Properties == nil {
		return
	}
	p, ap := b.Properties, &a.Properties
	if p.SupportsHTTPSTrafficOnly != nil {
		ap.SupportsHTTPSTrafficOnly = *p.SupportsHTTPSTrafficOnly
	}
	if p.AllowBlobPublicAccess != nil {
		ap.AllowBlobPublicAccess = *p.AllowBlobPublicAccess
	}
	if p.AllowSharedKeyAccess != nil {
		v := *p.AllowSharedKeyAccess
		ap.AllowSharedKeyAccess = &v
	}
	for _, f := range []struct {
		in  *string
		out *string
	}{{p.MinimumTLSVersion, &ap.MinimumTLSVersion}, {p.AccessTier, &ap.AccessTier}, {p.PublicNetworkAccess, &ap.PublicNetworkAccess},
		{p.LargeFileSharesState, &ap.LargeFileSharesState}} {
		if f.in != nil {
			*f.out = *f.in
		}
	}
}
