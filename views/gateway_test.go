package views

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func summary() GatewaySummary {
	return GatewaySummary{
		Listen: "127.0.0.1:5683", TokenEndpoint: "http://127.0.0.1:5680/api/tokens", Domain: "sim.starfish.test", Profile: "field",
		ProfileLink:  LinkSettings{LossPercent: 2, Delay: 150 * time.Millisecond, Jitter: 250 * time.Millisecond},
		LoginCommand: "coap-workbench token | coap-client-notls -m post -t 0 -f - -p 12345 coap://127.0.0.1:5683/sessions",
	}
}

// fakeConsole is a GatewayConsoleSource that records what the console asks of it.
type fakeConsole struct {
	mu       sync.Mutex
	sessions []SessionRow
	devices  []DeviceStatusRow
	calls    []string
	fail     error // returned by every fault method when set
	polls    int   // calls of Sessions
}

func twoDevices() []DeviceStatusRow {
	return []DeviceStatusRow{
		{Name: "SSN001350050005E7D6.sim.starfish.test", Type: "Milli", LossPercent: 2, Delay: 150 * time.Millisecond, Jitter: 250 * time.Millisecond, BatteryVolts: 3.61, Observers: 1},
		{Name: "SSN0013500542642B7A.sim.starfish.test", Type: "Gen5", Offline: true, BatteryVolts: 3.12, BatteryLow: true, ClockSkew: -90 * time.Second},
	}
}

func (f *fakeConsole) Sessions() []SessionRow {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.polls++
	return append([]SessionRow(nil), f.sessions...)
}

func (f *fakeConsole) Devices() []DeviceStatusRow {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]DeviceStatusRow(nil), f.devices...)
}

// act records a call and, unless the fake fails, changes the device with change.
func (f *fakeConsole) act(device, call string, change func(*DeviceStatusRow)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
	if f.fail != nil {
		return f.fail
	}
	for i := range f.devices {
		if f.devices[i].Name == device {
			change(&f.devices[i])
			return nil
		}
	}
	return fmt.Errorf("no device %s", device)
}

func (f *fakeConsole) SetLink(device string, l LinkSettings) error {
	return f.act(device, fmt.Sprintf("SetLink %s loss=%g delay=%v jitter=%v offline=%v", device, l.LossPercent, l.Delay, l.Jitter, l.Offline), func(d *DeviceStatusRow) {
		d.LossPercent, d.Delay, d.Jitter, d.Offline = l.LossPercent, l.Delay, l.Jitter, l.Offline
	})
}

func (f *fakeConsole) Reboot(device string) error {
	return f.act(device, "Reboot "+device, func(d *DeviceStatusRow) { d.Rebooting = true })
}

func (f *fakeConsole) SetBatteryLow(device string, low bool) error {
	return f.act(device, fmt.Sprintf("SetBatteryLow %s %v", device, low), func(d *DeviceStatusRow) { d.BatteryLow = low })
}

func (f *fakeConsole) Tamper(device string) error {
	return f.act(device, "Tamper "+device, func(*DeviceStatusRow) {})
}

func (f *fakeConsole) SkewClock(device string, skew time.Duration) error {
	return f.act(device, fmt.Sprintf("SkewClock %s %v", device, skew), func(d *DeviceStatusRow) { d.ClockSkew = skew })
}

func (f *fakeConsole) callLog() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// newConsole shows a console over source in a test window.
func newConsole(t *testing.T, source GatewayConsoleSource) (*GatewayScreen, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	s := NewGatewayScreen(summary(), source)
	w := test.NewWindow(s.Object())
	t.Cleanup(w.Close)
	w.Resize(fyne.NewSize(1000, 700))
	return s, w
}

// hasLabel reports whether a label with text is on screen under o. It walks the renderers the
// canvas uses (test.LaidOutObjects would make new ones and detach labels from the screen).
func hasLabel(o fyne.CanvasObject, text string) bool {
	if !o.Visible() {
		return false
	}
	switch x := o.(type) {
	case *widget.Label:
		return x.Text == text
	case *fyne.Container:
		for _, child := range x.Objects {
			if hasLabel(child, text) {
				return true
			}
		}
	case fyne.Widget:
		for _, child := range test.WidgetRenderer(x).Objects() {
			if hasLabel(child, text) {
				return true
			}
		}
	}
	return false
}

func TestGatewayScreenShowsTheGatewayAndItsMesh(t *testing.T) {
	s, _ := newConsole(t, &fakeConsole{devices: twoDevices()})
	s.tabs.Select(s.gatewayTab)
	facts := "udp 127.0.0.1:5683 · token endpoint http://127.0.0.1:5680/api/tokens · 2 devices in sim.starfish.test, profile field"
	if !hasLabel(s.Object(), facts) {
		t.Fatal("mesh summary missing")
	}
	if !hasLabel(s.Object(), summary().LoginCommand) {
		t.Fatal("the login command line is missing")
	}
	if got := s.devicesTab.Text; got != "Devices (2)" {
		t.Fatalf("devices tab %q", got)
	}
}

func TestGatewayScreenWithoutASourceListsNothing(t *testing.T) {
	test.NewTempApp(t)
	s := NewGatewayScreen(GatewaySummary{Note: "The embedded gateway is not running: port taken"}, nil)
	if !hasLabel(s.Object(), "not running") || !hasLabel(s.Object(), "The embedded gateway is not running: port taken") {
		t.Fatal("a console without a gateway does not say so")
	}
	if s.sessions.list.Length() != 0 || s.devices.list.Length() != 0 || s.sessionsTab.Text != "Sessions (0)" {
		t.Fatalf("a console without a gateway lists %d sessions and %d devices", s.sessions.list.Length(), s.devices.list.Length())
	}
}

func TestGatewayScreenSaysWhereTheHistoryIsOrWhyThereIsNone(t *testing.T) {
	test.NewTempApp(t)
	s := summary()
	s.History = "/home/me/.config/coap-workbench/gateway/history.db"
	screen := NewGatewayScreen(s, nil)
	screen.tabs.Select(screen.gatewayTab)
	if !hasLabel(screen.Object(), "History: "+s.History) || screen.gatewayTab.Icon != nil {
		t.Fatal("the history's file is not shown, or shown as a warning")
	}
	s.History, s.HistoryWarning = "none", "running without history: the history is in use by another running workbench"
	screen = NewGatewayScreen(s, nil)
	screen.tabs.Select(screen.gatewayTab)
	if !hasLabel(screen.Object(), s.HistoryWarning) || screen.gatewayTab.Icon == nil {
		t.Fatal("the reason for running without history is not shown, or its tab is not marked")
	}
}

// lines are n exchanges, numbered in their Detail, with hops alternating device and gateway.
func lines(from, n int) []TrafficLine {
	out := make([]TrafficLine, n)
	for i := range out {
		hop := "device"
		if (from+i)%2 == 1 {
			hop = "gateway"
		}
		out[i] = TrafficLine{Time: "12:00:00.000", Hop: hop, Client: "127.0.0.1:40000", Method: "GET", Target: "/sys  on SSN0013", Code: "2.05", Detail: fmt.Sprintf("#%d", from+i)}
	}
	return out
}

// shownDetails are the Details of the traffic list's rows, top first.
func shownDetails(s *GatewayScreen) []string {
	p := s.traffic
	out := make([]string, p.length())
	for i := range out {
		out[i] = p.line(i).Detail
	}
	return out
}

func TestGatewayTrafficIsBoundedAndNewestFirst(t *testing.T) {
	s, _ := newConsole(t, nil)
	if s.TrafficCount() != 0 || !hasLabel(s.Object(), "No exchanges yet: send a request through the gateway.") {
		t.Fatal("traffic before any exchange")
	}
	for i := range maxTrafficLines/500 + 1 {
		s.AddTraffic(lines(i*500, 500)...)
	}
	if s.TrafficCount() != maxTrafficLines || s.traffic.list.Length() != maxTrafficLines {
		t.Fatalf("traffic kept %d lines (list %d), want the bound %d", s.TrafficCount(), s.traffic.list.Length(), maxTrafficLines)
	}
	newest := fmt.Sprintf("#%d", (maxTrafficLines/500+1)*500-1)
	oldest := fmt.Sprintf("#%d", 500)
	if got := shownDetails(s); got[0] != newest || got[len(got)-1] != oldest {
		t.Fatalf("rows run from %s to %s, want %s (newest) to %s", got[0], got[len(got)-1], newest, oldest)
	}
	// One batch larger than the bound keeps its newest lines.
	s.AddTraffic(lines(10000, maxTrafficLines+7)...)
	if got := shownDetails(s); s.TrafficCount() != maxTrafficLines || got[len(got)-1] != "#10007" {
		t.Fatalf("after a huge batch: %d lines, oldest %s", s.TrafficCount(), got[len(got)-1])
	}
}

func TestGatewayTrafficPausesAndCountsWhatArrives(t *testing.T) {
	s, _ := newConsole(t, nil)
	s.AddTraffic(lines(0, 3)...)
	test.Tap(s.traffic.pauseBtn)
	if s.traffic.pauseBtn.Text != "Resume" {
		t.Fatalf("pause button says %q while paused", s.traffic.pauseBtn.Text)
	}
	s.AddTraffic(lines(3, 4)...)
	s.AddTraffic(lines(7, 1)...)
	if s.TrafficCount() != 3 || shownDetails(s)[0] != "#2" {
		t.Fatalf("the stream moved while paused: %d lines, top %s", s.TrafficCount(), shownDetails(s)[0])
	}
	want := "Paused: 5 new. 3 exchanges, newest first"
	if s.traffic.count.Text != want {
		t.Fatalf("count says %q, want %q", s.traffic.count.Text, want)
	}
	test.Tap(s.traffic.pauseBtn)
	if s.TrafficCount() != 8 || shownDetails(s)[0] != "#7" || s.traffic.pauseBtn.Text != "Pause" {
		t.Fatalf("after resume: %d lines, top %s, button %q", s.TrafficCount(), shownDetails(s)[0], s.traffic.pauseBtn.Text)
	}
	if s.traffic.count.Text != "8 exchanges, newest first" {
		t.Fatalf("count after resume %q", s.traffic.count.Text)
	}
	// What arrives during a long pause is held within the bound.
	test.Tap(s.traffic.pauseBtn)
	s.AddTraffic(lines(100, maxTrafficLines+50)...)
	if !strings.HasPrefix(s.traffic.count.Text, "Paused: 2 050 new (Resume keeps the newest 2 000). ") || len(s.traffic.held) != maxTrafficLines {
		t.Fatalf("count %q, held %d", s.traffic.count.Text, len(s.traffic.held))
	}
	test.Tap(s.traffic.pauseBtn)
	if s.TrafficCount() != maxTrafficLines || shownDetails(s)[0] != fmt.Sprintf("#%d", 100+maxTrafficLines+49) {
		t.Fatalf("after a long pause: %d lines, top %s", s.TrafficCount(), shownDetails(s)[0])
	}
}

func TestGatewayTrafficFilterNarrowsExactly(t *testing.T) {
	s, _ := newConsole(t, nil)
	s.AddTraffic(lines(0, 30)...)
	s.AddTraffic(TrafficLine{Time: "12:00:01.000", Hop: "session", Client: "10.0.0.9:5555", Method: "POST", Target: "/sessions  on the gateway", Code: "2.01", Detail: "Login dev"})
	test.Type(s.traffic.filter, "LOGIN")
	if got := shownDetails(s); len(got) != 1 || got[0] != "Login dev" {
		t.Fatalf("filter LOGIN shows %v", got)
	}
	s.traffic.filter.SetText("#2")
	want := []string{"#29", "#28", "#27", "#26", "#25", "#24", "#23", "#22", "#21", "#20", "#2"}
	if got := shownDetails(s); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("filter #2 shows %v, want %v", got, want)
	}
	if s.traffic.count.Text != "11 of 31 exchanges match, newest first" {
		t.Fatalf("count %q", s.traffic.count.Text)
	}
	// The hop narrows further, and offers the hops the stream carried.
	if got := strings.Join(s.traffic.hopPick.Options, ","); got != "any hop,device,gateway,session" {
		t.Fatalf("hop choices %s", got)
	}
	s.traffic.hopPick.SetSelected("gateway")
	if got := shownDetails(s); strings.Join(got, " ") != "#29 #27 #25 #23 #21" {
		t.Fatalf("filter #2 on gateway hops shows %v", got)
	}
	// New lines are filtered as they arrive.
	s.AddTraffic(lines(31, 2)...)
	if got := shownDetails(s); len(got) != 5 {
		t.Fatalf("lines not matching the filter were shown: %v", got)
	}
	s.AddTraffic(lines(201, 1)...)
	if got := shownDetails(s); got[0] != "#201" || len(got) != 6 {
		t.Fatalf("a matching new line is not on top: %v", got)
	}
	s.traffic.filter.SetText("")
	s.traffic.hopPick.SetSelected(anyHop)
	if s.traffic.list.Length() != 34 {
		t.Fatalf("with no filter the list shows %d of 34 lines", s.traffic.list.Length())
	}
}

func TestGatewayScreenPollsWhileStarted(t *testing.T) {
	source := &fakeConsole{devices: twoDevices()}
	s, _ := newConsole(t, source)
	source.mu.Lock()
	source.sessions = []SessionRow{{Account: "dev", Socket: "127.0.0.1:40000", State: "active"}}
	source.mu.Unlock()
	s.StartPolling(time.Millisecond)
	s.StartPolling(time.Millisecond) // a second start keeps the first poller
	deadline := time.Now().Add(5 * time.Second)
	for {
		source.mu.Lock()
		polls := source.polls
		source.mu.Unlock()
		// The first poll is shown before the second starts (the test driver's fyne.Do runs
		// at once), and StopPolling waits for the poller.
		if polls >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the console did not poll its source")
		}
		time.Sleep(time.Millisecond)
	}
	s.StopPolling()
	s.StopPolling()
	if s.sessions.list.Length() != 1 || s.sessionsTab.Text != "Sessions (1)" {
		t.Fatalf("after polling: %d sessions, tab %q", s.sessions.list.Length(), s.sessionsTab.Text)
	}
	source.mu.Lock()
	polls := source.polls
	source.mu.Unlock()
	time.Sleep(20 * time.Millisecond)
	source.mu.Lock()
	defer source.mu.Unlock()
	if source.polls != polls {
		t.Fatalf("the console polled %d times after StopPolling", source.polls-polls)
	}
}

func TestContainsFoldIgnoresCase(t *testing.T) {
	for _, c := range []struct {
		s, sub string
		want   bool
	}{
		{"SSN001350050005E7D6", "e7d6", true},
		{"nic→ic", "→IC", true},
		{"nic→ic", "ic→nic", false},
		{"abc", "", true},
		{"ab", "abc", false},
	} {
		if got := containsFold(c.s, c.sub); got != c.want {
			t.Errorf("containsFold(%q, %q) = %v", c.s, c.sub, got)
		}
	}
}

// errRefused is what a failing fake returns.
var errRefused = errors.New("the device refused")

func TestGatewayConsoleRendersEachPart(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	source := &fakeConsole{devices: twoDevices(), sessions: []SessionRow{
		{Account: "dev", Socket: "127.0.0.1:40000", Idle: 12 * time.Second, State: "active", TokenExpires: now.Add(59 * time.Minute)},
		{Account: "ops", Socket: "127.0.0.1:40001", Sticky: true, Idle: 3 * time.Minute, State: "grace", TokenExpires: now.Add(-time.Minute)},
	}}
	s, w := newConsole(t, source)
	s.sessions.now = func() time.Time { return now }
	s.Refresh()
	s.AddTraffic(lines(0, 3)...)
	test.Tap(s.traffic.pauseBtn)
	s.AddTraffic(lines(3, 2)...)
	test.AssertRendersToMarkup(t, "gateway_traffic.xml", w.Canvas())

	s.tabs.SelectIndex(1)
	test.AssertRendersToMarkup(t, "gateway_sessions.xml", w.Canvas())

	c := selectDevice(t, s, 0)
	c.delay.SetText("abc")
	test.Tap(c.apply)
	test.AssertRendersToMarkup(t, "gateway_devices.xml", w.Canvas())
}
