package views

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/decode"
	"github.com/coap-workbench/coap-workbench/coapengine/series"
	"github.com/coap-workbench/coap-workbench/internal/uiqueue"
)

// powerSet is a set of n power-statistics samples a second apart, battery falling.
func powerSet(n int, volts float64) *series.Set {
	s := series.NewSet(100)
	for i := range n {
		s.Add(chartStart.Add(time.Duration(i)*time.Second), decode.Decoded{Fields: []decode.Field{
			{Name: "total_time", Value: float64(i), Numeric: true, Unit: "s"},
			{Name: "bat_voltage", Value: volts - float64(i)/100, Numeric: true, Unit: "V"},
			{Name: "sleep_pct", Value: 70, Numeric: true, Unit: "%"},
		}})
	}
	return s
}

func newTestObserveTab(t *testing.T, rows ...ObservationRow) (*ObserveTab, *uiqueue.Queue) {
	t.Helper()
	test.NewTempApp(t)
	q := uiqueue.New()
	tab := NewObserveTab()
	tab.Do = q.Do
	showInTestWindow(t, tab.Object(), 1200, 700)
	tab.SetObservations(rows)
	return tab, q
}

func TestAnObservationsChartShowsTheDefaultSeriesAndFollowsNewSamples(t *testing.T) {
	set := powerSet(5, 3.6)
	tab, _ := newTestObserveTab(t, ObservationRow{ID: 1, Device: "SSN001350050005E7D6.sim.starfish.test", URI: statsURI, Series: set})
	tab.list.Select(0)
	if got := tab.Charts(); len(got) != 1 || got[0] != "/sys/stats?mod=pwr · SSN001350050005E7D6" {
		t.Fatalf("charts %q", got)
	}
	p := tab.panels[0]
	if got := p.chart.Series(); len(got) != 2 || got[0].Label != "bat_voltage" || got[1].Label != "sleep_pct" || len(got[0].Samples) != 5 {
		t.Fatalf("chart series %+v", got)
	}
	// Selecting it again does not open a second chart.
	tab.OpenChart(1)
	if len(tab.Charts()) != 1 {
		t.Fatalf("charts %q", tab.Charts())
	}
	set.Add(chartStart.Add(10*time.Second), decode.Decoded{Fields: []decode.Field{{Name: "bat_voltage", Value: 3.5, Numeric: true, Unit: "V"}}})
	tab.RefreshCharts()
	if got := p.chart.Series()[0].Samples; len(got) != 6 || got[5].Value != 3.5 {
		t.Fatalf("after a notification: %+v", got)
	}
	// Paused, the chart keeps what it showed.
	tab.SetObservations([]ObservationRow{{ID: 1, URI: statsURI, Series: set, Paused: true}})
	set.Add(chartStart.Add(11*time.Second), decode.Decoded{Fields: []decode.Field{{Name: "bat_voltage", Value: 3.4, Numeric: true, Unit: "V"}}})
	tab.RefreshCharts()
	if n := len(p.chart.Series()[0].Samples); n != 6 {
		t.Fatalf("a paused chart moved: %d samples", n)
	}
	// Another series ticked shows up; the chart closes with its button.
	p.picks.SetSelected([]string{"bat_voltage", "total_time"})
	tab.SetObservations([]ObservationRow{{ID: 1, URI: statsURI, Series: set}})
	tab.RefreshCharts()
	if got := p.chart.Series(); len(got) != 2 || got[0].Label != "total_time" || got[1].Label != "bat_voltage" { // in the order the series appeared
		t.Fatalf("after picking: %+v", got)
	}
	tab.closePanel(p)
	if len(tab.Charts()) != 0 || !tab.hint.Visible() || tab.bar.Visible() {
		t.Fatal("the chart did not close")
	}
}

func TestOneFieldIsComparedAcrossDevices(t *testing.T) {
	tab, _ := newTestObserveTab(t,
		ObservationRow{ID: 1, Device: "SSN0013500500000001.sim.starfish.test", URI: "coap://a/sys/stats?mod=pwr", Series: powerSet(3, 3.6)},
		ObservationRow{ID: 2, Device: "SSN0013500500000002.sim.starfish.test", URI: "coap://b/sys/stats?mod=pwr", Series: powerSet(4, 3.2)},
		ObservationRow{ID: 3, Device: "SSN0013500500000003.sim.starfish.test", URI: "coap://c/snsr/arduino/temp", Series: series.NewSet(10)},
	)
	if got := tab.fieldsOfAll(); strings.Join(got, ",") != "bat_voltage,sleep_pct,total_time" {
		t.Fatalf("fields %q", got)
	}
	tab.Compare("bat_voltage")
	lines := tab.panels[0].chart.Series()
	if len(lines) != 2 || lines[0].Label != "SSN0013500500000001" || lines[1].Label != "SSN0013500500000002" || lines[1].Samples[0].Value != 3.2 {
		t.Fatalf("comparison %+v", lines)
	}
	if tab.Charts()[0] != "bat_voltage of 2 observations" {
		t.Fatalf("title %q", tab.Charts()[0])
	}
}

func TestAChartIsRebuiltFromTheHistoryOffTheMainGoroutine(t *testing.T) {
	tab, q := newTestObserveTab(t)
	var asked []string
	tab.FromHistory = func(device, path string, since time.Duration) (*series.Set, int, error) {
		asked = append(asked, device+path+since.String())
		if device == "nowhere" {
			return nil, 0, errors.New("there is no history to read")
		}
		return powerSet(60, 3.6), 60, nil
	}
	tab.ChartFromHistory("SSN001350050005E7D6.sim.starfish.test", "/sys/stats?mod=pwr", time.Hour)
	q.WaitFor(t, "the chart", func() bool { return len(tab.Charts()) == 1 })
	if want := "/sys/stats?mod=pwr · SSN001350050005E7D6, the last 1 h from the history (60 answers)"; tab.Charts()[0] != want {
		t.Fatalf("title %q", tab.Charts()[0])
	}
	if n := len(tab.panels[0].chart.Series()[0].Samples); n != 60 {
		t.Fatalf("%d samples", n)
	}
	tab.ChartFromHistory("nowhere", "/x", time.Hour)
	q.WaitFor(t, "the error", func() bool { return strings.Contains(tab.hint.Text, "there is no history to read") })
}

func TestChartsRefreshOnATickerThatStops(t *testing.T) {
	set := powerSet(2, 3.6)
	tab, q := newTestObserveTab(t, ObservationRow{ID: 1, URI: statsURI, Series: set})
	tab.OpenChart(1)
	tab.StartRefreshing()
	tab.StartRefreshing() // a second start keeps the one ticker
	set.Add(chartStart.Add(5*time.Second), decode.Decoded{Fields: []decode.Field{{Name: "bat_voltage", Value: 3, Numeric: true, Unit: "V"}}})
	q.WaitFor(t, "the refresh", func() bool { return len(tab.panels[0].chart.Series()[0].Samples) == 3 })
	tab.StopRefreshing()
	q.Drain()
	set.Add(chartStart.Add(6*time.Second), decode.Decoded{Fields: []decode.Field{{Name: "bat_voltage", Value: 2.9, Numeric: true, Unit: "V"}}})
	time.Sleep(3 * chartRefresh)
	q.Drain()
	if n := len(tab.panels[0].chart.Series()[0].Samples); n != 3 {
		t.Fatalf("the chart refreshed after StopRefreshing: %d samples", n)
	}
}

func TestTheHealthLineSaysWhenNotificationsAreStale(t *testing.T) {
	now := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	r := ObservationRow{Health: coapengine.Health{Registered: true, Notifications: 4, Gaps: 1, LastAt: now.Add(-90 * time.Second), MaxAge: time.Minute}}
	if got := describeHealth(r, now); got != "4 notifications · 1 gap · 0 reorders · 0 re-registrations · last 1 min ago (fresh for 1 min), stale" {
		t.Fatalf("health %q", got)
	}
	r.Paused = true
	if got := describeHealth(r, now); !strings.HasSuffix(got, " · paused") {
		t.Fatalf("paused health %q", got)
	}
}

func TestAChartOpenedBeforeTheFirstSampleTicksTheDefaultsWhenTheyCome(t *testing.T) {
	set := series.NewSet(10)
	tab, _ := newTestObserveTab(t, ObservationRow{ID: 1, URI: statsURI, Series: set})
	tab.OpenChart(1)
	set.Add(chartStart, decode.Decoded{Fields: []decode.Field{
		{Name: "total_time", Value: 1, Numeric: true, Unit: "s"},
		{Name: "bat_voltage", Value: 3.6, Numeric: true, Unit: "V"},
		{Name: "sleep_pct", Value: 70, Numeric: true, Unit: "%"},
	}})
	tab.RefreshCharts()
	if got := tab.ChartSeries(0); len(got) != 2 || got[0].Label != "bat_voltage" || got[1].Label != "sleep_pct" {
		t.Fatalf("series %+v", got)
	}
	// Closed, the chart opens again from its row.
	tab.list.Select(0)
	tab.closePanel(tab.panels[0])
	tab.list.Select(0)
	if len(tab.Charts()) != 1 {
		t.Fatalf("charts after reopening: %q", tab.Charts())
	}
}

// longReason is the reason an observation ended as a gateway may give it, long.
const longReason = "the device did not answer within 30 s (gateway timeout 5.04): it may be out of range, asleep or powered off; observe it again once it answers a GET"

// observeStates drives the tab through the states its size must hold in, calling check after
// each: no observation, several with long names, a chart open, a comparison across devices,
// a chart from the history, an ended observation with a long reason, a long message.
func observeStates(t *testing.T, tab *ObserveTab, q *uiqueue.Queue, check func(state string)) {
	t.Helper()
	check("no observation")
	long := "coap://SSN001350050005E7D6.sim.starfish.test:4849/snsr/arduino/a/very/long/path/that/goes/on/and/on?with=a&long=query&and=more"
	rows := []ObservationRow{
		{ID: 1, Profile: "embedded", Device: "SSN001350050005E7D6.sim.starfish.test", URI: statsURI, Series: powerSet(30, 3.6), Last: strings.Repeat("total_time=236650.375 s ", 20),
			Health: coapengine.Health{Registered: true, Notifications: 1234567, Gaps: 3, LastErr: strings.Repeat("a long error ", 30)}},
		{ID: 2, Profile: "embedded", Device: "SSN0013500500000002.sim.starfish.test", URI: "coap://SSN0013500500000002.sim.starfish.test:4849/sys/stats?mod=pwr", Series: powerSet(20, 3.2)},
		{ID: 3, Profile: "a profile with a long name", Device: "SSN0013500500000003.sim.starfish.test", URI: long, Series: series.NewSet(10)},
	}
	tab.SetObservations(rows)
	check("several observations")
	tab.OpenChart(1)
	check("a chart open")
	tab.Compare("bat_voltage")
	check("a comparison across devices")
	tab.FromHistory = func(device, path string, since time.Duration) (*series.Set, int, error) {
		return powerSet(60, 3.6), 60, nil
	}
	tab.ChartFromHistory("SSN001350050005E7D6.sim.starfish.test", "/sys/stats?mod=pwr", 24*time.Hour)
	q.WaitFor(t, "the chart from the history", func() bool { return len(tab.Charts()) == 3 })
	check("a chart from the history")
	rows[0].Ended, rows[2].Ended = longReason, longReason
	tab.SetObservations(rows)
	check("an ended observation with a long reason")
	tab.say("No chart from the history: " + strings.Repeat("the history could not be read ", 10))
	check("a long message under the charts")
	for len(tab.panels) > 0 {
		tab.closePanel(tab.panels[0])
	}
	tab.say("No chart from the history: " + strings.Repeat("the history could not be read ", 10))
	check("a long message and no chart")
}

func TestTheObserveTabFitsItsPaneInEveryState(t *testing.T) {
	tab, q := newTestObserveTab(t)
	observeStates(t, tab, q, func(state string) {
		assertFits(t, "the Observe tab with "+state, tab.Object(), 660, 170)
		t.Logf("%s: %v", state, tab.Object().MinSize())
	})
}

func TestTheSplitStaysWhereTheUserLeftIt(t *testing.T) {
	tab, q := newTestObserveTab(t)
	tab.SetSplitOffset(0.22)
	var width float32
	observeStates(t, tab, q, func(state string) {
		tab.root.Refresh()
		w := tab.root.Leading.Size().Width
		if width == 0 {
			width = w
		}
		if w != width || tab.SplitOffset() != 0.22 {
			t.Fatalf("with %s the list is %v wide (offset %v), was %v", state, w, tab.SplitOffset(), width)
		}
	})
}

// chartShownIn opens a chart of three units in a tab of the given size and returns it.
func chartShownIn(t *testing.T, width, height float32) (*ObserveTab, *Chart, *chartRenderer) {
	t.Helper()
	test.NewTempApp(t)
	tab := NewObserveTab()
	w := showInTestWindow(t, tab.Object(), width, height)
	w.SetPadded(false)
	w.Resize(fyne.NewSize(width, height))
	set := powerSet(100, 3.6)
	for i := range 100 {
		set.Add(chartStart.Add(time.Duration(i)*time.Second), decode.Decoded{Fields: []decode.Field{{Name: "tx_bytes_per_s", Value: float64(i * 17), Numeric: true, Unit: "B/s"}}})
	}
	tab.SetObservations([]ObservationRow{{ID: 1, Device: "SSN001350050005E7D6.sim.starfish.test", URI: statsURI, Series: set}})
	tab.OpenChart(1)
	tab.panels[0].picks.SetSelected([]string{"bat_voltage", "sleep_pct", "tx_bytes_per_s"})
	tab.RefreshCharts()
	c := tab.panels[0].chart
	return tab, c, test.TempWidgetRenderer(t, c).(*chartRenderer)
}

// inside fails t unless o lies within the chart, itself within the window.
func inside(t *testing.T, what string, o fyne.CanvasObject, c *Chart, height float32) {
	t.Helper()
	d := fyne.CurrentApp().Driver()
	chartAt := d.AbsolutePositionForObject(c)
	if chartAt.Y+c.Size().Height > height+0.5 {
		t.Fatalf("the chart ends at %v, below the pane's %v", chartAt.Y+c.Size().Height, height)
	}
	if !o.Visible() || o.Position().Y < 0 || o.Position().Y+o.MinSize().Height > c.Size().Height+0.5 || o.Position().X < 0 || o.Position().X+o.MinSize().Width > c.Size().Width+0.5 {
		t.Fatalf("%s at %v (%v) is outside the chart of %v", what, o.Position(), o.MinSize(), c.Size())
	}
}

func TestTheChartFillsTheTabWithItsAxesInView(t *testing.T) {
	for _, size := range []fyne.Size{{Width: 1000, Height: 210}, {Width: 1600, Height: 450}} {
		_, c, r := chartShownIn(t, size.Width, size.Height)
		times, left, right := shownTexts(r.xLabels), shownTexts(r.yLabels[0]), shownTexts(r.yLabels[1])
		if len(times) < 3 || len(left) < 2 || len(right) < 2 {
			t.Fatalf("at %v: %d time labels, %d and %d value labels", size, len(times), len(left), len(right))
		}
		for _, l := range append(append(times, left...), right...) {
			inside(t, "label "+l.Text, l, c, size.Height)
		}
		for axis, unit := range []string{"V", "%"} {
			u := r.unitLabels[axis]
			inside(t, "the unit "+unit, u, c, size.Height)
			// The unit stands above its axis's labels, not beside the time axis.
			if u.Text != unit || u.Position().Y >= c.plotPos.Y || math.Abs(float64(u.Position().X+u.MinSize().Width/2-(left[0].Position().X+left[0].MinSize().Width/2))) > 40 && axis == 0 {
				t.Fatalf("at %v the %s axis is titled %q at %v", size, unit, u.Text, u.Position())
			}
		}
		// The plot takes what the tab gives: all but the list, the tools and the labels.
		if minW, minH := size.Width*0.66-2*chartAxisWidth-20, size.Height-150; c.plotW < minW || c.plotH < minH {
			t.Fatalf("at %v the plot is %v×%v, want at least %v×%v", size, c.plotW, c.plotH, minW, minH)
		}
	}
}

func TestAThirdUnitIsDrawnScaledWithWhatTheHeightStandsFor(t *testing.T) {
	_, _, r := chartShownIn(t, 1600, 450)
	legend := texts(shownTexts(r.legend))
	if len(legend) != 3 || legend[2] != "tx_bytes_per_s 1683 B/s (scaled: 0–100 % of 0–2000 B/s)" {
		t.Fatalf("legend %q", legend)
	}
}

func TestTheReadoutHasABackgroundUnderItsLines(t *testing.T) {
	_, c, r := chartShownIn(t, 1000, 210)
	c.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: c.plotPos.AddXY(c.plotW-5, 10)}})
	lines := shownTexts(r.readout)
	if len(lines) < 3 || !r.readoutBox.Visible() {
		t.Fatalf("readout %q, box shown %v", texts(lines), r.readoutBox.Visible())
	}
	box := fyne.NewSize(r.readoutBox.Size().Width, r.readoutBox.Size().Height)
	at := r.readoutBox.Position()
	if r.readoutBox.FillColor == nil || at.X < 0 || at.X+box.Width > c.Size().Width || at.Y+box.Height > c.Size().Height {
		t.Fatalf("the readout's box at %v of %v does not lie in the chart of %v", at, box, c.Size())
	}
	for _, l := range lines {
		p := l.Position()
		if p.X < at.X || p.Y < at.Y || p.X+l.MinSize().Width > at.X+box.Width || p.Y+l.MinSize().Height > at.Y+box.Height+0.5 {
			t.Fatalf("readout line %q at %v sticks out of its box at %v of %v", l.Text, p, at, box)
		}
	}
	// Near the right edge the box flips to the left of the crosshair.
	if at.X+box.Width > c.plotPos.X+c.plotW-5 {
		t.Fatalf("the readout at %v covers the crosshair at %v", at.X, c.plotPos.X+c.plotW-5)
	}
}

func TestObservationRowsNameThePathFirstAndCutTheDeviceInTheMiddle(t *testing.T) {
	row := ObservationRow{Device: "SSN001350050005E7D6.sim.starfish.test", URI: statsURI}
	title := observationTitle(row)
	if title != "/sys/stats?mod=pwr · SSN001350050005E7D6" {
		t.Fatalf("title %q", title)
	}
	for _, tc := range []struct {
		n    int
		want string
	}{
		{40, title},
		{31, "/sys/stats?mod=pwr · SSN…05E7D6"},
		{30, "/sys/stats?mod=pwr · SS…05E7D6"},
		{22, "/sy…od=pwr · SS…05E7D6"},
	} {
		if got := cutDeviceFirst(title, tc.n); got != tc.want || len([]rune(got)) > tc.n {
			t.Fatalf("cut to %d: %q, want %q", tc.n, got, tc.want)
		}
	}
	// In the list: cut to its width, the whole URI in the tooltip.
	tab, _ := newTestObserveTab(t, ObservationRow{ID: 1, Profile: "embedded", Device: row.Device, URI: statsURI})
	tab.SetSplitOffset(0.2)
	item := tab.list.CreateItem().(*observationItem)
	item.show(tab, tab.rows[0])
	item.Resize(fyne.NewSize(200, item.MinSize().Height))
	item.title.Resize(fyne.NewSize(160, item.title.MinSize().Height))
	if shown := item.title.Shown(); !strings.HasPrefix(shown, "/s") || !strings.Contains(shown, "pwr · ") || !strings.HasSuffix(shown, "E7D6") || !strings.Contains(shown, "…") {
		t.Fatalf("a narrow row shows %q", shown)
	}
	if item.title.Tip != statsURI+" (through embedded)" {
		t.Fatalf("tooltip %q", item.title.Tip)
	}
}

func TestAnEndedObservationSaysWhyFirst(t *testing.T) {
	r := ObservationRow{Ended: longReason, Health: coapengine.Health{Notifications: 4}}
	if got := describeHealth(r, time.Now()); !strings.HasPrefix(got, "Ended: the device did not answer") || !strings.HasSuffix(got, "4 notifications · 0 gaps · 0 reorders · 0 re-registrations") {
		t.Fatalf("health %q", got)
	}
}

func TestChartsShareTheirSideOneAtATime(t *testing.T) {
	tab, q := newTestObserveTab(t,
		ObservationRow{ID: 1, Device: "SSN0013500500000001.sim.starfish.test", URI: "coap://SSN0013500500000001.sim.starfish.test/sys/stats?mod=pwr", Series: powerSet(3, 3.6)},
		ObservationRow{ID: 2, Device: "SSN0013500500000002.sim.starfish.test", URI: "coap://SSN0013500500000002.sim.starfish.test/sys/stats?mod=pwr", Series: powerSet(4, 3.2)},
	)
	shows := func(title string) {
		t.Helper()
		if tab.ShownChart() != title || len(tab.chartSlot.Objects) != 1 || tab.chartSlot.Objects[0] != tab.shown.chart || tab.toolsSlot.Objects[0] != tab.shown.tools {
			t.Fatalf("shown %q, want %q", tab.ShownChart(), title)
		}
		if tab.switcher.Text() != tab.shown.name.short || tab.switcher.Tip != title {
			t.Fatalf("the switcher says %q (%q) for %q", tab.switcher.Text(), tab.switcher.Tip, title)
		}
	}
	tab.list.Select(0)
	shows("/sys/stats?mod=pwr · SSN0013500500000001")
	tab.Compare("bat_voltage")
	shows("bat_voltage of 2 observations")
	// A click on the first row shows its chart again rather than opening a second one.
	tab.list.Select(1)
	tab.list.Select(0)
	shows("/sys/stats?mod=pwr · SSN0013500500000001")
	if got := tab.Charts(); len(got) != 3 {
		t.Fatalf("charts %q", got)
	}
	// A failure while charts are open is said under the chart, whole in its tooltip.
	tab.FromHistory = func(string, string, time.Duration) (*series.Set, int, error) {
		return nil, 0, errors.New("the history store is closed")
	}
	tab.ChartFromHistory("SSN0013500500000001.sim.starfish.test", "/sys/stats?mod=pwr", time.Hour)
	q.WaitFor(t, "the failure", func() bool { return strings.Contains(tab.notice.Text(), "the history store is closed") })
	if !tab.notice.Visible() {
		t.Fatal("the failure is not shown under the chart")
	}
	// Closed, a chart gives its place to the next one; the last closed, the hint is back.
	tab.closePanel(tab.shown)
	shows("bat_voltage of 2 observations")
	for tab.shown != nil {
		tab.closePanel(tab.shown)
	}
	if !tab.noCharts.Visible() || tab.bar.Visible() || tab.notice.Visible() || tab.hint.Text != noChartHint {
		t.Fatal("with every chart closed the hint does not show")
	}
}

func TestTheChoiceOfSeriesSaysHowManyAreDrawn(t *testing.T) {
	tab, _ := newTestObserveTab(t, ObservationRow{ID: 1, URI: statsURI, Series: powerSet(3, 3.6)})
	tab.OpenChart(1)
	p := tab.panels[0]
	if got := p.seriesCount.Text; got != "2 of 3 series drawn" {
		t.Fatalf("the choice of series says %q", got)
	}
	p.picks.SetSelected([]string{"total_time"})
	if got := p.seriesCount.Text; got != "1 of 3 series drawn" {
		t.Fatalf("after a pick the choice of series says %q", got)
	}
	// An observation's chart needs no icon to say what it is; a chart from the history does.
	if tab.kind.Visible() {
		t.Fatal("an observation's chart shows a kind icon")
	}
}
