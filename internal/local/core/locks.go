package core

import (
	"errors"
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
