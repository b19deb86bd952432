package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"syscall"
	"time"

	"github.com/coap-workbench/coap-workbench/gatewaylite"
	"github.com/coap-workbench/coap-workbench/gatewaylite/auth"
	"github.com/coap-workbench/coap-workbench/gatewaylite/mesh"
	"github.com/coap-workbench/coap-workbench/gatewaylite/traffic"
)

// GatewayOptions are the settings of gateway-lite and its simulated mesh, the same for the
// gateway command, the GUI's embedded gateway and the load generator's.
type GatewayOptions struct {
	Listen          string
	DataDir         string
	TokenListen     string
	Devices         int
	Seed            uint64
	Domain          string
	Profile         string
	NotifyPeriod    time.Duration
	UpstreamTimeout time.Duration
	MaxIdle         time.Duration
	Grace           time.Duration
	MaxUpload       int64
	Faults          multiFlag
}

// DefaultGatewayOptions are the defaults documented in the README.
func DefaultGatewayOptions() GatewayOptions {
	return GatewayOptions{
		Listen:          gatewaylite.DefaultListen,
		DataDir:         gatewaylite.DefaultDataDir(),
		TokenListen:     auth.DefaultTokenListen,
		Devices:         25,
		Seed:            1,
		Domain:          mesh.DefaultDomain,
		Profile:         mesh.Field.Name,
		NotifyPeriod:    5 * time.Second,
		UpstreamTimeout: gatewaylite.DefaultUpstreamTimeout,
		MaxIdle:         gatewaylite.DefaultMaxSessionIdle,
		Grace:           gatewaylite.DefaultSessionGrace,
		MaxUpload:       gatewaylite.DefaultMaxUpload,
	}
}

// registerDataDir adds --data-dir.
func registerDataDir(fs *flag.FlagSet, dir *string) {
	fs.StringVar(dir, "data-dir", *dir, "data directory: the gateway's signing key, gateway.json (accounts, static hosts)")
}

// registerMesh adds the flags of the simulated mesh.
func (o *GatewayOptions) registerMesh(fs *flag.FlagSet) {
	fs.IntVar(&o.Devices, "devices", o.Devices, "number of simulated devices (the seed document's NIC 001350050005E7D6 is always one)")
	fs.Uint64Var(&o.Seed, "seed", o.Seed, "seed of the device MACs and behaviour: the same seed, the same mesh")
	fs.StringVar(&o.Domain, "domain", o.Domain, "domain of the device host names, SSN<MAC>.<domain>")
	fs.StringVar(&o.Profile, "mesh-profile", o.Profile, "instant (no delay, no loss: tests, benchmarks) or field (150-400 ms of delay, 2% loss)")
	fs.DurationVar(&o.NotifyPeriod, "notify-period", o.NotifyPeriod, "period of Observe notifications from the devices")
	fs.Var(&o.Faults, "fault", "inject a fault, DEVICES:KIND[=VALUE], repeatable; DEVICES is a MAC, a host name or a pattern (*, SSN0013*);\nKIND is loss=PERCENT, delay=DURATION, jitter=DURATION, offline, battery-low, tamper, reboot, clock-skew=DURATION")
}

// register adds every gateway flag.
func (o *GatewayOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.Listen, "listen", o.Listen, "UDP address the gateway listens on")
	registerDataDir(fs, &o.DataDir)
	fs.StringVar(&o.TokenListen, "token-listen", o.TokenListen, "loopback HTTP address of POST /api/tokens, or \"off\"")
	fs.DurationVar(&o.UpstreamTimeout, "upstream-timeout", o.UpstreamTimeout, "how long the gateway waits for a device before answering 5.04")
	fs.DurationVar(&o.MaxIdle, "max-idle", o.MaxIdle, "idle time after which a session enters its grace period (maxSessionIdleTime)")
	fs.DurationVar(&o.Grace, "grace", o.Grace, "grace period after which an idle session is closed with a NON 5.03")
	fs.Int64Var(&o.MaxUpload, "max-upload", o.MaxUpload, "largest block-wise (Block1) upload in bytes; larger ones get 4.13")
	o.registerMesh(fs)
}

// meshConfig checks the mesh settings.
func (o GatewayOptions) meshConfig(bus *traffic.Bus, logger *slog.Logger) (mesh.Config, []mesh.FaultSpec, error) {
	profile, err := mesh.ProfileByName(o.Profile)
	if err != nil {
		return mesh.Config{}, nil, err
	}
	if o.Devices < 1 || o.Devices > 10000 {
		return mesh.Config{}, nil, fmt.Errorf("--devices %d: choose between 1 and 10000", o.Devices)
	}
	if o.NotifyPeriod <= 0 {
		return mesh.Config{}, nil, fmt.Errorf("--notify-period must be positive")
	}
	var faults []mesh.FaultSpec
	for _, f := range o.Faults {
		spec, err := mesh.ParseFaultSpec(f)
		if err != nil {
			return mesh.Config{}, nil, err
		}
		faults = append(faults, spec)
	}
	return mesh.Config{Devices: o.Devices, Seed: o.Seed, Domain: o.Domain, Profile: profile, NotifyPeriod: o.NotifyPeriod, Traffic: bus, Logger: logger}, faults, nil
}

// Embedded is a running gateway-lite with its mesh.
type Embedded struct {
	Gateway *gatewaylite.Gateway
	Mesh    *mesh.Mesh
	Traffic *traffic.Bus
	// PortNote explains a listen address other than the one asked for ("" if none).
	PortNote string
	// DataDir holds the gateway's signing key, which "coap-workbench token --data-dir" signs
	// with.
	DataDir string
}

// Close stops the gateway, then the mesh.
func (e *Embedded) Close() {
	e.Gateway.Close()
	e.Mesh.Close()
}

// StartEmbedded starts the mesh and the gateway. With fallback, a taken listen port (or
// token port) is replaced by a free one and PortNote says so, as the GUI wants; the gateway
// command reports the error instead.
func StartEmbedded(ctx context.Context, o GatewayOptions, logger *slog.Logger, fallback bool) (*Embedded, error) {
	bus := &traffic.Bus{}
	meshCfg, faults, err := o.meshConfig(bus, logger)
	if err != nil {
		return nil, err
	}
	m, err := mesh.Start(ctx, meshCfg)
	if err != nil {
		return nil, err
	}
	if err := m.ApplyFaults(faults); err != nil {
		m.Close()
		return nil, err
	}
	cfg := gatewaylite.Config{
		Listen: o.Listen, DataDir: o.DataDir, TokenListen: o.TokenListen,
		MaxSessionIdle: o.MaxIdle, SessionGrace: o.Grace, UpstreamTimeout: o.UpstreamTimeout, MaxUpload: o.MaxUpload,
		Mesh: m, Traffic: bus, Logger: logger, Version: Build().Version,
	}
	g, err := gatewaylite.Start(ctx, cfg)
	note := ""
	if err != nil && fallback && errors.Is(err, syscall.EADDRINUSE) {
		wanted := cfg.Listen + " or " + cfg.TokenListen
		cfg.Listen, cfg.TokenListen = "127.0.0.1:0", "127.0.0.1:0"
		g, err = gatewaylite.Start(ctx, cfg)
		if err == nil {
			note = fmt.Sprintf("%s was taken (another gateway running?), so the embedded gateway listens on %s", wanted, g.Addr())
		}
	}
	if err != nil {
		m.Close()
		return nil, err
	}
	return &Embedded{Gateway: g, Mesh: m, Traffic: bus, PortNote: note, DataDir: o.DataDir}, nil
}
