package history

import (
	"encoding/binary"

	"go.etcd.io/bbolt"
)

// The number of entries is kept in the bucket "meta", so that Count and every listing know
// it without walking a million keys (bbolt's own key count reads every page of a bucket).
// The record is the count, then the exchanges' sequence number it was last brought up to
// date with, both 8 bytes big-endian: a file written meanwhile by a workbench that did not
// keep the count (an older one) has moved its sequence on, and is counted again at Open.
var (
	bucketMeta = []byte("meta")
	keyCount   = []byte("count")
)

// readCount is the kept count, and false when the file keeps none or one that no longer
// follows its entries.
func readCount(tx *bbolt.Tx) (int, bool) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return 0, false
	}
	v := meta.Get(keyCount)
	if len(v) != 16 || binary.BigEndian.Uint64(v[8:]) != tx.Bucket(bucketExchanges).Sequence() {
		return 0, false
	}
	return int(binary.BigEndian.Uint64(v)), true
}

// writeCount keeps n as the number of entries, as of the exchanges' current sequence.
func writeCount(tx *bbolt.Tx, n int) error {
	v := binary.BigEndian.AppendUint64(nil, uint64(max(n, 0)))
	v = binary.BigEndian.AppendUint64(v, tx.Bucket(bucketExchanges).Sequence())
	return tx.Bucket(bucketMeta).Put(keyCount, v)
}

// addToCount changes the kept count by delta.
func addToCount(tx *bbolt.Tx, delta int) error {
	n, _ := readCount(tx)
	return writeCount(tx, n+delta)
}

// entryCount is the number of entries: the kept count, or, in a file that keeps none, the
// summaries' keys counted one by one.
func entryCount(tx *bbolt.Tx) int {
	if n, ok := readCount(tx); ok {
		return n
	}
	return tx.Bucket(bucketSummaries).Stats().KeyN
}

// countAgainIfNeeded counts the entries of a file that keeps no count, or keeps one that no
// longer follows them, and keeps the result; Open calls it once.
func countAgainIfNeeded(tx *bbolt.Tx) error {
	if _, ok := readCount(tx); ok {
		return nil
	}
	return writeCount(tx, tx.Bucket(bucketSummaries).Stats().KeyN)
}
