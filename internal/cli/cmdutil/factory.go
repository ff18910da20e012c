package cmdutil

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/fatih/color"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/config"
	"github.com/aci-cli/aci/internal/output"
)

// Globals are az's global arguments, available to every command.
type Globals struct {
	Output         string
	Query          string
	Subscription   string
	Debug          bool
	Verbose        bool
	OnlyShowErrors bool

	query *output.Query
}

// Factory builds what commands need, lazily, once per invocation.
type Factory struct {
	IO        *IOStreams
	Version   string
	ConfigDir string
	Globals   Globals
	// HTTPClient, when set, replaces the transport (tests).
	HTTPClient *http.Client
	// Credential, when set, replaces credential resolution (tests).
	Credential azcore.TokenCredential
	// Ctx is the command's context (cancelled by Ctrl-C).
	Ctx context.Context
	// Intervals are the waits between polls; tests shorten them here rather
	// than in package globals.
	Intervals Intervals

	// azDir is set when this invocation uses az's login (aci has none).
	azDir string

	once   sync.Once
	cfg    *config.Config
	cfgErr error
	client *arm.Client
	mu     sync.Mutex
}

// New returns a factory for the real process.
func New(version string) *Factory {
	return &Factory{IO: System(), Version: version, ConfigDir: config.Dir()}
}

// Config loads the configuration once.
func (f *Factory) Config() (*config.Config, error) {
	f.once.Do(func() { f.cfg, f.cfgErr = config.Load(f.ConfigDir) })
	return f.cfg, f.cfgErr
}

// Clouds loads the cloud registry.
func (f *Factory) Clouds() (*arm.Clouds, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	return arm.LoadClouds(f.ConfigDir, cfg)
}

// Intervals are the waits between polls of a command; zero means the default.
type Intervals struct {
	// LRO is the wait between polls of a long-running operation whose service
	// sends no Retry-After (default 5 s).
	LRO time.Duration
	// Provider is the longest wait between reads under `provider register
	// --wait` (default 10 s, starting at a tenth of it).
	Provider time.Duration
	// Follow is how often logs --follow and attach poll (default 2 s, as az).
	Follow time.Duration
}

// ProviderInterval is Intervals.Provider or its default.
func (f *Factory) ProviderInterval() time.Duration {
	return orDuration(f.Intervals.Provider, 10*time.Second)
}

// FollowInterval is Intervals.Follow or its default: az's 2 s on Azure, a
// quarter second where the endpoint is on this machine (aci local), so lines
// appear about as they are written.
func (f *Factory) FollowInterval() time.Duration {
	def := 2 * time.Second
	if cloud, _, _, err := f.Account(); err == nil && cloud != nil && cloud.LoopbackSuffix != "" {
		def = 250 * time.Millisecond
	}
	return orDuration(f.Intervals.Follow, def)
}

func orDuration(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Context is the context of one command: cancelled by Ctrl-C in main, and
// carrying the LRO poll interval to the ARM client.
func (f *Factory) Context() context.Context {
	ctx := f.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	if f.Intervals.LRO > 0 {
		ctx = arm.WithPollDelay(ctx, f.Intervals.LRO)
	}
	return ctx
}

// ErrWaitTimeout is what Poll returns when its deadline passes.
var ErrWaitTimeout = errors.New("timed out")

// Poll calls check until it reports done or an error, waiting interval between
// calls; it ends with ErrWaitTimeout after timeout (0: never) and with the
// context's error on Ctrl-C, so no wait loop ignores either.
func Poll(ctx context.Context, interval, timeout time.Duration, check func(context.Context) (bool, error)) error {
	var deadline <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		deadline = t.C
	}
	for {
		done, err := check(ctx)
		if err != nil || done {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline:
			return ErrWaitTimeout
		case <-time.After(interval):
		}
	}
}

// ClientOptions builds the pipeline options for a cloud.
func (f *Factory) ClientOptions(c *arm.Cloud) (arm.Options, error) {
	o := arm.Options{Version: f.Version, HTTPClient: f.HTTPClient}
	if f.Globals.Debug {
		o.Debug = f.IO.ErrOut
	}
	if f.Globals.Verbose || f.Globals.Debug {
		o.Verbose = f.IO.ErrOut
	}
	return o, nil
}

// CredentialOptions builds what azidentity needs for a cloud.
func (f *Factory) CredentialOptions(c *arm.Cloud) (arm.CredentialOptions, error) {
	o, _ := f.ClientOptions(c)
	co, err := arm.ClientOptions(o, c)
	if err != nil {
		return arm.CredentialOptions{}, err
	}
	co.Retry.MaxRetries = 1
	return arm.CredentialOptions{Cloud: c, Client: co, ConfigDir: f.ConfigDir}, nil
}

// Account resolves the active cloud and the subscription of this invocation.
func (f *Factory) Account() (*arm.Cloud, *arm.Subscription, *arm.Profile, error) {
	clouds, err := f.Clouds()
	if err != nil {
		return nil, nil, nil, err
	}
	cloud, err := clouds.Active()
	if err != nil {
		return nil, nil, nil, err
	}
	prof, err := arm.LoadProfile(f.ConfigDir)
	if err != nil {
		return nil, nil, nil, err
	}
	if f.Globals.Subscription != "" {
		if s, ok := prof.Find(cloud.Name, f.Globals.Subscription); ok {
			return cloud, s, prof, nil
		}
		if len(prof.ForCloud(cloud.Name)) > 0 {
			return nil, nil, nil, fmt.Errorf("The subscription of '%s' doesn't exist in cloud '%s'.", f.Globals.Subscription, cloud.Name)
		}
	}
	if s, ok := prof.Default(cloud.Name); ok {
		return cloud, s, prof, nil
	}
	if len(prof.Subscriptions) == 0 {
		// No login of aci's own at all: an existing az login is used as it
		// stands (its active cloud, default subscription and credentials),
		// read from its config dir without starting az or writing there.
		if c, s, p, ok := f.azAccount(); ok {
			return c, s, p, nil
		}
	}
	return cloud, nil, prof, nil
}

// azAccount is az's login: its active cloud and that cloud's default (or
// --subscription) subscription.
func (f *Factory) azAccount() (*arm.Cloud, *arm.Subscription, *arm.Profile, bool) {
	dir := arm.AzConfigDir()
	if dir == "" || dir == f.ConfigDir {
		return nil, nil, nil, false
	}
	prof, err := arm.LoadProfile(dir)
	if err != nil || len(prof.Subscriptions) == 0 {
		return nil, nil, nil, false
	}
	cfg, err := config.Load(dir)
	if err != nil {
		return nil, nil, nil, false
	}
	clouds, err := arm.LoadClouds(dir, cfg)
	if err != nil {
		return nil, nil, nil, false
	}
	cloud, err := clouds.Active()
	if err != nil {
		return nil, nil, nil, false
	}
	sub, ok := prof.Default(cloud.Name)
	if f.Globals.Subscription != "" {
		sub, ok = prof.Find(cloud.Name, f.Globals.Subscription)
	}
	if !ok {
		return nil, nil, nil, false
	}
	f.azDir = dir
	return cloud, sub, prof, true
}

// ARM returns the ARM client factory bound to the invocation's subscription.
func (f *Factory) ARM() (*arm.Client, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.client != nil {
		return f.client, nil
	}
	cloud, sub, _, err := f.Account()
	if err != nil {
		return nil, err
	}
	o, _ := f.ClientOptions(cloud)
	co, err := arm.ClientOptions(o, cloud)
	if err != nil {
		return nil, err
	}
	var cred azcore.TokenCredential
	subID := ""
	switch {
	case f.Credential != nil:
		cred = f.Credential
		if sub != nil {
			subID = sub.ID
		}
	case sub != nil:
		subID = sub.ID
		if cred, err = f.credentialFor(cloud, sub); err != nil {
			return nil, err
		}
	default:
		// No login of our own: the environment or an existing az login, when they
		// name a subscription.
		subID = f.Globals.Subscription
		if subID == "" {
			subID = os.Getenv("AZURE_SUBSCRIPTION_ID")
		}
		if subID == "" {
			return nil, arm.ErrNotLoggedIn
		}
		copts, err := f.CredentialOptions(cloud)
		if err != nil {
			return nil, err
		}
		if cred, err = arm.NewAmbientCredential(copts); err != nil {
			return nil, arm.ErrNotLoggedIn
		}
	}
	f.client = &arm.Client{Cred: cred, Options: co, Subscription: subID}
	return f.client, nil
}

func (f *Factory) credentialFor(cloud *arm.Cloud, sub *arm.Subscription) (azcore.TokenCredential, error) {
	copts, err := f.CredentialOptions(cloud)
	if err != nil {
		return nil, err
	}
	var cred azcore.TokenCredential
	key := cloud.Name + "|" + sub.TenantID + "|" + sub.User.Type + "|" + sub.User.Name
	msiClient, msi := sub.User.ManagedIdentity()
	switch {
	case msi:
		if cred, err = arm.NewManagedIdentityCredential(copts, msiClient); err != nil {
			return nil, err
		}
	case sub.User.Type == "servicePrincipal":
		spDir := f.ConfigDir
		if f.azDir != "" {
			spDir = f.azDir
		}
		sps, err := arm.LoadServicePrincipals(spDir)
		if err != nil {
			return nil, err
		}
		var found *arm.ServicePrincipal
		for i := range sps {
			if sps[i].ClientID == sub.User.Name && (strings.EqualFold(sps[i].Tenant, sub.TenantID) || found == nil) {
				found = &sps[i]
			}
		}
		if found == nil {
			return nil, arm.ErrNotLoggedIn
		}
		if cred, err = arm.NewServicePrincipalCredential(copts, *found); err != nil {
			return nil, err
		}
	default:
		if f.azDir != "" {
			// az's user login: its MSAL cache, refreshed without running
			// az; where that cache cannot serve, `az account get-access-token`.
			cred = chain{arm.NewAzUserCredential(f.azDir, cloud, sub.User.Name, sub.TenantID, copts), azCLI{}}
			break
		}
		// An interactive login: its MSAL cache, refreshed silently (the
		// cache keeps access tokens too, so no second cache here).
		l, err := arm.FindUserLogin(f.ConfigDir, cloud.Name, sub.User.Name)
		if err != nil {
			return nil, err
		}
		if l == nil {
			return expiredCredential{}, nil
		}
		return arm.NewUserCredential(copts, *l)
	}
	return arm.CachedCredential(cred, f.ConfigDir, key), nil
}

// chain tries credentials in turn.
type chain []azcore.TokenCredential

func (c chain) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	var errs []error
	for _, cr := range c {
		t, err := cr.GetToken(ctx, o)
		if err == nil {
			return t, nil
		}
		errs = append(errs, err)
	}
	return azcore.AccessToken{}, errors.Join(errs...)
}

// azCLI asks az for a token: the last resort when its cache cannot be read.
type azCLI struct{}

func (azCLI) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c, err := azidentity.NewAzureCLICredential(nil)
	if err != nil {
		return azcore.AccessToken{}, err
	}
	return c.GetToken(ctx, o)
}

type expiredCredential struct{}

func (expiredCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{}, fmt.Errorf("The login has expired. Please run 'aci login' again.")
}

// Query returns the compiled --query (nil when none).
func (f *Factory) Query() (*output.Query, error) {
	if f.Globals.Query == "" {
		return nil, nil
	}
	if f.Globals.query == nil {
		q, err := output.CompileQuery(f.Globals.Query)
		if err != nil {
			return nil, err
		}
		f.Globals.query = q
	}
	return f.Globals.query, nil
}

// PrintOptions are a command's own output settings.
type PrintOptions struct {
	Table     func(any) (any, error)
	FloatKeys map[string]bool
}

// Print hands a result to the output engine with the global -o and --query.
func (f *Factory) Print(data any, po PrintOptions) error {
	q, err := f.Query()
	if err != nil {
		return err
	}
	format := f.Globals.Output
	cfg, _ := f.Config()
	color := f.IO.StdoutTTY && f.IO.StderrTTY && (cfg == nil || !cfg.Bool("core", "no_color")) && os.Getenv("NO_COLOR") == ""
	s, err := output.Render(data, output.Options{Format: format, Query: q, Table: po.Table, FloatKeys: po.FloatKeys, Color: color})
	if err != nil {
		return err
	}
	_, err = io.WriteString(f.IO.Out, s) // no second copy of a long output
	return err
}

// StderrColor reports whether stderr gets colours: a terminal, and neither
// core.no_color nor NO_COLOR says otherwise.
func (f *Factory) StderrColor() bool {
	if !f.IO.StderrTTY || os.Getenv("NO_COLOR") != "" {
		return false
	}
	cfg, _ := f.Config()
	return cfg == nil || !cfg.Bool("core", "no_color")
}

// paint colours s (fatih/color decides nothing here: the terminal and the
// settings were checked by the caller).
func paint(s string, attr color.Attribute) string {
	c := color.New(attr)
	c.EnableColor()
	return c.Sprint(s)
}

// ErrorOutput is what goes to stderr for err: ErrorText, red on a terminal as
// az prints it.
func (f *Factory) ErrorOutput(err error) string {
	text := ErrorText(err)
	if text == "" || !f.StderrColor() {
		return text
	}
	return paint(strings.TrimSuffix(text, "\n"), color.FgRed) + "\n"
}

// Warn prints "WARNING: msg" (yellow on a terminal) unless --only-show-errors.
func (f *Factory) Warn(format string, a ...any) {
	if f.Globals.OnlyShowErrors {
		return
	}
	if cfg, _ := f.Config(); cfg != nil && cfg.Bool("core", "only_show_errors") {
		return
	}
	msg := fmt.Sprintf("WARNING: "+format, a...)
	if f.StderrColor() {
		msg = paint(msg, color.FgYellow)
	}
	fmt.Fprintln(f.IO.ErrOut, msg)
}

// Info prints "INFO: msg" with --verbose or --debug.
func (f *Factory) Info(format string, a ...any) {
	if f.Globals.Verbose || f.Globals.Debug {
		fmt.Fprintf(f.IO.ErrOut, "INFO: "+format+"\n", a...)
	}
}

// Confirm asks az's question; yes (or core.disable_confirm_prompt) skips it.
func (f *Factory) Confirm(yes bool) error {
	return f.ConfirmQuestion(yes, "Are you sure you want to perform this operation?")
}

// ConfirmQuestion asks a command's own question (y/n).
func (f *Factory) ConfirmQuestion(yes bool, question string) error {
	if yes {
		return nil
	}
	if cfg, _ := f.Config(); cfg != nil && cfg.Bool("core", "disable_confirm_prompt") {
		return nil
	}
	if !f.IO.StdinTTY {
		f.Warn("Unable to prompt for confirmation as no tty available. Use --yes.")
		return &ExitError{Code: 1, Err: ErrCancelled}
	}
	for {
		fmt.Fprint(f.IO.ErrOut, question+" (y/n): ")
		var ans string
		if _, err := fmt.Fscanln(f.IO.In, &ans); err != nil && ans == "" {
			return &ExitError{Code: 1, Err: ErrCancelled}
		}
		switch strings.ToLower(strings.TrimSpace(ans)) {
		case "y", "yes":
			return nil
		case "n", "no":
			return &ExitError{Code: 1, Err: ErrCancelled}
		}
	}
}

// Spinner draws az's indeterminate progress on stderr while a long-running
// operation runs; only on a terminal, never with --only-show-errors.
type Spinner struct {
	f     *Factory
	mu    sync.Mutex
	label string
	stop  chan struct{}
	done  chan struct{}
}

// StartSpinner starts a spinner (a no-op when stderr is not a terminal).
func (f *Factory) StartSpinner(label string) *Spinner {
	s := &Spinner{f: f, label: label}
	cfg, _ := f.Config()
	if !f.IO.StderrTTY || f.Globals.OnlyShowErrors || (cfg != nil && cfg.Bool("core", "disable_progress_bar")) {
		return s
	}
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(s.done)
		glyphs := []string{"-", "\\", "|", "/"}
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		start := time.Now()
		for i := 0; ; i++ {
			s.mu.Lock()
			lbl := s.label
			s.mu.Unlock()
			if i == 0 {
				lbl = "Starting"
			}
			// The elapsed time tells a slow operation from a stuck one.
			fmt.Fprintf(f.IO.ErrOut, "\x1b[K %s %s .. %s\r", glyphs[i%4], lbl, time.Since(start).Truncate(time.Second))
			select {
			case <-s.stop:
				fmt.Fprint(f.IO.ErrOut, "\x1b[K")
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// Stop erases the spinner.
func (s *Spinner) Stop() {
	if s.stop != nil {
		close(s.stop)
		<-s.done
		s.stop = nil
	}
}

// TLSConfig is the TLS configuration for a host of the active cloud (for websockets).
func (f *Factory) TLSConfig(host string) (*tls.Config, error) {
	if f.HTTPClient != nil {
		if tr, ok := f.HTTPClient.Transport.(*http.Transport); ok && tr.TLSClientConfig != nil {
			return tr.TLSClientConfig, nil
		}
	}
	cloud, _, _, err := f.Account()
	if err != nil {
		return nil, err
	}
	return arm.TLSConfig(cloud, host)
}

// Default fills *v, when it is empty, from the configured default for key
// (`aci configure --defaults group=...`), as az applies configured
// defaults to its arguments.
func (f *Factory) Default(v *string, key string) {
	if *v != "" {
		return
	}
	if cfg, err := f.Config(); err == nil && cfg != nil {
		*v = cfg.Get("defaults", key, "")
	}
}
