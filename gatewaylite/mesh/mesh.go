// Package mesh simulates a Starfish mesh for gateway-lite: NICs (Milli and another type) with
// the Device ICs behind them, each a real CoAP server on a loopback UDP socket of its own,
// answering exactly as contract §6 and §7 describe, with faults that can be injected per device
// (loss, delay, offline, reboot, low battery, tamper, clock skew).
//
// Devices are reachable only through the gateway, which resolves their host names with Lookup;
// their sockets are on 127.0.0.1 with ports the OS picks.
package mesh

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/coap-workbench/coap-workbench/gatewaylite/traffic"
	"github.com/coap-workbench/coap-workbench/internal/udpendpoint"
)

// DefaultDomain is the domain of the simulated devices (".test" is reserved for testing).
const DefaultDomain = "sim.starfish.test"

// SeedMAC is the seed document's example NIC; every simulated mesh contains it.
const SeedMAC = "001350050005E7D6"

// Config describes a simulated mesh. Zero values take the defaults noted on each field.
type Config struct {
	Devices int    // number of devices, default 25
	Seed    uint64 // MACs and device behaviour follow from it, default 1
	Domain  string // default DefaultDomain
	Profile Profile
	// NotifyPeriod is the period of Observe notifications (power stats, temperature).
	// Default 5 s.
	NotifyPeriod time.Duration
	// RebootDuration is how long a rebooting device (or Device IC) stays silent. Default 3 s
	// (300 ms in the instant profile).
	RebootDuration time.Duration
	// ICTimeout bounds a NIC's wait for its Device IC. Default 3 s.
	ICTimeout time.Duration
	Now       func() time.Time
	Traffic   *traffic.Bus
	Logger    *slog.Logger
}

func (c *Config) setDefaults() {
	if c.Devices == 0 {
		c.Devices = 25
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Domain == "" {
		c.Domain = DefaultDomain
	}
	if c.Profile.Name == "" {
		c.Profile = Instant
	}
	if c.NotifyPeriod == 0 {
		c.NotifyPeriod = 5 * time.Second
	}
	if c.RebootDuration == 0 {
		c.RebootDuration = 3 * time.Second
		if c.Profile.Name == Instant.Name {
			c.RebootDuration = 300 * time.Millisecond
		}
	}
	if c.ICTimeout == 0 {
		c.ICTimeout = 3 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// Mesh is a running simulated mesh.
type Mesh struct {
	cfg     Config
	ctx     context.Context
	cancel  context.CancelFunc
	sweeper *udpendpoint.Sweeper

	devices []*Device
	byName  map[string]*Device // lower-case host name
	byMAC   map[ssn.MAC]*Device
	wg      sync.WaitGroup
}

// Start creates every device and starts serving. Close stops them.
func Start(ctx context.Context, cfg Config) (*Mesh, error) {
	cfg.setDefaults()
	if cfg.Devices < 1 {
		return nil, fmt.Errorf("a mesh needs at least one device, got %d", cfg.Devices)
	}
	ctx, cancel := context.WithCancel(ctx)
	m := &Mesh{
		cfg:     cfg,
		ctx:     ctx,
		cancel:  cancel,
		sweeper: udpendpoint.NewSweeper(ctx, 250*time.Millisecond),
		byName:  make(map[string]*Device, cfg.Devices),
		byMAC:   make(map[ssn.MAC]*Device, cfg.Devices),
	}
	for i, plan := range Plan(cfg) {
		d, err := newDevice(m, plan.MAC, plan.Type, rand.New(rand.NewPCG(cfg.Seed, uint64(i)+1)))
		if err != nil {
			m.Close()
			return nil, fmt.Errorf("cannot start simulated device %d of %d: %w", i+1, cfg.Devices, err)
		}
		m.devices = append(m.devices, d)
		m.byName[strings.ToLower(d.Name)] = d
		m.byMAC[plan.MAC] = d
	}
	return m, nil
}

// DevicePlan is what a device of a mesh will be, known before any socket opens.
type DevicePlan struct {
	MAC  ssn.MAC
	Name string
	Type ssn.NICType
}

// Plan returns the devices a mesh of cfg has, in order: the same for the same seed.
func Plan(cfg Config) []DevicePlan {
	cfg.setDefaults()
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	macs := generateMACs(rng, cfg.Devices)
	plans := make([]DevicePlan, len(macs))
	for i, mac := range macs {
		nicType := ssn.NICMilli
		if i > 0 && rng.IntN(5) == 0 {
			nicType = ssn.NICGen5
		}
		plans[i] = DevicePlan{MAC: mac, Name: mac.HostName(cfg.Domain), Type: nicType}
	}
	return plans
}

// generateMACs returns n distinct MACs: the seed document's first, then SSN-prefixed ones.
func generateMACs(rng *rand.Rand, n int) []ssn.MAC {
	first, _ := ssn.ParseMAC(SeedMAC)
	macs := []ssn.MAC{first}
	seen := map[ssn.MAC]bool{first: true}
	for len(macs) < n {
		mac := ssn.MAC{0x00, 0x13, 0x50, 0x05}
		v := rng.Uint32()
		mac[4], mac[5], mac[6], mac[7] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
		if !seen[mac] {
			seen[mac] = true
			macs = append(macs, mac)
		}
	}
	return macs
}

// Close stops every device.
func (m *Mesh) Close() {
	m.cancel()
	for _, d := range m.devices {
		d.close()
	}
	m.wg.Wait()
}

// Domain is the mesh's domain.
func (m *Mesh) Domain() string { return m.cfg.Domain }

// Profile is the mesh's profile.
func (m *Mesh) Profile() Profile { return m.cfg.Profile }

// Devices returns every device, in creation order (the seed document's NIC first).
func (m *Mesh) Devices() []*Device { return append([]*Device(nil), m.devices...) }

// Lookup finds a device by host name, case-insensitively.
func (m *Mesh) Lookup(host string) (*Device, bool) {
	d, ok := m.byName[strings.ToLower(host)]
	return d, ok
}

// LookupMAC finds a device by MAC.
func (m *Mesh) LookupMAC(mac ssn.MAC) (*Device, bool) {
	d, ok := m.byMAC[mac]
	return d, ok
}

// Select returns the devices a fault spec's device part names: a MAC in any form, a host
// name, or a pattern such as "*" or "SSN0013*".
func (m *Mesh) Select(devices string) ([]*Device, error) {
	if mac, err := ssn.ParseMAC(devices); err == nil {
		if d, ok := m.byMAC[mac]; ok {
			return []*Device{d}, nil
		}
		return nil, fmt.Errorf("no simulated device has MAC %s", mac)
	}
	var out []*Device
	pattern := strings.ToLower(devices)
	for _, d := range m.devices {
		if globMatch(pattern, strings.ToLower(d.Name)) || globMatch(pattern, strings.ToLower(d.MAC.String())) {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no simulated device matches %q", devices)
	}
	return out, nil
}

// ApplyFaults carries out fault specs.
func (m *Mesh) ApplyFaults(specs []FaultSpec) error {
	for _, spec := range specs {
		devices, err := m.Select(spec.Devices)
		if err != nil {
			return err
		}
		for _, d := range devices {
			spec.apply(d)
		}
	}
	return nil
}

func (m *Mesh) now() time.Time { return m.cfg.Now() }

func (m *Mesh) publish(e traffic.Exchange) {
	if m.cfg.Traffic.Active() {
		e.Time = m.now()
		m.cfg.Traffic.Publish(e)
	}
}

// SortedNames returns the device host names in sorted order.
func (m *Mesh) SortedNames() []string {
	names := make([]string, len(m.devices))
	for i, d := range m.devices {
		names[i] = d.Name
	}
	sort.Strings(names)
	return names
}
