package containerinstance

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/aci-cli/aci/internal/local/runtime"
)

// Azure Files refuses a write that would take a share past its quota. The
// File API checks each write; containers write through a bind mount the
// kernel does not meter (the state dir's filesystem has no project quotas
// to rely on), so a watcher measures the shares that running groups mount
// every QuotaInterval and makes a share read-only in those containers while
// it is over its quota (writable again once it is back under). A container
// can overshoot by what it writes within one interval.

// QuotaShares measures a share against its quota.
type QuotaShares interface {
	OverQuota(account, share string) (bool, error)
}

// volumeLocker is a runtime that can make a mounted volume read-only in
// running containers (Docker can; the process runtime cannot).
type volumeLocker interface {
	SetVolumeReadOnly(ctx context.Context, g *runtime.GroupSpec, volume string, readOnly bool) error
}

// QuotaInterval is how often shares that running groups mount are measured.
var QuotaInterval = 3 * time.Second

type quotaState struct {
	mu     sync.Mutex
	locked map[string]bool // "group id|volume" -> made read-only
}

// WatchQuotas starts the watcher; it returns at once, and the watcher
// stops with the server.
func (h *ContainerGroups) WatchQuotas(q QuotaShares) {
	locker, ok := h.rt.(volumeLocker)
	if !ok || q == nil {
		return
	}
	st := &quotaState{locked: map[string]bool{}}
	h.s.Go(func(ctx context.Context) {
		t := time.NewTicker(QuotaInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				h.enforceQuotas(ctx, q, locker, st)
			}
		}
	})
}

func (h *ContainerGroups) enforceQuotas(ctx context.Context, q QuotaShares, locker volumeLocker, st *quotaState) {
	all, err := h.s.Store().List("/subscriptions/", h.Type())
	if err != nil {
		return
	}
	over := map[string]bool{} // "account/share", measured once per round
	for _, r := range all {
		var p groupPrivate
		if json.Unmarshal(r.Private, &p) != nil || p.Deleting || p.Stopped {
			continue
		}
		name := r.ID[strings.LastIndex(r.ID, "/")+1:]
		spec, err := h.spec(r, &p, name)
		if err != nil {
			continue
		}
		for _, v := range spec.Volumes {
			if v.Kind != "azureFile" || v.AzureFile.ReadOnly {
				continue
			}
			key := v.AzureFile.AccountName + "/" + v.AzureFile.ShareName
			full, seen := over[key]
			if !seen {
				full, err = q.OverQuota(v.AzureFile.AccountName, v.AzureFile.ShareName)
				if err != nil {
					continue
				}
				over[key] = full
			}
			lk := r.ID + "|" + v.Name
			st.mu.Lock()
			was := st.locked[lk]
			st.mu.Unlock()
			// Re-applied while over: a container that restarted has a fresh,
			// writable mount.
			if full || was {
				if locker.SetVolumeReadOnly(ctx, spec, v.Name, full) == nil {
					st.mu.Lock()
					st.locked[lk] = full
					st.mu.Unlock()
				}
			}
		}
	}
}
