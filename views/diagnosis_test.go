package views

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/coap-workbench/coap-workbench/coapengine/diagnosis"
	"github.com/coap-workbench/coap-workbench/internal/uiqueue"
)

// fakeRunner diagnoses with a fixed outcome: every step passes but the clock, which warns
// until the time is set.
type fakeRunner struct {
	clockSet bool
	saved    []diagnosis.Report
	// long gives every step a long explanation and advice.
	long bool
	// hold, when set, keeps a diagnosis or a batch running until it is closed.
	hold chan struct{}
}

const longText = "The NIC answered 3 of 5 pings; the others failed: the device did not answer the gateway in time (5.04 Gateway Timeout), " +
	"which on a mesh link means that a neighbour forwarding its packets is busy, out of range or rebooting, and the next attempt may well succeed."

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
		if f.long {
			r.Steps[len(r.Steps)-1] = diagnosis.Step{ID: id, Verdict: diagnosis.Warn, Hop: diagnosis.HopGatewayDevice, Explanation: longText, Action: longText}
		}
	}
	if !f.clockSet {
		r = r.WithStep(diagnosis.Step{ID: diagnosis.StepClock, Verdict: diagnosis.Warn, Hop: diagnosis.HopDeviceIC, Explanation: "10 min behind", Action: "Set the time."})
	}
	return r.WithStep(r.Steps[0])
}

func (f *fakeRunner) Diagnose(_ context.Context, device string, progress func(diagnosis.Step)) (diagnosis.Report, error) {
	r := f.report(device)
	for i, s := range r.Steps {
		progress(diagnosis.Step{ID: s.ID, Title: s.Title})
		if i == 3 && f.hold != nil {
			<-f.hold
		}
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
		if i == 1 && f.hold != nil {
			<-f.hold
		}
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
	if len(f.saved) != 1 || !strings.Contains(tab.saved.Text(), "/data/reports/001350050005E7D6.html") {
		t.Fatalf("saved %d reports; says %q", len(f.saved), tab.saved.Text())
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

// The bottom panel's tabs get at least 660×170 at the window's 1024×700.
const paneWidth, paneHeight = 660, 170

func TestTheDiagnosisTabFitsItsPaneInEveryState(t *testing.T) {
	tab, f, q := newTestDiagnosisTab(t)
	assertFits(t, "the empty tab", tab.Object(), paneWidth, paneHeight)

	f.long, f.hold = true, make(chan struct{})
	tab.Diagnose("SSN001350050005E7D6")
	q.WaitFor(t, "four steps", func() bool { return len(tab.Steps()) == 4 })
	assertFits(t, "a diagnosis running", tab.Object(), paneWidth, paneHeight)
	close(f.hold)
	q.WaitFor(t, "the diagnosis", func() bool { return !tab.Running() })
	assertFits(t, "a diagnosis with long explanations", tab.Object(), paneWidth, paneHeight)
	for _, size := range []fyne.Size{{Width: paneWidth, Height: paneHeight}, {Width: 1600, Height: 450}} {
		tab.Object().Resize(size)
		if got := tab.run.Size(); got.Width < tab.run.MinSize().Width || tab.list.Position().X+tab.list.Size().Width > size.Width {
			t.Fatalf("at %v the Diagnose button is %v (needs %v) and A list… ends at %v", size, got, tab.run.MinSize(), tab.list.Position().X+tab.list.Size().Width)
		}
	}

	tab.Diagnose("not a MAC " + longText)
	assertFits(t, "a long problem", tab.Object(), paneWidth, paneHeight)

	f.hold = make(chan struct{})
	devices := make([]string, 40)
	for i := range devices {
		devices[i] = "SSN00135005000" + strings.Repeat("7", 5) + string(rune('A'+i%26))
	}
	tab.RunBatch(devices)
	q.WaitFor(t, "the batch's first NIC", func() bool { return strings.HasPrefix(tab.Summary(), "1 of 40") })
	assertFits(t, "a batch running", tab.Object(), paneWidth, paneHeight)
	close(f.hold)
	q.WaitFor(t, "the batch", func() bool { return !tab.Running() })
	assertFits(t, "a batch summary", tab.Object(), paneWidth, paneHeight)
}

func TestTheAdviceWrapsInsteadOfBeingCut(t *testing.T) {
	tab, f, q := newTestDiagnosisTab(t)
	f.long = true
	tab.Diagnose("SSN001350050005E7D6")
	q.WaitFor(t, "the diagnosis", func() bool { return !tab.Running() })
	tab.Object().Resize(fyne.NewSize(paneWidth, 400))
	row := tab.rowPool[0]
	said := row.plainText()
	if row.text.Wrapping != fyne.TextWrapWord || row.text.Truncation != fyne.TextTruncateOff ||
		!strings.Contains(said, "\n"+longText+"\n") || !strings.HasSuffix(said, "What to do: "+longText) {
		t.Fatalf("the row says %q", said)
	}
	// A title line, then the explanation and the advice in two lines or more each.
	if h := row.text.Size().Height; h < 5*rowLineHeight() {
		t.Fatalf("at %v px the row is %v high, %v lines: its text is cut", paneWidth, h, h/rowLineHeight())
	}
	if tab.rowPool[1].box.Position().Y < row.box.Position().Y+row.box.Size().Height {
		t.Fatal("the second step is drawn over the first's wrapped advice")
	}
}

func TestTheTabTakesTheNICSelectedInTheTreeUntilTheUserTypes(t *testing.T) {
	tab, _, _ := newTestDiagnosisTab(t)
	tab.SetSelectedDevice("SSN001350050005E7D6.sim.starfish.test")
	if tab.device.Text != "SSN001350050005E7D6.sim.starfish.test" {
		t.Fatalf("the box reads %q after a selection", tab.device.Text)
	}
	tab.SetSelectedDevice("SSN0013500542642B7A.sim.starfish.test")
	if tab.device.Text != "SSN0013500542642B7A.sim.starfish.test" {
		t.Fatalf("the box reads %q after another selection", tab.device.Text)
	}
	tab.device.SetText("")
	test.Type(tab.device, "SSN0013500500000001")
	tab.SetSelectedDevice("SSN001350050005E7D6.sim.starfish.test")
	if tab.device.Text != "SSN0013500500000001" {
		t.Fatalf("a selection replaced what the user typed: %q", tab.device.Text)
	}
	tab.device.SetText("")
	tab.SetSelectedDevice("SSN001350050005E7D6.sim.starfish.test")
	if tab.device.Text != "SSN001350050005E7D6.sim.starfish.test" {
		t.Fatalf("an emptied box did not take the selection: %q", tab.device.Text)
	}
}

func TestABatchShowsItsSummaryInTheTab(t *testing.T) {
	tab, _, q := newTestDiagnosisTab(t)
	tab.RunBatch([]string{"SSN001350050005E7D6.sim.starfish.test", "SSN0013500542642B7A.sim.starfish.test"})
	q.WaitFor(t, "the batch", func() bool { return !tab.Running() })
	if tab.Summary() != "2 NICs: 0 pass, 2 warn, 0 fail" || len(tab.batch.rows) != 2 || !tab.export.Visible() || tab.export.Disabled() || tab.copyMD.Visible() {
		t.Fatalf("summary %q, %d rows, export shown %v", tab.Summary(), len(tab.batch.rows), tab.export.Visible())
	}
	tab.Object().Resize(fyne.NewSize(1600, 450))
	if fill := tab.batch.root.Objects[0].(*fyne.Container).Layout.(*lastColumnFills); fill.width < 800 {
		t.Fatalf("at 1600 px the advice column is %v wide", fill.width)
	}
	tab.Diagnose("SSN001350050005E7D6")
	q.WaitFor(t, "a diagnosis after the batch", func() bool { return !tab.Running() })
	if len(tab.Steps()) != len(diagnosis.StepIDs) || tab.export.Visible() || !tab.copyMD.Visible() {
		t.Fatalf("after the batch: %d steps, export shown %v", len(tab.Steps()), tab.export.Visible())
	}
}

// rowLineHeight is the height of one line of a diagnosis row's text.
func rowLineHeight() float32 {
	return fyne.MeasureText("Xg", theme.TextSize(), fyne.TextStyle{}).Height
}
