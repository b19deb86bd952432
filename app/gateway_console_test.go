package app

import (
	"context"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/plgd-dev/go-coap/v3/message/codes"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/coap-workbench/coap-workbench/gatewaylite/traffic"
	"github.com/coap-workbench/coap-workbench/internal/testbed"
	"github.com/coap-workbench/coap-workbench/internal/testwait"
	"github.com/coap-workbench/coap-workbench/views"
)

// startConsoleGateway runs an embedded gateway with an instant mesh of three devices on
// loopback, and the console's source over it.
func startConsoleGateway(t *testing.T) (*Embedded, *gatewayConsole) {
	t.Helper()
	o := DefaultGatewayOptions()
	o.Listen, o.TokenListen, o.DataDir = "127.0.0.1:0", "off", t.TempDir()
	o.Devices, o.Profile = 3, "instant"
	e, err := StartEmbedded(t.Context(), o, slog.New(slog.DiscardHandler), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e, newGatewayConsole(e)
}

// deviceRow is the console's row of the device named name.
func deviceRow(t *testing.T, c *gatewayConsole, name string) views.DeviceStatusRow {
	t.Helper()
	for _, d := range c.Devices() {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("the console does not list %s", name)
	return views.DeviceStatusRow{}
}

func TestGatewayConsoleListsTheDevicesAndSetsTheirLinks(t *testing.T) {
	e, c := startConsoleGateway(t)
	if n := len(c.Devices()); n != 3 {
		t.Fatalf("the console lists %d devices of 3", n)
	}
	seed := deviceRow(t, c, testbed.SeedHost)
	if seed.Type != "Milli" || seed.Offline || seed.LossPercent != 0 || seed.BatteryVolts < 2 || seed.BatteryVolts > 4 {
		t.Fatalf("the seed device before any fault: %+v", seed)
	}
	device, _ := e.Mesh.Lookup(testbed.SeedHost)

	link := views.LinkSettings{LossPercent: 30, Delay: 300 * time.Millisecond, Jitter: 50 * time.Millisecond, Offline: true}
	if err := c.SetLink(testbed.SeedHost, link); err != nil {
		t.Fatal(err)
	}
	if s := device.Status().Link; !s.Offline || s.LossPercent != 30 || s.Delay != 300*time.Millisecond || s.Jitter != 50*time.Millisecond {
		t.Fatalf("the device's link after SetLink: %+v", s)
	}
	if row := deviceRow(t, c, testbed.SeedHost); row.Link() != link {
		t.Fatalf("the console reports %+v, want %+v", row.Link(), link)
	}
	if err := c.SetLink(testbed.SeedHost, views.LinkSettings{}); err != nil || deviceRow(t, c, testbed.SeedHost).Offline {
		t.Fatalf("back online: %v", err)
	}

	err := c.SetLink("SSN00AA00AA00AA00AA.sim.starfish.test", link)
	if err == nil || !strings.Contains(err.Error(), "no device SSN00AA00AA00AA00AA.sim.starfish.test") {
		t.Fatalf("an unknown device: %v", err)
	}
	if err := c.SetLink(testbed.SeedHost, views.LinkSettings{LossPercent: 150}); err == nil || device.Status().Link.LossPercent != 0 {
		t.Fatalf("a loss of 150 %%: %v, link %+v", err, device.Status().Link)
	}
}

func TestGatewayConsoleInjectsDeviceFaults(t *testing.T) {
	e, c := startConsoleGateway(t)
	device, _ := e.Mesh.Lookup(testbed.SeedHost)
	for _, err := range []error{
		c.SetBatteryLow(testbed.SeedHost, true),
		c.SkewClock(testbed.SeedHost, -90*time.Second),
		c.Tamper(testbed.SeedHost),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	row := deviceRow(t, c, testbed.SeedHost)
	if !row.BatteryLow || row.ClockSkew != -90*time.Second || row.Rebooting {
		t.Fatalf("after the faults the console reports %+v", row)
	}
	if s := device.Status(); !s.BatteryLow || s.ICClockSkew != -90*time.Second {
		t.Fatalf("the device after the faults: %+v", s)
	}
	testwait.For(t, "the tamper event to reach the Device IC", func() bool {
		for _, ev := range device.Events() {
			if ev.Event == ssn.EventTamper {
				return true
			}
		}
		return false
	})
	if err := c.Reboot(testbed.SeedHost); err != nil || !deviceRow(t, c, testbed.SeedHost).Rebooting {
		t.Fatalf("reboot: %v, the console does not report the device rebooting", err)
	}
	testwait.For(t, "the device to come back from its reboot", func() bool { return !deviceRow(t, c, testbed.SeedHost).Rebooting })
	for name, err := range map[string]error{
		"battery": c.SetBatteryLow("nobody", true), "clock": c.SkewClock("nobody", time.Second),
		"tamper": c.Tamper("nobody"), "reboot": c.Reboot("nobody"),
	} {
		if err == nil {
			t.Errorf("%s fault on an unknown device: no error", name)
		}
	}
}

func TestGatewayConsoleListsASessionAfterALogin(t *testing.T) {
	e, c := startConsoleGateway(t)
	if s := c.Sessions(); len(s) != 0 {
		t.Fatalf("sessions before any login: %+v", s)
	}
	tokens := coapengine.IssuerFunc(func(context.Context) (coapengine.Token, error) {
		tok, err := e.Gateway.IssueToken("dev", time.Hour)
		return coapengine.Token{Raw: tok.Raw, ExpiresAt: tok.ExpiresAt}, err
	})
	conn, err := coapengine.Dial(t.Context(), coapengine.Profile{Gateway: e.Gateway.Addr().String(), Tokens: tokens}, coapengine.Hooks{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Login(t.Context()); err != nil {
		t.Fatal(err)
	}
	sessions := c.Sessions()
	if len(sessions) != 1 {
		t.Fatalf("after a login the console lists %d sessions", len(sessions))
	}
	s := sessions[0]
	socket, err := netip.ParseAddrPort(s.Socket)
	if err != nil || socket.Port() != conn.LocalAddr().Port() || s.Account != "dev" || s.State != "active" || s.Sticky {
		t.Fatalf("session %+v (%v), want dev from port %d, active", s, err, conn.LocalAddr().Port())
	}
	if until := time.Until(s.TokenExpires); until < 50*time.Minute || until > time.Hour {
		t.Fatalf("the session's token expires in %s, want about an hour", until)
	}
}

func TestTrafficLineNamesTheDeviceByItsFirstLabel(t *testing.T) {
	at := time.Date(2025, 3, 1, 12, 0, 1, 500e6, time.Local)
	client := netip.MustParseAddrPort("127.0.0.1:40000")
	got := trafficLine(traffic.Exchange{Time: at, Hop: traffic.HopDevice, Client: client, Method: "GET", Target: testbed.SeedHost + ":4849", Path: "/sys", Code: codes.Content})
	want := views.TrafficLine{Time: "12:00:01.500", Hop: "device", Client: clientString(traffic.Exchange{Client: client}), Method: "GET", Target: "/sys  on SSN001350050005E7D6", Code: "2.05"}
	if !strings.HasPrefix(got.Code, want.Code) {
		t.Fatalf("code %q", got.Code)
	}
	got.Code = want.Code
	if got != want {
		t.Fatalf("device line %+v, want %+v", got, want)
	}
	if got := trafficLine(traffic.Exchange{Path: "/sessions"}); got.Target != "/sessions  on the gateway" {
		t.Fatalf("gateway line target %q", got.Target)
	}
}

func TestGatewayConsoleReportsTheFaultsGivenOnTheCommandLineAgainstTheProfile(t *testing.T) {
	o := DefaultGatewayOptions()
	o.Listen, o.TokenListen, o.DataDir = "127.0.0.1:0", "off", t.TempDir()
	o.Devices, o.Profile = 3, "field"
	o.Faults = multiFlag{"001350050005E7D6:loss=30", "001350050005E7D6:battery-low"}
	e, err := StartEmbedded(t.Context(), o, slog.New(slog.DiscardHandler), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	summary := gatewaySummary(e)
	if want := (views.LinkSettings{LossPercent: 2, Delay: 150 * time.Millisecond, Jitter: 250 * time.Millisecond}); summary.ProfileLink != want {
		t.Fatalf("the console measures faults against %+v, want the field profile's %+v", summary.ProfileLink, want)
	}
	test.NewTempApp(t)
	console := views.NewGatewayScreen(summary, newGatewayConsole(e))
	reports := map[string]string{}
	console.OnFaultsChanged = func(host, faults string) { reports[host] = faults }
	console.Refresh()
	// The other two devices are on the profile's link: no fault.
	if want := map[string]string{testbed.SeedHost: "loss 30 %, delay 150 ms ± 250 ms · battery low"}; len(reports) != 1 || reports[testbed.SeedHost] != want[testbed.SeedHost] {
		t.Fatalf("the console reported %v, want %v", reports, want)
	}
}
