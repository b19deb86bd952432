package history

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

func TestCountFollowsAppendsDeletesAndRestarts(t *testing.T) {
	dir := t.TempDir()
	s, _, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	all := fill(t, s, 250)
	if _, err := s.Delete(all[0].ID, all[10].ID, all[10].ID, 9999); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Retain(200, 0, time.Now()); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Count(); err != nil || n != 200 {
		t.Fatalf("Count = %d, %v; want the 200 entries Retain kept", n, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, _, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, _ := s.Count(); n != 200 || len(listAll(t, s, Filter{}, 1000)) != 200 {
		t.Fatalf("after a restart Count = %d, want the 200 entries listed", n)
	}
}

// rewrite changes the closed history in dir with fn, as another program would.
func rewrite(t *testing.T, dir string, fn func(tx *bbolt.Tx) error) {
	t.Helper()
	db, err := bbolt.Open(dir+"/"+FileName, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestAHistoryThatKeepsNoCountOrAStaleOneIsCountedAtOpen(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(tx *bbolt.Tx) error
		want   int
	}{
		{"a file from before the count was kept", func(tx *bbolt.Tx) error { return tx.DeleteBucket(bucketMeta) }, 30},
		{"entries added by a workbench that does not keep it", func(tx *bbolt.Tx) error {
			// What an older workbench does: an entry and its summary, the count untouched.
			b := tx.Bucket(bucketExchanges)
			seq, err := b.NextSequence()
			if err != nil {
				return err
			}
			x := sampleExchange(30)
			x.ID = seq
			raw, _ := cborEnc.Marshal(x)
			if err := b.Put(itob(seq), raw); err != nil {
				return err
			}
			return tx.Bucket(bucketSummaries).Put(itob(seq), summaryOf(x).encode())
		}, 31},
		{"a damaged count", func(tx *bbolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyCount, []byte{7}) }, 30},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			s, _, err := Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			fill(t, s, 30)
			s.Close()
			rewrite(t, dir, c.change)
			s, _, err = Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if n, err := s.Count(); err != nil || n != c.want {
				t.Fatalf("Count = %d, %v; want %d", n, err, c.want)
			}
			s.Append(sampleExchange(40))
			if err := s.Flush(); err != nil {
				t.Fatal(err)
			}
			if n, _ := s.Count(); n != c.want+1 {
				t.Fatalf("Count after one more = %d, want %d", n, c.want+1)
			}
		})
	}
}

func TestCountReadsTheKeptCountRatherThanCountingKeys(t *testing.T) {
	dir := t.TempDir()
	s, _, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fill(t, s, 20)
	// A count that disagrees with the keys but follows the sequence is believed: proof that
	// nothing walks the keys.
	s.update(func(tx *bbolt.Tx) error {
		v := binary.BigEndian.AppendUint64(nil, 1_000_000)
		v = binary.BigEndian.AppendUint64(v, tx.Bucket(bucketExchanges).Sequence())
		return tx.Bucket(bucketMeta).Put(keyCount, v)
	})
	defer s.Close()
	if n, _ := s.Count(); n != 1_000_000 {
		t.Fatalf("Count = %d, want the kept 1 000 000", n)
	}
	page, err := s.List(context.Background(), Filter{Device: sampleExchange(3).Device}, 0, 5)
	if err != nil || page.Total != 1_000_000 || len(page.Entries) != 1 {
		t.Fatalf("a filtered page: %d entries of a total %d (%v), want 1 of the kept 1 000 000", len(page.Entries), page.Total, err)
	}
}

func TestAPageSaysHowManyEntriesTheHistoryHolds(t *testing.T) {
	s := openTemp(t, Options{})
	fill(t, s, 60)
	for _, f := range []Filter{{}, {PathContains: "mod=pwr"}, {Device: "no-such-device"}, {After: 59}} {
		page, err := s.List(context.Background(), f, 0, 10)
		if err != nil || page.Total != 60 {
			t.Fatalf("filter %+v: Total %d (%v), want all 60 entries", f, page.Total, err)
		}
	}
}

func TestAnExportIsInTheOrderTheExchangesFinishedAndSaysWhen(t *testing.T) {
	s := openTemp(t, Options{})
	// A request that waited 30 s for nothing is recorded when it gives up, after the quick
	// answers that started after it: the order and the time exported are when each finished.
	for i := 1; i < 5; i++ {
		s.Append(sampleExchange(i))
	}
	slow := sampleExchange(0)
	slow.RTT = 30 * time.Second
	s.Append(slow)
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := s.Export(context.Background(), &out, FormatCSV, Filter{}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := len(CSVHeader) - 1
	if CSVHeader[col] != "finished" {
		t.Fatalf("last column %q, want finished", CSVHeader[col])
	}
	var prev time.Time
	for i, r := range rows[1:] {
		at, err := time.Parse(time.RFC3339Nano, r[col])
		if err != nil {
			t.Fatalf("row %d: finished %q: %v", i, r[col], err)
		}
		if i > 0 && at.After(prev) {
			t.Fatalf("row %d finished at %v, after the row above it (%v): the rows are not in the order they finished", i, at, prev)
		}
		prev = at
	}
	var jsonl bytes.Buffer
	if _, err := s.Export(context.Background(), &jsonl, FormatJSONLines, Filter{Profile: slow.Profile, PathContains: slow.Path}); err != nil {
		t.Fatal(err)
	}
	var line struct {
		Start, Finished time.Time
	}
	if err := json.Unmarshal([]byte(strings.Split(jsonl.String(), "\n")[0]), &line); err != nil {
		t.Fatal(err)
	}
	if want := slow.Start.Add(30 * time.Second); !line.Finished.Equal(want) || !line.Start.Equal(slow.Start) {
		t.Fatalf("the slow exchange exported as started %v, finished %v; want %v and %v", line.Start, line.Finished, slow.Start, want)
	}
}
