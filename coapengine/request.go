package coapengine

import (
	"fmt"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
)

// Methods are the request methods, in the order a menu shows them.
var Methods = []codes.Code{codes.GET, codes.POST, codes.PUT, codes.DELETE, codes.FETCH, codes.PATCH, codes.IPATCH}

// MethodName names a method as coap-client does ("get", "ipatch") upper-cased ("GET").
func MethodName(c codes.Code) string {
	if c == codes.IPATCH {
		return "iPATCH"
	}
	return c.String()
}

// ParseMethod reads a method name in any case.
func ParseMethod(s string) (codes.Code, error) {
	for _, m := range Methods {
		if strings.EqualFold(MethodName(m), s) {
			return m, nil
		}
	}
	return 0, fmt.Errorf("unknown method %q: use GET, POST, PUT, DELETE, FETCH, PATCH or iPATCH", s)
}

// ProxyForm is how a proxied request names its target.
type ProxyForm int

// The two forms RFC 7252 §5.10.2 allows.
const (
	ProxyURIForm    ProxyForm = iota // Proxy-Uri: the whole URI in one option (libcoap's -P)
	ProxySchemeForm                  // Proxy-Scheme with Uri-Host, Uri-Port, Uri-Path, Uri-Query
)

// NoFormat marks a Content-Format or Accept that is not set.
const NoFormat = ssn.FormatNone

// Request is one CoAP request, as a person composes it.
type Request struct {
	Method codes.Code
	// URI is the target, e.g. coap://SSN001350050005E7D6.sim.starfish.test:4849/sys/stats?mod=pwr.
	URI string
	// NonConfirmable sends the request as NON instead of CON.
	NonConfirmable bool
	ContentFormat  int // NoFormat when unset
	Accept         int // NoFormat when unset
	// Options are further options, e.g. ETag or a number-only one.
	Options []message.Option
	Payload []byte
	// BlockSize asks for blocks of this size (16..1024; 0 lets the peers choose).
	BlockSize int
	// Token is sent as given; nil generates one.
	Token []byte
	// Timeout bounds the whole exchange (0: DefaultTimeout).
	Timeout time.Duration
}

// DefaultTimeout bounds an exchange whose request sets none: long enough for CoAP's four
// retransmissions (about 45 s), as coap-client's default wait is.
const DefaultTimeout = 45 * time.Second

// NewRequest returns a confirmable request without Content-Format or Accept.
func NewRequest(method codes.Code, uri string) Request {
	return Request{Method: method, URI: uri, ContentFormat: NoFormat, Accept: NoFormat}
}

// Target is a request's parsed URI.
type Target struct {
	Scheme string
	Host   string
	Port   uint16
	Path   []string // decoded segments
	Query  []string // decoded items
}

// PathQuery returns "/a/b?c" for display and for the decoder registry.
func (t Target) PathQuery() string {
	p := "/" + strings.Join(t.Path, "/")
	if len(t.Query) > 0 {
		p += "?" + strings.Join(t.Query, "&")
	}
	return p
}

// HostPort returns "host:port".
func (t Target) HostPort() string { return net.JoinHostPort(t.Host, strconv.Itoa(int(t.Port))) }

// ParseTarget reads a coap:// URI.
func ParseTarget(uri string) (Target, error) {
	u, err := url.Parse(strings.TrimSpace(uri))
	if err != nil {
		return Target{}, fmt.Errorf("%q is not a URI: %w", uri, err)
	}
	if u.Scheme != "coap" && u.Scheme != "coaps" {
		return Target{}, fmt.Errorf("%q: the URI must start with coap:// (e.g. coap://SSN001350050005E7D6.sim.starfish.test:4849/sys)", uri)
	}
	if u.Hostname() == "" {
		return Target{}, fmt.Errorf("%q names no host", uri)
	}
	if u.Fragment != "" || u.User != nil {
		return Target{}, fmt.Errorf("%q: a CoAP URI has no fragment or user part", uri)
	}
	t := Target{Scheme: u.Scheme, Host: u.Hostname(), Port: 5683}
	if u.Scheme == "coaps" {
		t.Port = 5684
	}
	if p := u.Port(); p != "" {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil || n == 0 {
			return Target{}, fmt.Errorf("%q: port %q is out of range", uri, p)
		}
		t.Port = uint16(n)
	}
	for _, seg := range strings.Split(strings.TrimPrefix(u.EscapedPath(), "/"), "/") {
		if seg == "" {
			continue
		}
		dec, err := url.PathUnescape(seg)
		if err != nil {
			return Target{}, fmt.Errorf("%q: bad escape in %q", uri, seg)
		}
		t.Path = append(t.Path, dec)
	}
	if u.RawQuery != "" {
		for _, q := range strings.Split(u.RawQuery, "&") {
			dec, err := url.PathUnescape(q)
			if err != nil {
				return Target{}, fmt.Errorf("%q: bad escape in query %q", uri, q)
			}
			t.Query = append(t.Query, dec)
		}
	}
	return t, nil
}

// Validate checks the request and explains what is wrong, field by field.
func (r Request) Validate() error {
	if r.Method < codes.GET || r.Method > codes.IPATCH {
		return fmt.Errorf("method: choose GET, POST, PUT, DELETE, FETCH, PATCH or iPATCH")
	}
	if _, err := ParseTarget(r.URI); err != nil {
		return fmt.Errorf("URI: %w", err)
	}
	if r.ContentFormat < NoFormat || r.ContentFormat > 65535 || r.Accept < NoFormat || r.Accept > 65535 {
		return fmt.Errorf("content format and accept must be 0..65535")
	}
	if r.BlockSize != 0 {
		if _, err := szxOf(r.BlockSize); err != nil {
			return err
		}
	}
	if len(r.Token) > 8 {
		return fmt.Errorf("token: at most 8 bytes, got %d", len(r.Token))
	}
	// A GET or DELETE with a payload is sent as it is: RFC 7252 gives it no meaning, and
	// coap-client sends one when asked (the window warns).
	return nil
}

// szxOf turns a block size into its SZX exponent.
func szxOf(size int) (uint32, error) {
	for szx := uint32(0); szx <= 6; szx++ {
		if 1<<(szx+4) == size {
			return szx, nil
		}
	}
	return 0, fmt.Errorf("block size %d: use 16, 32, 64, 128, 256, 512 or 1024", size)
}

// options builds the request's options for its route: through a gateway in form, or (direct)
// to the target itself.
func (r Request) options(t Target, viaGateway bool, form ProxyForm) message.Options {
	var opts message.Options
	switch {
	case viaGateway && form == ProxyURIForm:
		opts = append(opts, message.Option{ID: message.ProxyURI, Value: []byte(canonicalURI(t))})
	case viaGateway:
		opts = append(opts,
			message.Option{ID: message.ProxyScheme, Value: []byte(t.Scheme)},
			message.Option{ID: message.URIHost, Value: []byte(t.Host)},
			message.Option{ID: message.URIPort, Value: EncodeUint(uint32(t.Port))})
		opts = append(opts, pathOptions(t)...)
	default:
		opts = append(opts, pathOptions(t)...)
	}
	if r.ContentFormat != NoFormat && len(r.Payload) > 0 {
		opts = append(opts, message.Option{ID: message.ContentFormat, Value: EncodeUint(uint32(r.ContentFormat))})
	}
	if r.Accept != NoFormat {
		opts = append(opts, message.Option{ID: message.Accept, Value: EncodeUint(uint32(r.Accept))})
	}
	opts = append(opts, r.Options...)
	sort.SliceStable(opts, func(i, j int) bool { return opts[i].ID < opts[j].ID })
	return opts
}

func pathOptions(t Target) []message.Option {
	var opts []message.Option
	for _, seg := range t.Path {
		opts = append(opts, message.Option{ID: message.URIPath, Value: []byte(seg)})
	}
	for _, q := range t.Query {
		opts = append(opts, message.Option{ID: message.URIQuery, Value: []byte(q)})
	}
	return opts
}

// canonicalURI writes the target back as a URI, escaping what must be.
func canonicalURI(t Target) string {
	var b strings.Builder
	b.WriteString(t.Scheme)
	b.WriteString("://")
	b.WriteString(t.HostPort())
	for _, seg := range t.Path {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(seg))
	}
	if len(t.Path) == 0 {
		b.WriteByte('/')
	}
	for i, q := range t.Query {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(strings.NewReplacer("%", "%25", "&", "%26", "#", "%23", " ", "%20").Replace(q))
	}
	return b.String()
}
