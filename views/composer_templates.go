package views

import (
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/payload"
)

// nowPreset remembers a request built for "now" (the Device IC's clock): when it is sent
// unchanged, it is built again at that moment, so that the clock is set to the time of
// sending rather than the time the menu was used.
type nowPreset struct {
	build   func(device string, now time.Time) coapengine.Request
	device  string
	payload string
}

// showTemplates offers the payloads of the SSN devices for the device of the URI box: the
// Device IC's clock set to now or to a chosen UTC time, its four events, and clearing the
// NIC's power statistics.
func (c *Composer) showTemplates() {
	cv := fyne.CurrentApp().Driver().CanvasForObject(c.templates)
	if cv == nil {
		return
	}
	device := c.URI()
	var items []*fyne.MenuItem
	for _, p := range coapengine.SSNPresets() {
		items = append(items, fyne.NewMenuItem(p.Label, func() { c.usePreset(p, device) }))
		if strings.Contains(p.Label, "clock") {
			items = append(items, fyne.NewMenuItem("Set the IC clock to a UTC time…", func() { c.askClockTime(device) }))
		}
	}
	if _, err := coapengine.ParseTarget(device); err != nil || device == "" {
		for _, i := range items {
			i.Disabled = true
		}
		items = append([]*fyne.MenuItem{fyne.NewMenuItem("Pick a device or one of its resources first", nil)}, items...)
		items[0].Disabled = true
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(c.templates).Add(fyne.NewPos(0, c.templates.Size().Height))
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), cv, pos)
}

// UsePreset fills the composer with a preset's request for the device of the URI box.
func (c *Composer) UsePreset(p coapengine.RequestPreset) { c.usePreset(p, c.URI()) }

// usePreset fills the composer with a preset's request for device.
func (c *Composer) usePreset(p coapengine.RequestPreset, device string) {
	req := p.Build(device, c.clock())
	c.SetRequest(ComposedRequest{Request: req})
	c.SelectSettings(ComposerPayload)
	c.now = nil
	if strings.HasSuffix(p.Label, "now") {
		c.now = &nowPreset{build: p.Build, device: device, payload: c.payloadEntry.Text}
	}
	c.notify(p.Label + ": " + coapengine.MethodName(req.Method) + " " + req.URI)
}

// askClockTime asks for a UTC time and fills the composer with the request that sets the
// Device IC's clock to it.
func (c *Composer) askClockTime(device string) {
	cv := fyne.CurrentApp().Driver().CanvasForObject(c.templates)
	if cv == nil {
		return
	}
	w := windowOf(cv)
	if w == nil {
		return
	}
	ShowInputDialog(w, InputRequest{
		Title:       "Set the Device IC's clock",
		Prompt:      "The UTC time to set, as 2006-01-02 15:04:05 or RFC 3339 (now: the time of sending):",
		Placeholder: time.Now().UTC().Format(time.DateTime),
		Text:        time.Now().UTC().Format(time.DateTime),
		Action:      "Fill in",
	}, func(text string) error {
		at, err := payload.ParseTime(text, time.Now())
		if err != nil {
			return errors.New("not a time: write it as 2006-01-02 15:04:05 (UTC) or as RFC 3339")
		}
		c.SetRequest(ComposedRequest{Request: coapengine.SetClockRequest(device, at.UTC())})
		c.SelectSettings(ComposerPayload)
		c.now = nil
		c.notify("The clock is set to " + at.UTC().Format(time.DateTime) + " UTC when this request is sent")
		return nil
	})
}

// refreshNow builds a "now" request again, if it is unchanged, just before it is sent.
func (c *Composer) refreshNow() {
	if c.now == nil || c.payloadEntry.Text != c.now.payload {
		c.now = nil
		return
	}
	req := c.now.build(c.now.device, c.clock())
	mode, text := payloadFields(req.Payload, req.ContentFormat)
	c.loading = true
	c.payloadMode.SetSelected(mode)
	c.payloadEntry.SetText(text)
	c.loading = false
	c.now.payload = text
	c.validate()
}
