package deployment

// The deployment commands on a fake Service (function fields): the body a
// template and its parameters become, validation before deployment, the
// what-if report, waits, and the reads, with nothing listening.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
)

type fakeService struct {
	calls      []string
	sent       map[string]any
	validate   func(body any) (arm.Raw, error)
	whatIf     func(body any) (arm.Raw, error)
	get        func(name string) (arm.Raw, error)
	operations func(name string) ([]any, error)
}

func (s *fakeService) note(format string, a ...any) {
	s.calls = append(s.calls, fmt.Sprintf(format, a...))
}

func decoded(body any) map[string]any {
	b, _ := json.Marshal(body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

func (s *fakeService) Create(_ context.Context, rg, name string, body any, wait bool, _ arm.Progress) (arm.Raw, error) {
	s.note("create %s/%s wait=%v", rg, name, wait)
	s.sent = decoded(body)
	return deployment(name, "Succeeded"), nil
}
func (s *fakeService) Validate(_ context.Context, rg, name string, body any) (arm.Raw, error) {
	s.note("validate %s/%s", rg, name)
	s.sent = decoded(body)
	if s.validate != nil {
		return s.validate(body)
	}
	return deployment(name, "Succeeded"), nil
}
func (s *fakeService) WhatIf(_ context.Context, rg, name string, body any) (arm.Raw, error) {
	s.note("what-if %s/%s", rg, name)
	return s.whatIf(body)
}
func (s *fakeService) Get(_ context.Context, rg, name string) (arm.Raw, error) {
	s.note("get %s/%s", rg, name)
	return s.get(name)
}
func (s *fakeService) List(_ context.Context, rg, filter string) ([]any, error) {
	s.note("list %s %q", rg, filter)
	return []any{map[string]any(deployment("a", "Succeeded"))}, nil
}
func (s *fakeService) Delete(_ context.Context, rg, name string, wait bool) error {
	s.note("delete %s/%s wait=%v", rg, name, wait)
	return nil
}
func (s *fakeService) Cancel(_ context.Context, rg, name string) error {
	s.note("cancel %s/%s", rg, name)
	return nil
}
func (s *fakeService) Export(_ context.Context, rg, name string) (arm.Raw, error) {
	return arm.Raw{"template": map[string]any{"resources": []any{}}}, nil
}
func (s *fakeService) Operations(_ context.Context, rg, name string) ([]any, error) {
	return s.operations(name)
}
func (s *fakeService) Operation(_ context.Context, rg, name, id string) (arm.Raw, error) {
	return arm.Raw{"id": id, "operationId": id, "properties": map[string]any{"provisioningState": "Succeeded"}}, nil
}

func deployment(name, state string) arm.Raw {
	return arm.Raw{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Resources/deployments/" + name, "name": name,
		"properties": map[string]any{"provisioningState": state, "mode": "Incremental"}}
}

func run(t *testing.T, svc *fakeService, args ...string) (string, string, error) {
	t.Helper()
	ios, _, out, errOut := cmdutil.Test()
	f := &cmdutil.Factory{IO: ios, ConfigDir: t.TempDir(), Globals: cmdutil.Globals{Output: "json"}}
	cmd := newCmd(f, &Deps{Service: func() (Service, error) { return svc, nil }})
	cmd.SetArgs(cmdutil.ExpandNArgs(cmd, args))
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

const template = `{
  // comments are allowed, as in ARM
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {"name": {"type": "string"}, "count": {"type": "int", "defaultValue": 1}},
  "resources": []
}`

func templateFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "web.json")
	if err := os.WriteFile(p, []byte(template), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// create validates first, then deploys: the deployment is named after the
// file, parameters are typed by the template, comments are stripped.
func TestCreateValidatesThenDeploys(t *testing.T) {
	svc := &fakeService{}
	file := templateFile(t)
	if _, _, err := run(t, svc, "group", "create", "-g", "rg", "-f", file, "-p", "name=web", "-p", "count=3", "--rollback-on-error"); err != nil {
		t.Fatal(err)
	}
	if strings.Join(svc.calls, ",") != "validate rg/web,create rg/web wait=true" {
		t.Fatalf("calls %v", svc.calls)
	}
	props := svc.sent["properties"].(map[string]any)
	params, _ := json.Marshal(props["parameters"])
	if string(params) != `{"count":{"value":3},"name":{"value":"web"}}` || props["mode"] != "Incremental" {
		t.Fatalf("parameters %s, mode %v", params, props["mode"])
	}
	if od, _ := json.Marshal(props["onErrorDeployment"]); string(od) != `{"type":"LastSuccessful"}` {
		t.Fatalf("--rollback-on-error as a flag: %s", od)
	}
	if _, ok := props["template"].(map[string]any)["resources"]; !ok {
		t.Fatalf("template not sent: %v", props["template"])
	}
	// A refused validation stops before anything is deployed.
	svc = &fakeService{validate: func(any) (arm.Raw, error) {
		return nil, &arm.Error{StatusCode: 400, Code: "InvalidTemplate", Message: "Deployment template validation failed."}
	}}
	if _, _, err := run(t, svc, "group", "create", "-g", "rg", "-f", file, "-p", "name=web"); err == nil || strings.Contains(strings.Join(svc.calls, ","), "create") {
		t.Fatalf("a refused template was deployed: %v %v", err, svc.calls)
	}
	if _, _, err := run(t, svc, "group", "create", "-g", "rg", "-f", file, "-u", "https://x/t.json"); cmdutil.ExitCode(err) != 2 {
		t.Fatalf("--template-file and --template-uri together: %v", err)
	}
	if _, _, err := run(t, svc, "group", "create", "-g", "rg", "-f", file, "-p", "name=web", "--mode", "Partial"); cmdutil.ExitCode(err) != 2 {
		t.Fatalf("an unknown mode: %v", err)
	}
}

func TestValidateAndWhatIf(t *testing.T) {
	svc := &fakeService{whatIf: func(any) (arm.Raw, error) {
		return arm.Raw{"status": "Succeeded", "properties": map[string]any{"changes": []any{map[string]any{
			"resourceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1", "changeType": "Create"}}}}, nil
	}}
	file := templateFile(t)
	out, _, err := run(t, svc, "group", "validate", "-g", "rg", "-f", file, "-p", "name=a", "-n", "check")
	if err != nil || !strings.Contains(out, `"name": "check"`) || strings.Join(svc.calls, ",") != "validate rg/check" {
		t.Fatalf("validate: %v %v %s", err, svc.calls, out)
	}
	out, _, err = run(t, svc, "group", "what-if", "-g", "rg", "-f", file, "-p", "name=a")
	if err != nil || !strings.Contains(out, "Resource changes: 1 to create.") || !strings.Contains(out, "Microsoft.Storage/storageAccounts/st1") {
		t.Fatalf("what-if report:\n%s\n%v", out, err)
	}
}

func TestReadsAndWaits(t *testing.T) {
	states := []string{"Running", "Succeeded"}
	svc := &fakeService{
		get: func(name string) (arm.Raw, error) {
			st := states[0]
			if len(states) > 1 {
				states = states[1:]
			}
			return deployment(name, st), nil
		},
		operations: func(string) ([]any, error) {
			return []any{map[string]any{"id": "op1", "operationId": "op1", "properties": map[string]any{"provisioningState": "Succeeded"}}}, nil
		},
	}
	if _, _, err := run(t, svc, "group", "wait", "-g", "rg", "-n", "web", "--created", "--interval", "0"); err != nil || len(svc.calls) != 2 {
		t.Fatalf("wait --created: %v after %v", err, svc.calls)
	}
	states = []string{"Failed"}
	if _, _, err := run(t, svc, "group", "wait", "-g", "rg", "-n", "web", "--created", "--interval", "0"); err == nil || !strings.Contains(err.Error(), "ended Failed") {
		t.Fatalf("wait on a failed deployment: %v", err)
	}
	if _, _, err := run(t, svc, "group", "wait", "-g", "rg", "-n", "web"); cmdutil.ExitCode(err) != 2 {
		t.Fatalf("wait without a condition: %v", err)
	}
	start := time.Now()
	states = []string{"Running"}
	if _, _, err := run(t, svc, "group", "wait", "-g", "rg", "-n", "web", "--created", "--interval", "0", "--timeout", "0"); err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("a timeout: %v", err)
	}
	svc.calls = nil
	if out, _, err := run(t, svc, "group", "list", "-g", "rg", "--filter", "provisioningState eq 'Failed'"); err != nil || svc.calls[0] != `list rg "provisioningState eq 'Failed'"` || !strings.Contains(out, `"name": "a"`) {
		t.Fatalf("list: %v %v", err, svc.calls)
	}
	if out, _, err := run(t, svc, "group", "export", "-g", "rg", "-n", "web"); err != nil || !strings.Contains(out, `"resources": []`) {
		t.Fatalf("export prints the template: %v %s", err, out)
	}
	if _, _, err := run(t, svc, "group", "delete", "-g", "rg", "-n", "web", "--no-wait"); err != nil || svc.calls[len(svc.calls)-1] != "delete rg/web wait=false" {
		t.Fatalf("delete: %v %v", err, svc.calls)
	}
	if _, _, err := run(t, svc, "group", "cancel", "-g", "rg", "-n", "web"); err != nil || svc.calls[len(svc.calls)-1] != "cancel rg/web" {
		t.Fatalf("cancel: %v %v", err, svc.calls)
	}
	if out, _, err := run(t, svc, "operation", "group", "list", "-g", "rg", "-n", "web"); err != nil || !strings.Contains(out, `"operationId": "op1"`) {
		t.Fatalf("operation list: %v %s", err, out)
	}
	if out, _, err := run(t, svc, "operation", "group", "show", "-g", "rg", "-n", "web", "--operation-ids", "a", "b"); err != nil || strings.Count(out, `"operationId"`) != 2 {
		t.Fatalf("operation show of two: %v %s", err, out)
	}
	if _, _, err := run(t, svc, "group", "show", "-g", "rg"); cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "--name/-n") {
		t.Fatalf("show without -n: %v", err)
	}
}

func TestWaitConditions(t *testing.T) {
	reads := 0
	svc := &fakeService{get: func(name string) (arm.Raw, error) {
		reads++
		if reads < 3 {
			return deployment(name, "Running"), nil
		}
		return nil, &arm.Error{StatusCode: 404, Code: "DeploymentNotFound", Message: "gone"}
	}}
	if _, _, err := run(t, svc, "group", "wait", "-g", "rg", "-n", "web", "--deleted", "--interval", "0"); err != nil || reads != 3 {
		t.Fatalf("--deleted returns once the read is a 404: %v after %d reads", err, reads)
	}
	reads = 0
	if _, _, err := run(t, svc, "group", "wait", "-g", "rg", "-n", "web", "--exists", "--interval", "0"); err != nil || reads != 1 {
		t.Fatalf("--exists: %v after %d reads", err, reads)
	}
	// --custom is a JMESPath over the deployment as az prints it.
	reads = 0
	svc.get = func(name string) (arm.Raw, error) {
		reads++
		d := deployment(name, "Running")
		d["properties"].(map[string]any)["outputs"] = map[string]any{"ready": map[string]any{"type": "Bool", "value": reads >= 2}}
		return d, nil
	}
	if _, _, err := run(t, svc, "group", "wait", "-g", "rg", "-n", "web", "--custom", "properties.outputs.ready.value", "--interval", "0"); err != nil || reads != 2 {
		t.Fatalf("--custom: %v after %d reads", err, reads)
	}
	if _, _, err := run(t, svc, "group", "wait", "-g", "rg", "-n", "web", "--custom", "[?", "--interval", "0"); cmdutil.ExitCode(err) != 2 {
		t.Fatalf("a --custom query that does not parse: %v", err)
	}
	// Any other failed read ends the wait with its error.
	svc.get = func(string) (arm.Raw, error) {
		return nil, &arm.Error{StatusCode: 403, Code: "AuthorizationFailed", Message: "no"}
	}
	if _, _, err := run(t, svc, "group", "wait", "-g", "rg", "-n", "web", "--deleted", "--interval", "0"); err == nil || !strings.Contains(err.Error(), "no") {
		t.Fatalf("a 403: %v", err)
	}
	if _, _, err := run(t, svc, "operation", "group", "show", "-g", "rg", "-n", "web"); cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "--operation-ids") {
		t.Fatalf("operation show without ids: %v", err)
	}
}

// az's words for a refused deployment, and the body's other choices.
func TestErrorsAndBodyChoices(t *testing.T) {
	file := templateFile(t)
	// A refused validation prints as Python's json.dumps, details as Inner Errors.
	svc := &fakeService{validate: func(any) (arm.Raw, error) {
		return nil, &arm.Error{StatusCode: 400, Code: "InvalidTemplate", Message: "Bad \"name\"\tété", Target: "/resources/0",
			Details: []arm.Error{{Code: "Inner", Message: "why"}}}
	}}
	_, _, err := run(t, svc, "group", "validate", "-g", "rg", "-f", file, "-p", "name=a")
	want := `{"code": "InvalidTemplate", "message": "Bad \"name\"\t\u00e9t\u00e9", "target": "/resources/0"}` + "\n\nInner Errors: \n" + `{"code": "Inner", "message": "why"}`
	if err == nil || err.Error() != want {
		t.Fatalf("validation error:\n%v\nwant\n%s", err, want)
	}
	// A validation that answers with an error in its body: "Code - Message", nested.
	svc = &fakeService{validate: func(any) (arm.Raw, error) {
		return arm.Raw{"properties": map[string]any{"error": map[string]any{"code": "PreflightFailed", "message": "top",
			"details": []any{map[string]any{"code": "QuotaExceeded", "message": "cores"}}}}}, nil
	}}
	if _, _, err := run(t, svc, "group", "create", "-g", "rg", "-f", file, "-p", "name=a"); err == nil || err.Error() != "PreflightFailed - top\nQuotaExceeded - cores" {
		t.Fatalf("preflight: %v", err)
	}
	if strings.Contains(strings.Join(svc.calls, ","), "create") {
		t.Fatalf("deployed after a failed preflight: %v", svc.calls)
	}
	// A non-ARM error passes through as it is.
	svc = &fakeService{validate: func(any) (arm.Raw, error) { return nil, errors.New("connection refused") }}
	if _, _, err := run(t, svc, "group", "validate", "-g", "rg", "-f", file, "-p", "name=a"); err == nil || err.Error() != "connection refused" {
		t.Fatalf("a transport error: %v", err)
	}
	// --rollback-on-error NAME, --mode complete, --no-wait, the name from the file.
	svc = &fakeService{}
	out, _, err := run(t, svc, "group", "create", "-g", "rg", "-f", file, "-p", "name=a", "--rollback-on-error", "good-one", "--mode", "complete", "--no-wait")
	if err != nil || out != "" {
		t.Fatalf("--no-wait prints nothing: %v %q", err, out)
	}
	props := svc.sent["properties"].(map[string]any)
	if od, _ := json.Marshal(props["onErrorDeployment"]); string(od) != `{"deploymentName":"good-one","type":"SpecificDeployment"}` || props["mode"] != "Complete" {
		t.Fatalf("rollback %s, mode %v", od, props["mode"])
	}
	if last := svc.calls[len(svc.calls)-1]; last != "create rg/web wait=false" {
		t.Fatalf("named after web.json: %v", svc.calls)
	}
	// what-if --no-pretty-print prints the result as data.
	svc = &fakeService{whatIf: func(any) (arm.Raw, error) { return arm.Raw{"status": "Succeeded", "changes": []any{}}, nil }}
	if out, _, err := run(t, svc, "group", "what-if", "-g", "rg", "-f", file, "-p", "name=a", "--no-pretty-print"); err != nil || !strings.Contains(out, `"status": "Succeeded"`) {
		t.Fatalf("--no-pretty-print: %v %s", err, out)
	}
	// A missing parameter: refused without a terminal; with --no-prompt az
	// warns and lets ARM answer.
	if _, _, err := run(t, svc, "group", "create", "-g", "rg", "-f", file); err == nil || err.Error() != "Missing input parameters: name" {
		t.Fatalf("a missing parameter: %v", err)
	}
	svc.calls = nil
	if _, errOut, err := run(t, svc, "group", "create", "-g", "rg", "-f", file, "--no-prompt"); err != nil || !strings.Contains(errOut, "WARNING: Missing input parameters: name") ||
		len(svc.calls) != 2 {
		t.Fatalf("--no-prompt: %v %q %v", err, errOut, svc.calls)
	}
	if _, _, err := run(t, svc, "group", "create", "-f", file); cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "--resource-group/-g") {
		t.Fatalf("no group: %v", err)
	}
}
