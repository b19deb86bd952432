package coapengine

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coap-workbench/coap-workbench/gatewaylite"
	"github.com/coap-workbench/coap-workbench/gatewaylite/mesh"
)

// testbed is gateway-lite with a small instant mesh on loopback, for the engine's tests.
type testbed struct {
	gw    *gatewaylite.Gateway
	mesh  *mesh.Mesh
	clock *clock
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const seedHost = "SSN001350050005E7D6.sim.starfish.test"

func seedURI(path string) string { return "coap://" + seedHost + ":4849" + path }

func startTestbed(t testing.TB, tweak func(*gatewaylite.Config)) *testbed {
	t.Helper()
	m, err := mesh.Start(t.Context(), mesh.Config{Devices: 4, NotifyPeriod: 50 * time.Millisecond, RebootDuration: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	c := &clock{t: time.Now()}
	cfg := gatewaylite.Config{
		Listen: "127.0.0.1:0", TokenListen: "127.0.0.1:0", DataDir: t.TempDir(), Mesh: m,
		Now: c.Now, UpstreamTimeout: 2 * time.Second, SweepInterval: time.Hour,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	gw, err := gatewaylite.Start(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(gw.Close)
	return &testbed{gw: gw, mesh: m, clock: c}
}

// issuer is the embedded gateway's own token source.
func (b *testbed) issuer() TokenSource {
	return IssuerFunc(func(context.Context) (Token, error) {
		tok, err := b.gw.IssueToken("dev", time.Hour)
		return Token{Raw: tok.Raw, ExpiresAt: tok.ExpiresAt}, err
	})
}

// recorder keeps what a connection reports.
type recorder struct {
	mu        sync.Mutex
	exchanges []Exchange
	events    []Event
}

func (r *recorder) hooks() Hooks {
	return Hooks{
		Exchange: func(x Exchange) { r.mu.Lock(); r.exchanges = append(r.exchanges, x); r.mu.Unlock() },
		Event:    func(e Event) { r.mu.Lock(); r.events = append(r.events, e); r.mu.Unlock() },
	}
}

func (r *recorder) hasEvent(kind EventKind) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.events {
		if e.Kind == kind {
			return true
		}
	}
	return false
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.exchanges)
}

// connect dials the testbed's gateway with profile tweaks and logs in.
func (b *testbed) connect(t testing.TB, rec *recorder, tweak func(*Profile)) *Connection {
	t.Helper()
	p := Profile{Name: "test", Gateway: b.gw.Addr().String(), Tokens: b.issuer()}
	if tweak != nil {
		tweak(&p)
	}
	hooks := Hooks{}
	if rec != nil {
		hooks = rec.hooks()
	}
	c, err := Dial(t.Context(), p, hooks, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	if p.Tokens != nil {
		if err := c.Login(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func ctx10s(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func devSecret(t testing.TB, b *testbed) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(b.gw.Config().DataDir, gatewaylite.DevSecretFile))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(raw))
}

// clientAddr is the connection's socket as the gateway sees it (the socket is bound to every
// interface; the gateway on loopback sees 127.0.0.1).
func clientAddr(c *Connection) netip.AddrPort {
	return netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), c.LocalAddr().Port())
}
