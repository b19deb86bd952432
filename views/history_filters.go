package views

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/history"
)

// historyClasses are the code classes the class picker offers, in its order.
var historyClasses = []struct {
	label string
	class history.CodeClass
}{
	{"Any code", history.AnyClass},
	{"2.xx success", history.Success},
	{"4.xx client error", history.ClientError},
	{"5.xx server error", history.ServerError},
	{"no answer", history.NoResponse},
}

// historyAnyMethod is the method picker's first choice.
const historyAnyMethod = "Any method"

// historyFilterBar is the row of filters above the history list.
type historyFilterBar struct {
	object               fyne.CanvasObject
	search, device, path *widget.Entry
	method, class        *widget.Select
	hideNotifications    *widget.Check
	debounce             *time.Timer
	edits                uint64 // counts keystrokes, so that a stale timer does nothing
}

// newHistoryFilterBar builds the filters. typed is called as the user types in a box,
// changed when a choice changes or a box is submitted with Enter.
func newHistoryFilterBar(typed, changed func()) historyFilterBar {
	b := historyFilterBar{search: widget.NewEntry(), device: widget.NewEntry(), path: widget.NewEntry()}
	b.search.SetPlaceHolder("Search the decoded responses")
	b.device.SetPlaceHolder("Device (SSN… or full name)")
	b.path.SetPlaceHolder("Path contains")
	for _, e := range []*widget.Entry{b.search, b.device, b.path} {
		e.OnChanged = func(string) { typed() }
		e.OnSubmitted = func(string) { changed() }
	}
	methods := []string{historyAnyMethod}
	for _, m := range coapengine.Methods {
		methods = append(methods, coapengine.MethodName(m))
	}
	classes := make([]string, len(historyClasses))
	for i, c := range historyClasses {
		classes[i] = c.label
	}
	b.method, b.class = widget.NewSelect(methods, nil), widget.NewSelect(classes, nil)
	for _, s := range []*widget.Select{b.method, b.class} {
		// A picker is as wide as its placeholder at least; these always show a choice, and
		// in a narrow pane may cut its end (the row gives them their longest choice's width
		// when it can).
		s.PlaceHolder = "Any"
		s.SetSelectedIndex(0) // before OnChanged: the first choice is no change
		s.OnChanged = func(string) { changed() }
	}
	b.hideNotifications = widget.NewCheck("Hide notifications", func(bool) { changed() })
	b.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	// One line: the boxes share the room by how much people type in them; the pickers want
	// the width of their longest choice and give some of it up in a narrow pane.
	b.object = container.New(newFitRow(true,
		rowItem{min: 90, want: 200, grow: 3},
		rowItem{min: 90, want: 180, grow: 2},
		rowItem{min: 80, want: 160, grow: 1.5},
		rowItem{min: 95, want: selectWidth(methods)},
		rowItem{min: 105, want: selectWidth(classes)},
		rowItem{},
	), b.search, b.device, b.path, b.method, b.class, b.hideNotifications)
	return b
}

// selectWidth is the width a picker needs to show the longest of its choices whole.
func selectWidth(options []string) float32 {
	longest := float32(0)
	for _, o := range options {
		longest = max(longest, fyne.MeasureText(o, theme.TextSize(), fyne.TextStyle{}).Width)
	}
	// The picker's own padding and drop-down icon (widget.Select's renderer).
	return longest + 4*theme.InnerPadding() + theme.IconInlineSize() + 2*theme.Padding()
}

// reset shows no filter, without a query per box (the caller applies the filters once).
func (b *historyFilterBar) reset() {
	for _, e := range []*widget.Entry{b.search, b.device, b.path} {
		e.SetText("")
	}
	b.method.SetSelectedIndex(0)
	b.class.SetSelectedIndex(0)
	b.hideNotifications.SetChecked(false)
}

// filter is the filter the bar shows. A device typed by its short name is completed from
// knownDevices (short name in lower case → host): the history matches whole host names.
func (b *historyFilterBar) filter(knownDevices map[string]string) history.Filter {
	f := history.Filter{
		Text:                 strings.TrimSpace(b.search.Text),
		Device:               strings.ToLower(strings.TrimSpace(b.device.Text)),
		PathContains:         strings.TrimSpace(b.path.Text),
		WithoutNotifications: b.hideNotifications.Checked,
	}
	if host, ok := knownDevices[f.Device]; ok && !strings.Contains(f.Device, ".") {
		f.Device = host
	}
	if i := b.method.SelectedIndex(); i > 0 {
		f.Method = coapengine.Methods[i-1]
	}
	if i := b.class.SelectedIndex(); i > 0 {
		f.Class = historyClasses[i].class
	}
	return f
}

// filterEdited waits for typing to pause, then applies the filters.
func (t *HistoryTab) filterEdited() {
	if t.resettingFilters {
		return
	}
	t.showClearFilters()
	b := &t.filters
	b.edits++
	edits := b.edits
	if b.debounce != nil {
		b.debounce.Stop()
	}
	b.debounce = time.AfterFunc(historyDebounce, func() {
		t.opts.do(func() {
			if edits == b.edits {
				t.applyFilters()
			}
		})
	})
}

// applyFilters runs the query again if the filters on screen differ from the last query's.
func (t *HistoryTab) applyFilters() {
	if t.resettingFilters {
		return
	}
	t.filters.edits++ // a pending debounce has nothing left to do
	if t.filters.filter(t.knownDevices) != t.filter {
		t.Reload()
	}
}

// resetFilters takes every filter away and lists the whole history: Clear filters.
func (t *HistoryTab) resetFilters() {
	t.resettingFilters = true
	t.filters.reset()
	t.resettingFilters = false
	t.applyFilters()
	t.showClearFilters()
}

// showClearFilters offers Clear filters while a filter is set on screen (typed or applied).
func (t *HistoryTab) showClearFilters() {
	if t.filters.filter(t.knownDevices) != (history.Filter{}) || t.filter != (history.Filter{}) {
		t.clearFilters.Show()
	} else {
		t.clearFilters.Hide()
	}
	t.barBox.Refresh()
}
