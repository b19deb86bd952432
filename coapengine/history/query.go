package history

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/decode"
	"github.com/fxamacker/cbor/v2"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"go.etcd.io/bbolt"
)

// Filter selects history entries. Zero fields match everything.
type Filter struct {
	Profile string
	// Device is the target's host, e.g. SSN001350050005E7D6.sim.starfish.test (any case).
	Device string
	// PathContains matches a substring of the path and query (any case).
	PathContains string
	Method       codes.Code
	Class        CodeClass
	// From and To bound the start time (inclusive, exclusive).
	From, To time.Time
	// Text matches a substring of the decoded response payload, ignoring the case of ASCII
	// letters.
	Text string
	// WithoutNotifications leaves Observe notifications out.
	WithoutNotifications bool
	// After, when not 0, keeps only entries recorded after entry After (larger IDs): what
	// arrived since a listing, found without reading the older entries again.
	After uint64
}

func (f *Filter) normalise() {
	f.Device = strings.ToLower(strings.TrimSpace(f.Device))
	f.PathContains = strings.ToLower(f.PathContains)
	f.Text = strings.ToLower(f.Text)
}

// matchSummary applies everything but Text.
func (f *Filter) matchSummary(s summary) bool {
	switch {
	case f.Profile != "" && s.Profile != f.Profile,
		f.Device != "" && s.Device != f.Device,
		f.Method != 0 && s.Method != f.Method,
		f.Class != AnyClass && s.Class() != f.Class,
		f.WithoutNotifications && s.Notification,
		!f.From.IsZero() && s.Time.Before(f.From),
		!f.To.IsZero() && !s.Time.Before(f.To):
		return false
	}
	return f.PathContains == "" || containsFold(s.Path, f.PathContains)
}

// containsFold reports whether s contains lowerSub, ignoring the case of ASCII letters in s.
func containsFold(s, lowerSub string) bool {
	if len(lowerSub) > len(s) {
		return false
	}
	for i := 0; i+len(lowerSub) <= len(s); i++ {
		j := 0
		for ; j < len(lowerSub); j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != lowerSub[j] {
				break
			}
		}
		if j == len(lowerSub) {
			return true
		}
	}
	return false
}

// Page is one page of a listing, newest first.
type Page struct {
	Entries []coapengine.Exchange
	// Next is the argument "before" for the next page when this page is full (older entries
	// may match, or none); 0 when the listing ended before the page filled.
	Next uint64
	// Skipped counts damaged records passed over.
	Skipped int
	// Total is how many entries the history held when the page was read, matching or not
	// (damaged ones included): what "114 of 1 000 000 match" counts against. Reading it
	// costs nothing (it is kept, not counted).
	Total int
}

// List returns up to limit entries matching f, newest first, with IDs below before (0: from
// the newest). It walks the smallest index that the filter names (device, then profile,
// then code class), or every entry when it names none.
func (s *Store) List(ctx context.Context, f Filter, before uint64, limit int) (Page, error) {
	if limit <= 0 {
		limit = 100
	}
	f.normalise()
	var page Page
	err := s.view(func(tx *bbolt.Tx) error {
		page.Total = entryCount(tx)
		c, indexed := candidates(tx, f)
		if c == nil {
			return nil
		}
		// One cursor for each bucket, reused: a bucket's Get makes a new cursor per call.
		sums, exchanges := tx.Bucket(bucketSummaries).Cursor(), tx.Bucket(bucketExchanges).Cursor()
		summaryAt := func(k, v []byte) []byte {
			if !indexed {
				return v
			}
			if sk, sv := sums.Seek(k); bytes.Equal(sk, k) {
				return sv
			}
			return nil
		}
		var k, v []byte
		if before == 0 {
			k, v = c.Last()
		} else if k, _ = c.Seek(itob(before)); k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		for n := 0; k != nil; k, v = c.Prev() {
			if n++; n%4096 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			if f.After != 0 && binary.BigEndian.Uint64(k) <= f.After {
				break // newest first: everything from here on is older
			}
			sum, err := decodeSummary(summaryAt(k, v))
			if err != nil {
				page.Skipped++
				continue
			}
			if !f.matchSummary(sum) {
				continue
			}
			var raw []byte
			if ek, ev := exchanges.Seek(k); bytes.Equal(ek, k) {
				raw = ev
			}
			if f.Text != "" && !s.responseContains(raw, sum, f.Text) {
				continue
			}
			x, err := decodeExchange(raw)
			if err != nil {
				page.Skipped++
				continue
			}
			page.Entries = append(page.Entries, x)
			if len(page.Entries) == limit {
				page.Next = x.ID
				break
			}
		}
		return nil
	})
	return page, err
}

// responseOnly is the part of a recorded exchange a text filter reads: decoding it skips
// the request and the rest.
type responseOnly struct {
	Response *struct {
		Options []coapengine.OptionRecord `cbor:"options"`
		Payload []byte                    `cbor:"payload"`
	} `cbor:"response"`
}

// responseContains reports whether the decoded response payload of the recorded exchange raw
// contains lowerText, in any case.
func (s *Store) responseContains(raw []byte, sum summary, lowerText string) bool {
	var r responseOnly
	if err := cbor.Unmarshal(raw, &r); err != nil || r.Response == nil || len(r.Response.Payload) == 0 {
		return false
	}
	m := coapengine.MessageRecord{Options: r.Response.Options}
	d := s.opts.Decoders.Decode(decode.Input{Path: sum.Path, ContentFormat: m.ContentFormat(), Payload: r.Response.Payload, ReceivedAt: sum.Time})
	return containsFold(d.Text, lowerText)
}

// candidates is a cursor over the keys worth looking at — an index's, or the summaries'
// themselves when indexed is false — or nil when none can match.
func candidates(tx *bbolt.Tx, f Filter) (c *bbolt.Cursor, indexed bool) {
	for _, ix := range []struct {
		bucket []byte
		value  string
		used   bool
	}{{bucketByDevice, f.Device, f.Device != ""}, {bucketByProfile, f.Profile, f.Profile != ""}, {bucketByClass, classKey(f.Class), f.Class != AnyClass}} {
		if !ix.used {
			continue
		}
		b := tx.Bucket(ix.bucket).Bucket(indexKey(ix.value))
		if b == nil {
			return nil, true
		}
		return b.Cursor(), true
	}
	return tx.Bucket(bucketSummaries).Cursor(), false
}

func decodeExchange(raw []byte) (coapengine.Exchange, error) {
	var x coapengine.Exchange
	if raw == nil {
		return x, errBadSummary
	}
	err := cbor.Unmarshal(raw, &x)
	return x, err
}

// Get returns the entry with the given ID.
func (s *Store) Get(id uint64) (coapengine.Exchange, error) {
	var x coapengine.Exchange
	err := s.view(func(tx *bbolt.Tx) error {
		raw := tx.Bucket(bucketExchanges).Get(itob(id))
		if raw == nil {
			return fmt.Errorf("history entry %d: %w", id, ErrNotFound)
		}
		var err error
		if x, err = decodeExchange(raw); err != nil {
			return fmt.Errorf("history entry %d is damaged: %w", id, err)
		}
		return nil
	})
	return x, err
}

// Count returns the number of entries. It reads a kept count: it costs the same for ten
// entries as for a million.
func (s *Store) Count() (n int, err error) {
	err = s.view(func(tx *bbolt.Tx) error {
		n = entryCount(tx)
		return nil
	})
	return n, err
}

// Delete removes the entries with the given IDs and returns how many there were.
func (s *Store) Delete(ids ...uint64) (removed int, err error) {
	err = s.update(func(tx *bbolt.Tx) error {
		for _, id := range ids {
			ok, err := remove(tx, itob(id))
			if err != nil {
				return err
			}
			if ok {
				removed++
			}
		}
		return addToCount(tx, -removed)
	})
	return removed, err
}

// remove deletes one entry and its index records.
func remove(tx *bbolt.Tx, key []byte) (bool, error) {
	sums := tx.Bucket(bucketSummaries)
	raw := sums.Get(key)
	if raw == nil {
		return false, tx.Bucket(bucketExchanges).Delete(key)
	}
	if sum, err := decodeSummary(raw); err == nil {
		for _, ix := range indexesOf(sum) {
			if err := unindex(tx.Bucket(ix.bucket), indexKey(ix.value), key); err != nil {
				return false, err
			}
		}
	} else if err := unindexEverywhere(tx, key); err != nil {
		// The summary no longer says where the entry is indexed: it was looked for everywhere.
		return false, err
	}
	if err := sums.Delete(key); err != nil {
		return false, err
	}
	return true, tx.Bucket(bucketExchanges).Delete(key)
}

// unindex removes key from a value's index bucket, and the bucket once it is empty.
func unindex(parent *bbolt.Bucket, name, key []byte) error {
	b := parent.Bucket(name)
	if b == nil {
		return nil
	}
	if err := b.Delete(key); err != nil {
		return err
	}
	if k, _ := b.Cursor().First(); k == nil {
		return parent.DeleteBucket(name)
	}
	return nil
}

// unindexEverywhere removes key from every index bucket.
func unindexEverywhere(tx *bbolt.Tx, key []byte) error {
	for _, name := range [][]byte{bucketByDevice, bucketByProfile, bucketByClass} {
		parent := tx.Bucket(name)
		var values [][]byte
		if err := parent.ForEachBucket(func(k []byte) error { values = append(values, append([]byte(nil), k...)); return nil }); err != nil {
			return err
		}
		for _, v := range values {
			if err := unindex(parent, v, key); err != nil {
				return err
			}
		}
	}
	return nil
}

// DeleteAll empties the history. IDs keep growing: a new entry never takes an old one's ID.
func (s *Store) DeleteAll() error {
	return s.update(func(tx *bbolt.Tx) error {
		seq := tx.Bucket(bucketExchanges).Sequence()
		for _, name := range allBuckets {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketExchanges).SetSequence(seq); err != nil {
			return err
		}
		return writeCount(tx, 0)
	})
}

// Retain removes the oldest entries beyond maxCount (0: no limit) and those that started
// before now-maxAge (0: no limit), and returns how many it removed. It walks from the oldest
// ID and stops at the first entry both limits keep: IDs follow recording order, and an
// exchange is recorded when it ends, so start times run in ID order but for exchanges that
// overlapped. Compact afterwards gives the space back to the file system.
func (s *Store) Retain(maxCount int, maxAge time.Duration, now time.Time) (removed int, err error) {
	const chunk = 10000 // entries per transaction: bounded memory for huge trims
	for {
		n := 0
		done := false
		err := s.update(func(tx *bbolt.Tx) error {
			// Counted in each transaction: the writer may have recorded more meanwhile.
			count := entryCount(tx)
			c := tx.Bucket(bucketSummaries).Cursor()
			keys := make([][]byte, 0, chunk)
			for k, v := c.First(); k != nil && len(keys) < chunk; k, v = c.Next() {
				tooMany := maxCount > 0 && count-len(keys) > maxCount
				tooOld := false
				if maxAge > 0 {
					sum, err := decodeSummary(v)
					tooOld = err != nil || now.Sub(sum.Time) > maxAge
				}
				if !tooMany && !tooOld {
					done = true
					break
				}
				keys = append(keys, append([]byte(nil), k...))
			}
			if len(keys) < chunk {
				done = true
			}
			gone := 0
			for _, k := range keys {
				ok, err := remove(tx, k)
				if err != nil {
					return err
				}
				if ok {
					gone++
				}
			}
			n = len(keys)
			return addToCount(tx, -gone)
		})
		if err != nil {
			return removed, err
		}
		removed += n
		if done {
			return removed, nil
		}
	}
}
