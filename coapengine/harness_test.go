package coapengine

import (
	"context"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/coap-workbench/coap-workbench/gatewaylite"
	"github.com/coap-workbench/coap-workbench/gatewaylite/mesh"
	gwtest "github.com/coap-workbench/coap-workbench/internal/testbed"
)

// testbed is gateway-lite with a small instant mesh on loopback.
type testbed struct {
	*gwtest.Bed
	gw   *gatewaylite.Gateway
	mesh *mesh.Mesh
}

const seedHost = gwtest.SeedHost

func seedURI(path string) string { return gwtest.SeedURI(path) }

func startTestbed(t testing.TB, tweak func(*gatewaylite.Config)) *testbed {
	bed := gwtest.Start(t, tweak)
	return &testbed{Bed: bed, gw: bed.Gateway, mesh: bed.Mesh}
}

// issuer is the embedded gateway's own token source.
func (b *testbed) issuer() TokenSource {
	return IssuerFunc(func(ctx context.Context) (Token, error) {
		raw, exp, err := b.IssueToken(ctx)
		return Token{Raw: raw, ExpiresAt: exp}, err
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

func devSecret(t testing.TB, b *testbed) string { return b.DevSecret(t) }

// clientAddr is the connection's socket as the gateway sees it (the socket is bound to every
// interface; the gateway on loopback sees 127.0.0.1).
func clientAddr(c *Connection) netip.AddrPort {
	return netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), c.LocalAddr().Port())
}
