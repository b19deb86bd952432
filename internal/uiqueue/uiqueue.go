// Package uiqueue stands in for fyne.Do in tests of views and of the window: the test's own
// goroutine runs what other goroutines queue, as the main goroutine would, so that the race
// detector sees one UI goroutine. (Fyne's test driver runs fyne.Do at once, on the caller's
// goroutine, which would race with the test.)
package uiqueue

import (
	"sync"
	"testing"

	"github.com/coap-workbench/coap-workbench/internal/testwait"
)

// Queue holds the UI work other goroutines handed over.
type Queue struct {
	mu      sync.Mutex
	pending []func()
}

// New returns an empty queue.
func New() *Queue { return &Queue{} }

// Do queues fn; use it where the code under test would call fyne.Do.
func (q *Queue) Do(fn func()) {
	q.mu.Lock()
	q.pending = append(q.pending, fn)
	q.mu.Unlock()
}

// Drain runs what is queued, in order, including what the queued work queues.
func (q *Queue) Drain() {
	for {
		q.mu.Lock()
		pending := q.pending
		q.pending = nil
		q.mu.Unlock()
		if len(pending) == 0 {
			return
		}
		for _, fn := range pending {
			fn()
		}
	}
}

// WaitFor runs queued UI work until cond holds, failing t after testwait's deadline.
func (q *Queue) WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	testwait.For(t, what, func() bool {
		q.Drain()
		return cond()
	})
}
