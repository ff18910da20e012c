package template

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func testEnv() *Env {
	return &Env{SubscriptionID: "00000000-0000-0000-0000-000000000001", TenantID: "t", ResourceGroup: "rg", Location: "westus", DeploymentName: "dep"}
}

func testScope(params map[string]any, vars map[string]any) *Scope {
	return &Scope{params: params, variables: vars, varCache: map[string]any{}, varBusy: map[string]bool{}, env: testEnv(), loops: map[string]int{}, b: newBudget(testEnv())}
}

// TestFunctions: each function against the examples of ARM's template
// function reference.
func TestFunctions(t *testing.T) {
	s := testScope(map[string]any{"name": "web", "count": int64(3), "tags": map[string]any{"Env": "prod"}},
		map[string]any{"prefix": "[concat('aci-', parameters('name'))]", "list": []any{"a", "b"}})
	cases := map[string]any{
		"[parameters('name')]":                        "web",
		"[parameters('NAME')]":                        "web",
		"[variables('prefix')]":                       "aci-web",
		"[resourceGroup().location]":                  "westus",
		"[resourceGroup().name]":                      "rg",
		"[subscription().subscriptionId]":             "00000000-0000-0000-0000-000000000001",
		"[deployment().name]":                         "dep",
		"[concat('a', 'b', 1)]":                       "ab1",
		"[concat(createArray(1, 2), createArray(3))]": []any{int64(1), int64(2), int64(3)},
		"[format('{0}-{1}', 'x', 2)]":                 "x-2",
		"[format('{{literal}} {0}', 'v')]":            "{literal} v",
		"[toLower('ABC')]":                            "abc",
		"[toUpper('abc')]":                            "ABC",
		"[string(1)]":                                 "1",
		"[string(true())]":                            "True",
		"[string(createObject('a', 1))]":              `{"a":1}`,
		"[int('42')]":                                 int64(42),
		"[bool('true')]":                              true,
		"[bool(0)]":                                   false,
		"[json('{\"a\": [1, 2]}').a[1]]":              int64(2),
		"[if(equals(parameters('count'), 3), 'three', 'other')]": "three",
		"[equals('a', 'a')]":                                       true,
		"[less(1, 2)]":                                             true,
		"[greaterOrEquals(2, 2)]":                                  true,
		"[greater('b', 'a')]":                                      true,
		"[not(true())]":                                            false,
		"[and(true(), false())]":                                   false,
		"[or(true(), false(), false())]":                           true,
		"[length('abc')]":                                          int64(3),
		"[length(variables('list'))]":                              int64(2),
		"[length(parameters('tags'))]":                             int64(1),
		"[empty('')]":                                              true,
		"[empty(createArray())]":                                   true,
		"[contains('OneTwo', 'Two')]":                              true,
		"[contains(parameters('tags'), 'env')]":                    true,
		"[contains(variables('list'), 'c')]":                       false,
		"[union(createObject('a', 1), createObject('b', 2))]":      map[string]any{"a": int64(1), "b": int64(2)},
		"[union(createArray(1, 2), createArray(2, 3))]":            []any{int64(1), int64(2), int64(3)},
		"[split('a,b;c', createArray(',', ';'))]":                  []any{"a", "b", "c"},
		"[replace('123-123', '-', '')]":                            "123123",
		"[substring('hello', 1, 3)]":                               "ell",
		"[trim('  x  ')]":                                          "x",
		"[base64('one, two, three')]":                              "b25lLCB0d28sIHRocmVl",
		"[base64ToString('b25lLCB0d28sIHRocmVl')]":                 "one, two, three",
		"[resourceId('Microsoft.Storage/storageAccounts', 'st1')]": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1",
		"[resourceId('Microsoft.ContainerInstance/containerGroups/', 'myContainerGroup')]":                        "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ContainerInstance/containerGroups/myContainerGroup",
		"[resourceId('otherrg', 'Microsoft.Storage/storageAccounts/fileServices/shares', 'st1', 'default', 's')]": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/otherrg/providers/Microsoft.Storage/storageAccounts/st1/fileServices/default/shares/s",
		"[add(1, 2)]":                                    int64(3),
		"[mod(7, 3)]":                                    int64(1),
		"[first(variables('list'))]":                     "a",
		"[last('xyz')]":                                  "z",
		"[take(variables('list'), 1)]":                   []any{"a"},
		"[skip('abc', 1)]":                               "bc",
		"[coalesce(null(), 'x')]":                        "x",
		"[padLeft('7', 3, '0')]":                         "007",
		"[range(1, 3)]":                                  []any{int64(1), int64(2), int64(3)},
		"[max(createArray(1, 5, 3))]":                    int64(5),
		"[startsWith('abcdef', 'AB')]":                   true,
		"[indexOf('test', 't')]":                         int64(0),
		"[parameters('tags').Env]":                       "prod",
		"[createObject('a', createArray(1)).a[0]]":       int64(1),
		"[[not an expression]":                           "[not an expression]",
		"plain":                                          "plain",
		"['it''s']":                                      "it's",
		"[length(uniqueString('a', 'b'))]":               int64(13),
		"[equals(uniqueString('x'), uniqueString('x'))]": true,
		"[equals(guid('a'), guid('a'))]":                 true,
		"[length(guid('a', 'b'))]":                       int64(36),
		"[endsWith('abcdef', 'EF')]":                     true,
		"[lastIndexOf('test', 't')]":                     int64(3),
		"[sub(5, 7)]":                                    int64(-2),
		"[mul(4, 5)]":                                    int64(20),
		"[div(7, 2)]":                                    int64(3),
		"[min(4, 2, 9)]":                                 int64(2),
		"[lessOrEquals('a', 'a')]":                       true,
		"[array('x')]":                                   []any{"x"},
		"[array(createArray(1))]":                        []any{int64(1)},
		"[empty(null())]":                                true,
		"[length(newGuid())]":                            int64(36),
		"[string(false())]":                              "False",
	}
	// Every row of the function table is exercised above (list* and
	// reference need a deployment and are covered by the provider's tests;
	// utcNow and copyIndex only fail here, in TestErrors).
	for name := range builtins {
		seen := false
		for expr := range cases {
			if strings.Contains(strings.ToLower(expr), name+"(") {
				seen = true
				break
			}
		}
		switch name {
		case "listkeys", "listcredentials", "listcredential", "listsecrets", "reference", "utcnow", "copyindex":
			seen = true
		}
		if !seen {
			t.Errorf("template function %s has no case", name)
		}
	}
	for expr, want := range cases {
		got, err := s.String(expr)
		if err != nil {
			t.Errorf("%s: %v", expr, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", expr, got, want)
		}
	}
}

// TestErrors: ARM's code, and a message that says where and why.
func TestErrors(t *testing.T) {
	s := testScope(map[string]any{"n": "x"}, map[string]any{"a": "[variables('b')]", "b": "[variables('a')]"})
	cases := map[string]string{
		"[nosuch('x')]":                 "The template function 'nosuch' is not valid",
		"[concat('a', 'b']":             "at position",
		"[toLower(1)]":                  "expects its parameter to be of type 'String'. The provided value is of type 'Integer'",
		"[parameters('missing')]":       "The template parameter 'missing' is not found",
		"[variables('a')]":              "refers to itself through a cycle",
		"[createObject('a', 1).b]":      "property 'b' doesn't exist, available properties are 'a'",
		"[createArray(1)[3]]":           "out of bounds",
		"[copyIndex()]":                 "can only be used in a resource with copy specified",
		"['unterminated]":               "not terminated",
		"[substring('abc', 2, 5)]":      "out of range",
		"[add('a', 1)]":                 "expects its parameter #1 to be of type 'Integer'",
		"[resourceId('a', 'b')]":        "fully qualified resource type",
		"[if(1, 'a', 'b')]":             "expects its first parameter to be of type 'Boolean'",
		"[length(1)]":                   "expects its parameter to be an array, an object, or a string",
		"[concat(createArray(1), 'x')]": "to be of type 'Array'",
		"[utcNow()]":                    "can only be used in a parameter's default value",
		"[div(1, 0)]":                   "cannot divide by zero",
		"[toLower()]":                   "'toLower' must have 1 argument(s).",
		"[substring()]":                 "'substring' must have 1 to 3 arguments.",
		"[and(true())]":                 "'and' must have at least 2 argument(s).",
		"[createObject('a')]":           "must have an even number of arguments",
		"[reference('x')]":              "not expected at this location",
	}
	for expr, want := range cases {
		_, err := s.String(expr)
		var te *Error
		if !errors.As(err, &te) || te.Code != "InvalidTemplate" || !strings.Contains(te.Message, want) {
			t.Errorf("%s: %v, want InvalidTemplate with %q", expr, err, want)
		}
	}
}

func decode(t *testing.T, s string) *Template {
	t.Helper()
	tm, err := Decode(json.RawMessage(s))
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

const schema = `"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0"`

// TestPlan: parameters checked, copy and condition expanded, nested
// resources named, order from dependsOn and from reference().
func TestPlan(t *testing.T) {
	tm := decode(t, `{`+schema+`,
	  "parameters": {"n": {"type": "int", "defaultValue": 2, "minValue": 1, "maxValue": 3},
	                 "sku": {"type": "string", "allowedValues": ["Standard_LRS", "Premium_LRS"]},
	                 "key": {"type": "securestring"},
	                 "deployB": {"type": "bool", "defaultValue": false}},
	  "variables": {"copy": [{"name": "names", "count": "[parameters('n')]", "input": "[concat('g', copyIndex('names'))]"}]},
	  "resources": [
	    {"type": "Microsoft.ContainerInstance/containerGroups", "apiVersion": "2023-05-01", "name": "[concat('web', copyIndex())]",
	     "copy": {"name": "webs", "count": "[parameters('n')]"}, "location": "[resourceGroup().location]",
	     "properties": {"note": "[reference('st1').primaryEndpoints.file]"}},
	    {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01", "name": "st1", "location": "westus",
	     "resources": [{"type": "fileServices/shares", "apiVersion": "2023-05-01", "name": "default/share1", "dependsOn": ["st1"]}]},
	    {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01", "name": "skipped", "condition": "[parameters('deployB')]"},
	    {"type": "Microsoft.ContainerInstance/containerGroups", "apiVersion": "2023-05-01", "name": "last", "dependsOn": ["webs"],
	     "properties": {"names": "[variables('names')]", "key": "[parameters('key')]"}}
	  ],
	  "outputs": {"k": {"type": "securestring", "value": "[parameters('key')]"}, "n": {"type": "int", "value": "[parameters('n')]"}}}`)
	p, err := NewPlan(tm, map[string]any{"sku": map[string]any{"value": "Standard_LRS"}, "key": map[string]any{"value": "s3cr3t"}}, testEnv())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	pos := map[string]int{}
	for i, r := range p.Resources {
		names = append(names, r.Name)
		pos[r.Name] = i
	}
	if len(names) != 5 {
		t.Fatalf("resources: %v", names)
	}
	for _, before := range [][2]string{{"st1", "web0"}, {"st1", "web1"}, {"st1", "st1/default/share1"}, {"web0", "last"}, {"web1", "last"}} {
		if pos[before[0]] >= pos[before[1]] {
			t.Errorf("%s must come before %s: %v", before[0], before[1], names)
		}
	}
	body, err := p.Body(p.Resources[pos["last"]])
	if err != nil {
		t.Fatal(err)
	}
	props := body["properties"].(map[string]any)
	if !reflect.DeepEqual(props["names"], []any{"g0", "g1"}) || props["key"] != "s3cr3t" {
		t.Fatalf("body: %v", body)
	}
	echo := p.EchoParameters()
	if _, leaked := echo["key"].(map[string]any)["value"]; leaked {
		t.Fatalf("a securestring was echoed: %v", echo)
	}
	out, err := p.Outputs()
	if err != nil || out["k"] != nil || !reflect.DeepEqual(out["n"], map[string]any{"type": "Int", "value": int64(2)}) {
		t.Fatalf("outputs: %v %v", out, err)
	}

	bad := map[string]string{
		`{"sku": {"value": "Basic"}, "key": {"value": "k"}}`:                               "not part of the allowed value(s): 'Standard_LRS,Premium_LRS'",
		`{"sku": {"value": "Standard_LRS"}}`:                                               "The value for the template parameter 'key' is not provided",
		`{"sku": {"value": "Standard_LRS"}, "key": {"value": "k"}, "n": {"value": 9}}`:     "must be less than or equal to 3",
		`{"sku": {"value": "Standard_LRS"}, "key": {"value": "k"}, "n": {"value": "x"}}`:   "Expected 'Integer'. Actual 'String'",
		`{"sku": {"value": "Standard_LRS"}, "key": {"value": "k"}, "other": {"value": 1}}`: "'other' in the parameters file are not valid",
	}
	for params, want := range bad {
		var given map[string]any
		json.Unmarshal([]byte(params), &given)
		_, err := NewPlan(tm, given, testEnv())
		var te *Error
		if !errors.As(err, &te) || te.Code != "InvalidTemplate" || !strings.Contains(te.Message, want) {
			t.Errorf("%s: %v, want %q", params, err, want)
		}
	}
}

func TestCycleAndSchema(t *testing.T) {
	tm := decode(t, `{`+schema+`, "resources": [
	  {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01", "name": "a", "dependsOn": ["b"]},
	  {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01", "name": "b", "dependsOn": ["[resourceId('Microsoft.Storage/storageAccounts', 'a')]"]}]}`)
	_, err := NewPlan(tm, nil, testEnv())
	if err == nil || !strings.Contains(err.Error(), "Circular dependency detected") {
		t.Fatalf("cycle: %v", err)
	}
	if _, err := Decode(json.RawMessage(`{"contentVersion": "1.0.0.0"}`)); err == nil || !strings.Contains(err.Error(), "$schema") {
		t.Fatalf("missing $schema: %v", err)
	}
	if _, err := Decode(json.RawMessage(`{"$schema": "https://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json#"}`)); err == nil || !strings.Contains(err.Error(), "contentVersion") {
		t.Fatalf("missing contentVersion: %v", err)
	}
}

// FuzzParse: no input panics the parser or the evaluator, and what parses
// evaluates to a value or an ARM error.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"concat('a', parameters('b'))", "reference(resourceId('x/y', 'n')).ipAddress.ip", "createArray(1,2)[0]", "'it''s'", "a(", "x.y.z", "[", "if(true(), 1, 'x')"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		n, err := Parse(src)
		if err != nil {
			var te *Error
			if !errors.As(err, &te) || te.Code != "InvalidTemplate" {
				t.Fatalf("parse error of the wrong kind: %v", err)
			}
			return
		}
		s := testScope(map[string]any{"b": "x"}, map[string]any{})
		if _, err := s.Eval(n); err != nil {
			var te *Error
			if !errors.As(err, &te) {
				t.Fatalf("evaluation error of the wrong kind: %v", err)
			}
		}
	})
}
