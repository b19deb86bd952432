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
	start        time.Time
	rtt          time.Duration
	profile      string
	device       string
	path         string
	method, code codes.Code
	notification bool
	observeSeq   uint32
}

func historyRowOf(x coapengine.Exchange) historyRow {
	return historyRow{id: x.ID, start: x.Start, rtt: x.RTT, profile: x.Profile, device: x.Device, path: x.Path,
		method: x.Method(), code: x.Code(), notification: x.Notification, observeSeq: x.ObserveSeq}
}

// historyColumns are the widths of time, profile, method, device, code, RTT and the observe
// mark; the path, the column whose length varies most, takes the rest.
var historyColumns = []float32{160, 90, 75, 185, 60, 75, 80}

// historyHeads name the columns.
var historyHeads = []string{"Time", "Profile", "Method", "Device", "Code", "RTT", "Observe", "Path"}

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
	return []string{r.start.In(loc).Format("Jan _2 15:04:05.000"), r.profile, coapengine.MethodName(r.method), device, code, rtt, mark, r.path}
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
// with filters, replay, export and clearing.
type HistoryTab struct {
	store              *history.Store
	win                fyne.Window
	onSelect, onReplay func(coapengine.Exchange)
	opts               listTabOptions

	root                 fyne.CanvasObject
	list                 *widget.List
	rowStep              float32 // a row's height with its separator
	filters              historyFilterBar
	empty, count, status *widget.Label
	problem              *widget.Label
	replay               *widget.Button
	replayHint           *widget.Label

	// The rest is the listing's state, touched only on the main goroutine. Rows are in two
	// slices so that both new exchanges (on top) and older pages (at the end) are appended:
	// newer holds the rows that arrived since the query, newest last; older the pages, newest
	// first.
	newer, older []historyRow
	next         uint64 // the "before" of the next page
	ended        bool   // no older entries match
	failed       bool   // the last query failed: no more pages until a reload
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
	heads := newHistoryRow().(*fyne.Container)
	for i, text := range historyHeads {
		l := heads.Objects[i].(*widget.Label)
		l.SetText(text)
		l.TextStyle = fyne.TextStyle{Bold: true}
	}
	t.empty = widget.NewLabel("")
	t.empty.Alignment = fyne.TextAlignCenter
	t.empty.Wrapping = fyne.TextWrapWord
	t.empty.Hide()
	t.count = widget.NewLabel("")
	t.status = widget.NewLabel("loading…")
	t.status.Importance = widget.LowImportance
	t.problem = widget.NewLabel("")
	t.problem.Importance = widget.DangerImportance
	t.problem.Wrapping = fyne.TextWrapWord
	t.problem.Hide()

	t.replay = widget.NewButtonWithIcon("Replay", theme.MediaReplayIcon(), t.replaySelected)
	t.replay.Disable()
	t.replayHint = widget.NewLabel("select an exchange to replay it")
	t.replayHint.Importance = widget.LowImportance
	buttons := container.NewHBox(t.replayHint, t.replay,
		widget.NewButtonWithIcon("Export…", theme.DocumentSaveIcon(), t.chooseExport),
		widget.NewButtonWithIcon("Clear…", theme.DeleteIcon(), t.confirmClear),
		widget.NewButtonWithIcon("Reload", theme.ViewRefreshIcon(), t.Reload))
	bottom := container.NewVBox(t.problem, container.NewBorder(nil, nil, container.NewHBox(t.count, t.status), buttons))
	center := container.NewStack(t.list, container.NewPadded(container.NewVBox(t.empty)))
	t.root = container.NewBorder(container.NewVBox(t.filters.object, heads), bottom, nil, nil, center)
	t.Reload()
	return t
}

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
	return container.NewVBox(title, why, what)
}

// historyOpenEnded marks the columns whose text can outgrow them (profile, device, path):
// only those truncate, as truncating shapes the text again on every update.
var historyOpenEnded = []bool{1: true, 3: true, 7: true}

func newHistoryRow() fyne.CanvasObject {
	return newLabelRow(historyColumns, func(i int) bool { return historyOpenEnded[i] })
}

// newLabelRow is a row of labels in columns of the given widths, one label more than widths
// (the last takes the rest); the labels that truncate says may end in an ellipsis.
func newLabelRow(widths []float32, truncate func(column int) bool) fyne.CanvasObject {
	cells := make([]fyne.CanvasObject, len(widths)+1)
	for i := range cells {
		l := widget.NewLabel("")
		if truncate(i) {
			l.Truncation = fyne.TextTruncateEllipsis
		}
		cells[i] = l
	}
	return container.New(newColumnsLayout(widths...), cells...)
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
	r := t.rowAt(id)
	cells := o.(*fyne.Container).Objects
	cells[4].(*widget.Label).Importance = codeImportance(r.code)
	for i, text := range r.cells(t.opts.location) {
		cells[i].(*widget.Label).SetText(text)
	}
}

// showState says how many rows are shown and whether more are coming.
func (t *HistoryTab) showState() {
	n := t.rowCount()
	switch {
	case t.loading && n == 0:
		t.count.SetText("")
	case t.ended:
		t.count.SetText(fmt.Sprintf("all %s shown", human.Thousands(n)))
	default:
		t.count.SetText(fmt.Sprintf("%s shown; scroll for more", human.Thousands(n)))
	}
	if t.skipped > 0 {
		t.count.SetText(fmt.Sprintf("%s (%s skipped)", t.count.Text, human.Count(t.skipped, "damaged entry", "damaged entries")))
	}
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
	switch {
	case n > 0 || t.loading || t.failed:
		t.empty.Hide()
	case t.filter == (history.Filter{}):
		t.empty.SetText(historyEmptyText)
		t.empty.Show()
	case t.filter.Device != "" && !strings.Contains(t.filter.Device, "."):
		// A short name is completed only from the rows seen, and this device has none yet.
		t.empty.SetText("No exchange matches these filters. Try the device's full host name (SSN….domain).")
		t.empty.Show()
	default:
		t.empty.SetText("No exchange matches these filters.")
		t.empty.Show()
	}
}

// showProblem says in the tab what went wrong.
func (t *HistoryTab) showProblem(text string) {
	t.problem.SetText(text)
	t.problem.Show()
	t.showState()
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
