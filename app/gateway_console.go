package app

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/coap-workbench/coap-workbench/gatewaylite"
	"github.com/coap-workbench/coap-workbench/gatewaylite/mesh"
	"github.com/coap-workbench/coap-workbench/gatewaylite/traffic"
	"github.com/coap-workbench/coap-workbench/internal/coapfmt"
	"github.com/coap-workbench/coap-workbench/internal/human"
	"github.com/coap-workbench/coap-workbench/views"
)

// gatewayConsole is the embedded gateway and its mesh as the gateway console sees them
// (views.GatewayConsoleSource).
type gatewayConsole struct {
	gateway *gatewaylite.Gateway
	mesh    *mesh.Mesh
}

// newGatewayConsole is the console's source for e.
func newGatewayConsole(e *Embedded) *gatewayConsole {
	return &gatewayConsole{gateway: e.Gateway, mesh: e.Mesh}
}

// Sessions implements views.GatewayConsoleSource.
func (c *gatewayConsole) Sessions() []views.SessionRow {
	list := c.gateway.Sessions().List()
	rows := make([]views.SessionRow, len(list))
	for i, s := range list {
		rows[i] = views.SessionRow{
			Account: s.Account, Socket: s.Socket.String(), Sticky: s.Sticky, Idle: s.Idle,
			State: string(s.State), TokenExpires: s.TokenExpires,
		}
	}
	return rows
}

// Devices implements views.GatewayConsoleSource.
func (c *gatewayConsole) Devices() []views.DeviceStatusRow {
	devices := c.mesh.Devices()
	rows := make([]views.DeviceStatusRow, len(devices))
	for i, d := range devices {
		s := d.Status()
		rows[i] = views.DeviceStatusRow{
			Name: s.Name, Type: string(s.Type),
			LossPercent: s.Link.LossPercent, Delay: s.Link.Delay, Jitter: s.Link.Jitter, Offline: s.Link.Offline,
			Rebooting: s.Rebooting, BatteryLow: s.BatteryLow, BatteryVolts: s.BatteryVolts,
			Observers: s.PowerObservers, ClockSkew: s.ICClockSkew,
		}
	}
	return rows
}

// device finds a device by its host name.
func (c *gatewayConsole) device(name string) (*mesh.Device, error) {
	d, ok := c.mesh.Lookup(name)
	if !ok {
		return nil, fmt.Errorf("there is no device %s in the simulated mesh", name)
	}
	return d, nil
}

// SetLink implements views.GatewayConsoleSource.
func (c *gatewayConsole) SetLink(device string, l views.LinkSettings) error {
	if l.LossPercent < 0 || l.LossPercent > 100 || l.Delay < 0 || l.Jitter < 0 {
		return fmt.Errorf("loss %g %%, delay %s, jitter %s: loss is from 0 to 100, times are not negative", l.LossPercent, human.Duration(l.Delay), human.Duration(l.Jitter))
	}
	return c.act(device, func(d *mesh.Device) {
		d.SetLinkFaults(mesh.LinkFaults{LossPercent: l.LossPercent, Delay: l.Delay, Jitter: l.Jitter, Offline: l.Offline})
	})
}

// Reboot implements views.GatewayConsoleSource.
func (c *gatewayConsole) Reboot(device string) error {
	return c.act(device, (*mesh.Device).Reboot)
}

// SetBatteryLow implements views.GatewayConsoleSource.
func (c *gatewayConsole) SetBatteryLow(device string, low bool) error {
	return c.act(device, func(d *mesh.Device) { d.SetBatteryLow(low) })
}

// Tamper implements views.GatewayConsoleSource.
func (c *gatewayConsole) Tamper(device string) error {
	return c.act(device, (*mesh.Device).Tamper)
}

// SkewClock implements views.GatewayConsoleSource.
func (c *gatewayConsole) SkewClock(device string, skew time.Duration) error {
	return c.act(device, func(d *mesh.Device) { d.SkewClock(skew) })
}

// act does fault to the device named device.
func (c *gatewayConsole) act(device string, fault func(*mesh.Device)) error {
	d, err := c.device(device)
	if err != nil {
		return err
	}
	fault(d)
	return nil
}

// gatewaySummary is what the console says of e, and the link its faults are measured against.
func gatewaySummary(e *Embedded) views.GatewaySummary {
	profile := e.Mesh.Profile()
	return views.GatewaySummary{
		Listen:        e.Gateway.Addr().String(),
		TokenEndpoint: e.Gateway.TokenEndpoint(),
		Domain:        e.Mesh.Domain(),
		Profile:       profile.Name,
		ProfileLink: views.LinkSettings{
			LossPercent: profile.Link.LossPercent, Delay: profile.Link.Delay, Jitter: profile.Link.Jitter, Offline: profile.Link.Offline,
		},
		Note:         e.PortNote,
		LoginCommand: newCoapClientCopier(e).EmbeddedLoginLine(e),
	}
}

// forwardTraffic hands the gateway's exchanges to the screen in batches, at most ten times a
// second, so that a flood of traffic costs the UI one refresh per batch, not one per exchange.
func forwardTraffic(bus *traffic.Bus, screen *views.GatewayScreen) func() {
	exchanges, unsubscribe := bus.Subscribe(4096)
	done := make(chan struct{})
	go func() {
		ticker := time.NewTicker(100 * time.Millisecond)
		defer ticker.Stop()
		var batch []views.TrafficLine
		for {
			select {
			case e, ok := <-exchanges:
				if !ok {
					return
				}
				batch = append(batch, trafficLine(e))
			case <-ticker.C:
				if len(batch) == 0 {
					continue
				}
				lines := batch
				batch = nil
				fyne.Do(func() { screen.AddTraffic(lines...) })
			case <-done:
				return
			}
		}
	}()
	return func() {
		close(done)
		unsubscribe()
	}
}

func trafficLine(e traffic.Exchange) views.TrafficLine {
	// The path first, then the device by its first label: the part that differs between rows
	// stays visible when the column is narrow.
	target := e.Path + "  on the gateway"
	if e.Target != "" {
		device, _, _ := strings.Cut(e.Target, ".")
		target = e.Path + "  on " + device
	}
	return views.TrafficLine{
		Time: e.Time.Format("15:04:05.000"), Hop: string(e.Hop), Client: clientString(e), Method: e.Method,
		Target: target, Code: coapfmt.CodeString(e.Code), Detail: e.Detail,
	}
}
