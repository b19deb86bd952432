package views

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// manyDevices are n devices, every fourth with faults.
func manyDevices(n int) []DeviceStatusRow {
	out := make([]DeviceStatusRow, n)
	for i := range out {
		out[i] = DeviceStatusRow{Name: fmt.Sprintf("SSN0013500500%06X.sim.starfish.test", i), Type: "Milli", BatteryVolts: 3.6, Delay: 150 * time.Millisecond, Jitter: 250 * time.Millisecond}
		if i%4 == 1 {
			out[i].LossPercent, out[i].Offline, out[i].BatteryLow, out[i].ClockSkew = 30, true, true, -6139947970
		}
	}
	return out
}

// longSummary is a gateway whose every header line is long.
func longSummary() GatewaySummary {
	s := summary()
	long := strings.Repeat("a-very-long-name-", 12)
	s.Domain = long + "sim.starfish.test"
	s.History = "/home/" + long + "/.config/coap-workbench/gateway/history.db"
	s.Note = "Port 5683 was taken by another program, so the gateway listens on 5690 instead: " + strings.Repeat("point coap-client at it. ", 8)
	s.HistoryWarning = "running without history: " + strings.Repeat("the history is in use by another running workbench ", 5)
	s.LoginCommand += strings.Repeat(" -O 65000,0x"+long, 3)
	return s
}

func TestGatewayConsoleFitsTheBottomPanelInEveryState(t *testing.T) {
	test.NewTempApp(t)
	source := &fakeConsole{devices: manyDevices(40)}
	for i := range 30 {
		source.sessions = append(source.sessions, SessionRow{Account: strings.Repeat("account", 8), Socket: fmt.Sprintf("[2001:db8::%d]:40000", i), State: "grace", Idle: time.Duration(i) * time.Hour})
	}
	s := NewGatewayScreen(longSummary(), source)
	w := showInTestWindow(t, s.Object(), 660, 170)
	assertFits(t, "the console with long header lines", s.Object(), 660, 170)
	long := TrafficLine{Time: "12:00:00.000", Hop: "device", Client: "[2001:db8::1]:40000", Method: "GET", Target: "/snsr/sys/stats?mod=pwr  on " + strings.Repeat("SSN0013500500", 6), Code: "5.04 Gateway Timeout", Detail: strings.Repeat("retransmitted ", 20)}
	for range 300 {
		s.AddTraffic(long)
	}
	assertFits(t, "the traffic with long lines", s.Object(), 660, 170)
	test.Tap(s.traffic.pauseBtn)
	s.AddTraffic(lines(0, maxTrafficLines+5)...)
	s.traffic.filter.SetText("retransmitted retransmitted")
	assertFits(t, "the traffic paused and filtered", s.Object(), 660, 170)
	for _, tab := range s.tabs.Items {
		s.tabs.Select(tab)
		assertFits(t, "the "+tab.Text+" tab", s.Object(), 660, 170)
	}
	c := selectDevice(t, s, 1)
	test.Tap(c.reboot)
	assertFits(t, "the devices with faults, one selected", s.Object(), 660, 170)
	c.delay.SetText(strings.Repeat("long ", 40))
	test.Tap(c.apply)
	assertFits(t, "the fault controls with a long error", s.Object(), 660, 170)
	if !c.message.Visible() || c.message.Size().Height < lineHeight()-1 || c.scroll.Size().Height < lineHeight() {
		t.Fatalf("at 660×170 the error is %v high and the controls %v", c.message.Size().Height, c.scroll.Size().Height)
	}
	w.Resize(fyne.NewSize(1600, 450))
	assertFits(t, "the console at 1920×1080", s.Object(), 660, 170)

	test.NewTempApp(t)
	none := NewGatewayScreen(GatewaySummary{Note: "The embedded gateway is not running: " + strings.Repeat("listen udp 127.0.0.1:5683: bind: address already in use ", 6)}, nil)
	showInTestWindow(t, none.Object(), 660, 170)
	assertFits(t, "the console without a gateway", none.Object(), 660, 170)
}

// texts are the texts of every label, FitLabel and entry under o, visible or not.
func consoleTexts(o fyne.CanvasObject) []string {
	var out []string
	switch x := o.(type) {
	case *widget.Label:
		return []string{x.Text}
	case *FitLabel:
		return []string{x.Text()}
	case *widget.Entry:
		return []string{x.Text}
	case *fyne.Container:
		for _, child := range x.Objects {
			out = append(out, consoleTexts(child)...)
		}
	case *container.AppTabs:
		for _, item := range x.Items {
			out = append(out, consoleTexts(item.Content)...)
		}
	case fyne.Widget:
		for _, child := range test.WidgetRenderer(x).Objects() {
			out = append(out, consoleTexts(child)...)
		}
	}
	return out
}

// goDurationText matches a duration as Go writes it: "150ms", "-6.13994797s", "1m30s".
var goDurationText = regexp.MustCompile(`\d(ns|us|µs|ms|s|m|h)\b|\d(m|h)\d`)

func TestGatewayConsoleWritesDurationsForPeople(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	devices := twoDevices()
	devices[0].ClockSkew = -6139947970
	source := &fakeConsole{devices: devices, sessions: []SessionRow{{Account: "dev", Socket: "127.0.0.1:40000", Idle: 12400 * time.Millisecond, State: "active", TokenExpires: now.Add(59*time.Minute + 30*time.Second)}}}
	s, _ := newConsole(t, source)
	s.sessions.now = func() time.Time { return now }
	s.Refresh()
	c := selectDevice(t, s, 0)
	if c.skew.Text != "-6.1 s" || !strings.Contains(c.status.Text, "clock skew -6.1 s") {
		t.Fatalf("the clock skew reads %q in its entry and %q in the details", c.skew.Text, c.status.Text)
	}
	c.skew.SetText("-2 min")
	test.Tap(c.skewIt)
	if c.message.Text != "Clock of SSN001350050005E7D6 set 2 min behind true time." {
		t.Fatalf("message %q", c.message.Text)
	}
	shown := consoleTexts(s.Object())
	shown = append(shown, deviceCells(s, 0), deviceCells(s, 1), strings.Join(sessionCells(s, 0), " | "))
	for _, text := range shown {
		if goDurationText.MatchString(text) {
			t.Errorf("a raw Go duration in %q", text)
		}
	}
}
