// Package bench measures aci against aci local with real processes and real HTTPS:
// `make bench` (go test -bench). Numbers are reported as p50/p99 metrics.
package bench

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var aciBin, configDir string

func TestMain(m *testing.M) {
	dir, _ := os.MkdirTemp("", "aci-bench")
	aciBin = filepath.Join(dir, "aci")
	configDir = filepath.Join(dir, "config")
	for _, bin := range []string{"aci", "aci-local"} {
		build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", filepath.Join(dir, bin), "../../cmd/"+bin)
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
			os.Exit(1)
		}
	}
	if out, err := aci("local", "start", "--detach", "--port", "0", "-o", "none"); err != nil {
		fmt.Fprintf(os.Stderr, "local start: %v\n%s", err, out)
		os.Exit(1)
	}
	time.Sleep(2 * time.Second) // let start-up settle before reading memory at rest
	idleRSS, _, _ = readServerMemory()
	code := m.Run()
	printTargets()
	aci("local", "stop")
	os.RemoveAll(dir)
	os.Exit(code)
}

func aci(args ...string) ([]byte, error) {
	cmd := exec.Command(aciBin, args...)
	cmd.Env = append(os.Environ(), "ACI_CONFIG_DIR="+configDir)
	return cmd.CombinedOutput()
}

// seedGroups creates n groups straight through the ARM API (not the subject here).
func seedGroups(b *testing.B, n int) {
	state := filepath.Join(configDir, "local")
	var rt struct{ Endpoint string }
	raw, _ := os.ReadFile(filepath.Join(state, "runtime.json"))
	json.Unmarshal(raw, &rt)
	var id struct{ TenantID, SubscriptionID, ClientID, ClientSecret string }
	raw, _ = os.ReadFile(filepath.Join(state, "principals.json"))
	json.Unmarshal(raw, &id)
	pem, _ := os.ReadFile(filepath.Join(state, "ca.pem"))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, MaxIdleConnsPerHost: 16}}
	resp, err := c.PostForm(rt.Endpoint+"/adfs/oauth2/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {id.ClientID}, "client_secret": {id.ClientSecret}, "scope": {"https://management.core.windows.net//.default"}})
	if err != nil {
		b.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			req, _ := http.NewRequest("PUT", fmt.Sprintf("%s/subscriptions/%s/resourcegroups/seed-%04d?api-version=2021-04-01", rt.Endpoint, id.SubscriptionID, i),
				strings.NewReader(`{"location":"westus"}`))
			req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
			if r, err := c.Do(req); err == nil {
				r.Body.Close()
			}
		}(i)
	}
	wg.Wait()
}

func report(b *testing.B, d []time.Duration) (p50, p99 float64) {
	p50, p99 = quantile(d, 0.5), quantile(d, 0.99)
	b.ReportMetric(p50, "p50-ms")
	b.ReportMetric(p99, "p99-ms")
	b.ReportMetric(0, "ns/op")
	return p50, p99
}

// BenchmarkStartupVsAz: `group list --help` (start-up, command tree, help; no
// request) of aci against the real az, side by side; the ratio is the number
// that matters (the design asks for at least 100×).
func BenchmarkStartupVsAz(b *testing.B) {
	az, err := exec.LookPath("az")
	if err != nil {
		b.Fatal("the real az is needed for the comparison (make deps)")
	}
	time1 := func(name string, args ...string) time.Duration {
		cmd := exec.Command(name, args...)
		cmd.Env = append(os.Environ(), "ACI_CONFIG_DIR="+configDir, "AZURE_CONFIG_DIR="+filepath.Join(configDir, "az"), "AZURE_CORE_COLLECT_TELEMETRY=false")
		t := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s: %v: %s", name, err, out)
		}
		return time.Since(t)
	}
	time1(az, "group", "list", "--help") // az compiles its command index on first use
	var ad, zd []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := 0; j < 10; j++ {
			ad = append(ad, time1(aciBin, "group", "list", "--help"))
		}
		zd = append(zd, time1(az, "group", "list", "--help"))
	}
	a, z := median(ad), median(zd)
	b.ReportMetric(a, "aci-ms")
	b.ReportMetric(z, "az-ms")
	b.ReportMetric(z/a, "x-faster")
	b.ReportMetric(0, "ns/op")
	fmt.Printf("start-up (group list --help, median): aci %.1f ms, az %.0f ms: aci is %.0f× faster\n", a, z, z/a)
	target("1. start-up: az group list --help / aci's", z/a, true, 150, "×")
}

// BenchmarkGroupList1000: one `aci group list` process against 1,000 groups
// (ten pages), start-up included.
func BenchmarkGroupList1000(b *testing.B) {
	seedGroups(b, 1000)
	if out, _ := aci("group", "list", "--query", "length(@)", "-o", "tsv"); strings.TrimSpace(string(out)) != "1000" {
		b.Fatalf("seeded groups: %s", out)
	}
	var ds []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := time.Now()
		if out, err := aci("group", "list", "-o", "none"); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
		ds = append(ds, time.Since(t))
	}
	_, p99 := report(b, ds)
	target("2. group list, 1,000 groups, one process: p99", p99, false, 30, "ms")
}

// BenchmarkConcurrentCreates100: 100 `aci group create` processes at once; each
// op is one round of 100, reported per command.
func BenchmarkConcurrentCreates100(b *testing.B) {
	var mu sync.Mutex
	var ds []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var wg sync.WaitGroup
		for j := 0; j < 100; j++ {
			wg.Add(1)
			go func(j int) {
				defer wg.Done()
				t := time.Now()
				out, err := aci("group", "create", "-n", fmt.Sprintf("c-%d-%d", i, j), "-l", "westus", "-o", "none")
				d := time.Since(t)
				if err != nil {
					b.Errorf("%v: %s", err, out)
				}
				mu.Lock()
				ds = append(ds, d)
				mu.Unlock()
			}(j)
		}
		wg.Wait()
	}
	_, p99 := report(b, ds)
	target("2. 100 concurrent group create processes: p99", p99, false, 600, "ms")
}
