package views

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/history"
)

// The bottom pane the History tab lives in: at least this small at the window's least size.
const historyPaneWidth, historyPaneHeight = 660, 170

func TestHistoryTabFitsTheBottomPaneInEveryState(t *testing.T) {
	longError := errors.New(strings.Repeat("the disk under the data directory stopped answering ", 8))
	for _, c := range []struct {
		name    string
		entries int
		set     func(h *historyHarness)
	}{
		{"rows", 300, func(*historyHarness) {}},
		{"an empty history", 0, func(*historyHarness) {}},
		{"no match, with the long advice", 30, func(h *historyHarness) {
			h.tab.filters.device.SetText("SSN0000000000000009")
			h.tab.applyFilters()
			h.waitLoaded(t)
		}},
		{"every filter set", 300, func(h *historyHarness) {
			h.tab.filters.search.SetText("Temperature")
			h.tab.filters.path.SetText("/sensors/temp")
			h.tab.filters.method.SetSelected("GET")
			h.tab.filters.class.SetSelected("4.xx client error")
			h.tab.filters.hideNotifications.SetChecked(true)
			h.waitLoaded(t)
		}},
		{"a long problem", 30, func(h *historyHarness) { h.tab.showQueryProblem(longError) }},
		{"loading, exporting and new rows waiting", 300, func(h *historyHarness) {
			h.tab.loading, h.tab.exporting = true, true
			h.tab.filters.device.SetText("SSN0000000000000002")
			h.tab.showState()
			h.tab.noteNewest(12345, true)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := openHistoryTab(t, openTestHistory(t, c.entries), "")
			c.set(h)
			assertFits(t, "the History tab with "+c.name, h.tab.Object(), historyPaneWidth, historyPaneHeight)
			// Laid out in that pane, every control keeps at least its minimum width.
			h.win.Resize(fyne.NewSize(historyPaneWidth+8, historyPaneHeight+8))
			assertNothingSqueezed(t, h.tab.Object())
		})
	}
	t.Run("no history", func(t *testing.T) {
		h := openHistoryTab(t, nil, "running without history: "+longError.Error())
		assertFits(t, "the History tab without a history", h.tab.Object(), historyPaneWidth, historyPaneHeight)
	})
}

// assertNothingSqueezed fails when a shown button, entry, picker or check under o is laid
// out narrower than it needs, or reaches past o's right edge.
func assertNothingSqueezed(t *testing.T, o fyne.CanvasObject) {
	t.Helper()
	d := fyne.CurrentApp().Driver()
	right := d.AbsolutePositionForObject(o).X + o.Size().Width
	for _, x := range shownObjects(o) {
		switch x.(type) {
		case *widget.Button, *widget.Entry, *widget.Select, *widget.Check:
		default:
			continue
		}
		if x.Size().Width+0.5 < x.MinSize().Width {
			t.Errorf("a %T is %v wide, less than the %v it needs", x, x.Size().Width, x.MinSize().Width)
		}
		if end := d.AbsolutePositionForObject(x).X + x.Size().Width; end > right+0.5 {
			t.Errorf("a %T reaches %v, past the tab's right edge at %v", x, end, right)
		}
	}
}

func TestAt1024EveryFilterAndButtonShowsWhole(t *testing.T) {
	h := openHistoryTab(t, openTestHistory(t, 30), "")
	h.tab.filters.class.SetSelected("4.xx client error")
	h.tab.filters.method.SetSelected("iPATCH")
	h.waitLoaded(t)
	h.win.Resize(fyne.NewSize(1016, 300)) // the bottom pane of a 1024×700 window
	assertNothingSqueezed(t, h.tab.Object())
	for _, s := range []*widget.Select{h.tab.filters.method, h.tab.filters.class} {
		if need := selectWidth([]string{s.Selected}); s.Size().Width+0.5 < need {
			t.Errorf("the picker showing %q is %v wide, less than the %v its text needs", s.Selected, s.Size().Width, need)
		}
	}
	device := h.tab.filters.device
	device.SetText("SSN001350050005E7D6")
	if need := fyne.MeasureText(device.Text, device.Theme().Size("text"), fyne.TextStyle{}).Width; device.Size().Width < need {
		t.Errorf("the device box is %v wide: a device's short name (%v) does not show whole", device.Size().Width, need)
	}
	for _, text := range []string{"Replay", "Export…", "Clear…", "Reload", "Clear filters"} {
		if findButton(h.tab.Object(), text) == nil {
			t.Errorf("no %q button at 1024×700", text)
		}
	}
	if !hasVisibleLabel(h.tab.Object(), historyReplayHint) {
		t.Error("the replay hint is dropped although there is room for it")
	}
	rows := shownColumns(h.tab.heads)
	if want := len(historyHeads); rows != want {
		t.Errorf("%d of the %d columns show at 1024×700", rows, want)
	}
}

// shownColumns counts the column heads on screen.
func shownColumns(heads *fyne.Container) int {
	n := 0
	for _, o := range heads.Objects {
		if o.Visible() {
			n++
		}
	}
	return n
}

func TestAt1920TheListTakesTheRoom(t *testing.T) {
	h := openHistoryTab(t, openTestHistory(t, 300), "")
	h.win.Resize(fyne.NewSize(1608, 458)) // the bottom pane of a 1920×1080 window
	if got := h.tab.list.Size(); got.Width < 1590 || got.Height < 280 {
		t.Fatalf("the list is %v×%v in a 1600×450 pane", got.Width, got.Height)
	}
	path := h.tab.heads.Objects[colPath]
	if w := path.Size().Width; w < 800 {
		t.Fatalf("the path column is %v wide at 1920: it should take the room the others leave", w)
	}
	if rows := len(screenRows(h.tab.list)); rows < 7 {
		t.Fatalf("%d rows on screen in a 450 px pane", rows)
	}
}

func TestInANarrowPaneThePathStaysFirstAndTheDeviceLosesItsMiddle(t *testing.T) {
	h := openHistoryTab(t, openTestHistory(t, 30), "")
	h.win.SetContent(WithTooltips(h.tab.Object()))
	h.win.Resize(fyne.NewSize(historyPaneWidth+8, 300))
	if n := shownColumns(h.tab.heads); n != 5 {
		t.Fatalf("%d columns at 660 px, want path, device, method, code and time", n)
	}
	for _, col := range []int{colRTT, colObserve, colProfile} {
		if h.tab.heads.Objects[col].Visible() {
			t.Fatalf("the %s column still shows at 660 px", historyHeads[col])
		}
	}
	var device *FitLabel
	for _, o := range shownObjects(h.tab.list) {
		if c, ok := o.(*fyne.Container); ok && c.Layout == fyne.Layout(historyColumns) {
			if l := c.Objects[colDevice].(*FitLabel); strings.HasPrefix(l.Text(), "SSN") {
				device = l
				break
			}
		}
	}
	if device == nil {
		t.Fatal("no device row on screen")
	}
	shown, whole := device.Shown(), device.Text()
	if !strings.Contains(shown, "…") || !strings.HasSuffix(shown, whole[len(whole)-4:]) {
		t.Fatalf("the device shows %q of %q: want its middle cut, its tail kept", shown, whole)
	}
	if !strings.HasSuffix(device.Tip, ".sim.starfish.test") || !strings.HasPrefix(device.Tip, whole) {
		t.Fatalf("the device's tooltip is %q, want its whole host name", device.Tip)
	}
}

func TestTheTimeShownIsWhenEachExchangeFinishedInTheListsOrder(t *testing.T) {
	store := openTestHistory(t, 0)
	// A request that waited 30 s for nothing is recorded when it gives up, after the quick
	// answers to requests sent after it.
	slow := syntheticExchange(0)
	slow.RTT = 30 * time.Second
	for i := 1; i <= 5; i++ {
		store.Append(syntheticExchange(i))
	}
	store.Append(slow)
	if err := store.Flush(); err != nil {
		t.Fatal(err)
	}
	h := openHistoryTab(t, store, "")
	times := h.times()
	if times[0] != timeText(slow) || times[0] != slow.Start.Add(30*time.Second).UTC().Format("Jan _2 15:04:05.000") {
		t.Fatalf("the slow exchange, recorded last, shows %s on top, want when it finished", times[0])
	}
	for i := 1; i < len(times); i++ {
		if times[i] > times[i-1] {
			t.Fatalf("row %d finished at %s, after the row above it (%s): the list and its time disagree", i, times[i], times[i-1])
		}
	}
	if h.tab.heads.Objects[colFinished].(*widget.Label).Text != "Finished" {
		t.Fatal("the time column does not say which time it shows")
	}
}

func TestTheCountSaysHowManyMatchOfHowManyAreRecorded(t *testing.T) {
	for _, c := range []struct {
		shown, total    int
		filtered, ended bool
		want            string
	}{
		{114, 114, false, true, "all 114 shown"},
		{200, 1_000_000, false, false, "200 of 1 000 000 shown; scroll for more"},
		{114, 1_000_000, true, true, "114 of 1 000 000 match"},
		{200, 1_000_000, true, false, "200+ of 1 000 000 match; scroll for more"},
		{0, 5, true, true, "0 of 5 match"},
	} {
		if got := historyCountText(c.shown, c.total, c.filtered, c.ended); got != c.want {
			t.Errorf("count %+v says %q, want %q", c, got, c.want)
		}
	}
	const n = 450
	h := openHistoryTab(t, openTestHistory(t, n), "")
	h.tab.filters.hideNotifications.SetChecked(true)
	h.waitLoaded(t)
	if want := fmt.Sprintf("200+ of %d match; scroll for more", n); h.tab.count.Text != want {
		t.Fatalf("a filter matching more than a page says %q, want %q", h.tab.count.Text, want)
	}
	h.loadAll(t)
	matching := len(expectedTimes(n, func(x coapengine.Exchange) bool { return !x.Notification }))
	if want := fmt.Sprintf("%d of %d match", matching, n); h.tab.count.Text != want {
		t.Fatalf("once every match is listed the count says %q, want %q", h.tab.count.Text, want)
	}
}

func TestClearFiltersAppearsWithAFilterAndTakesThemAllAway(t *testing.T) {
	const n = 60
	h := openHistoryTab(t, openTestHistory(t, n), "")
	if h.tab.clearFilters.Visible() {
		t.Fatal("Clear filters shows with no filter set")
	}
	test.Type(h.tab.filters.path, "leds")
	if !h.tab.clearFilters.Visible() {
		t.Fatal("Clear filters does not show while a filter is typed")
	}
	h.tab.filters.class.SetSelected("2.xx success")
	h.tab.filters.hideNotifications.SetChecked(true)
	h.waitLoaded(t)
	before := h.tab.generation
	test.Tap(findButton(h.tab.Object(), "Clear filters"))
	h.waitLoaded(t)
	if got := h.tab.generation - before; got != 1 {
		t.Fatalf("Clear filters ran %d queries, want one", got)
	}
	b := h.tab.filters
	if b.path.Text != "" || b.class.SelectedIndex() != 0 || b.hideNotifications.Checked || h.tab.filter != (history.Filter{}) {
		t.Fatalf("filters left after Clear filters: %+v", h.tab.filter)
	}
	if h.tab.list.Length() != n || h.tab.count.Text != fmt.Sprintf("all %d shown", n) || h.tab.clearFilters.Visible() {
		t.Fatalf("after Clear filters: %d rows, count %q, button shown %v", h.tab.list.Length(), h.tab.count.Text, h.tab.clearFilters.Visible())
	}
	// The pending debounce of the typing above does nothing more.
	time.Sleep(historyDebounce + 50*time.Millisecond)
	h.q.Drain()
	if h.tab.generation != before+1 {
		t.Fatal("a stale debounce queried again after Clear filters")
	}
}

func TestExportSaysWhatItWillWrite(t *testing.T) {
	const n = 450
	h := openHistoryTab(t, openTestHistory(t, n), "")
	if got, want := h.tab.exportScope(), "Export all 450 exchanges"; got != want {
		t.Fatalf("unfiltered, export says %q, want %q", got, want)
	}
	h.tab.filters.hideNotifications.SetChecked(true)
	h.waitLoaded(t)
	if got, want := h.tab.exportScope(), "Export the exchanges matching the filters (200+ of 450)"; got != want {
		t.Fatalf("filtered, partly listed, export says %q, want %q", got, want)
	}
	h.loadAll(t)
	matching := h.tab.rowCount()
	if got, want := h.tab.exportScope(), fmt.Sprintf("Export %d matching exchanges of 450", matching); got != want {
		t.Fatalf("filtered, all listed, export says %q, want %q", got, want)
	}
	test.Tap(findButton(h.tab.Object(), "Export…"))
	top := h.win.Canvas().Overlays().Top()
	if top == nil || !hasVisibleLabel(top, fmt.Sprintf("Export %d matching exchanges of 450 (.jsonl or .csv)", matching)) {
		t.Fatal("the export dialog does not say what it will write")
	}
}
