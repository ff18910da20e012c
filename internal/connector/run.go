package connector

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/aci-cli/aci/internal/connector/options"
	"github.com/spf13/cobra"
	vklog "github.com/virtual-kubelet/virtual-kubelet/log"
	vkslog "github.com/virtual-kubelet/virtual-kubelet/log/slog"
	"github.com/virtual-kubelet/virtual-kubelet/node"
	"github.com/virtual-kubelet/virtual-kubelet/node/nodeutil"
	authv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/server/dynamiccertificates"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	corev1listers "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/record"
)

// Execute runs aci-connector's command line.
func Execute(version string, args []string, stdout, stderr io.Writer) error {
	root := &cobra.Command{Use: "aci-connector", Short: "The ACI connector for Kubernetes (run through `aci connector`).", SilenceUsage: true, SilenceErrors: true}
	o := options.Defaults()
	run := &cobra.Command{
		Use:   "run",
		Short: "Run a virtual node whose pods run as container groups.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return Run(cmd.Context(), version, o, stderr)
		},
	}
	o.AddFlags(run.Flags())
	run.Flags().StringVar(&o.Subscription, "subscription", "", "Name or ID of subscription.")
	root.AddCommand(run)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := root.ExecuteContext(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
	}
	return err
}

// releaser frees a deleted pod's name at once (grace 0), once its group is
// gone, and only if it is still the same pod.
func releaser(client kubernetes.Interface) func(context.Context, *corev1.Pod) error {
	return func(ctx context.Context, pod *corev1.Pod) error {
		err := client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
			GracePeriodSeconds: new(int64), Preconditions: metav1.NewUIDPreconditions(string(pod.UID))})
		if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
			return nil
		}
		return err
	}
}

// Kubelets' own request budget (--kube-api-qps, --kube-api-burst).
const kubeQPS, kubeBurst = 50, 100

// kubeClient is virtual-kubelet's ClientsetFromEnv (the kubeconfig at path,
// else the in-cluster service account) with a kubelet's request budget:
// client-go's default of 5 requests a second, shared by token requests,
// status updates, events and the node lease, held each new pod about 330 ms
// before its group was asked for and its status 400 ms more once it ran.
func kubeClient(path string) (*kubernetes.Clientset, error) {
	cfg, err := restConfig(path)
	if err != nil {
		return nil, fmt.Errorf("error getting rest client config: %w", err)
	}
	cfg.QPS, cfg.Burst = kubeQPS, kubeBurst
	return kubernetes.NewForConfig(cfg)
}

func restConfig(path string) (*rest.Config, error) {
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return rest.InClusterConfig()
	} else if err != nil {
		return nil, err
	}
	return clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: path}, &clientcmd.ConfigOverrides{}).ClientConfig()
}

// Run runs the virtual node until ctx ends.
func Run(ctx context.Context, version string, o options.Options, logOut io.Writer) error {
	logger := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: slog.LevelInfo, ReplaceAttr: withoutStacks}))
	vklog.L = vkslog.FromSlog(logger)
	ctx = vklog.WithLogger(ctx, vklog.L)
	if o.ResourceGroup == "" {
		return errors.New("the following arguments are required: --resource-group/-g (or ACI_RESOURCE_GROUP)")
	}
	groups, location, err := armGroups(ctx, version, o)
	if err != nil {
		return err
	}
	client, err := kubeClient(o.Kubeconfig)
	if err != nil {
		return fmt.Errorf("cannot reach Kubernetes: %w", err)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(o.KubeletAddress, strconv.Itoa(o.KubeletPort)))
	if err != nil {
		return fmt.Errorf("the kubelet API cannot listen: %w", err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	target := Target{Location: location, Node: o.NodeName, NodeIP: o.KubeletAddress, Cluster: clusterID(ctx, client)}

	rec, stopEvents := recorder(client, o.NodeName)
	defer stopEvents()
	mux := http.NewServeMux()
	var provider *Provider
	n, err := nodeutil.NewNode(o.NodeName, func(pc nodeutil.ProviderConfig) (nodeutil.Provider, node.NodeProvider, error) {
		provider = NewProvider(groups, &kubeObjects{client: client, cms: pc.ConfigMaps, secrets: pc.Secrets}, target, pc.Pods, rec)
		provider.Interval = o.StatusInterval
		provider.Release = releaser(client)
		return provider, nil, ConfigureNode(pc.Node, NodeOptions{
			Name: o.NodeName, OSType: o.OSType, CPU: o.CPU, Memory: o.Memory, Pods: o.Pods, GPU: o.GPU,
			Location: location, Address: o.KubeletAddress, Port: port, Version: version,
		})
	}, nodeutil.WithClient(client), func(cfg *nodeutil.NodeConfig) error {
		cfg.EventRecorder = rec
		cfg.SkipDownwardAPIResolution = true
		cfg.NumWorkers = o.Workers
		cfg.InformerResyncPeriod = time.Minute
		return nil
	}, nodeutil.AttachProviderRoutes(mux))
	if err != nil {
		return err
	}
	srv, err := kubeletServer(client, o, mux, logOut)
	if err != nil {
		return err
	}
	go func() {
		if err := srv.Serve(tls.NewListener(ln, srv.TLSConfig)); !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(logOut, "aci connector: the kubelet API stopped: %v\n", err)
		}
	}()
	defer srv.Close()

	go func() {
		if err := n.Run(ctx); err != nil && ctx.Err() == nil {
			fmt.Fprintf(logOut, "aci connector: the node controller stopped: %v\n", err)
		}
	}()
	if err := n.WaitReady(ctx, 2*time.Minute); err != nil {
		return fmt.Errorf("the node did not become ready: %w", err)
	}
	fmt.Fprintf(logOut, "aci connector: node %s is ready (resource group %s, %s; kubelet API https://%s)\n",
		o.NodeName, o.ResourceGroup, location, net.JoinHostPort(o.KubeletAddress, strconv.Itoa(port)))
	select {
	case <-ctx.Done():
	case <-n.Done():
		return n.Err()
	}
	if o.DeleteOnExit && provider != nil {
		return provider.deleteAll(context.Background())
	}
	return nil
}

// withoutStacks drops the stack traces virtual-kubelet's wrapped errors
// print (a frame is a function line and a tab-indented file line).
func withoutStacks(_ []string, a slog.Attr) slog.Attr {
	if a.Key != "error" {
		return a
	}
	lines := strings.Split(a.Value.String(), "\n")
	var keep []string
	for i, l := range lines {
		if strings.HasPrefix(l, "\t") || (i+1 < len(lines) && strings.HasPrefix(lines[i+1], "\t")) {
			continue
		}
		keep = append(keep, l)
	}
	return slog.String(a.Key, strings.Join(keep, "; "))
}

// armGroups signs in the way every aci command does (aci's login, az's, the
// environment's service principal, a managed identity) and binds the
// resource group; the location defaults to the resource group's.
func armGroups(ctx context.Context, version string, o options.Options) (*ARMGroups, string, error) {
	if os.Getenv("AZURE_CLIENT_SECRET") == "" && os.Getenv("AZURE_CLIENT_KEY") != "" {
		// The seed's name for the service principal's secret.
		os.Setenv("AZURE_CLIENT_SECRET", os.Getenv("AZURE_CLIENT_KEY"))
	}
	f := cmdutil.New(version)
	f.Ctx = ctx
	f.Globals.Subscription = o.Subscription
	client, err := f.ARM()
	if err != nil {
		return nil, "", err
	}
	cg, err := client.ContainerGroups()
	if err != nil {
		return nil, "", err
	}
	rgs, err := client.ResourceGroups()
	if err != nil {
		return nil, "", err
	}
	rg, err := rgs.Get(ctx, o.ResourceGroup)
	if err != nil {
		return nil, "", err
	}
	location := o.Location
	if location == "" {
		location, _ = rg["location"].(string)
	}
	cloud, _, _, _ := f.Account()
	plain := cloud != nil && cloud.LoopbackSuffix != ""
	return &ARMGroups{CG: cg, ResourceGroup: o.ResourceGroup, TLS: f.TLSConfig, PlainExec: plain}, location, nil
}

// clusterID is the kube-system namespace's UID, the usual name of a cluster:
// groups carry it, so two clusters' nodes of one name never adopt or delete
// each other's groups.
func clusterID(ctx context.Context, c kubernetes.Interface) string {
	ns, err := c.CoreV1().Namespaces().Get(ctx, metav1.NamespaceSystem, metav1.GetOptions{})
	if err != nil {
		return ""
	}
	return string(ns.UID)
}

func recorder(c kubernetes.Interface, nodeName string) (record.EventRecorder, func()) {
	eb := record.NewBroadcaster()
	eb.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: c.CoreV1().Events(corev1.NamespaceAll)})
	return eb.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "aci-connector", Host: nodeName}), eb.Shutdown
}

// kubeletServer serves the kubelet API (logs, exec, pods) over TLS. Every
// request is authenticated as a kubelet does it: a client certificate from
// --client-ca-file (the API server's) or a bearer token (TokenReview), then
// authorized by a SubjectAccessReview.
func kubeletServer(c kubernetes.Interface, o options.Options, h http.Handler, logOut io.Writer) (*http.Server, error) {
	auth, err := nodeutil.WebhookAuth(c, o.NodeName, func(cfg *nodeutil.WebhookAuthConfig) error {
		if o.ClientCAFile == "" {
			return nil
		}
		ca, err := dynamiccertificates.NewDynamicCAContentFromFile("client-ca", o.ClientCAFile)
		cfg.AuthnConfig.ClientCertificateCAContentProvider = ca
		return err
	})
	if err != nil {
		return nil, err
	}
	var cert tls.Certificate
	if o.TLSCertFile != "" {
		cert, err = tls.LoadX509KeyPair(o.TLSCertFile, o.TLSKeyFile)
	} else {
		cert, err = selfSigned(o.NodeName, o.KubeletAddress)
	}
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, ClientAuth: tls.RequestClientCert}
	if o.ClientCAFile != "" {
		pem, err := os.ReadFile(o.ClientCAFile)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s holds no PEM certificate", o.ClientCAFile)
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
	} else {
		fmt.Fprintln(logOut, "aci connector: no --client-ca-file: the API server's calls (kubectl logs, exec) will be refused")
	}
	return &http.Server{
		Handler:           nodeutil.WithAuth(auth, h),
		TLSConfig:         cfg,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       5 * time.Minute,
	}, nil
}

// kubeObjects reads ConfigMaps and Secrets from the informers' caches (the
// API server when the cache has not seen one yet) and asks for tokens.
type kubeObjects struct {
	client  kubernetes.Interface
	cms     corev1listers.ConfigMapLister
	secrets corev1listers.SecretLister

	mu     sync.Mutex
	tokens map[string]cachedToken
}

// cachedToken is a pod's token, reused until 80 % of its life: a group's
// body built twice must not differ by a fresh token alone.
type cachedToken struct {
	token string
	renew time.Time
}

func (k *kubeObjects) ConfigMap(ctx context.Context, ns, name string) (*corev1.ConfigMap, error) {
	if cm, err := k.cms.ConfigMaps(ns).Get(name); err == nil {
		return cm, nil
	}
	return k.client.CoreV1().ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
}

func (k *kubeObjects) Secret(ctx context.Context, ns, name string) (*corev1.Secret, error) {
	if s, err := k.secrets.Secrets(ns).Get(name); err == nil {
		return s, nil
	}
	return k.client.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
}

func (k *kubeObjects) ServiceAccountToken(ctx context.Context, pod *corev1.Pod, audience string, seconds int64) (string, error) {
	key := string(pod.UID) + "|" + audience + "|" + strconv.FormatInt(seconds, 10)
	k.mu.Lock()
	c, ok := k.tokens[key]
	k.mu.Unlock()
	if ok && time.Now().Before(c.renew) {
		return c.token, nil
	}
	tok, life, err := k.requestToken(ctx, pod, audience, seconds)
	if err != nil {
		return "", err
	}
	k.mu.Lock()
	if k.tokens == nil {
		k.tokens = map[string]cachedToken{}
	}
	for key, c := range k.tokens {
		if time.Now().After(c.renew) {
			delete(k.tokens, key)
		}
	}
	k.tokens[key] = cachedToken{token: tok, renew: time.Now().Add(life * 8 / 10)}
	k.mu.Unlock()
	return tok, nil
}

func (k *kubeObjects) requestToken(ctx context.Context, pod *corev1.Pod, audience string, seconds int64) (string, time.Duration, error) {
	sa := pod.Spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	req := &authv1.TokenRequest{Spec: authv1.TokenRequestSpec{
		ExpirationSeconds: &seconds,
		BoundObjectRef:    &authv1.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: pod.Name, UID: pod.UID},
	}}
	if audience != "" {
		req.Spec.Audiences = []string{audience}
	}
	tr, err := k.client.CoreV1().ServiceAccounts(pod.Namespace).CreateToken(ctx, sa, req, metav1.CreateOptions{})
	if err != nil {
		return "", 0, err
	}
	return tr.Status.Token, time.Until(tr.Status.ExpirationTimestamp.Time), nil
}

// deleteAll deletes the node's groups (--delete-groups-on-exit).
func (p *Provider) deleteAll(ctx context.Context) error {
	pods, err := p.GetPods(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, pod := range pods {
		errs = append(errs, p.ignoreNotFound(p.groups.Delete(ctx, GroupName(pod.Namespace, pod.Name))))
	}
	return errors.Join(errs...)
}
