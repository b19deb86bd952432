package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// newLabelRow is a row of labels in columns of the given widths, one label more than widths
// (the last takes the rest); the labels that truncate says may end in an ellipsis.
func newLabelRow(widths []float32, truncate func(column int) bool) fyne.CanvasObject {
	cells := make([]fyne.CanvasObject, len(widths)+1)
	for i := range cells {
		l := widget.NewLabel("")
		if truncate(i) {
			l.Truncation = fyne.TextTruncateEllipsis
		}
		cells[i] = l
	}
	return container.New(newColumnsLayout(widths...), cells...)
}

// columnsLayout lays a row out in columns: every object but the last gets the width at its
// index, the last takes what remains. Rows of a list built with the same widths line up.
type columnsLayout struct {
	widths []float32
}

// newColumnsLayout returns a layout with the given fixed widths (one per column but the last).
func newColumnsLayout(widths ...float32) fyne.Layout { return &columnsLayout{widths: widths} }

func (c *columnsLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	x := float32(0)
	for i, o := range objects {
		w := size.Width - x
		if i < len(c.widths) && i < len(objects)-1 {
			w = c.widths[i]
		}
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w
	}
}

func (c *columnsLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var w, h float32
	for i, o := range objects {
		min := o.MinSize()
		if i < len(c.widths) && i < len(objects)-1 {
			w += c.widths[i]
		} else {
			w += min.Width
		}
		h = max(h, min.Height)
	}
	return fyne.NewSize(w, h)
}
