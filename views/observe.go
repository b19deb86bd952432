package views

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/coap-workbench/coap-workbench/internal/human"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/series"
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

// ObserveTab lists the running observations with their health (notifications, sequence
// gaps, reorders, re-registrations, the age of the last notification against its Max-Age),
// each of which can be paused, resumed and stopped (Stop deregisters at the origin), and
// charts their numeric values: one chart per observation with the series the user picks,
// charts comparing one field across observations, and charts rebuilt from the history.
type ObserveTab struct {
	root   fyne.CanvasObject
	list   *widget.List
	rows   []ObservationRow
	empty  *widget.Label
	charts *fyne.Container
	hint   *widget.Label
	panels []*chartPanel
	now    func() time.Time

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
	t.list = widget.NewList(func() int { return len(t.rows) }, newObservationRow, t.updateRow)
	t.list.OnSelected = func(id widget.ListItemID) {
		if id < len(t.rows) {
			t.OpenChart(t.rows[id].ID)
		}
	}
	t.hint = widget.NewLabel("Select an observation to chart its values.")
	t.hint.Importance = widget.LowImportance
	t.charts = container.NewVBox(t.hint)
	compare := widget.NewButtonWithIcon("Compare across devices…", theme.ViewRestoreIcon(), t.askCompare)
	fromHistory := widget.NewButtonWithIcon("Chart from history…", theme.HistoryIcon(), t.askFromHistory)
	left := container.NewStack(t.list, container.NewPadded(t.empty))
	right := container.NewBorder(container.NewHBox(compare, fromHistory), nil, nil, nil, container.NewVScroll(t.charts))
	split := container.NewHSplit(left, right)
	split.Offset = 0.38
	t.root = split
	t.list.Hide()
	return t
}

func newObservationRow() fyne.CanvasObject {
	title := widget.NewLabel("coap://SSN001350050005E7D6.sim.starfish.test:4849/sys/stats?mod=pwr")
	title.Truncation = fyne.TextTruncateEllipsis
	health := widget.NewLabel("")
	health.Importance = widget.LowImportance
	health.Truncation = fyne.TextTruncateEllipsis
	last := widget.NewLabel("")
	last.Truncation = fyne.TextTruncateEllipsis
	last.TextStyle = fyne.TextStyle{Monospace: true}
	pause := widget.NewButtonWithIcon("", theme.MediaPauseIcon(), nil)
	stop := widget.NewButtonWithIcon("", theme.MediaStopIcon(), nil)
	return container.NewBorder(nil, nil, nil, container.NewVBox(pause, stop), container.NewVBox(title, health, last))
}

func (t *ObserveTab) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	r := t.rows[id]
	box := o.(*fyne.Container)
	lines := box.Objects[0].(*fyne.Container).Objects
	lines[0].(*widget.Label).SetText(r.URI + "  (" + r.Profile + ")")
	lines[1].(*widget.Label).SetText(describeHealth(r, t.now()))
	lines[2].(*widget.Label).SetText(r.Last)
	buttons := box.Objects[1].(*fyne.Container).Objects
	pause, stop := buttons[0].(*widget.Button), buttons[1].(*widget.Button)
	pause.OnTapped = func() {
		if t.OnPause != nil {
			t.OnPause(r.ID, !r.Paused)
		}
	}
	stop.OnTapped = func() {
		if t.OnStop != nil {
			t.OnStop(r.ID)
		}
	}
	if r.Paused {
		pause.SetIcon(theme.MediaPlayIcon())
	} else {
		pause.SetIcon(theme.MediaPauseIcon())
	}
	if r.Ended != "" {
		stop.Disable()
		pause.Disable()
	} else {
		stop.Enable()
		pause.Enable()
	}
}

// Object is the tab's content.
func (t *ObserveTab) Object() fyne.CanvasObject { return t.root }

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

// ChartSeries are the series the i-th chart draws (for tests and exports).
func (t *ObserveTab) ChartSeries(i int) []ChartSeries {
	if i < 0 || i >= len(t.panels) {
		return nil
	}
	return t.panels[i].chart.Series()
}

// Charts are the titles of the charts shown, top to bottom.
func (t *ObserveTab) Charts() []string {
	var out []string
	for _, p := range t.panels {
		out = append(out, p.title)
	}
	return out
}

func (t *ObserveTab) row(id int) (ObservationRow, bool) {
	for _, r := range t.rows {
		if r.ID == id {
			return r, true
		}
	}
	return ObservationRow{}, false
}

// OpenChart shows a chart of the observation's values (once: a second call does nothing).
func (t *ObserveTab) OpenChart(id int) {
	r, ok := t.row(id)
	if !ok || r.Series == nil {
		return
	}
	title := r.URI
	for _, p := range t.panels {
		if p.set == r.Series {
			return
		}
	}
	p := newChartPanel(title, r.Series, defaultSeries, nil, t.closePanel)
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
	t.addPanel(newChartPanel(fmt.Sprintf("%s of %s", key, human.Plural(len(lines), "observation")), nil, nil, lines[:min(len(lines), maxChartSeries)], t.closePanel))
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

func (t *ObserveTab) parentWindow() fyne.Window {
	if c := fyne.CurrentApp().Driver().CanvasForObject(t.root); c != nil {
		return windowOf(c)
	}
	return nil
}

func (t *ObserveTab) askCompare() {
	w := t.parentWindow()
	if w == nil {
		return
	}
	fields := t.fieldsOfAll()
	if len(fields) == 0 {
		dialog.ShowInformation("Compare across devices", "No observation has numeric values yet: observe the same resource on several devices first.", w)
		return
	}
	pick := widget.NewSelect(fields, nil)
	pick.SetSelected(fields[0])
	if slices.Contains(fields, "bat_voltage") {
		pick.SetSelected("bat_voltage")
	}
	dialog.ShowForm("Compare a field across devices", "Chart", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("Field", pick)}, func(ok bool) {
			if ok {
				t.Compare(pick.Selected)
			}
		}, w)
}

func (t *ObserveTab) askFromHistory() {
	w := t.parentWindow()
	if w == nil || t.FromHistory == nil {
		return
	}
	device := widget.NewEntry()
	device.SetPlaceHolder("SSN001350050005E7D6.sim.starfish.test")
	path := widget.NewEntry()
	path.SetText("/sys/stats?mod=pwr")
	since := widget.NewSelect([]string{"1 h", "10 min", "1 day"}, nil)
	since.SetSelected("1 h")
	if len(t.rows) > 0 {
		device.SetText(t.rows[0].Device)
	}
	dialog.ShowForm("Chart from history", "Chart", "Cancel", []*widget.FormItem{
		widget.NewFormItem("Device", device), widget.NewFormItem("Path", path), widget.NewFormItem("The last", since),
	}, func(ok bool) {
		if !ok {
			return
		}
		if strings.TrimSpace(device.Text) == "" {
			t.hint.SetText("Name the device whose history to chart: its values would be mixed with every other device's.")
			t.hint.Show()
			return
		}
		d := map[string]time.Duration{"10 min": 10 * time.Minute, "1 h": time.Hour, "1 day": 24 * time.Hour}[since.Selected]
		t.ChartFromHistory(strings.TrimSpace(device.Text), path.Text, d)
	}, w)
}

// ChartFromHistory rebuilds a chart of a device's resource over the last since from the
// history, off the main goroutine.
func (t *ObserveTab) ChartFromHistory(device, path string, since time.Duration) {
	if t.FromHistory == nil {
		return
	}
	t.hint.SetText(fmt.Sprintf("Reading the history of %s %s…", human.ShortHost(device), path))
	t.hint.Show()
	go func() {
		set, n, err := t.FromHistory(device, path, since)
		t.Do(func() {
			switch {
			case err != nil:
				t.hint.SetText("No chart from the history: " + err.Error())
			case n == 0:
				t.hint.SetText(fmt.Sprintf("The history holds no answer of %s %s in the last %s.", human.ShortHost(device), path, human.Rough(since)))
			default:
				t.hint.Hide()
				title := fmt.Sprintf("%s %s, the last %s from the history (%s)", human.ShortHost(device), path, human.Rough(since), human.Plural(n, "answer"))
				p := newChartPanel(title, set, defaultSeries, nil, t.closePanel)
				p.window.SetSelected("all")
				t.addPanel(p)
			}
		})
	}()
}

func (t *ObserveTab) addPanel(p *chartPanel) {
	t.panels = append(t.panels, p)
	t.hint.Hide()
	t.charts.Add(p.root)
	p.refresh()
}

func (t *ObserveTab) closePanel(p *chartPanel) {
	// The list would ignore a click on the row still selected: a closed chart must be
	// reopenable from it.
	t.list.UnselectAll()
	t.panels = slices.DeleteFunc(t.panels, func(q *chartPanel) bool { return q == p })
	t.charts.Remove(p.root)
	if len(t.panels) == 0 {
		t.hint.SetText("Select an observation to chart its values.")
		t.hint.Show()
	}
}

// RefreshCharts takes a snapshot of every chart's series and redraws those that changed
// (main goroutine).
func (t *ObserveTab) RefreshCharts() {
	for _, p := range t.panels {
		p.refresh()
	}
}

// StartRefreshing redraws the charts at most ten times a second until StopRefreshing: call
// both on the main goroutine, when the tab is shown and when it is hidden.
func (t *ObserveTab) StartRefreshing() {
	t.refreshing.start(chartRefresh, func() { t.Do(t.RefreshCharts) })
}

// StopRefreshing stops the redraws.
func (t *ObserveTab) StopRefreshing() { t.refreshing.stopAndWait() }

// describeHealth is "12 notifications · 0 gaps · 0 reorders · last 3 s ago (fresh for 60 s)".
func describeHealth(r ObservationRow, now time.Time) string {
	h := r.Health
	text := fmt.Sprintf("%s · %s · %s · %s", human.Plural(h.Notifications, "notification"), human.Plural(h.Gaps, "gap"), human.Plural(h.Reorders, "reorder"), human.Plural(h.Reregistrations, "re-registration"))
	if !h.LastAt.IsZero() {
		text += " · last " + ago(h.Age(now))
		if h.MaxAge > 0 {
			text += fmt.Sprintf(" (fresh for %s)", human.Rough(h.MaxAge))
			if h.Age(now) > h.MaxAge {
				text += ", stale"
			}
		}
	}
	switch {
	case r.Ended != "":
		text += " · ended: " + r.Ended
	case r.Paused:
		text += " · paused"
	case h.LastErr != "":
		text += " · " + h.LastErr
	case !h.Registered:
		text += " · registering…"
	}
	return text
}
