package views

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// flashFor is how long a row glows after its observed value changed.
const flashFor = time.Second

// maxBadges is how many badges a row shows at most.
const maxBadges = 4

// rowLook is what a tree row shows: an icon, a name (cut in the middle to fit, whole in
// its tooltip) and badges on the right (what a device is, its battery, a fault, why it is
// unreachable; a resource's last value and link attributes), each coloured by importance.
type rowLook struct {
	icon    fyne.Resource
	name    string
	nameTip string
	warning bool
	badges  []badge
	// flashAt is when the row's live value last changed (zero: it has none).
	flashAt time.Time
}

// badge is one short coloured text on a row, with a tooltip that says more.
type badge struct {
	text, tip  string
	importance widget.Importance
}

// rowWidget is a tree row, with a context menu on a secondary tap.
type rowWidget struct {
	widget.BaseWidget
	glow    *canvas.Rectangle
	icon    *widget.Icon
	name    *FitLabel
	badges  [maxBadges]*FitLabel
	uid     string
	flashed time.Time
	anim    *fyne.Animation
	menu    func(uid string, at fyne.Position)
	// selectRow selects uid in the tree.
	selectRow func(uid string)
}

func (m *MeshTree) newRow(bool) fyne.CanvasObject {
	r := &rowWidget{icon: widget.NewIcon(theme.ComputerIcon()), name: NewFitLabel("SSN001350050005E7D6"), menu: m.showMenu, selectRow: m.selectRow}
	r.glow = canvas.NewRectangle(color.Transparent)
	r.glow.CornerRadius = theme.SelectionRadiusSize()
	for i := range r.badges {
		r.badges[i] = NewFitLabel("")
	}
	r.badges[0].Cut = CutEnd
	r.ExtendBaseWidget(r)
	return r
}

func (m *MeshTree) updateRow(uid widget.TreeNodeID, _ bool, o fyne.CanvasObject) {
	r := o.(*rowWidget)
	row := m.rows[uid]
	if row == nil {
		return
	}
	if r.uid != uid {
		r.stopFlash()
		r.uid = uid
	}
	r.show(m.describe(uid, row))
}

// show puts a look on the row, flashing it when its value changed since it last flashed.
func (r *rowWidget) show(look rowLook) {
	r.icon.SetResource(look.icon)
	r.name.SetText(look.name)
	r.name.Tip = look.nameTip
	if look.warning {
		r.name.SetImportance(widget.WarningImportance)
	} else {
		r.name.SetImportance(widget.MediumImportance)
	}
	for i, b := range r.badges {
		if i < len(look.badges) && look.badges[i].text != "" {
			lb := look.badges[i]
			b.SetText(lb.text)
			b.Tip = lb.tip
			b.SetImportance(lb.importance)
			b.Show()
		} else {
			b.SetText("")
			b.Hide()
		}
	}
	if !look.flashAt.IsZero() && look.flashAt.After(r.flashed) && time.Since(look.flashAt) < flashFor {
		r.flash(look.flashAt)
	}
	r.Refresh()
}

// flash makes the row glow and fade, once per change.
func (r *rowWidget) flash(at time.Time) {
	r.flashed = at
	r.stopFlash()
	from := theme.Color(theme.ColorNamePrimary)
	pr, pg, pb, _ := from.RGBA()
	start := color.NRGBA{R: uint8(pr >> 8), G: uint8(pg >> 8), B: uint8(pb >> 8), A: 0x60}
	end := color.NRGBA{R: start.R, G: start.G, B: start.B, A: 0}
	r.anim = canvas.NewColorRGBAAnimation(start, end, flashFor, func(c color.Color) {
		r.glow.FillColor = c
		r.glow.Refresh()
	})
	r.anim.Start()
}

func (r *rowWidget) stopFlash() {
	if r.anim != nil {
		r.anim.Stop()
		r.anim = nil
	}
	r.glow.FillColor = color.Transparent
	r.glow.Refresh()
}

// Glowing reports whether the row glows now (for tests).
func (r *rowWidget) Glowing() bool { return r.anim != nil && r.glow.FillColor != color.Transparent }

// Tapped selects the row. A row that takes secondary taps is what a click finds first, so it
// must pass primary ones on to the tree itself.
func (r *rowWidget) Tapped(*fyne.PointEvent) {
	if r.selectRow != nil && r.uid != "" {
		r.selectRow(r.uid)
	}
}

// TappedSecondary opens the row's context menu.
func (r *rowWidget) TappedSecondary(e *fyne.PointEvent) {
	if r.menu != nil {
		r.menu(r.uid, e.AbsolutePosition)
	}
}

// CreateRenderer lays the row out: the icon, the name, and the badges on the right.
func (r *rowWidget) CreateRenderer() fyne.WidgetRenderer {
	objs := []fyne.CanvasObject{r.glow, r.icon, r.name}
	for _, b := range r.badges {
		objs = append(objs, b)
	}
	return &rowRenderer{r: r, objects: objs}
}

type rowRenderer struct {
	r       *rowWidget
	objects []fyne.CanvasObject
}

// Layout gives the name the room it needs (but at least a short name's), the badges what is
// left from the right, cut in their middle when they must be; a badge with no room at all is
// not drawn.
func (l *rowRenderer) Layout(s fyne.Size) {
	r := l.r
	l.r.glow.Resize(s)
	iconSize := theme.IconInlineSize()
	pad := theme.Padding()
	r.icon.Move(fyne.NewPos(pad, (s.Height-iconSize)/2))
	r.icon.Resize(fyne.NewSize(iconSize, iconSize))
	x := pad + iconSize + pad
	room := s.Width - x
	// The first badge says what a row is (cut at its end when it must be); the others (a
	// battery, a fault, why a device is unreachable) show whole or not at all, and come
	// before the name's tail, which comes before the detail.
	var important float32
	for _, b := range r.badges[1:] {
		if b.Visible() {
			important += b.NaturalWidth()
		}
	}
	nameW := r.name.NaturalWidth()
	shortName := min(nameW, fyne.MeasureText("SSN001…05E7D6", theme.TextSize(), fyne.TextStyle{}).Width+2*theme.InnerPadding())
	nameW = max(shortName, min(nameW, room-important))
	r.name.Move(fyne.NewPos(x, 0))
	r.name.Resize(fyne.NewSize(nameW, s.Height))
	left := room - nameW
	right := s.Width
	for i := len(r.badges) - 1; i >= 1; i-- {
		b := r.badges[i]
		if !b.Visible() {
			continue
		}
		w := b.NaturalWidth()
		if w > left+0.5 {
			w = 0
		}
		left -= w
		right -= w
		b.Move(fyne.NewPos(right, 0))
		b.Resize(fyne.NewSize(w, s.Height))
	}
	detail := r.badges[0]
	w := max(0, left)
	detail.Move(fyne.NewPos(right-w, 0))
	detail.Resize(fyne.NewSize(w, s.Height))
}

func (l *rowRenderer) MinSize() fyne.Size {
	h := max(l.r.name.MinSize().Height, theme.IconInlineSize())
	return fyne.NewSize(theme.IconInlineSize()+2*theme.Padding()+l.r.name.MinSize().Width, h)
}

func (l *rowRenderer) Refresh() {
	l.Layout(l.r.Size())
	for _, o := range l.objects[1:] {
		o.Refresh()
	}
}

func (l *rowRenderer) Objects() []fyne.CanvasObject { return l.objects }
func (l *rowRenderer) Destroy()                     {}
