package bench

import (
	"net"
	"testing"
)

// Runs in flight never share an address: concurrent docker runs each probe
// for a free one, and two that picked the same failed to start.
func TestClaimedAddressesAreNotShared(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	d := &DockerBaseline{}
	seen := map[string]bool{}
	for range 3 {
		ip, err := d.claim(port)
		if err != nil {
			t.Fatal(err)
		}
		if seen[ip] {
			t.Fatalf("%s handed out twice: %v", ip, seen)
		}
		seen[ip] = true
	}
	first := "127.0.3.2"
	if !seen[first] {
		t.Fatalf("the first free address was skipped: %v", seen)
	}
	d.release(first)
	if ip, err := d.claim(port); err != nil || ip != first {
		t.Fatalf("a released address is free again: %s %v", ip, err)
	}
}
