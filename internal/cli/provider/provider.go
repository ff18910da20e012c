// Package provider implements `aci provider`: resource provider registration.
package provider

import (
	"context"
	"time"

	"github.com/aci-cli/aci/internal/arm"
	"github.com/aci-cli/aci/internal/azshape"
	"github.com/aci-cli/aci/internal/cli/cmdutil"
	"github.com/spf13/cobra"
)

// Service is what the provider commands need from ARM.
type Service interface {
	Get(ctx context.Context, ns, expand string) (arm.Raw, error)
	List(ctx context.Context, expand string) ([]any, error)
	Register(ctx context.Context, ns string, consent bool) (arm.Raw, error)
	Unregister(ctx context.Context, ns string) (arm.Raw, error)
	RegisterAtManagementGroup(ctx context.Context, ns, mg string) error
	Operations(ctx context.Context, ns string) (any, error)
}

// Connect is how the commands get their Service; tests replace it.
type Connect func() (Service, error)

// NewCmd builds `aci provider`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	return NewCmdWith(f, func() (Service, error) {
		c, err := f.ARM()
		if err != nil {
			return nil, err
		}
		return c.Providers()
	})
}

// NewCmdWith builds `aci provider` over service.
func NewCmdWith(f *cmdutil.Factory, service Connect) *cobra.Command {
	cmd := cmdutil.GroupCommand(&cobra.Command{Use: "provider", Short: "Manage resource providers."})
	op := cmdutil.GroupCommand(&cobra.Command{Use: "operation", Short: "Get provider operations metadatas."})
	op.AddCommand(newOperationList(f, service), newOperationShow(f, service))
	cmd.AddCommand(newList(f, service), newShow(f, service), newRegister(f, service, true), newRegister(f, service, false), op)
	return cmd
}

func shape(v any) any { return azshape.Shape(v, azshape.Provider) }

func listRun(f *cmdutil.Factory, service Connect, expand string) error {
	svc, err := service()
	if err != nil {
		return err
	}
	l, err := svc.List(f.Context(), expand)
	if err != nil {
		return err
	}
	return f.Print(shape(l), cmdutil.PrintOptions{})
}

func newList(f *cmdutil.Factory, service Connect) *cobra.Command {
	var expand string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "Gets all resource providers for a subscription.",
		RunE:  func(cmd *cobra.Command, args []string) error { return listRun(f, service, expand) },
	}
	cmd.Flags().StringVar(&expand, "expand", "", "The properties to include in the results, e.g. metadata.")
	return cmd
}

func showRun(f *cmdutil.Factory, service Connect, ns, expand string) error {
	var m cmdutil.Missing
	m.Need("--namespace/-n", ns)
	if err := m.Err(); err != nil {
		return err
	}
	svc, err := service()
	if err != nil {
		return err
	}
	p, err := svc.Get(f.Context(), ns, expand)
	if err != nil {
		return err
	}
	return f.Print(shape(p), cmdutil.PrintOptions{})
}

func newShow(f *cmdutil.Factory, service Connect) *cobra.Command {
	var ns, expand string
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Gets the specified resource provider.",
		RunE:  func(cmd *cobra.Command, args []string) error { return showRun(f, service, ns, expand) },
	}
	cmd.Flags().StringVarP(&ns, "namespace", "n", "", "The resource namespace, aka 'provider'.")
	cmd.Flags().StringVar(&expand, "expand", "", "The $expand query parameter, e.g. resourceTypes/aliases.")
	return cmd
}

// RegisterOptions are `provider register/unregister`'s arguments.
type RegisterOptions struct {
	Namespace, ManagementGroup string
	Wait, Consent, AcceptTerms bool
}

func newRegister(f *cmdutil.Factory, service Connect, registering bool) *cobra.Command {
	o := &RegisterOptions{}
	use, short := "register", "Register a provider."
	if !registering {
		use, short = "unregister", "Unregister a provider."
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		RunE: func(cmd *cobra.Command, args []string) error {
			var m cmdutil.Missing
			m.Need("--namespace/-n", o.Namespace)
			if err := m.Err(); err != nil {
				return err
			}
			svc, err := service()
			if err != nil {
				return err
			}
			return update(f, svc, o, registering)
		},
	}
	cmd.Flags().StringVarP(&o.Namespace, "namespace", "n", "", "The resource namespace, aka 'provider'.")
	cmd.Flags().BoolVar(&o.Wait, "wait", false, "Wait for the registration to finish.")
	if registering {
		cmd.Flags().BoolVarP(&o.Consent, "consent-to-permissions", "c", false, "A value indicating whether authorization is consented or not.")
		cmd.Flags().StringVarP(&o.ManagementGroup, "management-group-id", "m", "", "The management group id to register.")
		cmd.Flags().BoolVar(&o.AcceptTerms, "accept-terms", false, "Accept market place terms and RP terms for RPaaS.")
		_ = cmd.Flags().MarkDeprecated("accept-terms", "it is no longer needed")
	}
	return cmd
}

// update follows az's _update_provider: one POST, then either a warning or a poll
// of GET until the target state.
func update(f *cmdutil.Factory, svc Service, o *RegisterOptions, registering bool) error {
	ctx := f.Context()
	target, action := "Registered", "Registering"
	if !registering {
		target, action = "Unregistered", "Unregistering"
	}
	var state string
	switch {
	case registering && o.ManagementGroup != "":
		return svc.RegisterAtManagementGroup(ctx, o.Namespace, o.ManagementGroup)
	case registering:
		p, err := svc.Register(ctx, o.Namespace, o.Consent)
		if err != nil {
			return err
		}
		state, _ = p["registrationState"].(string)
	default:
		p, err := svc.Unregister(ctx, o.Namespace)
		if err != nil {
			return err
		}
		state, _ = p["registrationState"].(string)
	}
	if state == target {
		return nil
	}
	if !o.Wait {
		f.Warn("%s is still on-going. You can monitor using 'aci provider show -n %s'", action, o.Namespace)
		return nil
	}
	sp := f.StartSpinner("Running")
	defer sp.Stop()
	maxDelay := f.ProviderInterval()
	delay := maxDelay / 10
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, maxDelay)
		p, err := svc.Get(ctx, o.Namespace, "")
		if err != nil {
			return err
		}
		if s, _ := p["registrationState"].(string); s == target || (!registering && s == "NotRegistered") {
			return nil
		}
	}
}

func operationListRun(f *cmdutil.Factory, service Connect) error {
	svc, err := service()
	if err != nil {
		return err
	}
	ops, err := svc.Operations(f.Context(), "")
	if err != nil {
		return err
	}
	return f.Print(ops, cmdutil.PrintOptions{})
}

func newOperationList(f *cmdutil.Factory, service Connect) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "Get operations from all providers.",
		RunE:  func(cmd *cobra.Command, args []string) error { return operationListRun(f, service) },
	}
}

func operationShowRun(f *cmdutil.Factory, service Connect, ns string) error {
	var m cmdutil.Missing
	m.Need("--namespace/-n", ns)
	if err := m.Err(); err != nil {
		return err
	}
	svc, err := service()
	if err != nil {
		return err
	}
	ops, err := svc.Operations(f.Context(), ns)
	if err != nil {
		return err
	}
	return f.Print(ops, cmdutil.PrintOptions{})
}

func newOperationShow(f *cmdutil.Factory, service Connect) *cobra.Command {
	var ns string
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Get an individual provider's operations.",
		RunE:  func(cmd *cobra.Command, args []string) error { return operationShowRun(f, service, ns) },
	}
	cmd.Flags().StringVarP(&ns, "namespace", "n", "", "The resource namespace, aka 'provider'.")
	return cmd
}
