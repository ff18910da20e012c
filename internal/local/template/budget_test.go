package template

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// doubling is the 2 KB template that exhausted aci-local's memory: n
// variables, each the concat of the previous one with itself.
func doubling(n int) json.RawMessage {
	vars := map[string]any{"v0": "xxxxxxxxxxxxxxxx"}
	for i := 1; i < n; i++ {
		vars[fmt.Sprintf("v%d", i)] = fmt.Sprintf("[concat(variables('v%d'), variables('v%d'))]", i-1, i-1)
	}
	b, _ := json.Marshal(map[string]any{"$schema": "x", "contentVersion": "1.0.0.0", "variables": vars,
		"resources": []any{}, "outputs": map[string]any{"o": map[string]any{"type": "string", "value": fmt.Sprintf("[variables('v%d')]", n-1)}}})
	return b
}

func evalOutputs(t *testing.T, raw json.RawMessage, env *Env) (map[string]any, error) {
	t.Helper()
	tm, err := Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(tm, nil, env)
	if err != nil {
		return nil, err
	}
	return p.Outputs()
}

func wantBudgetError(t *testing.T, err error, code, text string) {
	t.Helper()
	var te *Error
	if !errors.As(err, &te) || te.Code != code || !strings.Contains(te.Message, text) {
		t.Fatalf("got %v, want %s containing %q", err, code, text)
	}
}

// The doubling template fails with ARM's InvalidTemplate, having built no
// more than a few times the value limit, where it used to take all memory.
func TestDoublingTemplateIsRefused(t *testing.T) {
	raw := doubling(26)
	if len(raw) > 2500 {
		t.Fatalf("the template is %d bytes", len(raw))
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := evalOutputs(t, raw, testEnv())
	runtime.ReadMemStats(&after)
	wantBudgetError(t, err, "InvalidTemplate", "over aci local's limit of 4194304 bytes for one value")
	grew := after.TotalAlloc - before.TotalAlloc
	t.Logf("refusing the 26-variable template allocated %.1f MiB", float64(grew)/(1<<20))
	if grew > 64<<20 {
		t.Fatalf("refusing it allocated %d MiB", grew>>20)
	}
	// The largest of the family within the limit still deploys: 16 bytes
	// doubled 17 times is 2 MiB.
	out, err := evalOutputs(t, doubling(18), testEnv())
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := out["o"].(map[string]any)["value"].(string); len(s) != 16<<17 {
		t.Fatalf("doubling(18) = %d bytes", len(s))
	}
}

// Each amplifying function is checked before it allocates, and works in
// linear time.
func TestAmplifyingFunctions(t *testing.T) {
	s := testScope(map[string]any{"k": strings.Repeat("k", 3000)}, nil)
	for expr, text := range map[string]string{
		"[padLeft('x', 1000000000000)]":                    "'padLeft' would build a value of",
		"[replace(parameters('k'), 'k', parameters('k'))]": "'replace' would build",
		"[format(concat('{0}', replace(parameters('k'), 'k', '{0}'), replace(parameters('k'), 'k', '{0}'), replace(parameters('k'), 'k', '{0}'), replace(parameters('k'), 'k', '{0}'), replace(parameters('k'), 'k', '{0}')), parameters('k'))]": "'format' would build",
		"[split(padLeft('', 1000000, ','), ',')]": "'split' would build",
		"[union(range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000))]": "'union' would build",
	} {
		_, err := s.String(expr)
		wantBudgetError(t, err, "InvalidTemplate", text)
	}
	// An array of many references to one big string is big, though it
	// shares its parts.
	_, err := s.String("[createArray(padLeft('', 1000000, 'a'), padLeft('', 1000000, 'a'), padLeft('', 1000000, 'a'), padLeft('', 1000000, 'a'), padLeft('', 1000000, 'a'))]")
	wantBudgetError(t, err, "InvalidTemplate", "'createArray' would build a value of")
	v, err := s.String("[padLeft('x', 80000)]")
	if err != nil || len(v.(string)) != 80000 || !strings.HasSuffix(v.(string), " x") {
		t.Fatalf("padLeft('x', 80000): %v", err)
	}
	if v, err := s.String("[length(union(range(0, 10000), range(5000, 10000)))]"); err != nil || v != int64(15000) {
		t.Fatalf("union of ranges: %v %v", v, err)
	}
}

// The total of what functions build, the steps and the wall time are
// bounded too, and a cancel stops evaluation at once.
func TestBudgetTotalsAndCancel(t *testing.T) {
	env := testEnv()
	env.Limits = &Limits{MaxValueBytes: 16 << 20, MaxTotalBytes: 10 << 20, MaxSteps: 1 << 30}
	_, err := evalOutputs(t, doubling(19), env) // 16 B .. 4 MiB, 8 MiB in all
	if err != nil {
		t.Fatalf("under the total: %v", err)
	}
	_, err = evalOutputs(t, doubling(20), env) // 16 MiB in all
	wantBudgetError(t, err, "DeploymentQuotaExceeded", "built more than 10485760 bytes in all")

	env = testEnv()
	env.Limits = &Limits{MaxSteps: 10000}
	loop := json.RawMessage(`{"$schema":"x","contentVersion":"1","variables":{"copy":[{"name":"a","count":800,"input":"[range(0, 10)]"}]},"resources":[],"outputs":{"o":{"type":"array","value":"[variables('a')]"}}}`)
	_, err = evalOutputs(t, loop, env)
	wantBudgetError(t, err, "InvalidTemplate", "more than 10000 evaluation steps")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	env = testEnv()
	env.Ctx = ctx
	_, err = evalOutputs(t, loop, env)
	if !errors.Is(err, ErrCanceled) {
		t.Fatalf("a canceled evaluation: %v", err)
	}
}

// A resource name becomes a segment of a URL path: one that carries a query,
// a fragment, an escape or a dot segment is refused, never deployed as
// another name.
func TestResourceNamesAreSegments(t *testing.T) {
	for _, name := range []string{"x?y=1", "x#y", "a%2Fb", "..", "a\\b", "a\x00b", "acct/../other"} {
		b, _ := json.Marshal(map[string]any{"$schema": "x", "contentVersion": "1", "resources": []any{map[string]any{
			"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01", "name": name}}})
		tm, err := Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		_, err = NewPlan(tm, nil, testEnv())
		wantBudgetError(t, err, "InvalidTemplate", "has an invalid name")
	}
}
