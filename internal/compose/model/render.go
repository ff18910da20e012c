package model

import (
	"bytes"
	"encoding/json"
	"fmt"

	"gopkg.in/yaml.v3"
)

// YAML is the group as `aci container create --file` reads it.
func (g *Group) YAML() ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(g); err != nil {
		return nil, err
	}
	return b.Bytes(), enc.Close()
}

// Body is the group as ARM's PUT body (the name, type and api-version are
// in the URL).
func (g *Group) Body() (map[string]any, error) {
	b, err := json.Marshal(g)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	delete(m, "name")
	delete(m, "type")
	delete(m, "apiVersion")
	return m, nil
}

// StorageAPIVersion is the Microsoft.Storage api-version of templates.
const StorageAPIVersion = "2023-01-01"

// Template is an ARM template deploying the project: the storage accounts
// and shares its named volumes need (keys read with listKeys, never written
// down), then the group. The location is a parameter defaulting to the
// resource group's.
func (r *Result) Template() (map[string]any, error) {
	body, err := r.Group.Body()
	if err != nil {
		return nil, err
	}
	body["type"] = r.Group.Type
	body["apiVersion"] = APIVersion
	body["name"] = r.Group.Name
	body["location"] = "[parameters('location')]"
	var resources []any
	var depends []any
	accounts := map[string]bool{}
	for _, s := range r.Shares {
		if s.External {
			continue
		}
		acct := fmt.Sprintf("resourceId('Microsoft.Storage/storageAccounts', '%s')", s.Account)
		if !accounts[s.Account] {
			accounts[s.Account] = true
			resources = append(resources, map[string]any{"type": "Microsoft.Storage/storageAccounts", "apiVersion": StorageAPIVersion,
				"name": s.Account, "location": "[parameters('location')]", "sku": map[string]any{"name": "Standard_LRS"},
				"kind": "StorageV2", "tags": map[string]any{ProjectTag: r.Group.Tags[ProjectTag]}})
		}
		share := fmt.Sprintf("resourceId('Microsoft.Storage/storageAccounts/fileServices/shares', '%s', 'default', '%s')", s.Account, s.Name)
		resources = append(resources, map[string]any{"type": "Microsoft.Storage/storageAccounts/fileServices/shares",
			"apiVersion": StorageAPIVersion, "name": s.Account + "/default/" + s.Name,
			"properties": map[string]any{"metadata": map[string]any{ShareMetadataKey: r.Group.Tags[ProjectTag]}},
			"dependsOn":  []any{"[" + acct + "]"}})
		depends = append(depends, "["+share+"]")
	}
	props, _ := body["properties"].(map[string]any)
	if vols, ok := props["volumes"].([]any); ok {
		for _, v := range vols {
			af, _ := v.(map[string]any)["azureFile"].(map[string]any)
			if af == nil {
				continue
			}
			af["storageAccountKey"] = fmt.Sprintf("[listKeys(resourceId('Microsoft.Storage/storageAccounts', '%s'), '%s').keys[0].value]",
				af["storageAccountName"], StorageAPIVersion)
		}
	}
	if len(depends) > 0 {
		body["dependsOn"] = depends
	}
	resources = append(resources, body)
	t := map[string]any{
		"$schema":        "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
		"contentVersion": "1.0.0.0",
		"parameters": map[string]any{"location": map[string]any{"type": "string", "defaultValue": "[resourceGroup().location]",
			"metadata": map[string]any{"description": "Where the container group (and its storage) runs."}}},
		"resources": resources,
	}
	if r.Group.Properties.IPAddress != nil {
		t["outputs"] = map[string]any{"ipAddress": map[string]any{"type": "string",
			"value": fmt.Sprintf("[reference(resourceId('Microsoft.ContainerInstance/containerGroups', '%s')).ipAddress.ip]", r.Group.Name)}}
	}
	return t, nil
}
