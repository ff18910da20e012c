//go:build tools

// Package controlplane pins the upstream commands the connector's tests
// build: kube-apiserver, kube-scheduler and kube-controller-manager, and
// kubectl at the same release (no version skew to reason about).
package controlplane

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
