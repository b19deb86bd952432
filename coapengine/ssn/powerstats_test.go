package ssn

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
	"time"
)

// A record written by hand from the contract's layout: type 9, length 44, 2 pad bytes, then
// eleven big-endian counters.
const handWrittenPowerStats = "092c0000" +
	"00000320" + // total_time 800 ticks = 100 s
	"000002ee" + // sleep_time 750
	"00000014" + // standby_time 20
	"00000010" + // rfc_time 16
	"00000008" + // sfl_time 8
	"00000006" + // nxp_time 6
	"00001000" + // tx_bytes 4096
	"0000000c" + // rx_time 12
	"00000001" + // charge_ctr_low
	"00000002" + // charge_ctr_pause_max
	"0036ee80" //   bat_voltage 3 600 000 µV

func TestPowerStatsDecodesHandWrittenVector(t *testing.T) {
	raw, _ := hex.DecodeString(handWrittenPowerStats)
	var p PowerStats
	if err := p.UnmarshalBinary(raw); err != nil {
		t.Fatal(err)
	}
	want := PowerStats{800, 750, 20, 16, 8, 6, 4096, 12, 1, 2, 3600000}
	if p != want {
		t.Fatalf("got %+v\nwant %+v", p, want)
	}
	if TickDuration(p.TotalTime) != 100*time.Second {
		t.Fatalf("total time %v", TickDuration(p.TotalTime))
	}
	if p.BatteryVolts() != 3.6 {
		t.Fatalf("volts %v", p.BatteryVolts())
	}
	if p.SleepRatio() != 0.9375 || p.RadioOnRatio() != 0.02 {
		t.Fatalf("ratios %v %v", p.SleepRatio(), p.RadioOnRatio())
	}
	again, _ := p.MarshalBinary()
	if !bytes.Equal(again, raw) {
		t.Fatalf("re-encoding differs:\n%x\n%x", again, raw)
	}
}

func TestPowerStatsRejectsBadRecords(t *testing.T) {
	raw, _ := hex.DecodeString(handWrittenPowerStats)
	cases := map[string][]byte{
		"short":        raw[:47],
		"long":         append(append([]byte(nil), raw...), 0),
		"wrong type":   append([]byte{8}, raw[1:]...),
		"wrong length": append([]byte{9, 40}, raw[2:]...),
	}
	for name, b := range cases {
		var p PowerStats
		if err := p.UnmarshalBinary(b); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
	var p PowerStats
	err := p.UnmarshalBinary(raw[:10])
	if err == nil || !strings.Contains(err.Error(), "48 bytes") {
		t.Fatalf("error should say the expected size: %v", err)
	}
}

func FuzzPowerStats(f *testing.F) {
	raw, _ := hex.DecodeString(handWrittenPowerStats)
	f.Add(raw)
	f.Add([]byte{})
	f.Add(make([]byte, 48))
	f.Fuzz(func(t *testing.T, b []byte) {
		var p PowerStats
		if err := p.UnmarshalBinary(b); err != nil {
			return
		}
		again, _ := p.MarshalBinary()
		if !bytes.Equal(again[4:], b[4:]) {
			t.Fatalf("round trip changed the counters")
		}
	})
}
