package views

import (
	"fmt"
	"image"
	"image/png"
	"io"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/software"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/coapengine/series"
	"github.com/coap-workbench/coap-workbench/internal/human"
)

// panelLine is one line of a chart panel: a series of a set, with the label the legend
// gives it.
type panelLine struct {
	set   *series.Set
	key   string
	label string
	unit  string
}

// The time windows a chart offers.
var chartWindows = []struct {
	label string
	d     time.Duration
}{{"1 min", time.Minute}, {"10 min", 10 * time.Minute}, {"1 h", time.Hour}, {"all", 0}}

// chartName is how a chart is named: whole (Charts, the switcher's tooltip), path first for
// the chart switcher (which cuts it with cutDeviceFirst), as a file name, and by the icon of
// its kind (an observation, a comparison, the history).
type chartName struct {
	full, short, file string
	icon              fyne.Resource
}

// chartPanel is a chart with its tools: its choice of series (for one observation's set,
// in a pop-up) or its fixed lines (a comparison across devices, a rebuild from history), a
// time window, CSV and PNG export, and a close button. The Observe tab shows one panel at a
// time, its tools in the tab's bar and its chart filling the rest.
type chartPanel struct {
	name  chartName
	chart *Chart
	picks *seriesPicks // nil for fixed lines
	// defaults are ticked when they appear (a chart may open before the first sample).
	defaults []string
	// seriesButton opens the picks, under a line that says how many series are drawn.
	seriesButton *widget.Button
	seriesCount  *widget.Label
	set          *series.Set // the set the picks choose from
	fixed        []panelLine
	window       *widget.Select
	tools        *fyne.Container
	// paused freezes the chart (samples keep being recorded).
	paused func() bool

	buffers  [][]series.Sample
	lines    []ChartSeries
	lastSeen uint64
	dirty    bool
}

// newChartPanel builds a panel; with set, the user picks its series (defaults pre-ticked);
// otherwise the fixed lines are drawn.
func newChartPanel(name chartName, set *series.Set, defaults []string, fixed []panelLine, onClose func(*chartPanel)) *chartPanel {
	p := &chartPanel{name: name, set: set, fixed: fixed, defaults: defaults, chart: NewChart(10 * time.Minute), dirty: true}
	var labels []string
	for _, w := range chartWindows {
		labels = append(labels, w.label)
	}
	p.window = widget.NewSelect(labels, func(choice string) {
		for _, w := range chartWindows {
			if w.label == choice {
				p.chart.SetWindow(w.d)
			}
		}
		p.dirty = true
	})
	p.window.PlaceHolder = "10 min" // as wide as the choices, no wider
	p.window.SetSelected("10 min")
	export := newMenuButton("", theme.DocumentSaveIcon(), func() *fyne.Menu {
		return fyne.NewMenu("", fyne.NewMenuItem("Save as CSV…", p.exportCSV), fyne.NewMenuItem("Save as PNG…", p.exportPNG))
	})
	closeButton := widget.NewButtonWithIcon("", theme.WindowCloseIcon(), func() { onClose(p) })
	p.tools = container.NewHBox(p.window, export, closeButton)
	if set != nil {
		p.picks = newSeriesPicks(func() { p.dirty = true; p.nameSeries() })
		p.seriesCount = widget.NewLabel("")
		p.seriesButton = widget.NewButtonWithIcon("Series", theme.MenuDropDownIcon(), p.showPicks)
		p.seriesButton.IconPlacement = widget.ButtonIconTrailingText
		p.tools.Objects = append([]fyne.CanvasObject{p.seriesButton}, p.tools.Objects...)
		p.updatePicks()
	}
	return p
}

// showPicks opens the choice of series under its button, as big as the window allows.
func (p *chartPanel) showPicks() {
	c := fyne.CurrentApp().Driver().CanvasForObject(p.seriesButton)
	if c == nil {
		return
	}
	room, pad := c.Size(), theme.Padding()
	// Three columns of check boxes, or as many as the window has room for, and the rows
	// they take, up to 300 high (the rest scrolls).
	cols := max(1, min(3, int((room.Width-16-2*pad+pad)/(seriesPickWidth+pad))))
	rows := (len(p.picks.keys) + cols - 1) / cols
	head := p.seriesCount.MinSize().Height + pad
	size := fyne.NewSize(float32(cols)*(seriesPickWidth+pad)-pad+2*pad, min(head+float32(rows)*(seriesPickHeight+pad)-pad+2*pad, 300, room.Height-16))
	at := fyne.CurrentApp().Driver().AbsolutePositionForObject(p.seriesButton).AddXY(0, p.seriesButton.Size().Height)
	// Under the button, moved left as far as it takes to stay in the window.
	at.X = max(min(at.X, room.Width-size.Width-8), 8)
	at.Y = max(min(at.Y, room.Height-size.Height-8), 8)
	pop := widget.NewPopUp(container.NewBorder(p.seriesCount, nil, nil, nil, container.NewVScroll(p.picks.box)), c)
	pop.Resize(size)
	pop.ShowAtPosition(at)
}

// updatePicks offers the set's series as they appear; defaults are ticked when they do.
func (p *chartPanel) updatePicks() {
	infos := p.set.Infos()
	if len(infos) == len(p.picks.keys) {
		return
	}
	var keys []string
	for _, in := range infos {
		keys = append(keys, in.Key)
	}
	p.picks.offer(keys, p.defaults)
	p.dirty = true
	p.nameSeries()
}

// nameSeries says above the choice of series how many are drawn: "2 of 16 series drawn".
func (p *chartPanel) nameSeries() {
	if p.seriesCount == nil {
		return
	}
	p.seriesCount.SetText(fmt.Sprintf("%d of %s drawn", len(p.picks.Selected()), human.Count(len(p.picks.keys), "series", "series")))
}

// seriesPicks is a check box per series, wrapped in rows as wide as there is room for.
type seriesPicks struct {
	box     *fyne.Container
	keys    []string
	checks  map[string]*widget.Check
	changed func()
}

// The size of a series' check box in the choice of series.
const seriesPickWidth, seriesPickHeight = 170, 36

func newSeriesPicks(changed func()) *seriesPicks {
	return &seriesPicks{box: container.NewGridWrap(fyne.NewSize(seriesPickWidth, seriesPickHeight)), checks: map[string]*widget.Check{}, changed: changed}
}

// offer adds check boxes for the new keys; a new key in defaults is ticked, and so is the
// first key when nothing is.
func (s *seriesPicks) offer(keys, defaults []string) {
	for _, k := range keys {
		if s.checks[k] != nil {
			continue
		}
		c := widget.NewCheck(k, func(bool) { s.changed() })
		c.Checked = contains(defaults, k)
		s.checks[k] = c
		s.keys = append(s.keys, k)
		s.box.Add(c)
	}
	// Without defaults that appeared, the first series is drawn rather than nothing.
	if len(s.Selected()) == 0 && len(s.keys) > 0 && !slices.ContainsFunc(defaults, func(d string) bool { return s.checks[d] == nil }) {
		s.checks[s.keys[0]].SetChecked(true)
	}
}

// Selected are the ticked keys, in the order they appeared.
func (s *seriesPicks) Selected() []string {
	var out []string
	for _, k := range s.keys {
		if s.checks[k].Checked {
			out = append(out, k)
		}
	}
	return out
}

// SetSelected ticks exactly keys.
func (s *seriesPicks) SetSelected(keys []string) {
	for _, k := range s.keys {
		s.checks[k].SetChecked(contains(keys, k))
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// currentLines are what the chart draws now.
func (p *chartPanel) currentLines() []panelLine {
	if p.set == nil {
		return p.fixed
	}
	units := map[string]string{}
	for _, in := range p.set.Infos() {
		units[in.Key] = in.Unit
	}
	var out []panelLine
	for _, k := range p.picks.Selected() {
		out = append(out, panelLine{set: p.set, key: k, label: k, unit: units[k]})
	}
	return out
}

// refresh snapshots the lines into the panel's reused buffers and redraws, when samples
// arrived or the choice changed; call it on the main goroutine.
func (p *chartPanel) refresh() {
	if p.paused != nil && p.paused() {
		return
	}
	if p.set != nil {
		p.updatePicks()
	}
	lines := p.currentLines()
	var seen uint64
	for _, l := range lines {
		seen += l.set.Added()
	}
	if !p.dirty && seen == p.lastSeen {
		return
	}
	p.dirty, p.lastSeen = false, seen
	for len(p.buffers) < len(lines) {
		p.buffers = append(p.buffers, nil)
	}
	p.lines = p.lines[:0]
	for i, l := range lines {
		p.buffers[i] = l.set.Snapshot(l.key, 0, p.buffers[i][:0])
		p.lines = append(p.lines, ChartSeries{Label: l.label, Unit: l.unit, Samples: p.buffers[i]})
	}
	p.chart.SetSeries(p.lines)
	p.chart.Refresh()
}

// columns are the panel's lines as CSV columns.
func (p *chartPanel) columns() []series.Column {
	var out []series.Column
	for _, l := range p.currentLines() {
		out = append(out, series.Column{Name: l.label, Unit: l.unit, Samples: l.set.Snapshot(l.key, 0, nil)})
	}
	return out
}

func (p *chartPanel) parentWindow() fyne.Window {
	if c := fyne.CurrentApp().Driver().CanvasForObject(p.tools); c != nil {
		return windowOf(c)
	}
	return nil
}

// fileName is a file name made of the panel's name.
func (p *chartPanel) fileName(ext string) string {
	name := strings.Map(func(r rune) rune {
		if r == '/' || r == ' ' || r == '?' || r == ':' || r == '=' {
			return '_'
		}
		return r
	}, p.name.file)
	return name + ext
}

// saveAs asks where to save the chart as a file of type ext and writes it with write, which
// says what it wrote; a failure to write or to close the file is reported, not lost.
func (p *chartPanel) saveAs(ext string, write func(io.Writer) (string, error)) {
	w := p.parentWindow()
	if w == nil {
		return
	}
	d := dialog.NewFileSave(func(out fyne.URIWriteCloser, err error) {
		if err != nil {
			dialog.ShowError(fmt.Errorf("the chart was not saved: %w", err), w)
			return
		}
		if out == nil {
			return // the user cancelled
		}
		path := out.URI().Path()
		what, err := write(out)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			dialog.ShowError(fmt.Errorf("the chart was not saved to %s: %w", path, err), w)
			return
		}
		dialog.ShowInformation("Chart saved", what+" to "+path, w)
	}, w)
	d.SetFileName(p.fileName(ext))
	d.Show()
}

func (p *chartPanel) exportCSV() {
	p.saveAs(".csv", func(out io.Writer) (string, error) {
		n, err := series.WriteColumns(out, p.columns())
		return fmt.Sprintf("%d rows written", n), err
	})
}

// renderImage draws a copy of the chart, as shown, with the software renderer: at least
// 800×300, in the current theme.
func (p *chartPanel) renderImage() image.Image {
	c := NewChart(p.chart.window)
	c.SetSeries(p.chart.Series())
	cv := software.NewCanvas()
	cv.SetPadded(false)
	cv.SetContent(c)
	cv.Resize(p.chart.Size().Max(fyne.NewSize(800, 300)))
	return cv.Capture()
}

func (p *chartPanel) exportPNG() {
	p.saveAs(".png", func(out io.Writer) (string, error) {
		return "The chart's image written", png.Encode(out, p.renderImage())
	})
}
