package coapengine

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coap-workbench/coap-workbench/gatewaylite"
	"github.com/coap-workbench/coap-workbench/gatewaylite/mesh"
	gwtest "github.com/coap-workbench/coap-workbench/internal/testbed"
)

func TestCrawlADeviceIntoATree(t *testing.T) {
	b := startTestbed(t, nil)
	c := b.connect(t, nil, nil)
	tree := c.Crawl(ctx10s(t), "coap://"+seedHost+":4849")
	if !tree.Reachable || tree.Err != "" || tree.Device != seedHost || tree.RTT <= 0 {
		t.Fatalf("tree %+v", tree)
	}
	if strings.Join(tree.Listings, " ") != "/.well-known/core /sys /snsr /snsr/sys" {
		t.Fatalf("listings %v", tree.Listings)
	}
	byPath := map[string]Resource{}
	for _, r := range tree.Resources {
		byPath[r.Path] = r
	}
	pwr := byPath["/sys/stats?mod=pwr"]
	if !pwr.Observable || len(pwr.ContentFormats) != 1 || pwr.ContentFormats[0] != 42 || pwr.ResourceTypes[0] != "ssn.stats.pwr" || pwr.Title != "Power statistics" {
		t.Fatalf("power stats resource %+v", pwr)
	}
	for _, p := range []string{"/snsr/sys/time", "/snsr/arduino/temp?sens", "/snsr/sys/info", "/sys/snsr?ev=rbt"} {
		if _, ok := byPath[p]; !ok {
			t.Errorf("missing %s", p)
		}
	}
	stats := tree.Root.Child("sys").Child("stats?mod=pwr")
	if stats == nil || stats.Resource == nil || stats.Path != "/sys/stats?mod=pwr" {
		t.Fatalf("tree node %+v", stats)
	}
	if temp := tree.Root.Child("snsr").Child("arduino").Child("temp?sens"); temp == nil || !temp.Resource.Observable {
		t.Fatalf("temperature node %+v", temp)
	}
}

func TestUnreachableDevicesSayWhy(t *testing.T) {
	b := startTestbed(t, func(c *gatewaylite.Config) { c.UpstreamTimeout = 300 * time.Millisecond })
	b.mesh.Devices()[1].SetLinkFaults(mesh.LinkFaults{Offline: true})
	c := b.connect(t, nil, nil)
	offline := c.Crawl(ctx10s(t), "coap://"+b.mesh.Devices()[1].Name+":4849")
	if offline.Reachable || !strings.Contains(offline.Err, "5.04") {
		t.Fatalf("offline: %+v", offline)
	}
	unknown := c.Crawl(ctx10s(t), "coap://SSN00AA00AA00AA00AA.sim.starfish.test:4849")
	if unknown.Reachable || !strings.Contains(unknown.Err, "5.02") {
		t.Fatalf("unknown: %+v", unknown)
	}
}

func TestCrawlTheMeshWithProgressAndCancel(t *testing.T) {
	b := startTestbed(t, nil)
	c := b.connect(t, nil, nil)
	var names []string
	for _, d := range b.mesh.Devices() {
		names = append(names, d.Name)
	}
	var seen []int
	trees := c.CrawlMesh(ctx10s(t), names, 2, func(p CrawlProgress) { seen = append(seen, p.Done) })
	if len(trees) != len(names) || len(seen) != len(names) || seen[len(seen)-1] != len(names) {
		t.Fatalf("%d trees, progress %v", len(trees), seen)
	}
	for i, tree := range trees {
		if tree.Device != names[i] || !tree.Reachable || len(tree.Resources) < 10 {
			t.Fatalf("device %d: %+v", i, tree)
		}
	}
	// Cancelled before it starts: every device says so, nothing hangs.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	trees = c.CrawlMesh(ctx, names, 2, nil)
	for _, tree := range trees {
		if tree.Reachable || tree.Err == "" {
			t.Fatalf("cancelled crawl: %+v", tree)
		}
	}
}

func TestReadDeviceList(t *testing.T) {
	in := "# devices to check\nmac,site\n00:13:50:05:00:05:E7:D6,north\n0013500542642b7a\nSSN00135005496BCDA8.other.domain\n\n"
	got, err := ReadDeviceList(strings.NewReader(in), "sim.starfish.test")
	if err != nil {
		t.Fatal(err)
	}
	want := "SSN001350050005E7D6.sim.starfish.test SSN0013500542642B7A.sim.starfish.test SSN00135005496BCDA8.other.domain"
	if strings.Join(got, " ") != want {
		t.Fatalf("got %v", got)
	}
	if _, err := ReadDeviceList(strings.NewReader("001350050005E7D6\nnot-a-mac\n"), "d"); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("bad line: %v", err)
	}
}

func TestListTheGatewaysDevices(t *testing.T) {
	b := startTestbed(t, nil)
	c := b.connect(t, nil, nil)
	devices, err := c.ListDevices(ctx10s(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(devices) != len(b.mesh.Devices()) || devices[0] != b.mesh.Devices()[0].Name {
		t.Fatalf("devices %v", devices)
	}
	links, err := c.ListDeviceLinks(ctx10s(t))
	if err != nil {
		t.Fatal(err)
	}
	first := b.mesh.Devices()[0]
	if want := (ListedDevice{Host: first.Name, Base: "coap://" + first.Name + ":4849", Type: string(first.Type)}); links[0] != want {
		t.Fatalf("first listed device %+v, want %+v", links[0], want)
	}
	// Without a session the gateway says 4.01; a profile that cannot log in reports it.
	anon := b.connect(t, nil, func(p *Profile) { p.Tokens = nil })
	if _, err := anon.ListDevices(ctx10s(t)); err == nil || !strings.Contains(err.Error(), "log in") {
		t.Fatalf("without a session: %v", err)
	}
}

// BenchmarkCrawlMesh1000 crawls a thousand devices of the instant mesh through gateway-lite:
// the device list, then every device's /.well-known/core and next-level listings.
func BenchmarkCrawlMesh1000(b *testing.B) {
	bed := gwtest.StartMesh(b, mesh.Config{Devices: 1000, Profile: mesh.Instant, NotifyPeriod: time.Minute}, nil)
	tb := &testbed{Bed: bed, gw: bed.Gateway, mesh: bed.Mesh}
	c := tb.connect(b, nil, nil)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		devices, err := c.ListDevices(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if len(devices) != 1000 {
			b.Fatalf("the gateway listed %d devices", len(devices))
		}
		trees := c.CrawlMesh(ctx, devices, 64, nil)
		cancel()
		for _, tree := range trees {
			if !tree.Reachable {
				b.Fatalf("%s: %s", tree.Device, tree.Err)
			}
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/crawl")
}

func TestWithoutAGatewayThereIsNoDeviceList(t *testing.T) {
	b := startTestbed(t, nil)
	direct := b.connect(t, nil, func(p *Profile) { p.Gateway, p.Tokens = "", nil })
	if _, err := direct.ListDeviceLinks(ctx10s(t)); !errors.Is(err, ErrNoDeviceList) || !strings.Contains(err.Error(), "name the devices") {
		t.Fatalf("direct: %v", err)
	}
}

func TestDevicesAreReadInAnyCommonForm(t *testing.T) {
	const want = "SSN001350050005E7D6.sim.starfish.test"
	for _, in := range []string{"00:13:50:05:00:05:E7:D6", "00-13-50-05-00-05-e7-d6", "SSN001350050005E7D6", "ssn001350050005e7d6", want, " 001350050005E7D6 "} {
		if got, err := DeviceHost(in, "sim.starfish.test"); err != nil || got != want {
			t.Fatalf("%q: %q %v", in, got, err)
		}
	}
	if got, err := DeviceHost("sensor-7.lab.example", "d"); err != nil || got != "sensor-7.lab.example" {
		t.Fatalf("another host: %q %v", got, err)
	}
	if _, err := DeviceHost("00:13:50", "d"); err == nil || !strings.Contains(err.Error(), "16 hex digits") {
		t.Fatalf("short MAC: %v", err)
	}
}
