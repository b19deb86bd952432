package decode

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
)

// PowerStats decodes the Milli NIC's 48-byte power statistics.
type PowerStats struct{}

// Name implements Decoder.
func (PowerStats) Name() string { return "power-stats" }

// Decode implements Decoder.
func (PowerStats) Decode(in Input) (Decoded, error) {
	var p ssn.PowerStats
	if err := p.UnmarshalBinary(in.Payload); err != nil {
		return Decoded{}, err
	}
	seconds := func(name string, ticks uint32) Field {
		s := ssn.TickDuration(ticks).Seconds()
		return Field{Name: name, Value: s, Numeric: true, Unit: "s", Display: formatSeconds(s)}
	}
	count := func(name string, v uint32, unit string) Field {
		d := strconv.FormatUint(uint64(v), 10)
		if unit != "" {
			d += " " + unit
		}
		return Field{Name: name, Value: float64(v), Numeric: true, Unit: unit, Display: d}
	}
	percent := func(name string, ratio float64) Field {
		return Field{Name: name, Value: 100 * ratio, Numeric: true, Unit: "%", Display: strconv.FormatFloat(100*ratio, 'f', 2, 64) + " %"}
	}
	fields := []Field{
		seconds("total_time", p.TotalTime),
		seconds("sleep_time", p.SleepTime),
		seconds("standby_time", p.StandbyTime),
		seconds("rfc_time", p.RFCTime),
		seconds("sfl_time", p.SFLTime),
		seconds("nxp_time", p.NXPTime),
		count("tx_bytes", p.TxBytes, "B"),
		seconds("rx_time", p.RxTime),
		count("charge_ctr_low", p.ChargeCtrLow, ""),
		count("charge_ctr_pause_max", p.ChargeCtrPauseMax, ""),
		{Name: "bat_voltage", Value: p.BatteryVolts(), Numeric: true, Unit: "V", Display: strconv.FormatFloat(p.BatteryVolts(), 'f', 3, 64) + " V (" + strconv.FormatUint(uint64(p.BatteryMicrovolts), 10) + " µV)"},
		percent("sleep_pct", p.SleepRatio()),
		percent("radio_on_pct", p.RadioOnRatio()),
	}
	return Decoded{Text: table("Milli NIC power statistics", fields), Fields: fields}, nil
}

// formatSeconds shows a duration in seconds with the larger units beside it. (strconv, not
// fmt: charts and history searches decode records by the thousand.)
func formatSeconds(s float64) string {
	d := time.Duration(s * float64(time.Second))
	text := strconv.FormatFloat(s, 'f', 3, 64) + " s"
	if d < time.Minute {
		return text
	}
	return text + " (" + d.Round(time.Second).String() + ")"
}

// table renders fields one per line under a title, names aligned.
func table(title string, fields []Field) string {
	width, size := 0, len(title)
	for _, f := range fields {
		width = max(width, len(f.Name))
		size += len(f.Display)
	}
	var b strings.Builder
	b.Grow(size + len(fields)*(width+5))
	b.WriteString(title)
	for _, f := range fields {
		b.WriteString("\n  ")
		b.WriteString(f.Name)
		for range width - len(f.Name) {
			b.WriteByte(' ')
		}
		b.WriteString("  ")
		b.WriteString(f.Display)
	}
	return b.String()
}

// ICTime decodes the Device IC's clock: GET sys/time (4 bytes) or a time-set record (10).
type ICTime struct{}

// Name implements Decoder.
func (ICTime) Name() string { return "ic-time" }

// Decode implements Decoder.
func (ICTime) Decode(in Input) (Decoded, error) {
	var at time.Time
	what := "Device IC clock"
	switch len(in.Payload) {
	case ssn.SystemTimeSize:
		t, err := ssn.DecodeSystemTime(in.Payload)
		if err != nil {
			return Decoded{}, err
		}
		at = t
	case ssn.TimeSetSize:
		var set ssn.TimeSet
		if err := set.UnmarshalBinary(in.Payload); err != nil {
			return Decoded{}, err
		}
		at, what = set.Time(), "time set to"
	default:
		return Decoded{}, fmt.Errorf("a Device IC time is %d bytes (or a time-set record of %d), got %d", ssn.SystemTimeSize, ssn.TimeSetSize, len(in.Payload))
	}
	fields := []Field{{Name: "ic_time", Value: float64(at.Unix()), Numeric: true, Unit: "s", Display: at.UTC().Format(time.RFC3339)}}
	if !in.ReceivedAt.IsZero() && what == "Device IC clock" {
		drift := at.Sub(in.ReceivedAt.Truncate(time.Second)).Seconds()
		fields = append(fields, Field{Name: "drift", Value: drift, Numeric: true, Unit: "s", Display: describeDrift(drift)})
	}
	return Decoded{Text: table(what, fields), Fields: fields}, nil
}

func describeDrift(s float64) string {
	switch {
	case s > 0.5:
		return fmt.Sprintf("%+.0f s (ahead of this computer)", s)
	case s < -0.5:
		return fmt.Sprintf("%+.0f s (behind this computer)", s)
	}
	return "0 s (in step with this computer, to the second)"
}

// CoapStats decodes the Device IC's CoAP counters.
type CoapStats struct{}

// Name implements Decoder.
func (CoapStats) Name() string { return "coap-stats" }

// Decode implements Decoder.
func (CoapStats) Decode(in Input) (Decoded, error) {
	var c ssn.CoapStats
	if err := c.UnmarshalBinary(in.Payload); err != nil {
		return Decoded{}, err
	}
	var fields []Field
	for i, v := range c.Values() {
		fields = append(fields, Field{Name: ssn.CoapStatsFieldNames[i], Value: float64(v), Numeric: true, Display: fmt.Sprint(v)})
	}
	return Decoded{Text: table("Device IC CoAP statistics", fields), Fields: fields}, nil
}

// SensorReading decodes the HDK's sensor map {0: type, 1: text}; temperatures become numbers.
type SensorReading struct{}

// Name implements Decoder.
func (SensorReading) Name() string { return "sensor" }

// Decode implements Decoder.
func (SensorReading) Decode(in Input) (Decoded, error) {
	var r ssn.SensorReading
	if err := r.UnmarshalCBOR(in.Payload); err != nil {
		return Decoded{}, err
	}
	fields := []Field{{Name: "sensor", Display: r.Sensor}}
	if t, err := ssn.ParseTemperature(r.Text); err == nil {
		unit := "°" + t.Unit
		fields = append(fields,
			Field{Name: "temperature", Value: t.Value, Numeric: true, Unit: unit, Display: fmt.Sprintf("%.2f %s", t.Value, unit)},
			Field{Name: "time", Value: float64(t.Time.Unix()), Numeric: true, Unit: "s", Display: t.Time.Format(time.RFC3339)})
	} else {
		fields = append(fields, Field{Name: "value", Display: r.Text})
	}
	return Decoded{Text: table("Sensor reading", fields), Fields: fields}, nil
}

// SystemInfo decodes the Device IC's sys/info.
type SystemInfo struct{}

// Name implements Decoder.
func (SystemInfo) Name() string { return "system-info" }

// Decode implements Decoder.
func (SystemInfo) Decode(in Input) (Decoded, error) {
	info, err := ssn.UnmarshalSystemInfo(in.Payload)
	if err != nil {
		return Decoded{}, err
	}
	fields := []Field{{Name: "name", Display: info.Name}, {Name: "version", Display: info.Version}, {Name: "build_date", Display: info.BuildDate}}
	return Decoded{Text: table("Device IC", fields), Fields: fields}, nil
}

// Events decodes sys/event: a 4-byte event (the PUT payload) or the CBOR list GET answers.
type Events struct{}

// Name implements Decoder.
func (Events) Name() string { return "events" }

type eventRecord struct {
	Event uint32 `cbor:"event"`
	Name  string `cbor:"name"`
	Time  int64  `cbor:"time"`
}

// Decode implements Decoder.
func (Events) Decode(in Input) (Decoded, error) {
	if len(in.Payload) == ssn.EventSize && in.ContentFormat != ssn.FormatCBOR {
		var e ssn.Event
		_ = e.UnmarshalBinary(in.Payload)
		f := Field{Name: "event", Value: float64(e), Numeric: true, Display: fmt.Sprintf("%d (%s)", uint32(e), e)}
		return Decoded{Text: table("Event", []Field{f}), Fields: []Field{f}}, nil
	}
	var records []eventRecord
	if err := cborValues.Unmarshal(in.Payload, &records); err != nil {
		return Decoded{}, fmt.Errorf("events: want a 4-byte event or a CBOR list of events: %w", err)
	}
	if len(records) == 0 {
		return Decoded{Text: "No events received"}, nil
	}
	var fields []Field
	for _, r := range records {
		at := time.Unix(r.Time, 0).UTC().Format(time.RFC3339)
		fields = append(fields, Field{Name: at, Value: float64(r.Event), Numeric: true, Display: fmt.Sprintf("%d (%s)", r.Event, ssn.Event(r.Event))})
	}
	return Decoded{Text: table("Events received by the Device IC", fields), Fields: fields}, nil
}
