package e2e

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
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
	// The pod side talks to the API server as a client library does (create,
	// then watch for the pod IP): kubectl's own start-up (three processes of
	// ~100 ms) would be measured otherwise, not the connector.
	kube, err := kubernetes.NewForConfig(c.restConfig())
	if err != nil {
		b.Fatal(err)
	}
	pods := kube.CoreV1().Pods("default")
	viaPod := func(i int) time.Duration {
		name := fmt.Sprintf("bench-%d", i)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		start := time.Now()
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.PodSpec{NodeName: "aci-connector",
			Containers: []corev1.Container{{Name: "c", Image: helloImage, Ports: []corev1.ContainerPort{{ContainerPort: 80}}}}}}
		if _, err := pods.Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
		w, err := pods.Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + name})
		if err != nil {
			b.Fatal(err)
		}
		ip := ""
		for ev := range w.ResultChan() {
			if p, ok := ev.Object.(*corev1.Pod); ok && p.Status.PodIP != "" {
				ip = p.Status.PodIP
				break
			}
		}
		w.Stop()
		if ip == "" {
			b.Fatalf("pod %s never got an IP", name)
		}
		firstAnswer(ip)
		d := time.Since(start)
		must(b, c.k("delete", "pod", name, "--wait=true"), 0)
		return d
	}
	viaACI(-1) // warm-up: the image and both paths
	viaPod(-1)
	var direct, viaPods []time.Duration
	for i := 0; i < b.N; i++ {
		direct = append(direct, viaACI(i))
		viaPods = append(viaPods, viaPod(i))
	}
	med := func(d []time.Duration) float64 {
		s := append([]time.Duration{}, d...)
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		return float64(s[len(s)/2].Microseconds()) / 1000
	}
	a, p := med(direct), med(viaPods)
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
