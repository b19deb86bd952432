package logring

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func messages(records []Record) []string {
	out := make([]string, len(records))
	for i, r := range records {
		out[i] = r.Message
	}
	return out
}

func TestRingKeepsTheLastRecordsOldestFirst(t *testing.T) {
	ring := New(3, nil)
	log := slog.New(ring)
	for i := range 5 {
		log.Info(fmt.Sprintf("m%d", i))
	}
	if got := strings.Join(messages(ring.Records(slog.LevelDebug)), " "); got != "m2 m3 m4" {
		t.Fatalf("kept %q, want the last three oldest first: m2 m3 m4", got)
	}
}

func TestRingFiltersByLevelAndKeepsWarningsBesideDebugChatter(t *testing.T) {
	ring := New(2, nil)
	log := slog.New(ring)
	log.Warn("disk almost full")
	log.Debug("d1")
	log.Info("i1")
	log.Debug("d2")
	log.Debug("d3")
	log.Error("e1")
	if got := strings.Join(messages(ring.Records(slog.LevelDebug)), " "); got != "i1 d2 d3 e1" {
		t.Fatalf("all levels: %q, want i1 d2 d3 e1 (debug records push out only debug records)", got)
	}
	if got := strings.Join(messages(ring.Records(slog.LevelWarn)), " "); got != "e1" {
		t.Fatalf("warn and up: %q, want e1", got)
	}
	if got := strings.Join(messages(ring.Records(slog.LevelInfo)), " "); got != "i1 e1" {
		t.Fatalf("info and up: %q, want i1 e1", got)
	}
	for _, r := range ring.Records(slog.LevelError) {
		if r.Level != slog.LevelError || r.Time.IsZero() {
			t.Fatalf("record %+v: want level ERROR and a time", r)
		}
	}
}

func TestRingFormatsAttributesOfTheRecordTheLoggerAndItsGroups(t *testing.T) {
	ring := New(10, nil)
	log := slog.New(ring).With("profile", "field").WithGroup("req")
	log.Info("sent", "path", "/sys/stats?mod=pwr", "note", "two words", slog.Group("rtt", "ms", 12), "empty", "")
	got := ring.Records(slog.LevelInfo)
	if len(got) != 1 {
		t.Fatalf("%d records, want 1", len(got))
	}
	want := `profile=field req.path=/sys/stats?mod=pwr req.note="two words" req.rtt.ms=12 req.empty=""`
	if got[0].Attrs != want {
		t.Fatalf("attrs %q\nwant  %q", got[0].Attrs, want)
	}
}

func TestRingPassesRecordsOnToTheNextHandlerWithItsAttributes(t *testing.T) {
	var out bytes.Buffer
	next := slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelInfo})
	ring := New(10, next)
	log := slog.New(ring).With("profile", "field").WithGroup("g")
	log.Debug("hidden from the terminal")
	log.Info("shown", "k", 1)
	text := out.String()
	if strings.Contains(text, "hidden") {
		t.Fatalf("the terminal got a debug record it does not want:\n%s", text)
	}
	if !strings.Contains(text, "msg=shown profile=field g.k=1") {
		t.Fatalf("the terminal got %q, want the info record with its attributes", text)
	}
	if n := len(ring.Records(slog.LevelDebug)); n != 2 {
		t.Fatalf("the ring kept %d records, want both", n)
	}
}

func TestRingTellsSubscribersUntilTheyCancel(t *testing.T) {
	ring := New(10, nil)
	var a, b atomic.Int32
	cancelA := ring.Subscribe(func() { a.Add(1) })
	ring.Subscribe(func() { b.Add(1) })
	log := slog.New(ring)
	log.Info("one")
	cancelA()
	log.Info("two")
	if a.Load() != 1 || b.Load() != 2 {
		t.Fatalf("subscriber calls: cancelled one %d (want 1), other %d (want 2)", a.Load(), b.Load())
	}
}

func TestRingIsSafeForConcurrentUse(t *testing.T) {
	ring := New(100, nil)
	var signals atomic.Int64
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			log := slog.New(ring).With("writer", g)
			for i := range 500 {
				log.Info("m", "i", i)
				if i%100 == 0 {
					cancel := ring.Subscribe(func() { signals.Add(1) })
					defer cancel()
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 200 {
			if n := len(ring.Records(slog.LevelDebug)); n > 200 {
				t.Errorf("%d records kept, more than the capacity allows", n)
				return
			}
		}
	}()
	wg.Wait()
	if n := len(ring.Records(slog.LevelInfo)); n != 100 {
		t.Fatalf("%d records kept, want the capacity 100", n)
	}
	if signals.Load() == 0 {
		t.Fatal("no subscriber was told of a record")
	}
}

func TestNewWithoutCapacityKeepsTheDefault(t *testing.T) {
	ring := New(0, nil)
	log := slog.New(ring)
	for range DefaultCapacity + 10 {
		log.Info("m")
	}
	if n := len(ring.Records(slog.LevelInfo)); n != DefaultCapacity {
		t.Fatalf("kept %d, want %d", n, DefaultCapacity)
	}
}

func TestAddedCountsTheRecordsAtALevelAndAbove(t *testing.T) {
	r := New(10, nil)
	log := slog.New(r)
	log.Debug("chatter")
	log.Debug("chatter")
	log.Info("login")
	log.Warn("slow")
	log.Error("down")
	for level, want := range map[slog.Level]uint64{slog.LevelDebug: 5, slog.LevelInfo: 3, slog.LevelWarn: 2, slog.LevelError: 1} {
		if got := r.Added(level); got != want {
			t.Fatalf("Added(%v) = %d, want %d", level, got, want)
		}
	}
}
