package views

import (
	"image"
	"image/color"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/coapengine/series"
)

// ChartSeries is one series on a chart: its samples, oldest first. The chart reads Samples
// when it draws, on the main goroutine: the caller refills them there, from a snapshot.
type ChartSeries struct {
	Label   string
	Unit    string
	Samples []series.Sample
}

// maxChartSeries bounds the series on one chart (and the legend's pool of labels).
const maxChartSeries = 8

// chartPalette holds colours that read on both the light and the dark variant.
var chartPalette = [maxChartSeries]color.NRGBA{
	{0x4e, 0x79, 0xa7, 0xff}, {0xf2, 0x8e, 0x2b, 0xff}, {0xe1, 0x57, 0x59, 0xff}, {0x76, 0xb7, 0xb2, 0xff},
	{0x59, 0xa1, 0x4f, 0xff}, {0xed, 0xc9, 0x48, 0xff}, {0xb0, 0x7a, 0xa1, 0xff}, {0xff, 0x9d, 0xa7, 0xff},
}

// The chart's margins around the plot, in Fyne units.
const (
	chartLeft   = 64
	chartRight  = 64
	chartTop    = 26
	chartBottom = 22
	maxXTicks   = 14
	maxYTicks   = 10
)

// Chart draws several time series into one reused image (a canvas.Raster): a time axis with
// readable labels, a left axis for the first unit and a right one for the second (a third is
// drawn scaled to the plot and marked so), autoscale, a legend with the last values, a
// crosshair with the values under the pointer, and a time window.
type Chart struct {
	widget.BaseWidget

	lines  []ChartSeries
	window time.Duration // 0: all samples
	// hover is the pointer's x within the plot (Fyne units), or -1.
	hover float32

	// computed by layoutFrame, read by the raster's generator
	frame   plotFrame
	plot    []plotLine
	axes    chartAxes
	scaled  []bool
	plotPos fyne.Position
	plotW   float32
	plotH   float32
	img     *image.NRGBA
}

// NewChart returns an empty chart showing window (0: everything).
func NewChart(window time.Duration) *Chart {
	c := &Chart{window: window, hover: -1}
	c.ExtendBaseWidget(c)
	return c
}

// SetSeries replaces the series (at most eight are drawn); call Refresh after.
func (c *Chart) SetSeries(lines []ChartSeries) {
	c.lines = lines[:min(len(lines), maxChartSeries)]
}

// Series are the series shown.
func (c *Chart) Series() []ChartSeries { return c.lines }

// SetWindow shows the last d of the samples (0: all of them).
func (c *Chart) SetWindow(d time.Duration) {
	c.window = d
	c.Refresh()
}

// MouseIn starts the crosshair.
func (c *Chart) MouseIn(e *desktop.MouseEvent) { c.MouseMoved(e) }

// MouseMoved moves the crosshair.
func (c *Chart) MouseMoved(e *desktop.MouseEvent) {
	x := e.Position.X - c.plotPos.X
	if x < 0 || x > c.plotW {
		x = -1
	}
	if x != c.hover {
		c.hover = x
		c.Refresh()
	}
}

// MouseOut hides the crosshair.
func (c *Chart) MouseOut() {
	c.hover = -1
	c.Refresh()
}

// CreateRenderer builds the chart's fixed set of objects.
func (c *Chart) CreateRenderer() fyne.WidgetRenderer {
	r := &chartRenderer{chart: c}
	r.raster = canvas.NewRaster(c.draw)
	r.raster.ScaleMode = canvas.ImageScalePixels
	newTexts := func(n int, size float32) []*canvas.Text {
		out := make([]*canvas.Text, n)
		for i := range out {
			out[i] = canvas.NewText("", theme.Color(theme.ColorNameForeground))
			out[i].TextSize = size
			out[i].Hide()
		}
		return out
	}
	small := theme.CaptionTextSize()
	r.legend = newTexts(maxChartSeries, small)
	r.xLabels = newTexts(maxXTicks, small)
	r.yLabels[0] = newTexts(maxYTicks, small)
	r.yLabels[1] = newTexts(maxYTicks, small)
	r.unitLabels = newTexts(2, small)
	r.readout = newTexts(1, small)[0]
	r.empty = canvas.NewText("No samples yet: they appear as notifications arrive.", theme.Color(theme.ColorNamePlaceHolder))
	r.objects = []fyne.CanvasObject{r.raster, r.empty, r.readout}
	for _, group := range [][]*canvas.Text{r.legend, r.xLabels, r.yLabels[0], r.yLabels[1], r.unitLabels} {
		for _, t := range group {
			r.objects = append(r.objects, t)
		}
	}
	return r
}

// draw is the raster's generator: it redraws the plot into the reused image, resized only
// when the plot's size in pixels changes.
func (c *Chart) draw(w, h int) image.Image {
	if c.img == nil || c.img.Bounds().Dx() != w || c.img.Bounds().Dy() != h {
		c.img = image.NewNRGBA(image.Rect(0, 0, w, h))
	}
	drawPlot(c.img, &c.frame, c.plot)
	return c.img
}

// chartRenderer lays the chart out: the plot's raster and a fixed pool of texts.
type chartRenderer struct {
	chart      *Chart
	raster     *canvas.Raster
	legend     []*canvas.Text
	xLabels    []*canvas.Text
	yLabels    [2][]*canvas.Text
	unitLabels []*canvas.Text
	readout    *canvas.Text
	empty      *canvas.Text
	objects    []fyne.CanvasObject
	size       fyne.Size
}

func (r *chartRenderer) Destroy()                     {}
func (r *chartRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *chartRenderer) MinSize() fyne.Size {
	return fyne.NewSize(chartLeft+chartRight+240, chartTop+chartBottom+200)
}

func (r *chartRenderer) Layout(size fyne.Size) {
	r.size = size
	r.Refresh()
}

func (r *chartRenderer) Refresh() {
	c := r.chart
	size := r.size
	c.plotPos = fyne.NewPos(chartLeft, chartTop)
	c.plotW = max(size.Width-chartLeft-chartRight, 1)
	c.plotH = max(size.Height-chartTop-chartBottom, 1)
	r.raster.Move(c.plotPos)
	r.raster.Resize(fyne.NewSize(c.plotW, c.plotH))
	fg := theme.Color(theme.ColorNameForeground)
	for _, group := range [][]*canvas.Text{r.legend, r.xLabels, r.yLabels[0], r.yLabels[1], r.unitLabels} {
		for _, t := range group {
			t.Hide()
			t.Color = fg
		}
	}
	has := c.layoutFrame()
	r.empty.Hidden = has
	r.empty.Move(fyne.NewPos(chartLeft+8, chartTop+8))
	if has {
		r.placeLegend()
		r.placeAxes()
	}
	r.placeReadout()
	r.raster.Refresh()
	for _, o := range r.objects[1:] {
		o.Refresh()
	}
}

// layoutFrame computes what the next frame shows; false when there is nothing to draw.
func (c *Chart) layoutFrame() bool {
	var newest int64 = math.MinInt64
	var oldest int64 = math.MaxInt64
	for _, l := range c.lines {
		if n := len(l.Samples); n > 0 {
			newest = max(newest, l.Samples[n-1].At)
			oldest = min(oldest, l.Samples[0].At)
		}
	}
	f := &c.frame
	f.background = toNRGBA(theme.Color(theme.ColorNameInputBackground))
	f.grid = toNRGBA(theme.Color(theme.ColorNameSeparator))
	f.cross = toNRGBA(theme.Color(theme.ColorNameForeground))
	f.gridX, f.gridY, f.crosshair = f.gridX[:0], f.gridY[:0], -1
	c.plot = c.plot[:0]
	if newest == math.MinInt64 {
		return false
	}
	f.to = newest
	f.from = oldest
	if c.window > 0 && newest-int64(c.window) > oldest {
		// A window longer than the samples shows them all: a new observation fills the
		// width until it is as long as the window.
		f.from = newest - int64(c.window)
	}
	if f.to <= f.from {
		f.from = f.to - int64(time.Second)
	}
	c.axes = chartAxes{}
	c.scaled = c.scaled[:0]
	ranges := [2]valueRange{{math.Inf(1), math.Inf(-1)}, {math.Inf(1), math.Inf(-1)}}
	for i, l := range c.lines {
		axis, scaled := c.axes.axisFor(l.Unit)
		r := rangeOf(l.Samples, f.from, f.to)
		pl := plotLine{samples: l.Samples, colour: chartPalette[i], axis: axis}
		if scaled {
			pl.own = padded(r)
		} else {
			ranges[axis] = valueRange{min(ranges[axis].lo, r.lo), max(ranges[axis].hi, r.hi)}
		}
		c.plot = append(c.plot, pl)
		c.scaled = append(c.scaled, scaled)
	}
	f.axes = [2]valueRange{padded(ranges[0]), padded(ranges[1])}
	if c.hover >= 0 {
		f.crosshair = float64(c.hover / c.plotW)
	}
	return true
}

// chartAxes assigns units to the two value axes: the first unit seen is the left axis's,
// the second the right's; any further unit has no axis and is drawn scaled to the plot.
type chartAxes struct {
	unit [2]string
	used [2]bool
}

func (a *chartAxes) axisFor(unit string) (axis int, scaled bool) {
	for i := range 2 {
		if a.used[i] && a.unit[i] == unit {
			return i, false
		}
	}
	for i := range 2 {
		if !a.used[i] {
			a.used[i], a.unit[i] = true, unit
			return i, false
		}
	}
	return 1, true
}

// rangeOf is the range of the samples between from and to.
func rangeOf(samples []series.Sample, from, to int64) valueRange {
	r := valueRange{math.Inf(1), math.Inf(-1)}
	i := sort.Search(len(samples), func(i int) bool { return samples[i].At >= from })
	for ; i < len(samples) && samples[i].At <= to; i++ {
		v := samples[i].Value
		if !math.IsNaN(v) {
			r.lo, r.hi = min(r.lo, v), max(r.hi, v)
		}
	}
	return r
}

func toNRGBA(c color.Color) color.NRGBA {
	return color.NRGBAModel.Convert(c).(color.NRGBA)
}

// placeLegend writes each series' label, last value and unit in its colour across the top.
func (r *chartRenderer) placeLegend() {
	c := r.chart
	x := float32(chartLeft)
	for i, l := range c.lines {
		t := r.legend[i]
		text := "■ " + l.Label
		if n := len(l.Samples); n > 0 {
			text += " " + formatValue(l.Samples[n-1].Value) + unitSuffix(l.Unit)
		}
		if c.scaled[i] {
			text += " (scaled)"
		}
		t.Text = text
		t.Color = chartPalette[i]
		w := t.MinSize().Width
		if x+w > r.size.Width && x > chartLeft {
			break // no room: the crosshair's readout still names every series
		}
		t.Move(fyne.NewPos(x, 4))
		t.Show()
		x += w + 14
	}
}

// placeAxes writes the time labels and both value axes' labels, and sets the grid.
func (r *chartRenderer) placeAxes() {
	c := r.chart
	f := &c.frame
	span := f.to - f.from
	step := timeStep(span, int(c.plotW), 110)
	layout := "15:04:05"
	switch {
	case step >= int64(6*time.Hour):
		layout = "Jan 2 15:04"
	case step >= int64(time.Minute):
		layout = "15:04"
	}
	// Ticks fall on round local times: a day's tick at midnight here, not in UTC.
	_, offset := time.Unix(0, f.from).Zone()
	off := int64(offset) * int64(time.Second)
	first := ((f.from+off)/step+1)*step - off
	n := 0
	for t := first; t <= f.to && n < maxXTicks; t += step {
		frac := float64(t-f.from) / float64(span)
		f.gridX = append(f.gridX, frac)
		l := r.xLabels[n]
		l.Text = time.Unix(0, t).Local().Format(layout)
		w := l.MinSize().Width
		l.Move(fyne.NewPos(chartLeft+float32(frac)*c.plotW-w/2, chartTop+c.plotH+3))
		l.Show()
		n++
	}
	ticks := max(int(c.plotH/40), 2)
	for axis := range 2 {
		rg := f.axes[axis]
		if rg.empty() {
			continue
		}
		step := niceStep(rg.hi-rg.lo, ticks)
		i := 0
		for v := math.Ceil(rg.lo/step) * step; v <= rg.hi && i < maxYTicks; v += step {
			frac := 1 - (v-rg.lo)/(rg.hi-rg.lo)
			if axis == 0 {
				f.gridY = append(f.gridY, frac)
			}
			l := r.yLabels[axis][i]
			l.Text = formatTick(v, step)
			w := l.MinSize().Width
			x := float32(chartLeft - 6 - w)
			if axis == 1 {
				x = chartLeft + c.plotW + 6
			}
			l.Move(fyne.NewPos(x, chartTop+float32(frac)*c.plotH-l.MinSize().Height/2))
			l.Show()
			i++
		}
		u := r.unitLabels[axis]
		u.Text = c.axes.unit[axis]
		if u.Text != "" {
			x := float32(4)
			if axis == 1 {
				x = chartLeft + c.plotW + 6
			}
			u.Move(fyne.NewPos(x, chartTop+c.plotH+3))
			u.Show()
		}
	}
}

// placeReadout writes the time under the pointer and each series' value there.
func (r *chartRenderer) placeReadout() {
	c := r.chart
	r.readout.Hidden = c.hover < 0 || len(c.plot) == 0
	if r.readout.Hidden {
		return
	}
	f := &c.frame
	at := f.from + int64(float64(f.to-f.from)*float64(c.hover/c.plotW))
	parts := []string{time.Unix(0, at).Local().Format("15:04:05")}
	for _, l := range c.lines {
		if s, ok := sampleAt(l.Samples, at); ok {
			parts = append(parts, l.Label+" "+formatValue(s.Value)+unitSuffix(l.Unit))
		}
	}
	r.readout.Text = strings.Join(parts, " · ")
	w := r.readout.MinSize().Width
	x := min(chartLeft+c.hover+8, r.size.Width-w-4)
	r.readout.Move(fyne.NewPos(max(x, 0), chartTop+4))
}

// sampleAt is the last sample at or before at.
func sampleAt(samples []series.Sample, at int64) (series.Sample, bool) {
	i := sort.Search(len(samples), func(i int) bool { return samples[i].At > at })
	if i == 0 {
		return series.Sample{}, false
	}
	return samples[i-1], true
}

// formatValue writes a value with up to four significant digits.
func formatValue(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e9 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// formatTick writes an axis value with as many decimals as its step needs.
func formatTick(v, step float64) string {
	decimals := max(0, int(-math.Floor(math.Log10(step))))
	if math.Abs(v) < step/2 {
		v = 0 // not "-0.000"
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

func unitSuffix(unit string) string {
	if unit == "" {
		return ""
	}
	return " " + unit
}
