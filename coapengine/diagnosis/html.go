package diagnosis

import (
	"fmt"
	"html/template"
	"math"
	"strings"
	"time"

	"github.com/coap-workbench/coap-workbench/internal/human"
)

// HTML is the report as one self-contained page: the verdict, the steps, and the battery
// volts seen during the run drawn as an inline SVG chart. Nothing is fetched from elsewhere.
func (r Report) HTML() (string, error) {
	var b strings.Builder
	err := htmlPage.Execute(&b, struct {
		Report
		Summary string
		Chart   template.HTML
		Took    string
	}{r, r.Summary(), batteryChart(r.Power), human.Duration(r.Finished.Sub(r.Started))})
	return b.String(), err
}

var htmlPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"utc": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>NIC diagnosis: {{.Device}}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;max-width:60em;color:#222}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.35em .5em;text-align:left;vertical-align:top}
.pass{color:#2a7d2a}.warn{color:#a86400}.fail{color:#b3261e}.skipped{color:#777}
.verdict{font-size:1.3em;font-weight:bold}small{color:#666}
</style></head><body>
<h1>NIC diagnosis: {{.Device}}</h1>
<p class="verdict {{.Worst}}">{{.Summary}}</p>
<p>MAC {{.MAC}}{{if .Gateway}} · gateway {{.Gateway}}{{end}} · run {{utc .Started}}, {{.Took}}{{if .Rebooted}} · <strong>the NIC restarted during the run</strong>{{end}}</p>
<table><tr><th>step</th><th>verdict</th><th>where</th><th>what</th><th>what to do</th></tr>
{{range .Steps}}<tr><td>{{.Title}}</td><td class="{{.Verdict}}">{{.Verdict}}</td><td>{{.Hop}}</td><td>{{.Explanation}}{{range .Details}}<br><small>{{.}}</small>{{end}}</td><td>{{if ne .Verdict "pass"}}{{.Action}}{{end}}</td></tr>
{{end}}</table>
{{if .Chart}}<h2>Battery during the run</h2>{{.Chart}}{{end}}
</body></html>
`))

// batteryChart draws the battery volts as an SVG line with its range and time span, or
// nothing for fewer than two readings.
func batteryChart(samples []PowerSample) template.HTML {
	if len(samples) < 2 {
		return ""
	}
	const w, h, left, bottom = 640.0, 200.0, 60.0, 24.0
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range samples {
		lo, hi = math.Min(lo, s.BatteryVolts), math.Max(hi, s.BatteryVolts)
	}
	if hi-lo < 0.01 {
		lo, hi = lo-0.005, hi+0.005
	}
	t0, t1 := samples[0].At, samples[len(samples)-1].At
	span := math.Max(t1.Sub(t0).Seconds(), 1)
	var pts []string
	for _, s := range samples {
		x := left + (s.At.Sub(t0).Seconds()/span)*(w-left-10)
		y := 10 + (hi-s.BatteryVolts)/(hi-lo)*(h-bottom-20)
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
	}
	svg := fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" role="img" aria-label="battery volts">`+
		`<rect x="%.0f" y="10" width="%.0f" height="%.0f" fill="#f7f7f7" stroke="#ccc"/>`+
		`<polyline fill="none" stroke="#4e79a7" stroke-width="2" points="%s"/>`+
		`<text x="4" y="18" font-size="12">%.3f V</text><text x="4" y="%.0f" font-size="12">%.3f V</text>`+
		`<text x="%.0f" y="%.0f" font-size="12">%s</text><text x="%.0f" y="%.0f" font-size="12" text-anchor="end">%s (UTC)</text></svg>`,
		w, h, left, w-left-10, h-bottom-20, strings.Join(pts, " "),
		hi, h-bottom-4, lo, left, h-4, t0.UTC().Format("15:04:05"), w-10, h-4, t1.UTC().Format("15:04:05"))
	return template.HTML(svg) // built from numbers and times only
}
