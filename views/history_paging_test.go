package views

import (
	"slices"
	"sync"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/history"
	"github.com/coap-workbench/coap-workbench/internal/testwait"
)

func TestHistoryTabLoadsTheNextPageWhenScrolledToTheEnd(t *testing.T) {
	const n = 2*historyPageSize + 50
	store := openTestHistory(t, n)
	h := openHistoryTab(t, store, "")
	if got := h.tab.list.Length(); got != historyPageSize {
		t.Fatalf("%d rows after opening, want one page of %d", got, historyPageSize)
	}
	if want := "200 of 450 shown; scroll for more"; h.tab.count.Text != want {
		t.Fatalf("count says %q, want %q", h.tab.count.Text, want)
	}
	h.tab.list.ScrollToBottom()
	h.q.WaitFor(t, "the second page", func() bool { return h.tab.list.Length() == 2*historyPageSize })
	if want := "400 of 450 shown; scroll for more"; h.tab.count.Text != want {
		t.Fatalf("count says %q, want %q", h.tab.count.Text, want)
	}
	h.loadAll(t)
	if want := "all 450 shown"; h.tab.count.Text != want {
		t.Fatalf("count says %q, want %q", h.tab.count.Text, want)
	}
	if got, want := h.times(), expectedTimes(n, everything); !slices.Equal(got, want) {
		t.Fatalf("rows after scrolling to the end differ from the history, newest first: %d rows, want %d", len(got), len(want))
	}
	h.tab.list.ScrollToBottom()
	rows := screenRows(h.tab.list)
	if last := rows[len(rows)-1][colFinished]; last != timeText(syntheticExchange(0)) {
		t.Fatalf("the last row on screen is from %s, want the oldest exchange %s", last, timeText(syntheticExchange(0)))
	}
}

// appendExchanges records the synthetic exchanges from to to-1 and tells the tab.
func (h *historyHarness) appendExchanges(t *testing.T, store *history.Store, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		store.Append(syntheticExchange(i))
	}
	if err := store.Flush(); err != nil {
		t.Fatal(err)
	}
	h.tab.ExchangesAdded(to - from)
}

var everything = func(coapengine.Exchange) bool { return true }

func TestHistoryTabStartsOverWhenMoreThanAPageArrivesAtOnce(t *testing.T) {
	store := openTestHistory(t, 30)
	h := openHistoryTab(t, store, "")
	h.tab.list.Select(3)
	h.appendExchanges(t, store, 30, 30+historyPageSize+50)
	h.q.WaitFor(t, "the newest page", func() bool { return h.tab.list.Length() == historyPageSize })
	if want := "200 of 280 shown; scroll for more"; h.tab.count.Text != want {
		t.Fatalf("count says %q, want %q", h.tab.count.Text, want)
	}
	if h.tab.selected != -1 || !h.tab.replay.Disabled() {
		t.Fatal("a selection survived rows that were started over")
	}
	h.loadAll(t)
	if got, want := h.times(), expectedTimes(30+historyPageSize+50, everything); !slices.Equal(got, want) {
		t.Fatalf("%d rows after scrolling, want the %d exchanges once each, newest first", len(got), len(want))
	}
}

func TestHistoryTabKeepsTheNewestRowsWhenNewExchangesPileUp(t *testing.T) {
	defer func(old int) { historyMaxRows = old }(historyMaxRows)
	historyMaxRows = 100
	store := openTestHistory(t, 60)
	h := openHistoryTab(t, store, "")
	h.appendExchanges(t, store, 60, 120)
	h.q.WaitFor(t, "the new exchanges", func() bool { return !h.tab.refreshing })
	if got := h.tab.list.Length(); got != 80 {
		t.Fatalf("%d rows kept, want the newest 80 once past the bound of 100", got)
	}
	if want := "80 of 120 shown; scroll for more"; h.tab.count.Text != want {
		t.Fatalf("count says %q, want %q", h.tab.count.Text, want)
	}
	h.loadAll(t)
	if got, want := h.times(), expectedTimes(120, everything); !slices.Equal(got, want) {
		t.Fatalf("after scrolling: %d rows, want the %d exchanges once each, newest first", len(got), len(want))
	}
}

func TestHistoryTabCatchesUpWithExchangesAddedDuringAReload(t *testing.T) {
	store := openTestHistory(t, 20)
	h := openHistoryTab(t, store, "")
	h.tab.Reload()
	h.appendExchanges(t, store, 20, 25)
	h.q.WaitFor(t, "the reload and the new exchanges", func() bool {
		return !h.tab.loading && !h.tab.refreshing && h.tab.list.Length() == 25
	})
	if got, want := h.times(), expectedTimes(25, everything); !slices.Equal(got, want) {
		t.Fatalf("rows %q..., want each exchange once, newest first: %q...", head(got), head(want))
	}
}

func TestHistoryTabDropsAPageThatNoLongerFollowsTheRows(t *testing.T) {
	const n = historyPageSize + 50
	store := openTestHistory(t, n)
	h := openHistoryTab(t, store, "")
	// Hold the results back, to hand them over in the order that tells: the newest rows
	// first, then the page asked for before them.
	var mu sync.Mutex
	var held []func()
	h.tab.opts.do = func(fn func()) {
		mu.Lock()
		held = append(held, fn)
		mu.Unlock()
	}
	heldCount := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(held)
	}
	h.tab.loadMore() // as the list does near its end; the user still looks at the top
	testwait.For(t, "the next page", func() bool { return heldCount() == 1 })
	h.appendExchanges(t, store, n, 2*n)
	testwait.For(t, "the newest page", func() bool { return heldCount() == 2 })
	h.tab.opts.do = h.q.Do
	held[1]()
	held[0]()
	h.loadAll(t)
	if got, want := h.times(), expectedTimes(2*n, everything); !slices.Equal(got, want) {
		t.Fatalf("%d rows, want the %d exchanges once each, newest first", len(got), len(want))
	}
}

func TestATextSearchIsRefreshedAtMostEveryTwoSecondsUnderTraffic(t *testing.T) {
	store := openTestHistory(t, 60)
	h := openHistoryTab(t, store, "")
	test.Type(h.tab.filters.search, "Temperature")
	h.q.WaitFor(t, "the search to apply", func() bool { return !h.tab.loading && h.tab.filter.Text == "Temperature" })
	shown := h.tab.list.Length()

	// Two bursts of traffic in quick succession: the first is shown at once, the second
	// after the gap; both end up shown.
	h.appendExchanges(t, store, 60, 66) // 60 is a temperature reading
	h.q.WaitFor(t, "the first refresh", func() bool { return !h.tab.refreshing && h.tab.list.Length() == shown+1 })
	h.appendExchanges(t, store, 66, 70) // so is 66
	if !h.tab.refreshLater || h.tab.refreshing {
		t.Fatal("a second refresh of a text search was not spaced out")
	}
	h.q.WaitFor(t, "the spaced refresh", func() bool { return !h.tab.refreshLater && !h.tab.refreshing && h.tab.list.Length() == shown+2 })
}
