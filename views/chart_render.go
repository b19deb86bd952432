package views

import (
	"image"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
)

// CreateRenderer builds the chart's fixed set of objects: the plot's raster, pools of texts
// for the legend and the axes, and the crosshair's readout (a box, a line of text per series
// and a swatch of its colour), drawn last so that it lies over everything else.
func (c *Chart) CreateRenderer() fyne.WidgetRenderer {
	r := &chartRenderer{chart: c}
	r.raster = canvas.NewRaster(c.draw)
	r.raster.ScaleMode = canvas.ImageScalePixels
	newTexts := func(n int) []*canvas.Text {
		out := make([]*canvas.Text, n)
		for i := range out {
			out[i] = canvas.NewText("", theme.Color(theme.ColorNameForeground))
			out[i].TextSize = theme.CaptionTextSize()
			out[i].Hide()
		}
		return out
	}
	r.legend = newTexts(maxChartSeries)
	for i := range r.legendSwatches {
		r.legendSwatches[i] = canvas.NewRectangle(chartPalette[i])
		r.legendSwatches[i].Hide()
	}
	r.xLabels = newTexts(maxXTicks)
	r.yLabels[0] = newTexts(maxYTicks)
	r.yLabels[1] = newTexts(maxYTicks)
	r.unitLabels = newTexts(2)
	for _, u := range r.unitLabels {
		u.TextStyle = fyne.TextStyle{Bold: true}
	}
	r.empty = canvas.NewText("No samples yet: they appear as notifications arrive.", theme.Color(theme.ColorNamePlaceHolder))
	r.readoutBox = canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground))
	r.readoutBox.StrokeWidth = 1
	r.readoutBox.CornerRadius = 4
	r.readoutBox.Hide()
	r.readout = newTexts(maxChartSeries + 1)
	r.readout[0].TextStyle = fyne.TextStyle{Bold: true}
	for i := range r.swatches {
		r.swatches[i] = canvas.NewRectangle(chartPalette[i])
		r.swatches[i].Hide()
	}
	r.objects = []fyne.CanvasObject{r.raster, r.empty}
	for _, s := range r.legendSwatches {
		r.objects = append(r.objects, s)
	}
	for _, group := range [][]*canvas.Text{r.legend, r.xLabels, r.yLabels[0], r.yLabels[1], r.unitLabels} {
		for _, t := range group {
			r.objects = append(r.objects, t)
		}
	}
	r.objects = append(r.objects, r.readoutBox)
	for _, s := range r.swatches {
		r.objects = append(r.objects, s)
	}
	for _, t := range r.readout {
		r.objects = append(r.objects, t)
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
	chart          *Chart
	raster         *canvas.Raster
	legend         []*canvas.Text // a series' label, value and unit each, after its swatch
	legendSwatches [maxChartSeries]*canvas.Rectangle
	xLabels        []*canvas.Text
	yLabels        [2][]*canvas.Text
	unitLabels     []*canvas.Text
	empty          *canvas.Text
	readoutBox     *canvas.Rectangle
	readout        []*canvas.Text // the time, then a line per series
	swatches       [maxChartSeries]*canvas.Rectangle
	objects        []fyne.CanvasObject
	size           fyne.Size
}

func (r *chartRenderer) Destroy()                     {}
func (r *chartRenderer) Objects() []fyne.CanvasObject { return r.objects }

// lineHeight is the height of a line of the chart's small text.
func captionHeight() float32 {
	return fyne.MeasureText("0", theme.CaptionTextSize(), fyne.TextStyle{}).Height
}

// MinSize leaves a plot of about 100×30 between its axes: the chart is meant to fill what it
// is given, never to ask its pane for more.
func (r *chartRenderer) MinSize() fyne.Size {
	line := captionHeight()
	return fyne.NewSize(2*chartAxisWidth+100, 2*line+16+30)
}

func (r *chartRenderer) Layout(size fyne.Size) {
	r.size = size
	r.Refresh()
}

// Refresh computes the frame, then the margins (the legend's rows above the plot, a right
// axis only when a second unit has one) and places every text around the plot.
func (r *chartRenderer) Refresh() {
	c := r.chart
	size := r.size
	fg := theme.Color(theme.ColorNameForeground)
	for _, group := range [][]*canvas.Text{r.legend, r.xLabels, r.yLabels[0], r.yLabels[1], r.unitLabels} {
		for _, t := range group {
			t.Hide()
			t.Color = fg
		}
	}
	for _, s := range r.legendSwatches {
		s.Hide()
	}
	has := c.layoutFrame()
	line := captionHeight()
	left, right := float32(chartAxisWidth), float32(chartNoAxis)
	if has && c.axes.used[1] {
		right = chartAxisWidth
	}
	rows := 1
	if has {
		rows = r.placeLegend(left, size.Width-right, line)
	}
	top := float32(rows)*line + 10
	bottom := line + 6
	c.plotPos = fyne.NewPos(left, top)
	c.plotW = max(wholePixels(c, size.Width-left-right), 1)
	c.plotH = max(wholePixels(c, size.Height-top-bottom), 1)
	r.raster.Move(c.plotPos)
	r.raster.Resize(fyne.NewSize(c.plotW, c.plotH))
	r.empty.Hidden = has
	r.empty.Color = theme.Color(theme.ColorNamePlaceHolder)
	r.empty.Move(c.plotPos.AddXY(8, 8))
	if has {
		r.placeAxes()
	}
	r.placeReadout()
	r.raster.Refresh()
	for _, o := range r.objects[1:] {
		o.Refresh()
	}
}

// legendSwatch is the side of the square of a series' colour in the legend and the readout.
const legendSwatch = 9

// wholePixels is v (Fyne units) made a whole number of o's canvas's pixels, rounding down.
// The plot's image is made that many pixels and drawn over a span of exactly as many: over a
// fraction more or less, a row or column of its pixels would be dropped or doubled, and a
// one-pixel line lying in a dropped row would show dashed.
func wholePixels(o fyne.CanvasObject, v float32) float32 {
	scale := float32(1)
	if c := fyne.CurrentApp().Driver().CanvasForObject(o); c != nil {
		scale = c.Scale()
	}
	return float32(math.Floor(float64(v*scale))) / scale
}

// placeLegend writes each series' label, last value and unit after a swatch of its colour
// above the plot, between from and to, in as many rows as it needs up to maxLegendRows, and
// returns the number of rows. A row breaks where the entry would not fit with room for a
// value of any length, so that the plot does not jump up and down as the values change.
func (r *chartRenderer) placeLegend(from, to, line float32) int {
	c := r.chart
	size := theme.CaptionTextSize()
	valueRoom := fyne.MeasureText("-0.0000", size, fyne.TextStyle{}).Width
	x, row := from, 0
	for i, l := range c.lines {
		t := r.legend[i]
		text := l.Label
		values := 1
		if n := len(l.Samples); n > 0 {
			text += " " + formatValue(l.Samples[n-1].Value) + unitSuffix(l.Unit)
		}
		if pl := c.plot[i]; pl.scaled {
			text += " " + scaledNote(pl.own, l.Unit)
			values = 3
		}
		t.Text = text
		w := t.MinSize().Width
		room := legendSwatch + 4 + max(w, fyne.MeasureText(l.Label+unitSuffix(l.Unit), size, fyne.TextStyle{}).Width+float32(values)*valueRoom)
		if x+room > to && x > from {
			if row+1 == maxLegendRows {
				break // no room: the crosshair's readout still names every series
			}
			x, row = from, row+1
		}
		y := 4 + float32(row)*line
		s := r.legendSwatches[i]
		s.FillColor = c.colours[i]
		s.Move(fyne.NewPos(x, y+(line-legendSwatch)/2))
		s.Resize(fyne.NewSize(legendSwatch, legendSwatch))
		s.Show()
		t.Move(fyne.NewPos(x+legendSwatch+4, y))
		t.Show()
		x += room + 14
	}
	return row + 1
}

// scaledNote says what the height of the plot stands for on a line drawn scaled to it:
// "(scaled: 0–100 % of 0–2000 B/s)".
func scaledNote(r valueRange, unit string) string {
	if r.empty() {
		return "(scaled)"
	}
	step := niceStep(r.hi-r.lo, 4)
	return "(scaled: 0–100 % of " + formatTick(r.lo, step) + "–" + formatTick(r.hi, step) + unitSuffix(unit) + ")"
}

// placeAxes writes the time labels under the plot, both value axes' labels beside it and
// their units above them, and sets the grid.
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
	bottom := c.plotPos.Y + c.plotH + 3
	n := 0
	for t := first; t <= f.to && n < maxXTicks; t += step {
		frac := float64(t-f.from) / float64(span)
		f.gridX = append(f.gridX, frac)
		l := r.xLabels[n]
		l.Text = time.Unix(0, t).Local().Format(layout)
		w := l.MinSize().Width
		// A label at either end stays inside the chart rather than half off it.
		x := min(max(c.plotPos.X+float32(frac)*c.plotW-w/2, 0), r.size.Width-w)
		l.Move(fyne.NewPos(x, bottom))
		l.Show()
		n++
	}
	ticks := max(int(c.plotH/36), 2)
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
			l.Move(fyne.NewPos(r.besideAxis(axis, l.MinSize().Width), c.plotPos.Y+float32(frac)*c.plotH-l.MinSize().Height/2))
			l.Show()
			i++
		}
		u := r.unitLabels[axis]
		u.Text = c.axes.unit[axis]
		if u.Text != "" {
			// Above its axis, level with the legend's first row: the unit is the axis's title.
			u.Move(fyne.NewPos(r.besideAxis(axis, u.MinSize().Width), 4))
			u.Show()
		}
	}
}

// besideAxis is the x of a text w wide in the column of an axis: against the plot's left
// edge for the left axis, its right edge for the right one.
func (r *chartRenderer) besideAxis(axis int, w float32) float32 {
	c := r.chart
	if axis == 1 {
		return c.plotPos.X + c.plotW + chartLabelGap
	}
	return max(c.plotPos.X-chartLabelGap-w, 0)
}

// placeReadout writes, in a box beside the crosshair, the time under the pointer and each
// series' value there, a line each with a swatch of its colour; the box flips to the left of
// the crosshair near the right edge and keeps the lines it has room for.
func (r *chartRenderer) placeReadout() {
	c := r.chart
	hidden := c.hover < 0 || len(c.plot) == 0
	r.readoutBox.Hidden = hidden
	for _, t := range r.readout {
		t.Hidden = true
	}
	for _, s := range r.swatches {
		s.Hidden = true
	}
	if hidden {
		return
	}
	f := &c.frame
	at := f.from + int64(float64(f.to-f.from)*float64(c.hover/c.plotW))
	layout := "15:04:05"
	if f.to-f.from >= int64(24*time.Hour) {
		layout = "Jan 2 15:04:05"
	}
	fg := theme.Color(theme.ColorNameForeground)
	r.readout[0].Text = time.Unix(0, at).Local().Format(layout)
	n := 1
	for i, l := range c.lines {
		if s, ok := sampleAt(l.Samples, at); ok {
			r.readout[n].Text = l.Label + " " + formatValue(s.Value) + unitSuffix(l.Unit)
			r.swatches[n-1].FillColor = c.colours[i]
			n++
		}
	}
	const pad, swatch = 6, legendSwatch
	line := captionHeight()
	n = max(1, min(n, int((r.size.Height-2*pad)/line)))
	width := float32(0)
	for i, t := range r.readout[:n] {
		t.Color = fg
		w := t.MinSize().Width
		if i > 0 {
			w += swatch + 5
		}
		width = max(width, w)
	}
	width += 2 * pad
	height := float32(n)*line + 2*pad
	cross := c.plotPos.X + c.hover
	x := cross + 12
	if x+width > r.size.Width {
		x = cross - 12 - width
	}
	x = max(x, 0)
	y := max(min(c.plotPos.Y+4, r.size.Height-height), 0)
	r.readoutBox.FillColor = theme.Color(theme.ColorNameOverlayBackground)
	r.readoutBox.StrokeColor = theme.Color(theme.ColorNameInputBorder)
	r.readoutBox.Move(fyne.NewPos(x, y))
	r.readoutBox.Resize(fyne.NewSize(width, height))
	for i, t := range r.readout[:n] {
		ty := y + pad + float32(i)*line
		tx := x + pad
		if i > 0 {
			s := r.swatches[i-1]
			s.Move(fyne.NewPos(tx, ty+(line-swatch)/2))
			s.Resize(fyne.NewSize(swatch, swatch))
			s.Show()
			tx += swatch + 5
		}
		t.Move(fyne.NewPos(tx, ty))
		t.Show()
	}
}
