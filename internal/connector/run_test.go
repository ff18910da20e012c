package connector

import (
	"os"
	"path/filepath"
	"testing"
)

// The connector asks the API server as a kubelet does, at 50 requests a
// second: client-go's default of 5 delayed each new pod by a third of a
// second (BenchmarkConnector).
func TestKubeClientHasAKubeletsBudget(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := kubeClient(path)
	if err != nil {
		t.Fatal(err)
	}
	if qps := c.CoreV1().RESTClient().GetRateLimiter().QPS(); qps != kubeQPS {
		t.Fatalf("QPS %v, want %v", qps, kubeQPS)
	}
	if _, err := kubeClient(filepath.Join(t.TempDir(), "missing")); err == nil && os.Getenv("KUBERNETES_SERVICE_HOST") == "" {
		t.Fatal("no kubeconfig and no cluster gave a client")
	}
}
