package coapengine

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coap-workbench/coap-workbench/internal/coapfmt"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
)

// seenDatagram is a datagram as a relay between the engine and the gateway saw it.
type seenDatagram struct {
	toGateway bool
	typ       string
	code      codes.Code
	mid       uint16
	token     string
	dropped   bool
}

// wireRelay stands between one client and the gateway on loopback, forwarding datagrams both
// ways and noting each one's header: what was on the wire, seen from outside the engine. It
// can drop the client's next request.
type wireRelay struct {
	front, back *net.UDPConn
	mu          sync.Mutex
	client      netip.AddrPort
	seen        []seenDatagram
	dropNext    atomic.Bool
}

func startRelay(t *testing.T, gateway netip.AddrPort) *wireRelay {
	t.Helper()
	front, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	back, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(gateway))
	if err != nil {
		t.Fatal(err)
	}
	r := &wireRelay{front: front, back: back}
	t.Cleanup(func() { front.Close(); back.Close() })
	go r.pump(true)
	go r.pump(false)
	return r
}

func (r *wireRelay) addr() string { return r.front.LocalAddr().String() }

func (r *wireRelay) pump(toGateway bool) {
	buf := make([]byte, 65536)
	for {
		var n int
		var from netip.AddrPort
		var err error
		if toGateway {
			n, from, err = r.front.ReadFromUDPAddrPort(buf)
		} else {
			n, err = r.back.Read(buf)
		}
		if err != nil {
			return
		}
		if n < 4 {
			continue
		}
		d := buf[:n]
		tkl := min(int(d[0]&0xf), n-4)
		s := seenDatagram{toGateway: toGateway, typ: coapfmt.TypeName(message.Type(d[0] >> 4 & 3)), code: codes.Code(d[1]), mid: binary.BigEndian.Uint16(d[2:4]), token: string(d[4 : 4+tkl])}
		if toGateway && s.code >= codes.GET && s.code <= codes.IPATCH && r.dropNext.CompareAndSwap(true, false) {
			s.dropped = true
		}
		r.mu.Lock()
		if toGateway {
			r.client = from
		}
		r.seen = append(r.seen, s)
		client := r.client
		r.mu.Unlock()
		switch {
		case s.dropped:
		case toGateway:
			_, _ = r.back.Write(d)
		default:
			_, _ = r.front.WriteToUDPAddrPort(d, client)
		}
	}
}

// of returns the datagrams of the exchange with token: those carrying the token, and the
// empty ACKs and RSTs with one of their message IDs.
func (r *wireRelay) of(token []byte) []seenDatagram {
	r.mu.Lock()
	defer r.mu.Unlock()
	sent, answered := map[uint16]bool{}, map[uint16]bool{}
	for _, s := range r.seen {
		if s.token == string(token) && s.code != codes.Empty {
			if s.toGateway {
				sent[s.mid] = true
			} else {
				answered[s.mid] = true
			}
		}
	}
	var out []seenDatagram
	for _, s := range r.seen {
		switch {
		case s.code != codes.Empty && s.token == string(token),
			s.code == codes.Empty && !s.toGateway && sent[s.mid],
			s.code == codes.Empty && s.toGateway && answered[s.mid]:
			out = append(out, s)
		}
	}
	return out
}

// assertWireMatches checks the exchange's wire log against what the relay saw, datagram by
// datagram: direction, type, code and message ID.
func assertWireMatches(t *testing.T, what string, x Exchange, seen []seenDatagram) {
	t.Helper()
	if len(x.Wire) != len(seen) || len(seen) == 0 {
		t.Fatalf("%s: the engine logged %d datagrams, the relay saw %d:\n%s\nrelay: %+v", what, len(x.Wire), len(seen), wireText(x.Wire), seen)
	}
	for i, w := range x.Wire {
		s := seen[i]
		if w.Sent != s.toGateway || w.Type != s.typ || w.Code != s.code || w.MessageID != s.mid {
			t.Fatalf("%s: datagram %d logged as %q, the relay saw %+v\n%s", what, i, w, s, wireText(x.Wire))
		}
	}
	if x.Request.MessageID == nil || *x.Request.MessageID != seen[0].mid {
		t.Fatalf("%s: request message ID %v, the first datagram carried %d", what, x.Request.MessageID, seen[0].mid)
	}
}

func wireText(ws []WireMessage) string {
	lines := make([]string, len(ws))
	for i, w := range ws {
		lines[i] = w.String()
	}
	return strings.Join(lines, "\n")
}

func TestTheWireLogHoldsTheMessageIDsTheDatagramsCarried(t *testing.T) {
	b := startTestbed(t, nil)
	relay := startRelay(t, b.gw.Addr())
	c := b.connect(t, nil, func(p *Profile) { p.Gateway = relay.addr() })

	t.Run("a piggybacked answer carries the request's ID", func(t *testing.T) {
		x, err := c.Do(ctx10s(t), NewRequest(codes.GET, seedURI("/sys/stats?mod=pwr")))
		if err != nil || !x.OK() {
			t.Fatalf("%v %v", x.Code(), err)
		}
		assertWireMatches(t, "GET", x, relay.of(x.Request.Token))
		if len(x.Wire) != 2 || x.Response.Type != "ACK" || x.ResponseDelivery() != "piggybacked" || x.Response.MessageID == nil || *x.Response.MessageID != *x.Request.MessageID {
			t.Fatalf("want CON then its ACK 2.05 with the same ID, got\n%s\nresponse %s ID %v", wireText(x.Wire), x.Response.Type, x.Response.MessageID)
		}
	})

	t.Run("each block has an ID of its own", func(t *testing.T) {
		req := NewRequest(codes.GET, seedURI("/.well-known/core"))
		req.BlockSize = 128
		x, err := c.Do(ctx10s(t), req)
		if err != nil || !x.OK() {
			t.Fatalf("%v %v", x.Code(), err)
		}
		assertWireMatches(t, "block-wise GET", x, relay.of(x.Request.Token))
		ids := map[uint16]bool{}
		for i, w := range x.Wire {
			num := i / 2
			if !strings.Contains(w.Block, "Block2 num "+strconv.Itoa(num)+" ") {
				t.Fatalf("datagram %d is %q: want block %d", i, w, num)
			}
			if w.Sent {
				ids[w.MessageID] = true
			} else if w.Type != "ACK" || w.MessageID != x.Wire[i-1].MessageID {
				t.Fatalf("datagram %d is %q: want the ACK of %q", i, w, x.Wire[i-1])
			}
		}
		if len(ids) != x.Blocks || x.Blocks < 5 {
			t.Fatalf("%d blocks with %d distinct message IDs:\n%s", x.Blocks, len(ids), wireText(x.Wire))
		}
		if last := x.Wire[len(x.Wire)-1]; !strings.Contains(last.Block, "last") {
			t.Fatalf("the last block is logged as %q", last)
		}
		if *x.Response.MessageID != x.Wire[1].MessageID {
			t.Fatalf("the response's ID %d is not its first block's %d", *x.Response.MessageID, x.Wire[1].MessageID)
		}
	})

	t.Run("an upload's blocks and the gateway's 2.31s", func(t *testing.T) {
		up := NewRequest(codes.POST, "coap://"+relay.addr()+"/echo")
		up.Payload = bytes.Repeat([]byte("0123456789"), 30)
		up.ContentFormat = 0
		up.BlockSize = 64
		x, err := c.Do(ctx10s(t), up)
		if err != nil || !x.OK() {
			t.Fatalf("%v %v", x.Code(), err)
		}
		assertWireMatches(t, "block-wise POST", x, relay.of(x.Request.Token))
		// 300 bytes in 64-byte blocks: four answered 2.31 Continue, the fifth (the last) 2.05,
		// and the echo comes back in Block2 blocks.
		for num := range 5 {
			sent, answer := x.Wire[2*num], x.Wire[2*num+1]
			wantBlock, wantCode := "Block1 num "+strconv.Itoa(num)+" · more · 64 B", codes.Continue
			if num == 4 {
				wantBlock, wantCode = "Block1 num 4 · last · 64 B", codes.Content
			}
			if sent.Block != wantBlock || answer.Code != wantCode {
				t.Fatalf("block %d: %q answered %q, want %s answered %v:\n%s", num, sent, answer, wantBlock, wantCode, wireText(x.Wire))
			}
		}
	})

	t.Run("a NON request gets a separate NON answer", func(t *testing.T) {
		req := NewRequest(codes.GET, seedURI("/"))
		req.NonConfirmable = true
		x, err := c.Do(ctx10s(t), req)
		if err != nil || !x.OK() {
			t.Fatalf("%v %v", x.Code(), err)
		}
		assertWireMatches(t, "NON GET", x, relay.of(x.Request.Token))
		if x.ResponseDelivery() != "separate" || x.Wire[0].Type != "NON" || x.Wire[1].Type != "NON" || x.Wire[1].MessageID == x.Wire[0].MessageID {
			t.Fatalf("want NON then NON with its own ID:\n%s", wireText(x.Wire))
		}
	})

	t.Run("a retransmission keeps its ID", func(t *testing.T) {
		relay.dropNext.Store(true)
		x, err := c.Do(ctx10s(t), NewRequest(codes.GET, seedURI("/")))
		if err != nil || !x.OK() {
			t.Fatalf("%v %v", x.Code(), err)
		}
		seen := relay.of(x.Request.Token)
		assertWireMatches(t, "retransmitted GET", x, seen)
		if !seen[0].dropped || len(x.Wire) != 3 || !x.Wire[1].Retransmission || x.Wire[0].Retransmission ||
			x.Wire[1].MessageID != x.Wire[0].MessageID || x.Retransmissions != 1 {
			t.Fatalf("want CON (dropped), CON again with the same ID, ACK; %d retransmissions:\n%s", x.Retransmissions, wireText(x.Wire))
		}
		if !strings.HasSuffix(x.Wire[1].String(), "(retransmission)") {
			t.Fatalf("the retransmission reads %q", x.Wire[1])
		}
	})
}

// A server that acknowledges first and answers later: the engine logs the empty ACK, the
// separate CON answer with its own ID, and its own ACK of that answer.
func TestASeparateAnswerIsLoggedWithBothAcknowledgements(t *testing.T) {
	server, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	clientAcked := make(chan uint16, 1)
	go func() {
		buf := make([]byte, 2048)
		for {
			n, from, err := server.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			d := buf[:n]
			mid := binary.BigEndian.Uint16(d[2:4])
			if d[1] == 0 { // the client's ACK of the separate answer
				clientAcked <- mid
				continue
			}
			token := append([]byte(nil), d[4:4+int(d[0]&0xf)]...)
			_, _ = server.WriteToUDPAddrPort([]byte{0x60, 0, d[2], d[3]}, from) // empty ACK
			time.Sleep(20 * time.Millisecond)
			answer := append([]byte{0x40 | byte(len(token)), byte(codes.Content), 0x77, 0x11}, token...)
			answer = append(answer, 0xff, 'h', 'i')
			_, _ = server.WriteToUDPAddrPort(answer, from)
		}
	}()
	c, err := Dial(t.Context(), Profile{Name: "direct"}, Hooks{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	x, err := c.Do(ctx10s(t), NewRequest(codes.GET, "coap://"+server.LocalAddr().String()+"/slow"))
	if err != nil || string(x.Response.Payload) != "hi" {
		t.Fatalf("%v %v", x.Code(), err)
	}
	mid := *x.Request.MessageID
	want := []WireMessage{
		{Sent: true, Type: "CON", Code: codes.GET, MessageID: mid},
		{Type: "ACK", Code: codes.Empty, MessageID: mid},
		{Type: "CON", Code: codes.Content, MessageID: 0x7711},
		{Sent: true, Type: "ACK", Code: codes.Empty, MessageID: 0x7711},
	}
	if len(x.Wire) != len(want) {
		t.Fatalf("logged\n%s", wireText(x.Wire))
	}
	for i, w := range want {
		got := x.Wire[i]
		got.At = 0
		if got != w {
			t.Fatalf("datagram %d logged as %q, want %q", i, got, w)
		}
	}
	if x.ResponseDelivery() != "separate" || *x.Response.MessageID != 0x7711 || x.Response.Type != "CON" {
		t.Fatalf("response %s %v delivered %q", x.Response.Type, x.Response.MessageID, x.ResponseDelivery())
	}
	select {
	case got := <-clientAcked:
		if got != 0x7711 {
			t.Fatalf("the server got an ACK for %x", got)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the server got no ACK")
	}
}

// Entries of older versions have no message IDs and no wire log; they still load, and say so
// with nil IDs. A message ID of 0 survives a round trip.
func TestHistoryEntriesWithAndWithoutMessageIDsLoad(t *testing.T) {
	old := `{"profile":"p","path":"/","uri":"coap://h/","request":{"code":1,"type":"CON","token":"AQI="},` +
		`"response":{"code":69,"type":"ACK"},"start":"2025-01-02T03:04:05Z","rtt":1000000}`
	var x Exchange
	if err := json.Unmarshal([]byte(old), &x); err != nil {
		t.Fatal(err)
	}
	if x.Request.MessageID != nil || x.Response.MessageID != nil || x.Wire != nil || x.ResponseDelivery() != "piggybacked" {
		t.Fatalf("an old entry loaded as %+v", x)
	}
	zero, seven := uint16(0), uint16(7)
	x.Request.MessageID, x.Response.MessageID = &zero, &seven
	x.Wire = []WireMessage{{Sent: true, Type: "CON", Code: codes.GET, MessageID: 0}, {At: time.Millisecond, Type: "ACK", Code: codes.Content, MessageID: 0}}
	raw, err := json.Marshal(x)
	if err != nil {
		t.Fatal(err)
	}
	var back Exchange
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if back.Request.MessageID == nil || *back.Request.MessageID != 0 || *back.Response.MessageID != 7 || len(back.Wire) != 2 || back.Wire[1] != x.Wire[1] {
		t.Fatalf("round trip of %s gave %+v", raw, back)
	}
}

func TestWireMessagesReadAsACaptureToolListsThem(t *testing.T) {
	for _, c := range []struct {
		w    WireMessage
		want string
	}{
		{WireMessage{Sent: true, Type: "CON", Code: codes.GET, MessageID: 0x1a2b, Block: "Block2 num 0 · 128 B"}, "→ CON 0.01 GET  MID 0x1a2b (6699)  Block2 num 0 · 128 B"},
		{WireMessage{Type: "ACK", Code: codes.Empty, MessageID: 1}, "← ACK 0.00 Empty  MID 0x0001 (1)"},
		{WireMessage{Type: "ACK", Code: codes.Content, MessageID: 65535}, "← ACK 2.05 Content  MID 0xffff (65535)"},
		{WireMessage{Sent: true, Type: "CON", Code: codes.PUT, MessageID: 2, Retransmission: true}, "→ CON 0.03 PUT  MID 0x0002 (2)  (retransmission)"},
		{WireMessage{Type: "CON", Code: codes.Content, MessageID: 3, Duplicate: true}, "← CON 2.05 Content  MID 0x0003 (3)  (duplicate)"},
	} {
		if got := c.w.String(); got != c.want {
			t.Errorf("%+v reads %q, want %q", c.w, got, c.want)
		}
	}
}
