// Package connector is the ACI connector for Kubernetes: a virtual node
// (virtual-kubelet) whose pods run as container groups, on Azure or on aci
// local. It lives in the aci-connector binary, never in aci, so aci's
// start-up does not pay for client-go.
//
// The parts: names.go (pod -> group name and ownership tags), convert.go
// (pod spec -> container group body, refusing what ACI cannot express),
// status.go (group -> pod status and events), provider.go (virtual-kubelet's
// provider: create, delete, status loop, adoption and orphans), streams.go
// (kubectl logs and exec), node.go (the node object and its kubelet API),
// run.go (the aci-connector command line).
package connector
