package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/coapengine"
)

// RequestTabs are the requests open at once (Ctrl+T, Ctrl+W, Ctrl+Tab): a strip of tabs
// above the request bar, titled path-first, each keeping its composer's fields and its last
// answer while another is in front. One composer and one inspector show the tab in front;
// an answer that comes for a tab behind waits in it.
type RequestTabs struct {
	composer  *Composer
	inspector *Inspector
	tabs      []*requestTab
	current   int
	nextID    int
	strip     *fyne.Container
	scroll    *container.Scroll
	root      fyne.CanvasObject

	// OnSwitched is called after another tab came to the front.
	OnSwitched func()
}

// requestTab is one open request.
type requestTab struct {
	id       int
	composer ComposerState
	shown    InspectorState
	// seq numbers the requests sent from the tab: only the latest one's outcome is shown.
	seq     int
	pending bool
	chip    *tabChip
}

// maxTabTitleWidth is the widest a tab's title gets; a longer one loses its middle.
const maxTabTitleWidth = 300

// NewRequestTabs opens one empty request over the composer and the inspector.
func NewRequestTabs(c *Composer, i *Inspector) *RequestTabs {
	r := &RequestTabs{composer: c, inspector: i, strip: container.NewHBox()}
	r.scroll = container.NewHScroll(r.strip)
	add := widget.NewButtonWithIcon("", theme.ContentAddIcon(), func() { r.New() })
	add.Importance = widget.LowImportance
	r.root = container.NewBorder(nil, nil, nil, add, r.scroll)
	r.tabs = []*requestTab{r.newTab(NewComposerState())}
	r.strip.Add(r.tabs[0].chip)
	r.markCurrent()
	prev := c.OnChanged
	c.OnChanged = func() {
		if prev != nil {
			prev()
		}
		r.retitle(r.tabs[r.current])
	}
	return r
}

func (r *RequestTabs) newTab(s ComposerState) *requestTab {
	r.nextID++
	t := &requestTab{id: r.nextID, composer: s, shown: InspectorState{}}
	t.chip = newTabChip(func() { r.Select(t.id) }, func() { r.Close(t.id) })
	t.chip.setTitle(RequestTitle(s.Method, s.URI))
	return t
}

// Object is the strip of tabs.
func (r *RequestTabs) Object() fyne.CanvasObject { return r.root }

// Count is the number of open requests.
func (r *RequestTabs) Count() int { return len(r.tabs) }

// Current is the id of the tab in front.
func (r *RequestTabs) Current() int { return r.tabs[r.current].id }

// Titles are the tabs' titles, in order.
func (r *RequestTabs) Titles() []string {
	out := make([]string, len(r.tabs))
	for i, t := range r.tabs {
		out[i] = t.chip.title.Text()
	}
	return out
}

// New opens an empty request after the one in front and brings it forward.
func (r *RequestTabs) New() { r.Open(NewComposerState()) }

// Open opens a request with the fields of s after the one in front and brings it forward.
func (r *RequestTabs) Open(s ComposerState) {
	r.save()
	t := r.newTab(s)
	at := r.current + 1
	r.tabs = append(r.tabs[:at], append([]*requestTab{t}, r.tabs[at:]...)...)
	r.rebuildStrip()
	r.show(at)
	r.composer.FocusURI()
}

// CloseCurrent closes the tab in front (Ctrl+W).
func (r *RequestTabs) CloseCurrent() { r.Close(r.Current()) }

// Close closes a tab; the last one is emptied rather than closed.
func (r *RequestTabs) Close(id int) {
	at := r.index(id)
	if at < 0 {
		return
	}
	if len(r.tabs) == 1 {
		r.tabs[0] = r.newTab(NewComposerState())
		r.rebuildStrip()
		r.load(0)
		return
	}
	if at != r.current {
		r.save()
	}
	r.tabs = append(r.tabs[:at], r.tabs[at+1:]...)
	next := r.current
	switch {
	case at < r.current:
		next = r.current - 1
	case at == r.current:
		next = min(at, len(r.tabs)-1)
	}
	r.rebuildStrip()
	r.load(next)
}

// Next brings the next tab forward (Ctrl+Tab), the first after the last.
func (r *RequestTabs) Next() { r.Select(r.tabs[(r.current+1)%len(r.tabs)].id) }

// Previous brings the previous tab forward (Ctrl+Shift+Tab).
func (r *RequestTabs) Previous() {
	r.Select(r.tabs[(r.current+len(r.tabs)-1)%len(r.tabs)].id)
}

// Select brings the tab id forward.
func (r *RequestTabs) Select(id int) {
	at := r.index(id)
	if at < 0 || at == r.current {
		return
	}
	r.save()
	r.show(at)
}

// BeginRequest marks the tab in front as waiting for an answer and returns its id and the
// request's number, for ShowResult and ShowProblem.
func (r *RequestTabs) BeginRequest(summary string, cancel func()) (tab, seq int) {
	t := r.tabs[r.current]
	t.seq++
	t.pending = true
	r.inspector.ShowPending(summary, cancel)
	t.chip.setPending(true)
	return t.id, t.seq
}

// IsLatest reports whether request seq is the latest of tab (and the tab is still open).
func (r *RequestTabs) IsLatest(tab, seq int) bool {
	at := r.index(tab)
	return at >= 0 && r.tabs[at].seq == seq
}

// ShowResult shows an answer in the tab that asked for it, if it is still that tab's latest
// request: at once when the tab is in front, when it comes forward otherwise.
func (r *RequestTabs) ShowResult(tab, seq int, x coapengine.Exchange) {
	r.deliver(tab, seq, InspectorState{kind: inspectorExchange, x: x})
}

// ShowProblem shows why a tab's request got no answer, as ShowResult shows an answer.
func (r *RequestTabs) ShowProblem(tab, seq int, text string) {
	r.deliver(tab, seq, InspectorState{kind: inspectorProblem, text: text})
}

func (r *RequestTabs) deliver(tab, seq int, s InspectorState) {
	at := r.index(tab)
	if at < 0 || r.tabs[at].seq != seq {
		return // closed, or a later request of the tab is on show; this one is in the history
	}
	t := r.tabs[at]
	t.pending = false
	t.chip.setPending(false)
	if at == r.current {
		r.inspector.SetState(s)
		return
	}
	t.shown = s
	t.chip.setUnread(true)
}

func (r *RequestTabs) index(id int) int {
	for i, t := range r.tabs {
		if t.id == id {
			return i
		}
	}
	return -1
}

// save keeps the front tab's fields and answer in it.
func (r *RequestTabs) save() {
	t := r.tabs[r.current]
	t.composer = r.composer.State()
	t.shown = r.inspector.State()
}

// show brings tab at forward, after save.
func (r *RequestTabs) show(at int) { r.load(at) }

// load puts tab at into the composer and the inspector.
func (r *RequestTabs) load(at int) {
	r.current = at
	t := r.tabs[at]
	r.composer.SetState(t.composer)
	r.inspector.SetState(t.shown)
	t.chip.setUnread(false)
	r.markCurrent()
	r.scrollToCurrent()
	if r.OnSwitched != nil {
		r.OnSwitched()
	}
}

func (r *RequestTabs) retitle(t *requestTab) {
	t.chip.setTitle(RequestTitle(r.composer.method.Selected, r.composer.uri.Text))
}

func (r *RequestTabs) rebuildStrip() {
	objs := make([]fyne.CanvasObject, len(r.tabs))
	for i, t := range r.tabs {
		objs[i] = t.chip
	}
	r.strip.Objects = objs
	r.strip.Refresh()
}

func (r *RequestTabs) markCurrent() {
	for i, t := range r.tabs {
		t.chip.setSelected(i == r.current)
	}
}

// scrollToCurrent brings the front tab's chip into view.
func (r *RequestTabs) scrollToCurrent() {
	x := float32(0)
	for i, t := range r.tabs {
		w := t.chip.MinSize().Width
		if i == r.current {
			view := r.scroll.Size().Width
			if x < r.scroll.Offset.X {
				r.scroll.Offset.X = x
			} else if x+w > r.scroll.Offset.X+view && view > 0 {
				r.scroll.Offset.X = x + w - view
			}
			r.scroll.Refresh()
			return
		}
		x += w + theme.Padding()
	}
}

// tabChip is one tab of the strip: its title, a close button, and a line under it when it
// is in front.
type tabChip struct {
	widget.BaseWidget
	title    *FitLabel
	close    *widget.Button
	bar      *canvas.Rectangle
	dot      *canvas.Circle
	onSelect func()
	selected bool
}

func newTabChip(onSelect, onClose func()) *tabChip {
	c := &tabChip{title: NewFitLabel(""), onSelect: onSelect}
	c.close = widget.NewButtonWithIcon("", theme.CancelIcon(), onClose)
	c.close.Importance = widget.LowImportance
	c.bar = canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
	c.dot = canvas.NewCircle(theme.Color(theme.ColorNamePrimary))
	c.dot.Hide()
	c.ExtendBaseWidget(c)
	return c
}

func (c *tabChip) setTitle(t string) {
	c.title.SetText(t)
	c.title.Tip = t
	c.Refresh()
}

func (c *tabChip) setSelected(on bool) {
	c.selected = on
	c.title.SetTextStyle(fyne.TextStyle{Bold: on})
	c.Refresh()
}

// setPending shows a dot while the tab's request is on its way.
func (c *tabChip) setPending(on bool) {
	c.dot.FillColor = theme.Color(theme.ColorNamePrimary)
	showIf(c.dot, on)
	c.dot.Refresh()
}

// setUnread shows a dot in the success colour when an answer came while the tab was behind.
func (c *tabChip) setUnread(on bool) {
	if on {
		c.dot.FillColor = theme.Color(theme.ColorNameSuccess)
	}
	showIf(c.dot, on)
	c.dot.Refresh()
}

// Tapped brings the tab forward.
func (c *tabChip) Tapped(*fyne.PointEvent) {
	if c.onSelect != nil {
		c.onSelect()
	}
}

// CreateRenderer lays the title, the dot, the close button and the selection line out.
func (c *tabChip) CreateRenderer() fyne.WidgetRenderer {
	return &tabChipRenderer{c: c, objects: []fyne.CanvasObject{c.title, c.dot, c.close, c.bar}}
}

type tabChipRenderer struct {
	c       *tabChip
	objects []fyne.CanvasObject
}

func (r *tabChipRenderer) titleWidth() float32 {
	w := fyne.MeasureText(r.c.title.Text(), theme.TextSize(), fyne.TextStyle{Bold: true}).Width + 2*theme.InnerPadding()
	return min(w, maxTabTitleWidth)
}

func (r *tabChipRenderer) Layout(s fyne.Size) {
	dot := float32(8)
	closeW := r.c.close.MinSize().Width
	tw := s.Width - closeW - dot - theme.Padding()
	r.c.dot.Move(fyne.NewPos(theme.Padding(), (s.Height-dot)/2))
	r.c.dot.Resize(fyne.NewSize(dot, dot))
	r.c.title.Move(fyne.NewPos(dot+theme.Padding(), 0))
	r.c.title.Resize(fyne.NewSize(tw, s.Height-3))
	r.c.close.Move(fyne.NewPos(s.Width-closeW, (s.Height-r.c.close.MinSize().Height)/2))
	r.c.close.Resize(r.c.close.MinSize())
	r.c.bar.Move(fyne.NewPos(0, s.Height-3))
	r.c.bar.Resize(fyne.NewSize(s.Width, 3))
}

func (r *tabChipRenderer) MinSize() fyne.Size {
	h := max(r.c.title.MinSize().Height, r.c.close.MinSize().Height) + 3
	return fyne.NewSize(8+theme.Padding()+r.titleWidth()+r.c.close.MinSize().Width, h)
}

func (r *tabChipRenderer) Refresh() {
	r.c.bar.FillColor = theme.Color(theme.ColorNamePrimary)
	r.c.bar.Hidden = !r.c.selected
	r.c.bar.Refresh()
	r.Layout(r.c.Size())
	canvas.Refresh(r.c)
}

func (r *tabChipRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *tabChipRenderer) Destroy()                     {}
