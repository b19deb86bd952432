// Package logring keeps the workbench's recent log records in memory, for the window's Log
// tab: a slog.Handler that remembers the last records in a ring buffer and passes each one on
// to another handler (the terminal's), and tells subscribers when records arrive.
package logring

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
)

// DefaultCapacity is the number of records a ring keeps when New is given 0.
const DefaultCapacity = 5000

// Record is one remembered log record.
type Record struct {
	Time    time.Time
	Level   slog.Level
	Message string
	// Attrs are the record's attributes and its logger's, "k=v k=v", groups as "group.k=v".
	Attrs string
}

// Ring is a slog.Handler that keeps the last records of every level. Debug records have a
// ring of their own of the same capacity, so that chatter cannot push warnings out. It is
// safe for concurrent use; the handlers WithAttrs and WithGroup return share its records.
type Ring struct {
	shared *ringState
	next   slog.Handler
	// prefix is the attributes of WithAttrs, formatted; group is the open groups, "a.b.".
	prefix string
	group  string
}

// ringState is what a Ring and the handlers derived from it share.
type ringState struct {
	mu     sync.Mutex
	debug  buffer // records below Info
	other  buffer // Info and above
	serial uint64 // orders records across the two buffers
	// added counts the records handled at each level: debug, info, warn, error and above.
	added [4]uint64

	subMu       sync.Mutex
	subscribers atomic.Pointer[[]subscriber]
	nextSubID   int
}

type subscriber struct {
	id int
	fn func()
}

// entry is a record with its arrival order.
type entry struct {
	serial uint64
	Record
}

// buffer is a fixed-size ring of entries.
type buffer struct {
	entries []entry
	start   int // index of the oldest entry once full
	full    bool
}

func (b *buffer) push(e entry) {
	if !b.full {
		b.entries = append(b.entries, e)
		b.full = len(b.entries) == cap(b.entries)
		return
	}
	b.entries[b.start] = e
	b.start = (b.start + 1) % len(b.entries)
}

// ordered returns the entries at level min or above, oldest first, appended to out.
func (b *buffer) ordered(out []entry, min slog.Level) []entry {
	for i := range b.entries {
		if e := b.entries[(b.start+i)%len(b.entries)]; e.Level >= min {
			out = append(out, e)
		}
	}
	return out
}

// New returns a ring that keeps the last capacity records of each kind (DefaultCapacity when
// capacity is 0 or less) and passes every record on to next when next is not nil and
// enabled for the record's level.
func New(capacity int, next slog.Handler) *Ring {
	if capacity <= 0 {
		capacity = DefaultCapacity
	}
	s := &ringState{debug: buffer{entries: make([]entry, 0, capacity)}, other: buffer{entries: make([]entry, 0, capacity)}}
	return &Ring{shared: s, next: next}
}

// Enabled reports true for every level: the Log tab can show Debug records even when the
// terminal does not.
func (r *Ring) Enabled(context.Context, slog.Level) bool { return true }

// Handle remembers rec, passes it on to the next handler if that one wants it, and tells the
// subscribers.
func (r *Ring) Handle(ctx context.Context, rec slog.Record) error {
	var b strings.Builder
	b.WriteString(r.prefix)
	rec.Attrs(func(a slog.Attr) bool {
		appendAttr(&b, r.group, a)
		return true
	})
	kept := Record{Time: rec.Time, Level: rec.Level, Message: rec.Message, Attrs: b.String()}
	s := r.shared
	s.mu.Lock()
	s.serial++
	s.added[levelIndex(kept.Level)]++
	if kept.Level < slog.LevelInfo {
		s.debug.push(entry{s.serial, kept})
	} else {
		s.other.push(entry{s.serial, kept})
	}
	s.mu.Unlock()
	if subs := s.subscribers.Load(); subs != nil {
		for _, sub := range *subs {
			sub.fn()
		}
	}
	if r.next != nil && r.next.Enabled(ctx, rec.Level) {
		return r.next.Handle(ctx, rec)
	}
	return nil
}

// WithAttrs returns a handler whose records carry attrs, sharing r's records.
func (r *Ring) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return r
	}
	d := *r
	var b strings.Builder
	b.WriteString(r.prefix)
	for _, a := range attrs {
		appendAttr(&b, r.group, a)
	}
	d.prefix = b.String()
	if r.next != nil {
		d.next = r.next.WithAttrs(attrs)
	}
	return &d
}

// WithGroup returns a handler that puts the attributes that follow in the group name,
// sharing r's records.
func (r *Ring) WithGroup(name string) slog.Handler {
	if name == "" {
		return r
	}
	d := *r
	d.group = r.group + name + "."
	if r.next != nil {
		d.next = r.next.WithGroup(name)
	}
	return &d
}

// levelIndex is the slot of level in ringState.added.
func levelIndex(level slog.Level) int {
	switch {
	case level < slog.LevelInfo:
		return 0
	case level < slog.LevelWarn:
		return 1
	case level < slog.LevelError:
		return 2
	}
	return 3
}

// Added counts the records handled so far at minLevel or above (of the four levels): a
// viewer that shows those redraws only when it changed.
func (r *Ring) Added(minLevel slog.Level) uint64 {
	s := r.shared
	s.mu.Lock()
	defer s.mu.Unlock()
	var n uint64
	for i := levelIndex(minLevel); i < len(s.added); i++ {
		n += s.added[i]
	}
	return n
}

// Records returns the remembered records at level minLevel or above, oldest first.
func (r *Ring) Records(minLevel slog.Level) []Record {
	s := r.shared
	s.mu.Lock()
	var debug []entry
	if minLevel < slog.LevelInfo {
		debug = s.debug.ordered(nil, minLevel)
	}
	other := s.other.ordered(make([]entry, 0, len(s.other.entries)), minLevel)
	s.mu.Unlock()
	out := make([]Record, 0, len(debug)+len(other))
	// Merge the two buffers, each oldest first, by arrival.
	for len(debug) > 0 || len(other) > 0 {
		if len(other) == 0 || (len(debug) > 0 && debug[0].serial < other[0].serial) {
			out, debug = append(out, debug[0].Record), debug[1:]
		} else {
			out, other = append(out, other[0].Record), other[1:]
		}
	}
	return out
}

// Subscribe has fn called after records are added, on the goroutine that logged them, until
// cancel is called. fn must return at once: signal a channel without blocking, say.
func (r *Ring) Subscribe(fn func()) (cancel func()) {
	s := r.shared
	s.subMu.Lock()
	defer s.subMu.Unlock()
	s.nextSubID++
	id := s.nextSubID
	s.replaceSubscribers(func(old []subscriber) []subscriber { return append(old, subscriber{id, fn}) })
	return func() {
		s.subMu.Lock()
		defer s.subMu.Unlock()
		s.replaceSubscribers(func(old []subscriber) []subscriber {
			for i, sub := range old {
				if sub.id == id {
					return append(old[:i], old[i+1:]...)
				}
			}
			return old
		})
	}
}

// replaceSubscribers publishes a changed copy of the subscriber list (copy on write: Handle
// reads it without a lock). Call it with subMu held.
func (s *ringState) replaceSubscribers(change func([]subscriber) []subscriber) {
	var old []subscriber
	if p := s.subscribers.Load(); p != nil {
		old = append(old, *p...)
	}
	updated := change(old)
	s.subscribers.Store(&updated)
}

// appendAttr writes a as " key=value" (without the space first), flattening groups.
func appendAttr(b *strings.Builder, group string, a slog.Attr) {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return
	}
	if a.Value.Kind() == slog.KindGroup {
		inner := group
		if a.Key != "" {
			inner = group + a.Key + "."
		}
		for _, ga := range a.Value.Group() {
			appendAttr(b, inner, ga)
		}
		return
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	b.WriteString(group)
	b.WriteString(a.Key)
	b.WriteByte('=')
	b.WriteString(quoteIfNeeded(a.Value.String()))
}

// quoteIfNeeded quotes values that would not read as one word. Unlike slog's text handler it
// leaves "=" alone: "path=/sys/stats?mod=pwr" is for people, not for a parser.
func quoteIfNeeded(s string) string {
	if s == "" {
		return `""`
	}
	for _, c := range s {
		if unicode.IsSpace(c) || c == '"' || !unicode.IsPrint(c) {
			return strconv.Quote(s)
		}
	}
	return s
}
