package arm

import (
	"net/http"
	"testing"
	"time"
)

// The poll delay a service asks for, as the Azure SDKs read it.
func TestRetryAfter(t *testing.T) {
	for _, c := range []struct {
		h    map[string]string
		want time.Duration
	}{
		{map[string]string{"Retry-After": "1", "Retry-After-Ms": "100"}, 100 * time.Millisecond},
		{map[string]string{"Retry-After": "2", "X-Ms-Retry-After-Ms": "250"}, 250 * time.Millisecond},
		{map[string]string{"Retry-After": "3"}, 3 * time.Second},
		{map[string]string{"Retry-After-Ms": "0", "Retry-After": "1"}, time.Second},
		{map[string]string{"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0},
		{map[string]string{}, 0},
	} {
		h := http.Header{}
		for k, v := range c.h {
			h.Set(k, v)
		}
		if got := retryAfter(h); got != c.want {
			t.Errorf("%v: %v, want %v", c.h, got, c.want)
		}
	}
}
