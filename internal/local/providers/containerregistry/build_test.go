package containerregistry

import (
	"strings"
	"testing"
)

func TestParseFroms(t *testing.T) {
	v := "alpine:3"
	df := "ARG BASE=busybox:1\nARG OTHER\nFROM ${BASE} AS build\nRUN true\nFROM --platform=linux/amd64 $OTHER\nFROM build\nFROM scratch\nFROM 127.10.0.1:443/x/y:1 as z\n"
	got := parseFroms(strings.NewReader(df), map[string]*string{"OTHER": &v})
	if strings.Join(got, ",") != "busybox:1,alpine:3,127.10.0.1:443/x/y:1" {
		t.Fatalf("bases: %v", got)
	}
}
