package views

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
)

// boxes are n rectangles of the given minimum width.
func boxes(n int, width float32) []fyne.CanvasObject {
	out := make([]fyne.CanvasObject, n)
	for i := range out {
		r := canvas.NewRectangle(nil)
		r.SetMinSize(fyne.NewSize(width, 10))
		out[i] = r
	}
	return out
}

func widthsOf(objects []fyne.CanvasObject) []float32 {
	out := make([]float32, len(objects))
	for i, o := range objects {
		if o.Visible() {
			out[i] = o.Size().Width
		}
	}
	return out
}

func sameWidths(got, want []float32) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if d := got[i] - want[i]; d > 0.01 || d < -0.01 {
			return false
		}
	}
	return true
}

func TestAFitRowDropsInItsOrderThenShrinksToTheLeastWidths(t *testing.T) {
	test.NewTempApp(t)
	row := newFitRow(false,
		rowItem{min: 100, want: 200, grow: 1},
		rowItem{min: 50, want: 50, drop: 2},
		rowItem{min: 40, want: 80},
		rowItem{min: 60, want: 60, drop: 1},
	)
	objects := boxes(4, 10)
	c := container.New(row, objects...)
	if got := c.MinSize(); got.Width != 140 || got.Height != 10 {
		t.Fatalf("MinSize %v, want the least widths of the kept objects: 140×10", got)
	}
	for _, step := range []struct {
		width float32
		want  []float32
	}{
		{490, []float32{300, 50, 80, 60}}, // room to spare goes to the grower
		{390, []float32{200, 50, 80, 60}}, // exactly the preferred widths
		{340, []float32{210, 50, 80, 0}},  // drop 1 goes first, its room to the grower
		{280, []float32{200, 0, 80, 0}},   // then drop 2
		{210, []float32{150, 0, 60, 0}},   // then each gives up its share of the slack
		{100, []float32{100, 0, 40, 0}},   // never below the least width
	} {
		c.Resize(fyne.NewSize(step.width, 10))
		if got := widthsOf(objects); !sameWidths(got, step.want) {
			t.Fatalf("at %v: widths %v, want %v", step.width, got, step.want)
		}
	}
	c.Resize(fyne.NewSize(490, 10))
	if !objects[1].Visible() || !objects[3].Visible() {
		t.Fatal("dropped objects do not come back when there is room again")
	}
}

func TestAnObjectItsOwnerHidesTakesNoRoomInAFitRow(t *testing.T) {
	test.NewTempApp(t)
	row := newFitRow(true, rowItem{grow: 1}, rowItem{})
	objects := boxes(2, 30)
	c := container.New(row, objects...)
	objects[1].Hide()
	c.Resize(fyne.NewSize(100, 10))
	if got := objects[0].Size().Width; got != 100 {
		t.Fatalf("the grower is %v wide beside a hidden object, want the whole 100", got)
	}
	if got := c.MinSize().Width; got != 30 {
		t.Fatalf("MinSize %v with one object hidden, want 30", got)
	}
	objects[1].Show()
	c.Resize(fyne.NewSize(101, 10))
	if got := widthsOf(objects); !sameWidths(got, []float32{101 - 30 - row.gap, 30}) {
		t.Fatalf("widths %v once shown again", got)
	}
}

func TestANoteBelowTakesTheHeightItsTextNeedsUpToHalf(t *testing.T) {
	test.NewTempApp(t)
	body := boxes(1, 10)[0]
	short := canvas.NewRectangle(nil)
	short.SetMinSize(fyne.NewSize(10, 20))
	note := container.NewVScroll(short)
	c := container.New(noteBelow{}, body, note)
	if got := c.MinSize(); got != body.MinSize() {
		t.Fatalf("MinSize %v, want the body's %v: a note never heightens its pane", got, body.MinSize())
	}
	c.Resize(fyne.NewSize(200, 300))
	if note.Size().Height != 20 || body.Size().Height+note.Size().Height > 300 {
		t.Fatalf("note %v, body %v in 300: want the note's 20 and the body the rest", note.Size().Height, body.Size().Height)
	}
	short.SetMinSize(fyne.NewSize(10, 1000))
	c.Resize(fyne.NewSize(200, 301))
	if note.Size().Height != 150.5 {
		t.Fatalf("a long note is %v high in 301, want half", note.Size().Height)
	}
	note.Hide()
	c.Resize(fyne.NewSize(200, 300))
	if body.Size().Height != 300 {
		t.Fatalf("without its note the body is %v high, want all 300", body.Size().Height)
	}
}
