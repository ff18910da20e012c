package options

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"text/template"
)

// Manifest is what runs the connector inside a cluster.
type Manifest struct {
	Namespace     string
	NodeName      string
	Image         string
	ResourceGroup string
	Location      string
	// Credentials go into a Secret: the seed's environment variables.
	ClientID, ClientSecret, TenantID, SubscriptionID string
}

// manifestTmpl is parsed on first use, not in every command's init.
var manifestTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("m").Funcs(template.FuncMap{"q": quote}).Parse(`apiVersion: v1
kind: ServiceAccount
metadata:
  name: aci-connector
  namespace: {{q .Namespace}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: aci-connector
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch, delete]
- apiGroups: [""]
  resources: [pods/status]
  verbs: [update, patch]
- apiGroups: [""]
  resources: [nodes]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [""]
  resources: [nodes/status]
  verbs: [update, patch]
- apiGroups: [""]
  resources: [configmaps, secrets, services, namespaces]
  verbs: [get, list, watch]
- apiGroups: [""]
  resources: [serviceaccounts/token]
  verbs: [create]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch, update]
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [get, list, watch, create, update, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: aci-connector
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: aci-connector
subjects:
- kind: ServiceAccount
  name: aci-connector
  namespace: {{q .Namespace}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: aci-connector-auth-delegator
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: system:auth-delegator
subjects:
- kind: ServiceAccount
  name: aci-connector
  namespace: {{q .Namespace}}
---
apiVersion: v1
kind: Secret
metadata:
  name: aci-connector
  namespace: {{q .Namespace}}
type: Opaque
stringData:
  AZURE_CLIENT_ID: {{q .ClientID}}
  AZURE_CLIENT_SECRET: {{q .ClientSecret}}
  AZURE_TENANT_ID: {{q .TenantID}}
  AZURE_SUBSCRIPTION_ID: {{q .SubscriptionID}}
  ACI_RESOURCE_GROUP: {{q .ResourceGroup}}
  ACI_REGION: {{q .Location}}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: aci-connector
  namespace: {{q .Namespace}}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: aci-connector
  template:
    metadata:
      labels:
        app: aci-connector
    spec:
      serviceAccountName: aci-connector
      containers:
      - name: aci-connector
        image: {{q .Image}}
        command: [aci-connector, run, --node-name, {{q .NodeName}}, --client-ca-file, /var/run/secrets/kubernetes.io/serviceaccount/ca.crt]
        envFrom:
        - secretRef:
            name: aci-connector
        env:
        - name: VKUBELET_POD_IP
          valueFrom:
            fieldRef:
              fieldPath: status.podIP
        ports:
        - name: kubelet
          containerPort: 10250
`))
})

// Write renders m as YAML documents.
func (m Manifest) Write(w io.Writer) error {
	if m.Namespace == "" {
		m.Namespace = "kube-system"
	}
	return manifestTmpl().Execute(w, m)
}

// quote is a YAML double-quoted scalar.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`)
	return fmt.Sprintf(`"%s"`, r.Replace(s))
}
