package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// denseTable is a read-only table of text in compact rows (the compact density's paddings,
// whatever the window's), as a packet-detail pane has them: a decoded payload's thirteen
// fields show at once. Its last column takes the width the others leave. A row whose first
// cell starts with sectionMark is a section title, drawn bold across the row.
type denseTable struct {
	heads  []string
	widths []float32 // every column's but the last; 0 shares the rest with the last
	rows   [][]string
	table  *widget.Table
	root   fyne.CanvasObject
	width  float32
}

// sectionMark starts the first cell of a section's title row.
const sectionMark = "\x00"

func newDenseTable(heads []string, widths []float32) *denseTable {
	d := &denseTable{heads: heads, widths: widths}
	d.table = widget.NewTable(
		func() (int, int) { return len(d.rows), len(d.heads) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("bat_voltage")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		d.updateCell,
	)
	d.table.ShowHeaderRow = true
	// The table's row height is the larger of a cell's and a head's, and the heads are made
	// outside the table theme's scope: their height is set here.
	d.table.CreateHeader = func() fyne.CanvasObject { return container.New(compactHeight{}, boldLabel("")) }
	d.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(d.heads) {
			o.(*fyne.Container).Objects[0].(*widget.Label).SetText(d.heads[id.Col])
		}
	}
	d.table.StickyColumnCount = 0
	compact := container.NewThemeOverride(d.table, tableTheme())
	d.root = container.New(&fillLastColumn{table: d}, compact)
	return d
}

func (d *denseTable) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	if id.Row >= len(d.rows) || id.Col >= len(d.rows[id.Row]) {
		l.SetText("")
		return
	}
	row := d.rows[id.Row]
	text := row[id.Col]
	section := len(row[0]) > 0 && row[0][0] == sectionMark[0]
	style := fyne.TextStyle{Bold: section}
	if section {
		if id.Col == 0 {
			text = text[1:]
		}
	} else if id.Col > 0 {
		style.Monospace = true
	}
	if l.TextStyle != style {
		l.TextStyle = style
	}
	l.SetText(text)
}

// Object is the table, to place in a pane.
func (d *denseTable) Object() fyne.CanvasObject { return d.root }

// SetRows replaces the rows.
func (d *denseTable) SetRows(rows [][]string) {
	d.rows = rows
	d.table.Refresh()
}

// Rows are the rows shown (for tests).
func (d *denseTable) Rows() [][]string { return d.rows }

// ScrollToTop shows the first row.
func (d *denseTable) ScrollToTop() { d.table.ScrollToTop() }

// fillLastColumn gives the table's last column the width the fixed ones leave.
type fillLastColumn struct{ table *denseTable }

func (f *fillLastColumn) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	d := f.table
	if size.Width != d.width {
		d.width = size.Width
		fixed, shared := float32(0), 1
		for _, w := range d.widths {
			if w > 0 {
				fixed += w
			} else {
				shared++
			}
		}
		rest := max(120, (size.Width-fixed-16)/float32(shared))
		for i := range d.heads {
			w := rest
			if i < len(d.widths) && d.widths[i] > 0 {
				w = d.widths[i]
			}
			d.table.SetColumnWidth(i, w)
		}
	}
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (f *fillLastColumn) MinSize(objects []fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(100, 40)
}

// compactHeight gives its object a compact row's height.
type compactHeight struct{}

func (compactHeight) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (compactHeight) MinSize(objects []fyne.CanvasObject) fyne.Size {
	th := tableTheme()
	h := fyne.MeasureText("Ag", th.Size(theme.SizeNameText), fyne.TextStyle{Bold: true}).Height + 2*th.Size(theme.SizeNameInnerPadding)
	return fyne.NewSize(40, h)
}
