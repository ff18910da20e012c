package bench

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkRegistry: `docker push` and `docker pull` of a 200 MB image of
// four layers through an aci local registry, against the same through the
// distribution project's registry (test/bench/distreg: its registry with
// the filesystem driver, plain HTTP on loopback, no auth) and against
// `docker save | docker load` of the image.
func BenchmarkRegistry(b *testing.B) {
	if _, err := exec.LookPath("docker"); err != nil {
		b.Fatal("Docker is needed")
	}
	dir := b.TempDir()
	dockerEnv := append(os.Environ(), "DOCKER_CONFIG="+filepath.Join(dir, "docker"))
	docker := func(args ...string) time.Duration {
		d, _ := timed(b, dockerEnv, "docker", args...)
		return d
	}
	// An image: FROM scratch and four 50 MB layers of random bytes, new for
	// each round (a registry that has a layer skips its upload, and Docker
	// one it has locally skips the download).
	build := func(tag string) {
		ctx := filepath.Join(dir, "ctx")
		os.RemoveAll(ctx)
		os.MkdirAll(ctx, 0o755)
		df := "FROM scratch\n"
		for i := 0; i < 4; i++ {
			f, _ := os.Create(filepath.Join(ctx, fmt.Sprintf("l%d", i)))
			io.CopyN(f, rand.Reader, 50<<20)
			f.Close()
			df += fmt.Sprintf("COPY l%d /l%d\n", i, i)
		}
		os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte(df), 0o644)
		docker("build", "-q", "-t", tag, ctx)
	}
	// gone removes every tag of the image, and so its layers.
	gone := func(refs ...string) { exec.Command("docker", append([]string{"rmi", "-f"}, refs...)...).Run() }

	// The distribution project's registry.
	distBin := filepath.Join(dir, "distreg")
	if out, err := exec.Command("go", "build", "-o", distBin, "./distreg").CombinedOutput(); err != nil {
		b.Fatalf("build distreg: %v\n%s", err, out)
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	distAddr := l.Addr().String()
	l.Close()
	dist := exec.Command(distBin, distAddr, filepath.Join(dir, "distroot"))
	if err := dist.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { dist.Process.Kill(); dist.Wait() })
	time.Sleep(500 * time.Millisecond)

	// An aci local registry, logged in through Docker as a user does.
	aci("group", "create", "-n", "benchacr", "-l", "westus", "-o", "none")
	out, err := aci("acr", "create", "-g", "benchacr", "-n", "benchregistry1", "--sku", "Basic", "-o", "json")
	if err != nil {
		b.Fatalf("acr create: %v %s", err, out)
	}
	var reg struct{ LoginServer string }
	json.Unmarshal(out, &reg)
	c := exec.Command(aciBin, "acr", "login", "-n", "benchregistry1")
	c.Env = append(aciEnv(), "DOCKER_CONFIG="+filepath.Join(dir, "docker"))
	if out, err := c.CombinedOutput(); err != nil {
		b.Fatalf("acr login: %v %s", err, out)
	}

	var aciPush, aciPull, distPush, distPull, saveLoad []time.Duration
	resetPeak(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		image := fmt.Sprintf("aci-bench/big:r%d", i)
		build(image)
		b.StartTimer()
		aciRef, distRef := reg.LoginServer+"/big:r"+fmt.Sprint(i), distAddr+"/big:r"+fmt.Sprint(i)
		docker("tag", image, aciRef)
		docker("tag", image, distRef)
		if i%2 == 0 { // alternate which registry goes first
			aciPush = append(aciPush, docker("push", "-q", aciRef))
			distPush = append(distPush, docker("push", "-q", distRef))
		} else {
			distPush = append(distPush, docker("push", "-q", distRef))
			aciPush = append(aciPush, docker("push", "-q", aciRef))
		}
		tar := filepath.Join(dir, "img.tar")
		t := time.Now()
		docker("save", "-o", tar, image)
		gone(image, aciRef, distRef)
		docker("load", "-q", "-i", tar)
		saveLoad = append(saveLoad, time.Since(t))
		os.Remove(tar)
		gone(image)
		pull := func(ref string) time.Duration { d := docker("pull", "-q", ref); gone(ref); return d }
		if i%2 == 0 {
			aciPull = append(aciPull, pull(aciRef))
			distPull = append(distPull, pull(distRef))
		} else {
			distPull = append(distPull, pull(distRef))
			aciPull = append(aciPull, pull(aciRef))
		}
	}
	ap, aq, dp, dq, sl := median(aciPush), median(aciPull), median(distPush), median(distPull), median(saveLoad)
	fmt.Printf("200 MB image: aci local push %.0f ms, pull %.0f ms; distribution push %.0f ms, pull %.0f ms; save|load %.0f ms\n", ap, aq, dp, dq, sl)
	target("4. registry push / distribution's", ap/dp, false, 1.2, "×")
	target("4. registry pull / distribution's", aq/dq, false, 1.2, "×")
	target("4. registry push+pull / docker save|load", (ap+aq)/sl, false, 1.5, "×")
	_, hwm := serverMemory(b)
	target("7. aci local peak while serving the registry benchmark", hwm, false, 150, "MB")
}
