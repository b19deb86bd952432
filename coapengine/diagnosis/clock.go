package diagnosis

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/plgd-dev/go-coap/v3/message/codes"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/internal/human"
)

// How the clock step decides, so that a clock whose skew sits near the limit gets the same
// verdict run after run:
//
//   - One reading cannot tell 4.9 s from 5.1 s: the Device IC counts whole seconds, and the
//     moment it read its clock is known only to within the round trip. So the step reads the
//     clock several times, spread over one second so that the readings fall at different
//     points of the IC's second, corrects each for half its round trip, and decides on their
//     median, which one slow or retransmitted reading does not move.
//   - The median is still off by up to a few tenths on a jittery link (the delay of a mesh is
//     rarely the same both ways), so a skew within that of the limit would still flap between
//     diagnoses. Hysteresis settles it: when the same Device IC was diagnosed before (a
//     ClockMemory), its verdict changes only once the skew is past the limit by the IC's
//     resolution, one second, the other way; the first diagnosis decides at the limit itself.
//
// A reading lost on the way is tried again with the next one: the step fails only when no
// reading came back (or the first two did not: the IC is off, or the link down).

// clockHysteresis is how far past the limit a clock must go to change the verdict the last
// diagnosis of the same Device IC gave: the IC's clock counts whole seconds.
const clockHysteresis = time.Second

// clockReading is one reading of the Device IC's clock.
type clockReading struct {
	// offset is the IC's clock less this computer's, at the middle of the round trip.
	offset time.Duration
	rtt    time.Duration
	ic     string    // the IC's time as it was read
	mid    time.Time // this computer's at the middle of the round trip
}

func (r *run) clock() Step {
	n := r.opts.ClockReadings
	spacing := time.Second / time.Duration(n)
	begin := time.Now()
	var readings []clockReading
	var lost *Step
	failures := 0
	for i := range n {
		if i > 0 && !r.waitUntil(begin.Add(time.Duration(i)*spacing)) {
			break
		}
		rd, bad, final := r.readClock()
		switch {
		case bad != nil && final:
			return *bad
		case bad != nil:
			lost, failures = bad, failures+1
			if len(readings) == 0 && failures == 2 {
				return *lost // twice nothing: the IC is off or the link down, not unlucky
			}
		default:
			readings = append(readings, rd)
		}
	}
	if len(readings) == 0 {
		return *lost
	}
	offset, rtt := medianOffset(readings), medianRTT(readings)
	warnedBefore, known := r.opts.ClockMemory.previous(r.report.Device)
	warn := clockWarns(offset, r.opts.ClockWarn, warnedBefore, known)
	r.opts.ClockMemory.remember(r.report.Device, warn, r.opts.Now())

	last := readings[len(readings)-1]
	lowest, highest := slices.MinFunc(readings, byOffset).offset, slices.MaxFunc(readings, byOffset).offset
	details := []string{
		fmt.Sprintf("%d of %d readings of the Device IC's clock (it counts whole seconds), each against this computer's at the middle of its round trip: median %s, from %s to %s; round trip median %s",
			len(readings), n, signed(offset), signed(lowest), signed(highest), human.RTT(rtt)),
		fmt.Sprintf("the last: the Device IC's clock %s; this computer's %s (round trip %s)", last.ic, last.mid.UTC().Format(time.RFC3339), human.RTT(last.rtt)),
	}
	limit, off := human.Duration(r.opts.ClockWarn), offsetText(offset.Abs(), r.opts.ClockWarn)
	beyond := offset.Abs() > r.opts.ClockWarn
	switch {
	case warn && beyond:
		return Step{Verdict: Warn, Hop: HopDeviceIC, Explanation: fmt.Sprintf("The Device IC's clock is %s %s this computer's UTC clock (more than %s): its readings carry the wrong time.", off, aheadOrBehind(offset), limit),
			Action: setTimeAction, Details: details}
	case warn:
		return Step{Verdict: Warn, Hop: HopDeviceIC, Explanation: fmt.Sprintf("The Device IC's clock is %s %s this computer's UTC clock: at the %s limit, past which the last diagnosis found it (it passes again within %s).", off, aheadOrBehind(offset), limit, human.Duration(r.opts.ClockWarn-clockHysteresis)),
			Action: setTimeAction, Details: details}
	case beyond:
		return Step{Verdict: Pass, Explanation: fmt.Sprintf("The Device IC's clock is %s %s this computer's UTC clock: at the %s limit, within which the last diagnosis found it (it warns past %s).", off, aheadOrBehind(offset), limit, human.Duration(r.opts.ClockWarn+clockHysteresis)),
			Details: details}
	}
	return Step{Verdict: Pass, Explanation: fmt.Sprintf("The Device IC's clock is within %s of this computer's UTC clock (%s %s).", limit, off, aheadOrBehindShort(offset)), Details: details}
}

const setTimeAction = "Set the time: the Set time button, or coap-workbench diagnose --set-time."

// clockWarns decides whether a clock off by offset warns, given the verdict of the last
// diagnosis of the same Device IC (known is false when there was none): hysteresis of
// clockHysteresis either side of the limit.
func clockWarns(offset, limit time.Duration, warnedBefore, known bool) bool {
	switch {
	case known && warnedBefore:
		limit -= clockHysteresis
	case known:
		limit += clockHysteresis
	}
	return offset.Abs() > limit
}

// readClock reads the Device IC's clock once. A reading that did not come back in time (no
// answer, the gateway's 5.04, or the NIC's 5.03 when its IC did not answer it) is worth
// another try; final says that one that failed is not.
func (r *run) readClock() (rd clockReading, bad *Step, final bool) {
	d, x, bad := r.decoded("/snsr/sys/time")
	if bad != nil {
		lost := x.Response == nil || x.Code() == codes.GatewayTimeout || x.Code() == codes.ServiceUnavailable
		return clockReading{}, bad, !lost
	}
	icTime, ok := d.Number("ic_time")
	if !ok {
		return clockReading{}, &Step{Verdict: Fail, Hop: HopDeviceIC, Explanation: "The Device IC's time could not be read.", Action: "Check the Device IC's firmware."}, true
	}
	// The IC read its clock somewhere during the round trip: compare with its middle. The IC
	// counts whole seconds: its reading stands for the middle of its second.
	mid := x.Start.Add(x.RTT / 2)
	off := time.Duration((icTime + 0.5 - float64(mid.UnixNano())/1e9) * float64(time.Second))
	return clockReading{offset: off, rtt: x.RTT, ic: fieldText(d, "ic_time"), mid: mid}, nil, false
}

// waitUntil waits until at, and reports false when the diagnosis was cancelled meanwhile.
func (r *run) waitUntil(at time.Time) bool {
	wait := time.Until(at)
	if wait <= 0 {
		return r.ctx.Err() == nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.ctx.Done():
		return false
	}
}

func byOffset(a, b clockReading) int { return int((a.offset - b.offset) / time.Microsecond) }

func medianOffset(rs []clockReading) time.Duration {
	offsets := make([]time.Duration, len(rs))
	for i, rd := range rs {
		offsets[i] = rd.offset
	}
	return median(offsets)
}

func medianRTT(rs []clockReading) time.Duration {
	rtts := make([]time.Duration, len(rs))
	for i, rd := range rs {
		rtts[i] = rd.rtt
	}
	return median(rtts)
}

// median of durations (the mean of the middle two of an even count).
func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// roundOffset rounds a clock offset to what its readings can tell: tenths of a second below
// ten seconds, whole seconds above.
func roundOffset(d time.Duration) time.Duration {
	if d.Abs() >= 10*time.Second {
		return d.Round(time.Second)
	}
	return d.Round(100 * time.Millisecond)
}

// offsetText is a clock offset for people; within a tenth of the limit, in hundredths, so that
// "5.04 s" is not read as the "5.0 s" it is said to be past.
func offsetText(d, limit time.Duration) string {
	if (d.Abs() - limit).Abs() < 100*time.Millisecond {
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return human.Duration(roundOffset(d))
}

// signed is an offset for the details: "+5.1 s", "-10 min".
func signed(d time.Duration) string {
	if d < 0 {
		return human.Duration(roundOffset(d))
	}
	return "+" + human.Duration(roundOffset(d))
}

func aheadOrBehind(d time.Duration) string {
	if d > 0 {
		return "ahead of"
	}
	return "behind"
}

func aheadOrBehindShort(d time.Duration) string {
	if d > 0 {
		return "ahead"
	}
	return "behind"
}

// SetTime sets the Device IC's clock of device to now (PUT /snsr/sys/time).
func SetTime(ctx context.Context, conn *coapengine.Connection, device string, now time.Time) error {
	x, err := conn.Do(ctx, coapengine.SetClockRequest(device, now))
	if err != nil || !x.OK() {
		_, why, _ := blame(x, err)
		return fmt.Errorf("the time was not set: %s", why)
	}
	return nil
}
