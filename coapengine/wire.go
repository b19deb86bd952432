package coapengine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/coap-workbench/coap-workbench/internal/coapfmt"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/message/pool"
	"github.com/plgd-dev/go-coap/v3/udp/coder"
)

// WireMessage is one datagram of an exchange as it crossed the wire: a request the engine
// wrote (a retransmission or a further block included), the acknowledgement or answer the
// peer sent back, or the empty ACK the engine sent for a separate answer.
type WireMessage struct {
	// Sent is true for a datagram the engine wrote, false for one it received.
	Sent bool `json:"sent,omitempty"`
	// At is when the datagram crossed, counted from the exchange's start.
	At   time.Duration `json:"at"`
	Type string        `json:"type"`           // CON, NON, ACK or RST
	Code codes.Code    `json:"code,omitempty"` // 0.00 for an empty ACK or RST
	// MessageID is the datagram's message ID: a retransmission keeps its request's, an ACK
	// carries the ID of the message it acknowledges.
	MessageID uint16 `json:"messageID"`
	// Retransmission marks a request written again with the ID it was first sent with.
	Retransmission bool `json:"retransmission,omitempty"`
	// Duplicate marks a received datagram whose message ID had already been received (the
	// peer sent it again, not having seen the engine's ACK).
	Duplicate bool `json:"duplicate,omitempty"`
	// Block is the datagram's Block1 and Block2 options as people read them
	// ("Block2 num 3 · more · 128 B"), "" when it has none.
	Block string `json:"block,omitempty"`
}

// String is the datagram on one line, as a capture tool lists it:
// "→ CON 0.01 GET  MID 0x1a2b (6699)  Block2 num 0 · 128 B".
func (w WireMessage) String() string {
	var b strings.Builder
	if w.Sent {
		b.WriteString("→ ")
	} else {
		b.WriteString("← ")
	}
	b.WriteString(w.Type)
	b.WriteByte(' ')
	b.WriteString(coapfmt.CodeString(w.Code))
	if name := codeOrMethodName(w.Code); name != "" {
		b.WriteByte(' ')
		b.WriteString(name)
	}
	b.WriteString("  MID ")
	b.WriteString(MessageIDText(w.MessageID))
	if w.Block != "" {
		b.WriteString("  ")
		b.WriteString(w.Block)
	}
	switch {
	case w.Retransmission:
		b.WriteString("  (retransmission)")
	case w.Duplicate:
		b.WriteString("  (duplicate)")
	}
	return b.String()
}

func codeOrMethodName(c codes.Code) string {
	switch {
	case c == codes.Empty:
		return "Empty"
	case c >= codes.GET && c <= codes.IPATCH:
		return MethodName(c)
	}
	return CodeName(c)
}

// MessageIDText writes a message ID in hex and decimal, as Wireshark does: "0x1a2b (6699)".
func MessageIDText(mid uint16) string { return fmt.Sprintf("0x%04x (%d)", mid, mid) }

// maxWireMessages bounds an exchange's wire log: a long block-wise transfer keeps its first
// datagrams and counts the rest.
const maxWireMessages = 512

// writeTrack follows one exchange on the wire, by its token: the datagrams both ways, the
// request message IDs and how often each was written, the blocks.
type writeTrack struct {
	peer     netip.AddrPort
	start    time.Time
	mids     map[int32]int   // request message ID → times written
	received map[uint16]bool // message IDs received from the peer
	firstMID int32           // the first request's message ID, -1 before it is written
	blocks   int
	wire     []WireMessage
	omitted  int
	// unacked holds the message IDs of CON answers the engine has not acknowledged yet;
	// ackWritten is signalled at each acknowledgement (see awaitAcks).
	unacked    map[uint16]bool
	ackWritten chan struct{}
}

func (t *writeTrack) log(w WireMessage) {
	if len(t.wire) >= maxWireMessages {
		t.omitted++
		return
	}
	t.wire = append(t.wire, w)
}

// describe copies what the track saw into x: retransmissions, blocks, the request's message
// ID and the wire log.
func (t *writeTrack) describe(x *Exchange) {
	if t == nil {
		return
	}
	for _, n := range t.mids {
		x.Retransmissions += n - 1
	}
	x.Blocks = t.blocks
	if t.firstMID >= 0 {
		mid := uint16(t.firstMID)
		x.Request.MessageID = &mid
	}
	x.Wire, x.WireOmitted = t.wire, t.omitted
}

func (c *Connection) track(token []byte, peer netip.AddrPort, start time.Time) {
	c.mu.Lock()
	c.tracks[string(token)] = &writeTrack{peer: peer, start: start, mids: map[int32]int{}, received: map[uint16]bool{}, firstMID: -1,
		unacked: map[uint16]bool{}, ackWritten: make(chan struct{}, 1)}
	c.mu.Unlock()
}

// ackWait bounds how long an exchange waits for the engine's own ACK of a CON answer.
const ackWait = 100 * time.Millisecond

// awaitAcks waits, at most ackWait, until the engine has acknowledged every CON answer of the
// exchange of token: go-coap writes that ACK only after handing the answer over, and the wire
// log is to hold it. A piggybacked or NON answer does not wait.
func (c *Connection) awaitAcks(token []byte) {
	var limit <-chan time.Time
	for {
		c.mu.Lock()
		t := c.tracks[string(token)]
		pending := t != nil && len(t.unacked) > 0
		c.mu.Unlock()
		if !pending {
			return
		}
		if limit == nil {
			timer := time.NewTimer(ackWait)
			defer timer.Stop()
			limit = timer.C
		}
		select {
		case <-t.ackWritten:
		case <-limit:
			return
		}
	}
}

// untrack ends the track of token and returns it (nil when there was none).
func (c *Connection) untrack(token []byte) *writeTrack {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.tracks[string(token)]
	delete(c.tracks, string(token))
	return t
}

// trackByMID finds the track of an empty message from or to peer: the one whose request
// (sent, for a received ACK or RST) or answer (received, for the ACK the engine sends) has
// its message ID. The caller holds c.mu.
func (c *Connection) trackByMID(peer netip.AddrPort, mid uint16, sent bool) *writeTrack {
	for _, t := range c.tracks {
		if t.peer != peer {
			continue
		}
		if sent && t.received[mid] {
			return t
		}
		if _, ok := t.mids[int32(mid)]; !sent && ok {
			return t
		}
	}
	return nil
}

// wrote sees every datagram the socket sends: requests (retransmissions and blocks are counted
// here) and the empty ACKs of separate answers.
func (c *Connection) wrote(to netip.AddrPort, m *pool.Message) {
	c.touch()
	request := m.Code() >= codes.GET && m.Code() <= codes.IPATCH
	if !request && m.Code() != codes.Empty {
		return
	}
	mid := m.MessageID()
	c.mu.Lock()
	defer c.mu.Unlock()
	var t *writeTrack
	if request {
		t = c.tracks[string(m.Token())]
	} else if mid >= 0 {
		t = c.trackByMID(to, uint16(mid), true)
	}
	if t == nil {
		return
	}
	w := WireMessage{Sent: true, At: c.now().Sub(t.start), Type: coapfmt.TypeName(m.Type()), Code: m.Code(), MessageID: uint16(mid)}
	if !request && t.unacked[uint16(mid)] {
		delete(t.unacked, uint16(mid))
		select {
		case t.ackWritten <- struct{}{}:
		default:
		}
	}
	if request {
		w.Retransmission = t.mids[mid] > 0
		t.mids[mid]++
		if t.firstMID < 0 {
			t.firstMID = mid
		}
		b1, err1 := m.GetOptionUint32(message.Block1)
		b2, err2 := m.GetOptionUint32(message.Block2)
		if err1 == nil || err2 == nil {
			if !w.Retransmission {
				t.blocks++
			}
			w.Block = blockOptionsText(b1, err1 == nil, b2, err2 == nil, true)
		}
	}
	t.log(w)
}

// received sees every datagram the socket reads, and logs those of a tracked exchange: its
// answers (by token) and the ACK or RST of its requests (by message ID).
func (c *Connection) received(from netip.AddrPort, datagram []byte) {
	if len(datagram) < 4 {
		return
	}
	typ := message.Type(datagram[0] >> 4 & 0x3)
	code := codes.Code(datagram[1])
	mid := binary.BigEndian.Uint16(datagram[2:4])
	tkl := int(datagram[0] & 0xf)
	if code != codes.Empty && (code < codes.Created || tkl > 8 || len(datagram) < 4+tkl) {
		return // a request to the client, or garbage: not part of an exchange
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.tracks) == 0 {
		return
	}
	var t *writeTrack
	if code == codes.Empty {
		t = c.trackByMID(from, mid, false)
	} else if t = c.tracks[string(datagram[4:4+tkl])]; t != nil && t.peer != from {
		t = nil
	}
	if t == nil {
		return
	}
	w := WireMessage{At: c.now().Sub(t.start), Type: coapfmt.TypeName(typ), Code: code, MessageID: mid, Duplicate: t.received[mid]}
	t.received[mid] = true
	if typ == message.Confirmable && code != codes.Empty && !w.Duplicate {
		t.unacked[mid] = true
	}
	if code != codes.Empty {
		w.Block = receivedBlocks(datagram)
	}
	t.log(w)
}

// receivedBlocks decodes a received datagram's Block1 and Block2 options for the wire log.
func receivedBlocks(datagram []byte) string {
	var m message.Message
	m.Options = make(message.Options, 0, 32)
	_, err := coder.DefaultCoder.Decode(datagram, &m)
	if errors.Is(err, message.ErrOptionsTooSmall) {
		m.Options = make(message.Options, 0, 1024)
		_, err = coder.DefaultCoder.Decode(datagram, &m)
	}
	if err != nil {
		return ""
	}
	b1, err1 := m.Options.GetUint32(message.Block1)
	b2, err2 := m.Options.GetUint32(message.Block2)
	if err1 != nil && err2 != nil {
		return ""
	}
	return blockOptionsText(b1, err1 == nil, b2, err2 == nil, false)
}

// blockOptionsText writes a message's Block1 and Block2 options: "Block1 num 2 · last · 64 B".
func blockOptionsText(block1 uint32, has1 bool, block2 uint32, has2 bool, inRequest bool) string {
	var parts []string
	if has1 {
		parts = append(parts, "Block1 "+BlockValue(message.Block1, block1, inRequest))
	}
	if has2 {
		parts = append(parts, "Block2 "+BlockValue(message.Block2, block2, inRequest))
	}
	return strings.Join(parts, ", ")
}
