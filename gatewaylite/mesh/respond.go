package mesh

import (
	"bytes"
	"net/netip"
	"strings"

	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/coap-workbench/coap-workbench/internal/udpendpoint"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/message/pool"
)

// respond sets the response; cf is an ssn.Format* value (ssn.FormatNone for no payload).
func respond(w *udpendpoint.ResponseWriter, code codes.Code, cf int, payload []byte, opts ...message.Option) {
	if cf == ssn.FormatNone || payload == nil {
		_ = w.SetResponse(code, message.TextPlain, nil, opts...)
		return
	}
	_ = w.SetResponse(code, message.MediaType(cf), bytes.NewReader(payload), opts...)
}

// respondText answers with a diagnostic or text payload.
func respondText(w *udpendpoint.ResponseWriter, code codes.Code, text string) {
	respond(w, code, ssn.FormatText, []byte(text))
}

// request is what the handlers need of a request.
type request struct {
	method  codes.Code
	path    []string
	queries []string
	peer    netip.AddrPort
}

func readRequest(w *udpendpoint.ResponseWriter, r *pool.Message) request {
	req := request{method: r.Code(), peer: peerOf(w)}
	for _, o := range r.Options() {
		switch o.ID {
		case message.URIPath:
			if len(o.Value) > 0 {
				req.path = append(req.path, string(o.Value))
			}
		case message.URIQuery:
			req.queries = append(req.queries, string(o.Value))
		}
	}
	return req
}

func peerOf(w *udpendpoint.ResponseWriter) netip.AddrPort {
	if a, ok := w.Conn().RemoteAddr().(interface{ AddrPort() netip.AddrPort }); ok {
		return a.AddrPort()
	}
	return netip.AddrPort{}
}

func (r request) pathString() string { return strings.Join(r.path, "/") }

// hasQuery reports whether q is one of the query items.
func (r request) hasQuery(q string) bool {
	for _, item := range r.queries {
		if item == q {
			return true
		}
	}
	return false
}

// display is the path and query as a client writes them.
func (r request) display() string {
	s := "/" + r.pathString()
	if len(r.queries) > 0 {
		s += "?" + strings.Join(r.queries, "&")
	}
	return s
}

func isRequest(r *pool.Message) bool {
	return r.Code() >= codes.GET && r.Code() <= codes.IPATCH
}

// observeValue returns the Observe option of a GET (0 register, 1 deregister), or -1.
func observeValue(r *pool.Message) int {
	if r.Code() != codes.GET {
		return -1
	}
	v, err := r.Observe()
	if err != nil {
		return -1
	}
	return int(v)
}
