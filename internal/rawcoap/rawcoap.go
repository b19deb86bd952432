// Package rawcoap is a test kit that speaks CoAP over UDP datagram by datagram: it builds
// messages field by field (any type, code, message ID, token and option, repeated or out of
// range; or bytes that are no CoAP at all), sends them from a socket of its own on loopback,
// and reads back exactly what arrives, so that tests can hold a peer to the RFCs' MUSTs without
// a CoAP library deciding on their behalf. It is imported only by tests.
package rawcoap

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"sort"
	"testing"
	"time"

	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
)

// The message types (RFC 7252 §3).
const (
	CON = message.Confirmable
	NON = message.NonConfirmable
	ACK = message.Acknowledgement
	RST = message.Reset
)

// Option is one option as it goes on the wire: any number, any value, in any order.
type Option struct {
	Number uint16
	Value  []byte
}

// Message is a CoAP message built by hand.
type Message struct {
	Type      message.Type
	Code      codes.Code
	MessageID uint16
	Token     []byte
	Options   []Option
	Payload   []byte
}

// Uint is an option value holding n in as few bytes as CoAP writes it (0 is empty).
func Uint(n uint32) []byte {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], n)
	i := 0
	for i < 4 && b[i] == 0 {
		i++
	}
	return append([]byte(nil), b[i:]...)
}

// Bytes encodes m (RFC 7252 §3): the options are sorted by number, stably, so that a repeated
// option keeps its order; option deltas and lengths use the 13 and 14 extensions.
func (m Message) Bytes() []byte {
	b := []byte{1<<6 | byte(m.Type)<<4 | byte(len(m.Token)&0x0f), byte(m.Code), byte(m.MessageID >> 8), byte(m.MessageID)}
	b = append(b, m.Token...)
	opts := append([]Option(nil), m.Options...)
	sort.SliceStable(opts, func(i, j int) bool { return opts[i].Number < opts[j].Number })
	last := uint16(0)
	for _, o := range opts {
		delta := int(o.Number - last)
		last = o.Number
		dn, dext := nibble(delta)
		ln, lext := nibble(len(o.Value))
		b = append(b, byte(dn<<4|ln))
		b = append(b, dext...)
		b = append(b, lext...)
		b = append(b, o.Value...)
	}
	if len(m.Payload) > 0 {
		b = append(b, 0xff)
		b = append(b, m.Payload...)
	}
	return b
}

func nibble(v int) (int, []byte) {
	switch {
	case v < 13:
		return v, nil
	case v < 269:
		return 13, []byte{byte(v - 13)}
	}
	return 14, []byte{byte((v - 269) >> 8), byte(v - 269)}
}

// Parse reads a datagram into a Message; it fails on anything that is not a well-formed
// CoAP message.
func Parse(b []byte) (Message, error) {
	if len(b) < 4 || b[0]>>6 != 1 {
		return Message{}, errors.New("not a CoAP version 1 message")
	}
	m := Message{Type: message.Type(b[0] >> 4 & 3), Code: codes.Code(b[1]), MessageID: binary.BigEndian.Uint16(b[2:4])}
	tkl := int(b[0] & 0x0f)
	if tkl > 8 || len(b) < 4+tkl {
		return Message{}, errors.New("bad token length")
	}
	m.Token = append([]byte(nil), b[4:4+tkl]...)
	rest := b[4+tkl:]
	number := 0
	for len(rest) > 0 {
		if rest[0] == 0xff {
			if len(rest) == 1 {
				return Message{}, errors.New("payload marker without a payload")
			}
			m.Payload = append([]byte(nil), rest[1:]...)
			break
		}
		dn, ln := int(rest[0]>>4), int(rest[0]&0x0f)
		rest = rest[1:]
		var err error
		var delta, length int
		if delta, rest, err = extended(dn, rest); err != nil {
			return Message{}, err
		}
		if length, rest, err = extended(ln, rest); err != nil {
			return Message{}, err
		}
		if len(rest) < length {
			return Message{}, errors.New("option longer than the message")
		}
		number += delta
		m.Options = append(m.Options, Option{Number: uint16(number), Value: append([]byte(nil), rest[:length]...)})
		rest = rest[length:]
	}
	return m, nil
}

func extended(n int, rest []byte) (int, []byte, error) {
	switch n {
	case 13:
		if len(rest) < 1 {
			return 0, nil, errors.New("truncated option")
		}
		return int(rest[0]) + 13, rest[1:], nil
	case 14:
		if len(rest) < 2 {
			return 0, nil, errors.New("truncated option")
		}
		return int(binary.BigEndian.Uint16(rest)) + 269, rest[2:], nil
	case 15:
		return 0, nil, errors.New("reserved option nibble 15")
	}
	return n, rest, nil
}

// Option is the first value of option n, and whether m has it.
func (m Message) Option(n uint16) ([]byte, bool) {
	for _, o := range m.Options {
		if o.Number == n {
			return o.Value, true
		}
	}
	return nil, false
}

// Peer is a UDP socket of its own on loopback, talking to one address.
type Peer struct {
	t    testing.TB
	conn *net.UDPConn
	to   *net.UDPAddr
}

// Dial opens a socket on 127.0.0.1 (or ::1, after the address) towards to; it is closed
// when the test ends.
func Dial(t testing.TB, to netip.AddrPort) *Peer {
	t.Helper()
	local := "127.0.0.1:0"
	if to.Addr().Is6() && !to.Addr().Is4In6() {
		local = "[::1]:0"
	}
	la, _ := net.ResolveUDPAddr("udp", local)
	c, err := net.ListenUDP("udp", la)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &Peer{t: t, conn: c, to: net.UDPAddrFromAddrPort(to)}
}

// Addr is the peer's own address.
func (p *Peer) Addr() netip.AddrPort { return p.conn.LocalAddr().(*net.UDPAddr).AddrPort() }

// Send sends m.
func (p *Peer) Send(m Message) { p.SendBytes(m.Bytes()) }

// SendBytes sends a datagram as it is.
func (p *Peer) SendBytes(b []byte) {
	p.t.Helper()
	if _, err := p.conn.WriteToUDP(b, p.to); err != nil {
		p.t.Fatal(err)
	}
}

// Receive waits up to d for the next datagram and parses it; ok is false when none came.
func (p *Peer) Receive(d time.Duration) (m Message, raw []byte, ok bool) {
	p.t.Helper()
	buf := make([]byte, 65536)
	_ = p.conn.SetReadDeadline(time.Now().Add(d))
	n, _, err := p.conn.ReadFromUDP(buf)
	if err != nil {
		return Message{}, nil, false
	}
	raw = buf[:n]
	m, err = Parse(raw)
	if err != nil {
		p.t.Fatalf("received a datagram that is no CoAP message (%v): % x", err, raw)
	}
	return m, raw, true
}

// Expect waits up to d for a datagram and fails the test when none comes.
func (p *Peer) Expect(d time.Duration) Message {
	p.t.Helper()
	m, _, ok := p.Receive(d)
	if !ok {
		p.t.Fatalf("nothing came back within %v", d)
	}
	return m
}

// ExpectNothing fails the test when a datagram comes within d.
func (p *Peer) ExpectNothing(d time.Duration) {
	p.t.Helper()
	if m, _, ok := p.Receive(d); ok {
		p.t.Fatalf("expected nothing within %v, got %+v", d, m)
	}
}

// Exchange sends a request and returns the answer to it: the piggybacked response, or the
// separate one after its empty ACK (acknowledged in turn when it is confirmable).
func (p *Peer) Exchange(req Message, d time.Duration) Message {
	p.t.Helper()
	p.Send(req)
	deadline := time.Now().Add(d)
	for {
		m, _, ok := p.Receive(time.Until(deadline))
		if !ok {
			p.t.Fatalf("no answer to %v MID %d within %v", req.Code, req.MessageID, d)
		}
		if m.Type == ACK && m.Code == codes.Empty && m.MessageID == req.MessageID {
			continue // the response comes separately
		}
		if string(m.Token) != string(req.Token) {
			continue
		}
		if m.Type == CON {
			p.Send(Message{Type: ACK, MessageID: m.MessageID})
		}
		return m
	}
}
