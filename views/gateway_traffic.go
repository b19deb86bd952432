package views

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/internal/human"
)

// TrafficLine is one exchange of the gateway's traffic stream, formatted.
type TrafficLine struct {
	Time   string
	Hop    string
	Client string
	Method string
	Target string
	Code   string
	Detail string
}

// matches reports whether any column of t contains text, ignoring case.
func (t *TrafficLine) matches(text string) bool {
	for _, column := range [...]string{t.Time, t.Hop, t.Client, t.Method, t.Target, t.Code, t.Detail} {
		if containsFold(column, text) {
			return true
		}
	}
	return false
}

// noTraffic is what the traffic stream says before any exchange.
const noTraffic = "No exchanges yet: send a request through the gateway."

// maxTrafficLines bounds the traffic the screen keeps, and the traffic it holds while paused:
// the newest lines win.
const maxTrafficLines = 2000

// anyHop is the hop choice that filters nothing.
const anyHop = "any hop"

// trafficColumns are the widths of time, hop, client, method and code; the target takes the rest.
var trafficColumns = []float32{105, 75, 150, 85, 60}

// trafficPanel is the live traffic stream: newest first, bounded, pausable and filterable.
type trafficPanel struct {
	lines []TrafficLine // newest last, at most maxTrafficLines
	// shown indexes lines, newest first, while a filter is set.
	shown    []int
	filtered bool
	text     string // the filter text
	hop      string // the hop chosen, "" for any

	paused bool
	held   []TrafficLine // arrived while paused, newest last, at most maxTrafficLines
	missed int           // lines that arrived while paused, held or not

	hops     map[string]bool
	root     fyne.CanvasObject
	list     *widget.List
	count    *widget.Label
	empty    *widget.Label // in place of the list while no exchange came
	filter   *widget.Entry
	hopPick  *widget.Select
	pauseBtn *widget.Button
}

func newTrafficPanel() *trafficPanel {
	p := &trafficPanel{hops: map[string]bool{}, count: widget.NewLabel(""), empty: emptyHint(noTraffic)}
	p.count.Truncation = fyne.TextTruncateEllipsis
	p.list = widget.NewList(p.length, func() fyne.CanvasObject { return newColumnsRow(trafficColumns, newTargetCell()) }, p.updateRow)
	p.filter = widget.NewEntry()
	p.filter.SetPlaceHolder("Filter: text in any column")
	p.filter.OnChanged = func(text string) { p.text = text; p.refilter() }
	p.hopPick = widget.NewSelect([]string{anyHop}, func(hop string) {
		if hop == anyHop {
			hop = ""
		}
		p.hop = hop
		p.refilter()
	})
	p.hopPick.SetSelected(anyHop)
	p.pauseBtn = widget.NewButtonWithIcon("Pause", theme.MediaPauseIcon(), p.togglePause)
	// The count shares the bar with the filter, so that the list keeps the pane's height.
	bar := container.NewBorder(nil, nil, nil, container.NewHBox(p.hopPick, p.pauseBtn), container.NewGridWithColumns(2, p.filter, p.count))
	heads := newColumnHeads(trafficColumns, "Time", "Hop", "Client", "Method", "Code", "Target")
	p.root = container.NewBorder(bar, nil, nil, nil, compactRows(container.NewBorder(heads, nil, nil, nil, container.NewStack(p.list, p.empty))))
	p.showCount()
	return p
}

func (p *trafficPanel) length() int {
	if p.filtered {
		return len(p.shown)
	}
	return len(p.lines)
}

func (p *trafficPanel) line(id widget.ListItemID) *TrafficLine {
	if p.filtered {
		return &p.lines[p.shown[id]]
	}
	return &p.lines[len(p.lines)-1-id]
}

func (p *trafficPanel) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	t := p.line(id)
	setColumns(o, t.Time, t.Hop, t.Client, t.Method, t.Code)
	detail := ""
	if t.Detail != "" {
		detail = "(" + t.Detail + ")"
	}
	cell := o.(*fyne.Container).Objects[len(trafficColumns)].(*fyne.Container)
	cell.Objects[0].(*FitLabel).SetText(t.Target)
	cell.Objects[1].(*widget.Label).SetText(detail)
	// The target's width follows from its text.
	cell.Layout.Layout(cell.Objects, cell.Size())
}

// newTargetCell is the last column of a traffic row: the target ("/sys  on SSN0013…0005E7D6"),
// which loses its middle when it must, and the exchange's detail in the room left, cut at
// its end.
func newTargetCell() *fyne.Container {
	detail := widget.NewLabel("")
	detail.Truncation = fyne.TextTruncateEllipsis
	return container.New(targetLayout{}, NewFitLabel(""), detail)
}

// targetLayout gives a target FitLabel the width of its whole text, or all there is, and the
// label beside it the rest.
type targetLayout struct{}

func (targetLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	target, detail := objects[0], objects[1]
	w := min(size.Width, target.(*FitLabel).NaturalWidth()+1)
	target.Move(fyne.NewPos(0, 0))
	target.Resize(fyne.NewSize(w, size.Height))
	detail.Move(fyne.NewPos(w, 0))
	detail.Resize(fyne.NewSize(size.Width-w, size.Height))
}

func (targetLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	target, detail := objects[0].MinSize(), objects[1].MinSize()
	return fyne.NewSize(target.Width+detail.Width, max(target.Height, detail.Height))
}

// add takes new exchanges: onto the stream, or held while paused.
func (p *trafficPanel) add(lines []TrafficLine) {
	if len(lines) == 0 {
		return
	}
	p.learnHops(lines)
	if p.paused {
		p.missed += len(lines)
		p.held = appendBounded(p.held, lines)
		p.showCount()
		return
	}
	p.lines = appendBounded(p.lines, lines)
	p.refilter()
}

// appendBounded appends lines to kept, dropping the oldest beyond maxTrafficLines.
func appendBounded(kept, lines []TrafficLine) []TrafficLine {
	if len(lines) >= maxTrafficLines {
		return append(kept[:0], lines[len(lines)-maxTrafficLines:]...)
	}
	if over := len(kept) + len(lines) - maxTrafficLines; over > 0 {
		kept = append(kept[:0], kept[over:]...)
	}
	return append(kept, lines...)
}

// learnHops offers every hop the stream has carried in the hop filter.
func (p *trafficPanel) learnHops(lines []TrafficLine) {
	grew := false
	for i := range lines {
		if hop := lines[i].Hop; hop != "" && !p.hops[hop] {
			p.hops[hop] = true
			p.hopPick.Options = append(p.hopPick.Options, hop)
			grew = true
		}
	}
	if grew {
		p.hopPick.Refresh()
	}
}

func (p *trafficPanel) togglePause() {
	p.paused = !p.paused
	if p.paused {
		p.pauseBtn.SetText("Resume")
		p.pauseBtn.SetIcon(theme.MediaPlayIcon())
		p.showCount()
		return
	}
	p.pauseBtn.SetText("Pause")
	p.pauseBtn.SetIcon(theme.MediaPauseIcon())
	p.lines = appendBounded(p.lines, p.held)
	p.held, p.missed = p.held[:0], 0
	p.refilter()
}

// refilter rebuilds the shown lines after the lines or the filter changed, and refreshes the list.
func (p *trafficPanel) refilter() {
	p.filtered = p.text != "" || p.hop != ""
	p.shown = p.shown[:0]
	if p.filtered {
		for i := len(p.lines) - 1; i >= 0; i-- {
			t := &p.lines[i]
			if (p.hop == "" || t.Hop == p.hop) && t.matches(p.text) {
				p.shown = append(p.shown, i)
			}
		}
	}
	p.showCount()
	p.list.Refresh()
}

// showCount says how many exchanges the list shows, and how many came while paused.
func (p *trafficPanel) showCount() {
	p.empty.Hidden = len(p.lines) > 0
	p.empty.Refresh()
	var text string
	switch {
	case len(p.lines) == 0:
	case p.filtered:
		text = fmt.Sprintf("%s of %s match, newest first", human.Thousands(len(p.shown)), human.Plural(len(p.lines), "exchange"))
	default:
		text = human.Plural(len(p.lines), "exchange") + ", newest first"
	}
	if p.paused {
		paused := fmt.Sprintf("Paused: %s new", human.Thousands(p.missed))
		if p.missed > maxTrafficLines {
			paused += fmt.Sprintf(" (Resume keeps the newest %s)", human.Thousands(maxTrafficLines))
		}
		text = strings.TrimSuffix(paused+". "+text, ". ")
	}
	p.count.SetText(text)
}

// containsFold reports whether s contains sub, ignoring case, without allocating.
func containsFold(s, sub string) bool {
	if sub == "" {
		return true
	}
	for i := 0; i+len(sub) <= len(s); i++ {
		// Compare from rune starts only.
		if s[i]&0xC0 != 0x80 && strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}
