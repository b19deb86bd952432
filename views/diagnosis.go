package views

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/coap-workbench/coap-workbench/internal/human"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/coapengine/diagnosis"
)

// DiagnosisRunner runs diagnoses for the Diagnosis tab; its calls block and are made off the
// main goroutine.
type DiagnosisRunner interface {
	// Device reads a MAC in any common form, or a host name, into a host name.
	Device(text string) (string, error)
	// Diagnose runs every step on device, reporting each as it starts and ends.
	Diagnose(ctx context.Context, device string, progress func(diagnosis.Step)) (diagnosis.Report, error)
	// SetTime sets the Device IC's clock and checks it again.
	SetTime(ctx context.Context, device string) (diagnosis.Step, error)
	// DiagnoseAll runs a batch, reporting each device as it finishes.
	DiagnoseAll(ctx context.Context, devices []string, progress func(diagnosis.BatchProgress)) ([]diagnosis.Report, error)
	// Save keeps the report beside the history and says where.
	Save(r diagnosis.Report) (string, error)
	// ReadList reads a file of NICs: a MAC or host name a line, or CSV with one first.
	ReadList(r io.Reader) ([]string, error)
}

// DiagnosisTab is the support engineer's NIC diagnosis: a device in, a verdict per step out,
// with what to do, a one-click Set time for a drifting clock, and the report to copy or keep.
type DiagnosisTab struct {
	runner DiagnosisRunner
	root   fyne.CanvasObject

	device  *widget.Entry
	run     *widget.Button
	problem *widget.Label
	summary *widget.Label
	steps   *widget.List
	rows    []diagnosis.Step
	setTime *widget.Button
	copyMD  *widget.Button
	saved   *widget.Label
	cancel  context.CancelFunc
	report  diagnosis.Report

	// Do runs updates from the runner's goroutines on the main goroutine (fyne.Do; tests
	// queue them).
	Do func(func())
}

// NewDiagnosisTab builds the tab over runner.
func NewDiagnosisTab(runner DiagnosisRunner) *DiagnosisTab {
	t := &DiagnosisTab{runner: runner, Do: fyne.Do}
	t.device = widget.NewEntry()
	t.device.SetPlaceHolder("MAC or host name, e.g. 00:13:50:05:00:05:E7:D6")
	t.device.OnSubmitted = func(string) { t.Start() }
	t.run = widget.NewButtonWithIcon("Diagnose", theme.SearchIcon(), t.toggle)
	t.run.Importance = widget.HighImportance
	t.problem = widget.NewLabel("")
	t.problem.Importance = widget.DangerImportance
	t.problem.Wrapping = fyne.TextWrapWord
	t.problem.Hide()
	t.summary = widget.NewLabelWithStyle("Name a NIC and press Diagnose: each step gets a verdict and what to do.", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.summary.Wrapping = fyne.TextWrapWord
	t.steps = widget.NewList(func() int { return len(t.rows) }, newDiagnosisRow, t.updateRow)
	t.setTime = widget.NewButtonWithIcon("Set time", theme.HistoryIcon(), t.startSetTime)
	t.setTime.Hide()
	t.copyMD = widget.NewButtonWithIcon("Copy report", theme.ContentCopyIcon(), func() {
		fyne.CurrentApp().Clipboard().SetContent(t.report.Markdown())
		t.saved.SetText("The report is on the clipboard, as Markdown.")
	})
	t.copyMD.Disable()
	t.saved = widget.NewLabel("")
	t.saved.Importance = widget.LowImportance
	t.saved.Truncation = fyne.TextTruncateEllipsis
	list := widget.NewButtonWithIcon("A list…", theme.FolderOpenIcon(), t.ShowBatchDialog)
	top := container.NewVBox(container.NewBorder(nil, nil, widget.NewLabel("NIC"), container.NewHBox(t.run, list), t.device), t.problem, t.summary)
	bottom := container.NewBorder(nil, nil, nil, container.NewHBox(t.setTime, t.copyMD), t.saved)
	t.root = container.NewBorder(top, bottom, nil, nil, t.steps)
	return t
}

func newDiagnosisRow() fyne.CanvasObject {
	verdict := widget.NewLabelWithStyle("WARN", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title := widget.NewLabelWithStyle("NIC answers through the gateway", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	what := widget.NewLabel("")
	what.Truncation = fyne.TextTruncateEllipsis
	return container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSize(70, 36), verdict), nil, container.NewVBox(title, what))
}

// updateRow shows a step in two lines: its title (and the hop a problem lies on), then what
// happened, and for a warning or failure what to do.
func (t *DiagnosisTab) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	s := t.rows[id]
	box := o.(*fyne.Container)
	verdict := box.Objects[1].(*fyne.Container).Objects[0].(*widget.Label)
	lines := box.Objects[0].(*fyne.Container).Objects
	text, imp := strings.ToUpper(string(s.Verdict)), verdictImportance(s.Verdict)
	if s.Verdict == "" {
		text, imp = "…", widget.LowImportance
	}
	verdict.Importance = imp
	verdict.SetText(text)
	title := s.Title
	if s.Hop != diagnosis.HopNone {
		title += "  ·  " + string(s.Hop)
	}
	lines[0].(*widget.Label).SetText(title)
	what := s.Explanation
	switch {
	case s.Verdict == "":
		what = "running…"
	case (s.Verdict == diagnosis.Warn || s.Verdict == diagnosis.Fail) && s.Action != "":
		what += "  What to do: " + s.Action
	}
	lines[1].(*widget.Label).SetText(what)
}

func verdictImportance(v diagnosis.Verdict) widget.Importance {
	switch v {
	case diagnosis.Pass:
		return widget.SuccessImportance
	case diagnosis.Warn:
		return widget.WarningImportance
	case diagnosis.Fail:
		return widget.DangerImportance
	}
	return widget.LowImportance
}

// Object is the tab's content.
func (t *DiagnosisTab) Object() fyne.CanvasObject { return t.root }

// Steps are the steps shown (for tests).
func (t *DiagnosisTab) Steps() []diagnosis.Step { return t.rows }

// Summary is the verdict line shown (for tests).
func (t *DiagnosisTab) Summary() string { return t.summary.Text }

// Running reports whether a diagnosis runs.
func (t *DiagnosisTab) Running() bool { return t.cancel != nil }

// Diagnose puts device in the box and starts (the tree's Diagnose).
func (t *DiagnosisTab) Diagnose(device string) {
	t.device.SetText(device)
	t.Start()
}

func (t *DiagnosisTab) toggle() {
	if t.cancel != nil {
		t.cancel()
		return
	}
	t.Start()
}

// Start diagnoses the NIC in the box, unless one runs.
func (t *DiagnosisTab) Start() {
	if t.cancel != nil {
		return
	}
	device, err := t.runner.Device(t.device.Text)
	if err != nil {
		t.problem.SetText(err.Error())
		t.problem.Show()
		return
	}
	t.problem.Hide()
	ctx, cancel := context.WithCancel(context.Background())
	t.cancel = cancel
	t.rows = t.rows[:0]
	t.steps.Refresh()
	t.setTime.Hide()
	t.copyMD.Disable()
	t.saved.SetText("")
	t.summary.SetText("Diagnosing " + device + "…")
	t.run.SetText("Cancel")
	t.run.SetIcon(theme.CancelIcon())
	go func() {
		r, err := t.runner.Diagnose(ctx, device, func(s diagnosis.Step) {
			t.Do(func() { t.showStep(s) })
		})
		where, saveErr := "", error(nil)
		if err == nil && !r.Cancelled { // a cancelled run says nothing worth keeping
			where, saveErr = t.runner.Save(r)
		}
		t.Do(func() {
			cancel()
			t.cancel = nil
			t.run.SetText("Diagnose")
			t.run.SetIcon(theme.SearchIcon())
			if err != nil {
				t.summary.SetText("The diagnosis did not run: " + err.Error())
				return
			}
			t.showReport(r)
			switch {
			case saveErr != nil:
				t.saved.SetText("The report was not saved: " + saveErr.Error())
			case where != "":
				t.saved.SetText("Report saved to " + where)
			}
		})
	}()
}

// showStep puts a step that starts (no verdict) or ends in its row.
func (t *DiagnosisTab) showStep(s diagnosis.Step) {
	for i := range t.rows {
		if t.rows[i].ID == s.ID {
			t.rows[i] = s
			t.steps.RefreshItem(i)
			return
		}
	}
	t.rows = append(t.rows, s)
	t.steps.Refresh()
}

func (t *DiagnosisTab) showReport(r diagnosis.Report) {
	t.report = r
	t.rows = append(t.rows[:0], r.Steps...)
	t.steps.Refresh()
	t.summary.SetText(r.Summary())
	t.summary.Importance = verdictImportance(r.Worst)
	t.summary.Refresh()
	t.copyMD.Enable()
	// The step that gave the verdict is what the user came for: bring it into view.
	for i, st := range t.rows {
		if st.ID == r.FailingStep {
			t.steps.ScrollTo(i)
		}
	}
	if clock, ok := r.Step(diagnosis.StepClock); ok && clock.Verdict == diagnosis.Warn {
		t.setTime.Show()
	}
}

// startSetTime sets the Device IC's clock and shows the re-check in the clock's row.
func (t *DiagnosisTab) startSetTime() {
	report := t.report
	t.setTime.Disable()
	t.run.Disable() // a new diagnosis would be overwritten by this one's re-check
	t.saved.SetText("Setting the Device IC's time…")
	go func() {
		step, err := t.runner.SetTime(context.Background(), report.Device)
		var where string
		var saveErr error
		if err == nil {
			where, saveErr = t.runner.Save(report.WithStep(step))
		}
		t.Do(func() {
			t.setTime.Enable()
			t.run.Enable()
			if err != nil {
				t.saved.SetText(err.Error())
				return
			}
			t.showReport(report.WithStep(step))
			if step.Verdict == diagnosis.Pass {
				t.setTime.Hide()
			}
			switch {
			case saveErr != nil:
				t.saved.SetText("The time was set and checked again; the report was not saved: " + saveErr.Error())
			default:
				t.saved.SetText("The time was set and checked again; report saved to " + where)
			}
		})
	}()
}

// ShowBatchDialog asks for a file of NICs and diagnoses them all, with progress and a summary.
func (t *DiagnosisTab) ShowBatchDialog() {
	c := fyne.CurrentApp().Driver().CanvasForObject(t.root)
	if c == nil {
		return
	}
	w := windowOf(c)
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
		t.runBatch(w, devices)
	}, w)
}

func (t *DiagnosisTab) runBatch(w fyne.Window, devices []string) {
	bar := widget.NewProgressBar()
	bar.Max = float64(len(devices))
	status := widget.NewLabel(fmt.Sprintf("Diagnosing %s…", human.Plural(len(devices), "NIC")))
	ctx, cancel := context.WithCancel(context.Background())
	d := dialog.NewCustomWithoutButtons("Diagnose a list of NICs", container.NewVBox(status, bar), w)
	d.SetButtons([]fyne.CanvasObject{widget.NewButton("Cancel", cancel)})
	d.Resize(fyne.NewSize(520, 0))
	d.Show()
	go func() {
		reports, err := t.runner.DiagnoseAll(ctx, devices, func(p diagnosis.BatchProgress) {
			t.Do(func() {
				bar.SetValue(float64(p.Done))
				status.SetText(fmt.Sprintf("%d of %d: %s %s", p.Done, p.Total, human.ShortHost(p.Report.Device), p.Report.Summary()))
			})
		})
		t.Do(func() {
			cancel()
			d.Hide()
			if err != nil {
				dialog.ShowError(err, w)
				return
			}
			showBatchSummary(w, reports)
		})
	}()
}
