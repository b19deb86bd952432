package views

import (
	"image"
	"image/color"
	"math"

	"github.com/coap-workbench/coap-workbench/coapengine/series"
)

// plotLine is one series as the plot draws it: its samples (oldest first), its colour and
// the y axis it is scaled to.
type plotLine struct {
	samples []series.Sample
	colour  color.NRGBA
	axis    int // 0 left, 1 right
	// scaled says the line has no axis (a third unit): it is drawn dashed, its own range
	// from the bottom of the plot to the top.
	scaled bool
	own    valueRange
}

// rangeFor is the range the line is drawn against.
func (l *plotLine) rangeFor(f *plotFrame) valueRange {
	if l.scaled {
		return l.own
	}
	return f.axes[l.axis]
}

// valueRange is an axis's range of values.
type valueRange struct{ lo, hi float64 }

func (r valueRange) empty() bool { return !(r.hi > r.lo) }

// plotFrame is what one frame of the plot shows: the time span, the two axes' ranges, the
// grid lines' positions (fractions of the width from the left, of the height from the top)
// and the crosshair's (-1: none).
type plotFrame struct {
	from, to   int64 // Unix ns
	axes       [2]valueRange
	gridX      []float64
	gridY      []float64
	crosshair  float64
	background color.NRGBA
	grid       color.NRGBA
	cross      color.NRGBA
}

// drawPlot draws lines into img (reused from frame to frame): background, grid, then each
// line as one vertical span per pixel column covering the samples that fall into it, joined
// to the previous column by a straight segment (every other few pixels of it for a scaled
// line, which is drawn dashed); last the crosshair, with a mark on each line's sample under
// it. The cost is one pass over the samples and one over the columns; nothing is allocated.
func drawPlot(img *image.NRGBA, f *plotFrame, lines []plotLine) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	fill(img, f.background)
	for _, x := range f.gridX {
		vline(img, int(x*float64(w-1)), 0, h-1, f.grid)
	}
	for _, y := range f.gridY {
		hline(img, 0, w-1, int(y*float64(h-1)), f.grid)
	}
	span := float64(f.to - f.from)
	if span <= 0 || w < 2 || h < 2 {
		return
	}
	xScale := float64(w-1) / span
	for i := range lines {
		l := &lines[i]
		r := l.rangeFor(f)
		if r.empty() {
			continue
		}
		yScale := float64(h-1) / (r.hi - r.lo)
		dash := 0
		if l.scaled {
			dash = dashLength
		}
		col, lo, hi, last := -1, 0, 0, 0
		for _, s := range l.samples {
			if s.At < f.from || s.At > f.to || math.IsNaN(s.Value) {
				continue
			}
			x := int(float64(s.At-f.from) * xScale)
			y := min(max(h-1-int((s.Value-r.lo)*yScale), 0), h-1)
			switch {
			case x == col:
				lo, hi = min(lo, y), max(hi, y)
			case col < 0:
				col, lo, hi = x, y, y
			default:
				dashedVline(img, col, lo, hi, l.colour, dash)
				segment(img, col, last, x, y, l.colour, dash)
				col, lo, hi = x, y, y
			}
			last = y
		}
		if col >= 0 {
			dashedVline(img, col, lo, hi, l.colour, dash)
		}
	}
	if f.crosshair < 0 {
		return
	}
	vline(img, int(f.crosshair*float64(w-1)), 0, h-1, f.cross)
	at := f.from + int64(f.crosshair*span)
	for i := range lines {
		l := &lines[i]
		r := l.rangeFor(f)
		j := lastAtOrBefore(l.samples, at)
		if r.empty() || j < 0 || l.samples[j].At < f.from || math.IsNaN(l.samples[j].Value) {
			continue
		}
		s := l.samples[j]
		x := int(float64(s.At-f.from) * xScale)
		y := min(max(h-1-int((s.Value-r.lo)*float64(h-1)/(r.hi-r.lo)), 0), h-1)
		mark(img, x, y, f.cross, l.colour)
	}
}

// dashLength is the length in pixels of a scaled line's dashes and of the gaps between them.
const dashLength = 6

// lastAtOrBefore is the index of the last sample at or before at, or -1 (a binary search
// written out, so that the frame allocates nothing).
func lastAtOrBefore(samples []series.Sample, at int64) int {
	lo, hi := 0, len(samples)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if samples[m].At <= at {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo - 1
}

// mark draws a square of 7 pixels around (x, y): an outline in ring, filled with c.
func mark(img *image.NRGBA, x, y int, ring, c color.NRGBA) {
	for dx := -3; dx <= 3; dx++ {
		vline(img, x+dx, y-3, y+3, ring)
	}
	for dx := -2; dx <= 2; dx++ {
		vline(img, x+dx, y-2, y+2, c)
	}
}

// fill paints the whole image one colour: the first row pixel by pixel, the others copied.
func fill(img *image.NRGBA, c color.NRGBA) {
	b := img.Bounds()
	row := img.Pix[:b.Dx()*4]
	for i := 0; i < len(row); i += 4 {
		row[i], row[i+1], row[i+2], row[i+3] = c.R, c.G, c.B, c.A
	}
	for y := 1; y < b.Dy(); y++ {
		copy(img.Pix[y*img.Stride:], row)
	}
}

func vline(img *image.NRGBA, x, y0, y1 int, c color.NRGBA) {
	b := img.Bounds()
	if x < 0 || x >= b.Dx() {
		return
	}
	y0, y1 = max(min(y0, y1), 0), min(max(y0, y1), b.Dy()-1)
	for y := y0; y <= y1; y++ {
		p := y*img.Stride + x*4
		img.Pix[p], img.Pix[p+1], img.Pix[p+2], img.Pix[p+3] = c.R, c.G, c.B, c.A
	}
}

// dashedVline is vline, or nothing in the gaps of a dashed line (dash > 0): dashes of dash
// columns, by the column's x.
func dashedVline(img *image.NRGBA, x, y0, y1 int, c color.NRGBA, dash int) {
	if dash > 0 && (x/dash)%2 == 1 {
		return
	}
	vline(img, x, y0, y1, c)
}

// segment joins (x0, y0) to (x1, y1), x0 < x1, with a vertical span in each column (dashed
// when dash > 0).
func segment(img *image.NRGBA, x0, y0, x1, y1 int, c color.NRGBA, dash int) {
	prev := y0
	for x := x0 + 1; x <= x1; x++ {
		y := y0 + (y1-y0)*(x-x0)/(x1-x0)
		dashedVline(img, x, prev, y, c, dash)
		prev = y
	}
}

func hline(img *image.NRGBA, x0, x1, y int, c color.NRGBA) {
	b := img.Bounds()
	if y < 0 || y >= b.Dy() {
		return
	}
	for x := max(x0, 0); x <= min(x1, b.Dx()-1); x++ {
		p := y*img.Stride + x*4
		img.Pix[p], img.Pix[p+1], img.Pix[p+2], img.Pix[p+3] = c.R, c.G, c.B, c.A
	}
}

// niceStep is a step of 1, 2 or 5 times a power of ten that cuts span into about n parts.
func niceStep(span float64, n int) float64 {
	if span <= 0 || n < 1 {
		return 1
	}
	raw := span / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			return m * mag
		}
	}
	return 10 * mag
}

// padded widens a range by 5 % each way, and at least to half a percent of its magnitude
// each way, so that a nearly flat series is drawn as the flat line it is, not as noise.
func padded(r valueRange) valueRange {
	if math.IsInf(r.lo, 0) || math.IsInf(r.hi, 0) {
		return valueRange{}
	}
	mid := (r.lo + r.hi) / 2
	d := math.Max((r.hi-r.lo)*0.05, math.Max(math.Abs(mid)*0.005, 1e-9))
	return valueRange{r.lo - d, r.hi + d}
}

// roundedOut is a range widened to round values at both ends (0–2000 for 3–1797), so that
// the legend of a line drawn scaled to the plot's height says what the height stands for in
// numbers one reads at a glance; a flat range is padded instead.
func roundedOut(r valueRange) valueRange {
	if math.IsInf(r.lo, 0) || math.IsInf(r.hi, 0) {
		return valueRange{}
	}
	if !(r.hi > r.lo) {
		return padded(r)
	}
	step := niceStep(r.hi-r.lo, 4)
	return valueRange{math.Floor(r.lo/step) * step, math.Ceil(r.hi/step) * step}
}

// timeSteps are the time axis's possible tick intervals, in seconds.
var timeSteps = []int64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 2 * 86400, 7 * 86400, 30 * 86400}

// timeStep is the smallest tick interval (ns) that keeps ticks at least minGap pixels apart.
func timeStep(span int64, width, minGap int) int64 {
	if width <= 0 {
		return int64(86400) * 1e9
	}
	for _, s := range timeSteps {
		step := s * 1e9
		if float64(step)/float64(span)*float64(width) >= float64(minGap) {
			return step
		}
	}
	return timeSteps[len(timeSteps)-1] * 1e9
}
