package azshape

// Specs of the models az prints, from the REST specs in shared/reference/rest-specs
// and checked against az's golden output.

// ResourceGroup is azure-mgmt-resource's ResourceGroup (properties not flattened).
var ResourceGroup = New("id", "location", "managedBy", "name",
	O("properties", New("provisioningState")), "tags", "type")

// Provider is azure-mgmt-resource's Provider.
var Provider = New("id", "namespace", "providerAuthorizationConsentState", "registrationPolicy", "registrationState",
	L("resourceTypes", New("aliases", "apiProfiles", "apiVersions", "capabilities", "defaultApiVersion",
		"locationMappings", "locations", "properties", "resourceType", "zoneMappings")))

// Location is azure-mgmt-resource's subscription Location.
var Location = New("displayName", "id", "metadata", "name", "regionalDisplayName", "type")
