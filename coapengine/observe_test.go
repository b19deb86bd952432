package coapengine

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/coap-workbench/coap-workbench/gatewaylite"
	"github.com/coap-workbench/coap-workbench/internal/testwait"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/message/pool"
)

// notifications collects what an observation delivers.
type notifications struct {
	mu   sync.Mutex
	list []Exchange
}

func (n *notifications) add(x Exchange) {
	n.mu.Lock()
	n.list = append(n.list, x)
	n.mu.Unlock()
}

func (n *notifications) len() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.list)
}

func TestObservePowerStatsThroughTheGatewayAndCancelAtTheOrigin(t *testing.T) {
	b := startTestbed(t, nil)
	device := b.mesh.Devices()[0]
	c := b.connect(t, nil, nil)
	got := &notifications{}
	obs, first, err := c.Observe(ctx10s(t), NewRequest(codes.GET, seedURI("/sys/stats?mod=pwr")), got.add)
	if err != nil {
		t.Fatal(err)
	}
	var p ssn.PowerStats
	if !first.OK() || p.UnmarshalBinary(first.Response.Payload) != nil {
		t.Fatalf("first: %+v", first)
	}
	testwait.For(t, "five notifications", func() bool { return got.len() >= 5 })
	got.mu.Lock()
	for i, x := range got.list {
		if !x.Notification || x.Device != seedHost || p.UnmarshalBinary(x.Response.Payload) != nil {
			t.Fatalf("notification %d: %+v", i, x)
		}
		if i > 0 && x.ObserveSeq <= got.list[i-1].ObserveSeq {
			t.Fatalf("sequence went %d → %d", got.list[i-1].ObserveSeq, x.ObserveSeq)
		}
	}
	got.mu.Unlock()
	h := obs.Health()
	if !h.Registered || h.Notifications < 5 || h.Gaps != 0 || h.Reorders != 0 || h.MaxAge < time.Second {
		t.Fatalf("health %+v", h)
	}
	if device.Status().PowerObservers != 1 {
		t.Fatalf("device observers %d", device.Status().PowerObservers)
	}
	if err := obs.Cancel(ctx10s(t)); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, "the cancel to reach the device", func() bool { return device.Status().PowerObservers == 0 })
	stopped := got.len()
	time.Sleep(300 * time.Millisecond)
	if got.len() != stopped {
		t.Fatal("notifications delivered after Cancel")
	}
}

func TestObservingWhatIsNotObservableSaysSo(t *testing.T) {
	b := startTestbed(t, nil)
	c := b.connect(t, nil, nil)
	_, x, err := c.Observe(ctx10s(t), NewRequest(codes.GET, seedURI("/snsr/sys/info")), nil)
	if err == nil || !strings.Contains(err.Error(), "not observable") || !x.OK() {
		t.Fatalf("%v %+v", err, x)
	}
	if _, _, err := c.Observe(ctx10s(t), NewRequest(codes.POST, seedURI("/")), nil); err == nil {
		t.Fatal("observed with POST")
	}
}

// notificationMessage builds a notification as it would arrive.
func notificationMessage(seq uint32, maxAge uint32) *pool.Message {
	m := pool.NewMessage(context.Background())
	m.SetCode(codes.Content)
	m.SetType(message.NonConfirmable)
	m.SetToken([]byte{1})
	m.SetObserve(seq)
	m.SetOptionUint32(message.MaxAge, maxAge)
	return m
}

func TestSequenceGapsAndReordersAreCounted(t *testing.T) {
	b := startTestbed(t, nil)
	c := b.connect(t, nil, nil)
	o := &Observation{conn: c, req: NewRequest(codes.GET, seedURI("/x")), done: make(chan struct{})}
	o.health.LastAt = time.Now()
	o.health.LastSeq = 10
	for _, seq := range []uint32{11, 13, 12, 14, 14, 0xFFFFFF, 0} {
		o.notification(notificationMessage(seq, 60))
	}
	// 11 follows 10; 13 skips 12 (a gap); 12 then is older (a reorder); 14 follows 13; a
	// second 14 is not newer (a reorder); 0xFFFFFF and 0 are behind 14 by RFC 7641's 24-bit
	// rule (reorders).
	h := o.Health()
	if h.Notifications != 7 || h.Gaps != 1 || h.Reorders != 4 || h.LastSeq != 14 {
		t.Fatalf("health %+v", h)
	}
	o.mu.Lock()
	o.closeLocked()
	o.mu.Unlock()
}

func TestTheOriginEndingTheObservationClosesDone(t *testing.T) {
	b := startTestbed(t, nil)
	c := b.connect(t, nil, nil)
	var last Exchange
	o := &Observation{conn: c, req: NewRequest(codes.GET, seedURI("/x")), done: make(chan struct{}), notify: func(x Exchange) { last = x }}
	o.health.LastAt = time.Now()
	o.notification(notificationMessage(5, 60))
	select {
	case <-o.Done():
		t.Fatal("done while the origin still observes")
	default:
	}
	final := pool.NewMessage(context.Background())
	final.SetCode(codes.NotFound) // no Observe option: the origin's last word
	final.SetToken([]byte{1})
	o.notification(final)
	select {
	case <-o.Done():
	default:
		t.Fatal("not done after the origin ended the observation")
	}
	if last.Code() != codes.NotFound || o.Health().Registered {
		t.Fatalf("the last notification %v, health %+v", last.Code(), o.Health())
	}
}

func TestWrapAroundIsNewer(t *testing.T) {
	b := startTestbed(t, nil)
	c := b.connect(t, nil, nil)
	o := &Observation{conn: c, req: NewRequest(codes.GET, seedURI("/x")), done: make(chan struct{})}
	o.health.LastAt = time.Now()
	o.health.LastSeq = 0xFFFFFE
	o.notification(notificationMessage(0xFFFFFF, 60))
	o.notification(notificationMessage(1, 60)) // 0 skipped across the wrap
	h := o.Health()
	if h.Gaps != 1 || h.Reorders != 0 || h.LastSeq != 1 {
		t.Fatalf("health %+v", h)
	}
	o.mu.Lock()
	o.closeLocked()
	o.mu.Unlock()
}

func TestSilenceBeyondMaxAgeReregisters(t *testing.T) {
	b := startTestbed(t, nil)
	device := b.mesh.Devices()[0]
	rec := &recorder{}
	c := b.connect(t, rec, nil)
	got := &notifications{}
	obs, _, err := c.Observe(ctx10s(t), NewRequest(codes.GET, seedURI("/sys/stats?mod=pwr")), got.add)
	if err != nil {
		t.Fatal(err)
	}
	defer obs.Cancel(t.Context())
	testwait.For(t, "notifications", func() bool { return got.len() >= 2 })
	device.Reboot() // the device forgets every observer: notifications stop
	testwait.For(t, "the device to drop its observers", func() bool { return device.Status().PowerObservers == 0 })
	before := got.len()
	deadline := time.Now().Add(20 * time.Second)
	for obs.Health().Reregistrations == 0 || got.len() <= before+2 {
		if time.Now().After(deadline) {
			t.Fatalf("no recovery: health %+v, %d notifications (had %d)", obs.Health(), got.len(), before)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !rec.hasEvent(EventObservationRenew) {
		t.Fatal("no event for the re-registration")
	}
}

func TestObservationsFollowANewLogin(t *testing.T) {
	b := startTestbed(t, func(c *gatewaylite.Config) { c.MaxSessionIdle = time.Hour; c.SessionGrace = time.Minute })
	rec := &recorder{}
	c := b.connect(t, rec, nil)
	got := &notifications{}
	obs, _, err := c.Observe(ctx10s(t), NewRequest(codes.GET, seedURI("/sys/stats?mod=pwr")), got.add)
	if err != nil {
		t.Fatal(err)
	}
	defer obs.Cancel(t.Context())
	testwait.For(t, "notifications", func() bool { return got.len() >= 2 })
	b.Clock.Advance(2 * time.Hour) // the notifications' traffic used the old time: the session is idle
	b.gw.ExpireIdleSessions()      // session and its observations gone; the client hears NON 5.03
	testwait.For(t, "the re-login", func() bool { return rec.hasEvent(EventReauthenticated) })
	before := got.len()
	testwait.For(t, "notifications after the re-login", func() bool { return got.len() >= before+3 })
	if obs.Health().Reregistrations < 1 {
		t.Fatalf("health %+v", obs.Health())
	}
}
