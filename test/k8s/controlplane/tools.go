//go:build tools

// Package controlplane pins the upstream commands the connector's tests
// build: kube-apiserver, kube-scheduler and kube-controller-manager.
package controlplane

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
