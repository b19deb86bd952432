package series

import (
	"strings"
	"testing"
	"time"

	"github.com/plgd-dev/go-coap/v3/message/codes"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/decode"
	"github.com/coap-workbench/coap-workbench/coapengine/history"
	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
)

func TestWriteCSVJoinsTheSeriesByTime(t *testing.T) {
	s := NewSet(10)
	s.Add(t0, decode.Decoded{Fields: []decode.Field{{Name: "a", Value: 1, Numeric: true, Unit: "V"}, {Name: "b", Value: 2, Numeric: true}}})
	s.Add(t0.Add(time.Second), decode.Decoded{Fields: []decode.Field{{Name: "a", Value: 1.5, Numeric: true, Unit: "V"}}})
	var out strings.Builder
	n, err := s.WriteCSV(&out, []string{"a", "b"}, 0)
	if err != nil || n != 2 {
		t.Fatalf("%d rows, %v", n, err)
	}
	want := "time,a (V),b\n2026-03-14T09:00:00.000Z,1,2\n2026-03-14T09:00:01.000Z,1.5,\n"
	if out.String() != want {
		t.Fatalf("CSV\n%s\nwant\n%s", out.String(), want)
	}
}

func TestTheLastHourOfBatteryVoltsIsRebuiltFromTheHistory(t *testing.T) {
	store, _, err := history.Open(t.TempDir(), history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	now := time.Now().Truncate(time.Second)
	const host = "SSN001350050005E7D6.sim.starfish.test"
	record := func(at time.Time, device, path string, microvolts uint32, code codes.Code) {
		body, _ := ssn.PowerStats{TotalTime: 100, BatteryMicrovolts: microvolts}.MarshalBinary()
		store.Append(coapengine.Exchange{Profile: "p", Device: device, Path: path, URI: "coap://" + device + ":4849" + path,
			Request: coapengine.MessageRecord{Code: codes.GET}, Response: &coapengine.MessageRecord{Code: code, Payload: body},
			Start: at, Notification: true})
	}
	for i := range 90 { // one a minute for an hour and a half
		record(now.Add(time.Duration(i-89)*time.Minute), host, "/sys/stats?mod=pwr", uint32(3_600_000-i*1000), codes.Content)
	}
	record(now, "SSN0013500500000001.sim.starfish.test", "/sys/stats?mod=pwr", 1_000_000, codes.Content) // another NIC
	record(now, host, "/sys/stats?mod=pwr", 0, codes.ServiceUnavailable)                                 // an error
	if err := store.Flush(); err != nil {
		t.Fatal(err)
	}
	f := history.Filter{Device: host, PathContains: "/sys/stats?mod=pwr", From: now.Add(-time.Hour)}
	set, n, err := FromHistory(t.Context(), store, f, decode.NewRegistry(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	volts := set.Snapshot("bat_voltage", 0, nil)
	if n != 61 || len(volts) != 61 {
		t.Fatalf("%d exchanges, %d samples; want the 61 of the last hour", n, len(volts))
	}
	if volts[0].Value != 3.571 || volts[60].Value != 3.511 || volts[0].At > volts[60].At {
		t.Fatalf("first %v, last %v", volts[0], volts[60])
	}
	if _, _, err := FromHistory(t.Context(), nil, f, decode.NewRegistry(), 10); err == nil {
		t.Fatal("no history, no error")
	}
}

func TestSamplesOutOfTimeOrderAreNeitherLostNorMisplaced(t *testing.T) {
	s := NewSet(10)
	for _, sec := range []int{2, 1, 3, 4} {
		s.Add(t0.Add(time.Duration(sec)*time.Second), decode.Decoded{Fields: []decode.Field{{Name: "v", Value: float64(sec), Numeric: true}}})
	}
	got := s.Snapshot("v", 0, nil)
	if len(got) != 4 || got[1].At != got[0].At || got[1].Value != 1 || got[3].Value != 4 {
		t.Fatalf("samples %+v", got)
	}
	var out strings.Builder
	n, err := WriteColumns(&out, []Column{{Name: "v", Samples: []Sample{{At: 2e9, Value: 2}, {At: 1e9, Value: 1}, {At: 3e9, Value: 3}}}})
	if err != nil || n != 3 || !strings.Contains(out.String(), "00:00:01.000Z,1\n") || !strings.Contains(out.String(), "00:00:03.000Z,3\n") {
		t.Fatalf("%d rows, %v:\n%s", n, err, out.String())
	}
}

func TestAStructuredPayloadsRenderingIsNotReadAsANumber(t *testing.T) {
	s := NewSet(10)
	s.Add(t0, decode.Decoded{Decoder: "cbor", Text: `{0: "temp", 1: "n/a"}`})
	if len(s.Infos()) != 0 {
		t.Fatalf("series from a CBOR rendering: %+v", s.Infos())
	}
}
