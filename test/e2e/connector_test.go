package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// cluster is a real Kubernetes control plane (scripts/k8s-controlplane.sh:
// etcd, kube-apiserver, kube-scheduler, kube-controller-manager from upstream
// code) with the ACI connector's virtual node on an aci local.
type cluster struct {
	t        testing.TB
	dir      string
	env      []string // aci's (ACI_CONFIG_DIR) and kubectl's (KUBECONFIG)
	kubectl  string
	rg       string
	conn     *exec.Cmd
	connLog  *syncBuffer
	connArgs []string
}

type syncBuffer struct {
	mu chan struct{}
	b  strings.Builder
}

func (s *syncBuffer) add(line string) {
	s.mu <- struct{}{}
	s.b.WriteString(line + "\n")
	<-s.mu
}

func (s *syncBuffer) String() string {
	s.mu <- struct{}{}
	defer func() { <-s.mu }()
	return s.b.String()
}

func newCluster(t testing.TB) *cluster {
	t.Helper()
	requireDocker(t)
	if _, err := exec.LookPath("etcd"); err != nil {
		t.Fatalf("etcd is needed for the connector's control plane (CI=%s): apt-get install -y etcd-server, or make deps", os.Getenv("CI"))
	}
	script, _ := filepath.Abs("../../scripts/k8s-controlplane.sh")
	out, err := exec.Command(script, "bin").Output()
	if err != nil {
		t.Fatalf("building the control plane: %v", err)
	}
	c := &cluster{t: t, dir: t.TempDir(), kubectl: filepath.Join(strings.TrimSpace(string(out)), "kubectl"), rg: "k8s"}
	if b, err := exec.Command(script, "up", c.dir).CombinedOutput(); err != nil {
		t.Fatalf("control plane up: %v\n%s", err, b)
	}
	t.Cleanup(func() { exec.Command(script, "down", c.dir).Run() })
	c.env = append(localEnv(t), "KUBECONFIG="+filepath.Join(c.dir, "kubeconfig"))
	must(t, run(t, c.env, aciBin, "local", "images", "-o", "none"), 0)
	must(t, run(t, c.env, aciBin, "group", "create", "-n", c.rg, "-l", "westus", "-o", "none"), 0)
	// The default service account appears once the controller manager runs.
	c.until("the default service account", 60*time.Second, func() bool {
		return c.k("get", "serviceaccount", "default").code == 0
	})
	c.connArgs = []string{"connector", "run", "-g", c.rg, "--kubelet-port", "0", "--status-interval", "2s",
		"--client-ca-file", filepath.Join(c.dir, "kubelet-ca.crt")}
	c.startConnector()
	t.Cleanup(func() { c.killConnector() })
	return c
}

// startConnector runs `aci connector run` in a process group of its own
// (aci and the aci-connector it starts) and waits for its node.
func (c *cluster) startConnector() {
	t := c.t
	cmd := exec.Command(aciBin, c.connArgs...)
	cmd.Env = cleanEnv(c.env)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = cmd.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c.conn, c.connLog = cmd, &syncBuffer{mu: make(chan struct{}, 1)}
	ready := make(chan struct{})
	go func(log *syncBuffer) {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		once := false
		for sc.Scan() {
			log.add(sc.Text())
			if !once && strings.Contains(sc.Text(), "is ready") {
				once = true
				close(ready)
			}
		}
	}(c.connLog)
	select {
	case <-ready:
	case <-time.After(60 * time.Second):
		t.Fatalf("the connector's node never became ready:\n%s", c.connLog)
	}
}

// killConnector kill -9s aci and aci-connector at once.
func (c *cluster) killConnector() {
	if c.conn == nil {
		return
	}
	syscall.Kill(-c.conn.Process.Pid, syscall.SIGKILL)
	c.conn.Wait()
	c.conn = nil
}

// restConfig is the admin kubeconfig's, for client-go.
func (c *cluster) restConfig() *rest.Config {
	cfg, err := clientcmd.BuildConfigFromFlags("", filepath.Join(c.dir, "kubeconfig"))
	if err != nil {
		c.t.Fatal(err)
	}
	return cfg
}

func (c *cluster) k(args ...string) result {
	c.t.Helper()
	return run(c.t, c.env, c.kubectl, args...)
}

// apply applies a manifest given as text.
func (c *cluster) apply(manifest string) {
	c.t.Helper()
	f := filepath.Join(c.t.TempDir(), "m.yaml")
	os.WriteFile(f, []byte(manifest), 0o600)
	must(c.t, c.k("apply", "-f", f), 0)
}

func (c *cluster) until(what string, limit time.Duration, ok func() bool) {
	c.t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			c.t.Fatalf("timed out waiting for %s\nconnector log:\n%s", what, tail(c.connLog.String(), 40))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func (c *cluster) jsonpath(kind, name, path string) string {
	c.t.Helper()
	r := c.k("get", kind, name, "-o", "jsonpath="+path)
	if r.code != 0 {
		return ""
	}
	return r.stdout
}

func (c *cluster) waitRunning(pod string) string {
	c.t.Helper()
	c.until("pod "+pod+" Running", 90*time.Second, func() bool {
		return c.jsonpath("pod", pod, "{.status.phase}") == "Running" && c.jsonpath("pod", pod, "{.status.podIP}") != ""
	})
	return c.jsonpath("pod", pod, "{.status.podIP}")
}

// groups are the connector's container groups in the resource group, by pod.
func (c *cluster) groups() map[string]int {
	c.t.Helper()
	r := must(c.t, run(c.t, c.env, aciBin, "container", "list", "-g", c.rg, "--query", "[].tags", "-o", "json"), 0)
	var tags []map[string]string
	if err := json.Unmarshal([]byte(r.stdout), &tags); err != nil {
		c.t.Fatal(err)
	}
	out := map[string]int{}
	for _, tg := range tags {
		out[tg["k8s-namespace"]+"/"+tg["k8s-pod"]]++
	}
	return out
}

func (c *cluster) events(pod string) string {
	return c.k("get", "events", "--field-selector", "involvedObject.name="+pod, "-o",
		"jsonpath={range .items[*]}{.type} {.reason} {.message}{\"\\n\"}{end}").stdout
}

const helloImage = "mcr.microsoft.com/azuredocs/aci-helloworld"

// TestConnector drives the ACI connector with kubectl against a real
// control plane, on aci local: every pod a Docker-backed container group.
func TestConnector(t *testing.T) {
	c := newCluster(t)
	t.Run("node", func(t *testing.T) { c.t = t; connectorNode(c) })
	t.Run("example", func(t *testing.T) { c.t = t; connectorExample(c) })
	t.Run("manifest", func(t *testing.T) { c.t = t; connectorManifest(c) })
	t.Run("pod", func(t *testing.T) { c.t = t; connectorPod(c) })
	t.Run("scheduled", func(t *testing.T) { c.t = t; connectorScheduled(c) })
	t.Run("deployment", func(t *testing.T) { c.t = t; connectorDeployment(c) })
	t.Run("unsupported", func(t *testing.T) { c.t = t; connectorUnsupported(c) })
	t.Run("registry", func(t *testing.T) { c.t = t; connectorRegistry(c) })
	t.Run("azurefile", func(t *testing.T) { c.t = t; connectorAzureFile(c) })
	t.Run("fifty", func(t *testing.T) { c.t = t; connectorFifty(c) })
	t.Run("kill9", func(t *testing.T) { c.t = t; connectorKill9(c) })
	t.Run("az", func(t *testing.T) { c.t = t; connectorAz(c) })
}

func connectorNode(c *cluster) {
	t := c.t
	if got := c.jsonpath("node", "aci-connector", `{.status.conditions[?(@.type=="Ready")].status}`); got != "True" {
		t.Fatalf("node Ready = %q", got)
	}
	if got := c.jsonpath("node", "aci-connector", "{.spec.taints[0].key}={.spec.taints[0].value}:{.spec.taints[0].effect}"); got != "virtual-kubelet.io/provider=azure:NoSchedule" {
		t.Fatalf("taint = %q", got)
	}
	if got := c.jsonpath("node", "aci-connector", "{.metadata.labels.type} {.metadata.labels.kubernetes\\.io/role} {.metadata.labels.kubernetes\\.io/os}"); got != "virtual-kubelet agent linux" {
		t.Fatalf("labels = %q", got)
	}
	if r := must(t, c.k("get", "lease", "-n", "kube-node-lease", "aci-connector", "-o", "jsonpath={.spec.holderIdentity}"), 0); r.stdout != "aci-connector" {
		t.Fatalf("lease holder = %q", r.stdout)
	}
}

// connectorPod: the seed's pod with the hello image, ConfigMap and Secret
// values as env and as files, fieldRefs, logs -f and exec.
func connectorPod(c *cluster) {
	t := c.t
	// Whatever fails below, the later scenarios count groups: web goes.
	defer c.k("delete", "pod", "web", "--ignore-not-found", "--wait=true", "--timeout=60s")
	c.apply(`apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {greeting: hello-from-configmap, mode: fast}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {password: s3cret-value}
---
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  nodeName: aci-connector
  containers:
  - name: web
    image: ` + helloImage + `
    ports: [{containerPort: 80}]
    env:
    - {name: GREETING, valueFrom: {configMapKeyRef: {name: settings, key: greeting}}}
    - {name: PASSWORD, valueFrom: {secretKeyRef: {name: creds, key: password}}}
    - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: POD_NS, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
    - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
    volumeMounts:
    - {name: cfg, mountPath: /etc/cfg}
    - {name: sec, mountPath: /etc/sec, readOnly: true}
    - {name: scratch, mountPath: /scratch}
  volumes:
  - {name: cfg, configMap: {name: settings}}
  - {name: sec, secret: {secretName: creds}}
  - {name: scratch, emptyDir: {}}
`)
	ip := c.waitRunning("web")
	if !strings.HasPrefix(ip, "127.") {
		t.Fatalf("pod IP %q is not a loopback address of aci local", ip)
	}
	if body := getUntil200(t, "http://"+ip+"/"); !strings.Contains(body, "Welcome to Azure Container Instances") {
		t.Fatalf("pod answered %q", body)
	}
	r := must(t, c.k("exec", "web", "--", "sh", "-c", `echo "$GREETING|$PASSWORD|$POD_NAME|$POD_NS|$POD_IP"; cat /etc/cfg/mode; echo; cat /etc/sec/password`), 0)
	want := "hello-from-configmap|s3cret-value|web|default|" + ip + "\nfast\ns3cret-value"
	if strings.TrimSpace(r.stdout) != want {
		t.Fatalf("inside the container:\n%s\nwant:\n%s", r.stdout, want)
	}
	// A changed ConfigMap reaches the running pod (its group is put again).
	must(t, c.k("patch", "configmap", "settings", "-p", `{"data":{"greeting":"changed-greeting"}}`), 0)
	c.until("the changed ConfigMap inside the container", 60*time.Second, func() bool {
		r := c.k("exec", "web", "--", "sh", "-c", "echo $GREETING")
		return r.code == 0 && r.stdout == "changed-greeting\n"
	})
	if !strings.Contains(c.events("web"), "ConfigChanged") {
		t.Errorf("no ConfigChanged event:\n%s", c.events("web"))
	}
	if got := c.waitRunning("web"); got != ip {
		t.Fatalf("the pod's IP changed from %s to %s", ip, got)
	}
	// The Secret travels as a secure value: ARM never hands it back.
	group := must(t, run(t, c.env, aciBin, "container", "list", "-g", c.rg, "-o", "json"), 0).stdout
	if strings.Contains(group, "s3cret-value") {
		t.Fatal("the Secret's value is returned by the container group's GET")
	}
	// exec: argv, stdin, the exit status.
	if r := c.k("exec", "web", "--", "sh", "-c", "exit 3"); r.code != 3 {
		t.Fatalf("exec exit status: %+v", r)
	}
	cmd := exec.Command(c.kubectl, "exec", "-i", "web", "--", "cat")
	cmd.Env = cleanEnv(c.env)
	cmd.Stdin = strings.NewReader("through stdin\n")
	if out, err := cmd.Output(); err != nil || string(out) != "through stdin\n" {
		t.Fatalf("exec -i: %q %v", out, err)
	}
	if r := must(t, c.k("exec", "web", "--", "echo", "two words", "$HOME"), 0); r.stdout != "two words $HOME\n" {
		t.Fatalf("exec argv: %q", r.stdout)
	}
	// logs, --tail, -f (a request logged while following shows up).
	if r := must(t, c.k("logs", "web"), 0); !strings.Contains(r.stdout, "listening on port 80") {
		t.Fatalf("logs: %+v", r)
	}
	if r := must(t, c.k("logs", "web", "--tail", "1", "-c", "web"), 0); strings.Count(strings.TrimSpace(r.stdout), "\n") != 0 {
		t.Fatalf("logs --tail 1: %q", r.stdout)
	}
	follow := exec.Command(c.kubectl, "logs", "-f", "web")
	follow.Env = cleanEnv(c.env)
	fo, _ := follow.StdoutPipe()
	if err := follow.Start(); err != nil {
		t.Fatal(err)
	}
	defer follow.Process.Kill()
	got := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(fo)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "/followed-path") {
				got <- sc.Text()
				return
			}
		}
	}()
	time.Sleep(time.Second)
	getUntil404OrOK(t, "http://"+ip+"/followed-path")
	select {
	case <-got:
	case <-time.After(20 * time.Second):
		t.Fatal("kubectl logs -f never showed a request made while following")
	}
	ev := c.events("web")
	for _, want := range []string{"Normal Pulling", "Normal Pulled", "Normal Started"} {
		if !strings.Contains(ev, want) {
			t.Errorf("events lack %q:\n%s", want, ev)
		}
	}
	// Conditions as a kubelet reports them.
	if got := c.jsonpath("pod", "web", `{.status.conditions[?(@.type=="Ready")].status} {.status.containerStatuses[0].ready} {.status.hostIP}`); got != "True true 127.0.0.1" {
		t.Fatalf("conditions: %q", got)
	}
	// Deleted: the group goes with the pod.
	must(t, c.k("delete", "pod", "web", "--wait=true", "--timeout=60s"), 0)
	if n := c.groups()["default/web"]; n != 0 {
		t.Fatalf("the deleted pod's group is still there")
	}
}

func getUntil404OrOK(t testing.TB, url string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if out, err := exec.Command("curl", "-s", "-o", "/dev/null", "-m", "2", url).CombinedOutput(); err == nil {
			return
		} else if time.Now().After(deadline) {
			t.Fatalf("%s: %v %s", url, err, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// connectorScheduled: the real scheduler places a pod that tolerates the
// taint and selects the node.
func connectorScheduled(c *cluster) {
	c.apply(`apiVersion: v1
kind: Pod
metadata: {name: scheduled}
spec:
  nodeSelector: {type: virtual-kubelet}
  tolerations: [{key: virtual-kubelet.io/provider, operator: Exists, effect: NoSchedule}]
  containers:
  - {name: hello, image: ` + helloImage + `, ports: [{containerPort: 80}]}
`)
	ip := c.waitRunning("scheduled")
	if got := c.jsonpath("pod", "scheduled", "{.spec.nodeName}"); got != "aci-connector" {
		c.t.Fatalf("scheduled on %q", got)
	}
	getUntil200(c.t, "http://"+ip+"/")
	must(c.t, c.k("delete", "pod", "scheduled", "--wait=true"), 0)
}

// connectorDeployment: 3 replicas are 3 groups; scaled to 0, none.
func connectorDeployment(c *cluster) {
	c.apply(`apiVersion: apps/v1
kind: Deployment
metadata: {name: fleet}
spec:
  replicas: 3
  selector: {matchLabels: {app: fleet}}
  template:
    metadata: {labels: {app: fleet}}
    spec:
      nodeName: aci-connector
      containers:
      - {name: hello, image: ` + helloImage + `, ports: [{containerPort: 80}]}
`)
	count := func() int {
		n := 0
		for k, v := range c.groups() {
			if strings.HasPrefix(k, "default/fleet-") {
				n += v
			}
		}
		return n
	}
	c.until("3 running replicas", 120*time.Second, func() bool {
		return c.jsonpath("deployment", "fleet", "{.status.readyReplicas}") == "3"
	})
	if n := count(); n != 3 {
		c.t.Fatalf("%d groups for 3 replicas", n)
	}
	must(c.t, c.k("scale", "deployment", "fleet", "--replicas", "0"), 0)
	c.until("no replica left", 90*time.Second, func() bool {
		return c.k("get", "pods", "-l", "app=fleet", "-o", "name").stdout == "" && count() == 0
	})
	must(c.t, c.k("delete", "deployment", "fleet"), 0)
}

// connectorUnsupported: what ACI cannot do fails the pod with one event.
func connectorUnsupported(c *cluster) {
	for name, spec := range map[string]string{
		"hostnet":    "hostNetwork: true\n  containers:\n  - {name: c, image: " + helloImage + "}",
		"privileged": "containers:\n  - {name: c, image: " + helloImage + ", securityContext: {privileged: true}}",
		"hostpath":   "containers:\n  - {name: c, image: " + helloImage + ", volumeMounts: [{name: h, mountPath: /h}]}\n  volumes: [{name: h, hostPath: {path: /etc}}]",
	} {
		c.apply("apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + "}\nspec:\n  nodeName: aci-connector\n  " + spec + "\n")
		c.until(name+" Failed", 30*time.Second, func() bool { return c.jsonpath("pod", name, "{.status.phase}") == "Failed" })
		// Events are written asynchronously: wait for the first, then make
		// sure no second one follows.
		c.until(name+"'s event", 30*time.Second, func() bool { return strings.Contains(c.events(name), "UnsupportedPodSpec") })
		time.Sleep(2 * time.Second)
		ev := c.events(name)
		if n := strings.Count(ev, "Warning UnsupportedPodSpec"); n != 1 || !strings.Contains(ev, "ACI cannot run pod default/"+name) {
			c.t.Errorf("%s: want one UnsupportedPodSpec event, got:\n%s", name, ev)
		}
		if c.groups()["default/"+name] != 0 {
			c.t.Errorf("%s: a group was created", name)
		}
		must(c.t, c.k("delete", "pod", name, "--wait=true"), 0)
	}
}

// connectorRegistry: an image of an aci local registry pulls with an
// imagePullSecret; a wrong secret gives InaccessibleImage.
func connectorRegistry(c *cluster) {
	t := c.t
	env := append(append([]string{}, c.env...), "DOCKER_CONFIG="+t.TempDir())
	r := must(t, run(t, env, aciBin, "acr", "create", "-n", "k8sregistry", "-g", c.rg, "--sku", "Basic", "--admin-enabled", "true", "--query", "loginServer", "-o", "tsv"), 0)
	ls := strings.TrimSpace(r.stdout)
	image := ls + "/hello:v1"
	must(t, run(t, env, "docker", "tag", "aci-local/helloworld:latest", image), 0)
	t.Cleanup(func() { exec.Command("docker", "rmi", "-f", image).Run() })
	must(t, run(t, env, aciBin, "acr", "login", "-n", "k8sregistry"), 0)
	must(t, run(t, env, "docker", "push", image), 0)
	cred := must(t, run(t, env, aciBin, "acr", "credential", "show", "-n", "k8sregistry", "--query", "[username, passwords[0].value]", "-o", "tsv"), 0)
	parts := strings.Fields(cred.stdout)
	if len(parts) != 2 {
		t.Fatalf("credentials: %q", cred.stdout)
	}
	must(t, c.k("create", "secret", "docker-registry", "regcred", "--docker-server="+ls, "--docker-username="+parts[0], "--docker-password="+parts[1]), 0)
	must(t, c.k("create", "secret", "docker-registry", "badcred", "--docker-server="+ls, "--docker-username="+parts[0], "--docker-password=wrong"), 0)
	pod := func(name, secret string) string {
		return fmt.Sprintf("apiVersion: v1\nkind: Pod\nmetadata: {name: %s}\nspec:\n  nodeName: aci-connector\n  imagePullSecrets: [{name: %s}]\n  containers:\n  - {name: c, image: %s, ports: [{containerPort: 80}]}\n", name, secret, image)
	}
	c.apply(pod("private", "regcred"))
	getUntil200(t, "http://"+c.waitRunning("private")+"/")
	c.apply(pod("denied", "badcred"))
	c.until("denied Failed", 60*time.Second, func() bool { return c.jsonpath("pod", "denied", "{.status.phase}") == "Failed" })
	c.until("an InaccessibleImage event", 30*time.Second, func() bool { return strings.Contains(c.events("denied"), "Warning InaccessibleImage") })
	must(t, c.k("delete", "pod", "private", "denied", "--wait=true"), 0)
}

// connectorAzureFile: a pod's azureFile volume is an aci local share that
// aci storage file list sees.
func connectorAzureFile(c *cluster) {
	t := c.t
	must(t, run(t, c.env, aciBin, "storage", "account", "create", "-n", "k8sfiles", "-g", c.rg, "-o", "none"), 0)
	key := strings.TrimSpace(must(t, run(t, c.env, aciBin, "storage", "account", "keys", "list", "-n", "k8sfiles", "-g", c.rg, "--query", "[0].value", "-o", "tsv"), 0).stdout)
	must(t, run(t, c.env, aciBin, "storage", "share", "create", "-n", "data", "--account-name", "k8sfiles", "--account-key", key, "-o", "none"), 0)
	must(t, c.k("create", "secret", "generic", "azure-files", "--from-literal=azurestorageaccountname=k8sfiles", "--from-literal=azurestorageaccountkey="+key), 0)
	c.apply(`apiVersion: v1
kind: Pod
metadata: {name: writer}
spec:
  nodeName: aci-connector
  restartPolicy: Never
  containers:
  - name: w
    image: ` + helloImage + `
    command: [sh, -c, "echo from-the-pod > /mnt/data/note.txt && sleep 3600"]
    volumeMounts: [{name: data, mountPath: /mnt/data}]
  volumes:
  - {name: data, azureFile: {secretName: azure-files, shareName: data}}
`)
	c.waitRunning2("writer")
	c.until("note.txt in the share", 30*time.Second, func() bool {
		r := run(t, c.env, aciBin, "storage", "file", "list", "-s", "data", "--account-name", "k8sfiles", "--account-key", key, "--query", "[].name", "-o", "tsv")
		return r.code == 0 && strings.Contains(r.stdout, "note.txt")
	})
	must(t, c.k("delete", "pod", "writer", "--wait=true", "--grace-period=1"), 0)
}

// waitRunning2 waits for Running without a pod IP (no ports).
func (c *cluster) waitRunning2(pod string) {
	c.t.Helper()
	c.until("pod "+pod+" Running", 90*time.Second, func() bool { return c.jsonpath("pod", pod, "{.status.phase}") == "Running" })
}

// connectorKill9: the connector dies (kill -9) while pods come and go; once
// it is back every pod is in its right state, no group is left without a
// pod and none is duplicated.
func connectorKill9(c *cluster) {
	t := c.t
	pod := func(name string) string {
		return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + "}\nspec:\n  nodeName: aci-connector\n  containers:\n  - {name: c, image: " + helloImage + ", ports: [{containerPort: 80}]}\n"
	}
	c.apply(pod("keep") + "---\n" + pod("gone") + "---\n" + pod("forced"))
	for _, p := range []string{"keep", "gone", "forced"} {
		c.waitRunning(p)
	}
	// Created while the connector starts work, then killed in the middle.
	c.apply(pod("during"))
	time.Sleep(300 * time.Millisecond)
	c.killConnector()
	// While it is down: a graceful delete (waits for the node), a forced one
	// (gone from the API at once: its group is an orphan), and a new pod.
	must(t, c.k("delete", "pod", "gone", "--wait=false"), 0)
	must(t, c.k("delete", "pod", "forced", "--grace-period=0", "--force"), 0)
	c.apply(pod("after"))
	c.startConnector()
	for _, p := range []string{"keep", "during", "after"} {
		getUntil200(t, "http://"+c.waitRunning(p)+"/")
	}
	c.until("the gracefully deleted pod gone", 60*time.Second, func() bool { return c.k("get", "pod", "gone").code != 0 })
	c.until("groups exactly for keep, during, after", 60*time.Second, func() bool {
		g := c.groups()
		return len(g) == 3 && g["default/keep"] == 1 && g["default/during"] == 1 && g["default/after"] == 1
	})
	if !strings.Contains(c.connLog.String(), "adopting container group") {
		t.Errorf("the restarted connector adopted nothing:\n%s", tail(c.connLog.String(), 30))
	}
}

// connectorAz: the real az lists the pods' groups with their tags.
func connectorAz(c *cluster) {
	az := requireAz(c.t)
	azEnv := azLoggedIn(c.t, az, c.env)
	r := must(c.t, run(c.t, azEnv, az, "container", "list", "-g", c.rg, "--query", "[?tags.\"k8s-node\"=='aci-connector'].tags.\"k8s-pod\"", "-o", "tsv"), 0)
	got := strings.Fields(r.stdout)
	if len(got) != 3 || !strings.Contains(r.stdout, "keep") || !strings.Contains(r.stdout, "during") || !strings.Contains(r.stdout, "after") {
		c.t.Fatalf("az container list: %q", r.stdout)
	}
}

// fiftyPods is 50 pods created at once.
func fiftyPods(prefix string) string {
	var b strings.Builder
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Pod\nmetadata: {name: %s-%02d, labels: {batch: %s}}\nspec:\n  nodeName: aci-connector\n  containers:\n  - {name: c, image: %s, ports: [{containerPort: 80}]}\n", prefix, i, prefix, helloImage)
	}
	return b.String()
}

// running counts a label's pods that are Running with an IP.
func (c *cluster) running(selector string) int {
	r := c.k("get", "pods", "-l", selector, "-o", `jsonpath={range .items[*]}{.status.phase}/{.status.podIP}{"\n"}{end}`)
	n := 0
	for _, l := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(l, "Running/127.") {
			n++
		}
	}
	return n
}

// connectorFifty: 50 pods created at once all reach Running, each in a group
// of its own, and all go when deleted.
func connectorFifty(c *cluster) {
	start := time.Now()
	c.apply(fiftyPods("many"))
	c.until("50 pods Running", 240*time.Second, func() bool { return c.running("batch=many") == 50 })
	c.t.Logf("50 pods created at once: all Running after %v", time.Since(start).Round(100*time.Millisecond))
	n := 0
	for k, v := range c.groups() {
		if strings.HasPrefix(k, "default/many-") {
			n += v
		}
	}
	if n != 50 {
		c.t.Fatalf("%d groups for 50 pods", n)
	}
	must(c.t, c.k("delete", "pods", "-l", "batch=many", "--wait=true", "--timeout=120s"), 0)
}

// connectorExample: the README's pod, as the README runs it.
func connectorExample(c *cluster) {
	p, _ := filepath.Abs("../../examples/k8s/hello-pod.yaml")
	must(c.t, c.k("apply", "-f", p), 0)
	must(c.t, c.k("wait", "--for=condition=Ready", "pod/hello", "--timeout=90s"), 0)
	getUntil200(c.t, "http://"+c.jsonpath("pod", "hello", "{.status.podIP}")+"/")
	if r := c.k("exec", "hello", "--", "sh", "-c", "echo $POD_NAME; exit 3"); r.code != 3 || r.stdout != "hello\n" {
		c.t.Fatalf("exec: %+v", r)
	}
	must(c.t, c.k("delete", "pod", "hello"), 0)
}

// connectorManifest: what runs the connector in a cluster is accepted by the
// real API server (a server-side dry run validates every object).
func connectorManifest(c *cluster) {
	env := append(append([]string{}, c.env...), "AZURE_CLIENT_ID=00000000-0000-0000-0000-000000000001", "AZURE_CLIENT_KEY=seed-secret",
		"AZURE_TENANT_ID=t", "AZURE_SUBSCRIPTION_ID=s")
	m := must(c.t, run(c.t, env, aciBin, "connector", "manifest", "-g", c.rg, "-l", "westus"), 0).stdout
	f := filepath.Join(c.t.TempDir(), "connector.yaml")
	os.WriteFile(f, []byte(m), 0o600)
	r := must(c.t, c.k("apply", "--dry-run=server", "-f", f), 0)
	for _, want := range []string{"serviceaccount/aci-connector created (server dry run)", "deployment.apps/aci-connector created (server dry run)",
		"secret/aci-connector created (server dry run)", "clusterrolebinding.rbac.authorization.k8s.io/aci-connector created (server dry run)"} {
		if !strings.Contains(r.stdout, want) {
			c.t.Errorf("dry run lacks %q:\n%s", want, r.stdout)
		}
	}
}
