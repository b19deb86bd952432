package mesh

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/coap-workbench/coap-workbench/gatewaylite/observers"
	"github.com/coap-workbench/coap-workbench/gatewaylite/traffic"
	"github.com/coap-workbench/coap-workbench/internal/udpendpoint"
	"github.com/plgd-dev/go-coap/v3/udp/client"
)

// Device is one simulated NIC and the Device IC behind it.
type Device struct {
	MAC  ssn.MAC
	Name string // host name, e.g. SSN001350050005E7D6.sim.starfish.test
	Type ssn.NICType

	mesh    *Mesh
	nic     *udpendpoint.Endpoint
	icCfg   udpendpoint.Config
	nicLink *deviceLink
	icLink  *deviceLink
	power   *powerModel

	powerObservers *observedResource // /sys/stats?mod=pwr on the NIC
	icRelays       *observers.RelayTable

	// The Device IC's endpoint and its observable temperature start when the IC is first
	// needed: most ICs of a large mesh are never addressed, and need no socket.
	icMu          sync.Mutex
	ic            *udpendpoint.Endpoint
	tempObservers *observedResource // /arduino/temp?sens on the IC

	rebooting  atomic.Bool  // the whole device
	icBooting  atomic.Bool  // the Device IC alone
	icOffset   atomic.Int64 // the IC clock's offset from the mesh clock, ns
	icBootedAt atomic.Int64 // unix ns
	tempUnit   atomic.Value // "C" or "F"
	tempBase   float64
	lowBattery atomic.Bool
	icStats    icCounters

	eventsMu sync.Mutex
	events   []ReceivedEvent
}

// ReceivedEvent is an event the Device IC received from its NIC.
type ReceivedEvent struct {
	Event ssn.Event
	At    time.Time
}

type icCounters struct {
	rx, tx, errHDLC, retriesExceeded atomic.Uint32
}

func newDevice(m *Mesh, mac ssn.MAC, nicType ssn.NICType, rng *rand.Rand) (*Device, error) {
	now := m.now()
	d := &Device{
		MAC:      mac,
		Name:     mac.HostName(m.cfg.Domain),
		Type:     nicType,
		mesh:     m,
		power:    newPowerModel(rng, now),
		tempBase: 19 + 6*rng.Float64(),
	}
	d.tempUnit.Store("F") // the HDK's default unit
	d.icBootedAt.Store(now.UnixNano())
	// The IC's clock was set by its NIC when it booted, give or take a second.
	d.icOffset.Store(int64(time.Duration(rng.Int64N(int64(2*time.Second))) - time.Second))
	d.nicLink = &deviceLink{
		rng: rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64())), faults: m.cfg.Profile.Link, withFaults: true,
		onSend: d.power.countSent, onReceive: d.power.countReceived,
	}
	d.icLink = &deviceLink{rng: rand.New(rand.NewPCG(rng.Uint64(), 1))}

	base := udpendpoint.Config{
		Logger: m.cfg.Logger, Sweeper: m.sweeper,
		// A constrained device keeps a handful of responses for duplicates, not 247 s' worth,
		// and takes no datagram larger than its link's MTU.
		ResponseCacheEntries: 32,
		MaxMessageSize:       1280,
		// The NIC's conn to its IC holds the observations it relays, quiet between
		// notifications: keep peers well past the notification period.
		IdlePeerTimeout:       max(10*time.Minute, 3*m.cfg.NotifyPeriod),
		ReceiveBuffer:         256 << 10,
		NonConfirmableReplies: true,
		// The NIC's requests to its IC (forwarded ones, time sets, events) must not queue
		// behind one another: a time set waiting for an unanswered GET would arrive stale.
		NStart: 8,
	}
	nicCfg := base
	nicCfg.Handler = d.serveNIC
	nicCfg.Link = d.nicLink
	var err error
	if d.nic, err = udpendpoint.Listen(m.ctx, "127.0.0.1:0", nicCfg); err != nil {
		return nil, err
	}
	d.icCfg = base
	d.icCfg.Handler = d.serveIC
	d.icCfg.Link = d.icLink
	d.powerObservers = newObservedResource(d.nic, m.cfg.NotifyPeriod, d.fillPowerStats)
	d.icRelays = observers.NewRelayTable(d.nic)
	return d, nil
}

// icEndpoint returns the Device IC's endpoint, starting it the first time.
func (d *Device) icEndpoint() (*udpendpoint.Endpoint, error) {
	d.icMu.Lock()
	defer d.icMu.Unlock()
	if d.ic == nil {
		ic, err := udpendpoint.Listen(d.mesh.ctx, "127.0.0.1:0", d.icCfg)
		if err != nil {
			return nil, fmt.Errorf("cannot start the Device IC: %w", err)
		}
		d.ic = ic
		d.tempObservers = newObservedResource(ic, d.mesh.cfg.NotifyPeriod, d.fillTemperature)
	}
	return d.ic, nil
}

// icConn is the NIC's conn to its Device IC (the HDLC link, simulated over loopback).
func (d *Device) icConn() (*client.Conn, error) {
	ic, err := d.icEndpoint()
	if err != nil {
		return nil, err
	}
	return d.nic.Conn(ic.LocalAddr())
}

// temperature returns the IC's observable temperature resource, nil before the IC started.
func (d *Device) temperature() *observedResource {
	d.icMu.Lock()
	defer d.icMu.Unlock()
	return d.tempObservers
}

func (d *Device) close() {
	d.powerObservers.stop()
	if d.nic != nil {
		d.nic.Close()
	}
	d.icMu.Lock()
	defer d.icMu.Unlock()
	if d.ic != nil {
		d.tempObservers.stop()
		d.ic.Close()
	}
}

// Addr is the NIC's loopback address; the gateway forwards to it.
func (d *Device) Addr() netip.AddrPort { return d.nic.LocalAddr() }

// AnswersOnPort reports whether the NIC answers on port: Milli NICs only on 4849, the other
// type also on the default CoAP port.
func (d *Device) AnswersOnPort(port uint16) bool {
	if d.Type == ssn.NICMilli {
		return port == ssn.MilliPort
	}
	return port == ssn.MilliPort || port == 5683
}

// LinkFaults returns the device's current link faults.
func (d *Device) LinkFaults() LinkFaults { return d.nicLink.get() }

// SetLinkFaults replaces the device's link faults.
func (d *Device) SetLinkFaults(f LinkFaults) {
	d.nicLink.set(f)
	d.mesh.cfg.Logger.Info("device link faults set", "device", d.Name, "loss_percent", f.LossPercent, "delay", f.Delay, "jitter", f.Jitter, "offline", f.Offline)
}

// SetBatteryLow puts the battery in (or out of) its low range; going low makes the NIC raise
// a low-battery event to its Device IC.
func (d *Device) SetBatteryLow(low bool) {
	was := d.lowBattery.Swap(low)
	d.power.setLowBattery(low)
	if low && !was {
		go d.sendEvent(ssn.EventLowBattery)
	}
}

// BatteryLow reports whether the battery-low fault is on.
func (d *Device) BatteryLow() bool { return d.lowBattery.Load() }

// Tamper makes the NIC raise a tamper event to its Device IC.
func (d *Device) Tamper() { go d.sendEvent(ssn.EventTamper) }

// SkewClock sets the Device IC's clock off by skew from true time.
func (d *Device) SkewClock(skew time.Duration) {
	d.icOffset.Store(int64(skew))
	d.mesh.cfg.Logger.Info("device IC clock skewed", "device", d.Name, "skew", skew)
}

// ICClock returns the Device IC's idea of the time now.
func (d *Device) ICClock() time.Time {
	return d.mesh.now().Add(time.Duration(d.icOffset.Load()))
}

// Reboot restarts the whole device: it is silent for the mesh's reboot duration, its power
// statistics restart from zero, it forgets its observers, and its Device IC reboots with it
// (and has its time set by the NIC when it comes back).
func (d *Device) Reboot() {
	if !d.rebooting.CompareAndSwap(false, true) {
		return
	}
	d.mesh.cfg.Logger.Info("device rebooting", "device", d.Name)
	d.nicLink.setDown(true)
	d.powerObservers.forgetAll()
	d.icRelays.LeaveAll()
	d.mesh.publish(traffic.Exchange{Hop: traffic.HopSession, Target: d.Name, Detail: "device rebooting"})
	duration := d.mesh.cfg.RebootDuration
	time.AfterFunc(duration, func() {
		d.power.reboot(d.mesh.now())
		d.nicLink.setDown(false)
		d.rebooting.Store(false)
	})
	// The IC comes back just after its NIC, so that the NIC hears its reboot notice.
	d.rebootIC(duration + 50*time.Millisecond)
}

// RebootIC restarts the Device IC alone, as POST /snsr/sys/reset does.
func (d *Device) RebootIC() { d.rebootIC(d.mesh.cfg.RebootDuration) }

// rebootIC silences the IC for duration, then brings it back with its clock at the epoch,
// announcing itself to its NIC. An IC already rebooting carries on with that reboot.
func (d *Device) rebootIC(duration time.Duration) {
	if !d.icBooting.CompareAndSwap(false, true) {
		return
	}
	d.icLink.setDown(true)
	if temp := d.temperature(); temp != nil {
		temp.forgetAll()
	}
	time.AfterFunc(duration, func() {
		if d.mesh.ctx.Err() != nil {
			return
		}
		now := d.mesh.now()
		// An IC without a battery-backed clock starts at the epoch.
		d.icOffset.Store(-now.UnixNano())
		d.icBootedAt.Store(now.UnixNano())
		d.icLink.setDown(false)
		d.icBooting.Store(false)
		d.sendRebootNotice()
	})
}

// Rebooting reports whether the device or its IC is rebooting now.
func (d *Device) Rebooting() bool { return d.rebooting.Load() || d.icBooting.Load() }

// Events returns the events the Device IC received, oldest first.
func (d *Device) Events() []ReceivedEvent {
	d.eventsMu.Lock()
	defer d.eventsMu.Unlock()
	return append([]ReceivedEvent(nil), d.events...)
}

// Status is a snapshot of a device for a console.
type Status struct {
	Name           string
	Type           ssn.NICType
	Addr           netip.AddrPort
	Link           LinkFaults
	Rebooting      bool
	BatteryVolts   float64
	BatteryLow     bool
	PowerObservers int
	ICClockSkew    time.Duration
}

// Status returns the device's state now.
func (d *Device) Status() Status {
	return Status{
		Name:           d.Name,
		Type:           d.Type,
		Addr:           d.Addr(),
		Link:           d.LinkFaults(),
		Rebooting:      d.Rebooting(),
		BatteryVolts:   d.power.batteryVolts(d.mesh.now()),
		BatteryLow:     d.lowBattery.Load(),
		PowerObservers: d.powerObservers.set.Len(),
		ICClockSkew:    time.Duration(d.icOffset.Load()),
	}
}

func (d *Device) icTimeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(d.mesh.ctx, d.mesh.cfg.ICTimeout)
}

func (d *Device) String() string { return fmt.Sprintf("%s (%s)", d.Name, d.Type) }
