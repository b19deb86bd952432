package mesh

import (
	"fmt"
	"strings"

	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
)

// linkFormat renders resources in RFC 6690 link format, each path under prefix.
func linkFormat(prefix string, resources ...[]ssn.Resource) string {
	var links []string
	for _, set := range resources {
		for _, r := range set {
			links = append(links, link(prefix, r))
		}
	}
	return strings.Join(links, ",")
}

func link(prefix string, r ssn.Resource) string {
	target := prefix + r.Path
	if prefix != "" && r.Path == "/" {
		target = prefix
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<%s>", target)
	if r.ResourceType != "" {
		fmt.Fprintf(&b, ";rt=%q", r.ResourceType)
	}
	if r.Interface != "" {
		fmt.Fprintf(&b, ";if=%q", r.Interface)
	}
	if r.ContentFormat != ssn.FormatNone {
		fmt.Fprintf(&b, ";ct=%d", r.ContentFormat)
	}
	if r.Observable {
		b.WriteString(";obs")
	}
	if r.Title != "" {
		fmt.Fprintf(&b, ";title=%q", r.Title)
	}
	return b.String()
}

// nextLevel returns the resources exactly one path segment below parent ("/sys" → "/sys/...").
func nextLevel(parent string, set []ssn.Resource) []ssn.Resource {
	var out []ssn.Resource
	for _, r := range set {
		path, _, _ := strings.Cut(r.Path, "?")
		if !strings.HasPrefix(path, parent+"/") {
			continue
		}
		if !strings.Contains(path[len(parent)+1:], "/") {
			out = append(out, r)
		}
	}
	return out
}

// hdkWellKnown renders the Device IC's /.well-known/core the way the HDK's reference server
// does: every link followed by ";," (a quirk real clients must tolerate).
func hdkWellKnown(prefix string, set []ssn.Resource) string {
	var b strings.Builder
	for _, r := range set {
		b.WriteString(link(prefix, r))
		b.WriteString(";,")
	}
	return b.String()
}
