package series

import (
	"math"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/coap-workbench/coap-workbench/coapengine/decode"
	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
)

var t0 = time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)

func TestTheRingKeepsTheNewestSamplesInOrder(t *testing.T) {
	r := NewRing(4)
	for i := range 10 {
		r.Add(Sample{At: int64(i), Value: float64(i * 10)})
	}
	if r.Len() != 4 || r.Cap() != 4 {
		t.Fatalf("len %d cap %d", r.Len(), r.Cap())
	}
	got := r.AppendTo(nil, 0)
	for i, s := range got {
		if s.At != int64(6+i) || s.Value != float64((6+i)*10) {
			t.Fatalf("sample %d: %+v", i, s)
		}
	}
	if got := r.AppendTo(nil, 8); len(got) != 2 || got[0].At != 8 || got[1].At != 9 {
		t.Fatalf("since 8: %+v", got)
	}
	if got := r.AppendTo(nil, 100); len(got) != 0 {
		t.Fatalf("since the future: %+v", got)
	}
	if last, ok := r.Last(); !ok || last.At != 9 {
		t.Fatalf("last %+v", last)
	}
	if _, ok := NewRing(3).Last(); ok {
		t.Fatal("an empty ring has a last sample")
	}
}

func TestASnapshotIntoABufferWithRoomAllocatesNothing(t *testing.T) {
	r := NewRing(1000)
	for i := range 1500 {
		r.Add(Sample{At: int64(i)})
	}
	buf := make([]Sample, 0, 1000)
	if n := testing.AllocsPerRun(100, func() { buf = r.AppendTo(buf[:0], 0) }); n != 0 {
		t.Fatalf("%v allocations per snapshot", n)
	}
	if len(buf) != 1000 || buf[0].At != 500 || buf[999].At != 1499 {
		t.Fatalf("snapshot %d samples, %d..%d", len(buf), buf[0].At, buf[len(buf)-1].At)
	}
}

// powerStats decodes the simulator's bytes of a power_stats record.
func powerStats(t *testing.T, p ssn.PowerStats) decode.Decoded {
	t.Helper()
	body, err := p.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	d := decode.NewRegistry().Decode(decode.Input{Path: "/sys/stats?mod=pwr", ContentFormat: ssn.FormatOctets, Payload: body})
	if d.Err != nil {
		t.Fatal(d.Err)
	}
	return d
}

func TestPowerStatsGiveEveryFieldAndTheDerivedValuesWithUnits(t *testing.T) {
	s := NewSet(100)
	s.Add(t0, powerStats(t, ssn.PowerStats{TotalTime: 8000, SleepTime: 6000, RFCTime: 80, TxBytes: 1000, BatteryMicrovolts: 3_600_000}))
	s.Add(t0.Add(10*time.Second), powerStats(t, ssn.PowerStats{TotalTime: 8080, SleepTime: 6070, RFCTime: 81, TxBytes: 1500, BatteryMicrovolts: 3_590_000}))
	units := map[string]string{}
	for _, in := range s.Infos() {
		units[in.Key] = in.Unit
	}
	for key, unit := range map[string]string{"bat_voltage": "V", "sleep_pct": "%", "radio_on_pct": "%", "tx_bytes": "B", "total_time": "s", TxRateKey: "B/s"} {
		if units[key] != unit {
			t.Fatalf("series %s has unit %q, want %q (all: %v)", key, units[key], unit, units)
		}
	}
	volts := s.Snapshot("bat_voltage", 0, nil)
	if len(volts) != 2 || volts[0].Value != 3.6 || math.Abs(volts[1].Value-3.59) > 1e-9 || !volts[1].Time().Equal(t0.Add(10*time.Second)) {
		t.Fatalf("battery volts %+v", volts)
	}
	// 500 bytes in 10 s: one derived sample, at the second notification.
	rate := s.Snapshot(TxRateKey, 0, nil)
	if len(rate) != 1 || rate[0].Value != 50 {
		t.Fatalf("tx rate %+v", rate)
	}
	if sleep, _ := s.Last("sleep_pct"); math.Abs(sleep.Value-100*6070.0/8080) > 1e-9 {
		t.Fatalf("sleep %% %v", sleep.Value)
	}
}

func TestARebootedCounterGivesNoNegativeRate(t *testing.T) {
	s := NewSet(100)
	s.Add(t0, powerStats(t, ssn.PowerStats{TotalTime: 8000, TxBytes: 90000}))
	s.Add(t0.Add(10*time.Second), powerStats(t, ssn.PowerStats{TotalTime: 10, TxBytes: 100}))
	s.Add(t0.Add(20*time.Second), powerStats(t, ssn.PowerStats{TotalTime: 90, TxBytes: 300}))
	rate := s.Snapshot(TxRateKey, 0, nil)
	if len(rate) != 1 || rate[0].Value != 20 {
		t.Fatalf("rates across a reboot %+v, want only the 20 B/s after it", rate)
	}
}

func TestCBORAndJSONFieldsAreSeriesByTheirPath(t *testing.T) {
	reg := decode.NewRegistry()
	body, _ := cbor.Marshal(map[string]any{"env": map[string]any{"temp": 21.5, "rh": 40}, "ok": true, "name": "x"})
	s := NewSet(10)
	s.Add(t0, reg.Decode(decode.Input{ContentFormat: ssn.FormatCBOR, Payload: body}))
	s.Add(t0.Add(time.Second), reg.Decode(decode.Input{ContentFormat: ssn.FormatJSON, Payload: []byte(`{"env": {"temp": 22, "rh": 41}, "list": [1, 2.5]}`)}))
	want := map[string][]float64{"env.temp": {21.5, 22}, "env.rh": {40, 41}, "list[1]": {2.5}}
	keys := map[string]bool{}
	for _, in := range s.Infos() {
		keys[in.Key] = true
	}
	for key, values := range want {
		got := s.Snapshot(key, 0, nil)
		if len(got) != len(values) {
			t.Fatalf("%s: %+v (series %v)", key, got, keys)
		}
		for i, v := range values {
			if got[i].Value != v {
				t.Fatalf("%s[%d] = %v, want %v", key, i, got[i].Value, v)
			}
		}
	}
	if keys["name"] || keys["ok"] {
		t.Fatalf("non-numeric fields became series: %v", keys)
	}
}

func TestATextPayloadGivesItsNumberWithItsUnit(t *testing.T) {
	s := NewSet(10)
	s.Add(t0, decode.Decoded{Decoder: "text", Text: "Temperature: 21.75 C (sensor 2)"})
	s.Add(t0.Add(time.Second), decode.Decoded{Decoder: "text", Text: "no number here"})
	s.Add(t0.Add(2*time.Second), decode.Decoded{Decoder: "text", Text: "-3e2"})
	got := s.Snapshot("value", 0, nil)
	if len(got) != 2 || got[0].Value != 21.75 || got[1].Value != -300 {
		t.Fatalf("values %+v", got)
	}
	if infos := s.Infos(); len(infos) != 1 || infos[0].Unit != "C" {
		t.Fatalf("infos %+v", infos)
	}
	// A payload the decoder could not read gives nothing, not the hex dump's digits.
	s.Add(t0.Add(3*time.Second), decode.Decoded{Text: "00000000  01 02", Err: errString("bad")})
	if n := len(s.Snapshot("value", 0, nil)); n != 2 {
		t.Fatalf("a failed decode added a sample: %d", n)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func BenchmarkAddPowerStats(b *testing.B) {
	body, _ := ssn.PowerStats{TotalTime: 8000, SleepTime: 6000, TxBytes: 1000, BatteryMicrovolts: 3_600_000}.MarshalBinary()
	d := decode.NewRegistry().Decode(decode.Input{Path: "/sys/stats?mod=pwr", Payload: body})
	s := NewSet(1000)
	at := t0
	b.ReportAllocs()
	for b.Loop() {
		at = at.Add(time.Second)
		s.Add(at, d)
	}
}
