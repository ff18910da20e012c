package compose

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func load(t *testing.T, files ...string) *LoadOptions {
	t.Helper()
	return &LoadOptions{Files: files}
}

func mustLoadConvert(t *testing.T, o Options, files ...string) (*Result, []string) {
	t.Helper()
	p, err := Load(context.Background(), *load(t, files...))
	if err != nil {
		t.Fatal(err)
	}
	var warnings []string
	o.Warn = func(f string, a ...any) { warnings = append(warnings, f) }
	r, err := Convert(p, o)
	if err != nil {
		t.Fatal(err)
	}
	return r, warnings
}

// golden compares got with testdata/name, or rewrites it with UPDATE_GOLDEN=1.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(got) {
		t.Fatalf("%s differs (UPDATE_GOLDEN=1 rewrites it):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// The conversion table: each Compose file becomes the container-group YAML
// in its golden file.
func TestConvertGolden(t *testing.T) {
	t.Setenv("TAG", "2.1") // interpolated; REGISTRY keeps its default
	for _, tc := range []struct {
		file  string
		opts  Options
		warns int
	}{
		{"webcache.yaml", Options{Location: "westeurope"}, 0},
		{"sidecar.yaml", Options{HostsInit: true}, 0},
		{"job.yaml", Options{}, 0},
	} {
		t.Run(tc.file, func(t *testing.T) {
			r, warns := mustLoadConvert(t, tc.opts, filepath.Join("testdata", tc.file))
			if len(warns) != tc.warns {
				t.Fatalf("warnings: %v", warns)
			}
			y, err := r.Group.YAML()
			if err != nil {
				t.Fatal(err)
			}
			golden(t, strings.TrimSuffix(tc.file, ".yaml")+".group.golden.yaml", y)
		})
	}
}

func TestConvertRegistries(t *testing.T) {
	r, _ := mustLoadConvert(t, Options{}, "testdata/job.yaml")
	if len(r.Registries) != 1 || r.Registries[0] != "myregistry.azurecr.io" {
		t.Fatalf("registries: %v", r.Registries)
	}
	r, _ = mustLoadConvert(t, Options{}, "testdata/sidecar.yaml")
	if len(r.Registries) != 0 {
		t.Fatalf("Microsoft's registry needs no login: %v", r.Registries)
	}
}

// expose takes ranges as Compose does; a port that is no port is refused.
func TestExposeRanges(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "compose.yaml")
	os.WriteFile(p, []byte("services:\n  a: {image: x, expose: [\"8000-8002\", \"9000/udp\"]}\n"), 0o644)
	r, _ := mustLoadConvert(t, Options{}, p)
	got := r.Group.Properties.Containers[0].Properties.Ports
	if len(got) != 4 || got[0].Port != 8000 || got[2].Port != 8002 || got[3] != (Port{Port: 9000, Protocol: "UDP"}) {
		t.Fatalf("expose: %+v", got)
	}
	os.WriteFile(p, []byte("services:\n  a: {image: x, expose: [\"9-1\"]}\n"), 0o644)
	proj, err := Load(context.Background(), LoadOptions{Files: []string{p}})
	if err != nil {
		t.Fatal(err) // compose-go takes any string; the range is ours to check
	}
	if _, err = Convert(proj, Options{}); err == nil || !strings.Contains(err.Error(), `expose: "9-1" is not a port or a range of ports`) {
		t.Fatalf("a backwards range: %v", err)
	}
}

func TestConvertDetails(t *testing.T) {
	r, _ := mustLoadConvert(t, Options{}, "testdata/webcache.yaml")
	g := r.Group
	web, cache := g.Properties.Containers[1], g.Properties.Containers[0]
	if web.Name != "web" || cache.Name != "cache" {
		t.Fatalf("containers: %+v", g.Properties.Containers)
	}
	if g.Properties.RestartPolicy != "Always" || g.Properties.IPAddress.DNSNameLabel != "shop-demo" {
		t.Fatalf("group: %+v", g.Properties)
	}
	if r := web.Properties.Resources; r.Requests.CPU != 0.5 || r.Requests.MemoryInGB != 0.5 || r.Limits.CPU != 1.5 || r.Limits.MemoryInGB != 2 {
		t.Fatalf("web resources: %+v %+v", r.Requests, r.Limits)
	}
	if r := cache.Properties.Resources; r.Requests.MemoryInGB != 0.3 || r.Requests.CPU != 1 {
		t.Fatalf("cache resources (mem_limit 256m): %+v", r.Requests)
	}
	if p := web.Properties.LivenessProbe; p == nil || p.PeriodSeconds != 30 || p.TimeoutSeconds != 5 || p.FailureThreshold != 3 || p.InitialDelaySeconds != 10 || p.Exec.Command[0] != "wget" {
		t.Fatalf("probe: %+v", p)
	}
	if len(r.Shares) != 1 || r.Shares[0].Name != "shop-uploads" || r.Shares[0].Account != DefaultAccount("shop") || len(r.Shares[0].Account) > 24 {
		t.Fatalf("shares: %+v", r.Shares)
	}
	// One share volume for both services; the cache mounts it read-only.
	mounts := map[string]bool{}
	for _, ct := range g.Properties.Containers {
		for _, m := range ct.Properties.VolumeMounts {
			mounts[ct.Name+":"+m.Name+":"+m.MountPath] = m.ReadOnly
		}
	}
	if ro, ok := mounts["cache:uploads:/data/uploads"]; !ok || !ro || mounts["web:uploads:/srv/uploads"] {
		t.Fatalf("mounts: %v", mounts)
	}
	// The secret is a file under /run/secrets, its content from api_key.txt.
	for _, v := range g.Properties.Volumes {
		if v.Name == "web-secrets" && v.Secret["api_key"] != "c2stdGVzdC0xMjM=" {
			t.Fatalf("secret: %v", v.Secret)
		}
	}
	// The template deploys storage first and reads the key with listKeys.
	tpl, err := r.Template()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(tpl)
	for _, want := range []string{`"type":"Microsoft.Storage/storageAccounts"`, `"name":"` + DefaultAccount("shop") + `/default/shop-uploads"`,
		`listKeys(resourceId('Microsoft.Storage/storageAccounts', '` + DefaultAccount("shop") + `')`, `"dependsOn":["[resourceId('Microsoft.Storage/storageAccounts/fileServices/shares'`} {
		if !strings.Contains(string(b), want) {
			t.Fatalf("template lacks %s:\n%s", want, b)
		}
	}
}

// Every refusal names the service, the key and the reason; with
// --allow-unsupported the ignorable ones become warnings.
func TestRefusals(t *testing.T) {
	for file, want := range map[string]struct {
		msg       string
		ignorable bool
	}{
		"network_mode":       {`service "a": network_mode: a container group is one network namespace`, true},
		"pid":                {`service "a": pid: ACI gives no access`, true},
		"privileged":         {`service "a": privileged: ACI does not run privileged containers`, true},
		"replicas":           {`service "a": deploy.replicas: one service is one container of the group, not 3`, true},
		"depends_on_healthy": {`service "a": depends_on.db.condition: ACI starts a group's containers together and cannot wait for "db" to be healthy`, true},
		"build_only":         {`service "a": build: ACI runs images from a registry`, false},
		"bind_mount":         {`is a bind mount; ACI cannot mount this machine's files`, true},
		"port_mismatch":      {`service "a": ports: 8080:80 publishes container port 80 on port 8080`, false},
		"port_conflict":      {`port 80 is also published by service "a"`, false},
		"restart_conflict":   {`restart: Never differs from service "a"'s Always: a container group has one restart policy`, false},
		"user":               {`service "a": user: ACI runs a container as its image's user`, true},
		"secret_external":    {`service "a": secrets.s: an external secret lives in a swarm`, false},
	} {
		t.Run(file, func(t *testing.T) {
			path := filepath.Join("testdata", "refuse", file+".yaml")
			p, err := Load(context.Background(), LoadOptions{Files: []string{path}, Project: "refuse"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = Convert(p, Options{})
			if err == nil || !strings.Contains(err.Error(), want.msg) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("got %v, want one line with %q", err, want.msg)
			}
			var warned []string
			_, err = Convert(p, Options{AllowUnsupported: true, Warn: func(f string, a ...any) { warned = append(warned, f) }})
			if want.ignorable && (err != nil || len(warned) == 0) {
				t.Fatalf("--allow-unsupported: %v %v", err, warned)
			}
			if !want.ignorable && err == nil {
				t.Fatal("--allow-unsupported let an impossible file through")
			}
		})
	}
}

// compose-go is the parser: interpolation with defaults, .env, several -f
// files merged in order, profiles and extends behave as Docker Compose
// documents them.
func TestLoadAsDockerCompose(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write(".env", "IMAGE_TAG=from-dotenv\nGREETING=hi\n")
	write("base.yaml", `name: merged
x-common: &common
  environment:
    SHARED: "1"
services:
  web:
    <<: *common
    image: "nginx:${IMAGE_TAG}"
    ports: ["80"]
    environment:
      SHARED: "1"
      GREETING: ${GREETING}
      UNSET: ${NOT_SET_ANYWHERE:-fallback}
  worker:
    extends:
      service: web
    ports: !reset []
    command: ["work"]
  debug:
    image: busybox
    profiles: [debug]
`)
	override := write("override.yaml", `services:
  web:
    image: nginx:override
    environment:
      EXTRA: "yes"
`)
	t.Setenv("GREETING", "from-shell") // the shell beats .env, as in Compose
	p, err := Load(context.Background(), LoadOptions{Files: []string{filepath.Join(dir, "base.yaml"), override}})
	if err != nil {
		t.Fatal(err)
	}
	web := p.Services["web"]
	if web.Image != "nginx:override" {
		t.Fatalf("the later file did not override image: %s", web.Image)
	}
	env := map[string]string{}
	for k, v := range web.Environment {
		if v != nil {
			env[k] = *v
		}
	}
	if env["EXTRA"] != "yes" || env["SHARED"] != "1" || env["GREETING"] != "from-shell" || env["UNSET"] != "fallback" {
		t.Fatalf("environment: %v", env)
	}
	worker := p.Services["worker"]
	if worker.Image != "nginx:${IMAGE_TAG}" && worker.Image != "nginx:from-dotenv" {
		t.Fatalf("extends: %s", worker.Image)
	}
	if worker.Image != "nginx:from-dotenv" || len(worker.Ports) != 0 || worker.Command[0] != "work" {
		t.Fatalf("extends did not take web's image (.env tag) with its own command: %+v", worker)
	}
	if _, ok := p.Services["debug"]; ok {
		t.Fatal("a service of an inactive profile was loaded")
	}
	p, err = Load(context.Background(), LoadOptions{Files: []string{filepath.Join(dir, "base.yaml")}, Profiles: []string{"debug"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Services["debug"]; !ok || p.Services["web"].Image != "nginx:from-dotenv" {
		t.Fatalf("profile debug: %v", p.ServiceNames())
	}
}
