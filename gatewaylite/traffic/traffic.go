// Package traffic is the stream of exchanges gateway-lite and its simulated mesh handle: every
// request the gateway answers or forwards, every notification it relays, and the exchanges
// between a NIC and its Device IC. Subscribers (the GUI's gateway console, the headless
// command's log) read it; publishing never blocks the gateway.
package traffic

import (
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plgd-dev/go-coap/v3/message/codes"
)

// Hop says between whom an exchange happened.
type Hop string

// The hops of the traffic stream.
const (
	// HopGateway is a request the gateway answered itself (its own resources, or a refusal
	// such as 4.01 or 5.02).
	HopGateway Hop = "gateway"
	// HopDevice is a request the gateway forwarded to a device and the device's answer.
	HopDevice Hop = "device"
	// HopNotification is a notification relayed from a device to an observing client.
	HopNotification Hop = "notify"
	// HopNICToIC and HopICToNIC are exchanges inside a device, between the NIC and its IC.
	HopNICToIC Hop = "nic→ic"
	HopICToNIC Hop = "ic→nic"
	// HopSession is a session event: login, logout, expiry, move.
	HopSession Hop = "session"
)

// Exchange is one request and its outcome.
type Exchange struct {
	Time    time.Time
	Hop     Hop
	Client  netip.AddrPort // the client socket; the zero value inside a device
	Account string
	// Target is the device's host name and port ("" for the gateway's own resources).
	Target string
	Method string // "GET", "POST", ... ("" for notifications and session events)
	Path   string // with the query, e.g. "/sys/stats?mod=pwr"
	Type   string // "CON" or "NON"
	Code   codes.Code
	// UpstreamRTT is how long the device took to answer (0 when the gateway answered).
	UpstreamRTT time.Duration
	// Detail is a plain-language note: the error, the diagnostic payload, the session event.
	Detail string
}

// CodeString formats a CoAP code as "2.05".

// Bus fans exchanges out to subscribers.
type Bus struct {
	mu      sync.Mutex
	subs    atomic.Pointer[[]*subscription]
	dropped atomic.Uint64
}

type subscription struct {
	ch chan Exchange
}

// Subscribe returns a channel of exchanges (buffered by buffer) and a function that ends the
// subscription and closes the channel. A subscriber that falls behind loses exchanges rather
// than slowing the gateway; Dropped counts them.
func (b *Bus) Subscribe(buffer int) (<-chan Exchange, func()) {
	s := &subscription{ch: make(chan Exchange, buffer)}
	b.mu.Lock()
	old := b.current()
	next := append(append([]*subscription(nil), old...), s)
	b.subs.Store(&next)
	b.mu.Unlock()
	var once sync.Once
	return s.ch, func() {
		once.Do(func() {
			b.mu.Lock()
			cur := b.current()
			next := make([]*subscription, 0, len(cur))
			for _, x := range cur {
				if x != s {
					next = append(next, x)
				}
			}
			b.subs.Store(&next)
			b.mu.Unlock()
			close(s.ch)
		})
	}
}

func (b *Bus) current() []*subscription {
	if p := b.subs.Load(); p != nil {
		return *p
	}
	return nil
}

// Active reports whether anyone listens, so that publishers can skip building exchanges.
func (b *Bus) Active() bool { return b != nil && len(b.current()) > 0 }

// Publish hands e to every subscriber without waiting.
func (b *Bus) Publish(e Exchange) {
	if b == nil {
		return
	}
	b.mu.Lock() // held so that no channel is closed while we send on it
	defer b.mu.Unlock()
	for _, s := range b.current() {
		select {
		case s.ch <- e:
		default:
			b.dropped.Add(1)
		}
	}
}

// Dropped returns how many exchanges subscribers missed because they were full.
func (b *Bus) Dropped() uint64 { return b.dropped.Load() }
