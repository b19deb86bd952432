package views

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/internal/human"
)

func (t *ObserveTab) parentWindow() fyne.Window {
	if c := fyne.CurrentApp().Driver().CanvasForObject(t.root); c != nil {
		return windowOf(c)
	}
	return nil
}

func (t *ObserveTab) askCompare() {
	w := t.parentWindow()
	if w == nil {
		return
	}
	fields := t.fieldsOfAll()
	if len(fields) == 0 {
		dialog.ShowInformation("Compare across devices", "No observation has numeric values yet: observe the same resource on several devices first.", w)
		return
	}
	pick := widget.NewSelect(fields, nil)
	pick.SetSelected(fields[0])
	if slices.Contains(fields, "bat_voltage") {
		pick.SetSelected("bat_voltage")
	}
	showWideForm(dialog.NewForm("Compare a field across devices", "Chart", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("Field", pick)}, func(ok bool) {
			if ok {
				t.Compare(pick.Selected)
			}
		}, w), w)
}

// showWideForm shows a form wide enough for a host name and a path, or as wide as the window.
func showWideForm(d dialog.Dialog, w fyne.Window) {
	d.Show()
	d.Resize(fyne.NewSize(min(520, w.Canvas().Size().Width-40), d.MinSize().Height))
}

func (t *ObserveTab) askFromHistory() {
	w := t.parentWindow()
	if w == nil || t.FromHistory == nil {
		return
	}
	device := widget.NewEntry()
	device.SetPlaceHolder("SSN001350050005E7D6.sim.starfish.test")
	path := widget.NewEntry()
	path.SetText("/sys/stats?mod=pwr")
	since := widget.NewSelect([]string{"1 h", "10 min", "1 day"}, nil)
	since.SetSelected("1 h")
	if len(t.rows) > 0 {
		device.SetText(t.rows[0].Device)
	}
	showWideForm(dialog.NewForm("Chart from history", "Chart", "Cancel", []*widget.FormItem{
		widget.NewFormItem("Device", device), widget.NewFormItem("Path", path), widget.NewFormItem("The last", since),
	}, func(ok bool) {
		if !ok {
			return
		}
		if strings.TrimSpace(device.Text) == "" {
			t.say("Name the device whose history to chart: its values would be mixed with every other device's.")
			return
		}
		d := map[string]time.Duration{"10 min": 10 * time.Minute, "1 h": time.Hour, "1 day": 24 * time.Hour}[since.Selected]
		t.ChartFromHistory(strings.TrimSpace(device.Text), path.Text, d)
	}, w), w)
}

// ChartFromHistory rebuilds a chart of a device's resource over the last since from the
// history, off the main goroutine.
func (t *ObserveTab) ChartFromHistory(device, path string, since time.Duration) {
	if t.FromHistory == nil {
		return
	}
	short := human.ShortHost(device)
	t.say(fmt.Sprintf("Reading the history of %s…", pathFirst(path, short)))
	go func() {
		set, n, err := t.FromHistory(device, path, since)
		t.Do(func() {
			switch {
			case err != nil:
				t.say("No chart from the history: " + err.Error())
			case n == 0:
				t.say(fmt.Sprintf("The history holds no answer of %s in the last %s.", pathFirst(path, short), human.Rough(since)))
			default:
				name := chartName{
					full:  fmt.Sprintf("%s, the last %s from the history (%s)", pathFirst(path, short), human.Rough(since), human.Plural(n, "answer")),
					short: pathFirst(path, short),
					file:  short + path + "_history",
					icon:  theme.HistoryIcon(),
				}
				p := newChartPanel(name, set, defaultSeries, nil, t.closePanel)
				p.window.SetSelected("all")
				t.addPanel(p)
			}
		})
	}()
}
