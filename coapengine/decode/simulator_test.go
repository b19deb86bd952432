package decode

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/coap-workbench/coap-workbench/gatewaylite/mesh"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/udp"
)

// fromSimulator fetches path from the seed NIC of a simulated mesh and decodes the answer.
func fromSimulator(t *testing.T, d *mesh.Device, method string, path string, payload []byte) Decoded {
	t.Helper()
	cc, err := udp.Dial(d.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	p, q, _ := strings.Cut(path, "?")
	var opts []message.Option
	if q != "" {
		opts = append(opts, message.Option{ID: message.URIQuery, Value: []byte(q)})
	}
	switch method {
	case "PUT":
		if _, err := cc.Put(ctx, p, message.AppOctets, bytes.NewReader(payload), opts...); err != nil {
			t.Fatal(err)
		}
		return Decoded{}
	}
	resp, err := cc.Get(ctx, p, opts...)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := resp.ReadBody()
	cf := -1
	if f, err := resp.ContentFormat(); err == nil {
		cf = int(f)
	}
	return NewRegistry().Decode(Input{Path: path, ContentFormat: cf, Payload: body, ReceivedAt: time.Now()})
}

func TestDecodersOnTheSimulatorsBytes(t *testing.T) {
	m, err := mesh.Start(t.Context(), mesh.Config{Devices: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	d := m.Devices()[0]

	pwr := fromSimulator(t, d, "GET", "/sys/stats?mod=pwr", nil)
	if pwr.Err != nil || pwr.Decoder != "power-stats" {
		t.Fatalf("power stats: %+v", pwr)
	}
	if v, _ := pwr.Number("bat_voltage"); v < 3.3 || v > 3.61 {
		t.Fatalf("battery %v V", v)
	}
	if s, _ := pwr.Number("sleep_pct"); s < 85 {
		t.Fatalf("sleep %v %%", s)
	}

	clock := fromSimulator(t, d, "GET", "/snsr/sys/time", nil)
	if drift, ok := clock.Number("drift"); clock.Err != nil || !ok || drift > 2 || drift < -2 {
		t.Fatalf("IC time: %+v", clock)
	}
	d.SkewClock(-90 * time.Second)
	clock = fromSimulator(t, d, "GET", "/snsr/sys/time", nil)
	if drift, _ := clock.Number("drift"); drift > -88 || drift < -92 {
		t.Fatalf("skewed IC: drift %v", drift)
	}

	if stats := fromSimulator(t, d, "GET", "/snsr/sys/stats?mod=coap", nil); stats.Err != nil || stats.Decoder != "coap-stats" {
		t.Fatalf("coap stats: %+v", stats)
	}
	temp := fromSimulator(t, d, "GET", "/snsr/arduino/temp?sens", nil)
	if v, ok := temp.Number("temperature"); temp.Err != nil || !ok || v < 40 || v > 95 {
		t.Fatalf("temperature: %+v", temp)
	}
	if info := fromSimulator(t, d, "GET", "/snsr/sys/info", nil); info.Err != nil || !strings.Contains(info.Text, "1.4.6") {
		t.Fatalf("info: %+v", info)
	}
	tamper, _ := ssn.EventTamper.MarshalBinary()
	fromSimulator(t, d, "PUT", "/snsr/sys/event", tamper)
	if ev := fromSimulator(t, d, "GET", "/snsr/sys/event", nil); ev.Err != nil || !strings.Contains(ev.Text, "tamper alert") {
		t.Fatalf("events: %+v", ev)
	}
	if core := fromSimulator(t, d, "GET", "/.well-known/core", nil); core.Err != nil || core.Decoder != "link-format" || !strings.Contains(core.Text, "/sys/stats?mod=pwr") {
		t.Fatalf("link format: %+v", core)
	}
	if root := fromSimulator(t, d, "GET", "/", nil); root.Err != nil || root.Decoder != "text" {
		t.Fatalf("text: %+v", root)
	}
}
