package coapengine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/coap-workbench/coap-workbench/internal/coapfmt"
	"github.com/coap-workbench/coap-workbench/internal/udpendpoint"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/message/pool"
)

// Profile describes how to reach devices: through a gateway, with a session, or directly.
type Profile struct {
	Name string
	// Gateway is the gateway's host:port; "" sends requests straight to plain CoAP servers.
	Gateway string
	// LocalPort is the client's UDP port. The gateway keys sessions by socket (coap-client's
	// -p), so it stays the same for the connection's life; 0 lets the system pick it once.
	LocalPort int
	// Sticky asks for a session that follows the account across sockets.
	Sticky bool
	// Tokens provides the tokens to log in with (nil: never log in).
	Tokens TokenSource
	// Form is how proxied requests name their target.
	Form ProxyForm
	// NStart bounds the confirmable requests outstanding at once. Default 16.
	NStart uint32
}

// EventKind says what happened to a connection.
type EventKind string

// The events of a connection.
const (
	EventLoggedIn         EventKind = "logged in"
	EventLoggedOut        EventKind = "logged out"
	EventSessionClosed    EventKind = "session closed by the gateway"
	EventReauthenticated  EventKind = "re-authenticated"
	EventReauthFailed     EventKind = "re-authentication failed"
	EventObservationRenew EventKind = "observation re-registered"
)

// Event is something a connection reports: a login, a session the gateway closed, a
// re-authentication.
type Event struct {
	Time    time.Time
	Profile string
	Kind    EventKind
	Detail  string
}

// ErrLoginNeeded is wrapped by every error that a new login would cure.
var ErrLoginNeeded = errors.New("log in again")

// Connection is a profile in use: one UDP socket, and a session on the gateway when there is
// one. It is safe for concurrent use; many requests may be in flight at once.
type Connection struct {
	profile Profile
	ep      *udpendpoint.Endpoint
	gateway netip.AddrPort // the zero value for direct connections
	hooks   Hooks
	logger  *slog.Logger

	loginMu   sync.Mutex // one login at a time
	mu        sync.Mutex
	token     Token
	loggedIn  bool
	loginAt   time.Time
	lastTrafc time.Time
	tracks    map[string]*writeTrack
	observing map[string]*Observation // by token
}

// Hooks receive what a connection does.
type Hooks struct {
	// Exchange receives every exchange and notification, for the history.
	Exchange func(Exchange)
	// Event receives logins, logouts, closed sessions and re-authentications.
	Event func(Event)
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Dial opens the profile's socket (and resolves its gateway). It does not log in.
func Dial(ctx context.Context, p Profile, hooks Hooks, logger *slog.Logger) (*Connection, error) {
	if p.Name == "" {
		p.Name = "default"
	}
	if p.NStart == 0 {
		p.NStart = 16
	}
	if hooks.Now == nil {
		hooks.Now = time.Now
	}
	if logger == nil {
		logger = slog.Default()
	}
	c := &Connection{profile: p, hooks: hooks, logger: logger, tracks: map[string]*writeTrack{}, observing: map[string]*Observation{}}
	if p.Gateway != "" {
		addr, err := resolve(p.Gateway)
		if err != nil {
			return nil, fmt.Errorf("gateway %q: %w", p.Gateway, err)
		}
		c.gateway = addr
	}
	ep, err := udpendpoint.Listen(ctx, fmt.Sprintf(":%d", p.LocalPort), udpendpoint.Config{
		Handler: c.serve,
		// The engine does block-wise itself, so that each request chooses its block size and
		// every block is counted.
		DisableBlockwise: true,
		Logger:           logger,
		NStart:           p.NStart,
		OnWrite:          c.wrote,
		OnReceive:        c.received,
		// The client's peers are a gateway or a few servers; keep their state while the
		// connection lives (observations rely on it).
		IdlePeerTimeout: -1,
		ReceiveBuffer:   1 << 20,
	})
	if err != nil {
		if p.LocalPort != 0 {
			return nil, fmt.Errorf("cannot use local port %d (another client, or coap-client -p %d, holds it?): %w", p.LocalPort, p.LocalPort, err)
		}
		return nil, err
	}
	c.ep = ep
	return c, nil
}

func resolve(hostPort string) (netip.AddrPort, error) {
	if ap, err := netip.ParseAddrPort(hostPort); err == nil {
		return ap, nil
	}
	ua, err := net.ResolveUDPAddr("udp", hostPort)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("cannot resolve %q: %w", hostPort, err)
	}
	ap := ua.AddrPort()
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
}

// Profile returns the connection's profile.
func (c *Connection) Profile() Profile { return c.profile }

// LocalAddr is the client socket's address (its port is what the gateway's session is bound to).
func (c *Connection) LocalAddr() netip.AddrPort { return c.ep.LocalAddr() }

// ViaGateway reports whether requests go through a gateway.
func (c *Connection) ViaGateway() bool { return c.gateway.IsValid() }

// SessionStatus describes the connection's session.
type SessionStatus struct {
	LoggedIn     bool
	TokenExpires time.Time
	LoginAt      time.Time
	LastTraffic  time.Time
}

// Status returns the session's state now.
func (c *Connection) Status() SessionStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	return SessionStatus{LoggedIn: c.loggedIn, TokenExpires: c.token.ExpiresAt, LoginAt: c.loginAt, LastTraffic: c.lastTrafc}
}

func (c *Connection) now() time.Time { return c.hooks.Now() }

func (c *Connection) event(kind EventKind, detail string) {
	c.logger.Info(string(kind), "profile", c.profile.Name, "detail", detail)
	if c.hooks.Event != nil {
		c.hooks.Event(Event{Time: c.now(), Profile: c.profile.Name, Kind: kind, Detail: detail})
	}
}

func (c *Connection) record(x Exchange) {
	if c.hooks.Exchange != nil {
		c.hooks.Exchange(withoutSecrets(x))
	}
}

// WithheldToken stands in the history for the token of a login.
const WithheldToken = "(token withheld)"

// withoutSecrets withholds the token a login (POST /sessions) carries, so that no history,
// log or export holds one, whoever composed the login.
func withoutSecrets(x Exchange) Exchange {
	path, _, _ := strings.Cut(x.Path, "?")
	if x.Device == "" && path == "/sessions" && x.Method() == codes.POST && len(x.Request.Payload) > 0 {
		x.Request.Payload = []byte(WithheldToken)
	}
	return x
}

func (c *Connection) touch() {
	c.mu.Lock()
	c.lastTrafc = c.now()
	c.mu.Unlock()
}

// Login opens a session on the gateway: POST /sessions with a token from the profile's source.
func (c *Connection) Login(ctx context.Context) error {
	if !c.ViaGateway() {
		return errors.New("this profile sends requests directly; there is no gateway to log in to")
	}
	if c.profile.Tokens == nil {
		return fmt.Errorf("profile %q has no token source: paste a token or configure a token URL", c.profile.Name)
	}
	c.loginMu.Lock()
	defer c.loginMu.Unlock()
	return c.loginLocked(ctx, EventLoggedIn)
}

func (c *Connection) loginLocked(ctx context.Context, kind EventKind) error {
	tok, err := c.profile.Tokens.Token(ctx)
	if err != nil {
		return fmt.Errorf("cannot get a token (%s): %w", c.profile.Tokens.Describe(), err)
	}
	uri := "/sessions"
	if c.profile.Sticky {
		uri += "?sticky=true"
	}
	req := NewRequest(codes.POST, "coap://"+c.gateway.String()+uri)
	req.ContentFormat = 0
	req.Payload = []byte(tok.Raw)
	req.Timeout = 15 * time.Second
	x, err := c.exchange(ctx, req, false, false)
	if err != nil {
		return fmt.Errorf("login to %s: %w", c.gateway, err)
	}
	if x.Code() != codes.Created {
		diag := string(x.Response.Payload)
		if x.Code() == codes.Forbidden {
			return fmt.Errorf("login refused (%s): %s", coapfmt.CodeString(x.Code()), diag)
		}
		return fmt.Errorf("login refused (%s): %s: %w", coapfmt.CodeString(x.Code()), diag, ErrLoginNeeded)
	}
	c.mu.Lock()
	c.token, c.loggedIn, c.loginAt = tok, true, c.now()
	c.mu.Unlock()
	c.event(kind, fmt.Sprintf("session on %s from %s: %s", c.gateway, c.LocalAddr(), x.Response.Payload))
	return nil
}

// Logout ends the session: DELETE /sessions.
func (c *Connection) Logout(ctx context.Context) error {
	if !c.ViaGateway() {
		return nil
	}
	req := NewRequest(codes.DELETE, "coap://"+c.gateway.String()+"/sessions")
	req.Timeout = 5 * time.Second
	x, err := c.exchange(ctx, req, false, false)
	c.mu.Lock()
	c.loggedIn = false
	c.mu.Unlock()
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	switch x.Code() {
	case codes.Deleted:
		c.event(EventLoggedOut, "session deleted")
		return nil
	case codes.PreconditionFailed:
		return fmt.Errorf("logout: the gateway had no session for %s", c.LocalAddr())
	}
	return fmt.Errorf("logout: %s %s", coapfmt.CodeString(x.Code()), x.Response.Payload)
}

// Close logs out (briefly waiting for the gateway), ends the observations and frees the socket.
func (c *Connection) Close() {
	c.mu.Lock()
	obs := make([]*Observation, 0, len(c.observing))
	for _, o := range c.observing {
		obs = append(obs, o)
	}
	loggedIn := c.loggedIn
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	for _, o := range obs {
		_ = o.Cancel(ctx)
	}
	if loggedIn {
		_ = c.Logout(ctx)
	}
	c.ep.Close()
}

// Do sends a request and returns the exchange. A 4.01 from the gateway (or a session it
// closed) is cured automatically when the token source can renew: the connection logs in
// again, says so with an event, and sends the request once more. The error is non-nil when no
// answer came (the exchange then says why), or when a new login is needed and impossible
// (it wraps ErrLoginNeeded).
func (c *Connection) Do(ctx context.Context, req Request) (Exchange, error) {
	x, err := c.exchange(ctx, req, c.proxies(req), false)
	if err != nil || x.Code() != codes.Unauthorized || x.AnsweredBy != AnsweredByGateway {
		return x, err
	}
	if !c.canRenew() {
		return x, fmt.Errorf("%s: %w", x.Explanation, ErrLoginNeeded)
	}
	if err := c.relogin(ctx, "the gateway answered 4.01"); err != nil {
		return x, err
	}
	return c.exchange(ctx, req, true, true)
}

// proxies reports whether req goes through the gateway: every request of a gateway profile
// does, except those addressed to the gateway itself (its /help, /sessions ...).
func (c *Connection) proxies(req Request) bool {
	if !c.ViaGateway() {
		return false
	}
	t, err := ParseTarget(req.URI)
	if err != nil {
		return true
	}
	// Compare without a name lookup: device names resolve only through the gateway.
	if ip, err := netip.ParseAddr(t.Host); err == nil {
		return netip.AddrPortFrom(ip.Unmap(), t.Port) != c.gateway
	}
	gwHost, gwPort, _ := net.SplitHostPort(c.profile.Gateway)
	return !strings.EqualFold(t.Host, gwHost) || fmt.Sprint(t.Port) != gwPort
}

func (c *Connection) canRenew() bool {
	return c.profile.Tokens != nil && c.profile.Tokens.Renewable()
}

// relogin logs in again after the gateway dropped the session, once for everyone waiting.
func (c *Connection) relogin(ctx context.Context, why string) error {
	c.mu.Lock()
	since := c.now().Sub(c.loginAt)
	c.mu.Unlock()
	c.loginMu.Lock()
	defer c.loginMu.Unlock()
	c.mu.Lock()
	if c.loggedIn && c.now().Sub(c.loginAt) < since {
		c.mu.Unlock()
		return nil // someone else logged in again meanwhile
	}
	c.mu.Unlock()
	if err := c.loginLocked(ctx, EventReauthenticated); err != nil {
		c.event(EventReauthFailed, why+": "+err.Error())
		return fmt.Errorf("%s, and logging in again failed: %v: %w", why, err, ErrLoginNeeded)
	}
	c.reregisterAll()
	return nil
}

// exchange sends req once (proxied through the gateway when viaGateway) and records it.
func (c *Connection) exchange(ctx context.Context, req Request, viaGateway, retried bool) (Exchange, error) {
	if err := req.Validate(); err != nil {
		return Exchange{}, err
	}
	target, _ := ParseTarget(req.URI)
	x := Exchange{Profile: c.profile.Name, URI: req.URI, Path: target.PathQuery(), Start: c.now(), Retried: retried, BlockSize: req.BlockSize, Timeout: req.Timeout}
	if viaGateway {
		x.Device = target.Host
	}
	peer := c.gateway
	if !viaGateway {
		var err error
		if peer, err = resolve(target.HostPort()); err != nil {
			x.Err = err.Error()
			x.Explanation = "Without a gateway the host must be an address this computer can reach; device names resolve only through a gateway."
			c.record(x)
			return x, err
		}
	}
	timeout := req.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cc, err := c.ep.Conn(peer)
	if err != nil {
		x.Err = err.Error()
		c.record(x)
		return x, err
	}
	token := req.Token
	if len(token) == 0 {
		if token, err = message.GetToken(); err != nil {
			return x, err
		}
	}
	m := cc.AcquireMessage(ctx)
	defer cc.ReleaseMessage(m)
	m.SetCode(req.Method)
	m.SetType(message.Confirmable)
	if req.NonConfirmable {
		m.SetType(message.NonConfirmable)
	}
	m.SetToken(token)
	m.ResetOptionsTo(req.options(target, viaGateway, c.profile.Form))
	x.Request = recordMessage(m)
	x.Request.Payload = req.Payload
	c.track(token, peer, x.Start)
	resp, err := c.transfer(cc, m, req)
	x.RTT = c.now().Sub(x.Start)
	c.awaitAcks(token)
	c.untrack(token).describe(&x)
	if err != nil {
		x.Err = describeSendError(err, timeout, viaGateway)
		x.Explanation = explainSendError(err, viaGateway)
		c.record(x)
		return x, fmt.Errorf("%s: %w", x.Err, err)
	}
	defer cc.ReleaseMessage(resp)
	c.touch()
	r := recordMessage(resp)
	x.Response = &r
	switch {
	case viaGateway:
		x.AnsweredBy = whoAnswered(resp.Code(), r.Payload, true)
	case c.ViaGateway() && peer == c.gateway:
		x.AnsweredBy = AnsweredByGateway // the gateway's own resources
	default:
		x.AnsweredBy = AnsweredByServer
	}
	x.Explanation = Explain(resp.Code(), x.AnsweredBy)
	if resp.Code() == codes.Unauthorized && x.AnsweredBy == AnsweredByGateway {
		c.mu.Lock()
		c.loggedIn = false
		c.mu.Unlock()
	}
	c.record(x)
	return x, nil
}

func describeSendError(err error, timeout time.Duration, viaGateway bool) string {
	if errors.Is(err, context.DeadlineExceeded) {
		if viaGateway {
			return fmt.Sprintf("no answer from the gateway within %v", timeout)
		}
		return fmt.Sprintf("no answer within %v", timeout)
	}
	if errors.Is(err, context.Canceled) {
		return "cancelled"
	}
	return err.Error()
}

func explainSendError(err error, viaGateway bool) string {
	if errors.Is(err, context.DeadlineExceeded) {
		if viaGateway {
			return "The gateway did not answer at all (not even 5.04): check its address and port, and that nothing blocks UDP between here and there."
		}
		return "The server did not answer: check its address and port."
	}
	return ""
}

// serve handles what arrives unasked: notifications of observations, and the gateway's NON
// 5.03 when it closes an idle session.
func (c *Connection) serve(w *udpendpoint.ResponseWriter, r *pool.Message) {
	c.touch()
	if r.Type() == message.Reset || r.Code() == codes.Empty {
		return
	}
	c.mu.Lock()
	obs := c.observing[string(r.Token())]
	c.mu.Unlock()
	switch {
	case obs != nil:
		obs.notification(r)
	case r.Code() == codes.ServiceUnavailable && len(r.Token()) == 0:
		c.sessionClosed(string(udpendpoint.Payload(r)))
	case r.HasOption(message.Observe):
		// A notification nobody here asked for (an observation this client forgot): reject it
		// so that the sender stops (RFC 7641 §3.6).
		c.reject(w, r)
	}
}

func (c *Connection) reject(w *udpendpoint.ResponseWriter, r *pool.Message) {
	if a, ok := w.Conn().RemoteAddr().(*net.UDPAddr); ok {
		mid := r.MessageID()
		_ = c.ep.WriteRaw([]byte{0x70, 0x00, byte(mid >> 8), byte(mid)}, a.AddrPort())
	}
}

// sessionClosed handles the gateway's NON 5.03: the session is gone; log in again at once when
// the token source allows it, so that observations carry on.
func (c *Connection) sessionClosed(detail string) {
	c.mu.Lock()
	was := c.loggedIn
	c.loggedIn = false
	c.mu.Unlock()
	c.event(EventSessionClosed, detail)
	if !was || !c.canRenew() {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = c.relogin(ctx, "the gateway closed the session")
	}()
}
