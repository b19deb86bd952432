// Package gatewaylite is an embedded, lightweight Starfish CoAP gateway: a UDP CoAP-to-CoAP
// forward proxy with Starfish's session layer (log in by POSTing a signed token to /sessions,
// the session bound to the client socket), in front of a simulated mesh of NICs and Device ICs
// (package mesh) and of any real devices named in its configuration.
//
// Everything it handles is published on a traffic.Bus and logged with slog. It never imports
// Fyne: the workbench's GUI, the headless commands and the tests all drive it the same way.
package gatewaylite

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coap-workbench/coap-workbench/gatewaylite/auth"
	"github.com/coap-workbench/coap-workbench/gatewaylite/mesh"
	"github.com/coap-workbench/coap-workbench/gatewaylite/observers"
	"github.com/coap-workbench/coap-workbench/gatewaylite/traffic"
	"github.com/coap-workbench/coap-workbench/internal/udpendpoint"
)

// Defaults of the gateway's settings.
const (
	DefaultListen          = "127.0.0.1:5683"
	DefaultMaxSessionIdle  = 4 * time.Hour
	DefaultSessionGrace    = 15 * time.Minute
	DefaultUpstreamTimeout = 10 * time.Second
	DefaultMaxUpload       = 64 << 10
)

// Config describes a gateway. Zero values take the defaults noted on each field.
type Config struct {
	// Listen is the UDP address of the gateway. Default DefaultListen.
	Listen string
	// DataDir holds the signing key and gateway.json. Required.
	DataDir string
	// TokenListen is the loopback HTTP address of POST /api/tokens; "" is
	// auth.DefaultTokenListen, "off" disables the endpoint.
	TokenListen string
	// MaxSessionIdle and SessionGrace: an idle session enters its grace period after
	// MaxSessionIdle and is closed after SessionGrace more.
	MaxSessionIdle time.Duration
	SessionGrace   time.Duration
	// UpstreamTimeout is how long the gateway waits for a device before answering 5.04.
	UpstreamTimeout time.Duration
	// MaxUpload caps a block-wise upload (Block1); larger ones get 4.13.
	MaxUpload int64
	// UpstreamSockets is the number of UDP sockets requests leave by toward devices. Default 4.
	UpstreamSockets int
	// UpstreamNStart bounds outstanding confirmable requests per device and socket. Default 8.
	UpstreamNStart uint32
	// SweepInterval is how often idle sessions are checked. Default 1 s.
	SweepInterval time.Duration
	// Mesh is the simulated mesh behind the gateway (nil: static hosts only).
	Mesh *mesh.Mesh
	// Traffic receives every exchange; nil creates a bus of the gateway's own.
	Traffic *traffic.Bus
	// Now is the clock of sessions and tokens (time.Now when nil): tests move it.
	Now     func() time.Time
	Logger  *slog.Logger
	Version string
}

func (c *Config) setDefaults() {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.TokenListen == "" {
		c.TokenListen = auth.DefaultTokenListen
	}
	if c.MaxSessionIdle == 0 {
		c.MaxSessionIdle = DefaultMaxSessionIdle
	}
	if c.SessionGrace == 0 {
		c.SessionGrace = DefaultSessionGrace
	}
	if c.UpstreamTimeout == 0 {
		c.UpstreamTimeout = DefaultUpstreamTimeout
	}
	if c.MaxUpload == 0 {
		c.MaxUpload = DefaultMaxUpload
	}
	if c.UpstreamSockets == 0 {
		c.UpstreamSockets = 4
	}
	if c.UpstreamNStart == 0 {
		c.UpstreamNStart = 8
	}
	if c.SweepInterval == 0 {
		c.SweepInterval = time.Second
	}
	if c.Traffic == nil {
		c.Traffic = &traffic.Bus{}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Version == "" {
		c.Version = "dev"
	}
}

// Gateway is a running gateway-lite.
type Gateway struct {
	cfg       Config
	ctx       context.Context
	cancel    context.CancelFunc
	listener  *udpendpoint.Endpoint
	upstreams []*udpendpoint.Endpoint
	upSeed    maphash.Seed
	tokens    *auth.TokenAuthority
	accounts  atomic.Pointer[auth.Accounts]
	hosts     map[string]netip.AddrPort
	sessions  *SessionTable
	relays    *observers.RelayTable
	http      *http.Server
	httpAddr  string
	wg        sync.WaitGroup
	closeOnce sync.Once
	stats     Stats
}

// Stats counts what the gateway did.
type Stats struct {
	Requests      atomic.Uint64 // requests handled (local and proxied)
	Proxied       atomic.Uint64 // requests forwarded to a device
	Notifications atomic.Uint64 // notifications relayed to observers
}

// Start loads (or creates) the data directory, opens the gateway's socket, the upstream
// sockets and the token endpoint, and starts serving.
func Start(ctx context.Context, cfg Config) (*Gateway, error) {
	cfg.setDefaults()
	if cfg.DataDir == "" {
		return nil, errors.New("gateway-lite needs a data directory")
	}
	key, err := auth.LoadOrCreateSigningKey(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	fileCfg, created, err := LoadOrCreateFileConfig(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if created {
		cfg.Logger.Info("created the gateway configuration with a dev account", "file", ConfigFile, "data_dir", cfg.DataDir)
	}
	accounts, err := auth.NewAccounts(fileCfg.Accounts)
	if err != nil {
		return nil, err
	}
	hosts, err := parseHosts(fileCfg.Hosts)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	g := &Gateway{
		cfg:      cfg,
		ctx:      ctx,
		cancel:   cancel,
		upSeed:   maphash.MakeSeed(),
		tokens:   auth.NewTokenAuthority(key, cfg.Now),
		hosts:    hosts,
		sessions: NewSessionTable(cfg.Now, cfg.MaxSessionIdle, cfg.SessionGrace),
	}
	g.accounts.Store(accounts)
	if err := g.openSockets(len(hosts) > 0); err != nil {
		cancel()
		g.closeSockets()
		return nil, err
	}
	if err := g.startTokenEndpoint(); err != nil {
		cancel()
		g.closeSockets()
		return nil, err
	}
	// Everything the handler uses exists: now the gateway may take requests.
	g.listener.Start()
	for _, up := range g.upstreams {
		up.Start()
	}
	g.wg.Add(1)
	go g.sweepSessions()
	cfg.Logger.Info("gateway-lite listening", "addr", g.Addr(), "token_endpoint", g.httpAddr)
	return g, nil
}

func (g *Gateway) openSockets(reachOutside bool) error {
	listener, err := udpendpoint.Open(g.ctx, g.cfg.Listen, udpendpoint.Config{
		Handler: g.serve,
		// Every request on a goroutine of its own (the endpoint's default): forwarded ones wait
		// for a device, so a slow or silent device holds up nobody else, not even the same
		// client's other requests.
		NonConfirmableReplies: true,
		Logger:                g.cfg.Logger,
		MaxBlock1Size:         g.cfg.MaxUpload,
		// A client that never speaks again keeps its session state in the SessionTable;
		// its protocol state can go after a while.
		IdlePeerTimeout: 10 * time.Minute,
		// Responses kept per client to answer its retransmissions: at 50 requests a second this
		// covers 10 s, far past the 2-3 s after which a client retransmits, and it bounds the
		// gateway's memory at a thousand busy sessions. A duplicate older than that is
		// forwarded again, which RFC 7252 §4.5 allows for idempotent requests.
		ResponseCacheEntries: 512,
	})
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("%w (is another gateway running? --listen picks another address)", err)
		}
		return err
	}
	g.listener = listener
	g.relays = observers.NewRelayTable(listener)
	g.relays.OnNotify = g.notificationRelayed
	upstreamAddr := "127.0.0.1:0"
	if reachOutside {
		upstreamAddr = "0.0.0.0:0"
	}
	for range g.cfg.UpstreamSockets {
		up, err := udpendpoint.Open(g.ctx, upstreamAddr, udpendpoint.Config{
			Logger:               g.cfg.Logger,
			NStart:               g.cfg.UpstreamNStart,
			ResponseCacheEntries: 256,
			// A device's conn holds the observations relayed from it, and a device may be
			// silent for long between notifications: never forget one (there are only as
			// many as devices).
			IdlePeerTimeout: -1,
		})
		if err != nil {
			return fmt.Errorf("gateway upstream socket: %w", err)
		}
		g.upstreams = append(g.upstreams, up)
	}
	return nil
}

func (g *Gateway) startTokenEndpoint() error {
	if g.cfg.TokenListen == "off" {
		return nil
	}
	ln, err := net.Listen("tcp", g.cfg.TokenListen)
	if err != nil {
		return fmt.Errorf("token endpoint: cannot listen on %s: %w (use --token-listen to pick another address, or \"off\")", g.cfg.TokenListen, err)
	}
	g.httpAddr = ln.Addr().String()
	endpoint := &auth.TokenEndpoint{Authority: g.tokens, Accounts: g.accounts.Load, Logger: g.cfg.Logger}
	g.http = &http.Server{Handler: endpoint.Handler(), ReadHeaderTimeout: 5 * time.Second}
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := g.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			g.cfg.Logger.Error("token endpoint stopped", "err", err)
		}
	}()
	return nil
}

func (g *Gateway) closeSockets() {
	if g.listener != nil {
		g.listener.Close()
	}
	for _, up := range g.upstreams {
		up.Close()
	}
}

// Close stops the gateway: sessions end, sockets close. The mesh is the caller's to close.
func (g *Gateway) Close() {
	g.closeOnce.Do(func() {
		g.cancel()
		if g.http != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_ = g.http.Shutdown(ctx)
			cancel()
		}
		if g.relays != nil {
			g.relays.LeaveAll()
		}
		g.closeSockets()
		g.wg.Wait()
	})
}

// Addr is the gateway's UDP address.
func (g *Gateway) Addr() netip.AddrPort { return g.listener.LocalAddr() }

// TokenEndpoint is the base URL of the token endpoint ("" when disabled).
func (g *Gateway) TokenEndpoint() string {
	if g.httpAddr == "" {
		return ""
	}
	return "http://" + g.httpAddr + "/api/tokens"
}

// Traffic is the gateway's exchange stream.
func (g *Gateway) Traffic() *traffic.Bus { return g.cfg.Traffic }

// Sessions is the gateway's session table.
func (g *Gateway) Sessions() *SessionTable { return g.sessions }

// Relays describes the observations the gateway relays.
func (g *Gateway) Relays() []observers.RelayInfo { return g.relays.Relays() }

// Mesh is the simulated mesh behind the gateway (nil if none).
func (g *Gateway) Mesh() *mesh.Mesh { return g.cfg.Mesh }

// Stats returns the gateway's counters.
func (g *Gateway) Stats() *Stats { return &g.stats }

// Config returns the gateway's effective settings.
func (g *Gateway) Config() Config { return g.cfg }

// IssueToken signs a token for account, as the token command does.
func (g *Gateway) IssueToken(account string, ttl time.Duration) (auth.Token, error) {
	if _, ok := g.accounts.Load().Lookup(account); !ok {
		return auth.Token{}, fmt.Errorf("no account %q in %s", account, ConfigFile)
	}
	return g.tokens.Issue(account, ttl)
}

// AddAccount adds (or replaces) an account in memory, for tools such as the load generator.
func (g *Gateway) AddAccount(a auth.Account) error {
	current := g.accounts.Load().All()
	next := make([]auth.Account, 0, len(current)+1)
	for _, c := range current {
		if c.ID != a.ID {
			next = append(next, c)
		}
	}
	accounts, err := auth.NewAccounts(append(next, a))
	if err != nil {
		return err
	}
	g.accounts.Store(accounts)
	return nil
}

// upstream picks the socket requests to a device leave by: always the same one for a device,
// so that a device has one peer (one protocol state, one duplicate cache) at the gateway, and
// the devices spread over the sockets, which are read in parallel.
func (g *Gateway) upstream(device netip.AddrPort) *udpendpoint.Endpoint {
	b := device.Addr().As16()
	h := maphash.Bytes(g.upSeed, append(b[:], byte(device.Port()>>8), byte(device.Port())))
	return g.upstreams[h%uint64(len(g.upstreams))]
}

func (g *Gateway) sweepSessions() {
	defer g.wg.Done()
	ticker := time.NewTicker(g.cfg.SweepInterval)
	defer ticker.Stop()
	for {
		select {
		case <-g.ctx.Done():
			return
		case <-ticker.C:
			g.ExpireIdleSessions()
		}
	}
}
