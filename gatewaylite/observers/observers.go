// Package observers keeps the observers of one observable resource on the server side of
// RFC 7641 (go-coap has no server-side observe): who registered with which token, the
// sequence number each observer sees, and the sending of notifications, with a Reset from an
// observer ending its registration.
package observers

import (
	"bytes"
	"context"
	"net/netip"
	"sync"
	"time"

	"github.com/coap-workbench/coap-workbench/internal/udpendpoint"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/pool"
)

// Observer is one registration: a peer and the token it observes with.
type Observer struct {
	Peer  netip.AddrPort
	Token []byte
	// Since is when the observer registered.
	Since time.Time

	seq uint32
}

type key struct {
	peer  netip.AddrPort
	token string
}

// Set is the observers of one resource. The zero value is not usable: use New.
type Set struct {
	endpoint *udpendpoint.Endpoint
	// conTimeout bounds the wait for the acknowledgement of a confirmable notification.
	conTimeout time.Duration
	onEmpty    func()

	mu        sync.Mutex
	observers map[key]*Observer
}

// New returns an empty set whose notifications leave through endpoint. onEmpty, when not nil,
// runs (outside the set's lock) each time the last observer leaves.
func New(endpoint *udpendpoint.Endpoint, onEmpty func()) *Set {
	return &Set{endpoint: endpoint, conTimeout: 60 * time.Second, onEmpty: onEmpty, observers: make(map[key]*Observer)}
}

// Add registers peer with token, or refreshes an existing registration (RFC 7641 §4.1), and
// returns the Observe value to put in the response to the registration.
func (s *Set) Add(peer netip.AddrPort, token []byte) uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key{peer, string(token)}
	o, ok := s.observers[k]
	if !ok {
		o = &Observer{Peer: peer, Token: bytes.Clone(token), Since: time.Now(), seq: 1}
		s.observers[k] = o
	}
	o.seq = nextSeq(o.seq)
	return o.seq
}

func nextSeq(seq uint32) uint32 { return (seq + 1) & 0xFFFFFF }

// Remove deregisters peer's observation with token and reports whether there was one.
func (s *Set) Remove(peer netip.AddrPort, token []byte) bool {
	return s.removeWhere(func(k key, _ *Observer) bool { return k.peer == peer && k.token == string(token) }) > 0
}

// RemoveReset deregisters the observer a notification with message ID mid went to: the peer
// answered it with a Reset (RFC 7641 §3.6).
func (s *Set) RemoveReset(peer netip.AddrPort, mid int32) bool {
	token, ok := s.endpoint.NotificationToken(peer, mid)
	return ok && s.Remove(peer, token)
}

// RemovePeer deregisters every observation of peer and returns how many there were.
func (s *Set) RemovePeer(peer netip.AddrPort) int {
	return s.removeWhere(func(k key, _ *Observer) bool { return k.peer == peer })
}

// MovePeer re-points every observation of from to to (a session that moved sockets).
func (s *Set) MovePeer(from, to netip.AddrPort) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	moved := 0
	for k, o := range s.observers {
		if k.peer == from {
			delete(s.observers, k)
			o.Peer = to
			s.observers[key{to, k.token}] = o
			moved++
		}
	}
	return moved
}

func (s *Set) removeWhere(match func(key, *Observer) bool) int {
	s.mu.Lock()
	n := 0
	for k, o := range s.observers {
		if match(k, o) {
			delete(s.observers, k)
			n++
		}
	}
	empty := n > 0 && len(s.observers) == 0
	s.mu.Unlock()
	if empty && s.onEmpty != nil {
		s.onEmpty()
	}
	return n
}

// Len returns the number of observers.
func (s *Set) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.observers)
}

// Observers returns a snapshot of the registrations.
func (s *Set) Observers() []Observer {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Observer, 0, len(s.observers))
	for _, o := range s.observers {
		out = append(out, *o)
	}
	return out
}

// Has reports whether peer observes with token.
func (s *Set) Has(peer netip.AddrPort, token []byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.observers[key{peer, string(token)}]
	return ok
}

// Notification is what every observer is sent; Fill sets code, options (other than Observe)
// and payload on each observer's message.
type Notification struct {
	Type message.Type // message.Confirmable or message.NonConfirmable
	Fill func(m *pool.Message)
	// Sent, when not nil, is called for each observer after the notification left (err nil) or
	// could not be delivered (the observer has then been removed).
	Sent func(o Observer, err error)
}

// Notify sends n to every observer, each with its own token and next sequence number. A
// confirmable notification that is never acknowledged removes its observer (RFC 7641 §4.5).
// Notify does not wait for acknowledgements.
func (s *Set) Notify(n Notification) {
	s.mu.Lock()
	targets := make([]Observer, 0, len(s.observers))
	for _, o := range s.observers {
		o.seq = nextSeq(o.seq)
		targets = append(targets, *o)
	}
	s.mu.Unlock()
	for _, o := range targets {
		s.send(o, n)
	}
}

func (s *Set) send(o Observer, n Notification) {
	cc, err := s.endpoint.Conn(o.Peer)
	if err != nil {
		s.failed(o, n, err)
		return
	}
	ctx := cc.Context()
	var cancel context.CancelFunc = func() {}
	if n.Type == message.Confirmable {
		ctx, cancel = context.WithTimeout(ctx, s.conTimeout)
	}
	m := cc.AcquireMessage(ctx)
	n.Fill(m)
	m.SetToken(o.Token)
	m.SetObserve(o.seq)
	m.SetType(n.Type)
	write := func() {
		defer cancel()
		defer cc.ReleaseMessage(m)
		if err := cc.WriteMessage(m); err != nil {
			s.failed(o, n, err)
			return
		}
		if n.Sent != nil {
			n.Sent(o, nil)
		}
	}
	if n.Type == message.Confirmable {
		go write()
		return
	}
	write()
}

func (s *Set) failed(o Observer, n Notification, err error) {
	s.Remove(o.Peer, o.Token)
	if n.Sent != nil {
		n.Sent(o, err)
	}
}
