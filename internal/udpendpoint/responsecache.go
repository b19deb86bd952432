package udpendpoint

import (
	"strconv"
	"sync"
	"time"

	"github.com/plgd-dev/go-coap/v3/message/pool"
	"github.com/plgd-dev/go-coap/v3/udp/coder"
)

// ResponseCache keeps the responses a peer was sent, keyed by the message ID of its request, so
// that a retransmitted request is answered with the same response (RFC 7252 §4.5).
//
// Entries of one lifetime expire in the order they were stored, so each lifetime has a FIFO and
// expiry pops from its head: Load, Store and CheckExpirations cost O(1) amortised, unlike
// go-coap's default cache, whose CheckExpirations walks every entry on every datagram.
//
// Responses to idempotent requests (marked with MarkIdempotent before they are stored) are kept
// for a short lifetime only: RFC 7252 §4.5 allows such a request to be processed again, so
// their entries need to outlive only the first retransmissions. This keeps a busy peer's cache,
// and so the memory of a gateway with a thousand sessions, small. MaxEntries bounds each FIFO.
type ResponseCache struct {
	mu         sync.Mutex
	long       fifo
	short      fifo
	idempotent map[uint16]struct{} // message IDs whose response goes to short
	scratch    []byte
}

// fifo is a ring of entries of one lifetime, indexed by message ID.
type fifo struct {
	lifetime   time.Duration
	maxEntries int
	byMID      map[uint16]int // message ID → absolute position
	ring       []cacheEntry
	head, tail int // absolute positions: oldest entry, one past the newest
}

type cacheEntry struct {
	mid      uint16
	expires  int64 // unix nanoseconds
	datagram []byte
}

// NewResponseCache returns a cache keeping responses for lifetime (idempotentLifetime for
// responses to idempotent requests), at most maxEntries of each.
func NewResponseCache(lifetime, idempotentLifetime time.Duration, maxEntries int) *ResponseCache {
	if maxEntries <= 0 {
		maxEntries = 1 << 16
	}
	return &ResponseCache{
		long:       newFIFO(lifetime, maxEntries),
		short:      newFIFO(idempotentLifetime, maxEntries),
		idempotent: make(map[uint16]struct{}),
	}
}

func newFIFO(lifetime time.Duration, maxEntries int) fifo {
	return fifo{lifetime: lifetime, maxEntries: maxEntries, byMID: make(map[uint16]int), ring: make([]cacheEntry, 4)}
}

// MarkIdempotent says that the request with message ID mid is idempotent: its response is kept
// for the short lifetime.
func (c *ResponseCache) MarkIdempotent(mid int32) {
	c.mu.Lock()
	if len(c.idempotent) > 4096 {
		clear(c.idempotent) // marks whose response never came
	}
	c.idempotent[uint16(mid)] = struct{}{}
	c.mu.Unlock()
}

// Len returns the number of live entries.
func (c *ResponseCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.long.len() + c.short.len()
}

func parseMID(key string) (uint16, bool) {
	v, err := strconv.ParseUint(key, 10, 16)
	return uint16(v), err == nil
}

// Load fills msg with the cached response for key (a message ID) and reports whether there was
// one.
func (c *ResponseCache) Load(key string, msg *pool.Message) (bool, error) {
	mid, ok := parseMID(key)
	if !ok {
		return false, nil
	}
	now := time.Now().UnixNano()
	c.mu.Lock()
	e, found := c.short.get(mid, now)
	if !found {
		e, found = c.long.get(mid, now)
	}
	if !found {
		c.mu.Unlock()
		return false, nil
	}
	// Copy under the lock: the slot may be reused as soon as it is released.
	c.scratch = append(c.scratch[:0], e.datagram...)
	_, err := msg.UnmarshalWithDecoder(coder.DefaultCoder, c.scratch)
	c.mu.Unlock()
	return err == nil, err
}

// Store caches msg under key unless a live entry for key exists (the first response wins, as
// in go-coap's cache).
func (c *ResponseCache) Store(key string, msg *pool.Message) error {
	mid, ok := parseMID(key)
	if !ok {
		return nil
	}
	raw, err := msg.MarshalWithEncoder(coder.DefaultCoder)
	if err != nil {
		return err
	}
	now := time.Now().UnixNano()
	c.mu.Lock()
	defer c.mu.Unlock()
	target := &c.long
	if _, ok := c.idempotent[mid]; ok {
		delete(c.idempotent, mid)
		target = &c.short
	}
	c.long.expire(now)
	c.short.expire(now)
	if _, found := c.short.get(mid, now); found {
		return nil
	}
	if _, found := c.long.get(mid, now); found {
		return nil
	}
	target.put(mid, raw, now)
	return nil
}

// CheckExpirations drops the entries that expired before now.
func (c *ResponseCache) CheckExpirations(now time.Time) {
	c.mu.Lock()
	c.long.expire(now.UnixNano())
	c.short.expire(now.UnixNano())
	c.mu.Unlock()
}

func (f *fifo) len() int { return f.tail - f.head }

func (f *fifo) get(mid uint16, now int64) (*cacheEntry, bool) {
	pos, ok := f.byMID[mid]
	if !ok {
		return nil, false
	}
	e := &f.ring[pos%len(f.ring)]
	return e, e.expires >= now
}

func (f *fifo) put(mid uint16, datagram []byte, now int64) {
	if f.len() >= f.maxEntries {
		f.pop()
	}
	if f.len() == len(f.ring) {
		f.grow()
	}
	slot := &f.ring[f.tail%len(f.ring)]
	slot.mid = mid
	slot.expires = now + int64(f.lifetime)
	slot.datagram = append(slot.datagram[:0], datagram...)
	f.byMID[mid] = f.tail
	f.tail++
}

func (f *fifo) expire(now int64) {
	for f.head < f.tail && f.ring[f.head%len(f.ring)].expires < now {
		f.pop()
	}
	if f.head == f.tail && len(f.ring) > 64 {
		// An idle peer gives its memory back.
		f.ring = make([]cacheEntry, 4)
		f.head, f.tail = 0, 0
		clear(f.byMID)
	}
}

func (f *fifo) pop() {
	e := &f.ring[f.head%len(f.ring)]
	if pos, ok := f.byMID[e.mid]; ok && pos == f.head {
		delete(f.byMID, e.mid)
	}
	f.head++
}

func (f *fifo) grow() {
	n := len(f.ring) * 2
	grown := make([]cacheEntry, n)
	for pos := f.head; pos < f.tail; pos++ {
		grown[pos%n] = f.ring[pos%len(f.ring)]
	}
	f.ring = grown
}
