// Package proxytarget reads the target of a forward-proxy request from its options: either a
// Proxy-Uri, or a Proxy-Scheme with Uri-Host, Uri-Port, Uri-Path and Uri-Query (RFC 7252 §5.10.2
// and §6.4), into one Target. It also builds a Target's Uri-* options for the upstream request.
package proxytarget

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/plgd-dev/go-coap/v3/message"
)

// ErrMalformed means the target cannot be read: the proxy answers 4.00 Bad Request.
var ErrMalformed = errors.New("malformed proxy target")

// ErrUnsupportedScheme means the scheme is not one the proxy forwards: 5.05.
var ErrUnsupportedScheme = errors.New("scheme not supported by this proxy")

// DefaultPort returns the default port of a CoAP scheme.
func DefaultPort(scheme string) uint16 {
	if scheme == "coaps" {
		return 5684
	}
	return 5683
}

// Target is where a proxied request goes.
type Target struct {
	Scheme string   // lower case
	Host   string   // as given (device names are matched case-insensitively later)
	Port   uint16   // the default port of the scheme when the URI has none
	Path   []string // decoded segments; empty for "/"
	Query  []string // decoded query items
}

// PathString returns the path as "/a/b" ("/" when empty), segments escaped.
func (t Target) PathString() string {
	if len(t.Path) == 0 {
		return "/"
	}
	var b strings.Builder
	for _, seg := range t.Path {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(seg))
	}
	return b.String()
}

// QueryString returns the query without "?" ("" when there is none).
func (t Target) QueryString() string {
	items := make([]string, len(t.Query))
	for i, q := range t.Query {
		items[i] = escapeQueryItem(q)
	}
	return strings.Join(items, "&")
}

// escapeQueryItem percent-encodes a query item for a URI: RFC 3986 query characters stay
// (so "mod=pwr" reads as written), "&" (the item separator) and everything else is escaped.
func escapeQueryItem(q string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			strings.IndexByte("-._~!$'()*+,;=:@/?", c) >= 0:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}

// String returns the target as a URI.
func (t Target) String() string {
	s := t.Scheme + "://" + net.JoinHostPort(t.Host, strconv.Itoa(int(t.Port))) + t.PathString()
	if q := t.QueryString(); q != "" {
		s += "?" + q
	}
	return s
}

// Options returns the Uri-Path and Uri-Query options of the upstream request.
func (t Target) Options() message.Options {
	opts := make(message.Options, 0, len(t.Path)+len(t.Query))
	for _, seg := range t.Path {
		opts = append(opts, message.Option{ID: message.URIPath, Value: []byte(seg)})
	}
	for _, q := range t.Query {
		opts = append(opts, message.Option{ID: message.URIQuery, Value: []byte(q)})
	}
	return opts
}

// IsProxyRequest reports whether a request asks to be forwarded.
func IsProxyRequest(opts message.Options) bool {
	return opts.HasOption(message.ProxyURI) || opts.HasOption(message.ProxyScheme)
}

// FromOptions reads the target of a forward-proxy request. Errors wrap ErrMalformed or
// ErrUnsupportedScheme and say what is wrong.
func FromOptions(opts message.Options) (Target, error) {
	if raw, err := opts.GetString(message.ProxyURI); err == nil {
		return ParseURI(raw)
	}
	scheme, err := opts.GetString(message.ProxyScheme)
	if err != nil {
		return Target{}, fmt.Errorf("%w: neither Proxy-Uri nor Proxy-Scheme is set", ErrMalformed)
	}
	return fromParts(scheme, opts)
}

func fromParts(scheme string, opts message.Options) (Target, error) {
	scheme = strings.ToLower(scheme)
	if err := checkScheme(scheme); err != nil {
		return Target{}, err
	}
	host, err := opts.GetString(message.URIHost)
	if err != nil || host == "" {
		return Target{}, fmt.Errorf("%w: Proxy-Scheme needs a Uri-Host naming the device", ErrMalformed)
	}
	t := Target{Scheme: scheme, Host: host, Port: DefaultPort(scheme)}
	if port, err := opts.GetUint32(message.URIPort); err == nil {
		if port == 0 || port > 65535 {
			return Target{}, fmt.Errorf("%w: Uri-Port %d is out of range", ErrMalformed, port)
		}
		t.Port = uint16(port)
	}
	for _, o := range opts {
		switch o.ID {
		case message.URIPath:
			t.Path = append(t.Path, string(o.Value))
		case message.URIQuery:
			t.Query = append(t.Query, string(o.Value))
		}
	}
	if len(t.Path) == 1 && t.Path[0] == "" {
		t.Path = nil
	}
	return t, nil
}

func checkScheme(scheme string) error {
	switch scheme {
	case "coap":
		return nil
	case "":
		return fmt.Errorf("%w: the URI has no scheme; write coap://host:port/path", ErrMalformed)
	}
	return fmt.Errorf("%w: %q (this gateway forwards coap:// only)", ErrUnsupportedScheme, scheme)
}

// ParseURI reads an absolute coap URI as RFC 7252 §6.4 decomposes it.
func ParseURI(raw string) (Target, error) {
	if raw == "" {
		return Target{}, fmt.Errorf("%w: empty Proxy-Uri", ErrMalformed)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Target{}, fmt.Errorf("%w: Proxy-Uri %q: %v", ErrMalformed, raw, unwrapURLError(err))
	}
	if !u.IsAbs() {
		return Target{}, fmt.Errorf("%w: Proxy-Uri %q is not absolute; write coap://host:port/path", ErrMalformed, raw)
	}
	scheme := strings.ToLower(u.Scheme)
	if err := checkScheme(scheme); err != nil {
		return Target{}, err
	}
	if u.Opaque != "" || u.User != nil {
		return Target{}, fmt.Errorf("%w: Proxy-Uri %q: a coap URI has the form coap://host[:port]/path", ErrMalformed, raw)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return Target{}, fmt.Errorf("%w: Proxy-Uri %q has a fragment, which CoAP URIs must not have", ErrMalformed, raw)
	}
	host := u.Hostname()
	if host == "" {
		return Target{}, fmt.Errorf("%w: Proxy-Uri %q names no host", ErrMalformed, raw)
	}
	if !validHost(host, strings.HasPrefix(u.Host, "[")) {
		return Target{}, fmt.Errorf("%w: Proxy-Uri %q: %q is neither a host name nor an IP address", ErrMalformed, raw, host)
	}
	t := Target{Scheme: scheme, Host: host, Port: DefaultPort(scheme)}
	if p := u.Port(); p != "" {
		port, err := strconv.ParseUint(p, 10, 16)
		if err != nil || port == 0 {
			return Target{}, fmt.Errorf("%w: Proxy-Uri %q has port %q out of range", ErrMalformed, raw, p)
		}
		t.Port = uint16(port)
	} else if strings.HasSuffix(u.Host, ":") {
		return Target{}, fmt.Errorf("%w: Proxy-Uri %q has an empty port", ErrMalformed, raw)
	}
	if escaped := u.EscapedPath(); escaped != "" && escaped != "/" {
		for _, seg := range strings.Split(strings.TrimPrefix(escaped, "/"), "/") {
			dec, err := url.PathUnescape(seg)
			if err != nil {
				return Target{}, fmt.Errorf("%w: Proxy-Uri %q: bad escape in path segment %q", ErrMalformed, raw, seg)
			}
			t.Path = append(t.Path, dec)
		}
	}
	if u.RawQuery != "" || u.ForceQuery {
		for _, item := range strings.Split(u.RawQuery, "&") {
			dec, err := url.PathUnescape(item)
			if err != nil {
				return Target{}, fmt.Errorf("%w: Proxy-Uri %q: bad escape in query item %q", ErrMalformed, raw, item)
			}
			t.Query = append(t.Query, dec)
		}
	}
	return t, nil
}

// validHost accepts an IP literal in brackets, or a reg-name of RFC 3986 (which includes IPv4
// addresses and DNS names).
func validHost(host string, bracketed bool) bool {
	if bracketed {
		addr, err := netip.ParseAddr(host)
		return err == nil && addr.Is6()
	}
	for _, r := range host {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("-._~!$&'()*+,;=%", r):
		default:
			return false
		}
	}
	return true
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
