package views

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/coap-workbench/coap-workbench/internal/human"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// DeviceStatusRow is a snapshot of one simulated device: its link and its faults.
type DeviceStatusRow struct {
	// Name is the device's host name, e.g. SSN001350050005E7D6.sim.starfish.test.
	Name string
	// Type is the NIC type, e.g. Milli or Gen5.
	Type string
	// LossPercent, Delay, Jitter and Offline are the link's faults (see LinkSettings).
	LossPercent   float64
	Delay, Jitter time.Duration
	Offline       bool
	// Rebooting is true while the device (or its Device IC) restarts and answers nothing.
	Rebooting    bool
	BatteryLow   bool
	BatteryVolts float64
	// Observers is the number of clients observing the device's power statistics.
	Observers int
	// ClockSkew is how far the Device IC's clock is off true time.
	ClockSkew time.Duration
}

// Link is the row's link settings.
func (d *DeviceStatusRow) Link() LinkSettings {
	return LinkSettings{LossPercent: d.LossPercent, Delay: d.Delay, Jitter: d.Jitter, Offline: d.Offline}
}

// LinkSettings are the faults of a device's link to the gateway.
type LinkSettings struct {
	// LossPercent is the chance, 0 to 100, that any one datagram is lost.
	LossPercent float64
	// Delay is added to every datagram, plus a random delay up to Jitter.
	Delay, Jitter time.Duration
	// Offline drops everything: the device is unreachable.
	Offline bool
}

// String says the link in a few words: "offline", "ok", "loss 2 %, delay 150ms ± 250ms".
func (l LinkSettings) String() string {
	if l.Offline {
		return "offline"
	}
	var parts []string
	if l.LossPercent > 0 {
		parts = append(parts, "loss "+strconv.FormatFloat(l.LossPercent, 'f', -1, 64)+" %")
	}
	switch {
	case l.Delay > 0 && l.Jitter > 0:
		parts = append(parts, "delay "+l.Delay.String()+" ± "+l.Jitter.String())
	case l.Delay > 0:
		parts = append(parts, "delay "+l.Delay.String())
	case l.Jitter > 0:
		parts = append(parts, "jitter "+l.Jitter.String())
	}
	if len(parts) == 0 {
		return "ok"
	}
	return strings.Join(parts, ", ")
}

// linkState is the row's link as the device list shows it.
func (d *DeviceStatusRow) linkState() string {
	if d.Rebooting && !d.Offline {
		return "rebooting"
	}
	return d.Link().String()
}

func (d *DeviceStatusRow) battery() string {
	volts := strconv.FormatFloat(d.BatteryVolts, 'f', 2, 64) + " V"
	if d.BatteryLow {
		volts += " (low)"
	}
	return volts
}

// matches reports whether the device's name, type or link state contains text, ignoring case.
func (d *DeviceStatusRow) matches(text string) bool {
	return containsFold(d.Name, text) || containsFold(d.Type, text) || containsFold(d.linkState(), text)
}

// deviceColumns are the widths of name, type and battery; the link takes the rest.
var deviceColumns = []float32{190, 70, 100}

// devicePanel lists the devices and, for the one selected, its fault controls.
type devicePanel struct {
	source  GatewayConsoleSource
	changed func() // re-reads the devices after a fault control acted
	devices []DeviceStatusRow
	shown   []int // indexes devices, in the list's order, while a filter is set
	text    string
	// selected is the host name of the device the controls act on ("" for none).
	selected string
	// syncing is set while the panel sets its own widgets, whose callbacks then do nothing.
	syncing bool

	list     *widget.List
	filter   *widget.Entry
	count    *widget.Label
	controls *faultControls
	root     fyne.CanvasObject
}

func newDevicePanel(source GatewayConsoleSource, changed func()) *devicePanel {
	p := &devicePanel{source: source, changed: changed, count: widget.NewLabel("")}
	p.list = widget.NewList(p.length, func() fyne.CanvasObject { return newColumnsRow(deviceColumns) }, p.updateRow)
	p.list.OnSelected = func(id widget.ListItemID) {
		if !p.syncing {
			p.selected = p.device(id).Name
			p.controls.show(p.device(id))
		}
	}
	p.filter = widget.NewEntry()
	p.filter.SetPlaceHolder("Filter: name, type or link state")
	p.filter.OnChanged = func(text string) { p.text = text; p.refilter() }
	p.controls = newFaultControls(p)
	heads := newColumnHeads(deviceColumns, "Device", "Type", "Battery", "Link")
	left := container.NewBorder(container.NewVBox(p.filter, p.count, heads), nil, nil, nil, p.list)
	split := container.NewHSplit(left, p.controls.root)
	split.Offset = 0.6
	p.root = split
	return p
}

func (p *devicePanel) length() int {
	if p.text != "" {
		return len(p.shown)
	}
	return len(p.devices)
}

func (p *devicePanel) device(id widget.ListItemID) *DeviceStatusRow {
	if p.text != "" {
		return &p.devices[p.shown[id]]
	}
	return &p.devices[id]
}

func (p *devicePanel) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	d := p.device(id)
	setColumns(o, human.ShortHost(d.Name), d.Type, d.battery(), d.linkState())
}

// set shows a new snapshot of the devices, reusing the panel's storage.
func (p *devicePanel) set(devices []DeviceStatusRow) {
	p.devices = append(p.devices[:0], devices...)
	p.refilter()
	if d := p.find(p.selected); d != nil {
		p.controls.update(d)
	}
}

func (p *devicePanel) find(name string) *DeviceStatusRow {
	for i := range p.devices {
		if p.devices[i].Name == name {
			return &p.devices[i]
		}
	}
	return nil
}

// refilter rebuilds the shown devices, keeps the selection on the same device, and
// refreshes the list.
func (p *devicePanel) refilter() {
	p.shown = p.shown[:0]
	if p.text != "" {
		for i := range p.devices {
			if p.devices[i].matches(p.text) {
				p.shown = append(p.shown, i)
			}
		}
	}
	switch n := p.length(); {
	case len(p.devices) == 0:
		p.count.SetText("No simulated devices.")
	case p.text != "":
		p.count.SetText(fmt.Sprintf("%d of %d devices match", n, len(p.devices)))
	default:
		p.count.SetText(fmt.Sprintf("%d devices", n))
	}
	p.syncing = true
	defer func() { p.syncing = false }()
	for id := range p.length() {
		if p.device(id).Name == p.selected {
			p.list.Select(id) // does nothing when already selected
			p.list.Refresh()
			return
		}
	}
	// The device stays in the controls while the filter hides it.
	p.list.UnselectAll()
	p.list.Refresh()
}

// faultControls act on the selected device of a devicePanel: its link, battery, clock,
// reboot and tamper switch.
type faultControls struct {
	panel   *devicePanel
	title   *widget.Label
	status  *widget.Label
	loss    *widget.Entry
	delay   *widget.Entry
	jitter  *widget.Entry
	offline *widget.Check
	battery *widget.Check
	skew    *widget.Entry
	message *widget.Label
	apply   *widget.Button
	skewIt  *widget.Button
	reboot  *widget.Button
	tamper  *widget.Button
	link    *widget.Form
	root    fyne.CanvasObject
}

func newFaultControls(p *devicePanel) *faultControls {
	c := &faultControls{
		panel:   p,
		title:   widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		status:  widget.NewLabel(""),
		loss:    widget.NewEntry(),
		delay:   widget.NewEntry(),
		jitter:  widget.NewEntry(),
		skew:    widget.NewEntry(),
		message: widget.NewLabel(""),
	}
	c.title.Truncation = fyne.TextTruncateEllipsis
	c.status.Wrapping = fyne.TextWrapWord
	c.message.Wrapping = fyne.TextWrapWord
	c.loss.SetPlaceHolder("0 to 100")
	c.delay.SetPlaceHolder("e.g. 300ms")
	c.jitter.SetPlaceHolder("e.g. 100ms")
	c.skew.SetPlaceHolder("e.g. -90s")
	c.offline = widget.NewCheck("Offline (drop everything)", func(bool) { c.applyLink() })
	c.battery = widget.NewCheck("Battery low", c.setBatteryLow)
	c.link = widget.NewForm(
		widget.NewFormItem("Loss (%)", c.loss),
		widget.NewFormItem("Delay", c.delay),
		widget.NewFormItem("Jitter", c.jitter),
	)
	c.apply = widget.NewButtonWithIcon("Apply link", theme.ConfirmIcon(), c.applyLink)
	c.skewIt = widget.NewButtonWithIcon("Skew clock", theme.HistoryIcon(), c.skewClock)
	c.reboot = widget.NewButtonWithIcon("Reboot", theme.ViewRefreshIcon(), c.rebootDevice)
	c.tamper = widget.NewButtonWithIcon("Tamper", theme.WarningIcon(), c.tamperWith)
	c.root = container.NewVScroll(container.NewVBox(
		c.title, c.status, c.message,
		widget.NewSeparator(),
		c.link, c.offline, container.NewHBox(c.apply),
		widget.NewSeparator(),
		c.battery,
		container.NewBorder(nil, nil, widget.NewLabel("Clock skew"), c.skewIt, c.skew),
		container.NewHBox(c.reboot, c.tamper),
	))
	c.title.SetText("No device selected")
	c.status.SetText("Select a device in the list to inject faults into it.")
	c.enable(false)
	return c
}

// show fills the controls from d, newly selected.
func (c *faultControls) show(d *DeviceStatusRow) {
	c.enable(true)
	c.title.SetText(d.Name)
	c.loss.SetText(strconv.FormatFloat(d.LossPercent, 'f', -1, 64))
	c.delay.SetText(d.Delay.String())
	c.jitter.SetText(d.Jitter.String())
	c.skew.SetText(d.ClockSkew.String())
	c.message.SetText("")
	c.update(d)
}

// enable turns the controls on once a device is selected.
func (c *faultControls) enable(on bool) {
	for _, w := range []fyne.Disableable{c.loss, c.delay, c.jitter, c.offline, c.battery, c.skew, c.apply, c.skewIt, c.reboot, c.tamper} {
		if on {
			w.Enable()
		} else {
			w.Disable()
		}
	}
	// The form greys its labels by its widgets' state when it refreshes.
	c.link.Refresh()
}

// update shows d's state as it is now; the entries keep what the user typed.
func (c *faultControls) update(d *DeviceStatusRow) {
	c.status.SetText(fmt.Sprintf("%s · link: %s · battery %s · clock skew %s · power observers: %d", d.Type, d.linkState(), d.battery(), d.ClockSkew, d.Observers))
	c.panel.syncing = true
	c.offline.SetChecked(d.Offline)
	c.battery.SetChecked(d.BatteryLow)
	c.panel.syncing = false
}

// report shows what an action did, or in red why it failed.
func (c *faultControls) report(err error, format string, args ...any) {
	if err != nil {
		c.message.Importance = widget.DangerImportance
		c.message.SetText(err.Error())
		return
	}
	c.message.Importance = widget.MediumImportance
	c.message.SetText(fmt.Sprintf(format, args...))
	c.panel.changed()
}

// acting reports whether a user action should reach the source: a device is selected and
// the panel is not setting its own widgets.
func (c *faultControls) acting() bool { return !c.panel.syncing && c.panel.selected != "" }

func (c *faultControls) applyLink() {
	if !c.acting() {
		return
	}
	device := c.panel.selected
	link, err := parseLink(c.loss.Text, c.delay.Text, c.jitter.Text, c.offline.Checked)
	if err == nil {
		err = c.panel.source.SetLink(device, link)
		if err != nil {
			err = fmt.Errorf("could not set the link of %s: %w", human.ShortHost(device), err)
		}
	}
	if err != nil {
		// The check shows the device's state, not a setting that was not applied.
		if d := c.panel.find(device); d != nil {
			c.update(d)
		}
	}
	c.report(err, "Link of %s set: %s.", human.ShortHost(device), link)
}

func (c *faultControls) setBatteryLow(low bool) {
	if !c.acting() {
		return
	}
	device := c.panel.selected
	err := c.panel.source.SetBatteryLow(device, low)
	if err != nil {
		err = fmt.Errorf("could not change the battery of %s: %w", human.ShortHost(device), err)
		if d := c.panel.find(device); d != nil {
			c.update(d)
		}
	}
	state := "normal"
	if low {
		state = "low: the device raises a low-battery event"
	}
	c.report(err, "Battery of %s %s.", human.ShortHost(device), state)
}

func (c *faultControls) skewClock() {
	if !c.acting() {
		return
	}
	device := c.panel.selected
	skew, err := parseDuration("clock skew", c.skew.Text, true)
	if err == nil {
		if err = c.panel.source.SkewClock(device, skew); err != nil {
			err = fmt.Errorf("could not skew the clock of %s: %w", human.ShortHost(device), err)
		}
	}
	c.report(err, "Clock of %s set %s off true time.", human.ShortHost(device), skew)
}

func (c *faultControls) rebootDevice() {
	if !c.acting() {
		return
	}
	device := c.panel.selected
	err := c.panel.source.Reboot(device)
	if err != nil {
		err = fmt.Errorf("could not reboot %s: %w", human.ShortHost(device), err)
	}
	c.report(err, "%s is rebooting: it answers nothing until it is back.", human.ShortHost(device))
}

func (c *faultControls) tamperWith() {
	if !c.acting() {
		return
	}
	device := c.panel.selected
	err := c.panel.source.Tamper(device)
	if err != nil {
		err = fmt.Errorf("could not tamper with %s: %w", human.ShortHost(device), err)
	}
	c.report(err, "%s raised a tamper event.", human.ShortHost(device))
}

// parseLink reads the link settings the user typed.
func parseLink(loss, delay, jitter string, offline bool) (LinkSettings, error) {
	l := LinkSettings{Offline: offline}
	var err error
	if l.LossPercent, err = parseLoss(loss); err != nil {
		return l, err
	}
	if l.Delay, err = parseDuration("delay", delay, false); err != nil {
		return l, err
	}
	l.Jitter, err = parseDuration("jitter", jitter, false)
	return l, err
}

// parseLoss reads a percentage from 0 to 100 ("30", "30 %", "" for none).
func parseLoss(text string) (float64, error) {
	text = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(text), "%"))
	if text == "" {
		return 0, nil
	}
	loss, err := strconv.ParseFloat(text, 64)
	if err != nil || loss < 0 || loss > 100 {
		return 0, fmt.Errorf("loss %q is not a percentage: write a number from 0 to 100", text)
	}
	return loss, nil
}

// parseDuration reads a duration such as 300ms or 1.5s ("" for none) called what.
func parseDuration(what, text string, negativeOK bool) (time.Duration, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(text)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not a duration: write it like 300ms, 1.5s or 2m", what, text)
	}
	if d < 0 && !negativeOK {
		return 0, fmt.Errorf("%s %s cannot be negative", what, text)
	}
	return d, nil
}
