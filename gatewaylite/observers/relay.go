package observers

import (
	"bytes"
	"context"
	"net/netip"
	"sync"
	"time"

	"github.com/coap-workbench/coap-workbench/internal/udpendpoint"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/message/pool"
	"github.com/plgd-dev/go-coap/v3/net/observation"
	"github.com/plgd-dev/go-coap/v3/udp/client"
)

// Snapshot is a copy of a response or notification, kept past go-coap's callback and
// replayed to observers.
type Snapshot struct {
	Code    codes.Code
	Type    message.Type
	Options message.Options // without Observe
	Body    []byte
	// Observed is false for a response without the Observe option: the origin did not
	// register the observation, or ended it.
	Observed bool
	// Seq is the origin's Observe value, when Observed.
	Seq uint32
	At  time.Time
}

// SnapshotOf copies m.
func SnapshotOf(m *pool.Message) Snapshot {
	opts, _ := m.Options().Clone()
	seq, _ := m.Observe()
	return Snapshot{
		Seq:      seq,
		Code:     m.Code(),
		Type:     m.Type(),
		Options:  opts.Remove(message.Observe),
		Body:     udpendpoint.Payload(m),
		Observed: m.HasOption(message.Observe),
		At:       time.Now(),
	}
}

// FillTo writes the snapshot's code, options and payload into m (not its token, type or
// Observe value, which belong to each observer).
func (s Snapshot) FillTo(m *pool.Message) {
	m.SetCode(s.Code)
	m.ResetOptionsTo(s.Options)
	if len(s.Body) > 0 {
		m.SetBody(bytes.NewReader(s.Body))
	}
}

// aged returns the snapshot as a cache serves it at now: its Max-Age reduced by the time it
// has been kept (RFC 7252 §5.6.1).
func (s Snapshot) aged(now time.Time) Snapshot {
	age := now.Sub(s.At)
	if age < time.Second {
		return s
	}
	remaining := s.maxAge() - age
	if remaining < 0 {
		remaining = 0
	}
	buf := make([]byte, 4)
	n, _ := message.EncodeUint32(buf, uint32(remaining/time.Second))
	out := s
	out.Options = append(message.Options(nil), s.Options...).Set(message.Option{ID: message.MaxAge, Value: buf[:n]})
	return out
}

// maxAge is how long the snapshot is fresh (RFC 7252 Max-Age, 60 s by default).
func (s Snapshot) maxAge() time.Duration {
	if v, err := s.Options.GetUint32(message.MaxAge); err == nil {
		return time.Duration(v) * time.Second
	}
	return 60 * time.Second
}

// Upstream is one observation at the origin: the first response, and a way to cancel it.
type Upstream struct {
	First  Snapshot
	Cancel func(ctx context.Context) error
}

// StartFunc registers an observation at the origin. It must return once the origin answered
// (or failed), and afterwards call notify for every notification until cancelled. A first
// response that is not Observed means the origin did not register.
type StartFunc func(ctx context.Context, notify func(Snapshot)) (Upstream, error)

// ObserveUpstream starts an observation on cc, with path and the extra options (queries,
// Accept ...) of the registration, for a StartFunc. The cancellation sends the deregistration
// with the same options, so that it reaches the same resource.
func ObserveUpstream(ctx context.Context, cc *client.Conn, path string, opts message.Options, notify func(Snapshot)) (Upstream, error) {
	first := make(chan Snapshot, 1)
	var once sync.Once
	obs, err := cc.Observe(ctx, path, func(m *pool.Message) {
		snap := SnapshotOf(m)
		delivered := false
		once.Do(func() { first <- snap; delivered = true })
		if !delivered {
			notify(snap)
		}
	}, opts...)
	// go-coap returns from Observe as soon as the first response arrives, possibly before it
	// has handed that response to the callback: wait for it.
	select {
	case snap := <-first:
		if err != nil || !snap.Observed {
			return Upstream{First: snap, Cancel: noCancel}, nil
		}
		return Upstream{First: snap, Cancel: func(ctx context.Context) error { return obs.Cancel(ctx, opts...) }}, nil
	case <-ctx.Done():
		if err == nil {
			// Registered, but the answer never reached us: do not leave it registered.
			cancelCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = obs.Cancel(cancelCtx, opts...)
			cancel()
			err = ctx.Err()
		}
		return Upstream{}, err
	}
}

func noCancel(context.Context) error { return nil }

// RelayTable shares one upstream observation per target among every observer of that target,
// as a proxy does (RFC 7641 §5): each observer gets its own token and sequence numbers, late
// joiners get the latest representation at once, and the upstream observation is cancelled
// when its last observer leaves.
type RelayTable struct {
	endpoint *udpendpoint.Endpoint
	// OnNotify, when set, is called for every notification relayed to an observer.
	OnNotify func(key string, o Observer, s Snapshot, err error)
	// CancelTimeout bounds the deregistration sent to the origin.
	CancelTimeout time.Duration

	mu     sync.Mutex
	relays map[string]*relay
}

// relay is the observers of one target and the upstream observation that feeds them. Its
// fields other than key and set are guarded by the table's mutex.
type relay struct {
	key string
	set *Set

	ready    chan struct{} // closed while no upstream observation is being (re)started
	upstream Upstream
	gen      int      // which upstream observation is current: notifications of older ones are dropped
	last     Snapshot // the latest representation
	current  bool     // last came from the current upstream observation
	closed   bool
}

// NewRelayTable returns a table whose notifications leave through endpoint.
func NewRelayTable(endpoint *udpendpoint.Endpoint) *RelayTable {
	return &RelayTable{endpoint: endpoint, CancelTimeout: 5 * time.Second, relays: make(map[string]*relay)}
}

// Joined is the outcome of a registration.
type Joined struct {
	// Response is what to answer the registering observer.
	Response Snapshot
	// Seq is the Observe value of the response; 0 when the observer was not registered
	// (the origin answered without Observe: an error, or a resource that is not observable).
	Seq uint32
	// Started is true when this registration (re)started the upstream observation.
	Started bool
}

// Join registers peer's token on the relay for key, starting the upstream observation with
// start when there is none. When the one there has gone stale (no notification within its
// Max-Age) it is started again, and every observer of the relay keeps being served.
func (t *RelayTable) Join(ctx context.Context, key string, peer netip.AddrPort, token []byte, start StartFunc) (Joined, error) {
	for {
		t.mu.Lock()
		r, ok := t.relays[key]
		if !ok {
			r = &relay{key: key, ready: make(chan struct{})}
			r.set = New(t.endpoint, func() { t.drop(r) })
			t.relays[key] = r
			t.mu.Unlock()
			return t.establish(ctx, r, peer, token, start)
		}
		ready := r.ready
		t.mu.Unlock()
		select {
		case <-ready:
		case <-ctx.Done():
			return Joined{}, ctx.Err()
		}
		t.mu.Lock()
		if r.closed || t.relays[key] != r || r.ready != ready {
			t.mu.Unlock()
			continue // dropped, or restarted by someone else meanwhile: look again
		}
		now := time.Now()
		if !r.current || now.Sub(r.last.At) > r.last.maxAge()+2*time.Second {
			r.ready = make(chan struct{})
			old := r.upstream
			r.upstream = Upstream{}
			t.mu.Unlock()
			t.cancelUpstream(old)
			return t.establish(ctx, r, peer, token, start)
		}
		last := r.last.aged(now)
		t.mu.Unlock()
		return Joined{Response: last, Seq: r.set.Add(peer, token)}, nil
	}
}

// establish starts r's upstream observation and registers the joining observer. r.ready is
// open (a start in progress) when it is called, and closed when it returns.
func (t *RelayTable) establish(ctx context.Context, r *relay, peer netip.AddrPort, token []byte, start StartFunc) (Joined, error) {
	t.mu.Lock()
	r.gen++
	gen := r.gen
	r.current = false
	t.mu.Unlock()
	up, err := start(ctx, func(s Snapshot) { t.relayNotification(r, gen, s) })
	observed := err == nil && up.First.Observed

	t.mu.Lock()
	switch {
	case observed && r.closed:
		// Every observer left while the observation restarted: it is nobody's any more, and
		// the joining observer starts afresh.
		close(r.ready)
		t.mu.Unlock()
		t.cancelUpstream(up)
		return t.Join(ctx, r.key, peer, token, start)
	case !observed:
		// No observation: a relay nobody observes yet goes; one with observers stays, and the
		// next registration tries again.
		if r.set.Len() == 0 {
			r.closed = true
			if t.relays[r.key] == r {
				delete(t.relays, r.key)
			}
		}
		close(r.ready)
		t.mu.Unlock()
		if err != nil {
			return Joined{}, err
		}
		return Joined{Response: up.First}, nil
	}
	r.upstream = up
	if !r.current {
		r.last, r.current = up.First, true
	}
	close(r.ready)
	t.mu.Unlock()
	return Joined{Response: up.First, Seq: r.set.Add(peer, token), Started: true}, nil
}

func (t *RelayTable) relayNotification(r *relay, gen int, s Snapshot) {
	t.mu.Lock()
	if r.closed || gen != r.gen {
		t.mu.Unlock()
		return // a notification of an observation that is over
	}
	if r.current && s.Observed && r.last.Observed && !observation.ValidSequenceNumber(r.last.Seq, s.Seq, r.last.At, s.At) {
		t.mu.Unlock()
		return // older than what observers already have (RFC 7641 §3.4)
	}
	r.last, r.current = s, true
	t.mu.Unlock()
	typ := s.Type
	if typ != message.Confirmable {
		typ = message.NonConfirmable
	}
	r.set.Notify(Notification{Type: typ, Fill: s.FillTo, Sent: func(o Observer, err error) {
		if t.OnNotify != nil {
			t.OnNotify(r.key, o, s, err)
		}
	}})
	if !s.Observed {
		// The origin ended the observation: observers got its last word, the relay is over.
		t.mu.Lock()
		r.closed = true
		if t.relays[r.key] == r {
			delete(t.relays, r.key)
		}
		t.mu.Unlock()
		for _, o := range r.set.Observers() {
			r.set.Remove(o.Peer, o.Token)
		}
	}
}

// drop takes r out of the table and cancels its upstream observation, once: its last
// observer left.
func (t *RelayTable) drop(r *relay) {
	t.mu.Lock()
	if r.closed {
		t.mu.Unlock()
		return
	}
	r.closed = true
	if t.relays[r.key] == r {
		delete(t.relays, r.key)
	}
	up := r.upstream
	t.mu.Unlock()
	t.cancelUpstream(up)
}

// cancelUpstream deregisters at the origin, in the background.
func (t *RelayTable) cancelUpstream(up Upstream) {
	if up.Cancel == nil {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), t.CancelTimeout)
		defer cancel()
		_ = up.Cancel(ctx)
	}()
}

func (t *RelayTable) each(f func(r *relay)) {
	t.mu.Lock()
	relays := make([]*relay, 0, len(t.relays))
	for _, r := range t.relays {
		relays = append(relays, r)
	}
	t.mu.Unlock()
	for _, r := range relays {
		f(r)
	}
}

// Leave deregisters peer's observation with token (wherever it is) and reports whether
// there was one.
func (t *RelayTable) Leave(peer netip.AddrPort, token []byte) bool {
	found := false
	t.each(func(r *relay) { found = r.set.Remove(peer, token) || found })
	return found
}

// Reset handles a Reset from peer to the notification with message ID mid.
func (t *RelayTable) Reset(peer netip.AddrPort, mid int32) bool {
	found := false
	t.each(func(r *relay) { found = r.set.RemoveReset(peer, mid) || found })
	return found
}

// LeavePeer deregisters every observation of peer.
func (t *RelayTable) LeavePeer(peer netip.AddrPort) int {
	n := 0
	t.each(func(r *relay) { n += r.set.RemovePeer(peer) })
	return n
}

// MovePeer moves every observation of from to to.
func (t *RelayTable) MovePeer(from, to netip.AddrPort) int {
	n := 0
	t.each(func(r *relay) { n += r.set.MovePeer(from, to) })
	return n
}

// RelayInfo describes one relayed observation.
type RelayInfo struct {
	Key       string
	Observers int
	Last      time.Time
}

// Relays describes the live relays.
func (t *RelayTable) Relays() []RelayInfo {
	var out []RelayInfo
	t.each(func(r *relay) {
		t.mu.Lock()
		last := r.last.At
		t.mu.Unlock()
		out = append(out, RelayInfo{Key: r.key, Observers: r.set.Len(), Last: last})
	})
	return out
}

// LeaveAll deregisters every observer of every relay; each upstream observation is cancelled.
func (t *RelayTable) LeaveAll() {
	t.each(func(r *relay) {
		for _, o := range r.set.Observers() {
			r.set.Remove(o.Peer, o.Token)
		}
	})
}
