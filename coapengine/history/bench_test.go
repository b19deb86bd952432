package history

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"go.etcd.io/bbolt"
)

// BenchmarkAppend measures recording: Append of b.N exchanges, then Flush.
func BenchmarkAppend(b *testing.B) {
	s := openTemp(b, Options{})
	xs := make([]coapengine.Exchange, 4096)
	for i := range xs {
		xs[i] = sampleExchange(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Append(xs[i%len(xs)])
	}
	if err := s.Flush(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "exchanges/s")
}

const benchEntries = 1_000_000

var (
	benchOnce  sync.Once
	benchDir   string
	benchStore *Store
	benchErr   error
)

// millionEntries is a history of a million exchanges, built once per test binary.
func millionEntries(b *testing.B) *Store {
	benchOnce.Do(func() {
		if benchDir, benchErr = os.MkdirTemp("", "history-bench-"); benchErr != nil {
			return
		}
		if benchStore, _, benchErr = Open(benchDir, Options{}); benchErr != nil {
			return
		}
		batch := make([]coapengine.Exchange, 0, 20000)
		for i := 0; i < benchEntries; i++ {
			batch = append(batch, sampleExchange(i))
			if len(batch) == cap(batch) {
				if benchErr = benchStore.update(func(tx *bbolt.Tx) error { return putAll(tx, batch) }); benchErr != nil {
					return
				}
				batch = batch[:0]
			}
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchStore
}

func removeBenchData() {
	if benchStore != nil {
		benchStore.Close()
		os.RemoveAll(benchDir)
	}
}

// BenchmarkFirstPage measures the first page (100 entries) of a listing of a million-entry
// history, for filters from the broad to the rare.
func BenchmarkFirstPage(b *testing.B) {
	device := sampleExchange(7).Device
	for _, bc := range []struct {
		name string
		f    Filter
	}{
		{"none", Filter{}},
		{"device", Filter{Device: device}},
		{"path", Filter{PathContains: "mod=pwr"}},
		{"server-errors", Filter{Class: ServerError}},
		{"device+path+class", Filter{Device: device, PathContains: "temp", Class: ClientError}},
		{"decoded-text", Filter{PathContains: "mod=pwr", Text: "3.995 V"}},
		{"rare-path-full-scan", Filter{PathContains: "no-such-path"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := millionEntries(b)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				page, err := s.List(context.Background(), bc.f, 0, 100)
				if err != nil {
					b.Fatal(err)
				}
				if i == 0 && bc.name != "rare-path-full-scan" && len(page.Entries) == 0 {
					b.Fatalf("filter %+v matched nothing", bc.f)
				}
			}
		})
	}
}

// BenchmarkAppendBaselineBolt is the floor under BenchmarkAppend: the same exchanges, encoded
// the same way, put into one bucket in transactions of 1000, without summaries or indexes.
func BenchmarkAppendBaselineBolt(b *testing.B) {
	s := openTemp(b, Options{})
	xs := make([]coapengine.Exchange, 4096)
	for i := range xs {
		xs[i] = sampleExchange(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(1000, b.N-done)
		err := s.update(func(tx *bbolt.Tx) error {
			bucket := tx.Bucket(bucketExchanges)
			for i := 0; i < n; i++ {
				seq, _ := bucket.NextSequence()
				raw, err := cborEnc.Marshal(xs[(done+i)%len(xs)])
				if err != nil {
					return err
				}
				if err := bucket.Put(itob(seq), raw); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		done += n
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "exchanges/s")
}

// BenchmarkCount measures Count on a million-entry history: a kept count, not a walk of the
// keys.
func BenchmarkCount(b *testing.B) {
	s := millionEntries(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if n, err := s.Count(); err != nil || n != benchEntries {
			b.Fatal(n, err)
		}
	}
}
