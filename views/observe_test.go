package views

import (
	"errors"
	"strings"
	"testing"
	"time"

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
	if got := tab.Charts(); len(got) != 1 || got[0] != statsURI {
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
	if len(tab.Charts()) != 0 || !tab.hint.Visible() {
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
	if want := "SSN001350050005E7D6 /sys/stats?mod=pwr, the last 1 h from the history (60 answers)"; tab.Charts()[0] != want {
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
