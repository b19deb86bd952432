package views

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/plgd-dev/go-coap/v3/message/codes"

	"github.com/coap-workbench/coap-workbench/coapengine"
)

func TestHistoryTabSelectingARowHandsOverItsExchangeAndReplaysIt(t *testing.T) {
	const n = 40
	store := openTestHistory(t, n)
	h := openHistoryTab(t, store, "")
	replay := findButton(h.tab.Object(), "Replay")
	if replay == nil || !replay.Disabled() || !hasVisibleLabel(h.tab.Object(), "select an exchange to replay it") {
		t.Fatal("with nothing selected, Replay should be disabled with a hint")
	}
	h.tab.list.Select(5)
	h.q.WaitFor(t, "the selected exchange", func() bool { return len(h.selected) == 1 })
	want := syntheticExchange(n - 1 - 5)
	got := h.selected[0]
	if got.ID == 0 || !got.Start.Equal(want.Start) || got.URI != want.URI || got.Summary() != want.Summary() {
		t.Fatalf("selected %d %s at %v, want %s at %v", got.ID, got.Summary(), got.Start, want.Summary(), want.Start)
	}
	if replay.Disabled() || hasVisibleLabel(h.tab.Object(), "select an exchange to replay it") {
		t.Fatal("Replay stays disabled with a row selected")
	}
	test.Tap(replay)
	h.q.WaitFor(t, "the replayed exchange", func() bool { return len(h.replayed) == 1 })
	if h.replayed[0].ID != got.ID {
		t.Fatalf("replayed entry %d, want the selected %d", h.replayed[0].ID, got.ID)
	}

	// New exchanges go on top; the selection follows its exchange without selecting again.
	for i := n; i < n+3; i++ {
		store.Append(syntheticExchange(i))
	}
	if err := store.Flush(); err != nil {
		t.Fatal(err)
	}
	h.tab.ExchangesAdded(3)
	h.q.WaitFor(t, "the new exchanges", func() bool { return h.tab.list.Length() == n+3 })
	if got, want := h.times(), expectedTimes(n+3, everything); !slices.Equal(got, want) {
		t.Fatalf("rows after new exchanges %q..., want %q...", head(got), head(want))
	}
	if h.tab.selected != 8 || h.tab.rowAt(h.tab.selected).id != got.ID {
		t.Fatalf("selection is row %d, want row 8, still entry %d", h.tab.selected, got.ID)
	}
	if len(h.selected) != 1 {
		t.Fatalf("the selection was handed over %d times, want once", len(h.selected))
	}
	if want := "all 43 shown"; h.tab.count.Text != want {
		t.Fatalf("count says %q, want %q", h.tab.count.Text, want)
	}
}

func TestHistoryTabClearDeletesEverythingAfterConfirmation(t *testing.T) {
	store := openTestHistory(t, 25)
	h := openHistoryTab(t, store, "")
	test.Tap(findButton(h.tab.Object(), "Clear…"))
	var confirm *widget.Button
	h.q.WaitFor(t, "the confirmation", func() bool {
		if top := h.win.Canvas().Overlays().Top(); top != nil {
			confirm = findButton(top, "Delete")
		}
		return confirm != nil
	})
	if !hasVisibleLabel(h.win.Canvas().Overlays().Top(), "Delete all 25 exchanges from the history? This cannot be undone.") {
		t.Fatal("the confirmation does not say how many exchanges go")
	}
	test.Tap(confirm)
	h.q.WaitFor(t, "the history to empty", func() bool { return !h.tab.loading && h.tab.list.Length() == 0 })
	if n, err := store.Count(); err != nil || n != 0 {
		t.Fatalf("the store holds %d entries (%v) after Clear", n, err)
	}
	if !h.tab.empty.Visible() || h.tab.empty.Text != historyEmptyText {
		t.Fatalf("an emptied history says %q (shown %v), want %q", h.tab.empty.Text, h.tab.empty.Visible(), historyEmptyText)
	}
}

func TestHistoryTabKeepsTheHistoryWhenClearIsDeclined(t *testing.T) {
	store := openTestHistory(t, 3)
	h := openHistoryTab(t, store, "")
	test.Tap(findButton(h.tab.Object(), "Clear…"))
	var keep *widget.Button
	h.q.WaitFor(t, "the confirmation", func() bool {
		if top := h.win.Canvas().Overlays().Top(); top != nil {
			keep = findButton(top, "Keep")
		}
		return keep != nil
	})
	test.Tap(keep)
	h.q.Drain()
	if n, _ := store.Count(); n != 3 || h.tab.list.Length() != 3 {
		t.Fatalf("declining Clear left %d entries and %d rows, want 3", n, h.tab.list.Length())
	}
}

func TestHistoryTabExportsTheFilteredEntries(t *testing.T) {
	const n = 60
	store := openTestHistory(t, n)
	h := openHistoryTab(t, store, "")
	h.tab.filters.class.SetSelected("5.xx server error")
	h.waitLoaded(t)
	path := filepath.Join(t.TempDir(), "errors.csv")
	w, err := storage.Writer(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	h.tab.exportTo(w)
	want := len(expectedTimes(n, func(x coapengine.Exchange) bool {
		return x.Response != nil && x.Response.Code == codes.ServiceUnavailable
	}))
	message := fmt.Sprintf("%d exchanges written to %s (CSV).", want, path)
	h.q.WaitFor(t, "the export's report", func() bool {
		top := h.win.Canvas().Overlays().Top()
		return top != nil && hasVisibleLabel(top, message)
	})
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != want+1 {
		t.Fatalf("the file holds %d rows, want a header and %d exchanges", len(records), want)
	}
	for _, r := range records[1:] {
		if r[7] != "5.03" {
			t.Fatalf("exported a %s answer, want only the 5.xx of the filter", r[7])
		}
	}
}
