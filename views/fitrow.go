package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// rowItem says how much of a row one object wants.
type rowItem struct {
	// min and want are the least and the preferred width (0: the object's MinSize width).
	min, want float32
	// grow is the object's share of the room left once every object has its preferred width.
	grow float32
	// drop, when not 0, lets the row hide the object when the others would get less than
	// they want: the object with drop 1 goes first, then 2 … The row owns the visibility of
	// such an object; any other object its owner may hide, and it then takes no room.
	drop int
}

// fitRow lays objects out side by side in a width that may be too small for all of them:
// first it hides the objects it may drop, in their order, until the others can have their
// preferred widths; then it shares what is left by the objects' grow weights, or, when the
// row is still too narrow, takes from every object down to its least width. Its minimum
// width is the least widths of the objects it keeps, so a row never widens its pane; rows
// built with the same items line their columns up.
type fitRow struct {
	items []rowItem
	gap   float32
}

// newFitRow is a row of columns (no gap between them) or of controls (a theme padding).
func newFitRow(gap bool, items ...rowItem) *fitRow {
	r := &fitRow{items: items}
	if gap {
		r.gap = theme.Padding()
	}
	return r
}

func (r *fitRow) item(i int) rowItem {
	if i < len(r.items) {
		return r.items[i]
	}
	return rowItem{}
}

func (r *fitRow) widths(o fyne.CanvasObject, it rowItem) (least, want float32) {
	least, want = it.min, it.want
	if least == 0 || want == 0 {
		natural := o.MinSize().Width
		if least == 0 {
			least = natural
		}
		if want == 0 {
			want = max(natural, least)
		}
	}
	return least, max(least, want)
}

// placed says which objects take room: those shown by their owner and those the row owns.
func (r *fitRow) placed(objects []fyne.CanvasObject, i int) bool {
	return r.item(i).drop != 0 || objects[i].Visible()
}

// Layout hides what does not fit, then places the rest from left to right.
func (r *fitRow) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	n := len(objects)
	least, want := make([]float32, n), make([]float32, n)
	kept := make([]bool, n)
	total := float32(0)
	count := 0
	for i, o := range objects {
		if !r.placed(objects, i) {
			continue
		}
		kept[i] = true
		least[i], want[i] = r.widths(o, r.item(i))
		total += want[i]
		count++
	}
	gaps := func() float32 { return r.gap * float32(max(count-1, 0)) }
	for order := 1; total+gaps() > size.Width; order++ {
		dropped := false
		for i := range objects {
			if kept[i] && r.item(i).drop == order {
				kept[i] = false
				total -= want[i]
				count--
				dropped = true
			}
		}
		if !dropped && !r.anyDropAfter(order) {
			break
		}
	}
	room := size.Width - gaps()
	widths := make([]float32, n)
	var grow, slack float32
	for i := range objects {
		if kept[i] {
			grow += r.item(i).grow
			slack += want[i] - least[i]
		}
	}
	for i := range objects {
		if !kept[i] {
			continue
		}
		switch {
		case room >= total && grow > 0:
			widths[i] = want[i] + (room-total)*r.item(i).grow/grow
		case room >= total:
			widths[i] = want[i]
		case slack > 0:
			short := min(total-room, slack)
			widths[i] = want[i] - short*(want[i]-least[i])/slack
		default:
			widths[i] = least[i]
		}
	}
	x := float32(0)
	for i, o := range objects {
		if r.item(i).drop != 0 {
			if kept[i] && !o.Visible() {
				o.Show()
			} else if !kept[i] && o.Visible() {
				o.Hide()
			}
		}
		if !kept[i] {
			continue
		}
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(widths[i], size.Height))
		x += widths[i] + r.gap
	}
}

func (r *fitRow) anyDropAfter(order int) bool {
	for _, it := range r.items {
		if it.drop > order {
			return true
		}
	}
	return false
}

// MinSize is the least widths of the objects the row never drops, and the tallest object.
func (r *fitRow) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var w, h float32
	count := 0
	for i, o := range objects {
		it := r.item(i)
		if !r.placed(objects, i) {
			continue
		}
		h = max(h, o.MinSize().Height)
		if it.drop != 0 {
			continue
		}
		least, _ := r.widths(o, it)
		w += least
		count++
	}
	return fyne.NewSize(w+r.gap*float32(max(count-1, 0)), h)
}

// noteBelow lays out a body above a note that shows only sometimes (a scroller of wrapped
// text, such as a problem to report): the note takes the height its text needs, up to half
// the room (at least a line), and the body the rest. Its minimum size is the body's: a long
// note scrolls in its place rather than heightening the pane.
type noteBelow struct{}

func (noteBelow) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	body, note := objects[0], objects[1]
	h := float32(0)
	if note.Visible() {
		natural := note.MinSize().Height
		if s, ok := note.(*container.Scroll); ok && s.Content != nil {
			// A wrapped text knows its height once it has its width.
			s.Content.Resize(fyne.NewSize(size.Width, s.Content.MinSize().Height))
			natural = s.Content.MinSize().Height
		}
		line := fyne.MeasureText("M", theme.TextSize(), fyne.TextStyle{}).Height + 2*theme.InnerPadding()
		h = min(natural, max(size.Height/2, line), size.Height)
		note.Move(fyne.NewPos(0, size.Height-h))
		note.Resize(fyne.NewSize(size.Width, h))
		h += theme.Padding()
	}
	body.Move(fyne.NewPos(0, 0))
	body.Resize(fyne.NewSize(size.Width, max(size.Height-h, 0)))
}

func (noteBelow) MinSize(objects []fyne.CanvasObject) fyne.Size {
	return objects[0].MinSize()
}
