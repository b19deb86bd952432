package views

import (
	"image"
	"image/color"
	"math"
	"sort"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
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

// chartPalette holds the lines' colours on a light background; on a dark one they are drawn
// lighter (seriesColours).
var chartPalette = [maxChartSeries]color.NRGBA{
	{0x4e, 0x79, 0xa7, 0xff}, {0xf2, 0x8e, 0x2b, 0xff}, {0xe1, 0x57, 0x59, 0xff}, {0x76, 0xb7, 0xb2, 0xff},
	{0x59, 0xa1, 0x4f, 0xff}, {0xed, 0xc9, 0x48, 0xff}, {0xb0, 0x7a, 0xa1, 0xff}, {0xff, 0x9d, 0xa7, 0xff},
}

// The chart's geometry, in Fyne units: the width of a value axis's column of labels (the
// plot's margin on a side with an axis), the margin on a side without one, the gap between
// a label and the plot, and the bounds of the pools of labels.
const (
	chartAxisWidth = 58
	chartNoAxis    = 14
	chartLabelGap  = 5
	maxLegendRows  = 2
	maxXTicks      = 14
	maxYTicks      = 10
)

// Chart draws several time series into one reused image (a canvas.Raster) that fills the
// room it is given: a time axis along the bottom, a value axis on the left for the first
// unit and one on the right for the second, each titled with its unit above it; a third unit
// is drawn scaled to the plot's height, dashed, and its legend says what the height stands
// for. It autoscales, its legend gives the last values, and a crosshair under the pointer
// reads every series' value there on a background of its own.
type Chart struct {
	widget.BaseWidget

	lines  []ChartSeries
	window time.Duration // 0: all samples
	// hover is the pointer's x within the plot (Fyne units), or -1.
	hover float32

	// computed by layoutFrame, read by the raster's generator
	frame   plotFrame
	colours [maxChartSeries]color.NRGBA
	plot    []plotLine
	axes    chartAxes
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
	c.colours = seriesColours(f.background)
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
	ranges := [2]valueRange{{math.Inf(1), math.Inf(-1)}, {math.Inf(1), math.Inf(-1)}}
	for i, l := range c.lines {
		axis, scaled := c.axes.axisFor(l.Unit)
		r := rangeOf(l.Samples, f.from, f.to)
		pl := plotLine{samples: l.Samples, colour: c.colours[i], axis: axis, scaled: scaled}
		if scaled {
			pl.own = roundedOut(r)
		} else {
			ranges[axis] = valueRange{min(ranges[axis].lo, r.lo), max(ranges[axis].hi, r.hi)}
		}
		c.plot = append(c.plot, pl)
	}
	f.axes = [2]valueRange{padded(ranges[0]), padded(ranges[1])}
	if c.hover >= 0 {
		f.crosshair = float64(c.hover / c.plotW)
	}
	return true
}

// chartAxes assigns units to the two value axes: the first unit seen is the left axis's,
// the second the right's; any further unit has no axis and is drawn scaled to the plot's
// height.
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

// seriesColours are the palette as it reads on background: as it is on a light one, a
// third of the way to white on a dark one (where the darker blues and reds would sink).
func seriesColours(background color.NRGBA) [maxChartSeries]color.NRGBA {
	out := chartPalette
	if 299*int(background.R)+587*int(background.G)+114*int(background.B) >= 128*1000 {
		return out
	}
	for i, c := range out {
		lighter := func(v uint8) uint8 { return v + (255-v)/3 }
		out[i] = color.NRGBA{lighter(c.R), lighter(c.G), lighter(c.B), c.A}
	}
	return out
}

func toNRGBA(c color.Color) color.NRGBA {
	return color.NRGBAModel.Convert(c).(color.NRGBA)
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
