// Package core is the ARM-compatible heart of `aci local`: the HTTPS listener,
// the token service, the router, the store, asynchronous operations and the
// ARM scaffolding every resource lives in (subscriptions, tenants, locations,
// resource groups, provider registration).
//
// Layers: core (this package) → providers (one package per resource provider
// under internal/local/providers, each registering Handlers for its types) →
// runtimes (internal/local/runtime and its implementations) for what runs.
// The router authenticates, checks the api-version, parses the path and hands
// "Namespace/type" to the registered Handler: adding a provider is Register
// calls, never router code. Non-ARM endpoints (websockets, data planes) are
// added with HandleFunc.
//
// Persistence is bbolt: a single-file, transactional, pure-Go store (no cgo, so
// the binary stays static) whose commits are fsynced before a write is
// acknowledged, so a kill -9 loses nothing that a client was told had
// succeeded. Each resource's private part is sealed (see Store).
package core
