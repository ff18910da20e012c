package core

import (
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
