package template

import (
	"strings"

	"github.com/google/uuid"
)

// scopeFuncs read the deployment around the expression: parameters,
// variables, the group, ids and other resources' state.
func scopeFuncs() map[string]builtin {
	list := builtin{min: 1, max: 3, fn: listFunc}
	return map[string]builtin{
		"parameters":      {min: 1, max: 1, free: true, fn: parametersFunc},
		"variables":       {min: 1, max: 1, free: true, fn: variablesFunc},
		"resourcegroup":   {fn: resourceGroupFunc},
		"subscription":    {fn: subscriptionFunc},
		"deployment":      {fn: deploymentFunc},
		"resourceid":      {min: 2, max: -1, fn: resourceIDFunc},
		"reference":       {min: 1, max: 3, fn: referenceFunc},
		"listkeys":        list,
		"listcredentials": list,
		"listcredential":  list,
		"listsecrets":     list,
		"copyindex":       {max: 2, fn: copyIndexFunc},
		"newguid":         {max: -1, fn: func(*invocation) (any, error) { return uuid.NewString(), nil }},
		"utcnow": {max: -1, fn: func(in *invocation) (any, error) {
			return nil, in.fail("can only be used in a parameter's default value, which aci local does not support.")
		}},
	}
}

func parametersFunc(in *invocation) (any, error) {
	n, err := in.str(0)
	if err != nil {
		return nil, err
	}
	for k, v := range in.s.params {
		if strings.EqualFold(k, n) {
			return v, nil
		}
	}
	return nil, invalidTemplate("The template parameter '%s' is not found. Please see https://aka.ms/arm-template/#parameters for usage details.", n)
}

func variablesFunc(in *invocation) (any, error) {
	n, err := in.str(0)
	if err != nil {
		return nil, err
	}
	return in.s.Variable(n)
}

func resourceGroupFunc(in *invocation) (any, error) {
	env := in.s.env
	tags := env.GroupTags
	if tags == nil {
		tags = map[string]any{}
	}
	return map[string]any{"id": "/subscriptions/" + env.SubscriptionID + "/resourceGroups/" + env.ResourceGroup,
		"name": env.ResourceGroup, "type": "Microsoft.Resources/resourceGroups", "location": env.Location, "tags": tags,
		"properties": map[string]any{"provisioningState": "Succeeded"}}, nil
}

func subscriptionFunc(in *invocation) (any, error) {
	env := in.s.env
	return map[string]any{"id": "/subscriptions/" + env.SubscriptionID, "subscriptionId": env.SubscriptionID,
		"tenantId": env.TenantID, "displayName": "aci local"}, nil
}

func deploymentFunc(in *invocation) (any, error) {
	return map[string]any{"name": in.s.env.DeploymentName, "properties": map[string]any{"templateHash": "", "mode": "Incremental"}}, nil
}

func resourceIDFunc(in *invocation) (any, error) {
	parts, err := in.strs()
	if err != nil {
		return nil, err
	}
	return in.s.resourceID(parts)
}

func referenceFunc(in *invocation) (any, error) {
	id, err := in.str(0)
	if err != nil {
		return nil, err
	}
	apiVersion, err := in.optStr(1, "")
	if err != nil {
		return nil, err
	}
	f, err := in.optStr(2, "")
	if err != nil {
		return nil, err
	}
	id = in.s.idOf(id)
	if in.s.static || in.s.env.Reference == nil {
		return nil, errNotYet
	}
	return in.s.env.Reference(id, apiVersion, strings.EqualFold(f, "Full"))
}

// listFunc is listKeys() and its kin; the api-version is taken as given,
// whatever its type, as ARM does.
func listFunc(in *invocation) (any, error) {
	id, err := in.str(0)
	if err != nil {
		return nil, err
	}
	apiVersion := ""
	if len(in.args) > 1 {
		apiVersion, _ = in.args[1].(string)
	}
	if in.s.static || in.s.env.List == nil {
		return nil, errNotYet
	}
	return in.s.env.List(in.s.idOf(id), in.c.Name, apiVersion)
}

func copyIndexFunc(in *invocation) (any, error) {
	loop, offset := "", int64(0)
	for i, a := range in.args {
		switch v := a.(type) {
		case string:
			loop = v
		case int64:
			offset = v
		default:
			return nil, in.fail("expects a loop name or an offset. Parameter %sis of type '%s'.", ordinal(i, len(in.args)), typeName(a))
		}
	}
	idx, ok := in.s.loops[loop]
	if !ok && loop != "" {
		for k, v := range in.s.loops {
			if strings.EqualFold(k, loop) {
				idx, ok = v, true
			}
		}
	}
	if !ok {
		return nil, invalidTemplate("The template function 'copyIndex' is not expected at this location. The function can only be used in a resource with copy specified.")
	}
	return int64(idx) + offset, nil
}
