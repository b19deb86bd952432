package views

import (
	"context"
	"io"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
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
// with what to do, a one-click Set time for a drifting clock, and the report to copy or keep;
// or a whole list of NICs and a summary of each one's worst step.
//
// It fits any pane of 660×170 or more: the steps (or a batch's table) scroll, their
// explanations and advice wrap inside the scroll, and the one-line texts (the verdict, where
// the report went) lose their middle rather than widen the tab.
type DiagnosisTab struct {
	runner DiagnosisRunner
	root   fyne.CanvasObject

	device  *widget.Entry
	run     *widget.Button
	list    *widget.Button
	summary *FitLabel
	problem *widget.Label
	// stepBox holds a row per step shown; rowPool keeps the rows made so far, reused.
	stepBox *fyne.Container
	rowPool []*diagnosisRow
	rows    []diagnosis.Step
	scroll  *container.Scroll
	batch   *batchView
	body    *fyne.Container // the steps' scroll, or the batch's table
	setTime *widget.Button
	copyMD  *widget.Button
	export  *widget.Button
	saved   *FitLabel
	cancel  context.CancelFunc
	report  diagnosis.Report

	// typed says the user typed in the device box: the tree's selection leaves it alone
	// until it is emptied. filling is set while the tab itself writes in the box.
	typed, filling bool

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
	t.device.OnChanged = func(text string) {
		if !t.filling {
			t.typed = text != ""
		}
	}
	t.run = widget.NewButtonWithIcon("Diagnose", theme.SearchIcon(), t.toggle)
	t.run.Importance = widget.HighImportance
	t.list = widget.NewButtonWithIcon("A list…", theme.FolderOpenIcon(), t.ShowBatchDialog)
	t.problem = widget.NewLabel("")
	t.problem.Importance = widget.DangerImportance
	t.problem.Wrapping = fyne.TextWrapWord
	t.problem.Hide()
	t.summary = NewFitLabel("Name a NIC and press Diagnose: each step gets a verdict and what to do.")
	t.summary.SetTextStyle(fyne.TextStyle{Bold: true})
	t.stepBox = container.NewVBox()
	t.scroll = container.NewVScroll(container.NewVBox(t.problem, t.stepBox))
	t.batch = newBatchView()
	t.body = container.NewStack(t.scroll)
	t.setTime = widget.NewButtonWithIcon("Set time", theme.HistoryIcon(), t.startSetTime)
	t.setTime.Hide()
	t.copyMD = widget.NewButtonWithIcon("Copy report", theme.ContentCopyIcon(), func() {
		fyne.CurrentApp().Clipboard().SetContent(t.report.Markdown())
		t.saved.SetText("The report is on the clipboard, as Markdown.")
	})
	t.copyMD.Disable()
	t.export = widget.NewButtonWithIcon("Export CSV…", theme.DocumentSaveIcon(), t.exportBatch)
	t.export.Hide()
	t.saved = NewFitLabel("")
	t.saved.SetImportance(widget.LowImportance)
	top := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel("NIC"), container.NewHBox(t.run, t.list), t.device),
		t.summary,
	)
	bottom := container.NewBorder(nil, nil, nil, container.NewHBox(t.setTime, t.copyMD, t.export), t.saved)
	t.root = container.NewBorder(top, bottom, nil, nil, t.body)
	return t
}

// Object is the tab's content.
func (t *DiagnosisTab) Object() fyne.CanvasObject { return t.root }

// Steps are the steps shown (for tests).
func (t *DiagnosisTab) Steps() []diagnosis.Step { return t.rows }

// Summary is the verdict line shown (for tests).
func (t *DiagnosisTab) Summary() string { return t.summary.Text() }

// Running reports whether a diagnosis, or a batch, runs.
func (t *DiagnosisTab) Running() bool { return t.cancel != nil }

// SetSelectedDevice tells the tab which device is selected in the tree (a host name; "" when
// none is): it goes in the device box, so that Diagnose diagnoses it, unless the user typed
// something else there.
func (t *DiagnosisTab) SetSelectedDevice(host string) {
	if t.typed || host == "" || host == t.device.Text {
		return
	}
	t.fill(host)
}

// fill writes text in the device box as the tab's own, not the user's.
func (t *DiagnosisTab) fill(text string) {
	t.filling = true
	t.device.SetText(text)
	t.filling = false
	t.typed = false
}

// Diagnose puts device in the box and starts (the tree's Diagnose).
func (t *DiagnosisTab) Diagnose(device string) {
	t.fill(device)
	t.Start()
}

func (t *DiagnosisTab) toggle() {
	if t.cancel != nil {
		t.cancel()
		return
	}
	t.Start()
}

// Start diagnoses the NIC in the box, unless a diagnosis runs.
func (t *DiagnosisTab) Start() {
	if t.cancel != nil {
		return
	}
	device, err := t.runner.Device(t.device.Text)
	if err != nil {
		t.showProblem(err.Error())
		return
	}
	t.showProblem("")
	ctx := t.begin()
	t.showSteps()
	t.rows = t.rows[:0]
	t.refreshSteps()
	t.setTime.Hide()
	t.copyMD.Disable()
	t.saved.SetText("")
	t.setSummary("Diagnosing "+device+"…", widget.MediumImportance)
	go func() {
		r, err := t.runner.Diagnose(ctx, device, func(s diagnosis.Step) {
			t.Do(func() { t.showStep(s) })
		})
		where, saveErr := "", error(nil)
		if err == nil && !r.Cancelled { // a cancelled run says nothing worth keeping
			where, saveErr = t.runner.Save(r)
		}
		t.Do(func() {
			t.end()
			if err != nil {
				t.setSummary("The diagnosis did not run", widget.DangerImportance)
				t.showProblem(err.Error())
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

// begin makes the Diagnose button a Cancel button for a run, and returns the run's context.
func (t *DiagnosisTab) begin() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	t.cancel = cancel
	t.run.SetText("Cancel")
	t.run.SetIcon(theme.CancelIcon())
	t.list.Disable()
	return ctx
}

// end is begin undone, once the run is over.
func (t *DiagnosisTab) end() {
	t.cancel()
	t.cancel = nil
	t.run.SetText("Diagnose")
	t.run.SetIcon(theme.SearchIcon())
	t.list.Enable()
}

func (t *DiagnosisTab) setSummary(text string, imp widget.Importance) {
	t.summary.SetText(text)
	t.summary.SetImportance(imp)
}

// showProblem shows why the tab could not do what it was asked, above the steps ("" hides it).
func (t *DiagnosisTab) showProblem(text string) {
	t.problem.SetText(text)
	if text == "" {
		t.problem.Hide()
	} else {
		t.problem.Show()
	}
	t.scroll.Refresh()
	if text != "" {
		t.scroll.ScrollToTop()
	}
}

// showSteps puts the steps in the body, in place of a batch's table.
func (t *DiagnosisTab) showSteps() {
	t.body.Objects = []fyne.CanvasObject{t.scroll}
	t.body.Refresh()
	t.export.Hide()
	t.copyMD.Show()
}

// showStep puts a step that starts (no verdict) or ends in its row.
func (t *DiagnosisTab) showStep(s diagnosis.Step) {
	for i := range t.rows {
		if t.rows[i].ID == s.ID {
			t.rows[i] = s
			t.rowPool[i].show(s)
			t.scroll.Refresh()
			return
		}
	}
	t.rows = append(t.rows, s)
	t.refreshSteps()
}

// refreshSteps shows a row for each of t.rows, reusing the rows made before.
func (t *DiagnosisTab) refreshSteps() {
	for len(t.rowPool) < len(t.rows) {
		t.rowPool = append(t.rowPool, newDiagnosisRow())
	}
	objects := make([]fyne.CanvasObject, len(t.rows))
	for i, s := range t.rows {
		t.rowPool[i].show(s)
		objects[i] = t.rowPool[i].box
	}
	t.stepBox.Objects = objects
	t.stepBox.Refresh()
	t.scroll.Refresh()
}

func (t *DiagnosisTab) showReport(r diagnosis.Report) {
	t.report = r
	t.rows = append(t.rows[:0], r.Steps...)
	t.refreshSteps()
	t.setSummary(r.Summary(), verdictImportance(r.Worst))
	t.copyMD.Enable()
	if clock, ok := r.Step(diagnosis.StepClock); ok && clock.Verdict == diagnosis.Warn {
		t.setTime.Show()
	} else {
		t.setTime.Hide()
	}
	// The step that gave the verdict is what the user came for: bring it into view.
	t.scroll.ScrollToTop()
	for i, st := range t.rows {
		if st.ID == r.FailingStep {
			t.scroll.ScrollToOffset(fyne.NewPos(0, t.rowPool[i].box.Position().Y))
		}
	}
}

// startSetTime sets the Device IC's clock and shows the re-check in the clock's row.
func (t *DiagnosisTab) startSetTime() {
	report := t.report
	t.setTime.Disable()
	t.run.Disable() // a new diagnosis would be overwritten by this one's re-check
	t.list.Disable()
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
			t.list.Enable()
			if err != nil {
				t.saved.SetText(err.Error())
				return
			}
			t.showReport(report.WithStep(step))
			switch {
			case saveErr != nil:
				t.saved.SetText("The time was set and checked again; the report was not saved: " + saveErr.Error())
			default:
				t.saved.SetText("The time was set and checked again; report saved to " + where)
			}
		})
	}()
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
