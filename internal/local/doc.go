// Package local is `aci local`: an Azure Resource Manager endpoint on loopback that
// aci and the real az CLI use unchanged.
//
// Layers: the router (auth, api-version, request ids, throttling, logging, path
// parsing) → one Handler per resource type, found in a registry keyed by
// "Namespace/type" → the Store → a runtime (container groups, in later work).
// Adding a resource type is one Register call; the router does not change.
//
// Persistence is bbolt: a single-file, transactional, pure-Go store (no cgo, so the
// binary stays static) whose commits are fsynced before a write is acknowledged, so
// a kill -9 loses nothing that a client was told had succeeded.
package local
