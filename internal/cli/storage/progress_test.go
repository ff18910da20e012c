package storage

import (
	"strings"
	"testing"
)

// The transfer bar ends once, with one "Finished ... 100%" line, however
// often and in whatever order the SDK reports.
func TestProgressBarEndsOnce(t *testing.T) {
	var b strings.Builder
	p := progressBar(&b, 8<<20)
	for _, done := range []int64{4 << 20, 4 << 20, 8 << 20, 8 << 20, 6 << 20, 8 << 20} {
		p(done)
	}
	out := b.String()
	if n := strings.Count(out, "100.0000%"); n != 1 {
		t.Fatalf("the bar reached 100%% %d times: %q", n, out)
	}
	if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "100.0000%\n") {
		t.Fatalf("the bar did not end once: %q", out)
	}
}
