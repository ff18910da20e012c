package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func templatePath(name string) string {
	p, _ := filepath.Abs(filepath.Join("..", "..", "examples", "templates", name))
	return p
}

// TestTemplates deploys the seed's templates unchanged (the app with its
// sidecar; hellofiles with the account key as a securestring) with the old
// spelling the seed uses, a one-deployment storage flow (listKeys, nested
// share, copy), and the registry-credentials variant, on aci local; then bad
// input fails with ARM's codes and leaves a record that says why.
func TestTemplates(t *testing.T) {
	requireDocker(t)
	env := append(localEnv(t), "DOCKER_CONFIG="+t.TempDir())
	aci := func(args ...string) result { return run(t, env, aciBin, args...) }
	must(t, aci("group", "create", "-n", "myResourceGroup", "-l", "westus", "-o", "none"), 0)

	// The sidecar template, as the seed runs it.
	r := must(t, aci("group", "deployment", "create", "--name", "myContainerGroup", "--resource-group", "myResourceGroup",
		"--template-file", templatePath("azuredeploy.json"), "--query", "properties.outputs.containerIPv4Address.value", "-o", "tsv"), 0)
	ip := strings.TrimSpace(r.stdout)
	if !strings.HasPrefix(ip, "127.0.2.") || !strings.Contains(r.stderr, "'group deployment' is deprecated") {
		t.Fatalf("sidecar deployment: %+v", r)
	}
	if shown := strings.TrimSpace(must(t, aci("container", "show", "-g", "myResourceGroup", "-n", "myContainerGroup", "--query", "ipAddress.ip", "-o", "tsv"), 0).stdout); shown != ip {
		t.Fatalf("output %s, group %s", ip, shown)
	}
	getUntil200(t, "http://"+ip+"/")
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := must(t, aci("container", "logs", "-g", "myResourceGroup", "-n", "myContainerGroup", "--container-name", "aci-tutorial-sidecar"), 0)
		if strings.Contains(r.stdout, "GET http://localhost/ -> 200 OK") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sidecar never reached the app:\n%s", r.stdout)
		}
		time.Sleep(time.Second)
	}

	// hellofiles: the storage account key as a securestring.
	must(t, aci("storage", "account", "create", "-n", "seedfiles1", "-g", "myResourceGroup", "--sku", "Standard_LRS", "-o", "none"), 0)
	key := strings.TrimSpace(must(t, aci("storage", "account", "keys", "list", "-g", "myResourceGroup", "-n", "seedfiles1", "--query", "[0].value", "-o", "tsv"), 0).stdout)
	must(t, aci("storage", "share", "create", "-n", "myacishare", "--account-name", "seedfiles1", "--account-key", key, "-o", "none"), 0)
	r = must(t, aci("group", "deployment", "create", "--name", "hellofilesdeployment", "--template-file", templatePath("hellofiles.json"),
		"--resource-group", "myResourceGroup", "--parameters", "storageaccountname=seedfiles1", "storageaccountkey="+key), 0)
	if strings.Contains(r.stdout, key) || !strings.Contains(r.stdout, `"type": "SecureString"`) {
		t.Fatalf("the deployment printed its secure parameter:\n%s", r.stdout)
	}
	hip := strings.TrimSpace(must(t, aci("container", "show", "-g", "myResourceGroup", "-n", "hellofiles", "--query", "ipAddress.ip", "-o", "tsv"), 0).stdout)
	if body := getUntil200(t, "http://"+hip+"/"); !strings.Contains(body, ".txt") {
		t.Fatalf("hellofiles page: %s", body)
	}
	if r := must(t, aci("storage", "file", "list", "-s", "myacishare", "--account-name", "seedfiles1", "--account-key", key, "--query", "length(@)"), 0); r.stdout == "0\n" {
		t.Fatal("hellofiles wrote nothing into the share")
	}
	if r := must(t, aci("deployment", "group", "export", "-g", "myResourceGroup", "-n", "hellofilesdeployment", "--query", "parameters.storageaccountkey.type", "-o", "tsv"), 0); r.stdout != "securestring\n" {
		t.Fatalf("export: %+v", r)
	}

	// One deployment for account, share and groups (listKeys, copy, nested).
	r = must(t, aci("deployment", "group", "create", "-g", "myResourceGroup", "-f", templatePath("storage-and-group.json"), "-p", "replicas=2",
		"--query", "properties.outputs"), 0)
	var outs map[string]struct{ Value string }
	json.Unmarshal([]byte(r.stdout), &outs)
	if !strings.HasPrefix(outs["ip"].Value, "127.0.2.") || !strings.Contains(outs["fileEndpoint"].Value, outs["storageAccountName"].Value) {
		t.Fatalf("outputs: %s", r.stdout)
	}
	getUntil200(t, "http://"+outs["ip"].Value+"/")
	if r := must(t, aci("container", "list", "-g", "myResourceGroup", "--query", "length([?starts_with(name, 'hellofiles-')])"), 0); r.stdout != "2\n" {
		t.Fatalf("copy loop: %s", r.stdout)
	}
	ops := must(t, aci("deployment", "operation", "group", "list", "-g", "myResourceGroup", "-n", "storage-and-group", "--query", "[].properties.targetResource.resourceType", "-o", "tsv"), 0).stdout
	if !strings.HasPrefix(ops, "Microsoft.Storage/storageAccounts\nMicrosoft.Storage/storageAccounts/fileServices/shares\n") {
		t.Fatalf("operations out of order:\n%s", ops)
	}
	if r := must(t, aci("deployment", "group", "list", "-g", "myResourceGroup", "-o", "table"), 0); strings.Count(r.stdout, "Succeeded") != 3 {
		t.Fatalf("list:\n%s", r.stdout)
	}

	// The registry-credentials variant: a private image, the password a securestring.
	must(t, aci("local", "images", "-o", "none"), 0)
	must(t, aci("acr", "create", "-n", "tplregistry", "-g", "myResourceGroup", "--sku", "Basic", "--admin-enabled", "true", "-o", "none"), 0)
	ls := strings.TrimSpace(must(t, aci("acr", "show", "-n", "tplregistry", "--query", "loginServer", "-o", "tsv"), 0).stdout)
	pw := strings.TrimSpace(must(t, aci("acr", "credential", "show", "-n", "tplregistry", "--query", "passwords[0].value", "-o", "tsv"), 0).stdout)
	docker := func(args ...string) result { return run(t, env, "docker", args...) }
	image := ls + "/tpl/hello:v1"
	must(t, docker("tag", "aci-local/helloworld:latest", image), 0)
	t.Cleanup(func() { exec.Command("docker", "rmi", "-f", image).Run() })
	login := exec.Command("docker", "login", ls, "-u", "tplregistry", "--password-stdin")
	login.Env = cleanEnv(env)
	login.Stdin = strings.NewReader(pw)
	if out, err := login.CombinedOutput(); err != nil {
		t.Fatalf("docker login: %v %s", err, out)
	}
	must(t, docker("push", image), 0)
	r = must(t, aci("deployment", "group", "create", "-g", "myResourceGroup", "-f", templatePath("private-registry.json"),
		"-p", "imageRegistryLoginServer="+ls, "imageRegistryUsername=tplregistry", "imageRegistryPassword="+pw, "image="+image,
		"--query", "properties.outputs.containerIPv4Address.value", "-o", "tsv"), 0)
	if body := getUntil200(t, "http://"+strings.TrimSpace(r.stdout)+"/"); !strings.Contains(body, "Welcome to Azure Container Instances!") {
		t.Fatalf("private image: %s", body)
	}

	badInput(t, aci)
	azTemplates(t, env, ip)
}

func writeTemplate(t *testing.T, body string) string {
	p := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(p, []byte(body), 0o644)
	return p
}

const schemaHead = `"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0"`

// badInput: ARM's codes and messages; validation failures create nothing, a
// failing resource leaves a Failed deployment that says why.
func badInput(t *testing.T, aci func(args ...string) result) {
	cases := []struct {
		name, template string
		params         []string
		want           string
	}{
		{"invalid-json", "{\n  \"$schema\": \"x\",\n  \"contentVersion\" \"1.0.0.0\"\n}", nil, "at line 3 column"},
		{"unknown-function", `{` + schemaHead + `, "outputs": {"o": {"type": "string", "value": "[nosuch('x')]"}}}`, nil, `{"code": "InvalidTemplate", "message": "Deployment template validation failed: 'The template function 'nosuch'`},
		{"missing-parameter", `{` + schemaHead + `, "parameters": {"p": {"type": "string"}}}`, nil, "Missing input parameters: p"},
		{"not-allowed", `{` + schemaHead + `, "parameters": {"sku": {"type": "string", "allowedValues": ["Standard_LRS"]}}}`, []string{"sku=Basic"}, "not part of the allowed value(s): 'Standard_LRS'"},
		{"wrong-type", `{` + schemaHead + `, "parameters": {"n": {"type": "int"}}}`, []string{`{"n": {"value": "abc"}}`}, "Expected 'Integer'. Actual 'String'"},
		{"cycle", `{` + schemaHead + `, "resources": [
			{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01", "name": "cyca", "location": "westus", "sku": {"name": "Standard_LRS"}, "dependsOn": ["cycb"]},
			{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01", "name": "cycb", "location": "westus", "sku": {"name": "Standard_LRS"}, "dependsOn": ["cyca"]}]}`, nil, "Circular dependency detected"},
	}
	for _, c := range cases {
		args := []string{"deployment", "group", "create", "-g", "myResourceGroup", "-n", c.name, "-f", writeTemplate(t, c.template)}
		if len(c.params) > 0 {
			args = append(append(args, "-p"), c.params...)
		}
		r := aci(args...)
		if r.code != 1 || !strings.Contains(r.stderr, c.want) || strings.Contains(r.stderr, "goroutine") {
			t.Errorf("%s: %+v (want %q)", c.name, r, c.want)
		}
		if s := aci("deployment", "group", "show", "-g", "myResourceGroup", "-n", c.name); s.code != 3 {
			t.Errorf("%s: a rejected template left a deployment: %+v", c.name, s)
		}
	}
	// A reference to a resource that does not exist fails at deployment time:
	// the record says Failed and why, and nothing of it runs.
	ref := `{` + schemaHead + `, "resources": [{"type": "Microsoft.ContainerInstance/containerGroups", "apiVersion": "2023-05-01", "name": "refgroup",
	  "location": "westus", "properties": {"osType": "Linux", "containers": [{"name": "c", "properties": {"image": "mcr.microsoft.com/azuredocs/aci-helloworld",
	  "resources": {"requests": {"cpu": 1, "memoryInGB": 1}}, "environmentVariables": [{"name": "E", "value": "[reference(resourceId('Microsoft.Storage/storageAccounts', 'nosuchacct')).primaryLocation]"}]}}]}}]}`
	r := aci("deployment", "group", "create", "-g", "myResourceGroup", "-n", "badref", "-f", writeTemplate(t, ref))
	if r.code != 1 || !strings.Contains(r.stderr, "DeploymentFailed") || !strings.Contains(r.stderr, "nosuchacct") {
		t.Fatalf("missing reference: %+v", r)
	}
	if s := must(t, aci("deployment", "group", "show", "-g", "myResourceGroup", "-n", "badref", "--query", "[properties.provisioningState, properties.error.details[0].code]", "-o", "tsv"), 0); s.stdout != "Failed\nResourceNotFound\n" {
		t.Fatalf("failed record: %q", s.stdout)
	}
	if s := aci("container", "show", "-g", "myResourceGroup", "-n", "refgroup"); s.code != 3 {
		t.Fatalf("the failed resource exists: %+v", s)
	}
}

// azTemplates: the real az 2.45 deploys the seed's template to aci local
// with both spellings and prints what aci prints for the same deployment.
func azTemplates(t *testing.T, env []string, aciIP string) {
	az := requireAz(t)
	azEnv := azLoggedIn(t, az, env)
	must(t, run(t, azEnv, az, "group", "create", "-n", "azdeploy", "-l", "westus", "-o", "none"), 0)
	r := must(t, run(t, azEnv, az, "deployment", "group", "create", "-g", "azdeploy", "-n", "myContainerGroup", "--template-file", templatePath("azuredeploy.json"),
		"--query", "properties.outputs.containerIPv4Address.value", "-o", "tsv"), 0)
	ip := strings.TrimSpace(r.stdout)
	if !strings.HasPrefix(ip, "127.0.2.") || ip == aciIP {
		t.Fatalf("az deployment: %+v", r)
	}
	getUntil200(t, "http://"+ip+"/")
	a := must(t, run(t, azEnv, az, "deployment", "group", "show", "-g", "azdeploy", "-n", "myContainerGroup"), 0)
	b := must(t, run(t, env, aciBin, "deployment", "group", "show", "-g", "azdeploy", "-n", "myContainerGroup"), 0)
	if a.stdout != b.stdout {
		t.Fatalf("show differs:\naz:\n%s\naci:\n%s", a.stdout, b.stdout)
	}
	for _, args := range [][]string{{"deployment", "group", "list", "-g", "azdeploy"}, {"deployment", "group", "list", "-g", "azdeploy", "-o", "table"}} {
		a, b := must(t, run(t, azEnv, az, args...), 0), must(t, run(t, env, aciBin, args...), 0)
		if a.stdout != b.stdout {
			t.Errorf("%v differs:\naz:\n%s\naci:\n%s", args, a.stdout, b.stdout)
		}
	}
	key := strings.TrimSpace(must(t, run(t, env, aciBin, "storage", "account", "keys", "list", "-g", "myResourceGroup", "-n", "seedfiles1", "--query", "[0].value", "-o", "tsv"), 0).stdout)
	r = must(t, run(t, azEnv, az, "group", "deployment", "create", "--name", "hellofilesdeployment", "--template-file", templatePath("hellofiles.json"),
		"--resource-group", "azdeploy", "--parameters", "storageaccountname=seedfiles1", "storageaccountkey="+key, "--query", "properties.provisioningState", "-o", "tsv"), 0)
	if r.stdout != "Succeeded\n" || strings.Contains(r.stdout, key) {
		t.Fatalf("az group deployment: %+v", r)
	}
}
