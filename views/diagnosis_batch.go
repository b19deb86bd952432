package views

import (
	"fmt"
	"strings"

	"github.com/coap-workbench/coap-workbench/internal/human"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/coapengine/diagnosis"
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

// showBatchSummary shows a batch's summary table, with CSV export.
func showBatchSummary(w fyne.Window, reports []diagnosis.Report) {
	rows := batchCells(reports)
	heads := []string{"Device", "Verdict", "Failing step", "Where", "What to do"}
	widths := []float32{190, 80, 240, 120, 400}
	table := widget.NewTable(
		func() (int, int) { return len(rows), len(heads) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) { o.(*widget.Label).SetText(rows[id.Row][id.Col]) },
	)
	table.ShowHeaderRow = true
	table.CreateHeader = func() fyne.CanvasObject { return boldLabel("") }
	table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) { o.(*widget.Label).SetText(heads[id.Col]) }
	for i, wd := range widths {
		table.SetColumnWidth(i, wd)
	}
	counts := map[string]int{}
	for _, r := range reports {
		counts[r.Verdict()]++
	}
	head := widget.NewLabel(fmt.Sprintf("%s: %d pass, %d warn, %d fail, %d cancelled", human.Plural(len(reports), "NIC"), counts["pass"], counts["warn"], counts["fail"], counts["cancelled"]))
	export := widget.NewButtonWithIcon("Export CSV…", theme.DocumentSaveIcon(), func() {
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
			}
		}, w)
		save.SetFileName("diagnosis-summary.csv")
		save.Show()
	})
	d := dialog.NewCustom("Diagnosis of a list of NICs", "Close", container.NewBorder(container.NewBorder(nil, nil, nil, export, head), nil, nil, nil, table), w)
	d.Resize(fyne.NewSize(1080, 520))
	d.Show()
}
