package gatewaylite

import (
	"bytes"
	"github.com/coap-workbench/coap-workbench/internal/testwait"
	"testing"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/coap-workbench/coap-workbench/gatewaylite/auth"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/message/pool"
)

var powerStatsURI = seedURI("/sys/stats?mod=pwr")

func (c *rawClient) observe(token []byte, uri string, value uint32) {
	c.t.Helper()
	c.send(message.Message{Type: message.Confirmable, Code: codes.GET, Token: token,
		Options: message.Options{proxyURIOption(uri), {ID: message.Observe, Value: encodeUint32(value)}}})
}

// next returns the next message for token, acknowledging confirmable ones as a client must.
func (c *rawClient) next(token []byte, d time.Duration) message.Message {
	c.t.Helper()
	deadline := time.Now().Add(d)
	for {
		m, ok := c.tryRecv(time.Until(deadline))
		if !ok {
			c.t.Fatalf("nothing for token %x within %v", token, d)
		}
		if m.Type == message.Confirmable {
			c.send(message.Message{Type: message.Acknowledgement, MessageID: m.MessageID})
		}
		if bytes.Equal(m.Token, token) {
			return m
		}
	}
}

func observeSeq(t *testing.T, m message.Message) uint32 {
	t.Helper()
	v, err := m.Options.GetUint32(message.Observe)
	if err != nil {
		t.Fatalf("no Observe option in %v %v", m.Code, m.Options)
	}
	return v
}

// Two clients observing one resource share one upstream observation; each sees its own token
// and increasing sequence numbers; the upstream observation ends when the last one leaves.
func TestObserveFanOutAndUpstreamCancellation(t *testing.T) {
	g := startGateway(t, nil)
	device := g.mesh.Devices()[0]
	tokA, tokB := []byte{0xA1}, []byte{0xB2}
	a, b := g.raw(t), g.raw(t)
	a.login(g.token(t))
	b.login(g.token(t))
	a.observe(tokA, powerStatsURI, 0)
	b.observe(tokB, powerStatsURI, 0)
	for _, c := range []struct {
		client *rawClient
		token  []byte
	}{{a, tokA}, {b, tokB}} {
		first := c.client.next(c.token, 3*time.Second)
		var p ssn.PowerStats
		if first.Code != codes.Content || p.UnmarshalBinary(first.Payload) != nil {
			t.Fatalf("registration answer: %v %x", first.Code, first.Payload)
		}
		last := observeSeq(t, first)
		for i := range 5 {
			n := c.client.next(c.token, 3*time.Second)
			seq := observeSeq(t, n)
			if seq <= last || p.UnmarshalBinary(n.Payload) != nil {
				t.Fatalf("notification %d: seq %d after %d, payload %x", i, seq, last, n.Payload)
			}
			last = seq
		}
	}
	if n := device.Status().PowerObservers; n != 1 {
		t.Fatalf("device has %d observers, want the gateway's one", n)
	}
	if relays := g.Relays(); len(relays) != 1 || relays[0].Observers != 2 {
		t.Fatalf("relays %+v", relays)
	}

	// A deregisters explicitly (GET with Observe 1); B is still served.
	a.observe(tokA, powerStatsURI, 1)
	if m := a.next(tokA, 3*time.Second); m.Code != codes.Content || m.Options.HasOption(message.Observe) {
		t.Fatalf("deregistration answer: %v %v", m.Code, m.Options)
	}
	if device.Status().PowerObservers != 1 {
		t.Fatal("the upstream observation ended while B still observes")
	}
	n := b.next(tokB, 3*time.Second)

	// B rejects a notification with a Reset: the last observer is gone, so is upstream.
	b.send(message.Message{Type: message.Reset, MessageID: n.MessageID})
	testwait.For(t, "the device to lose its observer", func() bool { return device.Status().PowerObservers == 0 })
	if len(g.Relays()) != 0 {
		t.Fatalf("relays left: %+v", g.Relays())
	}
}

func TestLogoutEndsTheSessionsObservations(t *testing.T) {
	g := startGateway(t, nil)
	device := g.mesh.Devices()[0]
	c := g.raw(t)
	c.login(g.token(t))
	c.observe([]byte{1}, powerStatsURI, 0)
	c.next([]byte{1}, 3*time.Second)
	c.send(message.Message{Type: message.Confirmable, Code: codes.DELETE, Token: []byte{2}, Options: message.Options{{ID: message.URIPath, Value: []byte("sessions")}}})
	if m := c.next([]byte{2}, 3*time.Second); m.Code != codes.Deleted {
		t.Fatalf("logout: %v", m.Code)
	}
	testwait.For(t, "the device to lose its observer", func() bool { return device.Status().PowerObservers == 0 })
}

func TestStickyMoveTakesTheObservationAlong(t *testing.T) {
	g := startGateway(t, nil)
	token := g.token(t)
	old, moved := g.raw(t), g.raw(t)
	old.send(message.Message{Type: message.Confirmable, Code: codes.POST, Token: []byte{9},
		Options: message.Options{{ID: message.URIPath, Value: []byte("sessions")}, queryOption("sticky=true")}, Payload: []byte(token)})
	if m := old.next([]byte{9}, 3*time.Second); m.Code != codes.Created {
		t.Fatalf("sticky login: %v", m.Code)
	}
	old.observe([]byte{0x0B}, powerStatsURI, 0)
	old.next([]byte{0x0B}, 3*time.Second)
	moved.send(message.Message{Type: message.Confirmable, Code: codes.POST, Token: []byte{9},
		Options: message.Options{{ID: message.URIPath, Value: []byte("sessions")}, queryOption("sticky=true")}, Payload: []byte(token)})
	if m := moved.next([]byte{9}, 3*time.Second); m.Code != codes.Created {
		t.Fatalf("sticky move: %v", m.Code)
	}
	for range 3 {
		if m := moved.next([]byte{0x0B}, 3*time.Second); m.Code != codes.Content {
			t.Fatalf("notification at the new socket: %v", m.Code)
		}
	}
}

func TestRelayedNotificationsKeepTheSessionAlive(t *testing.T) {
	g := startGateway(t, func(c *Config) { c.MaxSessionIdle = time.Hour; c.SessionGrace = time.Minute })
	c := g.raw(t)
	c.login(g.token(t))
	session := g.Sessions().Lookup(c.addr())
	c.observe([]byte{3}, powerStatsURI, 0)
	c.next([]byte{3}, 3*time.Second)
	g.clock.Advance(2 * time.Hour)
	c.next([]byte{3}, 3*time.Second) // a notification passes at the new time
	testwait.For(t, "the notification to count as traffic", func() bool { return g.clock.Now().Sub(session.LastTraffic()) < time.Minute })
	g.ExpireIdleSessions()
	if g.Sessions().Lookup(c.addr()) == nil {
		t.Fatal("a session with notifications flowing was expired")
	}
}

func TestObservingTheICThroughTheGatewayReachesTheIC(t *testing.T) {
	g := startGateway(t, nil)
	cc := g.loggedIn(t)
	got := make(chan []byte, 10)
	obs, err := cc.Observe(timeout(t, 5*time.Second), "/", func(m *pool.Message) {
		body, _ := m.ReadBody()
		select {
		case got <- bytes.Clone(body):
		default:
		}
	}, proxyURIOption(seedURI("/snsr/arduino/temp?sens")))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		select {
		case b := <-got:
			var r ssn.SensorReading
			if err := r.UnmarshalCBOR(b); err != nil {
				t.Fatal(err)
			}
		case <-time.After(3 * time.Second):
			t.Fatal("no temperature notification")
		}
	}
	// go-coap sends only the options given to Cancel: the Proxy-Uri must be there again.
	if err := obs.Cancel(timeout(t, 5*time.Second), proxyURIOption(seedURI("/snsr/arduino/temp?sens"))); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, "the relays to end", func() bool { return len(g.Relays()) == 0 })
}

// A device that forgets its observers (a reboot) leaves the relay stale; the next registration
// starts the upstream observation again, and the observers already there are served by it.
func TestStaleRelayRestartsForEveryObserver(t *testing.T) {
	g := startGateway(t, nil)
	device := g.mesh.Devices()[0]
	a, b := g.raw(t), g.raw(t)
	a.login(g.token(t))
	b.login(g.token(t))
	a.observe([]byte{0xA}, powerStatsURI, 0)
	a.next([]byte{0xA}, 3*time.Second)
	device.Reboot()
	testwait.For(t, "the device to forget the gateway's observation", func() bool { return device.Status().PowerObservers == 0 })
	testwait.For(t, "the reboot to end", func() bool { return !device.Rebooting() })
	// Max-Age of the simulated notifications is 1 s here; the relay is stale 2 s after it.
	time.Sleep(3500 * time.Millisecond)
	b.observe([]byte{0xB}, powerStatsURI, 0)
	if m := b.next([]byte{0xB}, 3*time.Second); m.Code != codes.Content {
		t.Fatalf("registration on a stale relay: %v", m.Code)
	}
	if device.Status().PowerObservers != 1 {
		t.Fatalf("device observers %d, want the gateway's new one", device.Status().PowerObservers)
	}
	for range 3 {
		if m := a.next([]byte{0xA}, 3*time.Second); m.Code != codes.Content {
			t.Fatalf("the first observer after the restart: %v", m.Code)
		}
	}
}

func TestStickyLoginFromAnotherAccountsSocketEndsItsObservations(t *testing.T) {
	g := startGateway(t, withConfigFile(t, func(c *FileConfig) {
		c.Accounts = append(c.Accounts, auth.Account{ID: "ops", Devices: []string{"*"}})
	}))
	device := g.mesh.Devices()[0]
	ops, _ := g.IssueToken("ops", time.Hour)
	c := g.raw(t)
	c.login(ops.Raw)
	c.observe([]byte{7}, powerStatsURI, 0)
	c.next([]byte{7}, 3*time.Second)
	// The dev account logs in sticky on the same socket: ops's observation must end.
	c.send(message.Message{Type: message.Confirmable, Code: codes.POST, Token: []byte{9},
		Options: message.Options{{ID: message.URIPath, Value: []byte("sessions")}, queryOption("sticky=true")}, Payload: []byte(g.token(t))})
	if m := c.next([]byte{9}, 3*time.Second); m.Code != codes.Created {
		t.Fatalf("sticky login: %v", m.Code)
	}
	testwait.For(t, "ops's observation to end", func() bool { return device.Status().PowerObservers == 0 })
}
