package coapengine

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/coap-workbench/coap-workbench/internal/coapfmt"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/message/pool"
)

// Health is what an observation has seen so far.
type Health struct {
	Registered      bool
	Notifications   int
	Gaps            int // sequence numbers skipped: notifications that never arrived
	Reorders        int // notifications older than one already seen
	Reregistrations int
	LastAt          time.Time
	LastSeq         uint32
	// MaxAge is how long the last notification was fresh; past it (and a little slack) the
	// observation is re-registered.
	MaxAge  time.Duration
	LastErr string
}

// Age is how old the last notification is at now.
func (h Health) Age(now time.Time) time.Duration {
	if h.LastAt.IsZero() {
		return 0
	}
	return now.Sub(h.LastAt)
}

// Observation follows one observed resource (RFC 7641) through the connection: it counts
// sequence gaps and reorders, re-registers when notifications stop for longer than their
// Max-Age and after a new login, and its Cancel deregisters at the origin.
type Observation struct {
	conn   *Connection
	req    Request
	notify func(Exchange)

	mu     sync.Mutex
	token  []byte
	health Health
	timer  *time.Timer
	closed bool

	done     chan struct{} // closed when the observation has ended
	doneOnce sync.Once
}

// CheckObservable says why a request of this method cannot observe a resource (nil when it
// can): RFC 7641 observes with GET, and RFC 8132 adds FETCH.
func CheckObservable(method codes.Code) error {
	if method != codes.GET && method != codes.FETCH {
		return fmt.Errorf("observe: only a GET or a FETCH can observe a resource, not a %s", MethodName(method))
	}
	return nil
}

// Observe registers an observation of req's target (a GET; the Observe option is added) and
// calls notify with every notification. It returns once the origin answered the registration:
// the first exchange holds that answer. A target that answers without Observe is not
// observable: the error says so and nothing is kept.
func (c *Connection) Observe(ctx context.Context, req Request, notify func(Exchange)) (*Observation, Exchange, error) {
	if err := CheckObservable(req.Method); err != nil {
		return nil, Exchange{}, err
	}
	o := &Observation{conn: c, req: req, notify: notify, done: make(chan struct{})}
	x, err := o.register(ctx)
	if err != nil {
		// Nobody holds this observation to cancel it: it must not try again on its own.
		o.mu.Lock()
		o.closeLocked()
		token := o.token
		o.mu.Unlock()
		c.forget(token)
		o.end()
		return nil, x, err
	}
	return o, x, nil
}

// Done is closed when the observation has ended: cancelled, or ended by the origin (its
// last notification, without Observe, has been passed to notify by then).
func (o *Observation) Done() <-chan struct{} { return o.done }

func (o *Observation) end() { o.doneOnce.Do(func() { close(o.done) }) }

// Health returns the observation's counters now.
func (o *Observation) Health() Health {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.health
}

// Request is the observed request.
func (o *Observation) Request() Request { return o.req }

func (o *Observation) register(ctx context.Context) (Exchange, error) {
	token, err := message.GetToken()
	if err != nil {
		return Exchange{}, err
	}
	req := o.req
	req.Token = token
	req.Options = append(withoutObserve(req.Options), message.Option{ID: message.Observe})
	o.conn.mu.Lock()
	o.conn.observing[string(token)] = o
	o.conn.mu.Unlock()
	o.mu.Lock()
	old := o.token
	o.token = token
	o.mu.Unlock()
	if old != nil {
		o.conn.forget(old)
	}
	x, err := o.conn.Do(ctx, req)
	if err != nil || x.Response == nil {
		o.failed(token, err)
		return x, err
	}
	seq, observed := observeOf(x.Response)
	if !observed {
		o.conn.forget(token)
		return x, fmt.Errorf("%s answered %s %s without Observe: the resource is not observable", req.URI, coapfmt.CodeString(x.Code()), CodeName(x.Code()))
	}
	o.mu.Lock()
	o.health.Registered = true
	o.health.LastErr = ""
	o.health.LastAt = o.conn.now()
	o.health.LastSeq = seq
	o.health.MaxAge = maxAgeOf(x.Response)
	o.armLocked()
	o.mu.Unlock()
	return x, nil
}

// failed handles a registration that got no answer: keep trying after a while.
func (o *Observation) failed(token []byte, err error) {
	o.conn.forget(token)
	o.mu.Lock()
	defer o.mu.Unlock()
	o.health.Registered = false
	if err != nil {
		o.health.LastErr = err.Error()
	}
	if o.health.MaxAge == 0 {
		o.health.MaxAge = 60 * time.Second
	}
	o.armLocked()
}

func withoutObserve(opts []message.Option) []message.Option {
	out := make([]message.Option, 0, len(opts)+1)
	for _, opt := range opts {
		if opt.ID != message.Observe {
			out = append(out, opt)
		}
	}
	return out
}

func observeOf(m *MessageRecord) (uint32, bool) {
	o, ok := m.Option(message.Observe)
	if !ok {
		return 0, false
	}
	return DecodeUint(o.Value), true
}

func maxAgeOf(m *MessageRecord) time.Duration {
	o, ok := m.Option(message.MaxAge)
	if !ok {
		return 60 * time.Second // RFC 7252's default
	}
	return time.Duration(DecodeUint(o.Value)) * time.Second
}

// armLocked (re)starts the watchdog: if nothing arrives within Max-Age and a little slack, the
// observation is re-registered.
func (o *Observation) armLocked() {
	if o.closed {
		return
	}
	wait := o.health.MaxAge + max(2*time.Second, o.health.MaxAge/10)
	if o.timer != nil {
		o.timer.Stop()
	}
	o.timer = time.AfterFunc(wait, func() { o.reregister("no notification within Max-Age") })
}

func (o *Observation) reregister(why string) {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return
	}
	o.health.Reregistrations++
	o.mu.Unlock()
	o.conn.event(EventObservationRenew, o.req.URI+": "+why)
	ctx, cancel := context.WithTimeout(context.Background(), o.conn.timeout(o.req))
	defer cancel()
	_, _ = o.register(ctx)
}

// notification handles one notification of this observation.
func (o *Observation) notification(r *pool.Message) {
	rec := recordMessage(r)
	seq, observed := observeOf(&rec)
	now := o.conn.now()
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return
	}
	h := &o.health
	if observed && !h.LastAt.IsZero() {
		delta := (seq - h.LastSeq) & 0xFFFFFF
		switch {
		case now.Sub(h.LastAt) > 128*time.Second, delta > 0 && delta < 1<<23:
			// Newer (RFC 7641 §3.4); the sequence numbers skipped are lost notifications.
			if delta > 1 && delta < 1<<23 {
				h.Gaps += int(delta - 1)
			}
			h.LastSeq = seq
		default:
			h.Reorders++
		}
	}
	h.Notifications++
	h.LastAt = now
	h.MaxAge = maxAgeOf(&rec)
	if observed {
		o.armLocked()
	} else {
		// The origin ended the observation (RFC 7641 §3.2): its last word is this answer.
		h.Registered = false
		o.closeLocked()
	}
	o.mu.Unlock()
	target, _ := ParseTarget(o.req.URI)
	x := Exchange{
		Profile: o.conn.profile.Name, URI: o.req.URI, Path: target.PathQuery(), Start: now,
		Response: &rec, Notification: true, ObserveSeq: seq,
		Request: MessageRecord{Code: codes.GET, Token: rec.Token},
	}
	if o.conn.ViaGateway() {
		x.Device = target.Host
	}
	x.AnsweredBy = whoAnswered(rec.Code, rec.Payload, o.conn.ViaGateway())
	x.Explanation = Explain(rec.Code, x.AnsweredBy)
	o.conn.record(x)
	if o.notify != nil {
		o.notify(x)
	}
	if !observed {
		o.conn.forget(rec.Token)
		o.end()
	}
}

// Cancel ends the observation and deregisters it at the origin: a GET with Observe 1 and the
// same token, through the gateway with the same Proxy-Uri.
func (o *Observation) Cancel(ctx context.Context) error {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return nil
	}
	o.closeLocked()
	token := o.token
	o.mu.Unlock()
	o.end()
	o.conn.forget(token)
	req := o.req
	req.Token = token
	req.Options = append(withoutObserve(req.Options), message.Option{ID: message.Observe, Value: []byte{1}})
	if req.Timeout == 0 || req.Timeout > 10*time.Second {
		req.Timeout = 10 * time.Second
	}
	x, err := o.conn.Do(ctx, req)
	if err != nil {
		return fmt.Errorf("deregistration of %s: %w", o.req.URI, err)
	}
	if !x.OK() {
		return fmt.Errorf("deregistration of %s answered %s %s", o.req.URI, coapfmt.CodeString(x.Code()), CodeName(x.Code()))
	}
	return nil
}

// closeLocked ends the observation here: no more re-registrations. o.mu is held.
func (o *Observation) closeLocked() {
	o.closed = true
	if o.timer != nil {
		o.timer.Stop()
	}
}

// forget stops routing notifications with token to an observation.
func (c *Connection) forget(token []byte) {
	c.mu.Lock()
	delete(c.observing, string(token))
	c.mu.Unlock()
}

func (c *Connection) timeout(req Request) time.Duration {
	if req.Timeout > 0 {
		return req.Timeout
	}
	return DefaultTimeout
}

// reregisterAll registers every observation again: after a new login the gateway knows none.
func (c *Connection) reregisterAll() {
	c.mu.Lock()
	seen := map[*Observation]bool{}
	var all []*Observation
	for _, o := range c.observing {
		if !seen[o] {
			seen[o] = true
			all = append(all, o)
		}
	}
	c.mu.Unlock()
	for _, o := range all {
		go o.reregister("after a new login")
	}
}
