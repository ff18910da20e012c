package cmdutil

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPoll(t *testing.T) {
	n := 0
	err := Poll(context.Background(), time.Millisecond, 0, func(context.Context) (bool, error) { n++; return n == 3, nil })
	if err != nil || n != 3 {
		t.Fatalf("done after 3: %v %d", err, n)
	}
	boom := errors.New("boom")
	if err := Poll(context.Background(), time.Millisecond, 0, func(context.Context) (bool, error) { return false, boom }); err != boom {
		t.Fatalf("check error: %v", err)
	}
	if err := Poll(context.Background(), time.Millisecond, 20*time.Millisecond, func(context.Context) (bool, error) { return false, nil }); err != ErrWaitTimeout {
		t.Fatalf("timeout: %v", err)
	}
	// Ctrl-C (a cancelled context) ends the wait even with a long interval and no deadline.
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	err = Poll(ctx, time.Hour, 0, func(context.Context) (bool, error) { calls++; cancel(); return false, nil })
	if !errors.Is(err, context.Canceled) || calls != 1 {
		t.Fatalf("cancel: %v after %d calls", err, calls)
	}
}

func TestIntervalsDefaults(t *testing.T) {
	f := &Factory{}
	if f.ProviderInterval() != 10*time.Second || f.FollowInterval() != 2*time.Second {
		t.Fatal("defaults")
	}
	f.Intervals = Intervals{Provider: time.Millisecond, Follow: 2 * time.Millisecond, LRO: 3 * time.Millisecond}
	if f.ProviderInterval() != time.Millisecond || f.FollowInterval() != 2*time.Millisecond || f.Context() == context.Background() {
		t.Fatal("overrides")
	}
}
