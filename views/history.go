package views

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/coap-workbench/coap-workbench/internal/human"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/plgd-dev/go-coap/v3/message/codes"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/history"
	"github.com/coap-workbench/coap-workbench/internal/coapfmt"
)

const (
	// historyPageSize is how many entries one query loads.
	historyPageSize = 200
	// historyPrefetch: the next page is asked for when a row this close to the end is shown.
	historyPrefetch = 50
	// historyDebounce is how long typing in a filter box must pause before the list follows.
	historyDebounce = 300 * time.Millisecond
	// historyEmptyText is what the tab says before anything was recorded.
	historyEmptyText = "No exchanges yet: send a request from the composer (Ctrl+Enter) and it appears here."
)

// historyRow is what a row of the history list shows: a compact copy of an exchange, so that
// the pages loaded so far cost a few dozen bytes an entry rather than whole exchanges.
type historyRow struct {
	id           uint64
	finished     time.Time
	rtt          time.Duration
	profile      string
	device       string
	path         string
	method, code codes.Code
	notification bool
	observeSeq   uint32
}

func historyRowOf(x coapengine.Exchange) historyRow {
	return historyRow{id: x.ID, finished: history.Finished(x), rtt: x.RTT, profile: x.Profile, device: x.Device, path: x.Path,
		method: x.Method(), code: x.Code(), notification: x.Notification, observeSeq: x.ObserveSeq}
}

// The history's columns, path first: the path is what tells one exchange from the next. The
// time is when the exchange finished, the order the history is listed in (history.Finished).
const (
	colPath = iota
	colDevice
	colMethod
	colCode
	colRTT
	colObserve
	colFinished
	colProfile
)

// historyHeads name the columns.
var historyHeads = []string{"Path", "Device", "Method", "Code", "RTT", "Observe", "Finished", "Profile"}

// historyColumns lay a row out: the path takes the room the others leave; in a narrow pane
// the profile goes first, then the observe mark, then the RTT (the selected exchange shows
// them all in the inspector), and the device's name loses its middle. Every width is given,
// none taken from a cell, so that the heads and every row line up whatever they say.
var historyColumns = newFitRow(false,
	rowItem{min: 150, want: 280, grow: 1},
	rowItem{min: 110, want: 175},
	rowItem{min: 70, want: 70},
	rowItem{min: 55, want: 55},
	rowItem{min: 70, want: 70, drop: 3},
	rowItem{min: 75, want: 75, drop: 2},
	rowItem{min: 150, want: 150},
	rowItem{min: 90, want: 90, drop: 1},
)

// cells is the row's text, column by column, with its time in loc.
func (r historyRow) cells(loc *time.Location) []string {
	device, code, rtt, mark := human.ShortHost(r.device), "—", "", ""
	if r.device == "" {
		device = "(gateway)"
	}
	if r.code != 0 {
		code, rtt = coapfmt.CodeString(r.code), human.RTT(r.rtt)
	}
	if r.notification {
		mark = fmt.Sprintf("#%d", r.observeSeq)
	}
	return []string{r.path, device, coapengine.MethodName(r.method), code, rtt, mark, r.finished.In(loc).Format("Jan _2 15:04:05.000"), r.profile}
}

// codeImportance colours a response code by its class.
func codeImportance(c codes.Code) widget.Importance {
	switch history.ClassOf(c) {
	case history.Success:
		return widget.SuccessImportance
	case history.ClientError:
		return widget.WarningImportance
	case history.ServerError, history.NoResponse:
		return widget.DangerImportance
	}
	return widget.MediumImportance
}

// listTabOptions are what tests of the History and Log tabs change: how work done on other
// goroutines reaches the main goroutine (fyne.Do, or a test's queue), and the time zone of
// the time column.
type listTabOptions struct {
	do       func(func())
	location *time.Location
}

// HistoryTab lists the recorded exchanges newest first, page by page as the user scrolls,
// with filters, replay, export and clearing. New exchanges appear on top while the user
// looks at the top; once the user has scrolled down they wait above, counted on a button
// that brings them back.
type HistoryTab struct {
	store              *history.Store
	win                fyne.Window
	onSelect, onReplay func(coapengine.Exchange)
	opts               listTabOptions

	root           fyne.CanvasObject
	list           *widget.List
	rowStep        float32 // a row's height with its separator
	filters        historyFilterBar
	heads          *fyne.Container
	empty, count   *widget.Label
	emptyBox       *container.Scroll
	status         *widget.Label
	problem        *widget.Label
	problemBox     *container.Scroll
	bar            *fitRow
	barBox         *fyne.Container
	replay         *widget.Button
	replayHint     *widget.Label
	clearFilters   *widget.Button
	newestButton   *widget.Button
	newestWaiting  int  // new rows above the viewport since the user scrolled away
	newestGap      bool // more arrived than a page: showing them starts the list over
	newestUnlisted int  // with newestGap: the page of them found, not listed

	resettingFilters bool // Clear filters changes the boxes: no query until it is done

	// The rest is the listing's state, touched only on the main goroutine. Rows are in two
	// slices so that both new exchanges (on top) and older pages (at the end) are appended:
	// newer holds the rows that arrived since the query, newest last; older the pages, newest
	// first.
	newer, older []historyRow
	next         uint64 // the "before" of the next page
	ended        bool   // no older entries match
	failed       bool   // the last query failed: no more pages until a reload
	total        int    // entries in the history, matching or not, as of the last page
	loading      bool
	exporting    bool
	refreshing   bool // a query for new exchanges runs
	replacing    bool // a query from the newest entry runs
	refreshAgain bool // more exchanges were added while it ran
	lastRefresh  time.Time
	refreshLater bool // a spaced refresh is scheduled
	skipped      int  // damaged entries passed over
	generation   uint64
	cancel       context.CancelFunc
	query        context.Context
	filter       history.Filter
	selected     widget.ListItemID // -1: none
	shifting     bool              // the selection is moved to follow its row
	selection    uint64            // counts selections, so that a slow Get does not undo a later one
	knownDevices map[string]string // short name (lower case) → host, from the rows seen
}

// NewHistoryTab builds the History tab over store. With a nil store it says why there is no
// history (notice) and what to do. onSelect receives the exchange of the row the user
// selects, onReplay the one the user asks to send again; win is the parent of its dialogs.
func NewHistoryTab(store *history.Store, notice string, win fyne.Window, onSelect func(coapengine.Exchange), onReplay func(coapengine.Exchange)) *HistoryTab {
	return newHistoryTab(store, notice, win, onSelect, onReplay, listTabOptions{do: fyne.Do, location: time.Local})
}

// barCount is the count's place in the bar under the list (after the status): its preferred
// width follows its text, and it gives way first; the replay hint is dropped when the
// buttons need its room.
const barCount = 1

func newHistoryTab(store *history.Store, notice string, win fyne.Window, onSelect, onReplay func(coapengine.Exchange), opts listTabOptions) *HistoryTab {
	t := &HistoryTab{store: store, win: win, onSelect: onSelect, onReplay: onReplay, opts: opts, selected: -1, knownDevices: map[string]string{}}
	if store == nil {
		t.root = historyUnavailable(notice)
		return t
	}
	t.list = widget.NewList(t.rowCount, newHistoryRow, t.updateRow)
	t.list.OnSelected = t.rowSelected
	t.list.OnUnselected = t.rowUnselected
	t.rowStep = newHistoryRow().MinSize().Height + theme.Padding()

	t.filters = newHistoryFilterBar(t.filterEdited, t.applyFilters)
	t.heads = newHistoryHeads()
	t.empty = widget.NewLabel("")
	t.empty.Alignment = fyne.TextAlignCenter
	t.empty.Wrapping = fyne.TextWrapWord
	t.emptyBox = container.NewVScroll(container.NewPadded(t.empty))
	t.showEmpty("")
	t.count = widget.NewLabel("")
	t.count.Truncation = fyne.TextTruncateEllipsis
	t.status = widget.NewLabel("loading…")
	t.status.Importance = widget.LowImportance
	t.problem = widget.NewLabel("")
	t.problem.Importance = widget.DangerImportance
	t.problem.Wrapping = fyne.TextWrapWord
	t.problemBox = container.NewVScroll(t.problem)
	t.hideProblem()

	t.newestButton = widget.NewButtonWithIcon("", theme.MoveUpIcon(), t.showNewest)
	t.newestButton.Importance = widget.HighImportance
	t.newestButton.Hide()
	t.clearFilters = widget.NewButtonWithIcon("Clear filters", theme.ContentClearIcon(), t.resetFilters)
	t.clearFilters.Hide()
	t.replay = widget.NewButtonWithIcon("Replay", theme.MediaReplayIcon(), t.replaySelected)
	t.replay.Disable()
	t.replayHint = widget.NewLabel(historyReplayHint)
	t.replayHint.Importance = widget.LowImportance
	t.bar = newFitRow(true, rowItem{}, rowItem{min: 60, grow: 1}, rowItem{}, rowItem{drop: 1})
	t.barBox = container.New(t.bar, t.status, t.count, t.clearFilters, t.replayHint, t.replay,
		widget.NewButtonWithIcon("Export…", theme.DocumentSaveIcon(), t.chooseExport),
		widget.NewButtonWithIcon("Clear…", theme.DeleteIcon(), t.confirmClear),
		widget.NewButtonWithIcon("Reload", theme.ViewRefreshIcon(), t.Reload))

	newest := container.NewVBox(container.NewCenter(t.newestButton))
	listing := container.NewStack(t.list, t.emptyBox, newest)
	center := container.New(noteBelow{}, listing, t.problemBox)
	t.root = container.NewBorder(container.NewVBox(t.filters.object, t.heads), t.barBox, nil, nil, center)
	t.Reload()
	return t
}

// historyReplayHint says what Replay needs.
const historyReplayHint = "select an exchange to replay it"

// historyUnavailable is the tab's content when there is no history: why, and what to do.
func historyUnavailable(notice string) fyne.CanvasObject {
	if notice == "" {
		notice = "The history could not be opened."
	}
	why := widget.NewLabel(notice)
	why.Wrapping = fyne.TextWrapWord
	why.Importance = widget.WarningImportance
	what := widget.NewLabel("Exchanges are not recorded in this window. Requests still work; to keep and browse them, remove the cause above and start the workbench again.")
	what.Wrapping = fyne.TextWrapWord
	title := widget.NewLabelWithStyle("No history", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	return container.NewVScroll(container.NewVBox(title, why, what))
}

// newHistoryRow is a row of the list: the path and the device cut their middle to fit (the
// device's whole host name in its tooltip), the profile and the observe mark their end. The
// other columns are wide enough for any of their texts: only the cells that can outgrow
// their column truncate, as truncating shapes the text again on every update.
func newHistoryRow() fyne.CanvasObject {
	cells := make([]fyne.CanvasObject, len(historyHeads))
	for i := range cells {
		switch i {
		case colPath, colDevice:
			cells[i] = NewFitLabel("")
		default:
			l := widget.NewLabel("")
			if i == colProfile || i == colObserve {
				l.Truncation = fyne.TextTruncateEllipsis
			}
			cells[i] = l
		}
	}
	return container.New(historyColumns, cells...)
}

// newHistoryHeads is the row of column names above the list, laid out as its rows.
func newHistoryHeads() *fyne.Container {
	cells := make([]fyne.CanvasObject, len(historyHeads))
	for i, text := range historyHeads {
		cells[i] = widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	return container.New(historyColumns, cells...)
}

// setCellText shows text in a cell of a history row.
func setCellText(o fyne.CanvasObject, text string) {
	if l, ok := o.(*FitLabel); ok {
		l.SetText(text)
		return
	}
	o.(*widget.Label).SetText(text)
}

// Object is the tab's root object.
func (t *HistoryTab) Object() fyne.CanvasObject { return t.root }

// FocusSearch puts the keyboard focus in the search box.
func (t *HistoryTab) FocusSearch() {
	if t.store == nil || t.win == nil {
		return
	}
	t.win.Canvas().Focus(t.filters.search)
}

func (t *HistoryTab) rowCount() int { return len(t.newer) + len(t.older) }

// rowAt is the id-th row from the top.
func (t *HistoryTab) rowAt(id widget.ListItemID) historyRow {
	if id < len(t.newer) {
		return t.newer[len(t.newer)-1-id]
	}
	return t.older[id-len(t.newer)]
}

func (t *HistoryTab) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= t.rowCount()-historyPrefetch {
		t.loadMore()
	}
	if id >= t.rowCount() {
		return
	}
	if id == 0 {
		t.sawTop() // the newest row came into view
	}
	r := t.rowAt(id)
	cells := o.(*fyne.Container).Objects
	cells[colCode].(*widget.Label).Importance = codeImportance(r.code)
	cells[colDevice].(*FitLabel).Tip = r.device
	for i, text := range r.cells(t.opts.location) {
		setCellText(cells[i], text)
	}
}

// historyCountText says how many rows are shown of how many match, out of the total the
// history holds (kept by the store, so it costs nothing to know). Without filters every
// entry matches; with them, the matches are known only once the listing ended.
func historyCountText(shown, total int, filtered, ended bool) string {
	n, m := human.Thousands(shown), human.Thousands(total)
	switch {
	case !filtered && ended:
		return fmt.Sprintf("all %s shown", n)
	case !filtered && total > shown:
		return fmt.Sprintf("%s of %s shown; scroll for more", n, m)
	case !filtered:
		return fmt.Sprintf("%s shown; scroll for more", n)
	case ended:
		return fmt.Sprintf("%s of %s match", n, m)
	}
	return fmt.Sprintf("%s+ of %s match; scroll for more", n, m)
}

// showState says how many rows are shown and whether more are coming.
func (t *HistoryTab) showState() {
	n := t.rowCount()
	count := ""
	if !t.loading || n > 0 {
		count = historyCountText(n, t.total, t.filter != history.Filter{}, t.ended)
	}
	if t.skipped > 0 {
		count = fmt.Sprintf("%s (%s skipped)", count, human.Count(t.skipped, "damaged entry", "damaged entries"))
	}
	t.count.SetText(count)
	t.bar.items[barCount].want = fyne.MeasureText(count, theme.TextSize(), fyne.TextStyle{}).Width + 2*theme.InnerPadding()
	switch {
	case t.loading:
		t.status.SetText("loading…")
		t.status.Show()
	case t.exporting:
		t.status.SetText("exporting…")
		t.status.Show()
	default:
		t.status.Hide()
	}
	t.showClearFilters()
	switch {
	case n > 0 || t.loading || t.failed:
		t.showEmpty("")
	case t.filter == (history.Filter{}):
		t.showEmpty(historyEmptyText)
	case t.filter.Device != "" && !strings.Contains(t.filter.Device, "."):
		// A short name is completed only from the rows seen, and this device has none yet.
		t.showEmpty("No exchange matches these filters. Try the device's full host name (SSN….domain).")
	default:
		t.showEmpty("No exchange matches these filters.")
	}
}

// showEmpty puts text over the empty list, or hides it when text is "".
func (t *HistoryTab) showEmpty(text string) {
	if text == "" {
		t.empty.Hide()
		t.emptyBox.Hide()
		return
	}
	t.empty.SetText(text)
	t.empty.Show()
	t.emptyBox.Show()
}

// showProblem says in the tab what went wrong, under the list (scrolling when long).
func (t *HistoryTab) showProblem(text string) {
	t.problem.SetText(text)
	t.problem.Show()
	t.problemBox.Show()
	t.problemBox.ScrollToTop()
	t.showState()
}

// hideProblem takes a reported problem away.
func (t *HistoryTab) hideProblem() {
	t.problem.Hide()
	t.problemBox.Hide()
}

// showQueryProblem says that a listing failed.
func (t *HistoryTab) showQueryProblem(err error) {
	t.showProblem(fmt.Sprintf("The history could not be read: %v. Press Reload to try again.", err))
}

// rememberDevice notes a device's short name, so that a device filter can be typed short.
func (t *HistoryTab) rememberDevice(host string) {
	if host != "" {
		t.knownDevices[strings.ToLower(human.ShortHost(host))] = strings.ToLower(host)
	}
}
