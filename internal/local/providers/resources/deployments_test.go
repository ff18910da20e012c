package resources_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aci-cli/aci/internal/local/core"
	"github.com/aci-cli/aci/internal/local/coretest"
	"github.com/aci-cli/aci/internal/local/providers/resources"
	"github.com/aci-cli/aci/internal/local/providers/storage"
)

const v = "?api-version=2022-09-01"

func start(t *testing.T) *coretest.Harness {
	t.Helper()
	h := coretest.StartWith(t, core.Options{StateDir: t.TempDir(), Version: "test", PageSize: 50}, func(s *core.Server) {
		storage.New(s, "")
		resources.New(s)
	})
	if a := h.Do("PUT", h.RG("rg")+coretest.V, `{"location":"westus"}`); a.Status >= 300 {
		t.Fatalf("group: %+v", a)
	}
	return h
}

func dep(h *coretest.Harness, name string) string {
	return h.RG("rg") + "/providers/Microsoft.Resources/deployments/" + name
}

// deploy PUTs a deployment and follows its Azure-AsyncOperation to the end.
func deploy(t *testing.T, h *coretest.Harness, name, body string) map[string]any {
	t.Helper()
	a := h.Do("PUT", dep(h, name)+v, body)
	if a.Status != 201 && a.Status != 200 {
		t.Fatalf("put %s: %d %s", name, a.Status, a.Raw)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		st := h.Do("GET", a.Header.Get("Azure-AsyncOperation"), "")
		if s := st.Body["status"]; s != "Running" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deployment %s never ended", name)
		}
		time.Sleep(30 * time.Millisecond)
	}
	return h.Do("GET", dep(h, name)+v, "").Body
}

func props(m map[string]any) map[string]any { p, _ := m["properties"].(map[string]any); return p }

const head = `"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0"`

func accountTemplate(names ...string) string {
	var rs []string
	for _, n := range names {
		rs = append(rs, `{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01", "name": "`+n+`", "location": "[resourceGroup().location]", "sku": {"name": "Standard_LRS"}}`)
	}
	return `{"properties": {"mode": "Incremental", "template": {` + head + `,
	  "parameters": {"secret": {"type": "securestring", "defaultValue": "hush"}},
	  "resources": [` + strings.Join(rs, ",") + `],
	  "outputs": {"key": {"type": "string", "value": "[listKeys(resourceId('Microsoft.Storage/storageAccounts', '` + names[0] + `'), '2023-05-01').keys[0].value]"},
	              "loc": {"type": "string", "value": "[reference('` + names[0] + `').primaryLocation]"}}}}}`
}

func TestDeploymentLifecycle(t *testing.T) {
	h := start(t)
	d := deploy(t, h, "first", accountTemplate("depacct1"))
	p := props(d)
	if p["provisioningState"] != "Succeeded" || p["mode"] != "Incremental" {
		t.Fatalf("deployment: %v", d)
	}
	outs := p["outputs"].(map[string]any)
	if outs["loc"].(map[string]any)["value"] != "westus" || len(outs["key"].(map[string]any)["value"].(string)) < 40 {
		t.Fatalf("outputs: %v", outs)
	}
	if strings.Contains(h.Do("GET", dep(h, "first")+v, "").Raw, "hush") {
		t.Fatal("a securestring parameter is returned by GET")
	}
	if a := h.Do("GET", h.RG("rg")+"/providers/Microsoft.Storage/storageAccounts/depacct1?api-version=2023-05-01", ""); a.Status != 200 {
		t.Fatalf("the deployed account: %d", a.Status)
	}
	ops := h.Do("GET", dep(h, "first")+"/operations"+v, "")
	list := ops.Body["value"].([]any)
	if len(list) != 1 || props(list[0].(map[string]any))["provisioningState"] != "Succeeded" {
		t.Fatalf("operations: %s", ops.Raw)
	}
	opID := list[0].(map[string]any)["operationId"].(string)
	if a := h.Do("GET", dep(h, "first")+"/operations/"+opID+v, ""); a.Status != 200 {
		t.Fatalf("operation: %s", a.Raw)
	}
	if a := h.Do("POST", dep(h, "first")+"/exportTemplate"+v, ""); !strings.Contains(a.Raw, "depacct1") {
		t.Fatalf("export: %s", a.Raw)
	}
	if a := h.Do("POST", dep(h, "first")+"/cancel"+v, ""); a.Status != 409 || a.Code() != "DeploymentCannotBeCancelled" {
		t.Fatalf("cancel a finished deployment: %d %s", a.Status, a.Raw)
	}
	if a := h.Do("GET", h.RG("rg")+"/providers/Microsoft.Resources/deployments"+v, ""); len(a.Body["value"].([]any)) != 1 {
		t.Fatalf("list: %s", a.Raw)
	}

	// validate: the plan, nothing deployed; and ARM's 400 on a bad template.
	a := h.Do("POST", dep(h, "check")+"/validate"+v, accountTemplate("depacct9"))
	if a.Status != 200 || props(a.Body)["validatedResources"] == nil {
		t.Fatalf("validate: %s", a.Raw)
	}
	if g := h.Do("GET", h.RG("rg")+"/providers/Microsoft.Storage/storageAccounts/depacct9?api-version=2023-05-01", ""); g.Status != 404 {
		t.Fatal("validate deployed something")
	}
	bad := strings.Replace(accountTemplate("depacct9"), "listKeys(", "listKeyz(", 1)
	if a := h.Do("POST", dep(h, "check")+"/validate"+v, bad); a.Status != 400 || a.Code() != "InvalidTemplate" || !strings.Contains(a.Raw, "listKeyz") {
		t.Fatalf("validate bad: %d %s", a.Status, a.Raw)
	}
	if a := h.Do("PUT", dep(h, "check")+v, bad); a.Status != 400 {
		t.Fatalf("put bad: %d", a.Status)
	}
	if a := h.Do("GET", dep(h, "check")+v, ""); a.Status != 404 || a.Code() != "DeploymentNotFound" {
		t.Fatalf("a rejected template left a record: %d %s", a.Status, a.Raw)
	}

	// what-if: the existing account is NoChange, a new one Create.
	a = h.Do("POST", dep(h, "first")+"/whatIf"+v, accountTemplate("depacct1", "depacct2"))
	changes := props(a.Body)["changes"].([]any)
	types := map[string]string{}
	for _, c := range changes {
		m := c.(map[string]any)
		types[m["resourceId"].(string)[strings.LastIndex(m["resourceId"].(string), "/")+1:]] = m["changeType"].(string)
	}
	if types["depacct1"] != "NoChange" || types["depacct2"] != "Create" {
		t.Fatalf("what-if: %s", a.Raw)
	}

	// ARM's before carries the api-version, as after does.
	for _, c := range changes {
		m := c.(map[string]any)
		if before, ok := m["before"].(map[string]any); ok && before["apiVersion"] != "2023-05-01" {
			t.Fatalf("what-if before without its api-version: %v", before)
		}
	}

	// Complete mode deletes what the template no longer lists; what-if
	// says so first, with what would be deleted.
	deploy(t, h, "second", accountTemplate("depacct1", "depacct2"))
	complete := strings.Replace(accountTemplate("depacct2"), `"mode": "Incremental"`, `"mode": "Complete"`, 1)
	a = h.Do("POST", dep(h, "preview")+"/whatIf"+v, complete)
	var deletes []string
	for _, c := range props(a.Body)["changes"].([]any) {
		m := c.(map[string]any)
		if m["changeType"] == "Delete" {
			deletes = append(deletes, m["resourceId"].(string))
			if b, _ := m["before"].(map[string]any); b["name"] != "depacct1" || m["after"] != nil {
				t.Fatalf("a delete's before and after: %v", m)
			}
		}
	}
	if len(deletes) != 1 || !strings.HasSuffix(deletes[0], "/depacct1") {
		t.Fatalf("Complete what-if deletes %v: %s", deletes, a.Raw)
	}
	if p := props(deploy(t, h, "third", complete)); p["provisioningState"] != "Succeeded" || p["mode"] != "Complete" {
		t.Fatalf("complete: %v", p)
	}
	if g := h.Do("GET", h.RG("rg")+"/providers/Microsoft.Storage/storageAccounts/depacct1?api-version=2023-05-01", ""); g.Status != 404 {
		t.Fatal("Complete mode kept what the template dropped")
	}
}

// TestFailureAndRollback: a failing resource fails the deployment with its
// error in properties.error and in the operations; --rollback-on-error
// redeploys the last successful one.
func TestFailureAndRollback(t *testing.T) {
	h := start(t)
	deploy(t, h, "good", accountTemplate("rbacct1"))
	failing := `{"properties": {"mode": "Incremental", "onErrorDeployment": {"type": "LastSuccessful"}, "template": {` + head + `,
	  "resources": [{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01", "name": "BAD_NAME", "location": "westus", "sku": {"name": "Standard_LRS"}}]}}}`
	d := deploy(t, h, "bad", failing)
	p := props(d)
	e, _ := p["error"].(map[string]any)
	if p["provisioningState"] != "Failed" || e["code"] != "DeploymentFailed" || !strings.Contains(mustJSON(e), "AccountNameInvalid") {
		t.Fatalf("failed deployment: %v", d)
	}
	if oe := p["onErrorDeployment"].(map[string]any); oe["deploymentName"] != "good" {
		t.Fatalf("rollback target: %v", oe)
	}
	ops := h.Do("GET", dep(h, "bad")+"/operations"+v, "").Body["value"].([]any)
	if props(ops[0].(map[string]any))["provisioningState"] != "Failed" {
		t.Fatalf("operations: %v", ops)
	}
	// The rollback ran "good" again (its record was rewritten).
	deadline := time.Now().Add(10 * time.Second)
	for props(h.Do("GET", dep(h, "good")+v, "").Body)["provisioningState"] != "Succeeded" && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if p := props(h.Do("GET", dep(h, "good")+v, "").Body); p["provisioningState"] != "Succeeded" {
		t.Fatalf("rollback: %v", p)
	}
}

// TestLenientBody: az 2.45 sends the template as its file's text with an
// unquoted key and comments; ARM's reader takes it, and so do we.
func TestLenientBody(t *testing.T) {
	h := start(t)
	body := `{"properties": {"parameters": {}, "mode": "Incremental", template:{
	  // a comment, as templates may have
	  ` + head + `, "outputs": {"o": {"type": "int", "value": "[add(1, 2)]"}}}}}`
	d := deploy(t, h, "lenient", body)
	if o := props(d)["outputs"].(map[string]any)["o"].(map[string]any); o["value"] != float64(3) || o["type"] != "Int" {
		t.Fatalf("outputs: %v", d)
	}
	var m map[string]any
	if json.Unmarshal([]byte(h.Do("POST", dep(h, "lenient")+"/exportTemplate"+v, "").Raw), &m) != nil || m["template"] == nil {
		t.Fatal("export of a lenient template")
	}
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }
