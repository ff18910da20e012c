package connector

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aci-cli/aci/internal/arm"
	dto "github.com/prometheus/client_model/go"
	"github.com/virtual-kubelet/virtual-kubelet/errdefs"
	"github.com/virtual-kubelet/virtual-kubelet/node/api"
	statsv1alpha1 "k8s.io/kubelet/pkg/apis/stats/v1alpha1"
	utilexec "k8s.io/utils/exec"
)

// LogPoll is how often `kubectl logs -f` asks ACI for more (ACI's log API
// has no follow).
var LogPoll = time.Second

// GetContainerLogs serves `kubectl logs` (--tail, --timestamps, -c, -f).
func (p *Provider) GetContainerLogs(ctx context.Context, namespace, podName, container string, opts api.ContainerLogOpts) (io.ReadCloser, error) {
	name := GroupName(namespace, podName)
	if opts.Previous {
		return nil, errdefs.InvalidInput("ACI keeps no logs of a previous container instance")
	}
	text, err := p.groups.Logs(ctx, name, container, opts.Tail, opts.Timestamps)
	if err != nil {
		return nil, p.notFound(err, namespace, podName)
	}
	text = limit(since(text, opts, time.Now()), opts.LimitBytes)
	if !opts.Follow {
		return io.NopCloser(strings.NewReader(text)), nil
	}
	pr, pw := io.Pipe()
	go p.follow(ctx, pw, name, container, opts.Timestamps, text)
	return pr, nil
}

// follow writes what the container logs after seen, until the container
// ends or the client goes away. ACI answers the whole log each time; what
// grew past the last answer is new.
func (p *Provider) follow(ctx context.Context, w *io.PipeWriter, name, container string, ts bool, seen string) {
	if _, err := io.WriteString(w, seen); err != nil {
		return
	}
	all, err := p.groups.Logs(ctx, name, container, 0, ts)
	if err != nil {
		w.CloseWithError(err)
		return
	}
	for {
		select {
		case <-ctx.Done():
			w.Close()
			return
		case <-time.After(LogPoll):
		}
		next, err := p.groups.Logs(ctx, name, container, 0, ts)
		if err != nil {
			w.CloseWithError(err)
			return
		}
		add := next
		if strings.HasPrefix(next, all) {
			add = next[len(all):]
		}
		all = next
		if add != "" {
			if _, err := io.WriteString(w, add); err != nil {
				return
			}
		}
		if p.ended(ctx, name, container) {
			w.Close()
			return
		}
	}
}

// ended tells whether a container has terminated for good.
func (p *Provider) ended(ctx context.Context, name, container string) bool {
	g, err := p.groups.Get(ctx, name)
	if err != nil {
		return errors.Is(err, ErrGroupNotFound)
	}
	if g.Properties == nil || g.Properties.InstanceView == nil {
		return false
	}
	s := strings.ToLower(deref(g.Properties.InstanceView.State))
	return s == "succeeded" || s == "failed" || s == "stopped"
}

// since drops lines before --since/--since-time where they carry ACI's
// RFC 3339 timestamps (with --timestamps).
func since(text string, opts api.ContainerLogOpts, now time.Time) string {
	cut := opts.SinceTime
	if opts.SinceSeconds > 0 {
		cut = now.Add(-time.Duration(opts.SinceSeconds) * time.Second)
	}
	if cut.IsZero() || !opts.Timestamps {
		return text
	}
	var b strings.Builder
	for _, line := range strings.SplitAfter(text, "\n") {
		stamp, _, _ := strings.Cut(line, " ")
		if t, err := time.Parse(time.RFC3339Nano, stamp); err == nil && t.Before(cut) {
			continue
		}
		b.WriteString(line)
	}
	return b.String()
}

func limit(s string, n int) string {
	if n > 0 && len(s) > n {
		return s[:n]
	}
	return s
}

func (p *Provider) notFound(err error, namespace, pod string) error {
	if errors.Is(err, ErrGroupNotFound) {
		return errdefs.NotFoundf("pod %s/%s has no container group", namespace, pod)
	}
	var ae *arm.Error
	if errors.As(err, &ae) && ae.NotFound() {
		return errdefs.NotFound(ae.Message)
	}
	return err
}

// RunInContainer serves `kubectl exec`: ACI's exec session, with the
// command's exit status where the service reports one (aci local does).
func (p *Provider) RunInContainer(ctx context.Context, namespace, podName, container string, cmd []string, attach api.AttachIO) error {
	name := GroupName(namespace, podName)
	s := arm.ExecStreams{Out: attach.Stdout(), SendEOF: !attach.TTY()}
	if in := attach.Stdin(); in != nil {
		s.In = in
	} else {
		s.In = strings.NewReader("")
	}
	if s.Out == nil {
		s.Out = io.Discard
	}
	end, err := p.groups.Exec(ctx, name, container, cmd, attach.TTY(), s)
	if err != nil {
		return p.notFound(err, namespace, podName)
	}
	if end.Known && end.Code != 0 {
		return utilexec.CodeExitError{Err: fmt.Errorf("command terminated with exit code %d", end.Code), Code: end.Code}
	}
	if !end.Known && !end.Normal() {
		return fmt.Errorf("the exec session ended without the command's exit status (close code %d: %s)", end.CloseCode, end.Reason)
	}
	return nil
}

// AttachToContainer is not something ACI offers for a running process.
func (p *Provider) AttachToContainer(ctx context.Context, namespace, podName, container string, attach api.AttachIO) error {
	return errdefs.InvalidInput("ACI cannot attach to a running container's process; use kubectl logs -f")
}

// PortForward is not something ACI offers.
func (p *Provider) PortForward(ctx context.Context, namespace, pod string, port int32, stream io.ReadWriteCloser) error {
	return errdefs.InvalidInput("ACI has no port forwarding; a pod's ports answer on its pod IP")
}

// GetStatsSummary reports the node and its pods without usage figures: ACI's
// metrics live in Azure Monitor, not in the container group API.
func (p *Provider) GetStatsSummary(ctx context.Context) (*statsv1alpha1.Summary, error) {
	s := &statsv1alpha1.Summary{Node: statsv1alpha1.NodeStats{NodeName: p.target.Node}}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, st := range p.known {
		s.Pods = append(s.Pods, statsv1alpha1.PodStats{PodRef: statsv1alpha1.PodReference{
			Name: st.pod.Name, Namespace: st.pod.Namespace, UID: string(st.pod.UID)}})
	}
	return s, nil
}

// GetMetricsResource has no figures to give (see GetStatsSummary).
func (p *Provider) GetMetricsResource(context.Context) ([]*dto.MetricFamily, error) {
	return nil, nil
}
