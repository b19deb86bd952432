package gatewaylite

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/coap-workbench/coap-workbench/gatewaylite/proxytarget"
	"github.com/coap-workbench/coap-workbench/gatewaylite/traffic"
	"github.com/coap-workbench/coap-workbench/internal/udpendpoint"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/message/pool"
)

// HelpText is the gateway's answer to GET /help: the four lines of the seed document.
const HelpText = "To login, send POST to /sessions\n" +
	"To have your session follow your account across different clients, include the query parameter '&sticky=true'.\n" +
	"To logout, send DELETE to /sessions.\n" +
	"To echo a payload, send POST to /echo."

func peerOf(w *udpendpoint.ResponseWriter) netip.AddrPort {
	if a, ok := w.Conn().RemoteAddr().(interface{ AddrPort() netip.AddrPort }); ok {
		return a.AddrPort()
	}
	return netip.AddrPort{}
}

// serve routes every message a client sends the gateway.
func (g *Gateway) serve(w *udpendpoint.ResponseWriter, r *pool.Message) {
	peer := peerOf(w)
	if r.Type() == message.Reset {
		// A client rejecting a notification ends that observation (RFC 7641 §3.6).
		g.relays.Reset(peer, r.MessageID())
		return
	}
	if r.Code() < codes.GET || r.Code() > codes.IPATCH {
		return
	}
	g.stats.Requests.Add(1)
	if proxytarget.IsProxyRequest(r.Options()) {
		g.serveProxy(w, r, peer)
		return
	}
	g.serveLocal(w, r, peer)
}

// answer sets a response with a text diagnostic payload (RFC 7252 §5.5.2).
func answer(w *udpendpoint.ResponseWriter, code codes.Code, text string) {
	if text == "" {
		_ = w.SetResponse(code, message.TextPlain, nil)
		return
	}
	_ = w.SetResponse(code, message.TextPlain, bytes.NewReader([]byte(text)))
}

// serveLocal answers the gateway's own resources (contract §3).
func (g *Gateway) serveLocal(w *udpendpoint.ResponseWriter, r *pool.Message, peer netip.AddrPort) {
	x := newExchangeLog(traffic.HopGateway, peer, r)
	if s := g.sessions.Lookup(peer); s != nil {
		x.account = s.Account
		s.touch(g.cfg.Now())
	}
	path, _ := r.Path()
	code, detail := g.local(w, r, peer, strings.TrimSuffix(path, "/"), &x)
	g.done(x, code, detail)
}

func (g *Gateway) local(w *udpendpoint.ResponseWriter, r *pool.Message, peer netip.AddrPort, path string, x *exchangeLog) (codes.Code, string) {
	method := r.Code()
	switch path {
	case "", "/":
		if method == codes.GET {
			answer(w, codes.Content, g.identity())
			return codes.Content, ""
		}
	case "/help":
		if method == codes.GET {
			answer(w, codes.Content, HelpText)
			return codes.Content, ""
		}
	case "/echo":
		if method == codes.POST {
			body, _ := r.ReadBody()
			cf, err := r.ContentFormat()
			if err != nil {
				cf = message.TextPlain
			}
			_ = w.SetResponse(codes.Content, cf, bytes.NewReader(body))
			return codes.Content, ""
		}
	case "/.well-known/core":
		if method == codes.GET {
			_ = w.SetResponse(codes.Content, message.AppLinkFormat, bytes.NewReader([]byte(wellKnownCore)))
			return codes.Content, ""
		}
	case ssn.GatewayDevicesPath:
		if method == codes.GET {
			if g.sessions.Lookup(peer) == nil {
				detail := "log in first (POST a token to /sessions): the device list is for clients with a session"
				answer(w, codes.Unauthorized, detail)
				return codes.Unauthorized, detail
			}
			_ = w.SetResponse(codes.Content, message.AppLinkFormat, bytes.NewReader(g.deviceLinks()))
			return codes.Content, ""
		}
	case "/sessions":
		switch method {
		case codes.POST:
			return g.login(w, r, peer, x)
		case codes.DELETE:
			return g.logout(w, peer, x)
		}
	default:
		detail := fmt.Sprintf("the gateway has no resource %s (GET /.well-known/core lists them); to reach a device, send the request through the proxy with Proxy-Uri", path)
		answer(w, codes.NotFound, detail)
		return codes.NotFound, detail
	}
	detail := fmt.Sprintf("%s is not allowed on %s", method, path)
	answer(w, codes.MethodNotAllowed, detail)
	return codes.MethodNotAllowed, detail
}

// wellKnownCore lists the gateway's resources and, on "/", the options it supports as a proxy.
const wellKnownCore = `</>;title="gateway-lite";rt="starfish.gateway";proxy="coap";options="1,3,4,5,6,7,8,11,12,14,15,16,17,20,23,27,28,35,39,60",` +
	`</sessions>;rt="starfish.sessions";title="POST a token to log in, DELETE to log out; ?sticky=true follows the account",` +
	`</help>;ct=0;title="How to use the gateway",` +
	`</echo>;title="POST a payload, get it back",` +
	`</devices>;rt="workbench.devices";ct=40;title="The simulated mesh's devices (gateway-lite only; needs a session)"`

// deviceLinks is the link-format listing of ssn.GatewayDevicesPath: each device a link
// <coap://HOST:4849/> with its NIC type as title.
func (g *Gateway) deviceLinks() []byte {
	var b bytes.Buffer
	if g.cfg.Mesh == nil {
		return nil
	}
	for i, d := range g.cfg.Mesh.Devices() {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `<coap://%s:%d/>;rt="starfish.nic";title="%s"`, d.Name, ssn.MilliPort, d.Type)
	}
	return b.Bytes()
}

func (g *Gateway) identity() string {
	s := fmt.Sprintf("gateway-lite %s: a Starfish CoAP gateway (forward proxy with sessions)", g.cfg.Version)
	if m := g.cfg.Mesh; m != nil {
		s += fmt.Sprintf("; simulated mesh %q of %d devices, profile %s", m.Domain(), len(m.Devices()), m.Profile().Name)
	}
	return s
}

func isSticky(r *pool.Message) bool {
	queries, _ := r.Queries()
	for _, q := range queries {
		for _, item := range strings.Split(q, "&") {
			if strings.EqualFold(item, "sticky=true") {
				return true
			}
		}
	}
	return false
}

// login is POST /sessions: the payload is the token.
func (g *Gateway) login(w *udpendpoint.ResponseWriter, r *pool.Message, peer netip.AddrPort, x *exchangeLog) (codes.Code, string) {
	x.hop = traffic.HopSession
	body, _ := r.ReadBody()
	claims, err := g.tokens.Verify(string(body))
	if err != nil {
		detail := "login refused: " + err.Error()
		answer(w, codes.Unauthorized, detail)
		return codes.Unauthorized, detail
	}
	account, ok := g.accounts.Load().Lookup(claims.Subject)
	if !ok {
		detail := fmt.Sprintf("login refused: the token's account %q is not configured on this gateway", claims.Subject)
		answer(w, codes.Unauthorized, detail)
		return codes.Unauthorized, detail
	}
	x.account = account.ID
	sticky := isSticky(r)
	out, err := g.sessions.Login(peer, account.ID, account.Limit(), sticky, claims.ExpiresAt.Time)
	if errors.Is(err, ErrSessionLimit) {
		detail := fmt.Sprintf("login refused: account %q already has %d sessions, its limit; log out one (DELETE /sessions from its socket) or wait for one to expire", account.ID, account.Limit())
		answer(w, codes.Forbidden, detail)
		return codes.Forbidden, detail
	}
	if err != nil {
		answer(w, codes.InternalServerError, err.Error())
		return codes.InternalServerError, err.Error()
	}
	detail := fmt.Sprintf("session created for account %s on %s", account.ID, peer)
	if out.Replaced != nil {
		if out.Replaced.Account != account.ID {
			// Another account's observations must not carry on under this one.
			g.relays.LeavePeer(peer)
		}
		detail = fmt.Sprintf("session of this socket replaced by a new one for account %s", account.ID)
	}
	if out.MovedFrom.IsValid() && out.MovedFrom != peer {
		moved := g.relays.MovePeer(out.MovedFrom, peer)
		detail = fmt.Sprintf("sticky session of account %s moved here from %s (%d observations follow)", account.ID, out.MovedFrom, moved)
	}
	if sticky {
		detail += " (sticky)"
	}
	answer(w, codes.Created, fmt.Sprintf("%s; idle timeout %v", detail, g.cfg.MaxSessionIdle))
	g.cfg.Logger.Info("login", "account", account.ID, "socket", peer, "sticky", sticky)
	return codes.Created, detail
}

// logout is DELETE /sessions.
func (g *Gateway) logout(w *udpendpoint.ResponseWriter, peer netip.AddrPort, x *exchangeLog) (codes.Code, string) {
	x.hop = traffic.HopSession
	s := g.sessions.Logout(peer)
	if s == nil {
		detail := "no session on this socket to delete"
		answer(w, codes.PreconditionFailed, detail)
		return codes.PreconditionFailed, detail
	}
	x.account = s.Account
	g.relays.LeavePeer(peer)
	_ = w.SetResponse(codes.Deleted, message.TextPlain, nil)
	g.cfg.Logger.Info("logout", "account", s.Account, "socket", peer)
	return codes.Deleted, "session deleted"
}

// ExpireIdleSessions closes the sessions idle past their grace period, telling each client
// with a NON 5.03 on its socket. The gateway runs it every SweepInterval; tests call it after
// moving the clock.
func (g *Gateway) ExpireIdleSessions() {
	for _, s := range g.sessions.Expire() {
		socket := s.Socket()
		g.relays.LeavePeer(socket)
		idle := g.cfg.Now().Sub(s.LastTraffic()).Round(time.Second)
		detail := fmt.Sprintf("session of account %s closed after %v without traffic: log in again", s.Account, idle)
		g.sendSessionClosed(socket, detail)
		g.cfg.Logger.Info("session expired", "account", s.Account, "socket", socket, "idle", idle)
		g.done(exchangeLog{hop: traffic.HopSession, client: socket, account: s.Account, path: "/sessions"}, codes.ServiceUnavailable, detail)
	}
}

func (g *Gateway) sendSessionClosed(socket netip.AddrPort, detail string) {
	cc, err := g.listener.Conn(socket)
	if err != nil {
		return
	}
	m := cc.AcquireMessage(cc.Context())
	defer cc.ReleaseMessage(m)
	m.SetType(message.NonConfirmable)
	m.SetCode(codes.ServiceUnavailable)
	m.SetMessageID(cc.GetMessageID())
	m.SetContentFormat(message.TextPlain)
	m.SetBody(bytes.NewReader([]byte(detail)))
	if err := cc.WriteMessage(m); err != nil {
		g.cfg.Logger.Debug("cannot tell client its session closed", "socket", socket, "err", err)
	}
}
