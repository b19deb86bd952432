// Package history keeps every exchange and notification in a bbolt database in the data
// directory: appended in batches by one writer, listed newest first with filters and paging,
// exported, replayed, trimmed by count and age, and compacted.
//
// Layout: the bucket "exchanges" maps an 8-byte big-endian sequence number to the exchange in
// CBOR; "summaries" maps the same key to a small record of the fields filters look at (time,
// method, code, profile, device, path), so that a filter rarely decodes a whole exchange; and
// "by-device", "by-profile" and "by-class" hold one nested bucket per value, listing the
// sequence numbers with that value, so that a selective filter walks only its own entries.
// "meta" keeps the number of entries (count.go).
package history

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/decode"
	"github.com/fxamacker/cbor/v2"
	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// FileName is the history database's name in the data directory.
const FileName = "history.db"

var (
	bucketExchanges = []byte("exchanges")
	bucketSummaries = []byte("summaries")
	bucketByDevice  = []byte("by-device")
	bucketByProfile = []byte("by-profile")
	bucketByClass   = []byte("by-class")

	allBuckets = [][]byte{bucketExchanges, bucketSummaries, bucketByDevice, bucketByProfile, bucketByClass, bucketMeta}
)

// ErrNotFound is returned for an ID the history does not hold.
var ErrNotFound = errors.New("no such entry")

// ErrInUse is returned when another running workbench holds the history.
var ErrInUse = errors.New("the history is in use by another running workbench")

// Options tune a store.
type Options struct {
	// BatchSize and BatchDelay: the writer commits when this many exchanges wait, or when the
	// oldest has waited this long. Defaults 1000 and 50 ms.
	BatchSize  int
	BatchDelay time.Duration
	// OpenTimeout bounds the wait for the file lock. Default 1 s.
	OpenTimeout time.Duration
	// Decoders find text inside payloads for text filters (decode.NewRegistry when nil).
	Decoders *decode.Registry
	Logger   *slog.Logger
}

func (o *Options) setDefaults() {
	if o.BatchSize == 0 {
		o.BatchSize = 1000
	}
	if o.BatchDelay == 0 {
		o.BatchDelay = 50 * time.Millisecond
	}
	if o.OpenTimeout == 0 {
		o.OpenTimeout = time.Second
	}
	if o.Decoders == nil {
		o.Decoders = decode.NewRegistry()
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Store is an open history.
type Store struct {
	opts Options
	path string
	db   *bbolt.DB

	// dbMu guards db against Compact, which swaps the file; everything else holds it for reading.
	dbMu sync.RWMutex

	// broken is set when Compact could not reopen the file: every operation then says so.
	broken error

	in      chan coapengine.Exchange
	flushes chan chan error
	done    chan struct{}
	closeMu sync.Mutex
	closed  bool
	// closeErr is what the writer's last commit and earlier lost batches came to, for Close.
	closeErr error
}

// Open opens (or creates) dataDir/history.db. A file another workbench holds gives an error
// wrapping ErrInUse after Options.OpenTimeout. A file that is not a valid database is moved
// aside (history.db.corrupt-<time>) and a new one is created; notice then says so. A file
// that cannot be opened for another reason (permissions, say) is an error and stays as it is.
func Open(dataDir string, opts Options) (s *Store, notice string, err error) {
	opts.setDefaults()
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, "", fmt.Errorf("cannot create the data directory %s: %w", dataDir, err)
	}
	path := filepath.Join(dataDir, FileName)
	db, err := open(path, opts.OpenTimeout)
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, "", fmt.Errorf("%s: %w (close the other one, or use another data directory)", path, ErrInUse)
	}
	if err != nil && !damaged(err) {
		// Not the file's fault (permissions, a directory in its place, ...): leave it be.
		return nil, "", fmt.Errorf("cannot open the history %s: %w", path, err)
	}
	if err != nil {
		aside := fmt.Sprintf("%s.corrupt-%s", path, time.Now().UTC().Format("20060102T150405.000000000Z"))
		if renameErr := os.Rename(path, aside); renameErr != nil {
			return nil, "", fmt.Errorf("the history %s cannot be read (%v), and cannot be moved aside: %w", path, err, renameErr)
		}
		notice = fmt.Sprintf("the history %s could not be read (%v): it was moved to %s and a new, empty history started", path, err, aside)
		opts.Logger.Warn("history moved aside", "file", aside, "err", err)
		if db, err = open(path, opts.OpenTimeout); err != nil {
			return nil, notice, fmt.Errorf("cannot create a new history %s: %w", path, err)
		}
	}
	s = &Store{opts: opts, path: path, db: db, in: make(chan coapengine.Exchange, 4*opts.BatchSize), flushes: make(chan chan error), done: make(chan struct{})}
	go s.writer()
	return s, notice, nil
}

// errDamaged marks a file bbolt panicked on.
var errDamaged = errors.New("damaged database")

// damaged reports whether an error of open says the file is not a sound bbolt database, as
// opposed to one it could not get at.
func damaged(err error) bool {
	return errors.Is(err, errDamaged) || errors.Is(err, berrors.ErrInvalid) || errors.Is(err, berrors.ErrVersionMismatch) ||
		errors.Is(err, berrors.ErrChecksum) ||
		// bbolt has no error value for a file shorter than its two meta pages.
		strings.HasPrefix(err.Error(), "file size too small")
}

func open(path string, timeout time.Duration) (db *bbolt.DB, err error) {
	defer func() {
		// bbolt panics on some damaged files instead of returning an error.
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", errDamaged, r)
		}
	}()
	db, err = bbolt.Open(path, 0o600, &bbolt.Options{Timeout: timeout, FreelistType: bbolt.FreelistMapType})
	if err != nil {
		return nil, err
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return countAgainIfNeeded(tx)
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// view and update run fn in a read or write transaction on the current file.
func (s *Store) view(fn func(*bbolt.Tx) error) error {
	s.dbMu.RLock()
	defer s.dbMu.RUnlock()
	if s.broken != nil {
		return s.broken
	}
	return s.db.View(fn)
}

func (s *Store) update(fn func(*bbolt.Tx) error) error {
	s.dbMu.RLock()
	defer s.dbMu.RUnlock()
	if s.broken != nil {
		return s.broken
	}
	return s.db.Update(fn)
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Append queues x for the next batch. It returns at once unless the writer is far behind.
func (s *Store) Append(x coapengine.Exchange) {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closed {
		return
	}
	s.in <- x
}

// Flush waits until everything appended so far is committed. Its error reports the
// exchanges that could not be recorded since the last Flush.
func (s *Store) Flush() error {
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		return errors.New("history closed")
	}
	reply := make(chan error, 1)
	s.flushes <- reply
	s.closeMu.Unlock()
	return <-reply
}

// Close commits what is queued and closes the database. Its error reports exchanges that
// could not be recorded since the last Flush.
func (s *Store) Close() error {
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		return nil
	}
	s.closed = true
	close(s.in)
	s.closeMu.Unlock()
	<-s.done
	s.dbMu.Lock()
	defer s.dbMu.Unlock()
	if s.broken != nil {
		return s.broken
	}
	return errors.Join(s.closeErr, s.db.Close())
}

// Compact commits what is queued, then rewrites the file without the free pages that deleted
// entries left behind, and returns the file's size before and after. Recording and listing
// wait while it copies (about a second for 100 000 entries). If the compacted file cannot be
// opened, the store reports that error from then on.
func (s *Store) Compact() (before, after int64, err error) {
	if err := s.Flush(); err != nil {
		return 0, 0, err
	}
	s.dbMu.Lock()
	defer s.dbMu.Unlock()
	before = fileSize(s.path)
	tmp := s.path + ".compacting"
	_ = os.Remove(tmp)
	dst, err := bbolt.Open(tmp, 0o600, &bbolt.Options{Timeout: s.opts.OpenTimeout, FreelistType: bbolt.FreelistMapType})
	if err != nil {
		return before, before, fmt.Errorf("cannot compact the history: %w", err)
	}
	if err := bbolt.Compact(dst, s.db, 64<<20); err != nil {
		dst.Close()
		os.Remove(tmp)
		return before, before, fmt.Errorf("cannot compact the history: %w", err)
	}
	if err := dst.Close(); err != nil {
		os.Remove(tmp)
		return before, before, fmt.Errorf("cannot compact the history: %w", err)
	}
	if err := s.db.Close(); err != nil {
		os.Remove(tmp)
		s.broken = fmt.Errorf("the history %s could not be closed to compact it (%w): restart the workbench", s.path, err)
		return before, before, s.broken
	}
	renameErr := os.Rename(tmp, s.path)
	db, err := open(s.path, s.opts.OpenTimeout)
	if err != nil {
		s.broken = fmt.Errorf("the history %s could not be reopened after compacting (%w): restart the workbench", s.path, err)
		return before, before, s.broken
	}
	s.db = db
	if renameErr != nil {
		os.Remove(tmp)
		return before, before, fmt.Errorf("cannot replace the history with its compacted copy: %w", renameErr)
	}
	return before, fileSize(s.path), nil
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

// writer commits queued exchanges in batches.
func (s *Store) writer() {
	defer close(s.done)
	batch := make([]coapengine.Exchange, 0, s.opts.BatchSize)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	// A batch that cannot be committed is dropped (keeping it would grow without bound while
	// the disk is full); the next Flush or Close reports how many were lost, and why.
	lost, lostErr := 0, error(nil)
	commit := func() {
		if len(batch) == 0 {
			return
		}
		if err := s.update(func(tx *bbolt.Tx) error { return putAll(tx, batch) }); err != nil {
			s.opts.Logger.Error("history: cannot record exchanges", "count", len(batch), "err", err)
			lost, lostErr = lost+len(batch), err
		}
		batch = batch[:0]
	}
	report := func() error {
		if lost == 0 {
			return nil
		}
		err := fmt.Errorf("%d exchanges could not be recorded: %w", lost, lostErr)
		lost, lostErr = 0, nil
		return err
	}
	for {
		select {
		case p, ok := <-s.in:
			if !ok {
				commit()
				s.closeErr = report()
				return
			}
			if len(batch) == 0 {
				timer.Reset(s.opts.BatchDelay)
			}
			batch = append(batch, p)
			if len(batch) >= s.opts.BatchSize {
				timer.Stop()
				commit()
			}
		case <-timer.C:
			commit()
		case reply := <-s.flushes:
			// Take what is queued first: Flush promises everything appended before it.
			for drained := false; !drained; {
				select {
				case p, ok := <-s.in:
					if !ok {
						drained = true
						break
					}
					batch = append(batch, p)
				default:
					drained = true
				}
			}
			timer.Stop()
			commit()
			reply <- report()
		}
	}
}

var cborEnc = func() cbor.EncMode {
	m, err := cbor.EncOptions{Time: cbor.TimeRFC3339Nano}.EncMode()
	if err != nil {
		panic(err)
	}
	return m
}()

func putAll(tx *bbolt.Tx, batch []coapengine.Exchange) error {
	// Read before the sequence moves on: the kept count follows the sequence it was kept at.
	count := entryCount(tx)
	exchanges := tx.Bucket(bucketExchanges)
	exchanges.FillPercent = 0.95 // append-only keys
	summaries := tx.Bucket(bucketSummaries)
	summaries.FillPercent = 0.95
	for i := range batch {
		x := &batch[i]
		seq, err := exchanges.NextSequence()
		if err != nil {
			return err
		}
		x.ID = seq
		raw, err := cborEnc.Marshal(x)
		if err != nil {
			return err
		}
		key := itob(seq)
		if err := exchanges.Put(key, raw); err != nil {
			return err
		}
		sum := summaryOf(*x)
		if err := summaries.Put(key, sum.encode()); err != nil {
			return err
		}
		if err := index(tx, key, sum); err != nil {
			return err
		}
	}
	return writeCount(tx, count+len(batch))
}

type indexEntry struct {
	bucket []byte
	value  string
}

// indexesOf lists the index records of an entry.
func indexesOf(sum summary) [3]indexEntry {
	return [3]indexEntry{{bucketByDevice, sum.Device}, {bucketByProfile, sum.Profile}, {bucketByClass, classKey(sum.Class())}}
}

// maxIndexValue bounds the part of a value that names its index bucket, far below bbolt's
// 32 KiB key limit: a value longer than that (no host name is) shares its bucket with the
// values of the same prefix, and filters still compare the whole value.
const maxIndexValue = 512

// indexKey names a value's nested bucket. The suffix keeps the empty value (the gateway's own
// resources have no device) a valid bucket name.
func indexKey(value string) []byte {
	if len(value) > maxIndexValue {
		value = value[:maxIndexValue]
	}
	return []byte(value + "\x00")
}

// index adds key to the index buckets of sum.
func index(tx *bbolt.Tx, key []byte, sum summary) error {
	for _, ix := range indexesOf(sum) {
		b, err := tx.Bucket(ix.bucket).CreateBucketIfNotExists(indexKey(ix.value))
		if err != nil {
			return err
		}
		b.FillPercent = 0.95
		if err := b.Put(key, nil); err != nil {
			return err
		}
	}
	return nil
}

func classKey(class CodeClass) string { return fmt.Sprintf("%d", class) }

// itob is an entry's key: its ID, big-endian, so that keys sort by ID.
func itob(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }
