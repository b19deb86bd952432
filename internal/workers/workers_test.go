package workers

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestEveryItemRunsOnceAndNoMoreThanTheBoundAtOnce(t *testing.T) {
	var running, most, calls atomic.Int32
	seen := make([]int32, 50)
	Run(context.Background(), 50, 4, func(i int) {
		n := running.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(time.Millisecond)
		atomic.AddInt32(&seen[i], 1)
		calls.Add(1)
		running.Add(-1)
	}, nil)
	if calls.Load() != 50 || most.Load() > 4 || most.Load() < 2 {
		t.Fatalf("%d calls, at most %d at once", calls.Load(), most.Load())
	}
	for i, n := range seen {
		if n != 1 {
			t.Fatalf("item %d ran %d times", i, n)
		}
	}
}

func TestACancelledRunHandsTheRestToSkipped(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var done, skipped []int
	Run(ctx, 10, 1, func(i int) {
		mu.Lock()
		done = append(done, i)
		mu.Unlock()
		if i == 2 {
			cancel()
		}
	}, func(i int) { skipped = append(skipped, i) })
	if len(done)+len(skipped) != 10 || len(skipped) < 6 {
		t.Fatalf("done %v, skipped %v", done, skipped)
	}
}
