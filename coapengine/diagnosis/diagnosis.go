// Package diagnosis runs the NIC diagnosis support staff use: from the gateway to the
// session, the NIC, its Device IC, the IC's clock, the battery and the power statistics'
// notifications, each step with a verdict (pass, warn, fail, skipped), the hop a failure lies
// on, an explanation in plain words and a suggested action.
package diagnosis

import (
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/decode"
)

// Verdict is a step's outcome, from best to worst.
type Verdict string

// The verdicts.
const (
	Pass    Verdict = "pass"
	Skipped Verdict = "skipped"
	Warn    Verdict = "warn"
	Fail    Verdict = "fail"
)

// rank orders verdicts from best to worst (skipped counts as a pass for the worst verdict).
func (v Verdict) rank() int {
	switch v {
	case Warn:
		return 2
	case Fail:
		return 3
	}
	return 0
}

// Hop is where along the way a failure lies.
type Hop string

// The hops, from the support engineer's computer to the sensor board.
const (
	HopNone          Hop = ""
	HopClientGateway Hop = "client↔gateway"
	HopGateway       Hop = "gateway"
	HopGatewayDevice Hop = "gateway↔device"
	HopNIC           Hop = "NIC"
	HopDeviceIC      Hop = "Device IC"
	HopBattery       Hop = "battery"
)

// Step IDs, in the order the steps run.
const (
	StepGateway   = "gateway"
	StepSession   = "session"
	StepDevice    = "device"
	StepResources = "resources"
	StepDeviceIC  = "device-ic"
	StepClock     = "clock"
	StepPower     = "power"
	StepObserve   = "observe"
	StepEvents    = "events"
)

// stepTitles name the steps for people.
var stepTitles = map[string]string{
	StepGateway:   "Gateway reachable",
	StepSession:   "Session valid",
	StepDevice:    "NIC answers through the gateway",
	StepResources: "Resources discovered",
	StepDeviceIC:  "Device IC reachable",
	StepClock:     "Device IC clock",
	StepPower:     "Battery and power statistics",
	StepObserve:   "Power statistics notifications",
	StepEvents:    "Recent events",
}

// StepIDs are the steps in the order they run.
var StepIDs = []string{StepGateway, StepSession, StepDevice, StepResources, StepDeviceIC, StepClock, StepPower, StepObserve, StepEvents}

// Step is one step's outcome.
type Step struct {
	ID      string  `json:"id"`
	Title   string  `json:"title"`
	Verdict Verdict `json:"verdict"`
	// Hop is where a warning or failure lies ("" when it passed or was skipped).
	Hop         Hop           `json:"hop,omitempty"`
	Explanation string        `json:"explanation"`
	Action      string        `json:"action,omitempty"`
	Details     []string      `json:"details,omitempty"`
	Took        time.Duration `json:"took"`
}

// Report is a whole diagnosis.
type Report struct {
	Device   string    `json:"device"` // host name
	MAC      string    `json:"mac"`
	Gateway  string    `json:"gateway"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Steps    []Step    `json:"steps"`
	// Worst is the worst verdict of the steps; FailingStep the first step that has it.
	Worst       Verdict `json:"worst"`
	FailingStep string  `json:"failingStep,omitempty"`
	// Rebooted says that the NIC restarted during the run (its uptime went back).
	Rebooted bool `json:"rebooted,omitempty"`
	// Cancelled says that the run was cancelled: the steps it did not finish are skipped,
	// and the verdict covers only those that ran.
	Cancelled bool `json:"cancelled,omitempty"`
	// Power holds the battery volts seen during the run, for a report's chart.
	Power []PowerSample `json:"power,omitempty"`
}

// PowerSample is one reading of the power statistics.
type PowerSample struct {
	At           time.Time `json:"at"`
	BatteryVolts float64   `json:"batteryVolts"`
	SleepPercent float64   `json:"sleepPercent"`
}

// Options tune a diagnosis.
type Options struct {
	// Pings is how many times the NIC is pinged (GET /) for its round trip times. Default 5.
	Pings int
	// ClockWarn is the drift of the Device IC's clock past which the clock step warns.
	// Default 5 s.
	ClockWarn time.Duration
	// ClockReadings is how many times the clock step reads the Device IC's clock, spread
	// over a second; it decides on their median. Default 5.
	ClockReadings int
	// ClockMemory, when set, keeps each device's clock verdict for the next diagnosis, which
	// changes it only once the clock is a second past the limit the other way (hysteresis).
	ClockMemory *ClockMemory
	// BatteryWarn and BatteryFail are the battery volts under which the power step warns
	// and fails. Defaults 3.30 and 3.15.
	BatteryWarn, BatteryFail float64
	// ObserveFor is how long the power statistics are observed. Default 12 s.
	ObserveFor time.Duration
	// Timeout bounds each request. Default 10 s.
	Timeout time.Duration
	// Only, when set, runs these steps (IDs) and skips the others: a re-check of the clock
	// after setting the time, a quick check of the link.
	Only []string
	// Decoders reads the payloads (decode.NewRegistry when nil).
	Decoders *decode.Registry
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

func (o *Options) defaults() {
	if o.Pings <= 0 {
		o.Pings = 5
	}
	if o.ClockWarn <= 0 {
		o.ClockWarn = 5 * time.Second
	}
	if o.ClockReadings <= 0 {
		o.ClockReadings = 5
	}
	if o.BatteryWarn == 0 {
		o.BatteryWarn = 3.30
	}
	if o.BatteryFail == 0 {
		o.BatteryFail = 3.15
	}
	if o.ObserveFor <= 0 {
		o.ObserveFor = 12 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Decoders == nil {
		o.Decoders = decode.NewRegistry()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// worstOf sets the report's worst verdict and the first step that has it.
func (r *Report) worstOf() {
	r.Worst, r.FailingStep = Pass, ""
	for _, s := range r.Steps {
		if s.Verdict.rank() > r.Worst.rank() {
			r.Worst, r.FailingStep = s.Verdict, s.ID
		}
	}
}

// Step returns the step with id.
func (r Report) Step(id string) (Step, bool) {
	for _, s := range r.Steps {
		if s.ID == id {
			return s, true
		}
	}
	return Step{}, false
}

// WithStep is the report with s in place of the step of the same ID, and its worst verdict
// computed again.
func (r Report) WithStep(s Step) Report {
	s.Title = stepTitles[s.ID]
	steps := make([]Step, len(r.Steps))
	copy(steps, r.Steps)
	for i := range steps {
		if steps[i].ID == s.ID {
			steps[i] = s
		}
	}
	r.Steps = steps
	r.worstOf()
	return r
}
