package bench

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// azEnv is a fresh az config dir pointed at aci local and logged in, from
// the lines `aci local env` prints (as a user runs them).
func azEnv(b *testing.B) (string, []string) {
	b.Helper()
	az, err := exec.LookPath("az")
	if err != nil {
		b.Fatal("the real az is needed for the comparison (make deps)")
	}
	lines, err := aci("local", "env")
	if err != nil {
		b.Fatalf("local env: %v %s", err, lines)
	}
	env := append(os.Environ(), "AZURE_CONFIG_DIR="+filepath.Join(b.TempDir(), "az"), "AZURE_CORE_COLLECT_TELEMETRY=false", "AZURE_CORE_NO_COLOR=true")
	for _, l := range strings.Split(strings.TrimSpace(string(lines)), "\n") {
		if v, ok := strings.CutPrefix(l, "export "); ok {
			env = append(env, v)
			continue
		}
		c := exec.Command("bash", "-c", l)
		c.Env = append(append([]string{}, env...), "AZURE_CORE_OUTPUT=none")
		if out, err := c.CombinedOutput(); err != nil {
			b.Fatalf("%s: %v %s", l, err, out)
		}
	}
	return az, env
}

// timed runs a command and returns its wall time and peak RSS (bytes).
func timed(b *testing.B, env []string, name string, args ...string) (time.Duration, int64) {
	b.Helper()
	c := exec.Command(name, args...)
	c.Env = env
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	t := time.Now()
	if err := c.Run(); err != nil {
		b.Fatalf("%s %v: %v\n%s", name, args, err, out.String())
	}
	d := time.Since(t)
	rss := int64(0)
	if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss * 1024
	}
	return d, rss
}

func aciEnv() []string { return append(os.Environ(), "ACI_CONFIG_DIR="+configDir) }

// BenchmarkGroupListVsAz: `group list -o none` of aci and of the real az on
// the same aci local and the same groups (at least 200), medians.
func BenchmarkGroupListVsAz(b *testing.B) {
	out, _ := aci("group", "list", "--query", "length(@)", "-o", "tsv")
	if n, _ := strconv.Atoi(strings.TrimSpace(string(out))); n < 200 {
		seedGroups(b, 200)
	}
	out, _ = aci("group", "list", "--query", "length(@)", "-o", "tsv")
	az, env := azEnv(b)
	timed(b, env, az, "group", "list", "-o", "none") // az builds its command index once
	var ad, zd []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, _ := timed(b, aciEnv(), aciBin, "group", "list", "-o", "none")
		ad = append(ad, d)
		if i%4 == 0 { // az is slow: a quarter as many samples
			d, _ = timed(b, env, az, "group", "list", "-o", "none")
			zd = append(zd, d)
		}
	}
	a, z := median(ad), median(zd)
	b.ReportMetric(a, "aci-ms")
	b.ReportMetric(z, "az-ms")
	b.ReportMetric(0, "ns/op")
	fmt.Printf("group list of %s groups (median): aci %.1f ms, az %.0f ms\n", strings.TrimSpace(string(out)), a, z)
	target("2. group list on aci local: az's time / aci's", z/a, true, 60, "×")
}

// BenchmarkMemory: aci's peak RSS over its common commands, and aci
// local's resident memory at rest.
func BenchmarkMemory(b *testing.B) {
	var peak int64
	worst := ""
	for i := 0; i < b.N; i++ {
		for _, args := range [][]string{{"version"}, {"group", "list", "-o", "none"}, {"group", "list", "-o", "table"}, {"group", "list", "-o", "json"},
			{"container", "create", "--help"}, {"provider", "show", "-n", "Microsoft.ContainerInstance", "-o", "yaml"}} {
			_, rss := timed(b, aciEnv(), aciBin, args...)
			if rss > peak {
				peak, worst = rss, strings.Join(args, " ")
			}
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "aci-peak-MB")
	b.ReportMetric(0, "ns/op")
	fmt.Printf("aci's peak RSS: %.1f MB (aci %s)\n", float64(peak)/(1<<20), worst)
	target("7. aci peak RSS, any command", float64(peak)/(1<<20), false, 20, "MB")
	target("7. aci local idle, all providers loaded", idleRSS, false, 40, "MB")
}

// resetPeak starts aci-local's peak-memory count (VmHWM) over, so a
// benchmark's peak is its own and not an earlier one's.
func resetPeak(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join(configDir, "local", "runtime.json"))
	if err != nil {
		b.Fatal(err)
	}
	var rt struct{ PID int }
	json.Unmarshal(raw, &rt)
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", rt.PID), []byte("5"), 0); err != nil {
		b.Fatalf("resetting the peak: %v", err)
	}
}

// idleRSS is aci-local's resident memory just after it started (MB).
var idleRSS float64

// serverMemory is aci-local's resident and peak memory, in MB.
func serverMemory(b *testing.B) (rss, hwm float64) {
	rss, hwm, err := readServerMemory()
	if err != nil {
		b.Fatal(err)
	}
	return rss, hwm
}

func readServerMemory() (rss, hwm float64, err error) {
	raw, err := os.ReadFile(filepath.Join(configDir, "local", "runtime.json"))
	if err != nil {
		return 0, 0, err
	}
	var pid int
	if i := strings.Index(string(raw), `"pid":`); i >= 0 {
		fmt.Sscanf(string(raw[i+6:]), "%d", &pid)
	}
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, l := range strings.Split(string(st), "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 && (f[0] == "VmRSS:" || f[0] == "VmHWM:") {
			kb, _ := strconv.ParseFloat(f[1], 64)
			if f[0] == "VmRSS:" {
				rss = kb / 1024
			} else {
				hwm = kb / 1024
			}
		}
	}
	return rss, hwm, nil
}

// BenchmarkFileTransfer: a 1 GiB file through `aci storage file upload`
// and `download` against `cp` of the same file on the same disk, and the
// real az's upload to the same share; then upload-batch of 1,000 small
// files, aci against az.
func BenchmarkFileTransfer(b *testing.B) {
	if out, err := aci("group", "create", "-n", "benchfiles", "-l", "westus", "-o", "none"); err != nil {
		b.Fatalf("%v %s", err, out)
	}
	// go test runs a benchmark again with a larger b.N: the account may be
	// there from the first run.
	if _, err := aci("storage", "account", "show", "-g", "benchfiles", "-n", "benchfiles1", "-o", "none"); err != nil {
		if out, err := aci("storage", "account", "create", "-g", "benchfiles", "-n", "benchfiles1", "-o", "none"); err != nil {
			b.Fatalf("%v %s", err, out)
		}
	}
	cs, err := aci("storage", "account", "show-connection-string", "-g", "benchfiles", "-n", "benchfiles1", "-o", "tsv")
	if err != nil {
		b.Fatalf("%v %s", err, cs)
	}
	conn := strings.TrimSpace(string(cs))
	if out, err := aci("storage", "share", "create", "-n", "big", "--connection-string", conn, "--quota", "5", "-o", "none"); err != nil {
		b.Fatalf("%v %s", err, out)
	}
	dir := b.TempDir()
	src := filepath.Join(dir, "big.bin")
	f, _ := os.Create(src)
	if _, err := io.CopyN(f, rand.Reader, 1<<30); err != nil {
		b.Fatal(err)
	}
	f.Close()
	var cpT, upT, downT, azT, floorT []time.Duration
	az, azenv := azEnv(b)
	resetPeak(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dst := filepath.Join(dir, "copy.bin")
		d, _ := timed(b, os.Environ(), "cp", src, dst)
		cpT = append(cpT, d)
		os.Remove(dst)
		floorT = append(floorT, tlsFloor(b, src, dst))
		os.Remove(dst)
		d, _ = timed(b, aciEnv(), aciBin, "storage", "file", "upload", "-s", "big", "--source", src, "-p", "big.bin", "--connection-string", conn, "-o", "none")
		upT = append(upT, d)
		d, _ = timed(b, aciEnv(), aciBin, "storage", "file", "download", "-s", "big", "-p", "big.bin", "--dest", dst, "--connection-string", conn, "-o", "none")
		downT = append(downT, d)
		os.Remove(dst)
		if i == 0 { // az's upload of 1 GiB is long: once
			d, _ = timed(b, azenv, az, "storage", "file", "upload", "-s", "big", "--source", src, "-p", "by-az.bin", "--connection-string", conn, "-o", "none")
			azT = append(azT, d)
		}
	}
	c, u, dn, z, fl := median(cpT), median(upT), median(downT), median(azT), median(floorT)
	fmt.Printf("1 GiB: cp %.0f ms, aci upload %.0f ms, aci download %.0f ms, az upload %.0f ms\n", c, u, dn, z)
	// Not a target: what any HTTPS file service can reach here, so the
	// ratios to cp's can be read against it.
	fmt.Printf("1 GiB through bare TLS on loopback (two streams, file to file): %.0f ms = %.2f× cp's throughput; aci's upload %.0f%%, download %.0f%% of it\n",
		fl, c/fl, fl/u*100, fl/dn*100)
	target("5. file upload 1 GiB: throughput / cp's", c/u, true, 0.5, "×")
	target("5. file download 1 GiB: throughput / cp's", c/dn, true, 0.5, "×")
	target("5. file upload 1 GiB: az's time / aci's", z/u, true, 3, "×")

	small := filepath.Join(dir, "small")
	os.MkdirAll(small, 0o755)
	for i := 0; i < 1000; i++ {
		os.WriteFile(filepath.Join(small, fmt.Sprintf("f%04d.txt", i)), []byte(fmt.Sprintf("file %d\n", i)), 0o644)
	}
	aciB, _ := timed(b, aciEnv(), aciBin, "storage", "file", "upload-batch", "-d", "big", "-s", small, "--destination-path", "aci", "--connection-string", conn, "-o", "none", "--only-show-errors")
	azB, _ := timed(b, azenv, az, "storage", "file", "upload-batch", "-d", "big", "-s", small, "--destination-path", "az", "--connection-string", conn, "-o", "none", "--only-show-errors")
	fmt.Printf("upload-batch of 1,000 files: aci %.0f ms, az %.0f ms\n", float64(aciB.Milliseconds()), float64(azB.Milliseconds()))
	target("5. upload-batch 1,000 files: az's time / aci's", azB.Seconds()/aciB.Seconds(), true, 5, "×")
	_, hwm := serverMemory(b)
	target("7. aci local peak while serving the file benchmark", hwm, false, 150, "MB")
}

// BenchmarkTemplateVsFile: the seed's sidecar template through `deployment
// group create` against `container create --file` of the same group (the
// template's group, exported), both until the group has provisioned.
func BenchmarkTemplateVsFile(b *testing.B) {
	if out, err := aci("group", "create", "-n", "benchtmpl", "-l", "westus", "-o", "none"); err != nil {
		b.Fatalf("%v %s", err, out)
	}
	tmpl, _ := filepath.Abs("../../examples/templates/azuredeploy.json")
	deploy := func() time.Duration {
		d, _ := timed(b, aciEnv(), aciBin, "deployment", "group", "create", "-g", "benchtmpl", "-f", tmpl, "-o", "none")
		return d
	}
	deploy() // warm-up: built-in images, the group's network
	file := filepath.Join(b.TempDir(), "group.yaml")
	if out, err := aci("container", "export", "-g", "benchtmpl", "-n", "myContainerGroup", "-f", file); err != nil {
		b.Fatalf("export: %v %s", err, out)
	}
	// The template's api-version (2017), which takes its mixed-case name;
	// export writes the current one.
	y, _ := os.ReadFile(file)
	os.WriteFile(file, []byte(strings.Replace(string(y), "apiVersion: '2023-05-01'", "apiVersion: 2017-08-01-preview", 1)), 0o644)
	del := func() {
		if out, err := aci("container", "delete", "-g", "benchtmpl", "-n", "myContainerGroup", "--yes", "-o", "none"); err != nil {
			b.Fatalf("delete: %v %s", err, out)
		}
	}
	del()
	var td, fd []time.Duration
	resetPeak(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		td = append(td, deploy())
		del()
		d, _ := timed(b, aciEnv(), aciBin, "container", "create", "-g", "benchtmpl", "--file", file, "-o", "none")
		fd = append(fd, d)
		del()
	}
	t, f := median(td), median(fd)
	fmt.Printf("sidecar group: template %.0f ms, --file %.0f ms\n", t, f)
	target("6. template deploy / container create --file", t/f, false, 1.2, "×")
	_, hwm := serverMemory(b)
	target("7. aci local peak while deploying templates", hwm, false, 150, "MB")
}

// BenchmarkCreateVsDocker: aci local's create → first HTTP answer against a
// raw `docker run` of the same image on the same engine, medians of
// `aci bench --baseline docker` (b.N measured runs each, after a warm-up).
// Its probe and poll interval (5 ms) bounds the timing error of each phase.
func BenchmarkCreateVsDocker(b *testing.B) {
	if out, err := aci("group", "create", "-n", "benchhttp", "-l", "westus", "-o", "none"); err != nil {
		b.Fatalf("%v %s", err, out)
	}
	rep := filepath.Join(b.TempDir(), "runs.json")
	const probe = 5 * time.Millisecond
	resetPeak(b)
	out, err := aci("bench", "-g", "benchhttp", "--image", "mcr.microsoft.com/azuredocs/aci-helloworld", "--runs", strconv.Itoa(max(b.N, 5)),
		"--warmup", "1", "--baseline", "docker", "--probe-interval", probe.String(), "--export-json", rep, "-o", "none", "--only-show-errors")
	if err != nil {
		b.Fatalf("aci bench: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(rep)
	if err != nil {
		b.Fatal(err)
	}
	var r struct {
		Summaries []struct {
			Scenario string `json:"scenario"`
			Total    struct {
				Median float64 `json:"median_ms"`
			} `json:"total"`
		} `json:"summaries"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		b.Fatal(err)
	}
	var local, docker float64
	for _, s := range r.Summaries {
		if strings.Contains(s.Scenario, "docker") {
			docker = s.Total.Median
		} else {
			local = s.Total.Median
		}
	}
	if local == 0 || docker == 0 {
		b.Fatalf("summaries: %s", raw)
	}
	fmt.Printf("create -> HTTP (median): aci local %.0f ms, docker run %.0f ms\n", local, docker)
	target("3. aci local create→HTTP / docker run's", local/docker, false, 1.0, "×")
	target("3. aci bench's timing granularity / the figure", float64(probe.Milliseconds())/local*100, false, 2, "%")
	_, hwm := serverMemory(b)
	target("7. aci local peak while polled every 5 ms by aci bench", hwm, false, 150, "MB")
}
