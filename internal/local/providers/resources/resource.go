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
	Dependencies       []dependency    `json:"dependencies"`
	Duration           string          `json:"duration"`
	Error              *core.ErrorBody `json:"error,omitempty"`
	Mode               string          `json:"mode"`
	OnErrorDeployment  any             `json:"onErrorDeployment,omitempty"`
	OutputResources    *[]resourceRef  `json:"outputResources,omitempty"`
	Outputs            any             `json:"outputs,omitempty"`
	Parameters         any             `json:"parameters"`
	Providers          []providerInfo  `json:"providers"`
	ProvisioningState  string          `json:"provisioningState"`
	TemplateHash       string          `json:"templateHash"`
	Timestamp          string          `json:"timestamp"`
	ValidatedResources any             `json:"validatedResources,omitempty"`
}

// outcome is what a deployment's end adds to its shape.
type outcome struct {
	outputResources *[]resourceRef
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

// The parts of a deployment and its operations, fields in the wire's
// alphabetical order.
type (
	resourceRef struct {
		ID string `json:"id"`
	}
	providerInfo struct {
		Namespace     string         `json:"namespace"`
		ResourceTypes []providerType `json:"resourceTypes"`
	}
	providerType struct {
		Locations    []string `json:"locations"`
		ResourceType string   `json:"resourceType"`
	}
	basicDependency struct {
		ID           string `json:"id"`
		ResourceName string `json:"resourceName"`
		ResourceType string `json:"resourceType"`
	}
	dependency struct {
		DependsOn    []basicDependency `json:"dependsOn"`
		ID           string            `json:"id"`
		ResourceName string            `json:"resourceName"`
		ResourceType string            `json:"resourceType"`
	}
	operationItem struct {
		ID          string         `json:"id"`
		OperationID string         `json:"operationId"`
		Properties  operationProps `json:"properties"`
	}
	operationProps struct {
		Duration              string          `json:"duration"`
		ProvisioningOperation string          `json:"provisioningOperation"`
		ProvisioningState     string          `json:"provisioningState"`
		ServiceRequestID      string          `json:"serviceRequestId"`
		StatusCode            string          `json:"statusCode"`
		StatusMessage         *statusMessage  `json:"statusMessage,omitempty"`
		TargetResource        basicDependency `json:"targetResource"`
		Timestamp             string          `json:"timestamp"`
		TrackingID            string          `json:"trackingId"`
	}
	statusMessage struct {
		Error *core.ErrorBody `json:"error"`
	}
)

type (
	onErrorTarget struct {
		DeploymentName string `json:"deploymentName"`
		Type           string `json:"type"`
	}
	// whatIfResult is What-If's answer; before and after are the
	// resources' own JSON.
	whatIfResult struct {
		Error      *core.ErrorBody `json:"error,omitempty"`
		Properties *whatIfProps    `json:"properties,omitempty"`
		Status     string          `json:"status"`
	}
	whatIfProps struct {
		Changes []whatIfChange `json:"changes"`
	}
	whatIfChange struct {
		After      map[string]any `json:"after,omitempty"`
		Before     map[string]any `json:"before,omitempty"`
		ChangeType string         `json:"changeType"`
		ResourceID string         `json:"resourceId"`
	}
)
