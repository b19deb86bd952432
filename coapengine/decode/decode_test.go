package decode

import (
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func field(t *testing.T, d Decoded, name string) Field {
	t.Helper()
	for _, f := range d.Fields {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no field %q in %+v", name, d.Fields)
	return Field{}
}

// Hand-written from contract §6: type 9, length 44, 2 pad bytes, 11 big-endian counters.
const powerStatsVector = "092c0000 00000320 000002ee 00000014 00000010 00000008 00000006 00001000 0000000c 00000001 00000002 0036ee80"

func TestPowerStatsFromTheContract(t *testing.T) {
	d := NewRegistry().Decode(Input{Path: "/sys/stats?mod=pwr", ContentFormat: ssn.FormatOctets, Payload: mustHex(t, powerStatsVector)})
	if d.Decoder != "power-stats" || d.Err != nil {
		t.Fatalf("%s %v", d.Decoder, d.Err)
	}
	checks := map[string]float64{"total_time": 100, "sleep_time": 93.75, "tx_bytes": 4096, "bat_voltage": 3.6, "sleep_pct": 93.75, "radio_on_pct": 2}
	for name, want := range checks {
		if f := field(t, d, name); f.Value != want {
			t.Errorf("%s = %v, want %v", name, f.Value, want)
		}
	}
	if f := field(t, d, "bat_voltage"); f.Unit != "V" || !strings.Contains(f.Display, "3.600 V") {
		t.Errorf("battery %+v", f)
	}
	if !strings.Contains(d.Text, "total_time") || !strings.Contains(d.Text, "100.000 s") {
		t.Errorf("text:\n%s", d.Text)
	}
}

func TestWrongSizeFallsBackToHexWithTheReason(t *testing.T) {
	d := NewRegistry().Decode(Input{Path: "/sys/stats?mod=pwr", Payload: []byte{9, 44, 0}})
	if d.Err == nil || !strings.Contains(d.Err.Error(), "48 bytes") || !strings.Contains(d.Text, "09 2c 00") {
		t.Fatalf("%+v", d)
	}
}

func TestICTimeAndDrift(t *testing.T) {
	received := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	// 0x6B06CD5C is 2026-11-25T11:58:20Z: 100 s behind.
	d := NewRegistry().Decode(Input{Path: "/snsr/sys/time", ContentFormat: ssn.FormatOctets, Payload: mustHex(t, "6B06CD5C"), ReceivedAt: received})
	if d.Err != nil || field(t, d, "ic_time").Display != "2026-11-25T11:58:20Z" {
		t.Fatalf("%+v", d)
	}
	if drift := field(t, d, "drift"); drift.Value != -100 || !strings.Contains(drift.Display, "behind") {
		t.Fatalf("drift %+v", drift)
	}
	set := NewRegistry().Decode(Input{Path: "/snsr/sys/time", Payload: mustHex(t, "0608 6B06CD5C 000000FA")})
	if set.Err != nil || !strings.Contains(set.Text, "time set to") {
		t.Fatalf("time-set record: %+v", set)
	}
}

func TestCoapStatsVector(t *testing.T) {
	d := NewRegistry().Decode(Input{Path: "/snsr/sys/stats?mod=coap", Payload: mustHex(t, "08240000 00000000 00000000 00000001 00000000 00000000 00000002 0000002a 00000029 00000000")})
	if d.Err != nil || field(t, d, "rx_success").Value != 42 || field(t, d, "active_obs").Value != 2 {
		t.Fatalf("%+v", d)
	}
}

func TestSensorReadingVector(t *testing.T) {
	// {0: "temp", 1: "1764072000,71.60,F"}, as the HDK's cbor_enc_map(2) writes it.
	payload := mustHex(t, "a2 00 6474656d70 01 72 313736343037323030302c37312e36302c46")
	d := NewRegistry().Decode(Input{Path: "/snsr/arduino/temp?sens", ContentFormat: ssn.FormatCBOR, Payload: payload})
	if d.Err != nil || field(t, d, "temperature").Value != 71.6 || field(t, d, "temperature").Unit != "°F" {
		t.Fatalf("%+v", d)
	}
}

func TestEvents(t *testing.T) {
	d := NewRegistry().Decode(Input{Path: "/snsr/sys/event", ContentFormat: ssn.FormatOctets, Payload: []byte{3, 0, 0, 0}})
	if d.Err != nil || !strings.Contains(field(t, d, "event").Display, "low battery") {
		t.Fatalf("%+v", d)
	}
	// [{"event": 4, "name": "tamper alert", "time": 1764072000}]
	list := mustHex(t, "81 a3 656576656e74 04 646e616d65 6c74616d70657220616c657274 6474696d65 1a69259b00")
	d = NewRegistry().Decode(Input{Path: "/snsr/sys/event", ContentFormat: ssn.FormatCBOR, Payload: list})
	if d.Err != nil || len(d.Fields) != 1 || !strings.Contains(d.Fields[0].Display, "tamper") {
		t.Fatalf("%+v", d)
	}
}

func TestGenericDecoders(t *testing.T) {
	r := NewRegistry()
	if d := r.Decode(Input{Path: "/", ContentFormat: ssn.FormatText, Payload: []byte("hello")}); d.Decoder != "text" || d.Text != "hello" {
		t.Fatalf("text %+v", d)
	}
	if d := r.Decode(Input{Path: "/x", ContentFormat: ssn.FormatText, Payload: []byte{0xff, 0xfe}}); d.Err == nil {
		t.Fatal("invalid UTF-8 decoded as text")
	}
	d := r.Decode(Input{Path: "/gpio", ContentFormat: ssn.FormatJSON, Payload: []byte(`{"b":{"volts":3.3},"a":[1,"x"]}`)})
	if d.Err != nil || !strings.Contains(d.Text, "\n  \"b\": {") {
		t.Fatalf("json %+v", d)
	}
	if f := field(t, d, "b.volts"); f.Value != 3.3 {
		t.Fatalf("json field %+v", f)
	}
	if f := field(t, d, "a[0]"); f.Value != 1 {
		t.Fatalf("json array field %+v", f)
	}
	// {"v": 1.5, "n": [1, 2]}
	d = r.Decode(Input{Path: "/c", ContentFormat: ssn.FormatCBOR, Payload: mustHex(t, "a2 6176 f93e00 616e 82 01 02")})
	if d.Err != nil || d.Text != `{"v": 1.5, "n": [1, 2]}` || field(t, d, "n[1]").Value != 2 {
		t.Fatalf("cbor %+v", d)
	}
	if d := r.Decode(Input{Path: "/c", ContentFormat: ssn.FormatCBOR, Payload: []byte{0x9f, 0x9f}}); d.Err == nil {
		t.Fatal("truncated CBOR decoded")
	}
	d = r.Decode(Input{Path: "/.well-known/core", ContentFormat: ssn.FormatLinkFormat, Payload: []byte(`</a>;obs;ct=42,</b>`)})
	if d.Err != nil || d.Text != "/a  obs  ct=42\n/b" {
		t.Fatalf("link format %+v", d)
	}
	if d := r.Decode(Input{Path: "/bin", ContentFormat: 99, Payload: []byte{1, 2}}); d.Decoder != "hex" || !strings.Contains(d.Text, "01 02") {
		t.Fatalf("unknown format %+v", d)
	}
	if d := r.Decode(Input{Path: "/"}); d.Text != "" || d.Err != nil {
		t.Fatalf("empty %+v", d)
	}
}

func TestDeeplyNestedCBORIsRefusedNotFollowed(t *testing.T) {
	deep := append([]byte{}, []byte(strings.Repeat("\x81", 200))...)
	deep = append(deep, 0x01)
	if d := NewRegistry().Decode(Input{Path: "/x", ContentFormat: ssn.FormatCBOR, Payload: deep}); d.Err == nil {
		t.Fatal("200 levels of nesting decoded; the limit is 16")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add("/sys/stats?mod=pwr", 42, mustHex(f, powerStatsVector))
	f.Add("/snsr/sys/time", 42, []byte{1, 2, 3, 4})
	f.Add("/snsr/arduino/temp?sens", 60, []byte{0xa2, 0, 0x61, 0x74, 1, 0x61, 0x31})
	f.Add("/x", 50, []byte(`{"a":[1,2,{"b":3}]}`))
	f.Add("/x", 40, []byte(`</a>;b="c`))
	f.Add("/snsr/sys/event", 60, []byte{0x9f, 0xff})
	f.Fuzz(func(t *testing.T, path string, cf int, payload []byte) {
		d := NewRegistry().Decode(Input{Path: path, ContentFormat: cf, Payload: payload, ReceivedAt: time.Now()})
		// Only text and link format (a document of blanks holds no links) may decode to nothing.
		if len(payload) > 0 && d.Text == "" && d.Err == nil && len(d.Fields) == 0 && d.Decoder != "text" && d.Decoder != "link-format" {
			t.Fatalf("%s decoded %x to nothing", d.Decoder, payload)
		}
	})
}

func BenchmarkDecodePowerStats(b *testing.B) {
	r := NewRegistry()
	in := Input{Path: "/sys/stats?mod=pwr", ContentFormat: ssn.FormatOctets, Payload: mustHex(b, powerStatsVector)}
	b.ReportAllocs()
	for b.Loop() {
		r.Decode(in)
	}
}

func BenchmarkDecodeCBORDiagnostic(b *testing.B) {
	r := NewRegistry()
	in := Input{Path: "/snsr/arduino/temp?sens", ContentFormat: ssn.FormatCBOR, Payload: mustHex(b, "a2 00 6474656d70 01 72 313736343037323030302c37312e36302c46")}
	b.ReportAllocs()
	for b.Loop() {
		r.Decode(in)
	}
}
