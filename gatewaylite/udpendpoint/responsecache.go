package udpendpoint

import (
	"sync"
	"time"

	"github.com/plgd-dev/go-coap/v3/message/pool"
	"github.com/plgd-dev/go-coap/v3/udp/coder"
)

// ResponseCache keeps the responses a peer was sent, keyed by the message ID of its request, so
// that a retransmitted request is answered with the same response (RFC 7252 §4.5).
//
// Every entry lives for the same lifetime, so insertion order is expiry order: entries sit in a
// FIFO and expiry pops from its head. Load, Store and CheckExpirations cost O(1) amortised,
// unlike go-coap's default cache, whose CheckExpirations walks every entry on every datagram.
// MaxEntries bounds memory per peer and also keeps a message ID that a busy peer reuses within
// the lifetime from being answered with a stale response.
type ResponseCache struct {
	lifetime   time.Duration
	maxEntries int

	mu      sync.Mutex
	byKey   map[string]int // key → absolute position in the FIFO
	fifo    []cacheEntry   // ring buffer
	head    int            // absolute position of the oldest entry
	tail    int            // absolute position after the newest entry
	scratch []byte
}

type cacheEntry struct {
	key      string
	expires  int64 // unix nanoseconds
	datagram []byte
}

// NewResponseCache returns a cache whose entries live for lifetime, holding at most maxEntries.
func NewResponseCache(lifetime time.Duration, maxEntries int) *ResponseCache {
	if maxEntries <= 0 {
		maxEntries = 1 << 16
	}
	return &ResponseCache{
		lifetime:   lifetime,
		maxEntries: maxEntries,
		byKey:      make(map[string]int),
		fifo:       make([]cacheEntry, 8),
	}
}

// Len returns the number of live entries.
func (c *ResponseCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tail - c.head
}

// Load fills msg with the cached response for key and reports whether there was one.
func (c *ResponseCache) Load(key string, msg *pool.Message) (bool, error) {
	c.mu.Lock()
	pos, ok := c.byKey[key]
	if !ok {
		c.mu.Unlock()
		return false, nil
	}
	e := c.fifo[pos%len(c.fifo)]
	if time.Now().UnixNano() > e.expires {
		c.mu.Unlock()
		return false, nil
	}
	// Copy under the lock: the slot may be reused as soon as it is released.
	c.scratch = append(c.scratch[:0], e.datagram...)
	data := c.scratch
	_, err := msg.UnmarshalWithDecoder(coder.DefaultCoder, data)
	c.mu.Unlock()
	if err != nil {
		return false, err
	}
	return true, nil
}

// Store caches msg under key unless a live entry for key exists (the first response wins, as
// in go-coap's cache).
func (c *ResponseCache) Store(key string, msg *pool.Message) error {
	raw, err := msg.MarshalWithEncoder(coder.DefaultCoder)
	if err != nil {
		return err
	}
	now := time.Now().UnixNano()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expireLocked(now)
	if pos, ok := c.byKey[key]; ok && c.fifo[pos%len(c.fifo)].expires >= now {
		return nil
	}
	if c.tail-c.head >= c.maxEntries {
		c.popLocked()
	}
	if c.tail-c.head == len(c.fifo) {
		c.growLocked()
	}
	slot := &c.fifo[c.tail%len(c.fifo)]
	slot.key = key
	slot.expires = now + int64(c.lifetime)
	slot.datagram = append(slot.datagram[:0], raw...)
	c.byKey[key] = c.tail
	c.tail++
	return nil
}

// CheckExpirations drops the entries that expired before now.
func (c *ResponseCache) CheckExpirations(now time.Time) {
	c.mu.Lock()
	c.expireLocked(now.UnixNano())
	c.mu.Unlock()
}

func (c *ResponseCache) expireLocked(now int64) {
	for c.head < c.tail && c.fifo[c.head%len(c.fifo)].expires < now {
		c.popLocked()
	}
	if c.head == c.tail && len(c.fifo) > 64 {
		// An idle peer gives its memory back.
		c.fifo = make([]cacheEntry, 8)
		c.head, c.tail = 0, 0
		clear(c.byKey)
	}
}

func (c *ResponseCache) popLocked() {
	e := &c.fifo[c.head%len(c.fifo)]
	if pos, ok := c.byKey[e.key]; ok && pos == c.head {
		delete(c.byKey, e.key)
	}
	e.key = ""
	c.head++
}

func (c *ResponseCache) growLocked() {
	n := len(c.fifo) * 2
	grown := make([]cacheEntry, n)
	for pos := c.head; pos < c.tail; pos++ {
		grown[pos%n] = c.fifo[pos%len(c.fifo)]
	}
	c.fifo = grown
}
