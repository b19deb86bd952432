package udpendpoint

import (
	"bytes"
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/message/pool"
	"github.com/plgd-dev/go-coap/v3/net/blockwise"
	"github.com/plgd-dev/go-coap/v3/options"
	"github.com/plgd-dev/go-coap/v3/udp"
	"github.com/plgd-dev/go-coap/v3/udp/client"
	"github.com/plgd-dev/go-coap/v3/udp/coder"
)

func echoPathHandler(calls *atomic.Int64) HandlerFunc {
	return func(w *ResponseWriter, r *pool.Message) {
		if r.Code() < codes.GET || r.Code() > codes.IPATCH {
			return
		}
		if calls != nil {
			calls.Add(1)
		}
		path, _ := r.Path()
		_ = w.SetResponse(codes.Content, message.TextPlain, bytes.NewReader([]byte("path="+path)))
	}
}

func listen(t *testing.T, cfg Config) *Endpoint {
	t.Helper()
	e, err := Listen(t.Context(), "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

func dial(t *testing.T, addr netip.AddrPort) *client.Conn {
	t.Helper()
	cc, err := udp.Dial(addr.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cc.Close() })
	return cc
}

func ctxTimeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestServesRequestsFromManyPeers(t *testing.T) {
	server := listen(t, Config{Handler: echoPathHandler(nil)})
	for i := range 5 {
		cc := dial(t, server.LocalAddr())
		resp, err := cc.Get(ctxTimeout(t), "/a/b")
		if err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
		body, _ := resp.ReadBody()
		if resp.Code() != codes.Content || string(body) != "path=/a/b" {
			t.Fatalf("client %d: got %v %q", i, resp.Code(), body)
		}
	}
	if got := server.PeerCount(); got != 5 {
		t.Fatalf("peers = %d, want 5", got)
	}
}

// A retransmitted confirmable request (same message ID) must get the cached response, and the
// handler must not run twice.
func TestDuplicateRequestIsAnsweredFromCache(t *testing.T) {
	var calls atomic.Int64
	server := listen(t, Config{Handler: echoPathHandler(&calls)})
	sock, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(server.LocalAddr()))
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	req, _ := EncodeMessage(message.Message{
		Token: []byte{1, 2}, Code: codes.GET, Type: message.Confirmable, MessageID: 4242,
		Options: message.Options{{ID: message.URIPath, Value: []byte("x")}},
	})
	var answers [][]byte
	for range 2 {
		if _, err := sock.Write(req); err != nil {
			t.Fatal(err)
		}
		answers = append(answers, readDatagram(t, sock))
	}
	if !bytes.Equal(answers[0], answers[1]) {
		t.Fatalf("duplicate got a different answer:\n%x\n%x", answers[0], answers[1])
	}
	if calls.Load() != 1 {
		t.Fatalf("handler ran %d times, want 1", calls.Load())
	}
}

func readDatagram(t *testing.T, sock *net.UDPConn) []byte {
	t.Helper()
	buf := make([]byte, 2048)
	_ = sock.SetReadDeadline(time.Now().Add(3 * time.Second))
	n, err := sock.Read(buf)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	return buf[:n]
}

func decode(t *testing.T, datagram []byte) message.Message {
	t.Helper()
	var m message.Message
	m.Options = make(message.Options, 0, 8)
	if _, err := coder.DefaultCoder.Decode(datagram, &m); err != nil {
		t.Fatalf("cannot decode %x: %v", datagram, err)
	}
	return m
}

func TestMalformedConfirmableGetsResetAndServerKeepsAnswering(t *testing.T) {
	server := listen(t, Config{Handler: echoPathHandler(nil)})
	sock, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(server.LocalAddr()))
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	// CON GET, MID 0x1234, token length 8 announced but only 2 bytes follow.
	if _, err := sock.Write([]byte{0x48, 0x01, 0x12, 0x34, 0xAA, 0xBB}); err != nil {
		t.Fatal(err)
	}
	rst := decode(t, readDatagram(t, sock))
	if rst.Type != message.Reset || rst.MessageID != 0x1234 {
		t.Fatalf("want RST for MID 0x1234, got %v", rst)
	}
	// Garbage that is not even a header is dropped silently.
	_, _ = sock.Write([]byte{0xFF})
	_, _ = sock.Write([]byte{})
	cc := dial(t, server.LocalAddr())
	resp, err := cc.Get(ctxTimeout(t), "/still/alive")
	if err != nil {
		t.Fatal(err)
	}
	if body, _ := resp.ReadBody(); string(body) != "path=/still/alive" {
		t.Fatalf("got %q", body)
	}
	if server.Stats().Malformed.Load() < 2 {
		t.Fatalf("malformed count = %d", server.Stats().Malformed.Load())
	}
}

// One endpoint acts as a client of another through Conn, over its shared socket.
func TestEndpointAsClient(t *testing.T) {
	server := listen(t, Config{Handler: echoPathHandler(nil)})
	caller := listen(t, Config{})
	cc, err := caller.Conn(server.LocalAddr())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := cc.Get(ctxTimeout(t), "/from/endpoint")
	if err != nil {
		t.Fatal(err)
	}
	if body, _ := resp.ReadBody(); string(body) != "path=/from/endpoint" {
		t.Fatalf("got %q", body)
	}
}

// With the default asynchronous processing, a slow request does not hold up the same peer's
// next one; with inline processing it does (the peer's requests are handled in order).
func TestAsyncProcessingAvoidsHeadOfLineBlocking(t *testing.T) {
	for _, c := range []struct {
		name      string
		process   ProcessFunc
		fastFirst bool
	}{{"async", ProcessAsync, true}, {"inline", ProcessInline, false}} {
		t.Run(c.name, func(t *testing.T) {
			release := make(chan struct{})
			handler := func(w *ResponseWriter, r *pool.Message) {
				path, _ := r.Path()
				if strings.HasSuffix(path, "slow") {
					<-release
				}
				_ = w.SetResponse(codes.Content, message.TextPlain, bytes.NewReader([]byte(path)))
			}
			server := listen(t, Config{Handler: handler, Process: c.process})
			sock, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(server.LocalAddr()))
			if err != nil {
				t.Fatal(err)
			}
			defer sock.Close()
			for i, path := range []string{"slow", "fast"} {
				req, _ := EncodeMessage(message.Message{Token: []byte{byte(i)}, Code: codes.GET, Type: message.Confirmable, MessageID: int32(10 + i),
					Options: message.Options{{ID: message.URIPath, Value: []byte(path)}}})
				_, _ = sock.Write(req)
			}
			buf := make([]byte, 256)
			_ = sock.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
			n, err := sock.Read(buf)
			close(release)
			if c.fastFirst {
				if err != nil || decode(t, buf[:n]).Token[0] != 1 {
					t.Fatalf("the fast request waited behind the slow one: %v", err)
				}
			} else if err == nil {
				t.Fatalf("inline processing answered %x while the first request was still being handled", buf[:n])
			}
		})
	}
}

type dropAll struct{ dropped atomic.Int64 }

func (d *dropAll) Receive(netip.AddrPort, int) (bool, time.Duration) {
	d.dropped.Add(1)
	return false, 0
}
func (d *dropAll) Send(netip.AddrPort, int) (bool, time.Duration) { return true, 0 }

type delayAll struct{ delay time.Duration }

func (d delayAll) Receive(netip.AddrPort, int) (bool, time.Duration) { return true, d.delay }
func (d delayAll) Send(netip.AddrPort, int) (bool, time.Duration)    { return true, 0 }

func TestLinkDropsAndDelays(t *testing.T) {
	link := &dropAll{}
	silent := listen(t, Config{Handler: echoPathHandler(nil), Link: link})
	cc := dial(t, silent.LocalAddr())
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	if _, err := cc.Get(ctx, "/x"); err == nil {
		t.Fatal("a dropped request got an answer")
	}
	if link.dropped.Load() == 0 {
		t.Fatal("link saw nothing")
	}

	slow := listen(t, Config{Handler: echoPathHandler(nil), Link: delayAll{delay: 150 * time.Millisecond}})
	cc = dial(t, slow.LocalAddr())
	start := time.Now()
	if _, err := cc.Get(ctxTimeout(t), "/x"); err != nil {
		t.Fatal(err)
	}
	if rtt := time.Since(start); rtt < 150*time.Millisecond {
		t.Fatalf("delayed link answered after %v", rtt)
	}
}

func TestIdlePeersAreForgotten(t *testing.T) {
	server := listen(t, Config{Handler: echoPathHandler(nil), SweepInterval: 10 * time.Millisecond, IdlePeerTimeout: 50 * time.Millisecond})
	cc := dial(t, server.LocalAddr())
	if _, err := cc.Get(ctxTimeout(t), "/x"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for server.PeerCount() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("idle peer still has state")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The peer is recreated transparently on its next request.
	if _, err := cc.Get(ctxTimeout(t), "/y"); err != nil {
		t.Fatal(err)
	}
}

func TestBlock1UploadIsCapped(t *testing.T) {
	handler := func(w *ResponseWriter, r *pool.Message) {
		body, _ := r.ReadBody()
		_ = w.SetResponse(codes.Changed, message.TextPlain, bytes.NewReader([]byte{byte(len(body) >> 8), byte(len(body))}))
	}
	server := listen(t, Config{Handler: handler, MaxBlock1Size: 1000})
	cc, err := udp.Dial(server.LocalAddr().String(), optionsBlockwise128())
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	resp, err := cc.Post(ctxTimeout(t), "/upload", message.AppOctets, bytes.NewReader(make([]byte, 900)))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Code() != codes.Changed {
		t.Fatalf("900 bytes: got %v", resp.Code())
	}
	resp, err = cc.Post(ctxTimeout(t), "/upload", message.AppOctets, bytes.NewReader(make([]byte, 3000)))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Code() != codes.RequestEntityTooLarge {
		t.Fatalf("3000 bytes: got %v, want 4.13", resp.Code())
	}
}

func optionsBlockwise128() udp.Option {
	return options.WithBlockwise(true, blockwise.SZX128, 3*time.Second)
}

func TestNonConfirmableRequestGetsNonConfirmableReply(t *testing.T) {
	for _, inKind := range []bool{true, false} {
		server := listen(t, Config{Handler: echoPathHandler(nil), NonConfirmableReplies: inKind})
		sock, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(server.LocalAddr()))
		if err != nil {
			t.Fatal(err)
		}
		defer sock.Close()
		req, _ := EncodeMessage(message.Message{Token: []byte{5}, Code: codes.GET, Type: message.NonConfirmable, MessageID: 77,
			Options: message.Options{{ID: message.URIPath, Value: []byte("n")}}})
		_, _ = sock.Write(req)
		resp := decode(t, readDatagram(t, sock))
		want := message.Confirmable // go-coap's own choice
		if inKind {
			want = message.NonConfirmable
		}
		if resp.Type != want || resp.Code != codes.Content || string(resp.Payload) != "path=/n" || !bytes.Equal(resp.Token, []byte{5}) {
			t.Fatalf("in kind %v: got %v %v %q token %x", inKind, resp.Type, resp.Code, resp.Payload, resp.Token)
		}
	}
}

func TestPeersAreCappedAndStrangersGarbageLeavesNoState(t *testing.T) {
	server := listen(t, Config{Handler: echoPathHandler(nil), MaxPeers: 2})
	sock, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(server.LocalAddr()))
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	// A malformed confirmable message from a new address: a Reset, and no state kept.
	_, _ = sock.Write([]byte{0x48, 0x01, 0x00, 0x07, 0xAA})
	if rst := decode(t, readDatagram(t, sock)); rst.Type != message.Reset {
		t.Fatalf("got %v", rst.Type)
	}
	testwaitPeers(t, server, 0)
	a, b := dial(t, server.LocalAddr()), dial(t, server.LocalAddr())
	for _, cc := range []*client.Conn{a, b} {
		if _, err := cc.Get(ctxTimeout(t), "/x"); err != nil {
			t.Fatal(err)
		}
	}
	third := dial(t, server.LocalAddr())
	short, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	if _, err := third.Get(short, "/x"); err == nil {
		t.Fatal("a third peer was served past MaxPeers 2")
	}
	if server.Stats().RefusedPeers.Load() == 0 || server.PeerCount() != 2 {
		t.Fatalf("refused %d, peers %d", server.Stats().RefusedPeers.Load(), server.PeerCount())
	}
}

func testwaitPeers(t *testing.T, e *Endpoint, n int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for e.PeerCount() != n {
		if time.Now().After(deadline) {
			t.Fatalf("peers %d, want %d", e.PeerCount(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// OnWrite and OnReceive see a client's request and the answer to it: one message ID, the
// request confirmable and the answer its acknowledgement.
func TestHooksSeeTheRequestAndItsAnswerAsTheyCrossTheWire(t *testing.T) {
	server := listen(t, Config{Handler: echoPathHandler(nil)})
	type seen struct {
		typ  message.Type
		code codes.Code
		mid  int32
	}
	var mu sync.Mutex
	var sent, received []seen
	caller := listen(t, Config{
		OnWrite: func(_ netip.AddrPort, m *pool.Message) {
			mu.Lock()
			sent = append(sent, seen{m.Type(), m.Code(), m.MessageID()})
			mu.Unlock()
		},
		OnReceive: func(_ netip.AddrPort, datagram []byte) {
			var m message.Message
			m.Options = make(message.Options, 0, 8)
			if _, err := coder.DefaultCoder.Decode(datagram, &m); err != nil {
				t.Errorf("OnReceive got a datagram that does not decode: %v", err)
			}
			mu.Lock()
			received = append(received, seen{m.Type, m.Code, m.MessageID})
			mu.Unlock()
		},
	})
	cc, err := caller.Conn(server.LocalAddr())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cc.Get(ctxTimeout(t), "/hooked"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(sent) != 1 || len(received) != 1 {
		t.Fatalf("sent %+v, received %+v: want one each", sent, received)
	}
	if s, r := sent[0], received[0]; s.typ != message.Confirmable || s.code != codes.GET || r.typ != message.Acknowledgement || r.code != codes.Content || r.mid != s.mid {
		t.Fatalf("sent %+v, received %+v: want a CON GET answered by an ACK 2.05 with its message ID", s, r)
	}
}
