package views

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/coapengine/diagnosis"
	"github.com/coap-workbench/coap-workbench/internal/human"
)

// batchHeads are the columns of a batch's summary; batchWidths their widths, the last one's
// a least: it takes whatever room the pane has left.
var (
	batchHeads  = []string{"Device", "Verdict", "Failing step", "Where", "What to do"}
	batchWidths = []float32{190, 80, 240, 120, 300}
)

// batchCells are a batch's summary rows: device, verdict, failing step, where, what to do.
func batchCells(reports []diagnosis.Report) [][]string {
	rows := make([][]string, len(reports))
	for i, r := range reports {
		s, _ := r.Step(r.FailingStep)
		rows[i] = []string{human.ShortHost(r.Device), strings.ToUpper(r.Verdict()), s.Title, string(s.Hop), s.Action}
	}
	return rows
}

// batchView is a batch in the Diagnosis tab: its progress while it runs, then a row per NIC.
type batchView struct {
	root     *fyne.Container
	progress *widget.ProgressBar
	table    *widget.Table
	rows     [][]string
	reports  []diagnosis.Report
}

func newBatchView() *batchView {
	b := &batchView{progress: widget.NewProgressBar()}
	b.table = widget.NewTable(
		func() (int, int) { return len(b.rows), len(batchHeads) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			l.SetText(b.rows[id.Row][id.Col])
			if id.Col == 1 {
				l.Importance = verdictImportance(diagnosis.Verdict(strings.ToLower(b.rows[id.Row][id.Col])))
			} else {
				l.Importance = widget.MediumImportance
			}
			l.Refresh()
		},
	)
	b.table.ShowHeaderRow = true
	b.table.CreateHeader = func() fyne.CanvasObject { return boldLabel("") }
	b.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) { o.(*widget.Label).SetText(batchHeads[id.Col]) }
	for i, wd := range batchWidths {
		b.table.SetColumnWidth(i, wd)
	}
	b.root = container.NewBorder(b.progress, nil, nil, nil, container.New(&lastColumnFills{table: b.table}, b.table))
	return b
}

// start shows an empty table and the progress of n devices.
func (b *batchView) start(n int) {
	b.reports, b.rows = nil, nil
	b.progress.Max = float64(n)
	b.progress.SetValue(0)
	b.progress.Show()
	b.table.Refresh()
}

// finish shows the reports, one row each.
func (b *batchView) finish(reports []diagnosis.Report) {
	b.reports, b.rows = reports, batchCells(reports)
	b.progress.Hide()
	b.table.Refresh()
	b.table.ScrollToTop()
}

// lastColumnFills lays out a batch's table and widens its last column, "What to do", to the
// room the others leave, so that at 1920 px the advice is read whole.
type lastColumnFills struct {
	table *widget.Table
	width float32
}

func (l *lastColumnFills) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	others := float32(0)
	for _, w := range batchWidths[:len(batchWidths)-1] {
		others += w + theme.Padding()
	}
	last := max(batchWidths[len(batchWidths)-1], size.Width-others-2*theme.Padding())
	if last != l.width {
		l.width = last
		l.table.SetColumnWidth(len(batchWidths)-1, last)
	}
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// MinSize is the table's width and no height: the table scrolls in whatever height the pane
// leaves it, beside the progress bar too.
func (l *lastColumnFills) MinSize(objects []fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(objects[0].MinSize().Width, 0)
}

// ShowBatchDialog asks for a file of NICs and diagnoses them all in the tab, with progress
// and then a summary row per NIC.
func (t *DiagnosisTab) ShowBatchDialog() {
	w := t.window()
	if w == nil {
		return
	}
	dialog.ShowFileOpen(func(in fyne.URIReadCloser, err error) {
		if err != nil || in == nil {
			return
		}
		devices, err := t.runner.ReadList(in)
		in.Close()
		if err == nil && len(devices) == 0 {
			err = fmt.Errorf("%s names no NIC", in.URI().Name())
		}
		if err != nil {
			dialog.ShowError(err, w)
			return
		}
		t.RunBatch(devices)
	}, w)
}

// window is the window the tab is in (nil before it is shown).
func (t *DiagnosisTab) window() fyne.Window {
	c := fyne.CurrentApp().Driver().CanvasForObject(t.root)
	if c == nil {
		return nil
	}
	return windowOf(c)
}

// RunBatch diagnoses devices, several at a time, showing the progress and then the summary
// in place of the steps; Cancel stops it.
func (t *DiagnosisTab) RunBatch(devices []string) {
	if t.cancel != nil || len(devices) == 0 {
		return
	}
	ctx := t.begin()
	t.showProblem("")
	t.body.Objects = []fyne.CanvasObject{t.batch.root}
	t.body.Refresh()
	t.batch.start(len(devices))
	t.setTime.Hide()
	t.copyMD.Hide()
	t.export.Show()
	t.export.Disable()
	t.saved.SetText("")
	t.setSummary(fmt.Sprintf("Diagnosing %s…", human.Plural(len(devices), "NIC")), widget.MediumImportance)
	go func() {
		reports, err := t.runner.DiagnoseAll(ctx, devices, func(p diagnosis.BatchProgress) {
			t.Do(func() {
				t.batch.progress.SetValue(float64(p.Done))
				t.setSummary(fmt.Sprintf("%d of %d: %s %s", p.Done, p.Total, human.ShortHost(p.Report.Device), p.Report.Summary()), widget.MediumImportance)
			})
		})
		t.Do(func() {
			t.end()
			if err != nil {
				t.batch.finish(nil)
				t.setSummary("The batch did not run", widget.DangerImportance)
				t.showSteps()
				t.showProblem(err.Error())
				return
			}
			t.batch.finish(reports)
			t.setSummary(batchSummary(reports))
			t.export.Enable()
		})
	}()
}

// batchSummary is a batch's verdict line: how many NICs had each verdict, coloured by the worst.
func batchSummary(reports []diagnosis.Report) (string, widget.Importance) {
	counts := map[string]int{}
	worst := diagnosis.Pass
	for _, r := range reports {
		counts[r.Verdict()]++
		switch {
		case r.Worst == diagnosis.Fail:
			worst = diagnosis.Fail
		case r.Worst == diagnosis.Warn && worst != diagnosis.Fail:
			worst = diagnosis.Warn
		}
	}
	text := fmt.Sprintf("%s: %d pass, %d warn, %d fail", human.Plural(len(reports), "NIC"), counts["pass"], counts["warn"], counts["fail"])
	if counts["cancelled"] > 0 {
		text += fmt.Sprintf(", %d cancelled", counts["cancelled"])
	}
	return text, verdictImportance(worst)
}

// exportBatch saves the batch's summary as CSV where the user says.
func (t *DiagnosisTab) exportBatch() {
	w := t.window()
	if w == nil {
		return
	}
	reports := t.batch.reports
	save := dialog.NewFileSave(func(out fyne.URIWriteCloser, err error) {
		if err != nil {
			dialog.ShowError(fmt.Errorf("the summary was not saved: %w", err), w)
			return
		}
		if out == nil {
			return // the user cancelled
		}
		err = diagnosis.WriteSummaryCSV(out, reports)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			dialog.ShowError(fmt.Errorf("the summary was not saved: %w", err), w)
			return
		}
		t.saved.SetText("The summary was saved to " + out.URI().Path())
	}, w)
	save.SetFileName("diagnosis-summary.csv")
	save.Show()
}
