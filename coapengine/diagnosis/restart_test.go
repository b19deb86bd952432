package diagnosis

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plgd-dev/go-coap/v3/message/codes"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/decode"
	"github.com/coap-workbench/coap-workbench/gatewaylite/mesh"
	"github.com/coap-workbench/coap-workbench/internal/testbed"
)

// uptimes records the uptime (total_time) of every power statistics answer and notification
// the connection receives, in the order they arrive.
type uptimes struct {
	mu   sync.Mutex
	list []float64
}

func (u *uptimes) hook(x coapengine.Exchange) {
	if !strings.HasSuffix(x.URI, "/sys/stats?mod=pwr") || !x.OK() {
		return
	}
	if total, ok := x.Decode(decode.NewRegistry()).Number("total_time"); ok {
		u.mu.Lock()
		u.list = append(u.list, total)
		u.mu.Unlock()
	}
}

// wentBack reports whether a reading arrived with a lower uptime than one before it.
func (u *uptimes) wentBack() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	for i := 1; i < len(u.list); i++ {
		if u.list[i] < u.list[i-1] {
			return true
		}
	}
	return false
}

// sharedBench is a bench whose mesh notifies every second, with the window's observation of
// the seed NIC's power statistics already running on the connection the diagnosis uses: the
// gateway relays one upstream observation to both. The diagnosis starts 400 ms after one of
// the window's notifications, so that the representation the relay holds is older than the
// power step's GET.
func sharedBench(t *testing.T) (*bench, *uptimes) {
	t.Helper()
	seen := &uptimes{}
	b := startMeshBench(t, mesh.Config{Devices: 2, Profile: mesh.Instant, NotifyPeriod: time.Second, RebootDuration: 500 * time.Millisecond},
		2*time.Second, nil, coapengine.Hooks{Exchange: seen.hook})
	if err := b.conn.Login(t.Context()); err != nil {
		t.Fatal(err)
	}
	notified := make(chan struct{}, 16)
	window, _, err := b.conn.Observe(t.Context(), coapengine.NewRequest(codes.GET, testbed.SeedURI("/sys/stats?mod=pwr")), func(coapengine.Exchange) {
		select {
		case notified <- struct{}{}:
		default:
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = window.Cancel(t.Context()) })
	select {
	case <-notified:
	case <-time.After(5 * time.Second):
		t.Fatal("the window's observation got no notification")
	}
	time.Sleep(400 * time.Millisecond)
	return b, seen
}

func TestTwoReadingsOfAnObservationTheWindowSharesAreNoRestart(t *testing.T) {
	b, seen := sharedBench(t)
	opts := quick()
	opts.Only = []string{StepPower, StepObserve}
	opts.ObserveFor = 1500 * time.Millisecond
	r := Run(t.Context(), b.conn, testbed.SeedHost, opts, nil)
	if !seen.wentBack() {
		t.Fatalf("the relay's answer to the diagnosis's registration was not older than the power step's reading (uptimes %v): the test shows nothing", seen.list)
	}
	obs := mustStep(t, r, StepObserve)
	if r.Rebooted || obs.Verdict != Pass || !strings.Contains(obs.Explanation, "none lost") {
		t.Fatalf("rebooted %v; observe step %+v", r.Rebooted, obs)
	}
}

func TestARebootWhileTheWindowObservesTheNICIsStillReported(t *testing.T) {
	b, _ := sharedBench(t)
	opts := quick()
	opts.Only = []string{StepPower, StepObserve}
	opts.ObserveFor = 1500 * time.Millisecond
	r := Run(t.Context(), b.conn, testbed.SeedHost, opts, func(s Step) {
		if s.ID == StepObserve && s.Verdict == "" {
			time.AfterFunc(300*time.Millisecond, b.dev.Reboot)
		}
	})
	obs := mustStep(t, r, StepObserve)
	if !r.Rebooted || obs.Verdict != Warn || obs.Hop != HopNIC || !strings.Contains(obs.Explanation, "restarted during the diagnosis: its uptime went back from ") {
		t.Fatalf("rebooted %v; observe step %+v", r.Rebooted, obs)
	}
}

func TestOnlyAnUptimeTooShortToReachTheBestReadingIsARestart(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	for _, c := range []struct {
		name     string
		readings []uptimeReading
		want     bool
	}{
		{"a steady NIC", []uptimeReading{{day, t0, t0}, {day + time.Second, t0.Add(time.Second), t0.Add(time.Second)}}, false},
		{"a relay's older representation a moment after a GET", []uptimeReading{{day, t0, t0.Add(10 * time.Millisecond)}, {day - 400*time.Millisecond, t0.Add(-5 * time.Second), t0.Add(11 * time.Millisecond)}}, false},
		{"the same reading twice", []uptimeReading{{day, t0, t0}, {day, t0.Add(-2 * time.Second), t0.Add(time.Millisecond)}}, false},
		{"a restart", []uptimeReading{{day, t0, t0}, {800 * time.Millisecond, t0.Add(2 * time.Second), t0.Add(2 * time.Second)}}, true},
		{"a restart seen only after stale readings", []uptimeReading{{day, t0, t0}, {day - time.Second, t0.Add(-9 * time.Second), t0.Add(time.Second)}, {2 * time.Second, t0.Add(3 * time.Second), t0.Add(3 * time.Second)}}, true},
		{"a restart of a NIC that had just booted", []uptimeReading{{3 * time.Second, t0, t0}, {time.Second, t0.Add(2 * time.Second), t0.Add(2 * time.Second)}}, true},
	} {
		var w restartWatch
		got := false
		for _, rd := range c.readings {
			got = w.note(rd)
		}
		if got != c.want {
			t.Errorf("%s: restarted %v, want %v", c.name, got, c.want)
		}
	}
}

func TestANotificationNotNewerThanTheLastIsLeftOut(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	n := func(token string, seq uint32, after time.Duration) coapengine.Exchange {
		return coapengine.Exchange{Start: t0.Add(after), ObserveSeq: seq, Notification: true,
			Response: &coapengine.MessageRecord{Code: codes.Content, Token: []byte(token)}}
	}
	var o notificationOrder
	var kept []uint32
	for _, x := range []coapengine.Exchange{n("a", 5, 0), n("a", 6, time.Second), n("a", 6, time.Second), n("a", 4, 2*time.Second), n("a", 8, 3*time.Second), n("b", 2, 4*time.Second), n("a", 2, 200*time.Second)} {
		if o.fresh(x) {
			kept = append(kept, x.ObserveSeq)
		}
	}
	if got := fmt.Sprint(kept); got != "[5 6 8 2 2]" {
		t.Fatalf("kept %v: a repeat and a late notification are left out, a new token and a long silence start again", kept)
	}
}
