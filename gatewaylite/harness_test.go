package gatewaylite

import (
	"bytes"
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/coap-workbench/coap-workbench/gatewaylite/mesh"
	"github.com/coap-workbench/coap-workbench/gatewaylite/traffic"
	"github.com/coap-workbench/coap-workbench/internal/fakeclock"
	"github.com/coap-workbench/coap-workbench/internal/udpendpoint"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/message/pool"
	"github.com/plgd-dev/go-coap/v3/udp"
	"github.com/plgd-dev/go-coap/v3/udp/client"
	"github.com/plgd-dev/go-coap/v3/udp/coder"
)

// testGateway is a gateway-lite with a small instant mesh, on loopback ports the OS picked.
type testGateway struct {
	*Gateway
	mesh  *mesh.Mesh
	clock *fakeclock.Clock
	bus   *traffic.Bus
}

const seedHost = "SSN001350050005E7D6.sim.starfish.test"

func seedURI(path string) string { return "coap://" + seedHost + ":4849" + path }

func startGateway(t testing.TB, tweak func(*Config)) *testGateway {
	t.Helper()
	clock := fakeclock.New(time.Now())
	bus := &traffic.Bus{}
	m, err := mesh.Start(t.Context(), mesh.Config{Devices: 5, NotifyPeriod: 50 * time.Millisecond, RebootDuration: 200 * time.Millisecond, Traffic: bus})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	cfg := Config{
		Listen:          "127.0.0.1:0",
		TokenListen:     "127.0.0.1:0",
		DataDir:         t.TempDir(),
		Mesh:            m,
		Traffic:         bus,
		Now:             clock.Now,
		UpstreamTimeout: 2 * time.Second,
		SweepInterval:   time.Hour, // tests expire sessions by hand
	}
	if tweak != nil {
		tweak(&cfg)
	}
	g, err := Start(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	return &testGateway{Gateway: g, mesh: m, clock: clock, bus: bus}
}

func timeout(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

// dial opens a client socket of its own to the gateway.
func (g *testGateway) dial(t *testing.T) *client.Conn {
	t.Helper()
	cc, err := udp.Dial(g.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cc.Close() })
	return cc
}

func (g *testGateway) token(t testing.TB) string {
	t.Helper()
	tok, err := g.IssueToken("dev", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok.Raw
}

// login POSTs a token to /sessions and returns the answer.
func login(t *testing.T, cc *client.Conn, token string, queries ...string) (codes.Code, string) {
	t.Helper()
	var opts []message.Option
	for _, q := range queries {
		opts = append(opts, message.Option{ID: message.URIQuery, Value: []byte(q)})
	}
	resp, err := cc.Post(timeout(t, 5*time.Second), "/sessions", message.TextPlain, bytes.NewReader([]byte(token)), opts...)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	body, _ := resp.ReadBody()
	return resp.Code(), string(body)
}

func (g *testGateway) loggedIn(t *testing.T) *client.Conn {
	t.Helper()
	cc := g.dial(t)
	if code, body := login(t, cc, g.token(t)); code != codes.Created {
		t.Fatalf("login: %v %s", code, body)
	}
	return cc
}

// proxy sends a request through the gateway with Proxy-Uri.
func proxy(t *testing.T, cc *client.Conn, method codes.Code, uri string, payload []byte, extra ...message.Option) (*pool.Message, []byte) {
	t.Helper()
	ctx := timeout(t, 8*time.Second)
	req := cc.AcquireMessage(ctx)
	req.SetCode(method)
	req.SetType(message.Confirmable)
	tok, _ := message.GetToken()
	req.SetToken(tok)
	opts := append(message.Options{{ID: message.ProxyURI, Value: []byte(uri)}}, extra...)
	sortOptions(opts)
	req.ResetOptionsTo(opts)
	if payload != nil {
		req.SetContentFormat(message.AppOctets)
		req.SetBody(bytes.NewReader(payload))
	}
	resp, err := cc.Do(req)
	if err != nil {
		t.Fatalf("%v %s: %v", method, uri, err)
	}
	body, _ := resp.ReadBody()
	return resp, body
}

func proxyGet(t *testing.T, cc *client.Conn, uri string, extra ...message.Option) (codes.Code, []byte) {
	t.Helper()
	resp, body := proxy(t, cc, codes.GET, uri, nil, extra...)
	return resp.Code(), body
}

// rawClient speaks CoAP datagrams by hand, for what go-coap's client would do for us.
type rawClient struct {
	t    testing.TB
	sock *net.UDPConn
	mid  uint16
}

func (g *testGateway) raw(t testing.TB) *rawClient {
	t.Helper()
	sock, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(g.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sock.Close() })
	return &rawClient{t: t, sock: sock, mid: 100}
}

func (c *rawClient) addr() netip.AddrPort { return c.sock.LocalAddr().(*net.UDPAddr).AddrPort() }

func (c *rawClient) send(m message.Message) uint16 {
	c.t.Helper()
	if m.MessageID == 0 {
		c.mid++
		m.MessageID = int32(c.mid)
	}
	sortOptions(m.Options)
	b, err := udpendpoint.EncodeMessage(m)
	if err != nil {
		c.t.Fatal(err)
	}
	if _, err := c.sock.Write(b); err != nil {
		c.t.Fatal(err)
	}
	return uint16(m.MessageID)
}

func (c *rawClient) sendBytes(b []byte) {
	if _, err := c.sock.Write(b); err != nil {
		c.t.Fatal(err)
	}
}

// recv reads the next message, or fails after d.
func (c *rawClient) recv(d time.Duration) message.Message {
	c.t.Helper()
	m, ok := c.tryRecv(d)
	if !ok {
		c.t.Fatalf("no message within %v", d)
	}
	return m
}

func (c *rawClient) tryRecv(d time.Duration) (message.Message, bool) {
	buf := make([]byte, 2048)
	_ = c.sock.SetReadDeadline(time.Now().Add(d))
	n, err := c.sock.Read(buf)
	if err != nil {
		return message.Message{}, false
	}
	var m message.Message
	m.Options = make(message.Options, 0, 16)
	if _, err := coder.DefaultCoder.Decode(buf[:n], &m); err != nil {
		c.t.Fatalf("undecodable datagram %x: %v", buf[:n], err)
	}
	m.Payload = bytes.Clone(m.Payload)
	return m, true
}

func (c *rawClient) login(token string) {
	c.t.Helper()
	c.send(message.Message{Type: message.Confirmable, Code: codes.POST, Token: []byte{9},
		Options: message.Options{{ID: message.URIPath, Value: []byte("sessions")}}, Payload: []byte(token)})
	if m := c.recv(3 * time.Second); m.Code != codes.Created {
		c.t.Fatalf("raw login: %v %s", m.Code, m.Payload)
	}
}

func proxyURIOption(uri string) message.Option {
	return message.Option{ID: message.ProxyURI, Value: []byte(uri)}
}

func queryOption(q string) message.Option {
	return message.Option{ID: message.URIQuery, Value: []byte(q)}
}
