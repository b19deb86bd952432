package diagnosis

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/gatewaylite"
	"github.com/coap-workbench/coap-workbench/gatewaylite/mesh"
	"github.com/coap-workbench/coap-workbench/internal/testbed"
)

// bench is gateway-lite with two instant devices notifying every 100 ms, and a connection
// logged in through it.
type bench struct {
	bed  *testbed.Bed
	conn *coapengine.Connection
	dev  *mesh.Device
}

func startBench(t *testing.T, upstream time.Duration, tokens coapengine.TokenSource) *bench {
	t.Helper()
	return startMeshBench(t, mesh.Config{Devices: 2, Profile: mesh.Instant, NotifyPeriod: 100 * time.Millisecond, RebootDuration: 500 * time.Millisecond}, upstream, tokens, coapengine.Hooks{})
}

// startMeshBench is a bench over the mesh cfg describes, whose connection has hooks.
func startMeshBench(t *testing.T, cfg mesh.Config, upstream time.Duration, tokens coapengine.TokenSource, hooks coapengine.Hooks) *bench {
	t.Helper()
	bed := testbed.StartMesh(t, cfg, func(c *gatewaylite.Config) { c.UpstreamTimeout = upstream })
	if tokens == nil {
		tokens = coapengine.IssuerFunc(func(ctx context.Context) (coapengine.Token, error) {
			raw, exp, err := bed.IssueToken(ctx)
			return coapengine.Token{Raw: raw, ExpiresAt: exp}, err
		})
	}
	conn, err := coapengine.Dial(t.Context(), coapengine.Profile{Name: "support", Gateway: bed.Gateway.Addr().String(), Tokens: tokens}, hooks, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	dev, _ := bed.Mesh.Lookup(testbed.SeedHost)
	return &bench{bed: bed, conn: conn, dev: dev}
}

func quick() Options {
	return Options{Pings: 4, ObserveFor: 600 * time.Millisecond, Timeout: 15 * time.Second}
}

func verdicts(r Report) string {
	var out []string
	for _, s := range r.Steps {
		out = append(out, s.ID+"="+string(s.Verdict))
	}
	return strings.Join(out, " ")
}

func mustStep(t *testing.T, r Report, id string) Step {
	t.Helper()
	s, ok := r.Step(id)
	if !ok {
		t.Fatalf("no step %s in %s", id, verdicts(r))
	}
	return s
}

func TestAHealthyNICPassesEveryStep(t *testing.T) {
	b := startBench(t, 2*time.Second, nil)
	var seen []string
	r := Run(t.Context(), b.conn, testbed.SeedHost, quick(), func(s Step) {
		if s.Verdict != "" {
			seen = append(seen, s.ID)
		}
	})
	if r.Worst != Pass || len(r.Steps) != len(StepIDs) {
		t.Fatalf("verdicts %s", verdicts(r))
	}
	if strings.Join(seen, ",") != strings.Join(StepIDs, ",") {
		t.Fatalf("progress reported %v", seen)
	}
	if obs := mustStep(t, r, StepObserve); !strings.Contains(obs.Explanation, "none lost") {
		t.Fatalf("observe: %s", obs.Explanation)
	}
	if len(r.Power) < 2 || r.MAC != "001350050005E7D6" {
		t.Fatalf("power samples %d, MAC %q", len(r.Power), r.MAC)
	}
}

func TestAnOfflineNICFailsOnTheGatewayToDeviceHop(t *testing.T) {
	b := startBench(t, 300*time.Millisecond, nil)
	b.dev.SetLinkFaults(mesh.LinkFaults{Offline: true})
	r := Run(t.Context(), b.conn, testbed.SeedHost, quick(), nil)
	dev := mustStep(t, r, StepDevice)
	if dev.Verdict != Fail || dev.Hop != HopGatewayDevice || !strings.Contains(dev.Explanation, "5.04") {
		t.Fatalf("device step %+v", dev)
	}
	if r.Worst != Fail || r.FailingStep != StepDevice {
		t.Fatalf("worst %s at %s", r.Worst, r.FailingStep)
	}
	for _, id := range StepIDs[3:] {
		if s := mustStep(t, r, id); s.Verdict != Skipped || !strings.Contains(s.Explanation, `the step "NIC answers through the gateway" failed`) {
			t.Fatalf("step %s after the failure: %+v", id, s)
		}
	}
}

func TestALossyLinkWarnsWithRetransmissions(t *testing.T) {
	// The gateway gives up on the device (5.04) before the client gives up on the gateway.
	b := startBench(t, 8*time.Second, nil)
	b.dev.SetLinkFaults(mesh.LinkFaults{LossPercent: 30})
	opts := quick()
	opts.Pings = 8
	opts.Only = []string{StepGateway, StepSession, StepDevice}
	r := Run(t.Context(), b.conn, testbed.SeedHost, opts, nil)
	dev := mustStep(t, r, StepDevice)
	var answered, pings, retransmitted int
	if len(dev.Details) > 0 {
		fmt.Sscanf(dev.Details[0], "%d of %d pings answered", &answered, &pings)
		if i := strings.LastIndex(dev.Details[0], "; "); i >= 0 {
			fmt.Sscanf(dev.Details[0][i+2:], "%d needed a retransmission", &retransmitted)
		}
	}
	if dev.Verdict != Warn || dev.Hop != HopGatewayDevice || retransmitted < 1 || retransmitted > answered || pings != 8 {
		t.Fatalf("device step %+v (%d of %d answered, %d retransmitted)", dev, answered, pings, retransmitted)
	}
}

func TestALowBatteryFailsOnTheBattery(t *testing.T) {
	b := startBench(t, 2*time.Second, nil)
	b.dev.SetBatteryLow(true)
	r := Run(t.Context(), b.conn, testbed.SeedHost, quick(), nil)
	power := mustStep(t, r, StepPower)
	if power.Verdict != Fail || power.Hop != HopBattery || !strings.Contains(power.Explanation, "3.05 V") || power.Action != "Replace the battery." {
		t.Fatalf("power step %+v", power)
	}
	if ev := mustStep(t, r, StepEvents); ev.Verdict != Warn || ev.Hop != HopBattery || ev.Action != "A low battery: replace it." || !strings.Contains(ev.Explanation, "low battery") {
		t.Fatalf("events step %+v", ev)
	}
}

func TestASkewedClockWarnsAndSettingTheTimeFixesIt(t *testing.T) {
	b := startBench(t, 2*time.Second, nil)
	b.dev.SkewClock(-10 * time.Minute)
	r := Run(t.Context(), b.conn, testbed.SeedHost, quick(), nil)
	clock := mustStep(t, r, StepClock)
	if clock.Verdict != Warn || !strings.Contains(clock.Explanation, "10 min behind this computer") || !strings.Contains(clock.Action, "Set the time") {
		t.Fatalf("clock step %+v", clock)
	}
	if err := SetTime(t.Context(), b.conn, testbed.SeedHost, time.Now()); err != nil {
		t.Fatal(err)
	}
	recheck := quick()
	recheck.Only = []string{StepClock}
	again := Run(t.Context(), b.conn, testbed.SeedHost, recheck, nil)
	if s := mustStep(t, again, StepClock); s.Verdict != Pass || mustStep(t, again, StepPower).Explanation != "Not asked for." {
		t.Fatalf("after setting the time: %+v", s)
	}
}

func TestARebootDuringTheRunIsReported(t *testing.T) {
	b := startBench(t, 300*time.Millisecond, nil)
	opts := quick()
	opts.ObserveFor = 1500 * time.Millisecond
	r := Run(t.Context(), b.conn, testbed.SeedHost, opts, func(s Step) {
		if s.ID == StepObserve && s.Verdict == "" {
			// After the registration and a few notifications.
			time.AfterFunc(300*time.Millisecond, b.dev.Reboot)
		}
	})
	obs := mustStep(t, r, StepObserve)
	if !r.Rebooted || obs.Verdict != Warn || !strings.Contains(obs.Explanation, "restarted") || len(r.Steps) != len(StepIDs) {
		t.Fatalf("rebooted %v; observe step %+v; verdicts %s", r.Rebooted, obs, verdicts(r))
	}
}

func TestACancelledDiagnosisSaysSoAndBlamesNothing(t *testing.T) {
	b := startBench(t, 2*time.Second, nil)
	ctx, cancel := context.WithCancel(t.Context())
	r := Run(ctx, b.conn, testbed.SeedHost, quick(), func(s Step) {
		if s.ID == StepDevice && s.Verdict == "" {
			cancel()
		}
	})
	if !r.Cancelled || !strings.HasPrefix(r.Summary(), "CANCELLED: ") {
		t.Fatalf("cancelled %v, summary %q", r.Cancelled, r.Summary())
	}
	for _, s := range r.Steps[2:] {
		if s.Verdict != Skipped || s.Hop != HopNone {
			t.Fatalf("step %s after the cancellation: %+v", s.ID, s)
		}
	}
}

func TestABadTokenFailsOnTheSession(t *testing.T) {
	b := startBench(t, 2*time.Second, coapengine.PastedToken("not-a-token"))
	r := Run(t.Context(), b.conn, testbed.SeedHost, quick(), nil)
	s := mustStep(t, r, StepSession)
	if s.Verdict != Fail || s.Hop != HopClientGateway || !strings.Contains(s.Explanation, "refused the login") {
		t.Fatalf("session step %+v", s)
	}
	if gw := mustStep(t, r, StepGateway); gw.Verdict != Pass {
		t.Fatalf("the gateway step: %+v", gw)
	}
	if dev := mustStep(t, r, StepDevice); dev.Verdict != Skipped {
		t.Fatalf("device step after a failed session: %+v", dev)
	}
}

func TestABatchDiagnosesConcurrentlyAndSummarisesTheWorst(t *testing.T) {
	b := startBench(t, 300*time.Millisecond, nil)
	other := b.bed.Mesh.Devices()[1]
	other.SetLinkFaults(mesh.LinkFaults{Offline: true})
	devices := []string{testbed.SeedHost, other.Name}
	var calls []int
	reports := RunBatch(t.Context(), b.conn, devices, 2, quick(), func(p BatchProgress) { calls = append(calls, p.Done) })
	if len(reports) != 2 || reports[0].Device != testbed.SeedHost || reports[0].Worst != Pass || reports[1].Worst != Fail || reports[1].FailingStep != StepDevice {
		t.Fatalf("reports: %s / %s", verdicts(reports[0]), verdicts(reports[1]))
	}
	if len(calls) != 2 || calls[1] != 2 {
		t.Fatalf("progress %v", calls)
	}
	var csvOut strings.Builder
	if err := WriteSummaryCSV(&csvOut, reports); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(csvOut.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], testbed.SeedHost+",001350050005E7D6,pass,") ||
		!strings.Contains(lines[2], ",fail,NIC answers through the gateway,gateway↔device,") {
		t.Fatalf("summary:\n%s", csvOut.String())
	}
}

func TestTheHTMLReportStandsAloneWithTheBatteryChart(t *testing.T) {
	at := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	r := Report{Device: "SSN001350050005E7D6.sim.starfish.test", MAC: "001350050005E7D6", Started: at, Finished: at.Add(15 * time.Second),
		Steps: []Step{{ID: StepPower, Title: "Battery and power statistics", Verdict: Fail, Hop: HopBattery, Explanation: "The battery is at 3.05 V <low>", Action: "Replace the battery."}},
		Power: []PowerSample{{At: at, BatteryVolts: 3.06}, {At: at.Add(5 * time.Second), BatteryVolts: 3.05}, {At: at.Add(10 * time.Second), BatteryVolts: 3.049}}}
	r.worstOf()
	page, err := r.HTML()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<!DOCTYPE html>", "FAIL: Battery and power statistics (battery)", `class="fail"`, "Replace the battery.", "3.05 V &lt;low&gt;", "<polyline", "09:00:10"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the page lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "http://") && !strings.Contains(page, `xmlns="http://www.w3.org/2000/svg"`) || strings.Contains(page, "<script") || strings.Contains(page, "src=") {
		t.Fatal("the page refers to something outside itself")
	}
	md := r.Markdown()
	if !strings.Contains(md, "| Battery and power statistics | fail | battery | The battery is at 3.05 V <low> |") || !strings.Contains(md, "**What to do:** Replace the battery.") {
		t.Fatalf("Markdown:\n%s", md)
	}
}

func TestAnOldAlertIsListedButNotRaised(t *testing.T) {
	b := startBench(t, 2*time.Second, nil)
	b.dev.SetBatteryLow(true) // raises a low-battery event now
	opts := quick()
	opts.Only = []string{StepEvents}
	opts.Now = func() time.Time { return time.Now().Add(8 * 24 * time.Hour) } // a week and a day later
	r := Run(t.Context(), b.conn, testbed.SeedHost, opts, nil)
	ev := mustStep(t, r, StepEvents)
	if ev.Verdict != Pass || len(ev.Details) == 0 || !strings.Contains(ev.Details[0], "low battery") {
		t.Fatalf("an eight-day-old alert: %+v", ev)
	}
}
