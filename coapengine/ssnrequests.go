package coapengine

import (
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/payload"
	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/plgd-dev/go-coap/v3/message/codes"
)

// The SSN resources the composer's helpers write to (contract §6 and §7).
const (
	ClockPath      = "/" + ssn.SensorPrefix + "/sys/time"  // the Device IC's clock
	EventPath      = "/" + ssn.SensorPrefix + "/sys/event" // events from the NIC to its Device IC
	PowerStatsPath = "/sys/stats?mod=pwr"                  // the NIC's power statistics
)

// DeviceEvents are the four events a NIC sends its Device IC with PUT /snsr/sys/event, in the
// seed's order; each one's String is its name ("storage mode" ... "tamper alert").
var DeviceEvents = []ssn.Event{ssn.EventStorageMode, ssn.EventServiceMode, ssn.EventLowBattery, ssn.EventTamper}

// deviceRoot is the scheme, host and port of device: a host name (reached on port 4849), or
// any coap:// URI of the device (its path and query are dropped).
func deviceRoot(device string) string {
	if t, err := ParseTarget(device); err == nil {
		return t.Scheme + "://" + t.HostPort()
	}
	return deviceBase(device)
}

// SetClockRequest is PUT /snsr/sys/time with the 10-byte record that sets the Device IC's
// clock of device (a host name or any coap:// URI of it) to at, to the millisecond, as
// octet-stream. The IC answers 2.04.
func SetClockRequest(device string, at time.Time) Request {
	r := NewRequest(codes.PUT, deviceRoot(device)+ClockPath)
	r.ContentFormat = ssn.FormatOctets
	r.Payload = payload.TimeSet(at)
	return r
}

// EventRequest is PUT /snsr/sys/event carrying e as the IC reads it: 4 bytes, little-endian,
// as octet-stream.
func EventRequest(device string, e ssn.Event) Request {
	r := NewRequest(codes.PUT, deviceRoot(device)+EventPath)
	r.ContentFormat = ssn.FormatOctets
	r.Payload, _ = e.MarshalBinary()
	return r
}

// ClearPowerStatsRequest clears the NIC's power statistics with method, PUT or DELETE
// /sys/stats?mod=pwr (the contract takes both: PUT answers 2.04, DELETE 2.02); any other
// method is taken as PUT.
func ClearPowerStatsRequest(device string, method codes.Code) Request {
	if method != codes.DELETE {
		method = codes.PUT
	}
	return NewRequest(method, deviceRoot(device)+PowerStatsPath)
}

// RequestPreset is a request the composer fills in for a device in one step, with a short
// label for a menu.
type RequestPreset struct {
	Label string // "Set the IC clock to now", "Event: tamper alert", "Clear power stats"
	// Build makes the request for device (a host name or any coap:// URI of it); now is the
	// time "now" means.
	Build func(device string, now time.Time) Request
}

// SSNPresets are the composer's helpers for the SSN payloads: the Device IC's clock set to
// now, each of the four events, and clearing the power statistics. Setting the clock to a
// chosen time is SetClockRequest with a time read by payload.ParseTime.
func SSNPresets() []RequestPreset {
	presets := []RequestPreset{{
		Label: "Set the IC clock to now",
		Build: func(device string, now time.Time) Request { return SetClockRequest(device, now.UTC()) },
	}}
	for _, e := range DeviceEvents {
		presets = append(presets, RequestPreset{
			Label: "Event: " + e.String(),
			Build: func(device string, _ time.Time) Request { return EventRequest(device, e) },
		})
	}
	return append(presets, RequestPreset{
		Label: "Clear power stats",
		Build: func(device string, _ time.Time) Request { return ClearPowerStatsRequest(device, codes.PUT) },
	})
}
