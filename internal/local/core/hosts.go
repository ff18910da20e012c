package core

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// The names aci local hands out (a group's FQDN, a storage account's file
// endpoint) must resolve for every client on the machine, not only for aci,
// which dials them on loopback itself: curl, the real az and the Azure SDKs
// ask the system resolver. Where aci local may write the hosts file (it runs
// as root) it keeps a block of its own there, between markers naming its
// state dir, rewritten whenever a name comes or goes and removed when it
// stops; elsewhere `aci local env --hosts` prints the lines to add.

var hostNameRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$`)

// hostsNames is an instance's names, by the resource that owns them.
type hostsNames struct {
	mu       sync.Mutex
	path     string // "" when the file is not ours to write
	copyPath string // <state dir>/hosts: the lines, whether or not path is written
	tag      string
	entries  map[string]hostEntry
	lastErr  error
}

type hostEntry struct {
	ip    string
	names []string
}

func newHostsNames(path, stateDir string) *hostsNames {
	return &hostsNames{path: path, copyPath: HostsCopy(stateDir), tag: "aci local " + stateDir, entries: map[string]hostEntry{}}
}

// HostsCopy is where an instance keeps its hosts lines for `aci local env
// --hosts`.
func HostsCopy(stateDir string) string {
	if stateDir == "" {
		return ""
	}
	return filepath.Join(stateDir, "hosts")
}

// SetNames maps names to ip for the resource key (an id), replacing what the
// key had; no names removes it.
func (s *Server) SetNames(key, ip string, names ...string) {
	h := s.names
	h.mu.Lock()
	defer h.mu.Unlock()
	// A second wall behind the providers' name rules: nothing but a host
	// name and an address ever reaches a line of the file.
	var ok []string
	for _, n := range names {
		if hostNameRE.MatchString(n) {
			ok = append(ok, strings.ToLower(n))
		}
	}
	names = ok
	if net.ParseIP(ip) == nil {
		ip = ""
	}
	if len(names) == 0 || ip == "" {
		delete(h.entries, key)
	} else {
		h.entries[key] = hostEntry{ip: ip, names: append([]string(nil), names...)}
	}
	h.flushLocked(true)
}

// DropNames removes a resource's names.
func (s *Server) DropNames(key string) { s.SetNames(key, "") }

// HostsLines are the lines of this instance's block (what `aci local env
// --hosts` prints), in a stable order.
func (s *Server) HostsLines() []string {
	h := s.names
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.linesLocked()
}

func (h *hostsNames) linesLocked() []string {
	var lines []string
	for _, e := range h.entries {
		lines = append(lines, e.ip+" "+strings.Join(e.names, " "))
	}
	sort.Strings(lines)
	return lines
}

// flushLocked rewrites the block (or, with keep false, removes it). The file
// is rewritten in place: in a container /etc/hosts is a bind mount, which a
// rename cannot replace.
func (h *hostsNames) flushLocked(keep bool) {
	var old []byte
	if h.path != "" {
		var err error
		if old, err = os.ReadFile(h.path); err != nil && !os.IsNotExist(err) {
			h.lastErr = err
			return
		}
	}
	begin, end := "# BEGIN "+h.tag, "# END "+h.tag
	var out bytes.Buffer
	skipping := false
	for _, l := range strings.SplitAfter(string(old), "\n") {
		t := strings.TrimRight(l, "\n")
		switch {
		case t == begin:
			skipping = true
		case t == end:
			skipping = false
		case !skipping && l != "":
			out.WriteString(l)
		}
	}
	if out.Len() > 0 && !bytes.HasSuffix(out.Bytes(), []byte("\n")) {
		out.WriteByte('\n')
	}
	if lines := h.linesLocked(); keep && len(lines) > 0 {
		fmt.Fprintf(&out, "%s\n%s\n%s\n", begin, strings.Join(lines, "\n"), end)
	}
	if h.copyPath != "" {
		// The block as it stands, for `aci local env --hosts`.
		var b strings.Builder
		for _, l := range h.linesLocked() {
			if keep {
				b.WriteString(l + "\n")
			}
		}
		_ = os.WriteFile(h.copyPath, []byte(b.String()), 0o600)
	}
	if h.path == "" || bytes.Equal(out.Bytes(), old) {
		return
	}
	f, err := os.OpenFile(h.path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err == nil {
		_, err = f.Write(out.Bytes())
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	h.lastErr = err
}

// removeHostsBlock takes this instance's block out of the file (on stop).
func (s *Server) removeHostsBlock() {
	s.names.mu.Lock()
	defer s.names.mu.Unlock()
	s.names.flushLocked(false)
}

// RemoveHostsBlock takes the block of the instance whose state dir is
// stateDir out of path (for `aci local reset` of a stopped instance).
func RemoveHostsBlock(path, stateDir string) error {
	h := newHostsNames(path, stateDir)
	h.copyPath = ""
	h.flushLocked(false)
	os.Remove(HostsCopy(stateDir))
	return h.lastErr
}
