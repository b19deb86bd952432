package coapengine

import (
	"fmt"
	"strings"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/decode"
	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/coap-workbench/coap-workbench/internal/coapfmt"
	"github.com/coap-workbench/coap-workbench/internal/udpendpoint"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/message/pool"
)

// OptionRecord is one option of a recorded message, with its name and display value (as
// DisplayOption wrote it when it was recorded; DescribeOption decodes it afresh).
type OptionRecord struct {
	Number  uint16 `json:"number"`
	Name    string `json:"name"`
	Value   []byte `json:"value,omitempty"`
	Display string `json:"display,omitempty"`
}

func recordOptions(opts message.Options, inRequest bool) []OptionRecord {
	out := make([]OptionRecord, 0, len(opts))
	for _, o := range opts {
		out = append(out, OptionRecord{Number: uint16(o.ID), Name: OptionName(o.ID), Value: append([]byte(nil), o.Value...), Display: DisplayOption(o, inRequest)})
	}
	return out
}

// MessageRecord is a recorded request or response.
type MessageRecord struct {
	Code codes.Code `json:"code"`
	// Type is CON, NON, ACK or RST. A response's says how it came: ACK piggybacked on the
	// acknowledgement of a CON request, CON or NON in a message of its own (see
	// Exchange.ResponseDelivery).
	Type string `json:"type"`
	// MessageID is the message's ID on the wire: a request's is the first datagram's (kept by
	// its retransmissions; a block-wise transfer's further blocks have their own, listed in
	// Exchange.Wire), a response's is that of the message whose type and options are recorded
	// here (a Block2 answer's first block, a Block1 upload's last answer). Nil when it is not
	// known: entries recorded before message IDs were kept, and requests that never left.
	MessageID *uint16        `json:"messageID,omitempty"`
	Token     []byte         `json:"token,omitempty"`
	Options   []OptionRecord `json:"options,omitempty"`
	Payload   []byte         `json:"payload,omitempty"`
}

// ContentFormat returns the message's Content-Format, or NoFormat.
func (m MessageRecord) ContentFormat() int {
	for _, o := range m.Options {
		if o.Number == uint16(message.ContentFormat) {
			return int(DecodeUint(o.Value))
		}
	}
	return NoFormat
}

// Option returns the first option with number n.
func (m MessageRecord) Option(n message.OptionID) (OptionRecord, bool) {
	for _, o := range m.Options {
		if o.Number == uint16(n) {
			return o, true
		}
	}
	return OptionRecord{}, false
}

func recordMessage(m *pool.Message) MessageRecord {
	r := MessageRecord{Code: m.Code(), Type: coapfmt.TypeName(m.Type()), Token: append([]byte(nil), m.Token()...), Options: recordOptions(m.Options(), isRequestCode(m.Code())), Payload: udpendpoint.Payload(m)}
	if mid := m.MessageID(); message.ValidateMID(mid) {
		id := uint16(mid)
		r.MessageID = &id
	}
	return r
}

// Answerer says who answered a request.
type Answerer string

// Who can answer.
const (
	AnsweredByNobody  Answerer = ""        // no answer
	AnsweredByGateway Answerer = "gateway" // the gateway itself: its resources, or a refusal
	AnsweredByDevice  Answerer = "device"  // the device, through the gateway
	AnsweredByServer  Answerer = "server"  // a server addressed directly, without a gateway
)

// Exchange is one request and what came of it: the unit of the history.
type Exchange struct {
	ID      uint64 `json:"id,omitempty"` // the history's sequence number, once stored
	Profile string `json:"profile"`
	// Device is the target's host ("" for the gateway's own resources).
	Device string `json:"device,omitempty"`
	// Path is the target's path and query, e.g. "/sys/stats?mod=pwr".
	Path     string         `json:"path"`
	URI      string         `json:"uri"`
	Request  MessageRecord  `json:"request"`
	Response *MessageRecord `json:"response,omitempty"`
	Start    time.Time      `json:"start"`
	RTT      time.Duration  `json:"rtt"`
	// Retransmissions counts request datagrams sent again for lack of an acknowledgement.
	Retransmissions int `json:"retransmissions,omitempty"`
	// Blocks counts the block-wise messages of the exchange (0: it was not block-wise).
	Blocks int `json:"blocks,omitempty"`
	// Wire lists the exchange's datagrams both ways in the order they crossed the wire: every
	// request block with its message ID, each retransmission, the peer's ACKs and answers (nil
	// for notifications, whose Response is their one datagram, and in entries recorded before
	// it was kept). WireOmitted counts the datagrams of a long transfer left out of it.
	Wire        []WireMessage `json:"wire,omitempty"`
	WireOmitted int           `json:"wireOmitted,omitempty"`
	AnsweredBy  Answerer      `json:"answeredBy,omitempty"`
	Err         string        `json:"error,omitempty"`
	// Explanation says in plain words what a 4.xx or 5.xx answer (or an error) means here.
	Explanation string `json:"explanation,omitempty"`
	// Notification marks an Observe notification; ObserveSeq is its sequence number.
	Notification bool   `json:"notification,omitempty"`
	ObserveSeq   uint32 `json:"observeSeq,omitempty"`
	// Retried is true for the second attempt after an automatic re-login.
	Retried bool `json:"retried,omitempty"`
	// BlockSize and Timeout are the request's settings that its message does not show.
	BlockSize int           `json:"blockSize,omitempty"`
	Timeout   time.Duration `json:"timeout,omitempty"`
}

// derivedOptions are the options a request's message gets from its URI, its route, its
// content formats and its transfer, rather than from the person who composed it.
var derivedOptions = map[message.OptionID]bool{
	message.URIHost: true, message.URIPort: true, message.URIPath: true, message.URIQuery: true,
	message.ProxyURI: true, message.ProxyScheme: true, message.ContentFormat: true, message.Accept: true,
	message.Block1: true, message.Block2: true, message.Size1: true, message.Size2: true,
}

// RequestOf rebuilds the request an exchange sent, to send it again: the same method, URI,
// type, formats, options, payload, block size and timeout, with a new token. The Observe
// option is left out: a replay reads the resource once rather than registering (or
// deregistering) an observation nobody follows.
func RequestOf(x Exchange) Request {
	r := NewRequest(x.Request.Code, x.URI)
	r.NonConfirmable = x.Request.Type == "NON"
	r.Payload = append([]byte(nil), x.Request.Payload...)
	r.BlockSize, r.Timeout = x.BlockSize, x.Timeout
	for _, o := range x.Request.Options {
		id := message.OptionID(o.Number)
		switch {
		case id == message.ContentFormat:
			r.ContentFormat = int(DecodeUint(o.Value))
		case id == message.Accept:
			r.Accept = int(DecodeUint(o.Value))
		case !derivedOptions[id] && id != message.Observe:
			r.Options = append(r.Options, message.Option{ID: id, Value: append([]byte(nil), o.Value...)})
		}
	}
	return r
}

// ResponseDelivery says how the answer came, in the words of RFC 7252 §5.2: "piggybacked"
// on the ACK of the request, "separate" when it came in a CON or NON message of its own (the
// request was acknowledged first, or was NON), "reset" for an RST; "" without an answer.
func (x Exchange) ResponseDelivery() string {
	if x.Response == nil {
		return ""
	}
	switch x.Response.Type {
	case "ACK":
		return "piggybacked"
	case "CON", "NON":
		return "separate"
	case "RST":
		return "reset"
	}
	return ""
}

// Code is the response code (0 without a response).
func (x Exchange) Code() codes.Code {
	if x.Response == nil {
		return 0
	}
	return x.Response.Code
}

// Method is the request method.
func (x Exchange) Method() codes.Code { return x.Request.Code }

// OK reports whether the exchange got a 2.xx answer.
func (x Exchange) OK() bool { return x.Response != nil && x.Response.Code>>5 == 2 }

// Summary is one line for logs and lists.
func (x Exchange) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", MethodName(x.Method()), x.URI)
	switch {
	case x.Response != nil:
		fmt.Fprintf(&b, " → %s %s in %v", coapfmt.CodeString(x.Response.Code), codeName(x.Response.Code), x.RTT.Round(100*time.Microsecond))
	case x.Err != "":
		fmt.Fprintf(&b, " → %s", x.Err)
	}
	return b.String()
}

// Decode decodes the response's payload with reg, choosing the decoder by the target's path
// and the response's Content-Format; an error's payload is read as its diagnostic text. Without a response it decodes to an empty text.
func (x Exchange) Decode(reg *decode.Registry) decode.Decoded {
	if x.Response == nil {
		return decode.Decoded{Decoder: "empty"}
	}
	in := decode.Input{Path: x.Path, ContentFormat: x.Response.ContentFormat(), Payload: x.Response.Payload, ReceivedAt: x.Start.Add(x.RTT)}
	if x.Response.Code >= codes.BadRequest {
		// An error's payload is a diagnostic message (RFC 7252 §5.5.2), not the resource's
		// representation: the resource's decoder does not apply.
		in.Path = ""
		if in.ContentFormat == NoFormat {
			in.ContentFormat = ssn.FormatText
		}
	}
	return reg.Decode(in)
}
