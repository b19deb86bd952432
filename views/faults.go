package views

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/coap-workbench/coap-workbench/internal/human"
)

// DeviceStatusRow is a snapshot of one simulated device: its link and its faults.
type DeviceStatusRow struct {
	// Name is the device's host name, e.g. SSN001350050005E7D6.sim.starfish.test.
	Name string
	// Type is the NIC type, e.g. Milli or Gen5.
	Type string
	// LossPercent, Delay, Jitter and Offline are the link's faults (see LinkSettings).
	LossPercent   float64
	Delay, Jitter time.Duration
	Offline       bool
	// Rebooting is true while the device (or its Device IC) restarts and answers nothing.
	Rebooting    bool
	BatteryLow   bool
	BatteryVolts float64
	// Observers is the number of clients observing the device's power statistics.
	Observers int
	// ClockSkew is how far the Device IC's clock is off true time.
	ClockSkew time.Duration
}

// Link is the row's link settings.
func (d *DeviceStatusRow) Link() LinkSettings {
	return LinkSettings{LossPercent: d.LossPercent, Delay: d.Delay, Jitter: d.Jitter, Offline: d.Offline}
}

// LinkSettings are the faults of a device's link to the gateway.
type LinkSettings struct {
	// LossPercent is the chance, 0 to 100, that any one datagram is lost.
	LossPercent float64
	// Delay is added to every datagram, plus a random delay up to Jitter.
	Delay, Jitter time.Duration
	// Offline drops everything: the device is unreachable.
	Offline bool
}

// String says the link in a few words: "offline", "ok", "loss 2 %, delay 150 ms ± 250 ms".
func (l LinkSettings) String() string {
	if l.Offline {
		return "offline"
	}
	var parts []string
	if l.LossPercent > 0 {
		parts = append(parts, "loss "+strconv.FormatFloat(l.LossPercent, 'f', -1, 64)+" %")
	}
	switch {
	case l.Delay > 0 && l.Jitter > 0:
		parts = append(parts, "delay "+human.Duration(l.Delay)+" ± "+human.Duration(l.Jitter))
	case l.Delay > 0:
		parts = append(parts, "delay "+human.Duration(l.Delay))
	case l.Jitter > 0:
		parts = append(parts, "jitter "+human.Duration(l.Jitter))
	}
	if len(parts) == 0 {
		return "ok"
	}
	return strings.Join(parts, ", ")
}

// worseThan reports whether l loses, delays or drops more than usual does.
func (l LinkSettings) worseThan(usual LinkSettings) bool {
	return l.LossPercent > usual.LossPercent || l.Delay > usual.Delay || l.Jitter > usual.Jitter || l.Offline && !usual.Offline
}

// clockSkewFault is the skew from which a Device IC's clock is a fault: the NIC sets it
// within a second of true time when it boots.
const clockSkewFault = 2 * time.Second

// clockFault reports whether the Device IC's clock is off by a fault. While the device
// reboots its IC starts from the epoch until the NIC sets it, which is no fault.
func (d *DeviceStatusRow) clockFault() bool {
	return !d.Rebooting && d.ClockSkew.Abs() >= clockSkewFault
}

// faults sums up what is wrong with the device, its link against the mesh profile's link:
// "loss 30 %, delay 150 ms ± 250 ms · battery low · clock skew -2 min", "" when nothing is.
// A reboot and a tamper event pass and are not counted.
func (d *DeviceStatusRow) faults(profile LinkSettings) string {
	var parts []string
	if l := d.Link(); l.worseThan(profile) {
		parts = append(parts, l.String())
	}
	if d.BatteryLow {
		parts = append(parts, "battery low")
	}
	if d.clockFault() {
		parts = append(parts, "clock skew "+human.Duration(d.ClockSkew))
	}
	return strings.Join(parts, " · ")
}

// linkState is the row's link as the device list shows it.
func (d *DeviceStatusRow) linkState() string {
	if d.Rebooting && !d.Offline {
		return "rebooting"
	}
	return d.Link().String()
}

// state is the device list's last column: the link, and the clock when it is off.
func (d *DeviceStatusRow) state() string {
	if d.clockFault() {
		return d.linkState() + " · clock skew " + human.Duration(d.ClockSkew)
	}
	return d.linkState()
}

func (d *DeviceStatusRow) battery() string {
	volts := strconv.FormatFloat(d.BatteryVolts, 'f', 2, 64) + " V"
	if d.BatteryLow {
		volts += " (low)"
	}
	return volts
}

// matches reports whether the device's name, type or state contains text, ignoring case.
func (d *DeviceStatusRow) matches(text string) bool {
	return containsFold(d.Name, text) || containsFold(d.Type, text) || containsFold(d.state(), text)
}

// parseLink reads the link settings the user typed.
func parseLink(loss, delay, jitter string, offline bool) (LinkSettings, error) {
	l := LinkSettings{Offline: offline}
	var err error
	if l.LossPercent, err = parseLoss(loss); err != nil {
		return l, err
	}
	if l.Delay, err = parseDuration("delay", delay, false); err != nil {
		return l, err
	}
	l.Jitter, err = parseDuration("jitter", jitter, false)
	return l, err
}

// parseLoss reads a percentage from 0 to 100 ("30", "30 %", "" for none).
func parseLoss(text string) (float64, error) {
	text = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(text), "%"))
	if text == "" {
		return 0, nil
	}
	loss, err := strconv.ParseFloat(text, 64)
	if err != nil || loss < 0 || loss > 100 {
		return 0, fmt.Errorf("loss %q is not a percentage: write a number from 0 to 100", text)
	}
	return loss, nil
}

// parseDuration reads a duration called what, as the console writes it ("300 ms", "1.5 s",
// "-1 min 30 s") or as Go does ("300ms", "-90s"); "" is none.
func parseDuration(what, text string, negativeOK bool) (time.Duration, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(goDuration(text))
	if err != nil {
		return 0, fmt.Errorf("%s %q is not a duration: write it like 300 ms, 1.5 s or 2 min", what, text)
	}
	if d < 0 && !negativeOK {
		return 0, fmt.Errorf("%s %s cannot be negative", what, text)
	}
	return d, nil
}

// goDuration is a duration written for people ("-1 min 30 s") in time.ParseDuration's
// syntax ("-1m30s").
func goDuration(text string) string {
	text = strings.NewReplacer(" ", "", "\u00a0", "", "\u2212", "-", "min", "m").Replace(text)
	return text
}
