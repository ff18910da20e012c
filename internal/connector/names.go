package connector

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Tags a group carries so that a restarted connector can tell its own groups
// (adopt or delete) from anyone else's (never touched).
const (
	TagNamespace = "k8s-namespace"
	TagPod       = "k8s-pod"
	TagPodUID    = "k8s-pod-uid"
	TagNode      = "k8s-node"
	TagCluster   = "k8s-cluster"
)

// maxGroupName is ACI's limit for a container group's name.
const maxGroupName = 63

// GroupName is the container group of pod namespace/name: lowercase letters,
// digits and single hyphens, at most 63 characters, starting and ending with
// a letter or digit. The readable part is cut to fit; the hash of the exact
// namespace/name keeps "a-b"/"c" and "a"/"b-c" apart.
func GroupName(namespace, name string) string {
	sum := sha256.Sum256([]byte(namespace + "/" + name))
	suffix := hex.EncodeToString(sum[:])[:8]
	readable := sanitize(namespace + "-" + name)
	if room := maxGroupName - len(suffix) - 1; len(readable) > room {
		readable = strings.TrimRight(readable[:room], "-")
	}
	if readable == "" {
		return "pod-" + suffix
	}
	return readable + "-" + suffix
}

// sanitize keeps [a-z0-9], turns every other run of characters into one
// hyphen, and trims hyphens at both ends.
func sanitize(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
			continue
		}
		if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// ValidGroupName reports whether s satisfies ACI's group-name rules.
func ValidGroupName(s string) bool {
	if s == "" || len(s) > maxGroupName || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for _, r := range s {
		if !((r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '-') {
			return false
		}
	}
	return true
}

// owner is who a group's tags say it belongs to.
type owner struct{ namespace, pod, uid, node, cluster string }

func ownerOf(tags map[string]*string) (owner, bool) {
	get := func(k string) string {
		if v := tags[k]; v != nil {
			return *v
		}
		return ""
	}
	o := owner{get(TagNamespace), get(TagPod), get(TagPodUID), get(TagNode), get(TagCluster)}
	return o, o.namespace != "" && o.pod != "" && o.node != ""
}
