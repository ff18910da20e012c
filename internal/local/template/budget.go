package template

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"
)

// Limits bound what evaluating one deployment's template may cost. A
// template is a program any caller with a token can send: without a budget
// 26 variables that each concat the previous one with itself exhaust the
// host's memory (and, resumed at start-up, every restart's).
type Limits struct {
	// MaxValueBytes bounds one value a function builds, counted deeply
	// (strings by their bytes, each array element and object member too).
	MaxValueBytes int64
	// MaxTotalBytes bounds the sum of all values functions build.
	MaxTotalBytes int64
	// MaxSteps bounds evaluation work: expression nodes, template values
	// visited, and value nodes measured.
	MaxSteps int64
	// MaxDuration bounds the wall time of one evaluation (planning, one
	// resource's body, the outputs).
	MaxDuration time.Duration
}

// DefaultLimits are far above what real templates need (ARM's own template
// limit is 4 MB) and far below what hurts the host.
var DefaultLimits = Limits{MaxValueBytes: 4 << 20, MaxTotalBytes: 1 << 30, MaxSteps: 20_000_000, MaxDuration: 30 * time.Second}

// budget is one deployment's spending against its limits; scopes share it.
type budget struct {
	ctx      context.Context
	lim      Limits
	total    atomic.Int64
	steps    atomic.Int64
	deadline atomic.Int64 // unix nanos; 0 for none
}

func newBudget(env *Env) *budget {
	b := &budget{ctx: context.Background(), lim: DefaultLimits}
	if env != nil {
		if env.Ctx != nil {
			b.ctx = env.Ctx
		}
		if env.Limits != nil {
			b.lim = *env.Limits
		}
	}
	b.restart()
	return b
}

// restart starts the wall-time limit of a new evaluation.
func (b *budget) restart() {
	if b.lim.MaxDuration > 0 {
		b.deadline.Store(time.Now().Add(b.lim.MaxDuration).UnixNano())
	}
}

// ErrCanceled is returned when the deployment's context ends mid-evaluation.
var ErrCanceled = &Error{Code: "DeploymentCanceled", Message: "The deployment was canceled."}

func overBudget(format string, a ...any) *Error {
	return &Error{Code: "InvalidTemplate", Message: "Deployment template validation failed: '" + fmt.Sprintf(format, a...) + "'."}
}

// step spends n steps, and checks cancellation and time every 4096.
func (b *budget) step(n int64) error {
	s := b.steps.Add(n)
	if b.lim.MaxSteps > 0 && s > b.lim.MaxSteps {
		return overBudget("The template needs more than %d evaluation steps, aci local's limit for one deployment.", b.lim.MaxSteps)
	}
	if s&4095 < n || n >= 4096 {
		if b.ctx.Err() != nil {
			return ErrCanceled
		}
		if d := b.deadline.Load(); d != 0 && time.Now().UnixNano() > d {
			return overBudget("Evaluating the template took longer than %v, aci local's limit.", b.lim.MaxDuration)
		}
	}
	return nil
}

// reserve checks, before a function allocates it, that a value of n bytes
// is within the limits.
func (b *budget) reserve(fn string, n int64) error {
	if b.lim.MaxValueBytes > 0 && n > b.lim.MaxValueBytes {
		return overBudget("The template language function '%s' would build a value of %d bytes, over aci local's limit of %d bytes for one value.", fn, n, b.lim.MaxValueBytes)
	}
	return nil
}

// charge measures a function's result (deeply, stopping past the value
// limit) and spends it.
func (b *budget) charge(fn string, v any) error {
	size, nodes := measure(v, b.lim.MaxValueBytes)
	if err := b.step(nodes); err != nil {
		return err
	}
	if err := b.reserve(fn, size); err != nil {
		return err
	}
	if t := b.total.Add(size); b.lim.MaxTotalBytes > 0 && t > b.lim.MaxTotalBytes {
		return &Error{Code: "DeploymentQuotaExceeded", Message: fmt.Sprintf("The template's functions built more than %d bytes in all, aci local's limit for one deployment.", b.lim.MaxTotalBytes)}
	}
	return nil
}

// measure is a value's size in bytes (16 per node plus string bytes) and the
// nodes visited, stopping once the size passes limit (so values that share
// parts cannot make it walk for ever).
func measure(v any, limit int64) (size, nodes int64) {
	var walk func(any)
	walk = func(v any) {
		if limit > 0 && size > limit {
			return
		}
		nodes++
		size += 16
		switch x := v.(type) {
		case string:
			size += int64(len(x))
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for k, e := range x {
				size += int64(len(k))
				walk(e)
			}
		}
	}
	walk(v)
	return size, nodes
}
