package views

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2/test"
)

// topRow is the time column of the first row on screen.
func (h *historyHarness) topRow(t *testing.T) string {
	t.Helper()
	rows := screenRows(h.tab.list)
	if len(rows) == 0 {
		t.Fatal("no rows on screen")
	}
	return rows[0][colFinished]
}

func TestNewExchangesAppearOnTopWhileTheUserLooksAtTheTop(t *testing.T) {
	store := openTestHistory(t, 30)
	h := openHistoryTab(t, store, "")
	h.tab.list.Select(2)
	h.q.WaitFor(t, "the selection", func() bool { return len(h.selected) == 1 })
	selectedID := h.tab.rowAt(2).id
	// Four bursts push the selected row out of view: the list stays at the top all the same.
	for n := 30; n < 70; n += 10 {
		h.appendExchanges(t, store, n, n+10)
		h.q.WaitFor(t, "the new exchanges", func() bool { return h.tab.list.Length() == n+10 })
		if got, want := h.topRow(t), timeText(syntheticExchange(n+9)); got != want {
			t.Fatalf("after %d new exchanges the top row on screen is from %s, want the newest, %s", n+10-30, got, want)
		}
		if offset := h.tab.list.GetScrollOffset(); offset != 0 {
			t.Fatalf("the list scrolled to %v following the selection; the newest rows are hidden above", offset)
		}
	}
	if h.tab.rowAt(h.tab.selected).id != selectedID {
		t.Fatal("the selection did not follow its exchange")
	}
	if h.tab.newestButton.Visible() {
		t.Fatal("the newest button shows while the newest rows are in view")
	}
}

func TestNewExchangesWaitAboveTheRowsTheUserScrolledTo(t *testing.T) {
	store := openTestHistory(t, 100)
	h := openHistoryTab(t, store, "")
	h.tab.list.ScrollToOffset(10 * h.tab.rowStep)
	reading := screenRows(h.tab.list)
	h.appendExchanges(t, store, 100, 103)
	h.q.WaitFor(t, "the new exchanges", func() bool { return h.tab.list.Length() == 103 })
	if got := screenRows(h.tab.list); !slices.EqualFunc(got, reading, slices.Equal) {
		t.Fatalf("new rows moved what the user reads: the top row went from %q to %q", reading[0], got[0])
	}
	if !h.tab.newestButton.Visible() || h.tab.newestButton.Text != "3 new — show" {
		t.Fatalf("the newest button says %q (shown %v), want %q", h.tab.newestButton.Text, h.tab.newestButton.Visible(), "3 new — show")
	}
	h.appendExchanges(t, store, 103, 105)
	h.q.WaitFor(t, "more new exchanges", func() bool { return h.tab.list.Length() == 105 })
	if h.tab.newestButton.Text != "5 new — show" {
		t.Fatalf("the newest button says %q after two more, want 5 new", h.tab.newestButton.Text)
	}
	test.Tap(h.tab.newestButton)
	if got, want := h.topRow(t), timeText(syntheticExchange(104)); got != want {
		t.Fatalf("after show, the top row is from %s, want the newest, %s", got, want)
	}
	if h.tab.newestButton.Visible() {
		t.Fatal("the newest button stays once they are shown")
	}
}

func TestScrollingBackUpByHandTakesTheNewestButtonAway(t *testing.T) {
	store := openTestHistory(t, 100)
	h := openHistoryTab(t, store, "")
	h.tab.list.ScrollToOffset(10 * h.tab.rowStep)
	h.appendExchanges(t, store, 100, 102)
	h.q.WaitFor(t, "the new exchanges", func() bool { return h.tab.newestButton.Visible() })
	h.tab.list.ScrollToTop()
	if h.tab.newestButton.Visible() {
		t.Fatal("the newest button stays with the newest rows in view")
	}
	h.appendExchanges(t, store, 102, 103)
	h.q.WaitFor(t, "one more", func() bool { return h.tab.list.Length() == 103 })
	if got, want := h.topRow(t), timeText(syntheticExchange(102)); got != want || h.tab.newestButton.Visible() {
		t.Fatalf("back at the top, a new row is not shown on top: top row %s, want %s", got, want)
	}
}

func TestMoreThanAPageArrivingWhileScrolledAwayWaitsForTheUser(t *testing.T) {
	store := openTestHistory(t, 100)
	h := openHistoryTab(t, store, "")
	h.tab.list.ScrollToOffset(10 * h.tab.rowStep)
	reading := screenRows(h.tab.list)
	const more = historyPageSize + 50
	h.appendExchanges(t, store, 100, 100+more)
	h.q.WaitFor(t, "the newest page", func() bool { return h.tab.newestButton.Visible() })
	if got := screenRows(h.tab.list); !slices.EqualFunc(got, reading, slices.Equal) {
		t.Fatal("a flood of new rows replaced what the user reads")
	}
	if want := "200+ new — show"; h.tab.newestButton.Text != want {
		t.Fatalf("the newest button says %q, want %q", h.tab.newestButton.Text, want)
	}
	test.Tap(h.tab.newestButton)
	h.waitLoaded(t)
	h.loadAll(t)
	if got, want := h.times(), expectedTimes(100+more, everything); !slices.Equal(got, want) {
		t.Fatalf("after show: %d rows, want the %d exchanges once each, newest first", len(got), len(want))
	}
	if h.tab.newestButton.Visible() {
		t.Fatal("the newest button stays once they are shown")
	}
}

func TestFloodsWhileScrolledAwayAreCountedOnceAndShownOnReachingTheTop(t *testing.T) {
	store := openTestHistory(t, 100)
	h := openHistoryTab(t, store, "")
	h.tab.list.ScrollToOffset(10 * h.tab.rowStep)
	const more = historyPageSize + 50
	h.appendExchanges(t, store, 100, 100+more)
	h.q.WaitFor(t, "the first flood", func() bool { return h.tab.newestButton.Visible() && !h.tab.refreshing })
	h.appendExchanges(t, store, 100+more, 100+2*more)
	h.q.WaitFor(t, "the second flood", func() bool { return !h.tab.refreshing })
	if want := "200+ new — show"; h.tab.newestButton.Text != want {
		t.Fatalf("after two floods the newest button says %q, want %q: a page found twice is counted once", h.tab.newestButton.Text, want)
	}
	h.tab.list.ScrollToTop() // by hand: the rows there are older than what waits
	h.q.WaitFor(t, "the history listed again", func() bool { return !h.tab.newestButton.Visible() && !h.tab.loading })
	if got, want := h.topRow(t), timeText(syntheticExchange(100+2*more-1)); got != want {
		t.Fatalf("back at the top, the top row is from %s, want the newest, %s", got, want)
	}
}
