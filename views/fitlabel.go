package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/internal/human"
)

// FitLabel is one line of text that fits its width by losing its middle rather than its end
// ("SSN0013…0005E7D6", "/sys/stats?mod=pwr · …0005E7D6"): the tail of a MAC, a host name or
// a URI is what tells rows apart. When the text is cut, the whole of it shows in a tooltip
// while the pointer rests on it (in a window whose content went through WithTooltips).
// Its minimum width is a few characters, so a long text never widens its pane.
type FitLabel struct {
	widget.BaseWidget
	full  string
	label *widget.Label
	cut   bool
	// Tip, when set, is the tooltip's text instead of the whole text.
	Tip string
	// Cut, when set, is how the text is cut to at most n runes instead of human.Middle
	// (CutEnd for a sentence, whose start matters most).
	Cut func(text string, n int) string
}

// CutEnd cuts text to at most n runes by dropping its end: "ended: the device did…" (for a
// FitLabel's Cut, when the start of a sentence matters most).
func CutEnd(text string, n int) string { return human.End(text, n) }

// NewFitLabel is a FitLabel showing text.
func NewFitLabel(text string) *FitLabel {
	l := &FitLabel{full: text, label: widget.NewLabel(text)}
	l.ExtendBaseWidget(l)
	return l
}

// SetText changes the text; an unchanged text costs nothing.
func (l *FitLabel) SetText(text string) {
	if text == l.full {
		return
	}
	l.full = text
	l.fit(l.Size().Width)
}

// Text is the whole text, however it is shown.
func (l *FitLabel) Text() string { return l.full }

// Shown is the text as it fits now.
func (l *FitLabel) Shown() string { return l.label.Text }

// SetImportance colours the text (widget.WarningImportance …).
func (l *FitLabel) SetImportance(i widget.Importance) {
	if l.label.Importance != i {
		l.label.Importance = i
		l.label.Refresh()
	}
}

// SetTextStyle makes the text bold, monospace …
func (l *FitLabel) SetTextStyle(s fyne.TextStyle) {
	l.label.TextStyle = s
	l.fit(l.Size().Width)
	l.label.Refresh()
}

// fit cuts the text to the width given: the longest middle-cut form that fits.
func (l *FitLabel) fit(width float32) {
	text := l.full
	size, style := theme.TextSize(), l.label.TextStyle
	avail := width - 2*theme.InnerPadding()
	switch {
	case fyne.MeasureText(text, size, style).Width <= avail:
		// It fits whole.
	case width < l.MinSize().Width:
		text = "" // no room (or not laid out yet): nothing rather than text over the neighbours
	default:
		cut := l.Cut
		if cut == nil {
			cut = human.Middle
		}
		lo, hi := 1, len([]rune(text))-1
		best := "…"
		for lo <= hi {
			mid := (lo + hi) / 2
			cand := cut(text, mid)
			if fyne.MeasureText(cand, size, style).Width <= avail {
				best, lo = cand, mid+1
			} else {
				hi = mid - 1
			}
		}
		text = best
	}
	l.cut = text != l.full
	if l.label.Text != text {
		l.label.SetText(text)
	}
}

// Resize fits the text to the new width.
func (l *FitLabel) Resize(s fyne.Size) {
	if s.Width != l.Size().Width {
		l.fit(s.Width)
	}
	l.BaseWidget.Resize(s)
}

// NaturalWidth is the width the whole text needs.
func (l *FitLabel) NaturalWidth() float32 {
	if l.full == "" {
		return 0
	}
	return fyne.MeasureText(l.full, theme.TextSize(), l.label.TextStyle).Width + 2*theme.InnerPadding()
}

// MinSize is a few characters wide and a line high.
func (l *FitLabel) MinSize() fyne.Size {
	h := l.label.MinSize().Height
	w := fyne.MeasureText("SSN…", theme.TextSize(), l.label.TextStyle).Width + 2*theme.InnerPadding()
	return fyne.NewSize(w, h)
}

// MouseIn starts the tooltip of a cut text.
func (l *FitLabel) MouseIn(*desktop.MouseEvent) {
	tip := l.Tip
	if tip == "" && l.cut {
		tip = l.full
	}
	scheduleTooltip(l, tip)
}

// MouseMoved does nothing: the tooltip stays while the pointer is on the text.
func (l *FitLabel) MouseMoved(*desktop.MouseEvent) {}

// MouseOut hides the tooltip.
func (l *FitLabel) MouseOut() { cancelTooltip(l) }

// CreateRenderer draws the label.
func (l *FitLabel) CreateRenderer() fyne.WidgetRenderer {
	return &fitLabelRenderer{l: l}
}

type fitLabelRenderer struct{ l *FitLabel }

func (r *fitLabelRenderer) Layout(s fyne.Size) {
	r.l.fit(s.Width)
	r.l.label.Resize(s)
}
func (r *fitLabelRenderer) MinSize() fyne.Size           { return r.l.MinSize() }
func (r *fitLabelRenderer) Refresh()                     { r.l.fit(r.l.Size().Width); r.l.label.Refresh() }
func (r *fitLabelRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.l.label} }
func (r *fitLabelRenderer) Destroy()                     {}
