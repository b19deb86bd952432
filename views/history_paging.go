package views

import (
	"context"
	"time"
)

// Reload runs the query again from the newest entry, with the filters on screen.
func (t *HistoryTab) Reload() {
	if t.store == nil {
		return
	}
	if t.cancel != nil {
		t.cancel()
	}
	t.generation++
	t.query, t.cancel = context.WithCancel(context.Background())
	t.filter = t.filters.filter(t.knownDevices)
	// This query sees every exchange recorded so far: one for new exchanges would be stale.
	t.refreshing, t.failed, t.replacing = false, false, true
	t.startLoad(0, func(p historyPage) bool {
		t.newer, t.older, t.skipped = nil, p.rows, 0
		t.clearSelection()
		t.list.ScrollToOffset(0)
		t.hideNewest()
		return true
	})
}

// loadMore asks for the next page, unless one is on its way or none is left.
func (t *HistoryTab) loadMore() {
	if t.loading || t.ended || t.failed || t.rowCount() == 0 {
		return
	}
	before := t.next
	t.startLoad(before, func(p historyPage) bool {
		if before != t.next {
			return false // the rows were started over meanwhile: this page may not follow them
		}
		t.older = append(t.older, p.rows...)
		return true
	})
}

// startLoad lists a page before the given ID and lets keep put its rows in place; keep
// reports false if they no longer fit.
func (t *HistoryTab) startLoad(before uint64, keep func(historyPage) bool) {
	t.loading = true
	t.showState()
	t.fetch(before, func(p historyPage, err error) {
		t.loading, t.replacing = false, false
		defer t.catchUp()
		if err != nil {
			t.failed = true
			t.showQueryProblem(err)
			return
		}
		t.hideProblem()
		t.total = p.total
		if !keep(p) {
			t.showState()
			return
		}
		t.next, t.ended = p.next, p.next == 0
		t.skipped += p.skipped
		t.list.Refresh()
		t.showState()
	})
}

// historyPage is a page of the history as rows.
type historyPage struct {
	rows    []historyRow
	next    uint64
	skipped int
	total   int // entries in the history, matching or not
}

// fetch lists a page off the main goroutine and hands it to apply on the main goroutine,
// unless the query changed meanwhile.
func (t *HistoryTab) fetch(before uint64, apply func(historyPage, error)) {
	t.fetchAfter(before, 0, apply)
}

// fetchAfter is fetch of only the entries recorded after entry after (0: all).
func (t *HistoryTab) fetchAfter(before, after uint64, apply func(historyPage, error)) {
	store, ctx, f, generation := t.store, t.query, t.filter, t.generation
	f.After = after
	go func() {
		p, err := store.List(ctx, f, before, historyPageSize)
		page := historyPage{rows: make([]historyRow, len(p.Entries)), next: p.Next, skipped: p.Skipped, total: p.Total}
		for i, x := range p.Entries {
			page.rows[i] = historyRowOf(x)
		}
		t.opts.do(func() {
			if generation != t.generation {
				return
			}
			for _, r := range page.rows {
				t.rememberDevice(r.device)
			}
			apply(page, err)
		})
	}()
}

// ExchangesAdded tells the tab that new exchanges were recorded; call it on the main
// goroutine. It asks for the newest page again and puts the rows it did not have on top.
func (t *HistoryTab) ExchangesAdded(int) {
	if t.store == nil {
		return
	}
	if t.refreshing || t.replacing {
		t.refreshAgain = true
		return
	}
	// A text search is not indexed: it reads payloads until a page fills, which in a large
	// history can take a good part of a second. Under steady traffic such refreshes are
	// spaced out, so that they do not keep a core busy.
	if wait := textSearchRefreshGap - time.Since(t.lastRefresh); t.filter.Text != "" && wait > 0 {
		if !t.refreshLater {
			t.refreshLater = true
			time.AfterFunc(wait, func() {
				t.opts.do(func() {
					t.refreshLater = false
					t.ExchangesAdded(0)
				})
			})
		}
		return
	}
	t.lastRefresh = time.Now()
	t.refreshing = true
	// Only what was recorded since the newest row shown: a refresh does not read again
	// what is on screen.
	var top uint64
	if t.rowCount() > 0 {
		top = t.rowAt(0).id
	}
	t.fetchAfter(0, top, t.mergeNewest)
}

// textSearchRefreshGap is the least time between two refreshes of a text search.
const textSearchRefreshGap = 2 * time.Second

// catchUp asks for the exchanges added while another query ran.
func (t *HistoryTab) catchUp() {
	if t.refreshAgain && !t.refreshing && !t.replacing {
		t.refreshAgain = false
		t.ExchangesAdded(0)
	}
}

// mergeNewest puts the rows of the newest page above the rows on screen. A user looking at
// the top sees them arrive there; one who scrolled down keeps the rows in view where they
// are, and the newest button counts what waits above.
func (t *HistoryTab) mergeNewest(p historyPage, err error) {
	t.refreshing = false
	defer t.catchUp()
	if err != nil {
		t.showQueryProblem(err)
		return
	}
	t.total = p.total
	var top uint64
	if t.rowCount() > 0 {
		top = t.rowAt(0).id
	}
	fresh := 0
	for fresh < len(p.rows) && p.rows[fresh].id > top {
		fresh++
	}
	if fresh == 0 {
		t.showState()
		return
	}
	away := t.scrolledAway()
	if fresh == len(p.rows) && (p.next != 0 || t.rowCount() == 0) {
		// More arrived than a page holds (entries may lie between): the list starts over
		// from this page — at once at the top, when asked for by one who scrolled away.
		if away {
			t.noteNewest(len(p.rows), true)
			t.showState()
			return
		}
		t.newer, t.older = nil, p.rows
		t.next, t.ended, t.failed = p.next, p.next == 0, false
		t.clearSelection()
		t.list.ScrollToOffset(0)
		t.hideNewest()
		t.list.Refresh()
		t.showState()
		return
	}
	offset := t.list.GetScrollOffset()
	for i := fresh - 1; i >= 0; i-- {
		t.newer = append(t.newer, p.rows[i])
	}
	t.list.Refresh()
	if t.selected >= 0 {
		// The selection follows its row (Select also scrolls to it: the offset is set below).
		t.shifting = true
		t.list.Select(t.selected + fresh)
		t.shifting = false
	}
	if away {
		// Keep what the user looks at in place: the rows above it grew by fresh.
		t.list.ScrollToOffset(offset + float32(fresh)*t.rowStep)
		t.noteNewest(fresh, false)
	} else {
		t.list.ScrollToOffset(0)
	}
	if t.trimRows() {
		t.list.Refresh()
	}
	t.showState()
}

// historyMaxRows bounds the rows the tab keeps while new exchanges keep arriving: past it,
// the oldest rows go (scrolling down lists them again). A variable for the tests.
var historyMaxRows = 50_000

// trimRows keeps the newest rows when there are more than historyMaxRows, and reports
// whether it dropped any.
func (t *HistoryTab) trimRows() bool {
	if t.rowCount() <= historyMaxRows {
		return false
	}
	rows := make([]historyRow, historyMaxRows*4/5)
	for i := range rows {
		rows[i] = t.rowAt(i)
	}
	t.newer, t.older = nil, rows
	t.next, t.ended = rows[len(rows)-1].id, false
	if t.selected >= len(rows) {
		t.clearSelection()
	}
	return true
}
