package views

import (
	"fmt"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/internal/human"
)

// faultControls act on the selected device of a devicePanel: its link, battery, clock,
// reboot and tamper switch. The device's name and what the last action did stay in view at
// the top; the controls scroll below them when the pane is short, and stand in two columns
// when it is wide.
type faultControls struct {
	panel   *devicePanel
	title   *FitLabel
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
	scroll  *container.Scroll
	root    fyne.CanvasObject
}

func newFaultControls(p *devicePanel) *faultControls {
	c := &faultControls{
		panel:   p,
		title:   NewFitLabel(""),
		status:  wrappingLabel(""),
		loss:    widget.NewEntry(),
		delay:   widget.NewEntry(),
		jitter:  widget.NewEntry(),
		skew:    widget.NewEntry(),
		message: wrappingLabel(""),
	}
	c.title.SetTextStyle(fyne.TextStyle{Bold: true})
	c.message.Hide()
	c.loss.SetPlaceHolder("0 to 100")
	c.delay.SetPlaceHolder("e.g. 300 ms")
	c.jitter.SetPlaceHolder("e.g. 100 ms")
	c.skew.SetPlaceHolder("e.g. -90 s")
	// Enter in an entry applies what it sets.
	for _, e := range []*widget.Entry{c.loss, c.delay, c.jitter} {
		e.OnSubmitted = func(string) { c.applyLink() }
	}
	c.skew.OnSubmitted = func(string) { c.skewClock() }
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
	groups := &pairLayout{}
	// The controls first, the device's details below them: the list's row says its state.
	c.scroll = container.NewVScroll(container.NewVBox(
		container.New(groups,
			container.NewVBox(c.link, c.offline, container.NewHBox(c.apply)),
			container.NewVBox(
				c.battery,
				container.NewBorder(nil, nil, widget.NewLabel("Clock skew"), c.skewIt, c.skew),
				container.NewHBox(c.reboot, c.tamper),
			),
		),
		widget.NewSeparator(),
		c.status,
	))
	c.root = container.New(&faultColumnLayout{groups: groups}, c.title, c.message, c.scroll)
	c.title.SetText("No device selected")
	c.status.SetText("Select a device in the list to inject faults into it.")
	c.enable(false)
	return c
}

// show fills the controls from d, newly selected.
func (c *faultControls) show(d *DeviceStatusRow) {
	c.enable(true)
	c.title.Tip = d.Name
	c.title.SetText(human.ShortHost(d.Name))
	c.loss.SetText(strconv.FormatFloat(d.LossPercent, 'f', -1, 64))
	c.delay.SetText(human.Duration(d.Delay))
	c.jitter.SetText(human.Duration(d.Jitter))
	c.skew.SetText(human.Duration(d.ClockSkew))
	c.say("", widget.MediumImportance)
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
	c.status.SetText(fmt.Sprintf("%s · %s · link: %s · battery %s · clock skew %s · %s",
		d.Name, d.Type, d.linkState(), d.battery(), human.Duration(d.ClockSkew), human.Plural(d.Observers, "power observer")))
	c.panel.syncing = true
	c.offline.SetChecked(d.Offline)
	c.battery.SetChecked(d.BatteryLow)
	c.panel.syncing = false
}

// say shows what an action did (MediumImportance: nothing to say, SuccessImportance: done,
// DangerImportance: why it failed) where it stays in view.
func (c *faultControls) say(text string, importance widget.Importance) {
	c.message.Importance = importance
	c.message.SetText(text)
	c.message.Hidden = text == ""
	c.root.Refresh()
}

// acting reports whether a user action should reach the source: a device is selected and
// the panel is not setting its own widgets.
func (c *faultControls) acting() bool { return !c.panel.syncing && c.panel.selected != "" }

// faultAction is one thing the controls do to the selected device.
type faultAction struct {
	// fault says what is done, for the log: "loss 30 %", "battery low", "reboot".
	fault string
	// clears is set when the action takes a fault away rather than adding one.
	clears bool
	// do acts on the device named host.
	do func(host string) error
	// failed begins the message of a failure: "could not reboot" (the device follows).
	failed string
	// done says what was done to the device called name, for the console.
	done func(name string) string
}

// act does a to the selected device, re-reads the devices, and says what happened in the
// console and in the log.
func (c *faultControls) act(a faultAction) {
	host := c.panel.selected
	log := c.panel.events.logger()
	if err := a.do(host); err != nil {
		err = fmt.Errorf("%s %s: %w", a.failed, human.ShortHost(host), err)
		// The checks show the device's state, not a setting that was not applied.
		if d := c.panel.find(host); d != nil {
			c.update(d)
		}
		log.Warn("fault not applied", "device", host, "fault", a.fault, "err", err)
		c.say(err.Error(), widget.DangerImportance)
		return
	}
	c.panel.reread()
	faults := "none"
	if d := c.panel.find(host); d != nil && d.faults(c.panel.profile) != "" {
		faults = d.faults(c.panel.profile)
	}
	msg := "fault applied"
	if a.clears {
		msg = "fault cleared"
	}
	log.Info(msg, "device", host, "fault", a.fault, "faults", faults)
	c.say(a.done(human.ShortHost(host)), widget.SuccessImportance)
}

// refuse says why what the user typed cannot be applied.
func (c *faultControls) refuse(err error) {
	if d := c.panel.find(c.panel.selected); d != nil {
		c.update(d)
	}
	c.say(err.Error(), widget.DangerImportance)
}

func (c *faultControls) applyLink() {
	if !c.acting() {
		return
	}
	link, err := parseLink(c.loss.Text, c.delay.Text, c.jitter.Text, c.offline.Checked)
	if err != nil {
		c.refuse(err)
		return
	}
	a := faultAction{
		fault: link.String(), do: func(host string) error { return c.panel.source.SetLink(host, link) },
		failed: "could not set the link of", done: func(name string) string { return "Link of " + name + " set: " + link.String() + "." },
	}
	if !link.worseThan(c.panel.profile) {
		a.fault, a.clears = "link "+link.String(), true
	}
	c.act(a)
}

func (c *faultControls) setBatteryLow(low bool) {
	if !c.acting() {
		return
	}
	a := faultAction{
		fault: "battery low", do: func(host string) error { return c.panel.source.SetBatteryLow(host, low) },
		failed: "could not change the battery of",
		done:   func(name string) string { return "Battery of " + name + " low: the device raises a low-battery event." },
	}
	if !low {
		a.fault, a.clears = "battery normal", true
		a.done = func(name string) string { return "Battery of " + name + " normal." }
	}
	c.act(a)
}

func (c *faultControls) skewClock() {
	if !c.acting() {
		return
	}
	skew, err := parseDuration("clock skew", c.skew.Text, true)
	if err != nil {
		c.refuse(err)
		return
	}
	where := "to true time"
	switch {
	case skew < 0:
		where = human.Duration(-skew) + " behind true time"
	case skew > 0:
		where = human.Duration(skew) + " ahead of true time"
	}
	c.act(faultAction{
		fault: "clock skew " + human.Duration(skew), clears: skew.Abs() < clockSkewFault,
		do:     func(host string) error { return c.panel.source.SkewClock(host, skew) },
		failed: "could not skew the clock of", done: func(name string) string { return "Clock of " + name + " set " + where + "." },
	})
}

func (c *faultControls) rebootDevice() {
	if !c.acting() {
		return
	}
	c.act(faultAction{
		fault: "reboot", do: c.panel.source.Reboot,
		failed: "could not reboot", done: func(name string) string { return name + " is rebooting: it answers nothing until it is back." },
	})
}

func (c *faultControls) tamperWith() {
	if !c.acting() {
		return
	}
	c.act(faultAction{
		fault: "tamper", do: c.panel.source.Tamper,
		failed: "could not tamper with", done: func(name string) string { return name + " raised a tamper event." },
	})
}

// faultColumnLayout lays the fault controls out: the device's name at the top, then what
// the last action did (as many lines as it wraps to, while the controls keep two lines'
// room), and the controls' scroll in the rest. It asks for one line of message only, so a
// long error never makes the console taller; and it tells the controls' groups whether
// they stand side by side before the scroll lays them out.
type faultColumnLayout struct {
	groups *pairLayout
}

// lineHeight is the height of a label of one line.
func lineHeight() float32 {
	return fyne.MeasureText("M", theme.TextSize(), fyne.TextStyle{}).Height + 2*theme.InnerPadding()
}

func (l *faultColumnLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	title, message, scroll := objects[0].MinSize(), objects[1], objects[2].MinSize()
	size := fyne.NewSize(max(title.Width, scroll.Width), title.Height+theme.Padding()+scroll.Height)
	if message.Visible() {
		size.Height += lineHeight() + theme.Padding()
	}
	return size
}

func (l *faultColumnLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	title, message, scroll := objects[0], objects[1], objects[2]
	pad := theme.Padding()
	y := title.MinSize().Height
	title.Move(fyne.NewPos(0, 0))
	title.Resize(fyne.NewSize(size.Width, y))
	y += pad
	if message.Visible() {
		// The width first: a wrapping label's height follows from it.
		message.Resize(fyne.NewSize(size.Width, message.Size().Height))
		room := size.Height - y - pad - 2*lineHeight()
		h := max(min(message.MinSize().Height, room), lineHeight())
		message.Move(fyne.NewPos(0, y))
		message.Resize(fyne.NewSize(size.Width, h))
		y += h + pad
	}
	l.groups.wide = size.Width >= 2*pairColumnWidth+pad
	scroll.Move(fyne.NewPos(0, y))
	scroll.Resize(fyne.NewSize(size.Width, max(size.Height-y, 0)))
}

// pairColumnWidth is the width from which each of a pairLayout's two objects has room to
// stand beside the other.
const pairColumnWidth = 320

// pairLayout stands two objects side by side when wide is set, else one above the other.
// Its minimum width is the wider object's either way, so that the pane it sits in can
// always narrow.
type pairLayout struct {
	wide bool
}

func (l *pairLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	a, b := objects[0].MinSize(), objects[1].MinSize()
	if l.wide {
		return fyne.NewSize(max(a.Width, b.Width), max(a.Height, b.Height))
	}
	return fyne.NewSize(max(a.Width, b.Width), a.Height+theme.Padding()+b.Height)
}

func (l *pairLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	a, b := objects[0], objects[1]
	pad := theme.Padding()
	if l.wide {
		w := (size.Width - pad) / 2
		a.Move(fyne.NewPos(0, 0))
		a.Resize(fyne.NewSize(w, a.MinSize().Height))
		b.Move(fyne.NewPos(w+pad, 0))
		b.Resize(fyne.NewSize(w, b.MinSize().Height))
		return
	}
	h := a.MinSize().Height
	a.Move(fyne.NewPos(0, 0))
	a.Resize(fyne.NewSize(size.Width, h))
	b.Move(fyne.NewPos(0, h+pad))
	b.Resize(fyne.NewSize(size.Width, b.MinSize().Height))
}
