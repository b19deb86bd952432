package mesh

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/coap-workbench/coap-workbench/gatewaylite/traffic"
	"github.com/coap-workbench/coap-workbench/internal/testwait"
	"github.com/fxamacker/cbor/v2"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/message/pool"
	netclient "github.com/plgd-dev/go-coap/v3/net/client"
	"github.com/plgd-dev/go-coap/v3/udp"
	"github.com/plgd-dev/go-coap/v3/udp/client"
)

func startMesh(t *testing.T, cfg Config) *Mesh {
	t.Helper()
	if cfg.NotifyPeriod == 0 {
		cfg.NotifyPeriod = 50 * time.Millisecond
	}
	if cfg.RebootDuration == 0 {
		cfg.RebootDuration = 100 * time.Millisecond
	}
	m, err := Start(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

func dialDevice(t *testing.T, d *Device) *client.Conn {
	t.Helper()
	cc, err := udp.Dial(d.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cc.Close() })
	return cc
}

func ctx5s(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func get(t *testing.T, cc *client.Conn, path string, queries ...string) (codes.Code, []byte) {
	t.Helper()
	var opts []message.Option
	for _, q := range queries {
		opts = append(opts, message.Option{ID: message.URIQuery, Value: []byte(q)})
	}
	resp, err := cc.Get(ctx5s(t), path, opts...)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	body, _ := resp.ReadBody()
	return resp.Code(), body
}

func put(t *testing.T, cc *client.Conn, path string, payload []byte, queries ...string) (codes.Code, []byte) {
	t.Helper()
	var opts []message.Option
	for _, q := range queries {
		opts = append(opts, message.Option{ID: message.URIQuery, Value: []byte(q)})
	}
	resp, err := cc.Put(ctx5s(t), path, message.AppOctets, bytes.NewReader(payload), opts...)
	if err != nil {
		t.Fatalf("PUT %s: %v", path, err)
	}
	body, _ := resp.ReadBody()
	return resp.Code(), body
}

func TestMeshIsDeterministicAndHasTheSeedNIC(t *testing.T) {
	a := startMesh(t, Config{Devices: 40, Seed: 7})
	b := startMesh(t, Config{Devices: 40, Seed: 7})
	if a.Devices()[0].MAC.String() != SeedMAC {
		t.Fatalf("first device %s", a.Devices()[0].MAC)
	}
	types := map[ssn.NICType]int{}
	for i, d := range a.Devices() {
		if d.Name != b.Devices()[i].Name || d.Type != b.Devices()[i].Type {
			t.Fatalf("device %d differs between two meshes of the same seed", i)
		}
		types[d.Type]++
	}
	if types[ssn.NICMilli] < 20 || types[ssn.NICGen5] == 0 {
		t.Fatalf("type mix %v: want mostly Milli and some Gen5", types)
	}
	if _, ok := a.Lookup("ssn001350050005e7d6.SIM.starfish.test"); !ok {
		t.Fatal("lookup is not case-insensitive")
	}
	c := startMesh(t, Config{Devices: 3, Seed: 8})
	if c.Devices()[1].MAC == a.Devices()[1].MAC {
		t.Fatal("another seed gave the same MACs")
	}
}

func TestMilliNICResources(t *testing.T) {
	m := startMesh(t, Config{Devices: 1})
	cc := dialDevice(t, m.Devices()[0])
	if code, body := get(t, cc, "/"); code != codes.Content || !strings.Contains(string(body), "Milli") {
		t.Fatalf("GET /: %v %q", code, body)
	}
	code, body := get(t, cc, "/.well-known/core")
	if code != codes.Content {
		t.Fatalf("well-known: %v", code)
	}
	for _, want := range []string{`</sys/stats?mod=pwr>;rt="ssn.stats.pwr"`, "obs", "</snsr/sys/time>", "</snsr/arduino/temp?sens>"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("well-known lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(string(body), "</time>") {
		t.Error("a Milli must not list /time")
	}
	if code, body := get(t, cc, "/sys"); code != codes.Content || !strings.Contains(string(body), "</sys/stats?mod=pwr>") {
		t.Fatalf("GET /sys: %v %s", code, body)
	}
	for _, path := range []string{"/dummy", "/time", "/gpio"} {
		if code, _ := get(t, cc, path); code != codes.NotImplemented {
			t.Errorf("GET %s on a Milli: %v, want 5.01", path, code)
		}
	}
	if code, _ := get(t, cc, "/sys/stats", "mod=other"); code != codes.NotImplemented {
		t.Errorf("mod=other: %v", code)
	}
}

func TestGen5NICAnswersTimeAndGPIO(t *testing.T) {
	m := startMesh(t, Config{Devices: 30, Seed: 3})
	var gen5 *Device
	for _, d := range m.Devices() {
		if d.Type == ssn.NICGen5 {
			gen5 = d
			break
		}
	}
	if gen5 == nil {
		t.Fatal("no Gen5 in 30 devices")
	}
	if !gen5.AnswersOnPort(5683) || m.Devices()[0].AnswersOnPort(5683) {
		t.Fatal("port rules")
	}
	cc := dialDevice(t, gen5)
	code, body := get(t, cc, "/time")
	if _, err := time.Parse(time.RFC3339, string(body)); code != codes.Content || err != nil {
		t.Fatalf("/time: %v %q", code, body)
	}
	if code, body := get(t, cc, "/gpio"); code != codes.Content || !strings.Contains(string(body), `"pin"`) {
		t.Fatalf("/gpio: %v %q", code, body)
	}
}

func TestPowerStatsEvolveCountTrafficAndClear(t *testing.T) {
	m := startMesh(t, Config{Devices: 1})
	cc := dialDevice(t, m.Devices()[0])
	read := func() ssn.PowerStats {
		code, body := get(t, cc, "/sys/stats", "mod=pwr")
		var p ssn.PowerStats
		if code != codes.Content {
			t.Fatalf("power stats: %v", code)
		}
		if err := p.UnmarshalBinary(body); err != nil {
			t.Fatal(err)
		}
		return p
	}
	first := read()
	if first.TotalTime < 8 || first.SleepRatio() < 0.85 || first.BatteryVolts() < 3.3 || first.BatteryVolts() > 3.61 {
		t.Fatalf("implausible stats %+v (sleep %.2f, %.3f V)", first, first.SleepRatio(), first.BatteryVolts())
	}
	for range 20 {
		read()
	}
	time.Sleep(300 * time.Millisecond)
	second := read()
	if second.TotalTime <= first.TotalTime || second.SleepTime < first.SleepTime {
		t.Fatalf("time counters did not advance: %d → %d", first.TotalTime, second.TotalTime)
	}
	if second.TxBytes-first.TxBytes < 21*48 {
		t.Fatalf("tx_bytes grew by %d after 21 answers of 48+ bytes", second.TxBytes-first.TxBytes)
	}
	resp, err := cc.Delete(ctx5s(t), "/sys/stats", message.Option{ID: message.URIQuery, Value: []byte("mod=pwr")})
	if err != nil || resp.Code() != codes.Deleted {
		t.Fatalf("clear: %v %v", resp, err)
	}
	cleared := read()
	if cleared.TotalTime > 8 || cleared.TxBytes > 200 || cleared.BatteryMicrovolts == 0 {
		t.Fatalf("after clear: %+v", cleared)
	}
	if code, _ := put(t, cc, "/sys/stats", nil, "mod=pwr"); code != codes.Changed {
		t.Fatalf("PUT clear: %v", code)
	}
}

func TestDeviceICThroughTheNIC(t *testing.T) {
	m := startMesh(t, Config{Devices: 1})
	d := m.Devices()[0]
	cc := dialDevice(t, d)

	code, body := get(t, cc, "/snsr")
	if code != codes.Content || !strings.Contains(string(body), "</snsr/sys>") || !strings.Contains(string(body), "</snsr/arduino>") {
		t.Fatalf("/snsr: %v %s", code, body)
	}
	if _, body := get(t, cc, "/snsr/sys"); !strings.Contains(string(body), "</snsr/sys/time>") || strings.Contains(string(body), "temp") {
		t.Fatalf("/snsr/sys: %s", body)
	}
	code, body = get(t, cc, "/snsr/sys/info")
	info, err := ssn.UnmarshalSystemInfo(body)
	if code != codes.Content || err != nil || info.Version == "" || info.BuildDate == "" {
		t.Fatalf("info: %v %+v %v", code, info, err)
	}
	code, body = get(t, cc, "/snsr/sys/time")
	icTime, err := ssn.DecodeSystemTime(body)
	if code != codes.Content || err != nil || time.Since(icTime).Abs() > 3*time.Second {
		t.Fatalf("time: %v %v %v", code, icTime, err)
	}

	target := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	set, _ := ssn.AbsoluteTimeSet(target).MarshalBinary()
	if code, _ := put(t, cc, "/snsr/sys/time", set); code != codes.Changed {
		t.Fatalf("time set: %v", code)
	}
	if _, body := get(t, cc, "/snsr/sys/time"); func() bool { got, _ := ssn.DecodeSystemTime(body); return got.Sub(target).Abs() > 2*time.Second }() {
		t.Fatalf("time after set: %x", body)
	}
	delta, _ := ssn.TimeSet{Type: ssn.TypeTimeDelta, Seconds: 5}.MarshalBinary()
	for name, payload := range map[string][]byte{"delta": delta, "short": set[:6], "wrong type": append([]byte{2}, set[1:]...)} {
		if code, _ := put(t, cc, "/snsr/sys/time", payload); code != codes.NotAcceptable {
			t.Errorf("time set %s: %v, want 4.06", name, code)
		}
	}

	code, body = get(t, cc, "/snsr/sys/stats", "mod=coap")
	var stats ssn.CoapStats
	if code != codes.Content || stats.UnmarshalBinary(body) != nil || stats.RxSuccess < 5 {
		t.Fatalf("coap stats: %v %+v", code, stats)
	}
	if code, _ := get(t, cc, "/snsr/sys/stats", "mod=pwr"); code != codes.NotAcceptable {
		t.Fatalf("IC mod=pwr: %v", code)
	}
	if code, _ := get(t, cc, "/snsr/nothing/here"); code != codes.NotFound {
		t.Fatalf("unknown IC path: %v", code)
	}

	code, body = get(t, cc, "/snsr/arduino/temp", "sens")
	var reading ssn.SensorReading
	if code != codes.Content || reading.UnmarshalCBOR(body) != nil || reading.Sensor != "temp" {
		t.Fatalf("temp: %v %x", code, body)
	}
	temp, err := ssn.ParseTemperature(reading.Text)
	if err != nil || temp.Unit != "F" || temp.Value < 50 || temp.Value > 90 {
		t.Fatalf("temperature %+v %v", temp, err)
	}
	if code, _ := put(t, cc, "/snsr/arduino/temp", nil, "cfg=C"); code != codes.Changed {
		t.Fatalf("cfg=C: %v", code)
	}
	_, body = get(t, cc, "/snsr/arduino/temp", "sens")
	_ = reading.UnmarshalCBOR(body)
	if temp, _ := ssn.ParseTemperature(reading.Text); temp.Unit != "C" || temp.Value > 35 {
		t.Fatalf("after cfg=C: %q", reading.Text)
	}
	if code, _ := get(t, cc, "/snsr/arduino/temp"); code != codes.MethodNotAllowed {
		t.Fatalf("temp without query: %v", code)
	}
	if code, _ := get(t, cc, "/snsr/.well-known/core"); code != codes.Content {
		t.Fatalf("IC well-known: %v", code)
	}
}

func observe(t *testing.T, cc *client.Conn, path string, queries ...string) (<-chan []byte, netclient.Observation) {
	t.Helper()
	ch := make(chan []byte, 100)
	var opts []message.Option
	for _, q := range queries {
		opts = append(opts, message.Option{ID: message.URIQuery, Value: []byte(q)})
	}
	obs, err := cc.Observe(ctx5s(t), path, func(m *pool.Message) {
		body, _ := m.ReadBody()
		select {
		case ch <- bytes.Clone(body):
		default:
		}
	}, opts...)
	if err != nil {
		t.Fatalf("observe %s: %v", path, err)
	}
	return ch, obs
}

func TestObservePowerStatsAndCancel(t *testing.T) {
	m := startMesh(t, Config{Devices: 1})
	d := m.Devices()[0]
	cc := dialDevice(t, d)
	ch, obs := observe(t, cc, "/sys/stats", "mod=pwr")
	for i := range 4 {
		select {
		case b := <-ch:
			var p ssn.PowerStats
			if err := p.UnmarshalBinary(b); err != nil {
				t.Fatalf("notification %d: %v", i, err)
			}
		case <-time.After(3 * time.Second):
			t.Fatalf("notification %d did not come", i)
		}
	}
	if d.Status().PowerObservers != 1 {
		t.Fatalf("observers %d", d.Status().PowerObservers)
	}
	if err := obs.Cancel(ctx5s(t), message.Option{ID: message.URIQuery, Value: []byte("mod=pwr")}); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, "the device to drop its observer", func() bool { return d.Status().PowerObservers == 0 })
}

func TestObserveTemperatureIsRelayedAndCancelledAtTheIC(t *testing.T) {
	m := startMesh(t, Config{Devices: 1})
	d := m.Devices()[0]
	cc := dialDevice(t, d)
	ch, obs := observe(t, cc, "/snsr/arduino/temp", "sens")
	for i := range 3 {
		select {
		case b := <-ch:
			var r ssn.SensorReading
			if err := r.UnmarshalCBOR(b); err != nil {
				t.Fatalf("notification %d: %v", i, err)
			}
		case <-time.After(3 * time.Second):
			t.Fatalf("notification %d did not come", i)
		}
	}
	if d.temperature().set.Len() != 1 {
		t.Fatalf("IC observers %d, want the NIC alone", d.temperature().set.Len())
	}
	if err := obs.Cancel(ctx5s(t), message.Option{ID: message.URIQuery, Value: []byte("sens")}); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, "the IC to drop the NIC's observation", func() bool { return d.temperature().set.Len() == 0 })
}

func TestICResetRebootsAndTheNICSetsItsTime(t *testing.T) {
	bus := &traffic.Bus{}
	events, stop := bus.Subscribe(100)
	defer stop()
	m := startMesh(t, Config{Devices: 1, Traffic: bus, RebootDuration: 300 * time.Millisecond})
	d := m.Devices()[0]
	d.SkewClock(-time.Hour)
	cc := dialDevice(t, d)
	resp, err := cc.Post(ctx5s(t), "/snsr/sys/reset", message.TextPlain, nil)
	if err != nil || resp.Code() != codes.Changed {
		t.Fatalf("reset: %v %v", resp, err)
	}
	testwait.For(t, "the IC to go down", d.Rebooting)
	short, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	if resp, err := cc.Get(short, "/snsr/sys/info"); err == nil && resp.Code() != codes.ServiceUnavailable {
		t.Fatalf("a rebooting IC answered %v", resp.Code())
	}
	var notice, timeSet bool
	deadline := time.After(5 * time.Second)
	for !(notice && timeSet) {
		select {
		case e := <-events:
			if e.Hop == traffic.HopICToNIC && e.Path == "/sys/snsr?ev=rbt" {
				notice = true
			}
			if e.Hop == traffic.HopNICToIC && e.Path == "/sys/time" && e.Code == codes.Changed {
				if !notice {
					t.Fatal("time set before the reboot notice")
				}
				timeSet = true
			}
		case <-deadline:
			t.Fatalf("reboot notice %v, time set %v", notice, timeSet)
		}
	}
	if skew := time.Until(d.ICClock()).Abs(); skew > 2*time.Second {
		t.Fatalf("IC clock off by %v after the NIC set it", skew)
	}
}

func TestFaults(t *testing.T) {
	m := startMesh(t, Config{Devices: 2})
	d := m.Devices()[0]
	specs := []string{SeedMAC + ":battery-low", SeedMAC + ":tamper"}
	var parsed []FaultSpec
	for _, s := range specs {
		f, err := ParseFaultSpec(s)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, f)
	}
	if err := m.ApplyFaults(parsed); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, "both events to reach the IC", func() bool { return len(d.Events()) == 2 })
	got := map[ssn.Event]bool{}
	for _, e := range d.Events() {
		got[e.Event] = true
	}
	if !got[ssn.EventLowBattery] || !got[ssn.EventTamper] {
		t.Fatalf("events %v", d.Events())
	}
	if v := d.Status().BatteryVolts; v > 3.1 {
		t.Fatalf("battery %v V after battery-low", v)
	}
	cc := dialDevice(t, d)
	_, body := get(t, cc, "/snsr/sys/event")
	var records []map[string]any
	if err := cbor.Unmarshal(body, &records); err != nil || len(records) != 2 {
		t.Fatalf("GET sys/event: %x %v", body, err)
	}

	offline, _ := ParseFaultSpec("*:offline")
	if err := m.ApplyFaults([]FaultSpec{offline}); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	if _, err := cc.Get(short, "/"); err == nil {
		t.Fatal("an offline device answered")
	}
	d.SetLinkFaults(LinkFaults{Delay: 200 * time.Millisecond})
	start := time.Now()
	if code, _ := get(t, cc, "/"); code != codes.Content || time.Since(start) < 200*time.Millisecond {
		t.Fatalf("delayed device: %v after %v", code, time.Since(start))
	}
}

func TestLossIsStatisticallyRight(t *testing.T) {
	link := &deviceLink{withFaults: true, faults: LinkFaults{LossPercent: 30}, rng: rand.New(rand.NewPCG(1, 2))}
	lost := 0
	for range 10000 {
		if ok, _ := link.Receive(netip.AddrPort{}, 10); !ok {
			lost++
		}
	}
	if lost < 2700 || lost > 3300 {
		t.Fatalf("lost %d of 10000 at 30%%", lost)
	}
}

func TestParseFaultSpec(t *testing.T) {
	for _, good := range []string{"*:loss=30", "SSN0013*:delay=250ms", SeedMAC + ":offline", "*:clock-skew=-90s", "*:reboot"} {
		if _, err := ParseFaultSpec(good); err != nil {
			t.Errorf("%s: %v", good, err)
		}
	}
	for _, bad := range []string{"", "loss=30", "*:", "*:loss=130", "*:loss=x", "*:delay=fast", "*:offline=yes", "*:explode"} {
		if _, err := ParseFaultSpec(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestRebootedDeviceRestartsItsCounters(t *testing.T) {
	m := startMesh(t, Config{Devices: 1})
	d := m.Devices()[0]
	cc := dialDevice(t, d)
	_, before := get(t, cc, "/sys/stats", "mod=pwr")
	var p ssn.PowerStats
	_ = p.UnmarshalBinary(before)
	d.Reboot()
	testwait.For(t, "the reboot to finish", func() bool { return !d.Rebooting() })
	_, after := get(t, cc, "/sys/stats", "mod=pwr")
	var q ssn.PowerStats
	_ = q.UnmarshalBinary(after)
	if q.TotalTime >= p.TotalTime || q.TotalTime > 40 {
		t.Fatalf("total time %d → %d after reboot", p.TotalTime, q.TotalTime)
	}
}

func TestRebootWhileTheICIsRebootingComesBack(t *testing.T) {
	m := startMesh(t, Config{Devices: 1, RebootDuration: 200 * time.Millisecond})
	d := m.Devices()[0]
	cc := dialDevice(t, d)
	if resp, err := cc.Post(ctx5s(t), "/snsr/sys/reset", message.TextPlain, nil); err != nil || resp.Code() != codes.Changed {
		t.Fatalf("reset: %v", err)
	}
	testwait.For(t, "the IC to go down", d.Rebooting)
	d.Reboot()
	testwait.For(t, "the device to come back", func() bool { return !d.Rebooting() })
	if code, _ := get(t, cc, "/"); code != codes.Content {
		t.Fatalf("after the reboot: %v", code)
	}
}
