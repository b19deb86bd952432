package views

import (
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// tooltipDelay is how long the pointer rests on a cut name before its whole text shows
// (tests shorten it).
var tooltipDelay = 500 * time.Millisecond

// tooltipDo runs a due tooltip on the main goroutine (tests queue it for their own).
var tooltipDo = fyne.Do

// A tooltip layer sits above a window's content (WithTooltips) and shows one tooltip at a
// time. It is part of the content rather than an overlay, because an overlay would take the
// pointer's hover events from the widget that asked for the tooltip, which would then hide
// it at once.
type tooltipLayer struct {
	root    *fyne.Container
	layer   *fyne.Container
	box     *fyne.Container
	text    *widget.Label
	owner   fyne.CanvasObject
	pending *time.Timer
}

var (
	tooltipMu     sync.Mutex
	tooltipLayers []*tooltipLayer
)

// WithTooltips wraps a window's content so that the widgets in it can show tooltips (the
// whole text of a name cut to fit). Use it once per window, around the whole content.
func WithTooltips(content fyne.CanvasObject) fyne.CanvasObject {
	t := &tooltipLayer{text: widget.NewLabel("")}
	t.text.Wrapping = fyne.TextWrapOff
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground))
	bg.StrokeColor = theme.Color(theme.ColorNameInputBorder)
	bg.StrokeWidth = 1
	bg.CornerRadius = theme.InputRadiusSize()
	t.box = container.NewStack(bg, t.text)
	t.box.Hide()
	t.layer = container.NewWithoutLayout(t.box)
	t.root = container.NewStack(content, t.layer)
	tooltipMu.Lock()
	tooltipLayers = append(tooltipLayers, t)
	tooltipMu.Unlock()
	return t.root
}

// layerFor finds the tooltip layer of the window that shows o.
func layerFor(o fyne.CanvasObject) *tooltipLayer {
	app := fyne.CurrentApp()
	if app == nil {
		return nil
	}
	c := app.Driver().CanvasForObject(o)
	if c == nil {
		return nil
	}
	tooltipMu.Lock()
	defer tooltipMu.Unlock()
	for i := len(tooltipLayers) - 1; i >= 0; i-- {
		l := tooltipLayers[i]
		if app.Driver().CanvasForObject(l.root) == c {
			return l
		}
	}
	return nil
}

// scheduleTooltip shows text beside owner after the tooltip delay, unless cancelled first.
func scheduleTooltip(owner fyne.CanvasObject, text string) {
	l := layerFor(owner)
	if l == nil || text == "" {
		return
	}
	l.cancelPending()
	l.pending = time.AfterFunc(tooltipDelay, func() { tooltipDo(func() { l.show(owner, text) }) })
}

// cancelTooltip hides owner's tooltip, shown or coming.
func cancelTooltip(owner fyne.CanvasObject) {
	l := layerFor(owner)
	if l == nil {
		return
	}
	l.cancelPending()
	if l.owner == owner {
		l.owner = nil
		l.box.Hide()
	}
}

func (l *tooltipLayer) cancelPending() {
	if l.pending != nil {
		l.pending.Stop()
		l.pending = nil
	}
}

// show places the tooltip under owner, kept inside the window.
func (l *tooltipLayer) show(owner fyne.CanvasObject, text string) {
	d := fyne.CurrentApp().Driver()
	if d.CanvasForObject(owner) == nil || !owner.Visible() {
		return
	}
	l.owner = owner
	l.text.SetText(text)
	size := l.box.MinSize()
	room := l.root.Size()
	if size.Width > room.Width {
		size.Width = room.Width
	}
	pos := d.AbsolutePositionForObject(owner).Subtract(d.AbsolutePositionForObject(l.root))
	pos.Y += owner.Size().Height
	if pos.Y+size.Height > room.Height {
		pos.Y -= owner.Size().Height + size.Height
	}
	pos.X = max(0, min(pos.X, room.Width-size.Width))
	l.box.Move(pos)
	l.box.Resize(size)
	l.box.Show()
	l.layer.Refresh()
}

// ShownTooltip is the text of the tooltip on show in the window of o ("" when none).
func ShownTooltip(o fyne.CanvasObject) string {
	if l := layerFor(o); l != nil && l.box.Visible() {
		return l.text.Text
	}
	return ""
}
