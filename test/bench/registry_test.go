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
	// The image: FROM scratch and four 50 MB layers of random bytes.
	ctx := filepath.Join(dir, "ctx")
	os.MkdirAll(ctx, 0o755)
	df := "FROM scratch\n"
	for i := 0; i < 4; i++ {
		f, _ := os.Create(filepath.Join(ctx, fmt.Sprintf("l%d", i)))
		io.CopyN(f, rand.Reader, 50<<20)
		f.Close()
		df += fmt.Sprintf("COPY l%d /l%d\n", i, i)
	}
	os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte(df), 0o644)
	const image = "aci-bench/big:v1"
	docker("build", "-q", "-t", image, ctx)
	b.Cleanup(func() { exec.Command("docker", "rmi", "-f", image).Run() })

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

	round := func(server string) (push, pull time.Duration) {
		ref := server + "/big:v1"
		docker("tag", image, ref)
		push = docker("push", "-q", ref)
		docker("rmi", ref)
		pull = docker("pull", "-q", ref)
		docker("rmi", ref)
		return push, pull
	}
	var aciPush, aciPull, distPush, distPull, saveLoad []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// A new tag each round would push nothing new: the layers are the
		// registry's already. Each round pushes to a fresh repository.
		p, q := round(fmt.Sprintf("%s/r%d", reg.LoginServer, i))
		aciPush, aciPull = append(aciPush, p), append(aciPull, q)
		p, q = round(fmt.Sprintf("%s/r%d", distAddr, i))
		distPush, distPull = append(distPush, p), append(distPull, q)
		tar := filepath.Join(dir, "img.tar")
		t := time.Now()
		docker("save", "-o", tar, image)
		docker("rmi", image)
		docker("load", "-q", "-i", tar)
		saveLoad = append(saveLoad, time.Since(t))
		os.Remove(tar)
	}
	ap, aq, dp, dq, sl := median(aciPush), median(aciPull), median(distPush), median(distPull), median(saveLoad)
	fmt.Printf("200 MB image: aci local push %.0f ms, pull %.0f ms; distribution push %.0f ms, pull %.0f ms; save|load %.0f ms\n", ap, aq, dp, dq, sl)
	target("4. registry push / distribution's", ap/dp, false, 1.2, "×")
	target("4. registry pull / distribution's", aq/dq, false, 1.2, "×")
	target("4. registry push+pull / docker save|load", (ap+aq)/sl, false, 1.5, "×")
	_, hwm := serverMemory(b)
	target("7. aci local peak while serving the registry benchmark", hwm, false, 150, "MB")
}
