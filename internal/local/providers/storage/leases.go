package storage

import (
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// lease is a share's or a file's lease, as Azure Files keeps it: an id
// that writes must name while it holds. A file lease is infinite; a share
// lease lasts 15 to 60 seconds or is infinite.
type lease struct {
	ID      string    `json:"id,omitempty"`
	Seconds int       `json:"seconds,omitempty"` // a fixed lease's duration
	Expires time.Time `json:"expires,omitzero"`  // zero: infinite
	Broken  bool      `json:"broken,omitempty"`
}

func (l lease) held() bool {
	return l.ID != "" && !l.Broken && (l.Expires.IsZero() || time.Now().Before(l.Expires))
}

// state is Azure's lease state and status: available, leased, expired or
// broken; locked or unlocked.
func (l lease) state() (state, status string) {
	switch {
	case l.held():
		return "leased", "locked"
	case l.Broken:
		return "broken", "unlocked"
	case l.ID != "":
		return "expired", "unlocked"
	}
	return "available", "unlocked"
}

func (l lease) headers(hd http.Header) {
	state, status := l.state()
	hd.Set("x-ms-lease-state", state)
	hd.Set("x-ms-lease-status", status)
	if l.held() {
		d := "infinite"
		if !l.Expires.IsZero() {
			d = "fixed"
		}
		hd.Set("x-ms-lease-duration", d)
	}
}

// leaseError is Azure's answer to a write that does not name the lease
// that holds (or names one where none does); what is "file" or "file share".
func leaseError(l lease, given, what string) (status int, code, msg string) {
	switch {
	case l.held() && given == "":
		return 412, "LeaseIdMissing", "There is currently a lease on the " + what + " and no lease ID was specified in the request."
	case l.held() && given != l.ID:
		return 412, "LeaseIdMismatchWithFileOperation", "The lease ID specified did not match the lease ID for the " + what + "."
	case !l.held() && given != "":
		return 412, "LeaseNotPresentWithFileOperation", "There is currently no lease on the " + what + "."
	}
	return 0, "", ""
}

// fileLeaseAllows checks a request against the file's lease: writes must
// name it while it holds, and any request that names one must name it.
func (f *fileReq) fileLeaseAllows(writes bool) bool {
	given := f.r.Header.Get("x-ms-lease-id")
	if !writes && given == "" {
		return true
	}
	if status, code, msg := leaseError(f.loadProps().Lease, given, "file"); status != 0 {
		f.fail(status, code, msg)
		return false
	}
	return true
}

func (f *fileReq) shareLeaseAllows(sh *share) bool {
	if status, code, msg := leaseError(sh.Lease, f.r.Header.Get("x-ms-lease-id"), "file share"); status != 0 {
		f.fail(status, code, msg)
		return false
	}
	return true
}

// leaseAction applies x-ms-lease-action to l: acquire, renew (shares),
// change, release or break. It answers the request itself when it fails.
func (f *fileReq) leaseAction(l *lease, share bool) (status int, ok bool) {
	hd := f.r.Header
	id, proposed := hd.Get("x-ms-lease-id"), hd.Get("x-ms-proposed-lease-id")
	if proposed != "" {
		if _, err := uuid.Parse(proposed); err != nil {
			f.fail(400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.")
			return 0, false
		}
	}
	matches := func() bool {
		if l.held() && id == l.ID {
			return true
		}
		f.fail(409, "LeaseIdMismatchWithLeaseOperation", "The lease ID specified did not match the lease ID for the "+map[bool]string{true: "file share", false: "file"}[share]+".")
		return false
	}
	switch hd.Get("x-ms-lease-action") {
	case "acquire":
		d, ok := f.leaseDuration(share)
		if !ok {
			return 0, false
		}
		if l.held() && proposed != l.ID {
			f.fail(409, "LeaseAlreadyPresent", "There is already a lease present.")
			return 0, false
		}
		if proposed == "" {
			proposed = uuid.NewString()
		}
		*l = lease{ID: proposed, Seconds: int(d / time.Second)}
		if d > 0 {
			l.Expires = time.Now().Add(d)
		}
		return 201, true
	case "renew":
		if !share {
			break // files have no renew
		}
		// A lapsed lease nobody took since may be renewed, as on Azure.
		if l.ID == "" || id != l.ID || l.Broken {
			matches()
			return 0, false
		}
		if l.Seconds > 0 {
			l.Expires = time.Now().Add(time.Duration(l.Seconds) * time.Second)
		}
		return 200, true
	case "change":
		if !matches() {
			return 0, false
		}
		if proposed == "" {
			f.fail(400, "MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified.")
			return 0, false
		}
		l.ID = proposed
		return 200, true
	case "release":
		if !matches() {
			return 0, false
		}
		*l = lease{}
		return 200, true
	case "break":
		if l.ID == "" {
			f.fail(409, "LeaseNotPresentWithLeaseOperation", "There is currently no lease on the "+map[bool]string{true: "file share", false: "file"}[share]+".")
			return 0, false
		}
		l.Broken = true
		f.w.Header().Set("x-ms-lease-time", "0")
		return 202, true
	}
	f.fail(400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.")
	return 0, false
}

// leaseDuration reads x-ms-lease-duration: -1 (infinite), or 15 to 60
// seconds for a share; a file's lease is always infinite.
func (f *fileReq) leaseDuration(share bool) (time.Duration, bool) {
	n, err := strconv.Atoi(f.r.Header.Get("x-ms-lease-duration"))
	if err == nil && (n == -1 || (share && n >= 15 && n <= 60)) {
		return max(time.Duration(n), 0) * time.Second, true
	}
	f.fail(400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.")
	return 0, false
}

// leaseShare is Lease Share.
func (f *fileReq) leaseShare(sh *share) {
	status, ok := f.leaseAction(&sh.Lease, true)
	if !ok {
		return
	}
	if err := f.h.saveShare(f.acct, f.share, sh); err != nil {
		f.fail(500, "InternalError", "The server encountered an internal error.")
		return
	}
	f.leaseAnswer(sh.Lease, status, etag(sh.Modified), sh.Modified)
}

func (f *fileReq) leaseAnswer(l lease, status int, tag string, modified time.Time) {
	hd := f.w.Header()
	if l.ID != "" && !l.Broken {
		hd.Set("x-ms-lease-id", l.ID)
	}
	hd.Set("ETag", tag)
	hd.Set("Last-Modified", httpTime(modified))
	f.done(status)
}
