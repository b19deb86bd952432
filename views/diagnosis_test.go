package views

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/coap-workbench/coap-workbench/coapengine/diagnosis"
	"github.com/coap-workbench/coap-workbench/internal/uiqueue"
)

// fakeRunner diagnoses with a fixed outcome: every step passes but the clock, which warns
// until the time is set.
type fakeRunner struct {
	clockSet bool
	saved    []diagnosis.Report
}

func (f *fakeRunner) Device(text string) (string, error) {
	if !strings.HasPrefix(text, "SSN") {
		return "", errors.New(`"` + text + `" is neither a NIC's MAC nor a host name`)
	}
	return text + ".sim.starfish.test", nil
}

func (f *fakeRunner) report(device string) diagnosis.Report {
	r := diagnosis.Report{Device: device, MAC: "001350050005E7D6"}
	for _, id := range diagnosis.StepIDs {
		r.Steps = append(r.Steps, diagnosis.Step{ID: id, Verdict: diagnosis.Pass, Explanation: "fine"})
	}
	if !f.clockSet {
		r = r.WithStep(diagnosis.Step{ID: diagnosis.StepClock, Verdict: diagnosis.Warn, Hop: diagnosis.HopDeviceIC, Explanation: "10 min behind", Action: "Set the time."})
	}
	return r.WithStep(r.Steps[0])
}

func (f *fakeRunner) Diagnose(_ context.Context, device string, progress func(diagnosis.Step)) (diagnosis.Report, error) {
	r := f.report(device)
	for _, s := range r.Steps {
		progress(diagnosis.Step{ID: s.ID, Title: s.Title})
		progress(s)
	}
	return r, nil
}

func (f *fakeRunner) SetTime(context.Context, string) (diagnosis.Step, error) {
	f.clockSet = true
	return diagnosis.Step{ID: diagnosis.StepClock, Verdict: diagnosis.Pass, Explanation: "The time was set; checked again: within 5 s"}, nil
}

func (f *fakeRunner) DiagnoseAll(ctx context.Context, devices []string, progress func(diagnosis.BatchProgress)) ([]diagnosis.Report, error) {
	var out []diagnosis.Report
	for i, d := range devices {
		out = append(out, f.report(d))
		progress(diagnosis.BatchProgress{Done: i + 1, Total: len(devices), Report: out[i]})
	}
	return out, nil
}

func (f *fakeRunner) Save(r diagnosis.Report) (string, error) {
	f.saved = append(f.saved, r)
	return "/data/reports/001350050005E7D6.html", nil
}

func (f *fakeRunner) ReadList(io.Reader) ([]string, error) { return nil, nil }

func newTestDiagnosisTab(t *testing.T) (*DiagnosisTab, *fakeRunner, *uiqueue.Queue) {
	t.Helper()
	test.NewTempApp(t)
	q := uiqueue.New()
	f := &fakeRunner{}
	tab := NewDiagnosisTab(f)
	tab.Do = q.Do
	showInTestWindow(t, tab.Object(), 1000, 700)
	return tab, f, q
}

func TestTheDiagnosisTabShowsEachStepsVerdictAndSetsTheTime(t *testing.T) {
	tab, f, q := newTestDiagnosisTab(t)
	tab.Diagnose("SSN001350050005E7D6")
	q.WaitFor(t, "the diagnosis", func() bool { return !tab.Running() })
	if len(tab.Steps()) != len(diagnosis.StepIDs) || tab.Summary() != "WARN: Device IC clock (Device IC)" {
		t.Fatalf("%d steps, summary %q", len(tab.Steps()), tab.Summary())
	}
	if len(f.saved) != 1 || !strings.Contains(tab.saved.Text, "/data/reports/001350050005E7D6.html") {
		t.Fatalf("saved %d reports; says %q", len(f.saved), tab.saved.Text)
	}
	if !tab.setTime.Visible() {
		t.Fatal("no Set time button for a drifting clock")
	}
	test.Tap(tab.setTime)
	q.WaitFor(t, "the re-check", func() bool { return tab.Summary() == "PASS: every step passed" })
	if tab.setTime.Visible() {
		t.Fatal("the Set time button stays after the clock was set")
	}
	test.Tap(tab.copyMD)
	if md := fyne.CurrentApp().Clipboard().Content(); !strings.HasPrefix(md, "# NIC diagnosis: SSN001350050005E7D6.sim.starfish.test") {
		t.Fatalf("clipboard %q", md)
	}
}

func TestTheDiagnosisTabExplainsABadDevice(t *testing.T) {
	tab, f, _ := newTestDiagnosisTab(t)
	tab.Diagnose("hello")
	if tab.Running() || !tab.problem.Visible() || !strings.Contains(tab.problem.Text, "neither a NIC's MAC") || len(f.saved) != 0 {
		t.Fatalf("running %v, problem %q", tab.Running(), tab.problem.Text)
	}
}

func TestABatchSummaryListsEachNICsWorstStep(t *testing.T) {
	f := &fakeRunner{}
	rows := batchCells([]diagnosis.Report{f.report("SSN001350050005E7D6.sim.starfish.test")})
	if len(rows) != 1 || strings.Join(rows[0], "|") != "SSN001350050005E7D6|WARN|Device IC clock|Device IC|Set the time." {
		t.Fatalf("rows %q", rows)
	}
}
