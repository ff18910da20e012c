package core

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
)

// Locks serialises work per resource id (case-insensitive, as ARM ids are):
// a PUT, its provisioning and a DELETE of one resource never interleave,
// while different resources proceed in parallel.
type Locks struct {
	mu sync.Mutex
	m  map[string]*sync.Mutex
}

// Lock takes id's lock and returns its release.
func (l *Locks) Lock(id string) func() {
	key := strings.ToLower(id)
	l.mu.Lock()
	if l.m == nil {
		l.m = map[string]*sync.Mutex{}
	}
	m, ok := l.m[key]
	if !ok {
		m = &sync.Mutex{}
		l.m[key] = m
	}
	l.mu.Unlock()
	m.Lock()
	return m.Unlock
}

// CleanGroup is a GroupCleaner's body: remove runs for every resource of typ
// in a resource group being deleted, each under its lock, and the errors are
// joined so one failure does not strand the rest.
func (s *Server) CleanGroup(sub, group, typ string, locks *Locks, remove func(*Resource) error) error {
	all, err := s.Store().List("/subscriptions/"+sub+"/resourcegroups/"+group+"/", typ)
	if err != nil {
		return err
	}
	var errs []error
	for _, res := range all {
		unlock := locks.Lock(res.ID)
		errs = append(errs, remove(res))
		unlock()
	}
	return errors.Join(errs...)
}

// DeleteResource is a synchronous DELETE that a crash cannot leave half
// done: under the resource's lock the record is marked (Private's
// "deleting": true, which the provider finishes at its next start), then
// remove deletes the data and the record. A missing resource is ARM's 204;
// what names the resource in a failure.
func (s *Server) DeleteResource(w http.ResponseWriter, r *Request, locks *Locks, what string, remove func(id string) error) {
	id := r.ID(0)
	unlock := locks.Lock(id)
	defer unlock()
	res, err := s.Store().Get(id)
	if err != nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	err = s.Store().Update(res.ID, func(x *Resource) error {
		p := map[string]any{}
		if len(x.Private) > 0 {
			if err := json.Unmarshal(x.Private, &p); err != nil {
				return err
			}
		}
		p["deleting"] = true
		x.Private, _ = json.Marshal(p)
		return nil
	})
	if err == nil {
		err = remove(res.ID)
	}
	if err != nil {
		r.Error(w, 500, "InternalServerError", "Deleting the %s failed: %v", what, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}
