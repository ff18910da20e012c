// Package arm is aci's thin Azure Resource Manager client: clouds, the login profile,
// credentials, the azcore pipeline (retries, request ids, user agent, redacted debug
// logging), long-running operations, paging, and the ARM error envelope.
//
// Services return the wire JSON of each resource (decoded, not typed) because az's
// output keeps fields the Go SDK models would drop; azshape turns it into az's shape.
package arm
