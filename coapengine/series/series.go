// Package series turns the payloads of an observed resource into time series for charts:
// every numeric field the decoders find (the power statistics' fields, any numeric leaf of a
// CBOR or JSON payload by its path, a number in a text payload), plus values derived from
// consecutive samples (the NIC's transmitted bytes per second). Samples live in bounded ring
// buffers, so that an observation of any length holds a fixed amount of memory.
package series

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/decode"
)

// Sample is one value at one time (Unix nanoseconds, so that a sample is 16 bytes).
type Sample struct {
	At    int64
	Value float64
}

// Time is the sample's time.
func (s Sample) Time() time.Time { return time.Unix(0, s.At) }

// Ring keeps the newest samples of one series, up to its capacity.
type Ring struct {
	buf   []Sample
	start int // index of the oldest sample
	n     int
}

// NewRing returns an empty ring holding at most capacity samples (at least 1).
func NewRing(capacity int) *Ring {
	return &Ring{buf: make([]Sample, max(capacity, 1))}
}

// Add appends a sample, dropping the oldest when the ring is full.
func (r *Ring) Add(s Sample) {
	if r.n < len(r.buf) {
		r.buf[(r.start+r.n)%len(r.buf)] = s
		r.n++
		return
	}
	r.buf[r.start] = s
	r.start = (r.start + 1) % len(r.buf)
}

// Len is the number of samples held.
func (r *Ring) Len() int { return r.n }

// Cap is the most samples the ring holds.
func (r *Ring) Cap() int { return len(r.buf) }

// At is the i-th sample, oldest first.
func (r *Ring) At(i int) Sample { return r.buf[(r.start+i)%len(r.buf)] }

// Last is the newest sample; ok is false when the ring is empty.
func (r *Ring) Last() (s Sample, ok bool) {
	if r.n == 0 {
		return Sample{}, false
	}
	return r.At(r.n - 1), true
}

// AppendTo appends the samples at or after since (Unix ns; 0 for all), oldest first, to dst
// and returns it: with a dst of enough capacity it allocates nothing.
func (r *Ring) AppendTo(dst []Sample, since int64) []Sample {
	// Samples are added in time order, so the first one to keep is found by bisection.
	lo, hi := 0, r.n
	for lo < hi {
		mid := (lo + hi) / 2
		if r.At(mid).At < since {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	first := (r.start + lo) % len(r.buf)
	count := r.n - lo
	if end := first + count; end <= len(r.buf) {
		return append(dst, r.buf[first:end]...)
	}
	dst = append(dst, r.buf[first:]...)
	return append(dst, r.buf[:first+count-len(r.buf)]...)
}

// Info describes a series: its key (the field's name or path), its unit, and whether it is
// derived from consecutive samples rather than read from the payload.
type Info struct {
	Key     string
	Unit    string
	Derived bool
}

// series is one field's ring.
type series struct {
	info Info
	ring *Ring
}

// Set holds the series of one observed resource. It is safe for concurrent use: samples are
// added from the observation's goroutine and snapshots taken from the UI's.
type Set struct {
	mu       sync.Mutex
	capacity int
	byKey    map[string]*series
	order    []string
	// prevTx is the last tx_bytes sample, for the derived rate.
	prevTx  Sample
	hasPrev bool
	// added counts samples added, so that a viewer knows when to redraw.
	added uint64
}

// DefaultCapacity is a ring's size when none is given: a day of notifications every 10 s.
const DefaultCapacity = 8640

// NewSet returns an empty set whose rings hold capacity samples each.
func NewSet(capacity int) *Set {
	if capacity <= 0 {
		capacity = DefaultCapacity
	}
	return &Set{capacity: capacity, byKey: map[string]*series{}}
}

// TxRateKey is the derived series of a NIC's transmitted bytes per second.
const TxRateKey = "tx_bytes_per_s"

// numberInText finds the first number in a text payload, with an optional unit after it.
var numberInText = regexp.MustCompile(`([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*(°?[A-Za-z%]+)?`)

// Add extracts the samples of one notification, received at at, from its decoded payload:
// every numeric field, the derived rates, or the first number of a text payload.
func (s *Set) Add(at time.Time, d decode.Decoded) {
	ns := at.UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	numeric := 0
	for _, f := range d.Fields {
		if !f.Numeric {
			continue
		}
		numeric++
		s.addLocked(Info{Key: f.Name, Unit: f.Unit}, Sample{At: ns, Value: f.Value})
		if f.Name == "tx_bytes" {
			s.deriveTxRateLocked(Sample{At: ns, Value: f.Value})
		}
	}
	// Only a text payload gives its first number: a structured one's text is a rendering
	// (CBOR diagnostic notation, a table) whose digits are not a reading.
	if numeric == 0 && d.Err == nil && d.Decoder == "text" && d.Text != "" {
		if m := numberInText.FindStringSubmatch(d.Text); m != nil {
			if v, err := strconv.ParseFloat(m[1], 64); err == nil {
				s.addLocked(Info{Key: "value", Unit: strings.TrimSpace(m[2])}, Sample{At: ns, Value: v})
			}
		}
	}
}

// deriveTxRateLocked adds the bytes sent per second since the previous sample. A counter
// that went down (the NIC rebooted) starts over without a sample.
func (s *Set) deriveTxRateLocked(tx Sample) {
	prev, had := s.prevTx, s.hasPrev
	s.prevTx, s.hasPrev = tx, true
	if !had || tx.At <= prev.At || tx.Value < prev.Value {
		return
	}
	rate := (tx.Value - prev.Value) / (float64(tx.At-prev.At) / 1e9)
	s.addLocked(Info{Key: TxRateKey, Unit: "B/s", Derived: true}, Sample{At: tx.At, Value: rate})
}

func (s *Set) addLocked(info Info, sample Sample) {
	sr := s.byKey[info.Key]
	if sr == nil {
		sr = &series{info: info, ring: NewRing(s.capacity)}
		s.byKey[info.Key] = sr
		s.order = append(s.order, info.Key)
	}
	// A sample older than the last (a notification noted before the registration's answer,
	// a clock stepped back) is kept at the last time: the ring stays in time order, which
	// its readers bisect.
	if last, ok := sr.ring.Last(); ok && sample.At < last.At {
		sample.At = last.At
	}
	sr.ring.Add(sample)
	s.added++
}

// Infos lists the series in the order they first appeared.
func (s *Set) Infos() []Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Info, len(s.order))
	for i, k := range s.order {
		out[i] = s.byKey[k].info
	}
	return out
}

// Added counts the samples added so far: a viewer redraws when it changed.
func (s *Set) Added() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.added
}

// Snapshot appends the samples of key at or after since (Unix ns; 0 for all) to dst, oldest
// first; without allocating when dst has room.
func (s *Set) Snapshot(key string, since int64, dst []Sample) []Sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sr := s.byKey[key]; sr != nil {
		return sr.ring.AppendTo(dst, since)
	}
	return dst
}

// Last is the newest sample of key.
func (s *Set) Last(key string) (Sample, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sr := s.byKey[key]; sr != nil {
		return sr.ring.Last()
	}
	return Sample{}, false
}
