package diagnosis

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coap-workbench/coap-workbench/internal/human"

	"github.com/plgd-dev/go-coap/v3/message/codes"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/decode"
	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
)

// run is one diagnosis in progress.
type run struct {
	ctx      context.Context
	conn     *coapengine.Connection
	opts     Options
	base     string // coap://host:4849
	report   *Report
	progress func(Step)
	// mu guards what notifications write from the observation's goroutine: the report's
	// power samples, its Rebooted flag and the restart watch; stopped is set once the
	// observation has ended.
	mu       sync.Mutex
	restarts restartWatch
	stopped  bool
}

// Run diagnoses device (a host name) through conn, calling progress (when not nil) with each
// step as it starts (verdict "") and as it ends. A step that cannot run because an earlier
// one failed is skipped, and says why.
func Run(ctx context.Context, conn *coapengine.Connection, device string, opts Options, progress func(Step)) Report {
	opts.defaults()
	rep := &Report{Device: device, Gateway: conn.Profile().Gateway, Started: opts.Now()}
	if mac, _, err := ssn.ParseHostName(device); err == nil {
		rep.MAC = mac.String() // another host the gateway knows has none
	}
	r := &run{ctx: ctx, conn: conn, opts: opts, base: fmt.Sprintf("coap://%s:%d", device, ssn.MilliPort), report: rep, progress: progress}
	var blocked string // why the remaining steps cannot run
	for _, id := range StepIDs {
		if blocked == "" && ctx.Err() != nil {
			blocked = "the diagnosis was cancelled"
		}
		if blocked != "" {
			r.record(Step{ID: id, Verdict: Skipped, Explanation: "Not run: " + blocked + "."})
			continue
		}
		if len(opts.Only) > 0 && !slices.Contains(opts.Only, id) {
			r.record(Step{ID: id, Verdict: Skipped, Explanation: "Not asked for."})
			continue
		}
		r.begin(id)
		start := opts.Now()
		s := r.step(id)
		if ctx.Err() != nil && s.Verdict != Pass {
			// What a cancellation interrupted says nothing about the NIC.
			s = Step{Verdict: Skipped, Explanation: "Cancelled before it finished."}
			blocked = "the diagnosis was cancelled"
		}
		s.ID, s.Took = id, opts.Now().Sub(start)
		r.record(s)
		if s.Verdict == Fail {
			switch id {
			case StepGateway, StepSession, StepDevice:
				blocked = fmt.Sprintf("the step %q failed", stepTitles[id])
			}
		}
	}
	rep.Finished = opts.Now()
	rep.Cancelled = ctx.Err() != nil
	rep.worstOf()
	r.mu.Lock()
	defer r.mu.Unlock()
	return *rep
}

func (r *run) begin(id string) {
	if r.progress != nil {
		r.progress(Step{ID: id, Title: stepTitles[id]})
	}
}

func (r *run) record(s Step) {
	s.Title = stepTitles[s.ID]
	r.report.Steps = append(r.report.Steps, s)
	if r.progress != nil {
		r.progress(s)
	}
}

func (r *run) step(id string) Step {
	switch id {
	case StepGateway:
		return r.gateway()
	case StepSession:
		return r.session()
	case StepDevice:
		return r.device()
	case StepResources:
		return r.resources()
	case StepDeviceIC:
		return r.deviceIC()
	case StepClock:
		return r.clock()
	case StepPower:
		return r.power()
	case StepObserve:
		return r.observe()
	case StepEvents:
		return r.events()
	}
	return Step{Verdict: Skipped, Explanation: "Unknown step."}
}

// get sends a GET of path on the device (or of the gateway's own resource when device is
// false).
func (r *run) get(path string, onDevice bool) (coapengine.Exchange, error) {
	uri := r.base + path
	if !onDevice {
		uri = "coap://" + r.conn.Profile().Gateway + path
	}
	req := coapengine.NewRequest(codes.GET, uri)
	req.Timeout = r.opts.Timeout
	return r.conn.Do(r.ctx, req)
}

// failed is the step of an exchange that did not succeed, placed on its hop.
func failed(x coapengine.Exchange, err error, verdict Verdict) Step {
	hop, why, action := blame(x, err)
	s := Step{Verdict: verdict, Hop: hop, Explanation: why, Action: action}
	if err != nil {
		s.Details = []string{"the error, for the record: " + err.Error()}
	}
	return s
}

func (r *run) gateway() Step {
	if !r.conn.ViaGateway() {
		return Step{Verdict: Skipped, Explanation: "This profile sends straight to devices: there is no gateway to check."}
	}
	x, err := r.get("/", false)
	if err != nil || x.Response == nil {
		return failed(x, err, Fail)
	}
	return Step{Verdict: Pass, Explanation: fmt.Sprintf("The gateway at %s answered in %s.", r.conn.Profile().Gateway, human.RTT(x.RTT)),
		Details: []string{strings.TrimSpace(string(x.Response.Payload))}}
}

func (r *run) session() Step {
	if !r.conn.ViaGateway() {
		return Step{Verdict: Skipped, Explanation: "No gateway, no session."}
	}
	if st := r.conn.Status(); st.LoggedIn {
		return Step{Verdict: Pass, Explanation: "A session is open" + tokenExpiry(st, r.opts.Now()) + "."}
	}
	if err := r.conn.Login(r.ctx); err != nil {
		return Step{Verdict: Fail, Hop: HopClientGateway, Explanation: "The gateway refused the login: " + err.Error() + ".",
			Action: "Check the token (or the token URL, client id and secret) and that the account may use this gateway."}
	}
	return Step{Verdict: Pass, Explanation: "Logged in" + tokenExpiry(r.conn.Status(), r.opts.Now()) + "."}
}

func tokenExpiry(st coapengine.SessionStatus, now time.Time) string {
	if st.TokenExpires.IsZero() {
		return ""
	}
	return fmt.Sprintf("; the token expires in %d min", int(st.TokenExpires.Sub(now).Minutes()))
}

// slowRTT is a round trip that needed a retransmission somewhere: longer than CoAP's first
// ACK_TIMEOUT (RFC 7252: 2 s).
const slowRTT = 2 * time.Second

func (r *run) device() Step {
	var rtts []time.Duration
	var lastFail coapengine.Exchange
	var lastErr error
	retransmitted, failures := 0, 0
	for range r.opts.Pings {
		x, err := r.get("/", true)
		if err != nil || !x.OK() {
			failures++
			lastFail, lastErr = x, err
			continue
		}
		rtts = append(rtts, x.RTT)
		if x.Retransmissions > 0 || x.RTT >= slowRTT {
			retransmitted++
		}
	}
	if len(rtts) == 0 {
		return failed(lastFail, lastErr, Fail)
	}
	slices.Sort(rtts)
	p50, p95 := percentile(rtts, 50), percentile(rtts, 95)
	details := []string{fmt.Sprintf("%d of %d pings answered; RTT p50 %s, p95 %s; %d needed a retransmission", len(rtts), r.opts.Pings, human.RTT(p50), human.RTT(p95), retransmitted)}
	switch {
	case failures > 0:
		hop, why, _ := blame(lastFail, lastErr)
		return Step{Verdict: Warn, Hop: hop, Explanation: fmt.Sprintf("The NIC answered %d of %d pings; the others failed: %s", len(rtts), r.opts.Pings, why),
			Action: "An intermittent link: check the NIC's radio signal, and try again later.", Details: details}
	case retransmitted > 0:
		return Step{Verdict: Warn, Hop: HopGatewayDevice, Explanation: fmt.Sprintf("The NIC answers, but %d of %d pings needed a retransmission (p95 %s): the radio link loses packets.", retransmitted, r.opts.Pings, human.RTT(p95)),
			Action: "Check the NIC's antenna and position, and what stands between it and its neighbours.", Details: details}
	}
	return Step{Verdict: Pass, Explanation: fmt.Sprintf("The NIC answered every ping: RTT p50 %s, p95 %s.", human.RTT(p50), human.RTT(p95)), Details: details}
}

// percentile of sorted durations, nearest rank.
func percentile(sorted []time.Duration, p int) time.Duration {
	i := int(math.Ceil(float64(p)/100*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func (r *run) resources() Step {
	ctx, cancel := context.WithTimeout(r.ctx, 4*r.opts.Timeout)
	defer cancel()
	tree := r.conn.Crawl(ctx, r.base)
	if !tree.Reachable {
		return Step{Verdict: Fail, Hop: HopGatewayDevice, Explanation: "The NIC did not list its resources: " + tree.Err + ".",
			Action: "Try again; if the NIC answers pings but not /.well-known/core, its firmware is at fault."}
	}
	var missing []string
	for _, want := range []string{"/sys/stats?mod=pwr", "/snsr/sys/time"} {
		if !slices.ContainsFunc(tree.Resources, func(res coapengine.Resource) bool { return res.Path == want }) {
			missing = append(missing, want)
		}
	}
	details := []string{fmt.Sprintf("%d resources: %s", len(tree.Resources), resourcePaths(tree.Resources))}
	if len(missing) > 0 {
		return Step{Verdict: Warn, Hop: HopNIC, Explanation: "The NIC does not list " + strings.Join(missing, " and ") + ": another NIC type, or its Device IC is missing.",
			Action: "Check the NIC's type; the steps that need those resources may fail.", Details: details}
	}
	return Step{Verdict: Pass, Explanation: fmt.Sprintf("The NIC lists %d resources, its Device IC's among them.", len(tree.Resources)), Details: details}
}

func resourcePaths(res []coapengine.Resource) string {
	paths := make([]string, 0, len(res))
	for _, r := range res {
		paths = append(paths, r.Path)
	}
	if len(paths) > 12 {
		paths = append(paths[:12], "…")
	}
	return strings.Join(paths, " ")
}

// decoded GETs path on the device and decodes the answer; a failed exchange gives its step.
func (r *run) decoded(path string) (decode.Decoded, coapengine.Exchange, *Step) {
	x, err := r.get(path, true)
	if err != nil || !x.OK() {
		s := failed(x, err, Fail)
		return decode.Decoded{}, x, &s
	}
	d := x.Decode(r.opts.Decoders)
	if d.Err != nil {
		return d, x, &Step{Verdict: Fail, Hop: HopDeviceIC, Explanation: fmt.Sprintf("The answer of %s could not be read: %v.", path, d.Err),
			Action: "The Device IC's firmware answers in another format: check its version."}
	}
	return d, x, nil
}

func fieldText(d decode.Decoded, name string) string {
	for _, f := range d.Fields {
		if f.Name == name {
			return f.Display
		}
	}
	return ""
}

func (r *run) deviceIC() Step {
	d, _, bad := r.decoded("/snsr/sys/info")
	if bad != nil {
		return *bad
	}
	return Step{Verdict: Pass, Explanation: fmt.Sprintf("The Device IC answered: %s %s, built %s.", fieldText(d, "name"), fieldText(d, "version"), fieldText(d, "build_date"))}
}

func (r *run) power() Step {
	d, x, bad := r.decoded("/sys/stats?mod=pwr")
	if bad != nil {
		return *bad
	}
	volts, okV := d.Number("bat_voltage")
	sleep, okS := d.Number("sleep_pct")
	if !okV || !okS {
		return Step{Verdict: Fail, Hop: HopNIC, Explanation: "The NIC's power statistics lack the battery or sleep values: another NIC type or firmware.",
			Action: "Check the NIC's type and firmware version."}
	}
	r.noteAnswer(x, d)
	details := []string{fmt.Sprintf("battery %.3f V; asleep %.1f %% of the time; radio on %s; %s sent", volts, sleep, fieldText(d, "radio_on_pct"), fieldText(d, "tx_bytes"))}
	switch {
	case volts < r.opts.BatteryFail:
		return Step{Verdict: Fail, Hop: HopBattery, Explanation: fmt.Sprintf("The battery is at %.2f V, below %.2f V: the NIC will soon stop.", volts, r.opts.BatteryFail),
			Action: "Replace the battery.", Details: details}
	case volts < r.opts.BatteryWarn:
		return Step{Verdict: Warn, Hop: HopBattery, Explanation: fmt.Sprintf("The battery is at %.2f V, below %.2f V: it is running down.", volts, r.opts.BatteryWarn),
			Action: "Plan a battery replacement.", Details: details}
	case sleep < 50:
		return Step{Verdict: Warn, Hop: HopNIC, Explanation: fmt.Sprintf("The NIC sleeps only %.0f %% of the time: its radio is busier than a sensor's should be, and drains the battery.", sleep),
			Action: "Look for a neighbour that floods it with traffic, or a misconfigured reporting interval.", Details: details}
	}
	return Step{Verdict: Pass, Explanation: fmt.Sprintf("The battery is at %.2f V and the NIC sleeps %.0f %% of the time.", volts, sleep), Details: details}
}

// notePower keeps a power reading for the report; up, when not nil, is its uptime reading,
// which tells whether the NIC restarted.
func (r *run) notePower(at time.Time, d decode.Decoded, up *uptimeReading) {
	r.mu.Lock()
	defer r.mu.Unlock()
	volts, okV := d.Number("bat_voltage")
	sleep, _ := d.Number("sleep_pct")
	if okV {
		r.report.Power = append(r.report.Power, PowerSample{At: at, BatteryVolts: volts, SleepPercent: sleep})
	}
	if total, ok := d.Number("total_time"); ok && up != nil {
		up.uptime = time.Duration(total * float64(time.Second))
		if r.restarts.note(*up) {
			r.report.Rebooted = true
		}
	}
}

// noteAnswer notes the power statistics d of a GET's answer x, made by the NIC after the
// request was sent.
func (r *run) noteAnswer(x coapengine.Exchange, d decode.Decoded) {
	arrived := x.Start.Add(x.RTT)
	r.notePower(arrived, d, &uptimeReading{notBefore: x.Start, arrived: arrived})
}

func (r *run) observe() Step {
	req := coapengine.NewRequest(codes.GET, r.base+"/sys/stats?mod=pwr")
	req.Timeout = r.opts.Timeout
	var order notificationOrder
	notify := func(x coapengine.Exchange) {
		r.mu.Lock()
		// A notification in flight as the observation ended, or one the NIC made before
		// another already noted, says nothing new.
		late := r.stopped || !order.fresh(x)
		r.mu.Unlock()
		if late || !x.OK() {
			return
		}
		r.notePower(x.Start, x.Decode(r.opts.Decoders), &uptimeReading{notBefore: x.Start.Add(-maxAge(x)), arrived: x.Start})
	}
	obs, first, err := r.conn.Observe(r.ctx, req, notify)
	if err != nil {
		if first.Response != nil && first.OK() {
			return Step{Verdict: Warn, Hop: HopNIC, Explanation: "The NIC answered, but does not let its power statistics be observed: " + err.Error() + ".",
				Action: "Check the NIC's firmware: charts and alerts need Observe."}
		}
		return failed(first, err, Warn)
	}
	if first.OK() {
		// The registration's answer may come from the gateway's relay of an observation
		// another client holds: the representation it has, perhaps older than the power
		// step's reading. It goes on the chart, but cannot tell a restart.
		r.notePower(first.Start.Add(first.RTT), first.Decode(r.opts.Decoders), nil)
	}
	began := r.opts.Now()
	select {
	case <-time.After(r.opts.ObserveFor):
	case <-obs.Done():
	case <-r.ctx.Done():
	}
	watched := human.Duration(r.opts.Now().Sub(began))
	h := obs.Health()
	cctx, cancel := context.WithTimeout(context.WithoutCancel(r.ctx), r.opts.Timeout)
	defer cancel()
	_ = obs.Cancel(cctx)
	r.mu.Lock()
	r.stopped = true
	r.mu.Unlock()
	// One more reading after the watch: a NIC that restarted meanwhile, and so lost its
	// observers, shows it in its uptime.
	if x, err := r.get("/sys/stats?mod=pwr", true); err == nil && x.OK() {
		r.noteAnswer(x, x.Decode(r.opts.Decoders))
	}
	r.mu.Lock()
	rebooted, watch := r.report.Rebooted, r.restarts
	r.mu.Unlock()
	details := []string{fmt.Sprintf("%d notifications in %s; %d gaps; %d reorders; %d re-registrations; Max-Age %s", h.Notifications, watched, h.Gaps, h.Reorders, h.Reregistrations, human.Duration(h.MaxAge))}
	switch {
	case rebooted:
		return Step{Verdict: Warn, Hop: HopNIC, Explanation: fmt.Sprintf("The NIC restarted during the diagnosis: its uptime went back from %s to %s.", human.Duration(watch.best.uptime), human.Duration(watch.after)),
			Action: "If nobody rebooted it (or cleared its power statistics), watch for more restarts: a failing battery or firmware.", Details: details}
	case h.Notifications == 0:
		return Step{Verdict: Warn, Hop: HopGatewayDevice, Explanation: fmt.Sprintf("No notification arrived in %s.", watched),
			Action: "The NIC may notify less often than that: observe longer; or notifications are lost on the way.", Details: details}
	case h.Gaps > 0:
		return Step{Verdict: Warn, Hop: HopGatewayDevice, Explanation: fmt.Sprintf("%d notifications were lost on the way (sequence gaps).", h.Gaps),
			Action: "A lossy link: check the NIC's radio signal.", Details: details}
	}
	return Step{Verdict: Pass, Explanation: fmt.Sprintf("%s arrived in %s, none lost.", human.Plural(h.Notifications, "notification"), watched), Details: details}
}

// alertAge is how old an event may be and still be raised as an alert.
const alertAge = 7 * 24 * time.Hour

const (
	tamperAction     = "A tamper alert: check that the enclosure is closed and intact."
	lowBatteryAction = "A low battery: replace it."
)

func (r *run) events() Step {
	d, _, bad := r.decoded("/snsr/sys/event")
	if bad != nil {
		bad.Verdict = Warn
		return *bad
	}
	var alerts, all, actions []string
	hop := HopNone
	for _, f := range d.Fields {
		all = append(all, f.Name+" "+f.Display)
		// An alert older than a week is history, listed but not raised again.
		if at, err := time.Parse(time.RFC3339, f.Name); err == nil && r.opts.Now().Sub(at) > alertAge {
			continue
		}
		switch ssn.Event(uint32(f.Value)) {
		case ssn.EventLowBattery:
			alerts = append(alerts, f.Display+" at "+f.Name)
			if !slices.Contains(actions, lowBatteryAction) {
				actions = append([]string{lowBatteryAction}, actions...)
				hop = HopBattery // the battery first: it stops the NIC
			}
		case ssn.EventTamper:
			alerts = append(alerts, f.Display+" at "+f.Name)
			if !slices.Contains(actions, tamperAction) {
				actions = append(actions, tamperAction)
				if hop == HopNone {
					hop = HopNIC
				}
			}
		}
	}
	if len(alerts) > 0 {
		return Step{Verdict: Warn, Hop: hop, Explanation: "The NIC raised alerts: " + strings.Join(alerts, "; ") + ".",
			Action: strings.Join(actions, " "), Details: all}
	}
	if len(all) == 0 {
		return Step{Verdict: Pass, Explanation: "No events were reported."}
	}
	return Step{Verdict: Pass, Explanation: fmt.Sprintf("%d events, no alert.", len(all)), Details: all}
}
