package views

import (
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/series"
	"github.com/coap-workbench/coap-workbench/internal/human"
)

// ObservationRow is one observation as the Observe tab shows it.
type ObservationRow struct {
	ID      int
	Profile string
	Device  string // host name ("" for the gateway's own resources)
	URI     string
	Health  coapengine.Health
	// Last is the latest notification's payload, decoded, on one line.
	Last string
	// Ended says why the observation is over ("" while it runs).
	Ended string
	// Paused freezes its charts; notifications are still recorded.
	Paused bool
	// Series are the numeric values of its notifications.
	Series *series.Set
}

// defaultSeries are ticked when they appear in a new chart: the power statistics' battery
// volts and sleep ratio.
var defaultSeries = []string{"bat_voltage", "sleep_pct"}

// chartRefresh is how often charts take a snapshot of their series (at most).
const chartRefresh = 100 * time.Millisecond

// observationIcon marks the charts of observations in the chart switcher's menu. It is
// looked up when first needed: a theme's icon asks for the running app, which package
// initialisation comes before.
var observationIcon = sync.OnceValue(func() fyne.Resource { return theme.VisibilityIcon() })

// noChartHint is what the chart side says while no chart is open.
const noChartHint = "Select an observation to chart its values, or:"

// ObserveTab lists the running observations with their health (notifications, sequence
// gaps, reorders, re-registrations, the age of the last notification against its Max-Age),
// each of which can be paused, resumed and stopped (Stop deregisters at the origin), and
// charts their numeric values: one chart per observation with the series the user picks,
// charts comparing one field across observations, and charts rebuilt from the history.
//
// The list and the charts share the tab in a split that stays where the user drags it (both
// sides ask for little room, whatever they show). One chart shows at a time and fills its
// side; a switcher above it chooses among the open charts, beside the shown chart's tools.
type ObserveTab struct {
	root  *container.Split
	list  *widget.List
	rows  []ObservationRow
	empty *widget.Label
	now   func() time.Time

	// the chart side
	bar       *fyne.Container // the switcher, the shown chart's tools, a new chart
	switcher  *FitLabel       // the shown chart's name, on a button that lists them all
	kind      *widget.Icon    // the shown chart's kind, but for an observation's
	toolsSlot *fyne.Container
	chartSlot *fyne.Container
	noCharts  fyne.CanvasObject // the hint and the ways to open a chart
	hint      *widget.Label
	notice    *FitLabel // the hint's message while charts are open
	panels    []*chartPanel
	shown     *chartPanel

	// OnStop is called with an observation's ID when its Stop button is pressed.
	OnStop func(id int)
	// OnPause is called when an observation is paused or resumed.
	OnPause func(id int, paused bool)
	// FromHistory rebuilds the series of a device's resource from the history, over the
	// last since; it blocks, and runs off the main goroutine.
	FromHistory func(device, path string, since time.Duration) (*series.Set, int, error)
	// Do runs updates from other goroutines on the main goroutine (fyne.Do; tests queue them).
	Do func(func())

	refreshing poller
}

// NewObserveTab builds an empty Observe tab.
func NewObserveTab() *ObserveTab {
	t := &ObserveTab{now: time.Now, Do: fyne.Do}
	t.empty = widget.NewLabel("No observations: right-click an observable resource in the tree and choose Observe, or tick Observe in the composer and send.")
	t.empty.Wrapping = fyne.TextWrapWord
	t.list = widget.NewList(func() int { return len(t.rows) }, newObservationItem, func(id widget.ListItemID, o fyne.CanvasObject) {
		o.(*observationItem).show(t, t.rows[id])
	})
	t.list.OnSelected = func(id widget.ListItemID) {
		if id < len(t.rows) {
			t.OpenChart(t.rows[id].ID)
		}
	}
	t.list.Hide()
	left := container.NewStack(t.list, container.NewVScroll(t.empty))

	t.hint = widget.NewLabel(noChartHint)
	t.hint.Wrapping = fyne.TextWrapWord
	compare := widget.NewButtonWithIcon("Compare across devices…", theme.ViewRestoreIcon(), t.askCompare)
	fromHistory := widget.NewButtonWithIcon("Chart from history…", theme.HistoryIcon(), t.askFromHistory)
	t.noCharts = container.NewVScroll(container.NewVBox(t.hint, container.NewHBox(compare), container.NewHBox(fromHistory)))

	t.switcher = NewFitLabel("")
	t.switcher.Cut = cutDeviceFirst
	t.kind = widget.NewIcon(nil)
	switcher := container.NewStack(widget.NewButton("", t.showChartMenu),
		container.NewBorder(nil, nil, t.kind, widget.NewIcon(theme.MenuDropDownIcon()), t.switcher))
	newChart := newMenuButton("", theme.ContentAddIcon(), func() *fyne.Menu {
		return fyne.NewMenu("", fyne.NewMenuItem("Compare a field across devices…", t.askCompare), fyne.NewMenuItem("Chart from history…", t.askFromHistory))
	})
	t.toolsSlot = container.NewStack()
	t.bar = container.NewBorder(nil, nil, nil, container.NewHBox(t.toolsSlot, newChart), switcher)
	t.bar.Hide()
	t.notice = NewFitLabel("")
	t.notice.Cut = CutEnd
	t.notice.Hide()
	t.chartSlot = container.NewStack()
	right := container.NewBorder(t.bar, t.notice, nil, nil, container.NewStack(t.chartSlot, t.noCharts))

	t.root = container.NewHSplit(left, right)
	t.root.Offset = 0.34
	return t
}

// Object is the tab's content.
func (t *ObserveTab) Object() fyne.CanvasObject { return t.root }

// SplitOffset is where the divider between the list and the charts is (0 to 1), to be
// remembered across restarts.
func (t *ObserveTab) SplitOffset() float64 { return t.root.Offset }

// SetSplitOffset puts the divider between the list and the charts back where it was.
func (t *ObserveTab) SetSplitOffset(offset float64) { t.root.SetOffset(offset) }

// SetObservations shows rows (main goroutine).
func (t *ObserveTab) SetObservations(rows []ObservationRow) {
	if len(rows) == 0 && len(t.rows) == 0 {
		return // nothing shown, nothing to show: no redraw
	}
	t.rows = rows
	t.empty.Hidden = len(rows) > 0
	t.list.Hidden = len(rows) == 0
	t.list.Refresh()
	t.root.Refresh()
}

// Rows are the rows shown.
func (t *ObserveTab) Rows() []ObservationRow { return t.rows }

// ChartSeries are the series the i-th chart drew when it last refreshed (only the chart
// shown refreshes): for tests and exports.
func (t *ObserveTab) ChartSeries(i int) []ChartSeries {
	if i < 0 || i >= len(t.panels) {
		return nil
	}
	return t.panels[i].chart.Series()
}

// Charts are the whole titles of the open charts, in the order they opened.
func (t *ObserveTab) Charts() []string {
	var out []string
	for _, p := range t.panels {
		out = append(out, p.name.full)
	}
	return out
}

// ShownChart is the whole title of the chart shown ("" when none is open).
func (t *ObserveTab) ShownChart() string {
	if t.shown == nil {
		return ""
	}
	return t.shown.name.full
}

func (t *ObserveTab) row(id int) (ObservationRow, bool) {
	for _, r := range t.rows {
		if r.ID == id {
			return r, true
		}
	}
	return ObservationRow{}, false
}

// OpenChart shows a chart of the observation's values, opening it the first time.
func (t *ObserveTab) OpenChart(id int) {
	r, ok := t.row(id)
	if !ok || r.Series == nil {
		return
	}
	for _, p := range t.panels {
		if p.set == r.Series {
			t.show(p)
			return
		}
	}
	title := observationTitle(r)
	name := chartName{full: title, short: title, file: human.ShortHost(r.Device) + resourceOf(r.URI), icon: observationIcon()}
	p := newChartPanel(name, r.Series, defaultSeries, nil, t.closePanel)
	p.paused = func() bool { cur, ok := t.row(id); return ok && cur.Paused }
	t.addPanel(p)
}

// Compare shows a chart of one field of every observation that has it, labelled by device.
func (t *ObserveTab) Compare(key string) {
	var lines []panelLine
	for _, r := range t.rows {
		if r.Series == nil {
			continue
		}
		for _, in := range r.Series.Infos() {
			if in.Key == key {
				label := human.ShortHost(r.Device)
				if label == "" {
					label = r.URI
				}
				lines = append(lines, panelLine{set: r.Series, key: key, label: label, unit: in.Unit})
			}
		}
	}
	if len(lines) == 0 {
		return
	}
	title := fmt.Sprintf("%s of %s", key, human.Plural(len(lines), "observation"))
	t.addPanel(newChartPanel(chartName{full: title, short: title, file: title, icon: theme.ViewRestoreIcon()}, nil, nil, lines[:min(len(lines), maxChartSeries)], t.closePanel))
}

// fieldsOfAll are the fields the observations have, sorted.
func (t *ObserveTab) fieldsOfAll() []string {
	seen := map[string]bool{}
	for _, r := range t.rows {
		if r.Series != nil {
			for _, in := range r.Series.Infos() {
				seen[in.Key] = true
			}
		}
	}
	var out []string
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// addPanel opens a chart and shows it; its short name is made unique for the switcher.
func (t *ObserveTab) addPanel(p *chartPanel) {
	base := p.name.short
	for n := 2; slices.ContainsFunc(t.panels, func(q *chartPanel) bool { return q.name.short == p.name.short && q.name.icon == p.name.icon }); n++ {
		p.name.short = fmt.Sprintf("%s (%d)", base, n)
	}
	t.panels = append(t.panels, p)
	t.say("")
	t.show(p)
}

// show puts p's chart and tools on the chart side, refreshed at once.
func (t *ObserveTab) show(p *chartPanel) {
	if t.shown != p {
		t.shown = p
		t.toolsSlot.Objects = []fyne.CanvasObject{p.tools}
		t.chartSlot.Objects = []fyne.CanvasObject{p.chart}
		t.toolsSlot.Refresh()
		t.chartSlot.Refresh()
		p.dirty = true
	}
	t.noCharts.Hide()
	t.bar.Show()
	t.switcher.SetText(p.name.short)
	t.switcher.Tip = p.name.full
	// An observation's chart, the usual one, gives the room of its icon to its name.
	t.kind.SetResource(p.name.icon)
	if p.name.icon == observationIcon() {
		t.kind.Hide()
	} else {
		t.kind.Show()
	}
	t.bar.Refresh()
	t.selectRowOf(p)
	p.refresh()
}

// showChartMenu lists the open charts under the switcher, the one shown ticked.
func (t *ObserveTab) showChartMenu() {
	c := fyne.CurrentApp().Driver().CanvasForObject(t.switcher)
	if c == nil {
		return
	}
	menu := fyne.NewMenu("")
	for _, p := range t.panels {
		item := fyne.NewMenuItem(p.name.short, func() { t.show(p) })
		item.Icon = p.name.icon
		item.Checked = p == t.shown
		menu.Items = append(menu.Items, item)
	}
	widget.ShowPopUpMenuAtRelativePosition(menu, c, fyne.NewPos(0, t.switcher.Size().Height), t.switcher)
}

// selectRowOf selects the row of the observation p charts, or none: a click on the row of
// a chart not shown must show it, and the list ignores a click on the row selected.
func (t *ObserveTab) selectRowOf(p *chartPanel) {
	for i, r := range t.rows {
		if r.Series != nil && r.Series == p.set {
			t.list.Select(i)
			return
		}
	}
	t.list.UnselectAll()
}

func (t *ObserveTab) closePanel(p *chartPanel) {
	at := slices.Index(t.panels, p)
	if at < 0 {
		return
	}
	t.panels = slices.Delete(t.panels, at, at+1)
	t.say("")
	if len(t.panels) > 0 {
		t.show(t.panels[min(at, len(t.panels)-1)])
		return
	}
	t.shown = nil
	t.switcher.SetText("")
	t.toolsSlot.Objects, t.chartSlot.Objects = nil, nil
	t.bar.Hide()
	t.noCharts.Show()
	t.list.UnselectAll()
	t.root.Refresh()
}

// say shows a message about the charts (a history being read, why no chart opened): in the
// hint while no chart is open, on a line under the chart otherwise. "" clears it.
func (t *ObserveTab) say(message string) {
	if message == "" {
		t.hint.SetText(noChartHint)
	} else {
		t.hint.SetText(message)
	}
	t.notice.SetText(message)
	t.notice.Hidden = message == "" || len(t.panels) == 0
	t.notice.Refresh()
}

// RefreshCharts takes a snapshot of the shown chart's series and redraws it when they
// changed (main goroutine).
func (t *ObserveTab) RefreshCharts() {
	if t.shown != nil {
		t.shown.refresh()
	}
}

// StartRefreshing redraws the charts at most ten times a second until StopRefreshing: call
// both on the main goroutine, when the tab is shown and when it is hidden.
func (t *ObserveTab) StartRefreshing() {
	t.refreshing.start(chartRefresh, func() { t.Do(t.RefreshCharts) })
}

// StopRefreshing stops the redraws.
func (t *ObserveTab) StopRefreshing() { t.refreshing.stopAndWait() }
