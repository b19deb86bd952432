package ssn

import (
	"encoding/hex"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
)

func TestEventIsLittleEndian(t *testing.T) {
	b, _ := EventLowBattery.MarshalBinary()
	if hex.EncodeToString(b) != "03000000" {
		t.Fatalf("low battery encoded %x", b)
	}
	var e Event
	if err := e.UnmarshalBinary([]byte{4, 0, 0, 0}); err != nil || e != EventTamper || e.String() != "tamper alert" {
		t.Fatalf("got %v %v", e, err)
	}
	if err := e.UnmarshalBinary([]byte{4, 0}); err == nil {
		t.Fatal("2 bytes decoded")
	}
	if Event(9).Known() {
		t.Fatal("9 is not an event")
	}
}

func TestCoapStatsRoundTrip(t *testing.T) {
	in := CoapStats{1, 2, 3, 4, 5, 6, 7, 8, 9}
	b, _ := in.MarshalBinary()
	if len(b) != CoapStatsSize || b[0] != 8 || b[1] != 36 {
		t.Fatalf("header %x", b[:4])
	}
	var out CoapStats
	if err := out.UnmarshalBinary(b); err != nil || out != in {
		t.Fatalf("got %+v %v", out, err)
	}
	if len(CoapStatsFieldNames) != len(out.Values()) {
		t.Fatal("names and values disagree")
	}
	if err := out.UnmarshalBinary(b[:39]); err == nil {
		t.Fatal("short record decoded")
	}
}

func TestSensorReadingIsTheHDKMap(t *testing.T) {
	at := time.Unix(1764072000, 0)
	r := SensorReading{Sensor: "temp", Text: TemperatureText(at, 21.5, "C")}
	b, err := r.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	// The HDK's encoder writes a 2-pair map with int keys: it starts A2 00.
	if b[0] != 0xA2 || b[1] != 0x00 {
		t.Fatalf("encoding starts %x", b[:2])
	}
	diag, _ := cbor.Diagnose(b)
	if diag != `{0: "temp", 1: "1764072000,21.50,C"}` {
		t.Fatalf("diagnostic %s", diag)
	}
	var back SensorReading
	if err := back.UnmarshalCBOR(b); err != nil || back != r {
		t.Fatalf("got %+v %v", back, err)
	}
	temp, err := ParseTemperature(back.Text)
	if err != nil || temp.Value != 21.5 || temp.Unit != "C" || !temp.Time.Equal(at) {
		t.Fatalf("temperature %+v %v", temp, err)
	}
	for _, bad := range []string{"", "1,2", "x,2,C", "1,x,C", "1,2,K"} {
		if _, err := ParseTemperature(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestSensorReadingRejectsOtherShapes(t *testing.T) {
	for _, v := range []any{[]int{1, 2}, map[int]string{0: "temp"}, "text"} {
		b, _ := cbor.Marshal(v)
		var r SensorReading
		if err := r.UnmarshalCBOR(b); err == nil {
			t.Errorf("%v decoded", v)
		}
	}
}

func FuzzSensorReading(f *testing.F) {
	b, _ := SensorReading{Sensor: "temp", Text: "1,2.00,C"}.MarshalCBOR()
	f.Add(b)
	f.Add([]byte{0x9f, 0x9f, 0x9f})
	f.Fuzz(func(t *testing.T, b []byte) {
		var r SensorReading
		_ = r.UnmarshalCBOR(b)
		_, _ = UnmarshalSystemInfo(b)
	})
}

func TestSystemInfoRoundTrip(t *testing.T) {
	in := SystemInfo{Name: "Itron Reference CoAP Server", Version: "1.4.6", BuildDate: "2016-08-12"}
	b, _ := MarshalSystemInfo(in)
	out, err := UnmarshalSystemInfo(b)
	if err != nil || out != in {
		t.Fatalf("got %+v %v", out, err)
	}
}
