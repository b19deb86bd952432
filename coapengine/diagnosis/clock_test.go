package diagnosis

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/gatewaylite/mesh"
	"github.com/coap-workbench/coap-workbench/internal/testbed"
)

func TestAClockNearTheLimitGetsTheSameVerdictRunAfterRun(t *testing.T) {
	// The field mesh: 150 ms of delay, up to 250 ms of jitter and 2 % loss on every NIC's link,
	// and two Device ICs a tenth of a second either side of the 5 s limit.
	b := startMeshBench(t, mesh.Config{Devices: 2, Profile: mesh.Field, NotifyPeriod: time.Second}, 8*time.Second, nil, coapengine.Hooks{})
	other := b.bed.Mesh.Devices()[1]
	var faults []mesh.FaultSpec
	for _, f := range []string{mesh.SeedMAC + ":clock-skew=4.9s", other.Name + ":clock-skew=5.1s", "*:delay=150ms", "*:jitter=250ms"} {
		spec, err := mesh.ParseFaultSpec(f)
		if err != nil {
			t.Fatal(err)
		}
		faults = append(faults, spec)
	}
	if err := b.bed.Mesh.ApplyFaults(faults); err != nil {
		t.Fatal(err)
	}
	if err := b.conn.Login(t.Context()); err != nil {
		t.Fatal(err)
	}
	memory := &ClockMemory{}
	opts := quick()
	opts.Only = []string{StepClock}
	opts.ClockMemory = memory
	var wg sync.WaitGroup
	verdicts := map[string][]string{}
	var mu sync.Mutex
	for _, device := range []string{testbed.SeedHost, other.Name} {
		wg.Go(func() {
			for range 3 {
				s := mustStep(t, Run(t.Context(), b.conn, device, opts, nil), StepClock)
				mu.Lock()
				verdicts[device] = append(verdicts[device], string(s.Verdict))
				mu.Unlock()
				t.Logf("%s: %s %s | %s", device, s.Verdict, s.Explanation, strings.Join(s.Details, " | "))
			}
		})
	}
	wg.Wait()
	for device, vs := range verdicts {
		for _, v := range vs {
			if v != vs[0] || (v != string(Pass) && v != string(Warn)) {
				t.Fatalf("%s: verdicts %v, run after run", device, vs)
			}
		}
	}
}

func TestTheClockVerdictChangesOnlyASecondPastTheLimit(t *testing.T) {
	limit := 5 * time.Second
	for _, c := range []struct {
		offset              time.Duration
		warnedBefore, known bool
		want                bool
	}{
		{4900 * time.Millisecond, false, false, false},
		{5100 * time.Millisecond, false, false, true},
		{-5100 * time.Millisecond, false, false, true},
		{5900 * time.Millisecond, false, true, false}, // passed before: still within the margin
		{6100 * time.Millisecond, false, true, true},
		{4100 * time.Millisecond, true, true, true}, // warned before: not yet a second back
		{3900 * time.Millisecond, true, true, false},
		{-4100 * time.Millisecond, true, true, true},
	} {
		if got := clockWarns(c.offset, limit, c.warnedBefore, c.known); got != c.want {
			t.Errorf("offset %s (warned before %v, known %v): warns %v, want %v", c.offset, c.warnedBefore, c.known, got, c.want)
		}
	}
}

func TestAnOffsetNearTheLimitIsWrittenInHundredths(t *testing.T) {
	limit := 5 * time.Second
	for d, want := range map[time.Duration]string{5040 * time.Millisecond: "5.04 s", 4960 * time.Millisecond: "4.96 s", 4300 * time.Millisecond: "4.3 s", 10*time.Minute - 300*time.Millisecond: "10 min"} {
		if got := offsetText(d, limit); got != want {
			t.Errorf("%s: %q, want %q", d, got, want)
		}
	}
}

func TestTheMedianOfTheClockReadingsIgnoresAnOutlier(t *testing.T) {
	rs := []clockReading{{offset: 5 * time.Second}, {offset: 4800 * time.Millisecond}, {offset: 3 * time.Second}, {offset: 5200 * time.Millisecond}, {offset: 5100 * time.Millisecond}}
	if got := medianOffset(rs); got != 5*time.Second {
		t.Fatalf("median %s", got)
	}
	if got := median([]time.Duration{time.Second, 3 * time.Second}); got != 2*time.Second {
		t.Fatalf("median of two %s", got)
	}
}

func TestAClockMemoryKeepsTheVerdictsOfTheLastDayAcrossAFile(t *testing.T) {
	var m ClockMemory
	m.remember("SSN1", true, time.Now())
	m.remember("SSN2", false, time.Now().Add(-25*time.Hour))
	raw, err := json.Marshal(&m)
	if err != nil {
		t.Fatal(err)
	}
	var back ClockMemory
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if warned, known := back.previous("SSN1"); !warned || !known {
		t.Fatalf("SSN1: warned %v known %v (%s)", warned, known, raw)
	}
	if _, known := back.previous("SSN2"); known {
		t.Fatalf("a verdict of yesterday's is still remembered: %s", raw)
	}
	var none *ClockMemory
	none.remember("SSN1", true, time.Now())
	if _, known := none.previous("SSN1"); known {
		t.Fatal("a nil memory remembered")
	}
}
