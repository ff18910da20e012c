// Package resources is aci local's Microsoft.Resources/deployments at
// resource-group scope: ARM template deployments evaluated by the template
// engine, whose resources are created through the server's own handlers (an
// in-process ARM call), so a deployed container group runs as one created
// directly. Validate, what-if, cancel, export and the operations list are
// ARM's.
package resources

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aci-cli/aci/internal/jsonc"
	"github.com/aci-cli/aci/internal/local/core"
	"github.com/aci-cli/aci/internal/local/template"
	"github.com/golang-jwt/jwt/v5"
)

// Type is the ARM resource type.
const Type = "Microsoft.Resources/deployments"

// Deployments serves Microsoft.Resources/deployments.
type Deployments struct {
	s      *core.Server
	mu     sync.Mutex
	cancel map[string]context.CancelFunc // running deployments by lower-cased id
}

// private is what GET never returns: the template and the parameters as
// given (secure values included, sealed by the store), and the run's trail.
type private struct {
	Template   json.RawMessage `json:"template"`
	Parameters map[string]any  `json:"parameters"`
	Mode       string          `json:"mode"`
	OnError    *onError        `json:"onError,omitempty"`
	Claims     jwt.MapClaims   `json:"claims"`
	Operations []operation     `json:"operations"`
	Group      string          `json:"group"`
	Sub        string          `json:"sub"`
}

type onError struct {
	Type           string `json:"type"`
	DeploymentName string `json:"deploymentName,omitempty"`
}

type operation struct {
	ID         string          `json:"id"`
	Target     string          `json:"target"`
	Type       string          `json:"type"`
	Name       string          `json:"name"`
	State      string          `json:"state"`
	Status     int             `json:"status"`
	Started    time.Time       `json:"started"`
	Finished   time.Time       `json:"finished"`
	Error      *core.ErrorBody `json:"error,omitempty"`
	Operation  string          `json:"operation"` // Create, Delete
	TrackingID string          `json:"trackingId"`
}

// New registers deployments on s.
func New(s *core.Server) *Deployments {
	d := &Deployments{s: s, cancel: map[string]context.CancelFunc{}}
	s.Declare(core.Namespace{Name: "Microsoft.Resources", Types: []string{"deployments", "deployments/operations"}})
	s.Register(d)
	s.RegisterResumer("deploymentRun", d.resume)
	return d
}

// Type is the ARM resource type.
func (d *Deployments) Type() string { return Type }

// body is what a PUT, validate or what-if carries.
type body struct {
	Properties *deployProps `json:"properties"`
}

type deployProps struct {
	Mode              string                `json:"mode"`
	Template          json.RawMessage       `json:"template"`
	TemplateLink      *struct{ URI string } `json:"templateLink"`
	Parameters        map[string]any        `json:"parameters"`
	ParametersLink    *struct{ URI string } `json:"parametersLink"`
	OnErrorDeployment *onError              `json:"onErrorDeployment"`
}

// Serve routes deployments[/{name}[/action]].
func (d *Deployments) Serve(w http.ResponseWriter, r *core.Request) {
	rest := r.Rest
	if r.Group == "" {
		r.Error(w, 404, "InvalidResourceType", "aci local serves deployments at resource-group scope only.")
		return
	}
	if len(rest) == 1 {
		if r.Method != http.MethodGet {
			r.Error(w, 405, "MethodNotAllowed", "The method '%s' is not allowed.", r.Method)
			return
		}
		d.list(w, r)
		return
	}
	name := rest[1]
	id := r.ID(len(rest) - 2)
	if len(rest) == 2 {
		switch r.Method {
		case http.MethodGet:
			if res, ok := d.load(w, r, id, name); ok {
				core.WriteRaw(w, 200, res.Body)
			}
		case http.MethodHead:
			if _, err := d.s.Store().Get(id); err != nil {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		case http.MethodPut:
			d.put(w, r, id, name)
		case http.MethodDelete:
			d.delete(w, r, id)
		default:
			r.Error(w, 405, "MethodNotAllowed", "The method '%s' is not allowed.", r.Method)
		}
		return
	}
	switch action := strings.ToLower(rest[2]); {
	case action == "validate" && r.Method == http.MethodPost:
		d.validate(w, r, id, name)
	case action == "whatif" && r.Method == http.MethodPost:
		d.whatIf(w, r, id, name)
	case action == "cancel" && r.Method == http.MethodPost:
		d.cancelRun(w, r, id, name)
	case action == "exporttemplate" && r.Method == http.MethodPost:
		if res, ok := d.load(w, r, id, name); ok {
			var p private
			if err := res.DecodePrivate(&p); err != nil {
				r.Error(w, 500, "InternalServerError", "%v", err)
				return
			}
			core.WriteJSON(w, 200, struct {
				Template json.RawMessage `json:"template"`
			}{p.Template})
		}
	case action == "operations" && r.Method == http.MethodGet:
		d.operations(w, r, id, name, rest[3:])
	case action == "operationstatuses" && len(rest) == 4 && r.Method == http.MethodGet:
		d.opStatus(w, r, rest[3])
	default:
		r.Error(w, 404, "InvalidResourceType", "The resource path '%s' is not known to aci local.", r.URL.Path)
	}
}

func (d *Deployments) load(w http.ResponseWriter, r *core.Request, id, name string) (*core.Resource, bool) {
	res, err := d.s.Store().Get(id)
	if err != nil || !strings.EqualFold(res.Type, Type) {
		r.Error(w, 404, "DeploymentNotFound", "Deployment '%s' could not be found.", name)
		return nil, false
	}
	return res, true
}

func (d *Deployments) list(w http.ResponseWriter, r *core.Request) {
	all, err := d.s.Store().List("/subscriptions/"+r.Subscription+"/resourcegroups/"+r.Group+"/providers/microsoft.resources/deployments/", Type)
	if err != nil {
		r.Error(w, 500, "InternalServerError", "The store failed: %v", err)
		return
	}
	items := []json.RawMessage{}
	for _, res := range all {
		items = append(items, res.Body)
	}
	d.s.Page(w, r, items)
}

// env is the template's world for a request.
func (d *Deployments) env(ctx context.Context, claims jwt.MapClaims, sub, group, name string) *template.Env {
	e := &template.Env{SubscriptionID: sub, TenantID: d.s.Identity().TenantID, ResourceGroup: group, DeploymentName: name, Ctx: ctx}
	if st, _, b := d.s.Call(ctx, claims, http.MethodGet, "/subscriptions/"+sub+"/resourcegroups/"+group, "2022-09-01", nil); st == 200 {
		var g struct {
			Name     string         `json:"name"`
			Location string         `json:"location"`
			Tags     map[string]any `json:"tags"`
		}
		_ = json.Unmarshal(b, &g)
		e.Location, e.GroupTags, e.ResourceGroup = g.Location, g.Tags, g.Name
	}
	e.Reference = func(id, apiVersion string, full bool) (any, error) {
		if apiVersion == "" {
			apiVersion = defaultAPIVersion(id)
		}
		st, _, b := d.s.Call(ctx, claims, http.MethodGet, id, apiVersion, nil)
		if st != 200 {
			return nil, &template.Error{Code: "ResourceNotFound", Message: fmt.Sprintf("The Resource '%s' was not found. It is referenced by reference() in the template.", id)}
		}
		var v map[string]any
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.UseNumber()
		_ = dec.Decode(&v)
		v, _ = template.Normalize(v).(map[string]any)
		if full {
			return v, nil
		}
		props, _ := v["properties"].(map[string]any)
		if props == nil {
			props = map[string]any{}
		}
		return props, nil
	}
	e.List = func(id, action, apiVersion string) (any, error) {
		if apiVersion == "" {
			apiVersion = defaultAPIVersion(id)
		}
		st, _, b := d.s.Call(ctx, claims, http.MethodPost, id+"/"+action, apiVersion, nil)
		if st != 200 {
			return nil, &template.Error{Code: "ResourceNotFound", Message: fmt.Sprintf("The resource '%s' could not answer %s (HTTP %d).", id, action, st)}
		}
		var v any
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.UseNumber()
		_ = dec.Decode(&v)
		return template.Normalize(v), nil
	}
	return e
}

// defaultAPIVersion is used where reference() names no api-version and the
// resource is not the template's.
func defaultAPIVersion(id string) string {
	l := strings.ToLower(id)
	switch {
	case strings.Contains(l, "/microsoft.containerregistry/"):
		return "2023-11-01-preview"
	case strings.Contains(l, "/microsoft.storage/"):
		return "2023-05-01"
	}
	return "2023-05-01"
}

// prepare decodes and plans a request's template: ARM's 400 on any problem.
func (d *Deployments) prepare(r *core.Request, name string) (*body, *template.Plan, *core.APIError) {
	var b body
	if e := r.Decode(&b); e != nil {
		// ARM's reader takes comments and unquoted keys, and az 2.45 sends
		// its template that way (`template:{...}`, the file's own text).
		if json.Unmarshal(jsonc.Lenient(r.Body), &b) != nil {
			return nil, nil, e
		}
	}
	if b.Properties == nil {
		return nil, nil, core.NewError(400, "InvalidDeployment", "The deployment must have properties.")
	}
	p := b.Properties
	if p.TemplateLink != nil || p.ParametersLink != nil {
		return nil, nil, core.NewError(400, "InvalidTemplateDeployment", "aci local fetches nothing from the network: send the template (and parameters) inline; `aci deployment group create --template-uri` downloads it for you.")
	}
	if len(p.Template) == 0 {
		return nil, nil, core.NewError(400, "InvalidDeployment", "The deployment must have a template or a templateLink.")
	}
	switch strings.ToLower(p.Mode) {
	case "incremental", "complete":
	case "":
		p.Mode = "Incremental"
	default:
		return nil, nil, core.NewError(400, "InvalidDeploymentMode", fmt.Sprintf("The deployment mode '%s' is not supported. Supported modes are 'Incremental' and 'Complete'.", p.Mode))
	}
	tm, err := template.Decode(p.Template)
	if err != nil {
		return nil, nil, templateErr(err)
	}
	plan, err := template.NewPlan(tm, p.Parameters, d.env(r.Context(), r.Claims, r.Subscription, r.Group, name))
	if err != nil {
		return nil, nil, templateErr(err)
	}
	return &b, plan, nil
}

func templateErr(err error) *core.APIError {
	var te *template.Error
	if errors.As(err, &te) {
		return core.NewError(400, te.Code, te.Message)
	}
	return core.NewError(400, "InvalidTemplate", err.Error())
}

func hashOf(b []byte) string {
	h := fnv.New64a()
	h.Write(b)
	return strconv.FormatUint(h.Sum64(), 10)
}

func nowISO() string { return time.Now().UTC().Format("2006-01-02T15:04:05.0000000Z") }

// shape is DeploymentExtended.
func (d *Deployments) shape(id, name, state string, b *body, plan *template.Plan, started time.Time, out outcome) *deployment {
	props := deploymentProps{TemplateHash: hashOf(b.Properties.Template), Parameters: plan.EchoParameters(), Mode: canonMode(b.Properties.Mode),
		ProvisioningState: state, Timestamp: nowISO(), Duration: duration(time.Since(started)),
		Providers: providers(plan), Dependencies: dependencies(plan),
		OutputResources: out.outputResources, Outputs: out.outputs, ValidatedResources: out.validated}
	if b.Properties.OnErrorDeployment != nil {
		props.OnErrorDeployment = b.Properties.OnErrorDeployment
	}
	if out.onError != nil {
		props.OnErrorDeployment = out.onError
	}
	return &deployment{ID: id, Name: name, Type: Type, Properties: props}
}

func canonMode(m string) string {
	if strings.EqualFold(m, "complete") {
		return "Complete"
	}
	return "Incremental"
}

// duration is ISO 8601's PT<seconds>S, as ARM prints it.
func duration(d time.Duration) string {
	return "PT" + strconv.FormatFloat(d.Seconds(), 'f', 7, 64) + "S"
}

func providers(p *template.Plan) []providerInfo {
	byNS := map[string]map[string]bool{}
	for _, r := range p.Resources {
		ns, typ, _ := strings.Cut(r.Type, "/")
		if byNS[ns] == nil {
			byNS[ns] = map[string]bool{}
		}
		byNS[ns][typ] = true
	}
	out := []providerInfo{}
	for _, ns := range slices.Sorted(maps.Keys(byNS)) {
		var types []providerType
		for _, t := range slices.Sorted(maps.Keys(byNS[ns])) {
			types = append(types, providerType{Locations: []string{}, ResourceType: t})
		}
		out = append(out, providerInfo{Namespace: ns, ResourceTypes: types})
	}
	return out
}

func dependencies(p *template.Plan) []dependency {
	out := []dependency{}
	for _, r := range p.Resources {
		if len(r.DependsOn) == 0 {
			continue
		}
		var deps []basicDependency
		for _, id := range r.DependsOn {
			deps = append(deps, basicDependency{ID: id, ResourceType: typeOf(id), ResourceName: nameOf(id)})
		}
		out = append(out, dependency{DependsOn: deps, ID: r.ID, ResourceName: r.Name, ResourceType: r.Type})
	}
	return out
}

// typeOf and nameOf split a resource id.
func typeOf(id string) string {
	parts := strings.Split(strings.Trim(id, "/"), "/")
	for i, p := range parts {
		if strings.EqualFold(p, "providers") && i+2 < len(parts) {
			t := parts[i+1] + "/" + parts[i+2]
			for j := i + 4; j < len(parts); j += 2 {
				t += "/" + parts[j]
			}
			return t
		}
	}
	return ""
}

func nameOf(id string) string {
	parts := strings.Split(strings.Trim(id, "/"), "/")
	for i, p := range parts {
		if strings.EqualFold(p, "providers") && i+3 < len(parts) {
			n := parts[i+3]
			for j := i + 5; j < len(parts); j += 2 {
				n += "/" + parts[j]
			}
			return n
		}
	}
	return ""
}

func (d *Deployments) put(w http.ResponseWriter, r *core.Request, id, name string) {
	if len(name) > 64 || name == "" {
		r.Error(w, 400, "InvalidDeploymentName", "The deployment name '%s' is invalid: it must be 1 to 64 characters long.", name)
		return
	}
	b, plan, e := d.prepare(r, name)
	if e != nil {
		core.WriteError(w, e)
		return
	}
	d.mu.Lock()
	running := d.cancel[strings.ToLower(id)] != nil
	d.mu.Unlock()
	if running {
		r.Error(w, 409, "DeploymentActive", "The deployment '%s' is already running. Wait for it to finish or cancel it first.", name)
		return
	}
	existing, _ := d.s.Store().Get(id)
	started := time.Now()
	shaped := d.shape(id, name, "Accepted", b, plan, started, outcome{})
	pv := private{Template: b.Properties.Template, Parameters: b.Properties.Parameters, Mode: canonMode(b.Properties.Mode),
		OnError: b.Properties.OnErrorDeployment, Claims: r.Claims, Group: r.Group, Sub: r.Subscription}
	res := &core.Resource{ID: id, Type: Type, Group: r.Group, Created: started, Updated: started}
	if err := res.Encode(shaped, pv); err != nil {
		r.Error(w, 500, "InternalServerError", "%v", err)
		return
	}
	bb := res.Body
	op, err := d.s.NewOperation("deploymentRun", id, nil)
	if err != nil {
		r.Error(w, 500, "InternalServerError", "The store failed: %v", err)
		return
	}
	if err := d.s.Store().Put(res); err != nil {
		r.Error(w, 500, "InternalServerError", "The store failed: %v", err)
		return
	}
	ctx, cancel := context.WithCancel(d.s.Context())
	d.mu.Lock()
	d.cancel[strings.ToLower(id)] = cancel
	d.mu.Unlock()
	d.s.Go(func(context.Context) { d.run(ctx, op, false) })
	w.Header().Set("Azure-AsyncOperation", fmt.Sprintf("%s%s/operationStatuses/%s?api-version=%s", d.s.BaseURL(), id, op.ID, r.APIVersion))
	core.RetryAfter(w)
	status := http.StatusCreated
	if existing != nil {
		status = http.StatusOK
	}
	core.WriteRaw(w, status, bb)
}

// opMark is what a deployment's operation records of its run: whether the
// template engine was evaluating it.
type opMark struct {
	Evaluating bool `json:"evaluating"`
}

// evaluating records, before the template engine runs and after it
// returns, whether it is running: a process that dies in between may have
// been killed by the template, so the next start fails the deployment
// instead of evaluating it again (and dying again, at every start).
func (d *Deployments) evaluating(op *core.Operation, on bool) {
	op.Data, _ = json.Marshal(opMark{Evaluating: on})
	_ = d.s.Store().PutOperation(op)
}

// interrupted is the failure of a deployment whose evaluation the process
// did not survive.
var interrupted = &core.ErrorBody{Code: "DeploymentInterrupted", Message: "aci local stopped while it was evaluating this deployment's template; it is not evaluated again at start-up, in case the template is what stopped it. Deploy it again to retry."}

func (d *Deployments) failInterrupted(op *core.Operation) {
	res, err := d.s.Store().Get(op.Target)
	if err != nil {
		d.s.FinishOperation(op, interrupted)
		return
	}
	var pv private
	if err := res.DecodePrivate(&pv); err != nil {
		d.s.Warn("deployment record", "id", res.ID, "error", err.Error())
	}
	d.finish(op, res.ID, nameOfDeployment(res.ID), nil, nil, res.Created, "Failed", outcome{}, interrupted, pv.Operations)
}

func (d *Deployments) resume(op *core.Operation) {
	var m opMark
	_ = json.Unmarshal(op.Data, &m)
	if m.Evaluating {
		d.failInterrupted(op)
		return
	}
	ctx, cancel := context.WithCancel(d.s.Context())
	d.mu.Lock()
	d.cancel[strings.ToLower(op.Target)] = cancel
	d.mu.Unlock()
	d.run(ctx, op, true)
}

// run deploys the stored template: each resource through the server's own
// handlers in dependency order, waiting for it as ARM does, then outputs.
func (d *Deployments) run(ctx context.Context, op *core.Operation, resumed bool) {
	defer func() {
		d.mu.Lock()
		if c := d.cancel[strings.ToLower(op.Target)]; c != nil {
			c()
		}
		delete(d.cancel, strings.ToLower(op.Target))
		d.mu.Unlock()
	}()
	res, err := d.s.Store().Get(op.Target)
	if err != nil {
		d.s.FinishOperation(op, &core.ErrorBody{Code: "DeploymentNotFound", Message: "The deployment was deleted."})
		return
	}
	var pv private
	if err := res.DecodePrivate(&pv); err != nil {
		d.s.FinishOperation(op, &core.ErrorBody{Code: "InternalServerError", Message: err.Error()})
		return
	}
	name := nameOfDeployment(res.ID)
	var b body
	b.Properties = &deployProps{Mode: pv.Mode, Template: pv.Template, Parameters: pv.Parameters, OnErrorDeployment: pv.OnError}
	started := res.Created
	tm, err := template.Decode(pv.Template)
	var plan *template.Plan
	if err == nil {
		d.evaluating(op, true)
		plan, err = template.NewPlan(tm, pv.Parameters, d.env(ctx, pv.Claims, pv.Sub, pv.Group, name))
		d.evaluating(op, false)
	}
	if err != nil {
		state := "Failed"
		if errors.Is(err, template.ErrCanceled) {
			state = "Canceled"
		}
		d.finish(op, res.ID, name, &b, nil, started, state, outcome{}, asErrorBody(err), nil)
		return
	}
	d.setState(res.ID, "Running")
	var outputs map[string]any
	deployed, failure, canceled := d.deployAll(ctx, op, res.ID, &pv, plan)
	if canceled {
		d.finish(op, res.ID, name, &b, plan, started, "Canceled", outcome{}, nil, pv.Operations)
		return
	}
	if failure == nil && pv.Mode == "Complete" {
		failure = d.complete(ctx, pv, plan)
	}
	if failure == nil {
		d.evaluating(op, true)
		outputs, err = plan.Outputs()
		d.evaluating(op, false)
		if err != nil {
			failure = &core.ErrorBody{Code: "DeploymentOutputEvaluationFailed", Message: "Unable to evaluate the template outputs.", Details: []core.ErrorBody{*asErrorBody(err)}}
		}
	}
	state := "Succeeded"
	if failure != nil {
		state = "Failed"
	}
	out := outcome{outputResources: &deployed}
	if outputs != nil {
		out.outputs = outputs
	}
	target := ""
	if failure != nil && pv.OnError != nil {
		if target = d.rollbackTarget(pv, res.ID); target != "" {
			out.onError = &onErrorTarget{DeploymentName: target, Type: pv.OnError.Type}
		}
	}
	d.finish(op, res.ID, name, &b, plan, started, state, out, failure, pv.Operations)
	if target != "" {
		d.redeploy(ctx, pv, target)
	}
}

// deployAll deploys the plan's resources in order, recording each as a
// deployment operation, until one fails or the deployment is canceled.
func (d *Deployments) deployAll(ctx context.Context, op *core.Operation, id string, pv *private, plan *template.Plan) (deployed []resourceRef, failure *core.ErrorBody, canceled bool) {
	pv.Operations = nil
	for _, r := range plan.Resources {
		if ctx.Err() != nil {
			return deployed, nil, true
		}
		o := operation{ID: strings.ToUpper(strconv.FormatUint(uint64(time.Now().UnixNano()), 16)), Target: r.ID, Type: r.Type, Name: r.Name,
			Started: time.Now(), Operation: "Create", TrackingID: strconv.FormatInt(time.Now().UnixNano(), 36)}
		st, ebody := d.deployOne(ctx, op, pv.Claims, plan, r)
		o.Finished, o.Status = time.Now(), st
		if ebody != nil {
			o.State, o.Error = "Failed", ebody
			pv.Operations = append(pv.Operations, o)
			return deployed, &core.ErrorBody{Code: "DeploymentFailed", Message: "At least one resource deployment operation failed. Please list deployment operations for details. Please see https://aka.ms/arm-deployment-operations for usage details.",
				Details: []core.ErrorBody{*ebody}}, false
		}
		o.State = "Succeeded"
		pv.Operations = append(pv.Operations, o)
		deployed = append(deployed, resourceRef{ID: r.ID})
		d.saveOps(id, pv.Operations)
	}
	return deployed, nil, false
}

func nameOfDeployment(id string) string { return id[strings.LastIndex(id, "/")+1:] }

func asErrorBody(err error) *core.ErrorBody {
	var te *template.Error
	if errors.As(err, &te) {
		return &core.ErrorBody{Code: te.Code, Message: te.Message}
	}
	return &core.ErrorBody{Code: "InvalidTemplate", Message: err.Error()}
}

func (d *Deployments) setState(id, state string) {
	_ = d.s.Store().Update(id, func(x *core.Resource) error {
		dep, err := decodeDeployment(x.Body)
		if err != nil {
			return err
		}
		dep.Properties.ProvisioningState = state
		x.Body, err = json.Marshal(dep)
		return err
	})
}

func (d *Deployments) saveOps(id string, ops []operation) {
	err := d.s.Store().Update(id, func(x *core.Resource) error {
		var p private
		if err := x.DecodePrivate(&p); err != nil {
			return err
		}
		p.Operations = ops
		var err error
		x.Private, err = json.Marshal(p)
		return err
	})
	if err != nil {
		d.s.Warn("deployment operations", "id", id, "error", err.Error())
	}
}

func (d *Deployments) finish(op *core.Operation, id, name string, b *body, plan *template.Plan, started time.Time, state string, out outcome, failure *core.ErrorBody, ops []operation) {
	err := d.s.Store().Update(id, func(x *core.Resource) error {
		var shaped *deployment
		if plan != nil {
			shaped = d.shape(id, name, state, b, plan, started, out)
		} else {
			var err error
			if shaped, err = decodeDeployment(x.Body); err != nil {
				return err
			}
			shaped.Properties.ProvisioningState, shaped.Properties.Duration, shaped.Properties.Timestamp = state, duration(time.Since(started)), nowISO()
		}
		shaped.Properties.Error = failure
		var p private
		if err := x.DecodePrivate(&p); err != nil {
			return err
		}
		p.Operations = ops
		x.Updated = time.Now()
		return x.Encode(shaped, p)
	})
	if err != nil {
		d.s.Warn("deployment", "id", id, "error", err.Error())
	}
	if state == "Canceled" {
		d.s.FinishOperation(op, &core.ErrorBody{Code: "DeploymentCanceled", Message: "The deployment was canceled."})
		return
	}
	d.s.FinishOperation(op, failure)
}

// deployOne PUTs a resource through the server's handlers and follows its
// long-running operation as ARM would (Azure-AsyncOperation or Location).
func (d *Deployments) deployOne(ctx context.Context, op *core.Operation, claims jwt.MapClaims, plan *template.Plan, r *template.Resource) (int, *core.ErrorBody) {
	d.evaluating(op, true)
	body, err := plan.Body(r)
	d.evaluating(op, false)
	if err != nil {
		return 400, asErrorBody(err)
	}
	bb, _ := json.Marshal(body)
	st, hdr, out := d.s.Call(ctx, claims, http.MethodPut, r.ID, r.APIVersion, bb)
	if st >= 300 {
		return st, armError(out, st)
	}
	base := d.s.BaseURL()
	// Each poll waits until the resource's operation finishes, at most
	// 150 ms: a fixed 150 ms sleep made a template's group take up to that
	// much longer than the same group created directly.
	await := func(u string) bool {
		d.s.AwaitOperation(ctx, operationID(u), 150*time.Millisecond)
		return ctx.Err() == nil
	}
	canceled := &core.ErrorBody{Code: "DeploymentCanceled", Message: "The deployment was canceled."}
	if u := hdr.Get("Azure-AsyncOperation"); u != "" {
		for {
			if !await(u) {
				return 0, canceled
			}
			s2, _, b2 := d.s.Call(ctx, claims, http.MethodGet, strings.TrimPrefix(u, base), "", nil)
			var status struct {
				Status string          `json:"status"`
				Error  *core.ErrorBody `json:"error"`
			}
			_ = json.Unmarshal(b2, &status)
			if s2 >= 300 {
				return s2, armError(b2, s2)
			}
			switch strings.ToLower(status.Status) {
			case "succeeded":
				return st, nil
			case "failed", "canceled":
				if status.Error == nil {
					status.Error = &core.ErrorBody{Code: "ResourceDeploymentFailure", Message: fmt.Sprintf("The resource operation completed with terminal provisioning state '%s'.", status.Status)}
				}
				return st, status.Error
			}
		}
	}
	if u := hdr.Get("Location"); u != "" && st == http.StatusAccepted {
		for {
			if !await(u) {
				return 0, canceled
			}
			s2, _, b2 := d.s.Call(ctx, claims, http.MethodGet, strings.TrimPrefix(u, base), "", nil)
			if s2 == http.StatusAccepted {
				continue
			}
			if s2 >= 300 {
				return s2, armError(b2, s2)
			}
			return st, nil
		}
	}
	return st, nil
}

// operationID is the operation's id in its status URL: the last segment,
// whose last 36 characters (a UUID) are the id where a provider prefixes
// it (the registry's "registries-<id>").
func operationID(u string) string {
	u, _, _ = strings.Cut(u, "?")
	id := u[strings.LastIndex(u, "/")+1:]
	if len(id) > 36 {
		id = id[len(id)-36:]
	}
	return id
}

func armError(b []byte, status int) *core.ErrorBody {
	var e struct {
		Error *core.ErrorBody `json:"error"`
	}
	if json.Unmarshal(b, &e) == nil && e.Error != nil {
		return e.Error
	}
	return &core.ErrorBody{Code: "ResourceDeploymentFailure", Message: fmt.Sprintf("The resource operation failed with status %d.", status)}
}

// complete deletes what the group holds and the template does not list
// (Complete mode), for the resource types aci local serves.
func (d *Deployments) complete(ctx context.Context, pv private, plan *template.Plan) *core.ErrorBody {
	want := map[string]bool{}
	for _, r := range plan.Resources {
		want[strings.ToLower(r.ID)] = true
	}
	all, err := d.s.Store().List("/subscriptions/"+pv.Sub+"/resourcegroups/"+pv.Group+"/", "")
	if err != nil {
		return &core.ErrorBody{Code: "InternalServerError", Message: err.Error()}
	}
	for _, res := range all {
		if strings.Count(strings.Trim(res.ID, "/"), "/") != 7 || strings.EqualFold(res.Type, Type) || want[strings.ToLower(res.ID)] {
			continue
		}
		if st, _, b := d.s.Call(ctx, pv.Claims, http.MethodDelete, res.ID, defaultAPIVersion(res.ID), nil); st >= 300 {
			return armError(b, st)
		}
	}
	return nil
}

// rollbackTarget is the deployment a failed one rolls back to: the one
// named, or the group's last successful one.
func (d *Deployments) rollbackTarget(pv private, failedID string) string {
	if pv.OnError.Type == "SpecificDeployment" {
		return pv.OnError.DeploymentName
	}
	all, _ := d.s.Store().List("/subscriptions/"+pv.Sub+"/resourcegroups/"+pv.Group+"/providers/microsoft.resources/deployments/", Type)
	var best time.Time
	target := ""
	for _, res := range all {
		if strings.EqualFold(res.ID, failedID) {
			continue
		}
		var b struct {
			Properties struct {
				ProvisioningState string `json:"provisioningState"`
			} `json:"properties"`
		}
		_ = json.Unmarshal(res.Body, &b)
		if b.Properties.ProvisioningState == "Succeeded" && res.Updated.After(best) {
			best, target = res.Updated, nameOfDeployment(res.ID)
		}
	}
	return target
}

// redeploy runs a stored deployment again with its own template and
// parameters, as ARM's onErrorDeployment does.
func (d *Deployments) redeploy(ctx context.Context, pv private, target string) {
	prev, err := d.s.Store().Get("/subscriptions/" + pv.Sub + "/resourceGroups/" + pv.Group + "/providers/Microsoft.Resources/deployments/" + target)
	if err != nil {
		return
	}
	var pp private
	if err := prev.DecodePrivate(&pp); err != nil {
		d.s.Warn("rollback", "id", prev.ID, "error", err.Error())
		return
	}
	var redo body
	redo.Properties = &deployProps{Mode: pp.Mode, Template: pp.Template, Parameters: pp.Parameters}
	rb, err := json.Marshal(redo)
	if err != nil {
		d.s.Warn("rollback", "id", prev.ID, "error", err.Error())
		return
	}
	d.s.Call(ctx, pv.Claims, http.MethodPut, prev.ID, "2022-09-01", rb)
}

func (d *Deployments) delete(w http.ResponseWriter, r *core.Request, id string) {
	d.mu.Lock()
	running := d.cancel[strings.ToLower(id)] != nil
	d.mu.Unlock()
	if running {
		r.Error(w, 409, "DeploymentActive", "The deployment is running; cancel it before deleting it.")
		return
	}
	if err := d.s.Store().Delete(id); err != nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (d *Deployments) validate(w http.ResponseWriter, r *core.Request, id, name string) {
	b, plan, e := d.prepare(r, name)
	if e != nil {
		core.WriteError(w, e)
		return
	}
	var validated []resourceRef
	for _, res := range plan.Resources {
		validated = append(validated, resourceRef{ID: res.ID})
	}
	shaped := d.shape(id, name, "Succeeded", b, plan, time.Now(), outcome{validated: validated})
	core.WriteJSON(w, 200, shaped)
}

// whatIf compares each resource with what exists: Create, Modify or
// NoChange; Complete mode also lists what it would delete.
func (d *Deployments) whatIf(w http.ResponseWriter, r *core.Request, id, name string) {
	b, plan, e := d.prepare(r, name)
	if e != nil {
		core.WriteJSON(w, e.Status, whatIfResult{Status: "Failed", Error: &core.ErrorBody{Code: e.Code, Message: e.Message}})
		return
	}
	changes := []whatIfChange{}
	for _, res := range plan.Resources {
		after, err := plan.Body(res)
		if err != nil {
			// reference() to what does not exist yet: ARM shows the change
			// with the unevaluated part left out.
			after = map[string]any{}
		}
		after["id"], after["name"], after["type"], after["apiVersion"] = res.ID, res.Name, res.Type, res.APIVersion
		st, _, cur := d.s.Call(r.Context(), r.Claims, http.MethodGet, res.ID, res.APIVersion, nil)
		change := whatIfChange{ResourceID: res.ID, After: after, ChangeType: "Create"}
		if st == 200 {
			// What exists is the resource's own JSON, free-form.
			var before map[string]any
			if err := json.Unmarshal(cur, &before); err != nil {
				core.WriteError(w, core.NewError(500, "InternalServerError", err.Error()))
				return
			}
			// ARM's before is the resource as a template would state it,
			// its api-version included.
			before["apiVersion"] = res.APIVersion
			change.Before, change.ChangeType = before, "Modify"
			if sameSubset(after, before) {
				change.ChangeType = "NoChange"
			}
		}
		changes = append(changes, change)
	}
	if strings.EqualFold(b.Properties.Mode, "Complete") {
		deleted, err := d.wouldDelete(r, plan)
		if err != nil {
			core.WriteError(w, core.NewError(500, "InternalServerError", err.Error()))
			return
		}
		changes = append(changes, deleted...)
	}
	out := whatIfResult{Status: "Succeeded", Properties: &whatIfProps{Changes: changes}}
	core.WriteJSON(w, 200, out)
}

// wouldDelete are the changes of Complete mode: what the group holds and
// the template does not list, as complete deletes it.
func (d *Deployments) wouldDelete(r *core.Request, plan *template.Plan) ([]whatIfChange, error) {
	want := map[string]bool{}
	for _, res := range plan.Resources {
		want[strings.ToLower(res.ID)] = true
	}
	all, err := d.s.Store().List("/subscriptions/"+r.Subscription+"/resourcegroups/"+r.Group+"/", "")
	if err != nil {
		return nil, err
	}
	var out []whatIfChange
	for _, res := range all {
		if strings.Count(strings.Trim(res.ID, "/"), "/") != 7 || strings.EqualFold(res.Type, Type) || want[strings.ToLower(res.ID)] {
			continue
		}
		api := defaultAPIVersion(res.ID)
		st, _, cur := d.s.Call(r.Context(), r.Claims, http.MethodGet, res.ID, api, nil)
		var before map[string]any
		if st != 200 || json.Unmarshal(cur, &before) != nil {
			continue
		}
		before["apiVersion"] = api
		out = append(out, whatIfChange{ResourceID: res.ID, Before: before, ChangeType: "Delete"})
	}
	return out, nil
}

// sameSubset reports whether every field the template sets already has that
// value (read-only fields the service adds do not count as changes).
func sameSubset(want, have any) bool {
	switch w := want.(type) {
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			return false
		}
		for k, v := range w {
			if k == "apiVersion" {
				continue
			}
			hv, found := h[k]
			if !found {
				for hk, x := range h {
					if strings.EqualFold(hk, k) {
						hv, found = x, true
					}
				}
			}
			if !found || !sameSubset(v, hv) {
				return false
			}
		}
		return true
	case []any:
		h, ok := have.([]any)
		if !ok || len(h) != len(w) {
			return false
		}
		for i := range w {
			if !sameSubset(w[i], h[i]) {
				return false
			}
		}
		return true
	}
	a, _ := json.Marshal(want)
	b, _ := json.Marshal(have)
	return strings.EqualFold(string(a), string(b))
}

func (d *Deployments) cancelRun(w http.ResponseWriter, r *core.Request, id, name string) {
	d.mu.Lock()
	c := d.cancel[strings.ToLower(id)]
	d.mu.Unlock()
	if c != nil {
		// A run that has recorded its end is over, though its goroutine
		// may not have let go of its cancel yet.
		if res, err := d.s.Store().Get(id); err == nil {
			var b struct {
				Properties struct {
					ProvisioningState string `json:"provisioningState"`
				} `json:"properties"`
			}
			_ = json.Unmarshal(res.Body, &b)
			switch b.Properties.ProvisioningState {
			case "Succeeded", "Failed", "Canceled":
				c = nil
			}
		}
	}
	if c == nil {
		if _, ok := d.load(w, r, id, name); ok {
			r.Error(w, 409, "DeploymentCannotBeCancelled", "The deployment '%s' cannot be canceled: it is not running.", name)
		}
		return
	}
	c()
	w.WriteHeader(http.StatusNoContent)
}

func (d *Deployments) operations(w http.ResponseWriter, r *core.Request, id, name string, rest []string) {
	res, ok := d.load(w, r, id, name)
	if !ok {
		return
	}
	var pv private
	if err := res.DecodePrivate(&pv); err != nil {
		r.Error(w, 500, "InternalServerError", "%v", err)
		return
	}
	items := []json.RawMessage{}
	for _, o := range pv.Operations {
		item := operationItem{ID: id + "/operations/" + o.ID, OperationID: o.ID, Properties: operationProps{
			ProvisioningOperation: o.Operation, ProvisioningState: o.State,
			Timestamp: o.Finished.UTC().Format("2006-01-02T15:04:05.0000000Z"), Duration: duration(o.Finished.Sub(o.Started)),
			TrackingID: o.TrackingID, ServiceRequestID: o.TrackingID, StatusCode: httpStatusName(o.Status),
			TargetResource: basicDependency{ID: o.Target, ResourceType: o.Type, ResourceName: o.Name}}}
		if o.Error != nil {
			item.Properties.StatusMessage = &statusMessage{Error: o.Error}
		}
		if len(rest) == 1 && strings.EqualFold(rest[0], o.ID) {
			core.WriteJSON(w, 200, item)
			return
		}
		b, err := json.Marshal(item)
		if err != nil {
			r.Error(w, 500, "InternalServerError", "%v", err)
			return
		}
		items = append(items, b)
	}
	if len(rest) == 1 {
		r.Error(w, 404, "DeploymentOperationNotFound", "The deployment operation '%s' could not be found.", rest[0])
		return
	}
	d.s.Page(w, r, items)
}

func httpStatusName(c int) string {
	switch c {
	case 200:
		return "OK"
	case 201:
		return "Created"
	case 202:
		return "Accepted"
	case 0:
		return "Conflict"
	}
	if t := http.StatusText(c); t != "" {
		return strings.ReplaceAll(t, " ", "")
	}
	return strconv.Itoa(c)
}

func (d *Deployments) opStatus(w http.ResponseWriter, r *core.Request, opID string) {
	op, err := d.s.Store().GetOperation(opID)
	if err != nil {
		r.Error(w, 404, "OperationNotFound", "The operation '%s' could not be found.", opID)
		return
	}
	out := struct {
		Error  *core.ErrorBody `json:"error,omitempty"`
		Status string          `json:"status"`
	}{Status: "Failed", Error: op.Error}
	switch {
	case op.Status == "InProgress":
		core.RetryAfter(w)
		out.Status, out.Error = "Running", nil
	case op.Status == "Succeeded":
		out.Status, out.Error = "Succeeded", nil
	case op.Error != nil && op.Error.Code == "DeploymentCanceled":
		out.Status = "Canceled"
	}
	core.WriteJSON(w, 200, out)
}
