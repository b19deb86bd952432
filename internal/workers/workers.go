// Package workers runs the same work over many items with a bound on how many run at once:
// the crawl of a mesh, a batch of diagnoses.
package workers

import (
	"context"
	"sync"
)

// Run calls do(i) for every i in [0, n) on at most concurrency goroutines (at least one) and
// returns when all have returned. Once ctx ends, the indexes not yet started go to skipped
// instead (on the caller's goroutine), or are dropped when skipped is nil.
func Run(ctx context.Context, n, concurrency int, do func(i int), skipped func(i int)) {
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(max(concurrency, 1), n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				do(i)
			}
		}()
	}
feed:
	for i := range n {
		select {
		case work <- i:
		case <-ctx.Done():
			if skipped != nil {
				for j := i; j < n; j++ {
					skipped(j)
				}
			}
			break feed
		}
	}
	close(work)
	wg.Wait()
}
