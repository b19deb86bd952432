package views

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// GatewaySummary is what the embedded gateway runs, for its console's header.
type GatewaySummary struct {
	Listen        string
	TokenEndpoint string
	Domain        string
	Profile       string
	// Note explains anything unusual, such as a port other than the one asked for.
	Note string
	// History is where exchanges are recorded; HistoryWarning, when set, says why they are
	// not (another workbench holds the history) or what happened to a damaged one.
	History        string
	HistoryWarning string
	// LoginCommand is a coap-client command line that logs in to the gateway.
	LoginCommand string
}

// GatewayConsoleSource is the embedded gateway as the console sees it: its live sessions, its
// simulated devices, and the faults the console injects into them. Sessions and Devices may
// be called from any goroutine; the fault methods are called on the main goroutine.
type GatewayConsoleSource interface {
	// Sessions lists the live sessions.
	Sessions() []SessionRow
	// Devices lists the simulated devices, in a stable order.
	Devices() []DeviceStatusRow
	// SetLink sets the link of the device named device (its host name).
	SetLink(device string, link LinkSettings) error
	// Reboot restarts the device.
	Reboot(device string) error
	// SetBatteryLow puts the device's battery in (or out of) its low range.
	SetBatteryLow(device string, low bool) error
	// Tamper makes the device raise a tamper event.
	Tamper(device string) error
	// SkewClock sets the device's clock off by skew from true time.
	SkewClock(device string, skew time.Duration) error
}

// GatewayScreen is the gateway console: what the embedded gateway runs, its sessions, its
// live traffic, and its devices with their fault controls.
type GatewayScreen struct {
	source   GatewayConsoleSource
	root     fyne.CanvasObject
	tabs     *container.AppTabs
	sessions *sessionPanel
	traffic  *trafficPanel
	devices  *devicePanel

	sessionsTab, devicesTab *container.TabItem

	polling poller // re-reads sessions and devices while the console shows
}

// NewGatewayScreen builds the console for summary; it reads sessions and devices from source
// (nil: a console without sessions or devices).
func NewGatewayScreen(s GatewaySummary, source GatewayConsoleSource) *GatewayScreen {
	if source == nil {
		source = noGateway{}
	}
	g := &GatewayScreen{source: source, traffic: newTrafficPanel(), sessions: newSessionPanel(time.Now)}
	g.devices = newDevicePanel(source, g.refreshDevices)
	g.sessionsTab = container.NewTabItem("Sessions", g.sessions.root)
	g.devicesTab = container.NewTabItem("Devices", g.devices.root)
	g.tabs = container.NewAppTabs(container.NewTabItem("Traffic", g.traffic.root), g.sessionsTab, g.devicesTab)
	g.Refresh()
	g.root = container.NewBorder(newGatewayHeader(s, len(g.devices.devices)), nil, nil, nil, g.tabs)
	return g
}

// newGatewayHeader is the console's compact top: where the gateway listens, its mesh,
// anything unusual, and a command line to log in from a terminal.
func newGatewayHeader(s GatewaySummary, devices int) fyne.CanvasObject {
	facts := widget.NewLabel("not running")
	if s.Listen != "" {
		facts.SetText(fmt.Sprintf("udp %s · token endpoint %s · %d devices in %s, profile %s",
			s.Listen, orNone(s.TokenEndpoint), devices, s.Domain, s.Profile))
	}
	facts.Wrapping = fyne.TextWrapWord
	title := widget.NewLabelWithStyle("Embedded gateway-lite", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	header := container.NewVBox(container.NewBorder(nil, nil, title, nil, facts))
	if s.History != "" {
		history := widget.NewLabel("History: " + s.History)
		history.Truncation = fyne.TextTruncateEllipsis
		header.Add(history)
	}
	for _, text := range []string{s.Note, s.HistoryWarning} {
		if text == "" {
			continue
		}
		note := widget.NewLabel(text)
		note.Importance = widget.WarningImportance
		note.Wrapping = fyne.TextWrapWord
		header.Add(note)
	}
	if s.LoginCommand != "" {
		cmd := widget.NewLabel(s.LoginCommand)
		cmd.TextStyle = fyne.TextStyle{Monospace: true}
		cmd.Truncation = fyne.TextTruncateEllipsis
		copyButton := widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() {
			fyne.CurrentApp().Clipboard().SetContent(s.LoginCommand)
		})
		header.Add(container.NewBorder(nil, nil, widget.NewLabel("Log in with libcoap:"), copyButton, cmd))
	}
	return header
}

func orNone(s string) string {
	if s == "" {
		return "off"
	}
	return s
}

// Object is the screen's root object.
func (g *GatewayScreen) Object() fyne.CanvasObject { return g.root }

// AddTraffic appends exchanges; call it on the main goroutine (fyne.Do).
func (g *GatewayScreen) AddTraffic(lines ...TrafficLine) { g.traffic.add(lines) }

// TrafficCount is the number of exchanges the traffic stream keeps (filtered or not; lines
// held while paused are not counted until the stream resumes).
func (g *GatewayScreen) TrafficCount() int { return len(g.traffic.lines) }

// Refresh re-reads the sessions and devices from the source; call it on the main goroutine.
func (g *GatewayScreen) Refresh() { g.show(g.source.Sessions(), g.source.Devices()) }

// refreshDevices re-reads the devices alone, after a fault control acted on one.
func (g *GatewayScreen) refreshDevices() { g.devices.set(g.source.Devices()) }

func (g *GatewayScreen) show(sessions []SessionRow, devices []DeviceStatusRow) {
	g.sessions.set(sessions)
	g.devices.set(devices)
	// The tab titles change only with the counts, so the tabs are refreshed only then.
	sessionsTitle := fmt.Sprintf("Sessions (%d)", len(sessions))
	devicesTitle := fmt.Sprintf("Devices (%d)", len(devices))
	if g.sessionsTab.Text != sessionsTitle || g.devicesTab.Text != devicesTitle {
		g.sessionsTab.Text, g.devicesTab.Text = sessionsTitle, devicesTitle
		g.tabs.Refresh()
	}
}

// StartPolling re-reads the sessions and devices every period, off the main goroutine, and
// shows them through fyne.Do, until StopPolling. Call both on the main goroutine: start when
// the console becomes visible, stop when it is hidden or the gateway closes. Starting twice
// keeps the first poller.
func (g *GatewayScreen) StartPolling(period time.Duration) {
	g.polling.start(period, func() {
		sessions, devices := g.source.Sessions(), g.source.Devices()
		fyne.Do(func() { g.show(sessions, devices) })
	})
}

// StopPolling stops the poller StartPolling started and waits for it to end; a refresh it
// already queued may still be shown.
func (g *GatewayScreen) StopPolling() { g.polling.stopAndWait() }

// noGateway is the source of a console without a gateway: nothing to list, nothing to act on.
type noGateway struct{}

func (noGateway) Sessions() []SessionRow             { return nil }
func (noGateway) Devices() []DeviceStatusRow         { return nil }
func (noGateway) SetLink(string, LinkSettings) error { return errNoGateway }
func (noGateway) Reboot(string) error                { return errNoGateway }
func (noGateway) SetBatteryLow(string, bool) error   { return errNoGateway }
func (noGateway) Tamper(string) error                { return errNoGateway }
func (noGateway) SkewClock(string, time.Duration) error {
	return errNoGateway
}

var errNoGateway = errors.New("no embedded gateway is running")

// newColumnsRow is a list row of truncating labels laid out in columns of widths (the last
// label takes the rest); newColumnHeads is the same row with bold heads.
func newColumnsRow(widths []float32) *fyne.Container {
	cells := make([]fyne.CanvasObject, len(widths)+1)
	for i := range cells {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		cells[i] = l
	}
	return container.New(newColumnsLayout(widths...), cells...)
}

func newColumnHeads(widths []float32, heads ...string) *fyne.Container {
	row := newColumnsRow(widths)
	for i, head := range heads {
		l := row.Objects[i].(*widget.Label)
		l.TextStyle = fyne.TextStyle{Bold: true}
		l.SetText(head)
	}
	return row
}

// setColumns writes texts into a row newColumnsRow built.
func setColumns(row fyne.CanvasObject, texts ...string) {
	for i, o := range row.(*fyne.Container).Objects {
		o.(*widget.Label).SetText(texts[i])
	}
}

// TrafficLine is one exchange of the gateway's traffic stream, formatted.
type TrafficLine struct {
	Time   string
	Hop    string
	Client string
	Method string
	Target string
	Code   string
	Detail string
}

// matches reports whether any column of t contains text, ignoring case.
func (t *TrafficLine) matches(text string) bool {
	for _, column := range [...]string{t.Time, t.Hop, t.Client, t.Method, t.Target, t.Code, t.Detail} {
		if containsFold(column, text) {
			return true
		}
	}
	return false
}

// maxTrafficLines bounds the traffic the screen keeps, and the traffic it holds while paused:
// the newest lines win.
const maxTrafficLines = 2000

// anyHop is the hop choice that filters nothing.
const anyHop = "any hop"

// trafficColumns are the widths of time, hop, client, method and code; the target takes the rest.
var trafficColumns = []float32{105, 75, 150, 85, 60}

// trafficPanel is the live traffic stream: newest first, bounded, pausable and filterable.
type trafficPanel struct {
	lines []TrafficLine // newest last, at most maxTrafficLines
	// shown indexes lines, newest first, while a filter is set.
	shown    []int
	filtered bool
	text     string // the filter text
	hop      string // the hop chosen, "" for any

	paused bool
	held   []TrafficLine // arrived while paused, newest last, at most maxTrafficLines
	missed int           // lines that arrived while paused, held or not

	hops     map[string]bool
	root     fyne.CanvasObject
	list     *widget.List
	count    *widget.Label
	filter   *widget.Entry
	hopPick  *widget.Select
	pauseBtn *widget.Button
}

func newTrafficPanel() *trafficPanel {
	p := &trafficPanel{hops: map[string]bool{}, count: widget.NewLabel("")}
	p.list = widget.NewList(p.length, func() fyne.CanvasObject { return newColumnsRow(trafficColumns) }, p.updateRow)
	p.filter = widget.NewEntry()
	p.filter.SetPlaceHolder("Filter: text in any column")
	p.filter.OnChanged = func(text string) { p.text = text; p.refilter() }
	p.hopPick = widget.NewSelect([]string{anyHop}, func(hop string) {
		if hop == anyHop {
			hop = ""
		}
		p.hop = hop
		p.refilter()
	})
	p.hopPick.SetSelected(anyHop)
	p.pauseBtn = widget.NewButtonWithIcon("Pause", theme.MediaPauseIcon(), p.togglePause)
	bar := container.NewBorder(nil, nil, nil, container.NewHBox(p.hopPick, p.pauseBtn), p.filter)
	heads := newColumnHeads(trafficColumns, "Time", "Hop", "Client", "Method", "Code", "Target")
	p.root = container.NewBorder(container.NewVBox(bar, p.count, heads), nil, nil, nil, p.list)
	p.showCount()
	return p
}

func (p *trafficPanel) length() int {
	if p.filtered {
		return len(p.shown)
	}
	return len(p.lines)
}

func (p *trafficPanel) line(id widget.ListItemID) *TrafficLine {
	if p.filtered {
		return &p.lines[p.shown[id]]
	}
	return &p.lines[len(p.lines)-1-id]
}

func (p *trafficPanel) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	t := p.line(id)
	what := t.Target
	if t.Detail != "" {
		what += "  (" + t.Detail + ")"
	}
	setColumns(o, t.Time, t.Hop, t.Client, t.Method, t.Code, what)
}

// add takes new exchanges: onto the stream, or held while paused.
func (p *trafficPanel) add(lines []TrafficLine) {
	if len(lines) == 0 {
		return
	}
	p.learnHops(lines)
	if p.paused {
		p.missed += len(lines)
		p.held = appendBounded(p.held, lines)
		p.showCount()
		return
	}
	p.lines = appendBounded(p.lines, lines)
	p.refilter()
}

// appendBounded appends lines to kept, dropping the oldest beyond maxTrafficLines.
func appendBounded(kept, lines []TrafficLine) []TrafficLine {
	if len(lines) >= maxTrafficLines {
		return append(kept[:0], lines[len(lines)-maxTrafficLines:]...)
	}
	if over := len(kept) + len(lines) - maxTrafficLines; over > 0 {
		kept = append(kept[:0], kept[over:]...)
	}
	return append(kept, lines...)
}

// learnHops offers every hop the stream has carried in the hop filter.
func (p *trafficPanel) learnHops(lines []TrafficLine) {
	grew := false
	for i := range lines {
		if hop := lines[i].Hop; hop != "" && !p.hops[hop] {
			p.hops[hop] = true
			p.hopPick.Options = append(p.hopPick.Options, hop)
			grew = true
		}
	}
	if grew {
		p.hopPick.Refresh()
	}
}

func (p *trafficPanel) togglePause() {
	p.paused = !p.paused
	if p.paused {
		p.pauseBtn.SetText("Resume")
		p.pauseBtn.SetIcon(theme.MediaPlayIcon())
		p.showCount()
		return
	}
	p.pauseBtn.SetText("Pause")
	p.pauseBtn.SetIcon(theme.MediaPauseIcon())
	p.lines = appendBounded(p.lines, p.held)
	p.held, p.missed = p.held[:0], 0
	p.refilter()
}

// refilter rebuilds the shown lines after the lines or the filter changed, and refreshes the list.
func (p *trafficPanel) refilter() {
	p.filtered = p.text != "" || p.hop != ""
	p.shown = p.shown[:0]
	if p.filtered {
		for i := len(p.lines) - 1; i >= 0; i-- {
			t := &p.lines[i]
			if (p.hop == "" || t.Hop == p.hop) && t.matches(p.text) {
				p.shown = append(p.shown, i)
			}
		}
	}
	p.showCount()
	p.list.Refresh()
}

func (p *trafficPanel) showCount() {
	var text string
	switch {
	case len(p.lines) == 0:
		text = "No exchanges yet: send a request through the gateway."
	case p.filtered:
		text = fmt.Sprintf("%d of the %d most recent exchanges match, newest first", len(p.shown), len(p.lines))
	default:
		text = fmt.Sprintf("%d most recent exchanges, newest first", len(p.lines))
	}
	if p.paused {
		text = fmt.Sprintf("Paused: %d new while paused. %s", p.missed, text)
		if p.missed > maxTrafficLines {
			text += fmt.Sprintf(" (Resume keeps the newest %d.)", maxTrafficLines)
		}
	}
	p.count.SetText(text)
}

// containsFold reports whether s contains sub, ignoring case, without allocating.
func containsFold(s, sub string) bool {
	if sub == "" {
		return true
	}
	for i := 0; i+len(sub) <= len(s); i++ {
		// Compare from rune starts only.
		if s[i]&0xC0 != 0x80 && strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}
