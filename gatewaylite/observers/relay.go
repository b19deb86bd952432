package observers

import (
	"bytes"
	"context"
	"io"
	"net/netip"
	"sync"
	"time"

	"github.com/coap-workbench/coap-workbench/gatewaylite/udpendpoint"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/message/pool"
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
	At       time.Time
}

// SnapshotOf copies m.
func SnapshotOf(m *pool.Message) Snapshot {
	opts, _ := m.Options().Clone()
	return Snapshot{
		Code:     m.Code(),
		Type:     m.Type(),
		Options:  opts.Remove(message.Observe),
		Body:     Body(m),
		Observed: m.HasOption(message.Observe),
		At:       time.Now(),
	}
}

// Body returns a copy of m's payload, of exactly its size (go-coap's ReadBody allocates at
// least 1 KiB, which adds up on a proxy's hot path).
func Body(m *pool.Message) []byte {
	r := m.Body()
	if r == nil {
		return nil
	}
	size, err := m.BodySize()
	if err != nil || size == 0 {
		return nil
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil
	}
	b := make([]byte, size)
	n, _ := io.ReadFull(r, b)
	return b[:n]
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

type relay struct {
	key      string
	set      *Set
	ready    chan struct{} // closed once the upstream answered
	err      error
	upstream Upstream
	last     Snapshot
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
	// Started is true when this registration started the upstream observation.
	Started bool
}

// Join registers peer's token on the relay for key, starting the upstream observation with
// start when there is none (or when the one there has gone stale: no notification within its
// Max-Age).
func (t *RelayTable) Join(ctx context.Context, key string, peer netip.AddrPort, token []byte, start StartFunc) (Joined, error) {
	for {
		t.mu.Lock()
		r, ok := t.relays[key]
		if ok {
			t.mu.Unlock()
			select {
			case <-r.ready:
			case <-ctx.Done():
				return Joined{}, ctx.Err()
			}
			if r.err != nil || r.stale() {
				t.drop(r)
				continue
			}
			seq := r.set.Add(peer, token)
			t.mu.Lock()
			last := r.last
			t.mu.Unlock()
			return Joined{Response: last, Seq: seq}, nil
		}
		r = &relay{key: key, ready: make(chan struct{})}
		r.set = New(t.endpoint, func() { t.drop(r) })
		t.relays[key] = r
		t.mu.Unlock()
		return t.start(ctx, r, peer, token, start)
	}
}

func (t *RelayTable) start(ctx context.Context, r *relay, peer netip.AddrPort, token []byte, start StartFunc) (Joined, error) {
	up, err := start(ctx, func(s Snapshot) { t.relayNotification(r, s) })
	if err != nil {
		r.err = err
		close(r.ready)
		t.remove(r)
		return Joined{}, err
	}
	r.upstream = up
	t.mu.Lock()
	r.last = up.First
	t.mu.Unlock()
	if !up.First.Observed {
		close(r.ready)
		t.remove(r)
		return Joined{Response: up.First}, nil
	}
	seq := r.set.Add(peer, token)
	close(r.ready)
	return Joined{Response: up.First, Seq: seq, Started: true}, nil
}

func (t *RelayTable) relayNotification(r *relay, s Snapshot) {
	t.mu.Lock()
	r.last = s
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
		t.remove(r)
		for _, o := range r.set.Observers() {
			r.set.Remove(o.Peer, o.Token)
		}
	}
}

func (r *relay) stale() bool {
	return !r.last.At.IsZero() && time.Since(r.last.At) > r.last.maxAge()+2*time.Second
}

// remove takes r out of the table without cancelling upstream.
func (t *RelayTable) remove(r *relay) {
	t.mu.Lock()
	if t.relays[r.key] == r {
		delete(t.relays, r.key)
	}
	t.mu.Unlock()
}

// drop takes r out of the table and cancels its upstream observation, once.
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
	t.mu.Unlock()
	if r.upstream.Cancel != nil {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), t.CancelTimeout)
			defer cancel()
			_ = r.upstream.Cancel(ctx)
		}()
	}
}

func (t *RelayTable) each(f func(r *relay)) {
	t.mu.Lock()
	relays := make([]*relay, 0, len(t.relays))
	for _, r := range t.relays {
		relays = append(relays, r)
	}
	t.mu.Unlock()
	for _, r := range relays {
		select {
		case <-r.ready:
			f(r)
		default:
		}
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
