package views

import (
	"log/slog"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/internal/logring"
)

// faultReport is one call of OnFaultsChanged.
type faultReport struct{ host, summary string }

// watchedConsole is a console over source whose fault log and fault reports the test reads.
func watchedConsole(t *testing.T, source *fakeConsole) (*GatewayScreen, *logring.Ring, *[]faultReport) {
	t.Helper()
	s, _ := newConsole(t, source)
	ring := logring.New(0, slog.DiscardHandler)
	s.Logger = slog.New(ring)
	var reports []faultReport
	s.OnFaultsChanged = func(host, summary string) { reports = append(reports, faultReport{host, summary}) }
	return s, ring, &reports
}

// lastRecord is the newest record of the log, as the Log tab shows it.
func lastRecord(t *testing.T, ring *logring.Ring) string {
	t.Helper()
	records := ring.Records(slog.LevelInfo)
	if len(records) == 0 {
		t.Fatal("nothing was logged")
	}
	r := records[len(records)-1]
	return r.Level.String() + " " + r.Message + " " + r.Attrs
}

func TestApplyingAFaultConfirmsInTheLogTheConsoleAndTheTree(t *testing.T) {
	s, ring, reports := watchedConsole(t, &fakeConsole{devices: twoDevices()})
	// The Gen5 has faults already (as from the command line): a refresh reports them.
	s.Refresh()
	if want := (faultReport{gen5, "offline · battery low · clock skew -1 min 30 s"}); len(*reports) != 1 || (*reports)[0] != want {
		t.Fatalf("after the first refresh the tree heard %v, want %v", *reports, want)
	}
	s.Refresh()
	if len(*reports) != 1 {
		t.Fatalf("a refresh that changed nothing reported %v", (*reports)[1:])
	}

	c := selectDevice(t, s, 0)
	c.loss.SetText("30")
	c.delay.SetText("")
	c.jitter.SetText("")
	test.Tap(c.apply)
	if got, want := lastRecord(t, ring), `INFO fault applied device=`+milli+` fault="loss 30 %" faults="loss 30 %"`; got != want {
		t.Fatalf("the log says\n%s\nwant\n%s", got, want)
	}
	if got := (*reports)[len(*reports)-1]; len(*reports) != 2 || got != (faultReport{milli, "loss 30 %"}) {
		t.Fatalf("the tree heard %v", *reports)
	}
	if s.FaultsOf(milli) != "loss 30 %" || s.FaultsOf("SSN00FF.sim.starfish.test") != "" {
		t.Fatalf("FaultsOf says %q of the Milli, %q of an unknown device", s.FaultsOf(milli), s.FaultsOf("SSN00FF.sim.starfish.test"))
	}
	if !c.message.Visible() || c.message.Importance != widget.SuccessImportance || c.message.Text != "Link of SSN001350050005E7D6 set: loss 30 %." {
		t.Fatalf("the console says %q (shown %v, importance %v)", c.message.Text, c.message.Visible(), c.message.Importance)
	}
	if state := deviceCells(s, 0); !strings.HasSuffix(state, "| loss 30 %") {
		t.Fatalf("the device's row reads %q", state)
	}

	// Healthy again: the tree hears an empty summary.
	c.loss.SetText("0")
	test.Tap(c.apply)
	if got, want := lastRecord(t, ring), `INFO fault cleared device=`+milli+` fault="link ok" faults=none`; got != want {
		t.Fatalf("the log says\n%s\nwant\n%s", got, want)
	}
	if got := (*reports)[len(*reports)-1]; len(*reports) != 3 || got != (faultReport{milli, ""}) {
		t.Fatalf("the tree heard %v", *reports)
	}
}

func TestEveryFaultKindIsLoggedAndReported(t *testing.T) {
	s, ring, reports := watchedConsole(t, &fakeConsole{devices: twoDevices()})
	s.Refresh() // hears of the Gen5's faults
	*reports = nil
	c := selectDevice(t, s, 0)
	c.delay.SetText("")
	c.jitter.SetText("")
	for _, step := range []struct {
		name   string
		act    func()
		record string
		// summary is what the tree hears, "-" for nothing.
		summary string
	}{
		{"loss", func() { c.loss.SetText("30 %"); test.Tap(c.apply) }, `INFO fault applied device=` + milli + ` fault="loss 30 %" faults="loss 30 %"`, "loss 30 %"},
		{"delay", func() { c.loss.SetText("0"); c.delay.SetText("300 ms"); test.Tap(c.apply) }, `INFO fault applied device=` + milli + ` fault="delay 300 ms" faults="delay 300 ms"`, "delay 300 ms"},
		{"jitter", func() { c.delay.SetText(""); c.jitter.SetText("1.5 s"); test.Tap(c.apply) }, `INFO fault applied device=` + milli + ` fault="jitter 1.5 s" faults="jitter 1.5 s"`, "jitter 1.5 s"},
		{"offline", func() { c.jitter.SetText(""); test.Tap(c.offline) }, `INFO fault applied device=` + milli + ` fault=offline faults=offline`, "offline"},
		{"battery low", func() { test.Tap(c.battery) }, `INFO fault applied device=` + milli + ` fault="battery low" faults="offline · battery low"`, "offline · battery low"},
		{"clock skew", func() { c.skew.SetText("-90 s"); test.Tap(c.skewIt) }, `INFO fault applied device=` + milli + ` fault="clock skew -1 min 30 s" faults="offline · battery low · clock skew -1 min 30 s"`, "offline · battery low · clock skew -1 min 30 s"},
		{"reboot", func() { test.Tap(c.reboot) }, `INFO fault applied device=` + milli + ` fault=reboot faults="offline · battery low"`, "offline · battery low"},
		{"tamper", func() { test.Tap(c.tamper) }, `INFO fault applied device=` + milli + ` fault=tamper faults="offline · battery low"`, "-"},
		{"battery normal", func() { test.Tap(c.battery) }, `INFO fault cleared device=` + milli + ` fault="battery normal" faults=offline`, "offline"},
		{"online", func() { test.Tap(c.offline) }, `INFO fault cleared device=` + milli + ` fault="link ok" faults=none`, ""},
	} {
		before := len(*reports)
		step.act()
		if got := lastRecord(t, ring); got != step.record {
			t.Errorf("%s: the log says\n%s\nwant\n%s", step.name, got, step.record)
		}
		switch {
		case step.summary == "-" && len(*reports) != before:
			t.Errorf("%s: the tree heard %v though the faults did not change", step.name, (*reports)[before:])
		case step.summary != "-" && (len(*reports) != before+1 || (*reports)[before] != faultReport{milli, step.summary}):
			t.Errorf("%s: the tree heard %v, want %q", step.name, (*reports)[before:], step.summary)
		}
		if !c.message.Visible() || c.message.Importance != widget.SuccessImportance {
			t.Errorf("%s: the console says %q in importance %v", step.name, c.message.Text, c.message.Importance)
		}
	}
}

func TestAFaultTheGatewayRefusesIsLoggedAsAWarning(t *testing.T) {
	s, ring, reports := watchedConsole(t, &fakeConsole{devices: twoDevices(), fail: errRefused})
	c := selectDevice(t, s, 0)
	test.Tap(c.tamper)
	if got, want := lastRecord(t, ring), `WARN fault not applied device=`+milli+` fault=tamper err="could not tamper with SSN001350050005E7D6: the device refused"`; got != want {
		t.Fatalf("the log says\n%s\nwant\n%s", got, want)
	}
	if len(*reports) != 0 || c.message.Importance != widget.DangerImportance {
		t.Fatalf("a refused fault reported %v, message importance %v", *reports, c.message.Importance)
	}
}

func TestEnterInAFaultEntryAppliesIt(t *testing.T) {
	source := &fakeConsole{devices: twoDevices()}
	s, _ := newConsole(t, source)
	c := selectDevice(t, s, 0)
	c.delay.SetText("400 ms")
	c.delay.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	c.skew.SetText("3 s")
	c.skew.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	want := []string{"SetLink " + milli + " loss=2 delay=400ms jitter=250ms offline=false", "SkewClock " + milli + " 3s"}
	if got := source.callLog(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("calls\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
