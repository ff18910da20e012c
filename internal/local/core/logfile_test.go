package core

import (
	"os"
	"path/filepath"
	"testing"
)

// The request log rotates at its limit, keeping one previous file.
func TestRequestLogRotates(t *testing.T) {
	p := filepath.Join(t.TempDir(), "r.log")
	r, err := openRotating(p, 100)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 30; i++ {
		r.Write([]byte("0123456789\n"))
	}
	r.Close()
	a, _ := os.Stat(p)
	b1, _ := os.Stat(p + ".1")
	if a == nil || b1 == nil || a.Size() > 100 || b1.Size() > 100 {
		t.Fatalf("not rotated: %v %v", a, b1)
	}
}
