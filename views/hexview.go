package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/coapengine/decode"
)

// hexView shows a payload as Wireshark's bytes pane does: 16 bytes a row, with the offset
// and the ASCII beside them. A row is never wrapped inside a byte: a narrow pane scrolls
// sideways, and a long payload is a virtual list.
type hexView struct {
	lines  []string
	list   *widget.List
	scroll *container.Scroll
	root   fyne.CanvasObject
}

func newHexView() *hexView {
	v := &hexView{}
	v.list = widget.NewList(
		func() int { return len(v.lines) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("0000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  ................")
			l.TextStyle = fyne.TextStyle{Monospace: true}
			l.Selectable = true
			return l
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(v.lines) {
				o.(*widget.Label).SetText(v.lines[id])
			}
		},
	)
	v.scroll = container.NewHScroll(v.list)
	v.root = container.NewThemeOverride(v.scroll, tableTheme())
	return v
}

// Object is the view.
func (v *hexView) Object() fyne.CanvasObject { return v.root }

// SetPayload shows p.
func (v *hexView) SetPayload(p []byte) {
	if len(p) == 0 {
		v.lines = []string{"(no payload)"}
	} else {
		rows := decode.HexRows(p)
		v.lines = make([]string, len(rows))
		for i, r := range rows {
			v.lines[i] = r.Offset + "  " + r.Hex + "  " + r.ASCII
		}
	}
	v.list.Refresh()
}

// Lines are the rows shown.
func (v *hexView) Lines() []string { return v.lines }

// ScrollToTop shows the first row.
func (v *hexView) ScrollToTop() {
	v.list.ScrollToTop()
	v.scroll.ScrollToTop()
	v.scroll.Offset = fyne.Position{}
	v.scroll.Refresh()
}
