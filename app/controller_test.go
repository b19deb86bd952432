package app

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/diagnosis"
	"github.com/coap-workbench/coap-workbench/coapengine/workbench"
	"github.com/coap-workbench/coap-workbench/gatewaylite/mesh"
	"github.com/coap-workbench/coap-workbench/internal/testbed"
	"github.com/coap-workbench/coap-workbench/internal/uiqueue"
	"github.com/coap-workbench/coap-workbench/views"
)

// windowHarness is the window's views over a real gateway-lite on loopback, with the views'
// updates queued for the test's goroutine.
type windowHarness struct {
	bed  *testbed.Bed
	ctrl *controller
	q    *uiqueue.Queue
	win  fyne.Window
}

func openWindowHarness(t *testing.T) *windowHarness {
	t.Helper()
	return openWindowHarnessOn(t, testbed.Start(t, nil))
}

func openWindowHarnessOn(t *testing.T, bed *testbed.Bed) *windowHarness {
	t.Helper()
	test.NewTempApp(t)
	wb := workbench.Open(workbench.Options{DataDir: t.TempDir(), NoHistory: true, Logger: slog.New(slog.DiscardHandler)})
	t.Cleanup(func() { wb.Close() })
	q := uiqueue.New()
	c := newController(wb, slog.New(slog.DiscardHandler))
	c.do, c.tree.Do, c.observe.Do = q.Do, q.Do, q.Do
	p := coapengine.Profile{Name: "lab", Gateway: bed.Gateway.Addr().String(), Tokens: coapengine.IssuerFunc(func(ctx context.Context) (coapengine.Token, error) {
		raw, exp, err := bed.IssueToken(ctx)
		return coapengine.Token{Raw: raw, ExpiresAt: exp}, err
	})}
	conn, err := wb.Connect(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	ws := views.NewWorkspace(views.WorkspaceParts{Sidebar: c.tree.Object(), RequestTabs: c.tabs.Object(), Bar: c.composer.Bar(),
		Settings: c.composer.Settings(), Response: c.inspector.Object(), Status: c.status.Object()},
		container.NewTabItem("Observe", c.observe.Object()))
	w := test.NewWindow(ws.Object())
	t.Cleanup(w.Close)
	w.Resize(fyne.NewSize(1280, 800))
	c.addConnection(conn, "dev")
	q.WaitFor(t, "the device list", func() bool { return c.tree.DeviceCount("lab") == len(bed.Mesh.Devices()) })
	return &windowHarness{bed: bed, ctrl: c, q: q, win: w}
}

func TestTypingAURIAndPressingSendShowsTheDecodedResponse(t *testing.T) {
	h := openWindowHarness(t)
	c := h.ctrl
	if !strings.Contains(c.status.SessionText(), "account dev · session active") {
		t.Fatalf("status bar %q", c.status.SessionText())
	}
	test.Type(c.composer.URIEntry(), testbed.SeedURI("/sys/stats?mod=pwr"))
	test.Tap(c.composer.SendButton())
	h.q.WaitFor(t, "the response", func() bool { return c.inspector.Shown().Response != nil })
	x := c.inspector.Shown()
	if x.Code().String() != "Content" || x.AnsweredBy != coapengine.AnsweredByDevice {
		t.Fatalf("got %s answered by %q", x.Code(), x.AnsweredBy)
	}
	d := x.Decode(c.wb.Decoders())
	volts, ok := d.Number("bat_voltage")
	if d.Decoder != "power-stats" || !ok || volts < 2 || volts > 4.5 {
		t.Fatalf("decoded as %s, battery %v %v", d.Decoder, volts, ok)
	}
}

func TestAnUnknownDeviceIsExplainedAsTheGatewaysAnswer(t *testing.T) {
	h := openWindowHarness(t)
	c := h.ctrl
	test.Type(c.composer.URIEntry(), "coap://SSN00000000DEADBEEF.sim.starfish.test:4849/sys")
	test.Tap(c.composer.SendButton())
	h.q.WaitFor(t, "the response", func() bool { return c.inspector.Shown().Response != nil })
	if x := c.inspector.Shown(); x.AnsweredBy != coapengine.AnsweredByGateway || x.Explanation == "" {
		t.Fatalf("answered by %q, explanation %q", x.AnsweredBy, x.Explanation)
	}
}

func TestOpeningADeviceInTheTreeCrawlsItThroughTheGateway(t *testing.T) {
	h := openWindowHarness(t)
	c := h.ctrl
	seed := testbed.SeedHost
	dev := views.DeviceID("lab", seed)
	c.tree.Tree().OpenBranch(dev)
	h.q.WaitFor(t, "the crawl", func() bool { _, tree, _ := c.tree.Device("lab", seed); return tree != nil })
	_, tree, _ := c.tree.Device("lab", seed)
	if !tree.Reachable || len(tree.Resources) < 5 {
		t.Fatalf("crawl: reachable %v, %d resources, err %q", tree.Reachable, len(tree.Resources), tree.Err)
	}
	var children []string
	for _, id := range c.tree.VisibleChildren(dev) {
		children = append(children, id[strings.LastIndex(id, "\x1f")+1:])
	}
	if strings.Join(children, " ") != "/snsr /sys" {
		t.Fatalf("top-level paths %q", children)
	}
	// Picking a resource puts its URI in the composer.
	c.tree.Tree().Select(views.NodeID("lab", seed, "/sys"))
	if r, _ := c.composer.Request(); r.Request.URI != testbed.SeedURI("/sys") {
		t.Fatalf("composer URI %q", r.Request.URI)
	}
	// And the URI box completes from what was crawled.
	if got := c.completions("mod=pwr"); len(got) != 1 || got[0] != testbed.SeedURI("/sys/stats?mod=pwr") {
		t.Fatalf("completions %q", got)
	}
}

func TestObservingFromTheComposerListsTheObservationAndStopReachesTheDevice(t *testing.T) {
	h := openWindowHarness(t)
	c := h.ctrl
	c.composer.SetURI(testbed.SeedURI("/sys/stats?mod=pwr"))
	c.composer.SetObserve(true)
	c.composer.Send()
	h.q.WaitFor(t, "the observation", func() bool { c.refreshObservations(); return len(c.observe.Rows()) == 1 })
	dev, _ := h.bed.Mesh.Lookup(testbed.SeedHost)
	if dev.Status().PowerObservers != 1 {
		t.Fatalf("device has %d observers", dev.Status().PowerObservers)
	}
	c.stopObservation(c.observe.Rows()[0].ID)
	h.q.WaitFor(t, "the stop", func() bool { c.refreshObservations(); return c.observe.Rows()[0].Ended != "" })
	deadline := time.Now().Add(5 * time.Second)
	for dev.Status().PowerObservers != 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := dev.Status().PowerObservers; n != 0 {
		t.Fatalf("after Stop the device still has %d observers", n)
	}
}

func TestASlowRequestCanBeCancelledFromTheInspector(t *testing.T) {
	h := openWindowHarness(t)
	c := h.ctrl
	dev, _ := h.bed.Mesh.Lookup(testbed.SeedHost)
	dev.SetLinkFaults(mesh.LinkFaults{Offline: true})
	test.Type(c.composer.URIEntry(), testbed.SeedURI("/sys"))
	test.Tap(c.composer.SendButton())
	if !strings.HasPrefix(c.inspector.Message(), "Sending GET") || !c.inspector.CancelButton().Visible() {
		t.Fatalf("pending: %q, cancel shown %v", c.inspector.Message(), c.inspector.CancelButton().Visible())
	}
	test.Tap(c.inspector.CancelButton())
	h.q.WaitFor(t, "the cancellation", func() bool { return strings.HasPrefix(c.inspector.Message(), "Cancelled before an answer came") })
}

func TestAnObservedNICsPowerStatsArriveInOrderOnTheChartAndStopAtTheDevice(t *testing.T) {
	bed := testbed.StartMesh(t, mesh.Config{Devices: 2, Profile: mesh.Instant, NotifyPeriod: 50 * time.Millisecond}, nil)
	h := openWindowHarnessOn(t, bed)
	c := h.ctrl
	c.composer.SetURI(testbed.SeedURI("/sys/stats?mod=pwr"))
	c.composer.SetObserve(true)
	c.composer.Send()
	h.q.WaitFor(t, "the observation", func() bool { c.refreshObservations(); return len(c.observe.Rows()) == 1 })
	row := c.observe.Rows()[0]
	c.observe.OpenChart(row.ID)
	h.q.WaitFor(t, "ten samples on the chart", func() bool {
		c.observe.RefreshCharts()
		lines := c.observe.ChartSeries(0)
		return len(lines) == 2 && len(lines[0].Samples) >= 10
	})
	volts := c.observe.ChartSeries(0)[0]
	if volts.Label != "bat_voltage" || volts.Unit != "V" {
		t.Fatalf("first line %s (%s)", volts.Label, volts.Unit)
	}
	for i := 1; i < len(volts.Samples); i++ {
		if volts.Samples[i].At <= volts.Samples[i-1].At {
			t.Fatalf("sample %d at %d is not after %d", i, volts.Samples[i].At, volts.Samples[i-1].At)
		}
	}
	dev, _ := bed.Mesh.Lookup(testbed.SeedHost)
	c.stopObservation(row.ID)
	h.q.WaitFor(t, "the stop", func() bool { c.refreshObservations(); return c.observe.Rows()[0].Ended != "" })
	deadline := time.Now().Add(5 * time.Second)
	for dev.Status().PowerObservers != 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := dev.Status().PowerObservers; n != 0 {
		t.Fatalf("after Stop the device still has %d observers", n)
	}
	stopped := row.Series.Added()
	time.Sleep(300 * time.Millisecond) // six notification periods
	if got := row.Series.Added(); got != stopped {
		t.Fatalf("samples kept arriving after Stop: %d, then %d", stopped, got)
	}
}

func TestTheWindowsDiagnosisRunsThroughTheCurrentProfileAndKeepsItsReports(t *testing.T) {
	h := openWindowHarness(t)
	dir := t.TempDir()
	runner := &diagnosisRunner{ctrl: h.ctrl, dataDir: dir, domain: "sim.starfish.test", base: diagnosis.Options{ObserveFor: 300 * time.Millisecond}}
	device, err := runner.Device("00:13:50:05:00:05:e7:d6")
	if err != nil || device != testbed.SeedHost {
		t.Fatalf("device %q %v", device, err)
	}
	var started []string
	r, err := runner.Diagnose(t.Context(), device, func(s diagnosis.Step) {
		if s.Verdict == "" {
			started = append(started, s.ID)
		}
	})
	if err != nil || len(r.Steps) != len(diagnosis.StepIDs) || r.Gateway != h.bed.Gateway.Addr().String() || len(started) == 0 {
		t.Fatalf("report %v: %s, %d steps started", err, r.Summary(), len(started))
	}
	page, err := runner.Save(r)
	if err != nil || filepath.Dir(page) != filepath.Join(dir, ReportsDir) {
		t.Fatalf("saved to %q: %v", page, err)
	}
	for _, ext := range []string{".html", ".md", ".json"} {
		if _, err := os.Stat(strings.TrimSuffix(page, ".html") + ext); err != nil {
			t.Fatalf("no %s report: %v", ext, err)
		}
	}
	if kept, err := os.ReadFile(filepath.Join(dir, ReportsDir, ClockVerdictsFile)); err != nil || !strings.Contains(string(kept), `"`+device+`":{"warned":false`) {
		t.Fatalf("the clock verdict was not kept for the next diagnosis: %v %s", err, kept)
	}
	h.ctrl.setCurrent("")
	if _, err := runner.Diagnose(t.Context(), device, nil); err == nil || !strings.Contains(err.Error(), "no gateway connected") {
		t.Fatalf("without a profile: %v", err)
	}
}
