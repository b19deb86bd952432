package views

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/history"
	"github.com/coap-workbench/coap-workbench/internal/uiqueue"
)

var (
	testDevices = []string{"SSN0000000000000001.sim.starfish.test", "SSN0000000000000002.sim.starfish.test", "SSN0000000000000003.sim.starfish.test", ""}
	testPaths   = []string{"/sensors/temp", "/config/name", "/status?verbose=1", "/fw/version", "/leds/1"}
	testCodes   = []codes.Code{codes.Content, codes.Changed, codes.NotFound, codes.ServiceUnavailable, 0}
	testMethods = []codes.Code{codes.GET, codes.PUT, codes.POST}
	testStart   = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
)

// syntheticExchange is the i-th exchange of the tests' histories: the fields vary with i at
// different periods, so that filters pick out mixed sets.
func syntheticExchange(i int) coapengine.Exchange {
	x := coapengine.Exchange{
		Profile: "field", Device: testDevices[i%4], Path: testPaths[(i/2)%5],
		Request: coapengine.MessageRecord{Code: testMethods[i%3], Type: "CON"},
		Start:   testStart.Add(time.Duration(i)*time.Second + time.Duration(i%1000)*time.Millisecond),
		RTT:     time.Duration(i%40+1) * time.Millisecond, Notification: i%7 == 0, ObserveSeq: uint32(i),
	}
	if i%5 == 4 {
		x.Profile = "lab"
	}
	x.URI = "coap://" + x.Device + x.Path
	if code := testCodes[(i/3)%5]; code != 0 {
		payload := "ok"
		if i%6 == 0 {
			payload = fmt.Sprintf("Temperature %d.5 C", 20+i%10)
		}
		textPlain := coapengine.OptionRecord{Number: uint16(message.ContentFormat), Name: "Content-Format"}
		x.Response = &coapengine.MessageRecord{Code: code, Type: "ACK", Options: []coapengine.OptionRecord{textPlain}, Payload: []byte(payload)}
		x.AnsweredBy = coapengine.AnsweredByDevice
	} else {
		x.Err = "no answer within 5 s"
	}
	return x
}

// timeText is the time column of x as the tests expect to read it: when x finished.
func timeText(x coapengine.Exchange) string {
	return x.Start.Add(x.RTT).UTC().Format("Jan _2 15:04:05.000")
}

// openTestHistory is a history of n synthetic exchanges (0 to n-1, n-1 the newest).
func openTestHistory(t testing.TB, n int) *history.Store {
	t.Helper()
	store, _, err := history.Open(t.TempDir(), history.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	for i := range n {
		store.Append(syntheticExchange(i))
	}
	if err := store.Flush(); err != nil {
		t.Fatal(err)
	}
	return store
}

// expectedTimes is the time column the tab should show for the exchanges 0 to n-1 that
// keep holds, newest first.
func expectedTimes(n int, keep func(coapengine.Exchange) bool) []string {
	var out []string
	for i := n - 1; i >= 0; i-- {
		if x := syntheticExchange(i); keep(x) {
			out = append(out, timeText(x))
		}
	}
	return out
}

type historyHarness struct {
	tab      *HistoryTab
	win      fyne.Window
	q        *uiqueue.Queue
	selected []coapengine.Exchange
	replayed []coapengine.Exchange
}

// openHistoryTab shows a History tab over store in a test window, and waits for its first
// page.
func openHistoryTab(t testing.TB, store *history.Store, notice string) *historyHarness {
	t.Helper()
	test.NewTempApp(t)
	h := &historyHarness{q: uiqueue.New(), win: test.NewWindow(nil)}
	t.Cleanup(h.win.Close)
	h.tab = newHistoryTab(store, notice, h.win,
		func(x coapengine.Exchange) { h.selected = append(h.selected, x) },
		func(x coapengine.Exchange) { h.replayed = append(h.replayed, x) },
		listTabOptions{do: h.q.Do, location: time.UTC})
	h.win.SetContent(h.tab.Object())
	h.win.Resize(fyne.NewSize(1200, 600))
	if store != nil {
		h.waitLoaded(t)
	}
	return h
}

func (h *historyHarness) waitLoaded(t testing.TB) {
	t.Helper()
	h.q.WaitFor(t, "the history to load", func() bool { return !h.tab.loading })
}

// loadAll scrolls to the end until every matching entry is loaded.
func (h *historyHarness) loadAll(t testing.TB) {
	t.Helper()
	for !h.tab.ended {
		h.tab.list.ScrollToBottom()
		h.waitLoaded(t)
	}
}

// times is the time column of every row of the list, top to bottom.
func (h *historyHarness) times() []string {
	out := make([]string, h.tab.list.Length())
	row := newHistoryRow().(*fyne.Container)
	for i := range out {
		h.tab.list.UpdateItem(i, row)
		out[i] = cellText(row.Objects[colFinished])
	}
	return out
}

// cellText is the whole text of a cell of a history row.
func cellText(o fyne.CanvasObject) string {
	if l, ok := o.(*FitLabel); ok {
		return l.Text()
	}
	return o.(*widget.Label).Text
}

// shownObjects is o and what it shows, leaving hidden objects out. Unlike
// test.LaidOutObjects it uses the widgets' own renderers: a new renderer would detach a
// list from its scroller.
func shownObjects(o fyne.CanvasObject) []fyne.CanvasObject {
	if o == nil || !o.Visible() {
		return nil
	}
	out := []fyne.CanvasObject{o}
	var children []fyne.CanvasObject
	switch c := o.(type) {
	case fyne.Widget:
		children = test.WidgetRenderer(c).Objects()
	case *fyne.Container:
		children = c.Objects
	}
	for _, child := range children {
		out = append(out, shownObjects(child)...)
	}
	return out
}

// screenRows is the text of the rows on screen, top to bottom (of the History or the Log tab).
func screenRows(list *widget.List) [][]string {
	var rows [][]string
	for _, o := range shownObjects(list) {
		c, ok := o.(*fyne.Container)
		if !ok {
			continue
		}
		if _, columns := c.Layout.(*columnsLayout); !columns && c.Layout != fyne.Layout(historyColumns) {
			continue
		}
		var cells []string
		for _, cell := range c.Objects {
			cells = append(cells, cellText(cell))
		}
		rows = append(rows, cells)
	}
	return rows
}

// findButton is the shown button labelled text under o.
func findButton(o fyne.CanvasObject, text string) *widget.Button {
	for _, x := range shownObjects(o) {
		if b, ok := x.(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	return nil
}

// hasVisibleLabel reports whether a shown label under o says text.
func hasVisibleLabel(o fyne.CanvasObject, text string) bool {
	for _, x := range shownObjects(o) {
		if l, ok := x.(*widget.Label); ok && l.Text == text {
			return true
		}
	}
	return false
}

func TestHistoryTabShowsTheNewestExchangesFirstInColumns(t *testing.T) {
	store := openTestHistory(t, 30)
	h := openHistoryTab(t, store, "")
	rows := screenRows(h.tab.list)
	if len(rows) < 10 {
		t.Fatalf("%d rows on screen, want a screenful", len(rows))
	}
	for i, want := range [][]string{
		{"/leds/1", "SSN0000000000000002", "POST", "—", "", "", "Mar 14 09:00:29.059", "lab"},
		{"/leds/1", "SSN0000000000000001", "PUT", "—", "", "#28", "Mar 14 09:00:28.057", "field"},
		{"/fw/version", "(gateway)", "GET", "—", "", "", "Mar 14 09:00:27.055", "field"},
		{"/fw/version", "SSN0000000000000003", "POST", "5.03", "27 ms", "", "Mar 14 09:00:26.053", "field"},
	} {
		if got := rows[i]; !slices.Equal(got, want) {
			t.Fatalf("row %d: %q\nwant    %q", i, got, want)
		}
	}
	if h.tab.count.Text != "all 30 shown" {
		t.Fatalf("count says %q, want %q", h.tab.count.Text, "all 30 shown")
	}
	if h.tab.status.Visible() {
		t.Fatal("still says loading after the page arrived")
	}
}

func TestHistoryTabSaysWhyThereIsNoHistory(t *testing.T) {
	notice := "running without history: the history is in use by another running workbench"
	h := openHistoryTab(t, nil, notice)
	for _, text := range []string{"No history", notice} {
		if !hasVisibleLabel(h.tab.Object(), text) {
			t.Fatalf("%q is not shown", text)
		}
	}
	if !hasVisibleLabel(h.tab.Object(), "Exchanges are not recorded in this window. Requests still work; to keep and browse them, remove the cause above and start the workbench again.") {
		t.Fatal("the tab does not say what to do")
	}
	h.tab.Reload()
	h.tab.ExchangesAdded(1)
	h.tab.FocusSearch()
}

func TestHistoryTabSaysHowToFillAnEmptyHistory(t *testing.T) {
	store := openTestHistory(t, 0)
	h := openHistoryTab(t, store, "")
	if !hasVisibleLabel(h.tab.Object(), historyEmptyText) {
		t.Fatalf("an empty history does not say %q", historyEmptyText)
	}
	if h.tab.count.Text != "all 0 shown" {
		t.Fatalf("count says %q", h.tab.count.Text)
	}
	store.Append(syntheticExchange(0))
	if err := store.Flush(); err != nil {
		t.Fatal(err)
	}
	h.tab.ExchangesAdded(1)
	h.q.WaitFor(t, "the first exchange", func() bool { return h.tab.list.Length() == 1 })
	if h.tab.empty.Visible() {
		t.Fatal("the empty-history text stays over the first exchange")
	}
}

func TestHistoryTabReportsAFailedQueryInPlainWords(t *testing.T) {
	store := openTestHistory(t, 5)
	h := openHistoryTab(t, store, "")
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	h.tab.Reload()
	h.waitLoaded(t)
	if !h.tab.problem.Visible() || !strings.HasPrefix(h.tab.problem.Text, "The history could not be read: ") || !strings.HasSuffix(h.tab.problem.Text, "Press Reload to try again.") {
		t.Fatalf("a failed query says %q (shown %v)", h.tab.problem.Text, h.tab.problem.Visible())
	}
}

func TestHistoryTabFocusSearchFocusesTheSearchBox(t *testing.T) {
	h := openHistoryTab(t, openTestHistory(t, 1), "")
	h.tab.FocusSearch()
	if h.win.Canvas().Focused() != h.tab.filters.search {
		t.Fatal("the search box does not have the focus")
	}
}

func TestHistoryTabRendersItsLayout(t *testing.T) {
	store := openTestHistory(t, 6)
	h := openHistoryTab(t, store, "")
	h.win.Resize(fyne.NewSize(1200, 420))
	// Lay out again what changed size, as a frame of the real driver does.
	h.win.Content().Refresh()
	test.AssertRendersToMarkup(t, "history_tab.xml", h.win.Canvas())
}

// BenchmarkHistoryTabFirstPage100k opens the History tab over a history of 100 000 entries
// and measures the time until its first page is on screen.
func BenchmarkHistoryTabFirstPage100k(b *testing.B) {
	store := openTestHistory(b, 100_000)
	test.NewTempApp(b)
	b.ReportAllocs()
	for b.Loop() {
		q := uiqueue.New()
		w := test.NewWindow(nil)
		tab := newHistoryTab(store, "", w, nil, nil, listTabOptions{do: q.Do, location: time.UTC})
		w.SetContent(tab.Object())
		w.Resize(fyne.NewSize(1200, 600))
		for tab.loading {
			q.Drain()
			time.Sleep(50 * time.Microsecond)
		}
		if len(screenRows(tab.list)) == 0 {
			b.Fatal("no rows on screen")
		}
		w.Close()
	}
}

// BenchmarkHistoryTabScrollAll100k opens a 100 000-entry history and scrolls the tab to its
// end, loading every page, as a user holding the End key would (ns/op over pages: the time a
// page costs). Memory is not reported here: the test driver never empties Fyne's renderer
// cache, which the desktop driver does as it paints.
func BenchmarkHistoryTabScrollAll100k(b *testing.B) {
	store := openTestHistory(b, 100_000)
	test.NewTempApp(b)
	for b.Loop() {
		h := openHistoryTab(b, store, "")
		steps := 0
		for !h.tab.ended {
			h.tab.list.ScrollToBottom()
			h.waitLoaded(b)
			steps++
		}
		if h.tab.rowCount() != 100_000 {
			b.Fatalf("%d rows loaded", h.tab.rowCount())
		}
		b.ReportMetric(float64(steps), "pages")
	}
}
