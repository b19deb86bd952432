package diagnosis

import (
	"time"

	"github.com/plgd-dev/go-coap/v3/message"

	"github.com/coap-workbench/coap-workbench/coapengine"
)

// uptimeReading is one reading of the NIC's uptime counter (the power statistics'
// total_time), with the bounds of when the NIC made it.
type uptimeReading struct {
	uptime time.Duration
	// notBefore is the earliest the NIC can have made the reading: the sending of a GET, or
	// for a notification its arrival less its Max-Age (a relay keeps a representation at most
	// that long).
	notBefore time.Time
	arrived   time.Time
}

// restartWatch tells a NIC that restarted during the diagnosis from readings that merely
// arrive out of the order the NIC made them.
//
// A lower total_time than before is not enough: a gateway that relays one observation to
// several clients answers a new observer with the representation it holds (RFC 7641 §5), which
// can be older than a GET the diagnosis made a moment before, and notifications can be
// repeated or reordered on the way. So a reading shows a restart only when its uptime is too
// short to reach back to the best reading so far: the NIC must have booted (arrival less
// uptime) after that reading was made. A stale or repeated reading of a NIC that was up
// before never passes that test; every reading after a real restart does.
type restartWatch struct {
	best      uptimeReading // the reading with the longest uptime so far
	have      bool
	restarted bool
	after     time.Duration // the uptime of the first reading after the restart
}

// note takes a reading and reports whether the NIC has restarted since the first one.
func (w *restartWatch) note(r uptimeReading) bool {
	if w.have && r.uptime < w.best.uptime && r.arrived.Add(-r.uptime).After(w.best.notBefore) {
		if !w.restarted {
			w.after = r.uptime
		}
		w.restarted = true
	}
	if !w.have || r.uptime > w.best.uptime {
		w.best, w.have = r, true
	}
	return w.restarted
}

// notificationOrder keeps the notifications of one observation in the NIC's order: one whose
// Observe sequence number is not newer than the last one's (RFC 7641 §3.4) is a repeat or
// arrived late, and is left out. A re-registration (a new token) starts a new sequence.
type notificationOrder struct {
	token []byte
	seq   uint32
	at    time.Time
	have  bool
}

// fresh reports whether x is newer than every notification before it, and remembers it.
func (o *notificationOrder) fresh(x coapengine.Exchange) bool {
	token := x.Request.Token
	if x.Response != nil {
		token = x.Response.Token
	}
	if o.have && string(token) == string(o.token) {
		delta := (x.ObserveSeq - o.seq) & 0xFFFFFF
		if !(delta > 0 && delta < 1<<23) && x.Start.Sub(o.at) <= 128*time.Second {
			return false
		}
	}
	o.token, o.seq, o.at, o.have = append(o.token[:0], token...), x.ObserveSeq, x.Start, true
	return true
}

// maxAge is how long the answer of x was fresh: its Max-Age option, else CoAP's 60 s.
func maxAge(x coapengine.Exchange) time.Duration {
	if x.Response != nil {
		if opt, ok := x.Response.Option(message.MaxAge); ok {
			return time.Duration(coapengine.DecodeUint(opt.Value)) * time.Second
		}
	}
	return 60 * time.Second
}
