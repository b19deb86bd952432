package mesh

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"
)

// LinkFaults is the state of a device's link to the gateway: what a mesh does to its packets.
type LinkFaults struct {
	// LossPercent is the chance, 0..100, that any one datagram to or from the NIC is lost.
	LossPercent float64
	// Delay is added to every datagram reaching the NIC, plus a uniform random Jitter.
	Delay  time.Duration
	Jitter time.Duration
	// Offline drops everything: the device is unreachable.
	Offline bool
}

// Profile is the baseline link of every device of a mesh.
type Profile struct {
	Name string
	Link LinkFaults
}

// The mesh profiles: Instant for tests and benchmarks, Field for a mesh that feels real.
var (
	Instant = Profile{Name: "instant"}
	Field   = Profile{Name: "field", Link: LinkFaults{LossPercent: 2, Delay: 150 * time.Millisecond, Jitter: 250 * time.Millisecond}}
)

// ProfileByName returns the profile called name.
func ProfileByName(name string) (Profile, error) {
	switch strings.ToLower(name) {
	case Instant.Name:
		return Instant, nil
	case Field.Name:
		return Field, nil
	}
	return Profile{}, fmt.Errorf("unknown mesh profile %q: use %q (no delay, for tests) or %q (delay and a little loss)", name, Instant.Name, Field.Name)
}

// deviceLink implements udpendpoint.Link for a NIC (and, without loss or delay, for its IC):
// it applies the link faults and a reboot's silence, and counts what the NIC sends.
type deviceLink struct {
	mu         sync.Mutex
	rng        *rand.Rand
	faults     LinkFaults
	down       bool // rebooting: neither sends nor receives
	withFaults bool
	onSend     func(n int)
	onReceive  func()
}

func (l *deviceLink) set(f LinkFaults) {
	l.mu.Lock()
	l.faults = f
	l.mu.Unlock()
}

func (l *deviceLink) get() LinkFaults {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.faults
}

func (l *deviceLink) setDown(down bool) {
	l.mu.Lock()
	l.down = down
	l.mu.Unlock()
}

// dropLocked decides whether a datagram, either way, is lost: the device is down or offline,
// or the loss draw says so.
func (l *deviceLink) dropLocked() bool {
	if l.down {
		return true
	}
	if !l.withFaults {
		return false
	}
	return l.faults.Offline || (l.faults.LossPercent > 0 && l.rng.Float64()*100 < l.faults.LossPercent)
}

func (l *deviceLink) Receive(_ netip.AddrPort, _ int) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.dropLocked() {
		return false, 0
	}
	if l.onReceive != nil {
		l.onReceive()
	}
	if !l.withFaults {
		return true, 0
	}
	delay := l.faults.Delay
	if l.faults.Jitter > 0 {
		delay += time.Duration(l.rng.Int64N(int64(l.faults.Jitter)))
	}
	return true, delay
}

func (l *deviceLink) Send(_ netip.AddrPort, n int) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.dropLocked() {
		return false, 0
	}
	if l.onSend != nil {
		l.onSend(n)
	}
	return true, 0
}

// FaultSpec is one --fault flag: which devices, and what to do to them.
type FaultSpec struct {
	// Devices is a MAC, a host name, or a pattern ("*", "SSN0013*").
	Devices string
	Kind    string // loss, delay, jitter, offline, battery-low, tamper, reboot, clock-skew
	Value   string
}

// FaultKinds lists the kinds a FaultSpec may name, with what their value means.
var FaultKinds = map[string]string{
	"loss":        "percent of datagrams lost each way, e.g. loss=30",
	"delay":       "added delay, e.g. delay=300ms",
	"jitter":      "random extra delay up to this, e.g. jitter=200ms",
	"offline":     "the device does not answer at all",
	"battery-low": "the battery drops to 3.05 V and the NIC raises a low-battery event",
	"tamper":      "the NIC raises a tamper event to its Device IC",
	"reboot":      "the device reboots once the mesh is up",
	"clock-skew":  "the Device IC's clock runs off by this much, e.g. clock-skew=-90s",
}

// ParseFaultSpec reads "DEVICES:KIND[=VALUE]", e.g. "001350050005E7D6:loss=30" or
// "*:delay=500ms".
func ParseFaultSpec(s string) (FaultSpec, error) {
	devices, action, ok := strings.Cut(s, ":")
	if !ok || devices == "" || action == "" {
		return FaultSpec{}, fmt.Errorf("fault %q: want DEVICES:KIND[=VALUE], e.g. 001350050005E7D6:loss=30", s)
	}
	kind, value, _ := strings.Cut(action, "=")
	kind = strings.ToLower(kind)
	if _, known := FaultKinds[kind]; !known {
		return FaultSpec{}, fmt.Errorf("fault %q: unknown kind %q (known: loss, delay, jitter, offline, battery-low, tamper, reboot, clock-skew)", s, kind)
	}
	spec := FaultSpec{Devices: devices, Kind: kind, Value: value}
	switch kind {
	case "loss":
		p, err := strconv.ParseFloat(value, 64)
		if err != nil || p < 0 || p > 100 {
			return FaultSpec{}, fmt.Errorf("fault %q: loss must be a percentage 0..100", s)
		}
	case "delay", "jitter", "clock-skew":
		d, err := time.ParseDuration(value)
		if err != nil || (kind != "clock-skew" && d < 0) {
			return FaultSpec{}, fmt.Errorf("fault %q: %s needs a duration such as 250ms", s, kind)
		}
	default:
		if value != "" {
			return FaultSpec{}, fmt.Errorf("fault %q: %s takes no value", s, kind)
		}
	}
	return spec, nil
}

// apply carries out the fault on d.
func (f FaultSpec) apply(d *Device) {
	link := d.LinkFaults()
	switch f.Kind {
	case "loss":
		link.LossPercent, _ = strconv.ParseFloat(f.Value, 64)
	case "delay":
		link.Delay, _ = time.ParseDuration(f.Value)
	case "jitter":
		link.Jitter, _ = time.ParseDuration(f.Value)
	case "offline":
		link.Offline = true
	case "battery-low":
		d.SetBatteryLow(true)
		return
	case "tamper":
		d.Tamper()
		return
	case "reboot":
		d.Reboot()
		return
	case "clock-skew":
		skew, _ := time.ParseDuration(f.Value)
		d.SkewClock(skew)
		return
	}
	d.SetLinkFaults(link)
}
