// Package wire is what `aci local` (in the aci CLI) and the aci-local server
// binary agree on: the files of a state dir, the principal file's shape, the
// pointer to a running instance, the token audience, and where the server
// binary is. It imports nothing heavy, so the CLI's start-up stays fast while
// the server's dependencies (the Docker SDK, bbolt, the providers) live only
// in aci-local, as dockerd's do beside docker.
package wire

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// ARMAudience is the token audience of Azure Resource Manager (with its slash,
// as az and MSAL send it).
const ARMAudience = "https://management.core.windows.net/"

// LocalSuffix is the DNS suffix of aci local's data planes (registries under
// "acr.", storage under "file."/"blob."). Names under .localhost never belong
// to anyone else (RFC 6761); aci dials them on loopback without asking DNS.
const LocalSuffix = "aci.localhost"

// DefaultPort is where `aci local start` listens unless told otherwise.
const DefaultPort = 47443

// Files of a state dir.
func CAFile(stateDir string) string         { return filepath.Join(stateDir, "ca.pem") }
func PrincipalsFile(stateDir string) string { return filepath.Join(stateDir, "principals.json") }
func RuntimeFile(stateDir string) string    { return filepath.Join(stateDir, "runtime.json") }
func ServerLog(stateDir string) string      { return filepath.Join(stateDir, "server.log") }

// Principals is principals.json (mode 0600): the local tenant's ids and
// secrets.
type Principals struct {
	TenantID       string `json:"tenantId"`
	SubscriptionID string `json:"subscriptionId"`
	ClientID       string `json:"clientId"`
	ClientSecret   string `json:"clientSecret"`
	UserName       string `json:"userName"`
	UserPassword   string `json:"userPassword"`
	// MSISecret guards the managed-identity endpoint: only who can read this
	// file (or was handed the value, as IDENTITY_HEADER) gets such a token.
	MSISecret string `json:"msiSecret"`
}

// RuntimeInfo is runtime.json, written by a running server.
type RuntimeInfo struct {
	PID      int    `json:"pid"`
	Endpoint string `json:"endpoint"`
}

// IsLoopback reports whether a listen host stays on this machine.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ServerName is the server binary's file name.
func ServerName() string { return exeName("aci-local") }

// ConnectorName is the Kubernetes connector's binary's file name.
func ConnectorName() string { return exeName("aci-connector") }

func exeName(base string) string {
	if runtime.GOOS == "windows" {
		return base + ".exe"
	}
	return base
}

// ErrNoServer says how to get the server binary.
var ErrNoServer = errors.New("aci local needs the aci-local binary next to aci or on PATH (make build builds both; or go install github.com/aci-cli/aci/cmd/aci-local@latest)")

// ErrNoConnector says how to get the connector binary.
var ErrNoConnector = errors.New("aci connector needs the aci-connector binary next to aci or on PATH (make build builds it; or go install github.com/aci-cli/aci/cmd/aci-connector@latest)")

// ServerBinary finds aci-local: next to the running aci first (a release
// archive or bin/ holds both), then on PATH.
func ServerBinary() (string, error) { return sibling(ServerName(), ErrNoServer) }

// ConnectorBinary finds aci-connector the same way.
func ConnectorBinary() (string, error) { return sibling(ConnectorName(), ErrNoConnector) }

func sibling(name string, missing error) (string, error) {
	if exe, err := os.Executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		p := filepath.Join(filepath.Dir(exe), name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return "", missing
}
