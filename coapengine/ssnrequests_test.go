package coapengine

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/plgd-dev/go-coap/v3/message/codes"
)

func TestTheSSNBuildersMakeTheContractsRequests(t *testing.T) {
	at := time.Date(2030, 1, 2, 3, 4, 5, 678_000_000, time.UTC)
	const base = "coap://" + seedHost + ":4849"
	// Type 6 (absolute), length 8, 1893553445 s (0x70dd5525), 678 ms, big-endian.
	clockRecord := []byte{6, 8, 0x70, 0xdd, 0x55, 0x25, 0, 0, 0x02, 0xa6}
	for _, c := range []struct {
		name    string
		req     Request
		method  codes.Code
		uri     string
		format  int
		payload []byte
	}{
		{"clock", SetClockRequest(seedHost, at), codes.PUT, base + "/snsr/sys/time", ssn.FormatOctets,
			clockRecord},
		{"clock for a URI of the device", SetClockRequest(base+"/sys/stats?mod=pwr", at), codes.PUT, base + "/snsr/sys/time", ssn.FormatOctets,
			clockRecord},
		{"clock of a Gen5 on the default port", SetClockRequest("coap://gen5.test/", at), codes.PUT, "coap://gen5.test:5683/snsr/sys/time", ssn.FormatOctets,
			clockRecord},
		{"storage mode", EventRequest(seedHost, ssn.EventStorageMode), codes.PUT, base + "/snsr/sys/event", ssn.FormatOctets, []byte{1, 0, 0, 0}},
		{"tamper", EventRequest(seedHost, ssn.EventTamper), codes.PUT, base + "/snsr/sys/event", ssn.FormatOctets, []byte{4, 0, 0, 0}},
		{"clear with PUT", ClearPowerStatsRequest(seedHost, codes.PUT), codes.PUT, base + "/sys/stats?mod=pwr", NoFormat, nil},
		{"clear with DELETE", ClearPowerStatsRequest(seedHost, codes.DELETE), codes.DELETE, base + "/sys/stats?mod=pwr", NoFormat, nil},
		{"clear with GET is a PUT", ClearPowerStatsRequest(seedHost, codes.GET), codes.PUT, base + "/sys/stats?mod=pwr", NoFormat, nil},
	} {
		r := c.req
		if r.Method != c.method || r.URI != c.uri || r.ContentFormat != c.format || !bytes.Equal(r.Payload, c.payload) || r.Validate() != nil {
			t.Errorf("%s: %s %s format %d payload % x (%v), want %s %s format %d payload % x",
				c.name, MethodName(r.Method), r.URI, r.ContentFormat, r.Payload, r.Validate(), MethodName(c.method), c.uri, c.format, c.payload)
		}
	}
	var set ssn.TimeSet
	if err := set.UnmarshalBinary(SetClockRequest(seedHost, at).Payload); err != nil || !set.Time().Equal(at) {
		t.Fatalf("the record reads back as %v, %v", set.Time(), err)
	}
}

func TestThePresetsHaveLabelsAndTheFourEvents(t *testing.T) {
	var labels []string
	for _, p := range SSNPresets() {
		labels = append(labels, p.Label)
	}
	want := "Set the IC clock to now|Event: storage mode|Event: service mode|Event: low battery alert|Event: tamper alert|Clear power stats"
	if got := strings.Join(labels, "|"); got != want {
		t.Fatalf("labels %s\nwant   %s", got, want)
	}
	if len(DeviceEvents) != 4 {
		t.Fatalf("%d events", len(DeviceEvents))
	}
	for _, e := range DeviceEvents {
		if !e.Known() {
			t.Errorf("event %d is not one the seed defines", e)
		}
	}
}

// Each preset, sent through gateway-lite to a simulated NIC, does what its label says.
func TestThePresetsDoWhatTheySayOnASimulatedDevice(t *testing.T) {
	b := startTestbed(t, nil)
	c := b.connect(t, nil, nil)
	dev, ok := b.mesh.Lookup(seedHost)
	if !ok {
		t.Fatal("no seed device")
	}
	readStats := func() ssn.PowerStats {
		t.Helper()
		x, err := c.Do(ctx10s(t), NewRequest(codes.GET, seedURI(PowerStatsPath)))
		var p ssn.PowerStats
		if err != nil || p.UnmarshalBinary(x.Response.Payload) != nil {
			t.Fatalf("power stats: %v %v", x.Code(), err)
		}
		return p
	}
	for range 3 {
		readStats()
	}
	before := readStats()
	now := time.Now().UTC().Add(-90 * time.Minute) // a "now" the device's clock is not at
	want := map[string]codes.Code{}
	for _, p := range SSNPresets() {
		req := p.Build(seedURI("/"), now)
		x, err := c.Do(ctx10s(t), req)
		if err != nil {
			t.Fatalf("%s: %v", p.Label, err)
		}
		if x.Code() != codes.Changed {
			t.Errorf("%s: answered %v %s %s", p.Label, x.Code(), x.Response.Payload, x.Explanation)
		}
		want[p.Label] = x.Code()
	}
	if skew := dev.ICClock().Sub(now); skew < 0 || skew > 5*time.Second {
		t.Errorf("the IC clock is %v off the time it was set to", skew)
	}
	var events []ssn.Event
	for _, e := range dev.Events() {
		events = append(events, e.Event)
	}
	if len(events) != 4 || events[0] != ssn.EventStorageMode || events[3] != ssn.EventTamper {
		t.Errorf("the IC received events %v", events)
	}
	if after := readStats(); after.TxBytes >= before.TxBytes || before.TxBytes == 0 {
		t.Errorf("tx_bytes %d before clearing, %d after", before.TxBytes, after.TxBytes)
	}
	x, err := c.Do(ctx10s(t), ClearPowerStatsRequest(seedHost, codes.DELETE))
	if err != nil || x.Code() != codes.Deleted {
		t.Errorf("clear with DELETE answered %v, %v", x.Code(), err)
	}
}
