package resources

import (
	"encoding/json"
	"fmt"

	"github.com/aci-cli/aci/internal/local/core"
)

// deployment is ARM's DeploymentExtended: what PUT answers and GET returns,
// and what the store keeps. Fields are in the JSON's alphabetical order
// (the wire form earlier maps gave); parameters and outputs are the
// template's own, so they stay free-form.
type deployment struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Properties deploymentProps `json:"properties"`
	Type       string          `json:"type"`
}

type deploymentProps struct {
	CorrelationID      string          `json:"correlationId"`
	Dependencies       []any           `json:"dependencies"`
	Duration           string          `json:"duration"`
	Error              *core.ErrorBody `json:"error,omitempty"`
	Mode               string          `json:"mode"`
	OnErrorDeployment  any             `json:"onErrorDeployment,omitempty"`
	OutputResources    *[]any          `json:"outputResources,omitempty"`
	Outputs            any             `json:"outputs,omitempty"`
	Parameters         any             `json:"parameters"`
	Providers          []any           `json:"providers"`
	ProvisioningState  string          `json:"provisioningState"`
	TemplateHash       string          `json:"templateHash"`
	Timestamp          string          `json:"timestamp"`
	ValidatedResources any             `json:"validatedResources,omitempty"`
}

// outcome is what a deployment's end adds to its shape.
type outcome struct {
	outputResources *[]any
	outputs         any
	onError         any // the rollback deployment it triggered
	validated       any // validate's answer
}

func decodeDeployment(b []byte) (*deployment, error) {
	var dep deployment
	if err := json.Unmarshal(b, &dep); err != nil {
		return nil, fmt.Errorf("a stored deployment: %w", err)
	}
	return &dep, nil
}
