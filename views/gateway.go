package views

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// GatewaySummary is what the embedded gateway runs, for its console's Gateway tab.
type GatewaySummary struct {
	Listen        string
	TokenEndpoint string
	Domain        string
	Profile       string
	// ProfileLink is the link every device has under the mesh's profile: a device's link is
	// a fault where it is worse than this.
	ProfileLink LinkSettings
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

// GatewayScreen is the gateway console: its live traffic, its sessions, its devices with
// their fault controls, and what the embedded gateway runs, each in a tab of its own so that
// the lists keep the pane's height.
type GatewayScreen struct {
	// OnFaultsChanged, when set, hears of every change of a device's faults, on the main
	// goroutine: host is the device's host name and summary its faults now ("loss 30 %",
	// "offline · battery low"; "" when the device is healthy again). A fault applied from
	// the console is heard at once; one seen otherwise (a reboot resetting the clock, faults
	// given on the command line) when the console next reads its devices. Devices whose
	// faults were never reported are taken as healthy, so a Refresh after setting the hook
	// reports the devices that have faults already.
	OnFaultsChanged func(host, summary string)
	// Logger records what the fault controls do, at Info ("fault applied", "fault
	// cleared") or Warn ("fault not applied"); nil: slog.Default().
	Logger *slog.Logger

	source   GatewayConsoleSource
	root     fyne.CanvasObject
	tabs     *container.AppTabs
	sessions *sessionPanel
	traffic  *trafficPanel
	devices  *devicePanel

	sessionsTab, devicesTab, gatewayTab *container.TabItem

	polling poller // re-reads sessions and devices while the console shows
}

// NewGatewayScreen builds the console for summary; it reads sessions and devices from source
// (nil: a console without sessions or devices).
func NewGatewayScreen(s GatewaySummary, source GatewayConsoleSource) *GatewayScreen {
	if source == nil {
		source = noGateway{}
	}
	g := &GatewayScreen{source: source, traffic: newTrafficPanel(), sessions: newSessionPanel(time.Now, s.LoginCommand)}
	g.devices = newDevicePanel(source, s.ProfileLink, deviceEvents{
		faultsChanged: func(host, summary string) bool {
			if g.OnFaultsChanged == nil {
				return false
			}
			g.OnFaultsChanged(host, summary)
			return true
		},
		counted: g.showDeviceCount,
		logger:  g.logger,
	})
	g.sessionsTab = container.NewTabItem("Sessions", g.sessions.root)
	g.devicesTab = container.NewTabItem("Devices", g.devices.root)
	g.Refresh()
	g.gatewayTab = container.NewTabItem("Gateway", newGatewayInfo(s, len(g.devices.devices)))
	if s.Note != "" || s.HistoryWarning != "" {
		g.gatewayTab.Icon = theme.WarningIcon()
	}
	g.tabs = container.NewAppTabs(container.NewTabItem("Traffic", g.traffic.root), g.sessionsTab, g.devicesTab, g.gatewayTab)
	if s.Listen == "" {
		// Nothing runs: the reason is what there is to read.
		g.tabs.Select(g.gatewayTab)
	}
	g.root = g.tabs
	return g
}

// ShowDevice brings the Devices tab forward with the device called host selected in it.
func (g *GatewayScreen) ShowDevice(host string) {
	g.tabs.Select(g.devicesTab)
	for id := range g.devices.length() {
		if strings.EqualFold(g.devices.device(id).Name, host) {
			g.devices.list.Select(id)
			return
		}
	}
}

// logger is where the fault controls record what they do.
func (g *GatewayScreen) logger() *slog.Logger {
	if g.Logger != nil {
		return g.Logger
	}
	return slog.Default()
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

func (g *GatewayScreen) show(sessions []SessionRow, devices []DeviceStatusRow) {
	g.sessions.set(sessions)
	g.devices.set(devices)
	g.setTabTitle(g.sessionsTab, fmt.Sprintf("Sessions (%d)", len(sessions)))
}

// FaultsOf is what is wrong with the device called host as the console last read it, in
// the words OnFaultsChanged uses ("" when it is healthy or unknown): for a tree that lists
// the device after its faults were reported.
func (g *GatewayScreen) FaultsOf(host string) string {
	if d := g.devices.find(host); d != nil {
		return d.faults(g.devices.profile)
	}
	return ""
}

// showDeviceCount titles the Devices tab with how many devices it lists.
func (g *GatewayScreen) showDeviceCount(shown, total int) {
	title := fmt.Sprintf("Devices (%d)", total)
	if shown != total {
		title = fmt.Sprintf("Devices (%d of %d)", shown, total)
	}
	g.setTabTitle(g.devicesTab, title)
}

// setTabTitle retitles a tab; the tabs are refreshed only when a title changes.
func (g *GatewayScreen) setTabTitle(tab *container.TabItem, title string) {
	if tab.Text != title {
		tab.Text = title
		if g.tabs != nil {
			g.tabs.Refresh()
		}
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

// newColumnsRow is a list row of truncating labels laid out in columns of widths, and last
// taking the rest (nil: a truncating label too). newColumnHeads is the same row with bold
// heads.
func newColumnsRow(widths []float32, last fyne.CanvasObject) *fyne.Container {
	cells := make([]fyne.CanvasObject, len(widths)+1)
	for i := range cells {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		cells[i] = l
	}
	if last != nil {
		cells[len(widths)] = last
	}
	return container.New(newColumnsLayout(widths...), cells...)
}

func newColumnHeads(widths []float32, heads ...string) *fyne.Container {
	row := newColumnsRow(widths, nil)
	for i, head := range heads {
		l := row.Objects[i].(*widget.Label)
		l.TextStyle = fyne.TextStyle{Bold: true}
		l.SetText(head)
	}
	return row
}

// setColumns writes texts into the first labels of a row newColumnsRow built.
func setColumns(row fyne.CanvasObject, texts ...string) {
	for i, text := range texts {
		row.(*fyne.Container).Objects[i].(*widget.Label).SetText(text)
	}
}

// compactRows lays a list and its column heads out in the compact density, whatever the
// window's, so that a pane 250 px high still lists several devices or exchanges.
func compactRows(o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewThemeOverride(o, NewTheme(true))
}

// emptyHint is a wrapping line shown in place of an empty list, saying why it is empty.
func emptyHint(text string) *widget.Label {
	l := wrappingLabel(text)
	l.Importance = widget.LowImportance
	return l
}
