package e2e

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"
)

// BenchmarkConnector measures what the connector adds: pod created with
// kubectl -> pod IP answering HTTP, against aci container create -> HTTP of
// the same image on the same aci local (the target: at most 1.2x),
// and 50 pods created at once until all are Running. `make bench` runs it.
func BenchmarkConnector(b *testing.B) {
	c := newCluster(b)
	firstAnswer := func(ip string) {
		deadline := time.Now().Add(60 * time.Second)
		client := &http.Client{Timeout: time.Second}
		for time.Now().Before(deadline) {
			if resp, err := client.Get("http://" + ip + "/"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					return
				}
			}
			time.Sleep(10 * time.Millisecond)
		}
		b.Fatalf("%s never answered", ip)
	}
	viaACI := func(i int) time.Duration {
		name := fmt.Sprintf("direct-%d", i)
		start := time.Now()
		r := must(b, run(b, c.env, aciBin, "container", "create", "-g", c.rg, "-n", name, "--image", helloImage,
			"--ports", "80", "--ip-address", "Public", "--query", "ipAddress.ip", "-o", "tsv"), 0)
		firstAnswer(strings.TrimSpace(r.stdout))
		d := time.Since(start)
		must(b, run(b, c.env, aciBin, "container", "delete", "-g", c.rg, "-n", name, "--yes", "-o", "none"), 0)
		return d
	}
	viaPod := func(i int) time.Duration {
		name := fmt.Sprintf("bench-%d", i)
		start := time.Now()
		c.apply("apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + "}\nspec:\n  nodeName: aci-connector\n  containers:\n  - {name: c, image: " + helloImage + ", ports: [{containerPort: 80}]}\n")
		must(b, c.k("wait", "--for=jsonpath={.status.podIP}", "pod/"+name, "--timeout=60s"), 0)
		firstAnswer(c.jsonpath("pod", name, "{.status.podIP}"))
		d := time.Since(start)
		must(b, c.k("delete", "pod", name, "--wait=true"), 0)
		return d
	}
	viaACI(-1) // warm-up: the image and both paths
	viaPod(-1)
	var direct, pods []time.Duration
	for i := 0; i < b.N; i++ {
		direct = append(direct, viaACI(i))
		pods = append(pods, viaPod(i))
	}
	med := func(d []time.Duration) float64 {
		s := append([]time.Duration{}, d...)
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		return float64(s[len(s)/2].Microseconds()) / 1000
	}
	a, p := med(direct), med(pods)
	b.ReportMetric(a, "aci-create-ms")
	b.ReportMetric(p, "pod-ms")
	b.ReportMetric(p/a, "x-of-aci")

	start := time.Now()
	c.apply(fiftyPods("bench50"))
	c.until("50 pods Running", 300*time.Second, func() bool { return c.running("batch=bench50") == 50 })
	fifty := time.Since(start)
	b.ReportMetric(float64(fifty.Milliseconds()), "50-pods-ms")
	b.ReportMetric(0, "ns/op")
	fmt.Printf("connector: pod -> HTTP %.0f ms, aci container create -> HTTP %.0f ms: %.2fx (target <= 1.20x); 50 pods Running in %.1f s\n",
		p, a, p/a, fifty.Seconds())
	c.k("delete", "pods", "-l", "batch=bench50", "--wait=true", "--timeout=180s")
}
