package views

import (
	"image"
	"image/color"
	"math"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/coap-workbench/coap-workbench/coapengine/series"
)

var chartStart = time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)

// ramp is n samples a second apart from chartStart, valued f(i).
func ramp(n int, f func(i int) float64) []series.Sample {
	out := make([]series.Sample, n)
	for i := range out {
		out[i] = series.Sample{At: chartStart.Add(time.Duration(i) * time.Second).UnixNano(), Value: f(i)}
	}
	return out
}

func TestTheLineIsDrawnWhereItsValuesAre(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 101, 51))
	bg := color.NRGBA{0, 0, 0, 255}
	red := color.NRGBA{255, 0, 0, 255}
	f := &plotFrame{from: 0, to: 100, axes: [2]valueRange{{0, 50}}, crosshair: -1, background: bg}
	// A diagonal from the bottom left to the top right, in two samples.
	drawPlot(img, f, []plotLine{{samples: []series.Sample{{At: 0, Value: 0}, {At: 100, Value: 50}}, colour: red}})
	for _, p := range []image.Point{{0, 50}, {100, 0}, {50, 25}, {20, 40}} {
		if got := img.NRGBAAt(p.X, p.Y); got != red {
			t.Fatalf("pixel %v is %v, want the line's colour", p, got)
		}
	}
	for _, p := range []image.Point{{0, 0}, {100, 50}, {50, 5}} {
		if got := img.NRGBAAt(p.X, p.Y); got != bg {
			t.Fatalf("pixel %v is %v, want the background", p, got)
		}
	}
	// Samples outside the time span are not drawn; many samples in one column become a span.
	fill(img, bg)
	drawPlot(img, f, []plotLine{{samples: []series.Sample{{At: -50, Value: 50}, {At: 10, Value: 10}, {At: 10, Value: 40}}, colour: red}})
	if img.NRGBAAt(10, 50-10) != red || img.NRGBAAt(10, 50-40) != red || img.NRGBAAt(10, 50-25) != red || img.NRGBAAt(0, 0) != bg {
		t.Fatal("a column of samples is not one span, or a sample before the span was drawn")
	}
}

func newTestChart(t *testing.T, lines ...ChartSeries) (*Chart, *chartRenderer) {
	t.Helper()
	test.NewTempApp(t)
	c := NewChart(0)
	c.SetSeries(lines)
	showInTestWindow(t, c, 800, 320)
	r := test.TempWidgetRenderer(t, c).(*chartRenderer)
	r.Layout(c.Size())
	return c, r
}

func texts(ts []*canvas.Text) []string {
	var out []string
	for _, x := range ts {
		out = append(out, x.Text)
	}
	return out
}

func shownTexts(ts []*canvas.Text) []*canvas.Text {
	var out []*canvas.Text
	for _, x := range ts {
		if x.Visible() {
			out = append(out, x)
		}
	}
	return out
}

func TestAxisLabelsNeverOverlapAndUnitsGetTheirOwnAxis(t *testing.T) {
	volts := ramp(600, func(i int) float64 { return 3.6 - float64(i)/6000 })
	sleep := ramp(600, func(i int) float64 { return 70 + 10*math.Sin(float64(i)/30) })
	rate := ramp(600, func(i int) float64 { return float64(i * 3) })
	_, r := newTestChart(t, ChartSeries{"bat_voltage", "V", volts}, ChartSeries{"sleep_pct", "%", sleep}, ChartSeries{"tx rate", "B/s", rate})
	for name, labels := range map[string][]*canvas.Text{"time": shownTexts(r.xLabels), "left": shownTexts(r.yLabels[0]), "right": shownTexts(r.yLabels[1])} {
		if len(labels) < 3 {
			t.Fatalf("%s axis has %d labels", name, len(labels))
		}
		for i := 1; i < len(labels); i++ {
			a, b := labels[i-1], labels[i]
			if name == "time" && a.Position().X+a.MinSize().Width >= b.Position().X {
				t.Fatalf("time labels %q and %q overlap", a.Text, b.Text)
			}
			if name != "time" && math.Abs(float64(a.Position().Y-b.Position().Y)) < float64(a.MinSize().Height) {
				t.Fatalf("%s labels %q and %q overlap", name, a.Text, b.Text)
			}
		}
	}
	// 600 s from 09:00:00 on a plot of about 670 px: a tick every 2 min, on round minutes.
	if times := shownTexts(r.xLabels); times[0].Text != "09:02" || times[1].Text != "09:04" {
		t.Fatalf("time labels %q, %q", times[0].Text, times[1].Text)
	}
	if r.unitLabels[0].Text != "V" || r.unitLabels[1].Text != "%" {
		t.Fatalf("axis units %q and %q", r.unitLabels[0].Text, r.unitLabels[1].Text)
	}
	legend := shownTexts(r.legend)
	if len(legend) != 3 || !strings.HasSuffix(legend[2].Text, "tx rate 1797 B/s (scaled: 0–100 % of 0–2000 B/s)") || !strings.Contains(legend[0].Text, "3.5 V") {
		t.Fatalf("legend %q %q %q", legend[0].Text, legend[1].Text, legend[2].Text)
	}
}

func TestTheCrosshairReadsTheValuesUnderThePointer(t *testing.T) {
	c, r := newTestChart(t, ChartSeries{"temperature", "°C", ramp(101, func(i int) float64 { return float64(i) })})
	c.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(c.plotPos.X+c.plotW/2, 100)}})
	if lines := shownTexts(r.readout); len(lines) != 2 || lines[0].Text != "09:00:50" || lines[1].Text != "temperature 50 °C" {
		t.Fatalf("readout %q", texts(lines))
	}
	c.MouseOut()
	if len(shownTexts(r.readout)) != 0 || r.readoutBox.Visible() {
		t.Fatal("the readout stays after the pointer left")
	}
}

func TestTheTimeWindowShowsOnlyTheLastSamples(t *testing.T) {
	c, _ := newTestChart(t, ChartSeries{"v", "", ramp(3600, func(i int) float64 { return float64(i) })})
	c.SetWindow(time.Minute)
	if span := time.Duration(c.frame.to - c.frame.from); span != time.Minute {
		t.Fatalf("window of %v", span)
	}
	// Autoscale follows the window: the last minute holds 3539..3599.
	if lo, hi := c.frame.axes[0].lo, c.frame.axes[0].hi; lo < 3500 || lo > 3539 || hi < 3599 || hi > 3640 {
		t.Fatalf("axis %v..%v for the last minute", lo, hi)
	}
}

func TestAnEmptyChartSaysSo(t *testing.T) {
	_, r := newTestChart(t)
	if !r.empty.Visible() || !strings.Contains(r.empty.Text, "No samples yet") {
		t.Fatalf("empty chart: %q visible %v", r.empty.Text, r.empty.Visible())
	}
}

// BenchmarkChartFrame draws one frame of an 800×300 chart with 8 series of 10 000 samples:
// the frame's layout (ranges, ticks, labels) and the plot's pixels.
func BenchmarkChartFrame(b *testing.B) {
	test.NewTempApp(b)
	var lines []ChartSeries
	for s := range maxChartSeries {
		lines = append(lines, ChartSeries{Label: "s", Unit: []string{"V", "%"}[s%2], Samples: ramp(10_000, func(i int) float64 { return math.Sin(float64(i*(s+1)) / 500) })})
	}
	c := NewChart(0)
	c.SetSeries(lines)
	w := test.NewWindow(c)
	defer w.Close()
	w.Resize(fyne.NewSize(800+2*chartAxisWidth, 300+3*captionHeight()+16))
	c.plotW, c.plotH = 800, 300
	b.ReportAllocs()
	for b.Loop() {
		c.layoutFrame()
		c.draw(800, 300)
	}
}

// BenchmarkPlotOnly is the pixel work of that frame alone.
func BenchmarkPlotOnly(b *testing.B) {
	var lines []plotLine
	for s := range maxChartSeries {
		lines = append(lines, plotLine{samples: ramp(10_000, func(i int) float64 { return math.Sin(float64(i*(s+1)) / 500) }), colour: chartPalette[s]})
	}
	img := image.NewNRGBA(image.Rect(0, 0, 800, 300))
	f := &plotFrame{from: lines[0].samples[0].At, to: lines[0].samples[9999].At, axes: [2]valueRange{{-1.1, 1.1}}, crosshair: -1}
	b.ReportAllocs()
	for b.Loop() {
		drawPlot(img, f, lines)
	}
}

func TestANewObservationFillsTheWidthUntilItIsAsLongAsTheWindow(t *testing.T) {
	c, _ := newTestChart(t, ChartSeries{"v", "", ramp(30, func(i int) float64 { return float64(i) })})
	c.SetWindow(10 * time.Minute)
	if span := time.Duration(c.frame.to - c.frame.from); span != 29*time.Second {
		t.Fatalf("30 s of samples in a 10 min window span %v", span)
	}
}

func TestTickLabelsHaveTheDecimalsTheirStepNeeds(t *testing.T) {
	for _, tc := range []struct {
		v, step float64
		want    string
	}{{3.55, 0.01, "3.55"}, {93.665, 0.005, "93.665"}, {200, 50, "200"}, {-0.0000001, 0.1, "0.0"}} {
		if got := formatTick(tc.v, tc.step); got != tc.want {
			t.Fatalf("formatTick(%v, %v) = %q, want %q", tc.v, tc.step, got, tc.want)
		}
	}
}

func TestLinesAreDrawnLighterOnADarkBackground(t *testing.T) {
	light, dark := seriesColours(color.NRGBA{0xf5, 0xf5, 0xf5, 0xff}), seriesColours(color.NRGBA{0x20, 0x20, 0x23, 0xff})
	if light != chartPalette {
		t.Fatal("the palette changed on a light background")
	}
	for i := range dark {
		if dark[i].R < light[i].R || dark[i].G < light[i].G || dark[i].B < light[i].B || dark[i] == light[i] {
			t.Fatalf("colour %d is %v on dark, %v on light", i, dark[i], light[i])
		}
	}
}

func TestTheChartRendersToAnImageForPNGExport(t *testing.T) {
	test.NewTempApp(t)
	p := newChartPanel(chartName{full: "/sys/stats?mod=pwr · SSN001350050005E7D6", file: "SSN001350050005E7D6 /sys/stats?mod=pwr"}, nil, nil, []panelLine{}, func(*chartPanel) {})
	p.chart.SetSeries([]ChartSeries{{Label: "bat_voltage", Unit: "V", Samples: ramp(120, func(i int) float64 { return 3.6 - float64(i)/1000 })}})
	img := p.renderImage()
	b := img.Bounds()
	if b.Dx() < 800 || b.Dy() < 300 {
		t.Fatalf("image of %v", b)
	}
	line, colour := 0, seriesColours(toNRGBA(theme.Color(theme.ColorNameInputBackground)))[0]
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA) == colour {
				line++
			}
		}
	}
	if line < 700 {
		t.Fatalf("%d pixels of the line's colour: the line is not drawn", line)
	}
	if p.fileName(".png") != "SSN001350050005E7D6__sys_stats_mod_pwr.png" {
		t.Fatalf("file name %q", p.fileName(".png"))
	}
}

func TestLongSpansAreLabelledWithTheirDate(t *testing.T) {
	week := make([]series.Sample, 7*24)
	for i := range week {
		week[i] = series.Sample{At: chartStart.Add(time.Duration(i) * time.Hour).UnixNano(), Value: float64(i)}
	}
	_, r := newTestChart(t, ChartSeries{"v", "", week})
	labels := shownTexts(r.xLabels)
	if len(labels) < 2 || labels[0].Text == labels[1].Text || !strings.HasPrefix(labels[0].Text, "Mar ") {
		t.Fatalf("labels over a week: %q %q", labels[0].Text, labels[len(labels)-1].Text)
	}
}

func TestThePlotIsAWholeNumberOfPixels(t *testing.T) {
	c, _ := newTestChart(t, ChartSeries{"v", "V", ramp(60, func(i int) float64 { return float64(i % 2) })})
	for _, size := range []fyne.Size{{Width: 800.3, Height: 300.7}, {Width: 633.5, Height: 171.25}} {
		c.Resize(size)
		// Drawn over a fraction of a pixel more or less than its image, the plot would drop
		// or double a row of pixels: a line lying in it would show dashed.
		if c.plotW != float32(math.Floor(float64(c.plotW))) || c.plotH != float32(math.Floor(float64(c.plotH))) {
			t.Fatalf("at %v the plot is %v×%v", size, c.plotW, c.plotH)
		}
	}
}

func TestAFrameWithTheCrosshairAndAScaledLineAllocatesNothing(t *testing.T) {
	lines := []plotLine{
		{samples: ramp(10_000, func(i int) float64 { return 0 }), colour: chartPalette[0]},
		{samples: ramp(10_000, func(i int) float64 { return float64(i) }), colour: chartPalette[2], scaled: true, own: valueRange{0, 20_000}},
	}
	img := image.NewNRGBA(image.Rect(0, 0, 800, 300))
	f := &plotFrame{from: lines[0].samples[0].At, to: lines[0].samples[9999].At, axes: [2]valueRange{{-1.1, 1.1}}, crosshair: 0.5, cross: color.NRGBA{0, 0, 0, 255}}
	if n := testing.AllocsPerRun(20, func() { drawPlot(img, f, lines) }); n != 0 {
		t.Fatalf("%v allocations a frame", n)
	}
	// The scaled line is dashed; the crosshair marks each line's sample under it.
	gaps := 0
	for x := 0; x < 800; x++ {
		found := false
		for y := range 300 {
			if img.NRGBAAt(x, y) == chartPalette[2] {
				found = true
			}
		}
		if !found {
			gaps++
		}
	}
	if gaps < 300 || gaps > 500 {
		t.Fatalf("the scaled line misses %d of 800 columns, want about half", gaps)
	}
	// The flat line lies in row 150; its sample under the crosshair, in column 399, is marked
	// by a square of its colour ringed in the crosshair's.
	if img.NRGBAAt(397, 148) != chartPalette[0] || img.NRGBAAt(396, 147) != f.cross || img.NRGBAAt(390, 148) == chartPalette[0] {
		t.Fatal("no mark on the line under the crosshair")
	}
}
