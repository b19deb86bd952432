package gatewaylite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/coap-workbench/coap-workbench/gatewaylite/observers"
	"github.com/coap-workbench/coap-workbench/gatewaylite/proxytarget"
	"github.com/coap-workbench/coap-workbench/gatewaylite/traffic"
	"github.com/coap-workbench/coap-workbench/internal/udpendpoint"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/message/pool"
	"github.com/plgd-dev/go-coap/v3/udp/client"
)

// HopLimit is the Hop-Limit option (RFC 8768), which go-coap does not name.
const HopLimit message.OptionID = 16

// HopLimitReached is the 5.08 response code of RFC 8768.
const HopLimitReached codes.Code = 5<<5 | 8

// hopByHop are the options the proxy consumes or rebuilds rather than forwards: the target,
// and the block-wise options, which each hop negotiates for itself.
var hopByHop = map[message.OptionID]bool{
	message.ProxyURI: true, message.ProxyScheme: true, message.URIHost: true, message.URIPort: true,
	message.URIPath: true, message.URIQuery: true, HopLimit: true,
	message.Block1: true, message.Block2: true, message.Size1: true, message.Size2: true,
	message.QBlock1: true, message.QBlock2: true,
}

// refusal is a request the gateway answers itself instead of forwarding.
type refusal struct {
	code   codes.Code
	detail string
}

// serveProxy forwards a request to the device its Proxy-Uri (or Proxy-Scheme and Uri-*) names,
// or refuses it as contract §5 says.
func (g *Gateway) serveProxy(w *udpendpoint.ResponseWriter, r *pool.Message, peer netip.AddrPort) {
	x := newExchangeLog(traffic.HopGateway, peer, r)
	target, session, hopLimit, refused := g.admit(r, peer, &x)
	if refused != nil {
		answer(w, refused.code, refused.detail)
		g.done(x, refused.code, refused.detail)
		return
	}
	session.touch(g.cfg.Now())
	addr, err := g.resolve(target)
	if err != nil {
		detail := "gateway-lite: " + err.Error()
		answer(w, codes.BadGateway, detail)
		g.done(x, codes.BadGateway, detail)
		return
	}
	g.stats.Proxied.Add(1)
	up, err := g.upstream(addr).Conn(addr)
	if err != nil {
		answer(w, codes.BadGateway, "gateway-lite: "+err.Error())
		g.done(x, codes.BadGateway, err.Error())
		return
	}
	switch observe, _ := r.Observe(); {
	case r.Code() == codes.GET && r.HasOption(message.Observe) && observe == 0:
		g.proxyObserve(w, r, up, target, hopLimit, session, &x)
		return
	case r.Code() == codes.GET && r.HasOption(message.Observe) && observe == 1:
		g.relays.Leave(peer, r.Token())
	}
	code, detail := g.forward(w, r, up, target, hopLimit, &x)
	session.touch(g.cfg.Now())
	g.done(x, code, detail)
}

// admit checks a proxied request before anything is sent: session, target, Hop-Limit,
// permission. hopLimit is the value to forward (-1: the client sent none).
func (g *Gateway) admit(r *pool.Message, peer netip.AddrPort, x *exchangeLog) (proxytarget.Target, *Session, int, *refusal) {
	// The target is read first so that even a refused request is logged with it.
	target, targetErr := proxytarget.FromOptions(r.Options())
	if targetErr == nil {
		x.target = net.JoinHostPort(target.Host, strconv.Itoa(int(target.Port)))
		x.path = target.PathString()
		if q := target.QueryString(); q != "" {
			x.path += "?" + q
		}
	}
	session := g.sessions.Lookup(peer)
	if session == nil {
		return target, nil, 0, &refusal{codes.Unauthorized, "no session on this socket: re-authenticate by POSTing a token to /sessions from the same port"}
	}
	x.account = session.Account
	if targetErr != nil {
		if errors.Is(targetErr, proxytarget.ErrUnsupportedScheme) {
			return target, session, 0, &refusal{codes.ProxyingNotSupported, "gateway-lite: " + targetErr.Error()}
		}
		return target, session, 0, &refusal{codes.BadRequest, "gateway-lite: " + targetErr.Error()}
	}
	hopLimit := -1
	if r.HasOption(HopLimit) {
		// A value that cannot be read counts as 0: the request goes no further.
		v, _ := r.Options().GetUint32(HopLimit)
		if v <= 1 {
			return target, session, 0, &refusal{HopLimitReached, "gateway-lite: hop limit reached (RFC 8768)"}
		}
		hopLimit = int(v) - 1
	}
	account, ok := g.accounts.Load().Lookup(session.Account)
	if !ok || !account.MayReach(target.Host) {
		return target, session, 0, &refusal{codes.Unauthorized, fmt.Sprintf("account %s has no permission for %s", session.Account, target.Host)}
	}
	return target, session, hopLimit, nil
}

// upstreamOptions are the options sent to the device: the client's end-to-end options, the
// target's path and query, and the decremented Hop-Limit.
func upstreamOptions(r *pool.Message, target proxytarget.Target, hopLimit int, skip ...message.OptionID) message.Options {
	opts := make(message.Options, 0, len(r.Options())+len(target.Path)+len(target.Query)+1)
outer:
	for _, o := range r.Options() {
		if hopByHop[o.ID] {
			continue
		}
		for _, s := range skip {
			if o.ID == s {
				continue outer
			}
		}
		opts = append(opts, o)
	}
	opts = append(opts, target.Options()...)
	if hopLimit >= 0 {
		opts = append(opts, message.Option{ID: HopLimit, Value: []byte{byte(hopLimit)}})
	}
	sortOptions(opts)
	return opts
}

func withoutOption(opts message.Options, id message.OptionID) message.Options {
	out := opts[:0:0]
	for _, o := range opts {
		if o.ID != id {
			out = append(out, o)
		}
	}
	return out
}

func sortOptions(opts message.Options) {
	// Insertion sort: stable (repeated options keep their order) and the lists are short.
	for i := 1; i < len(opts); i++ {
		for j := i; j > 0 && opts[j].ID < opts[j-1].ID; j-- {
			opts[j], opts[j-1] = opts[j-1], opts[j]
		}
	}
}

// forward sends the request on to the device and copies its answer into w.
func (g *Gateway) forward(w *udpendpoint.ResponseWriter, r *pool.Message, up *client.Conn, target proxytarget.Target, hopLimit int, x *exchangeLog) (codes.Code, string) {
	ctx, cancel := context.WithTimeout(g.ctx, g.cfg.UpstreamTimeout)
	defer cancel()
	req := up.AcquireMessage(ctx)
	defer up.ReleaseMessage(req)
	req.SetCode(r.Code())
	req.SetType(r.Type())
	token, err := message.GetToken()
	if err != nil {
		answer(w, codes.InternalServerError, err.Error())
		return codes.InternalServerError, err.Error()
	}
	req.SetToken(token)
	req.ResetOptionsTo(upstreamOptions(r, target, hopLimit, message.Observe))
	if body := udpendpoint.Payload(r); len(body) > 0 {
		req.SetBody(bytes.NewReader(body))
	}
	start := time.Now()
	resp, err := up.Do(req)
	x.rtt = time.Since(start)
	if err != nil {
		return g.upstreamFailed(w, target, err)
	}
	defer up.ReleaseMessage(resp)
	x.hop = traffic.HopDevice
	copyResponse(w.Message(), resp)
	return resp.Code(), ""
}

// upstreamFailed answers for a device that gave no usable answer: 5.04 after the timeout,
// 5.02 for anything else.
func (g *Gateway) upstreamFailed(w *udpendpoint.ResponseWriter, target proxytarget.Target, err error) (codes.Code, string) {
	if errors.Is(err, context.DeadlineExceeded) {
		detail := fmt.Sprintf("gateway-lite: device %s did not answer within %v", target.Host, g.cfg.UpstreamTimeout)
		answer(w, codes.GatewayTimeout, detail)
		return codes.GatewayTimeout, detail
	}
	detail := fmt.Sprintf("gateway-lite: no usable answer from %s: %v", target.Host, err)
	answer(w, codes.BadGateway, detail)
	return codes.BadGateway, detail
}

// copyResponse puts the device's code, options and payload into the gateway's response,
// leaving out the block-wise options: the client's own block size applies on its hop.
func copyResponse(dst, src *pool.Message) {
	snap := observers.SnapshotOf(src)
	opts := make(message.Options, 0, len(snap.Options))
	for _, o := range snap.Options {
		if o.ID != message.Block1 && o.ID != message.Block2 && o.ID != message.Size1 && o.ID != message.Size2 {
			opts = append(opts, o)
		}
	}
	snap.Options = opts
	snap.FillTo(dst)
}

// observeKey names an upstream observation: one per device, path and query, shared by every
// client observing it.
func observeKey(t proxytarget.Target, accept []byte) string {
	key := strings.ToLower(t.Host) + ":" + strconv.Itoa(int(t.Port)) + t.PathString() + "?" + t.QueryString()
	if len(accept) > 0 {
		key += "#accept=" + string(accept)
	}
	return key
}

// proxyObserve registers the client on the relay of its target, starting the upstream
// observation if it is the first.
func (g *Gateway) proxyObserve(w *udpendpoint.ResponseWriter, r *pool.Message, up *client.Conn, target proxytarget.Target, hopLimit int, session *Session, x *exchangeLog) {
	ctx, cancel := context.WithTimeout(g.ctx, g.cfg.UpstreamTimeout)
	defer cancel()
	accept, _ := r.Options().GetBytes(message.Accept)
	// go-coap sets the path of the registration itself; the rest are options. They are kept
	// for the deregistration, long after r (whose buffer they point into) is recycled: copy.
	opts, err := withoutOption(upstreamOptions(r, target, hopLimit, message.Observe), message.URIPath).Clone()
	if err != nil {
		answer(w, codes.BadRequest, "gateway-lite: "+err.Error())
		g.done(*x, codes.BadRequest, err.Error())
		return
	}
	path := "/" + strings.Join(target.Path, "/")
	start := time.Now()
	joined, err := g.relays.Join(ctx, observeKey(target, accept), x.client, r.Token(), func(ctx context.Context, notify func(observers.Snapshot)) (observers.Upstream, error) {
		return observers.ObserveUpstream(ctx, up, path, opts, notify)
	})
	if err != nil {
		x.rtt = time.Since(start)
		code, detail := g.upstreamFailed(w, target, err)
		g.done(*x, code, detail)
		return
	}
	if joined.Seq != 0 && g.sessions.Lookup(x.client) != session {
		// The session ended (or moved) while the device was asked: the registration must
		// not outlive it.
		g.relays.Leave(x.client, r.Token())
		detail := "the session ended while the observation was being registered: re-authenticate"
		answer(w, codes.Unauthorized, detail)
		g.done(*x, codes.Unauthorized, detail)
		return
	}
	if joined.Started {
		x.rtt = time.Since(start)
	}
	x.hop = traffic.HopDevice
	resp := joined.Response
	respOpts := resp.Options
	resp.Options = make(message.Options, 0, len(respOpts))
	for _, o := range respOpts {
		if o.ID != message.Block2 && o.ID != message.Size2 {
			resp.Options = append(resp.Options, o)
		}
	}
	resp.FillTo(w.Message())
	detail := "observe: joined a relayed observation"
	switch {
	case joined.Seq == 0:
		detail = "observe: the device did not register the observation"
	case joined.Started:
		detail = "observe: started the upstream observation"
	}
	if joined.Seq != 0 {
		w.Message().SetObserve(joined.Seq)
	}
	g.done(*x, resp.Code, detail)
}

// notificationRelayed runs for every notification relayed to a client: it is session traffic.
func (g *Gateway) notificationRelayed(key string, o observers.Observer, s observers.Snapshot, err error) {
	g.stats.Notifications.Add(1)
	session := g.sessions.Lookup(o.Peer)
	account := ""
	if session != nil {
		session.touch(g.cfg.Now())
		account = session.Account
	}
	detail := ""
	if err != nil {
		detail = "notification not delivered, observer removed: " + err.Error()
	}
	host, path, _ := strings.Cut(key, "/")
	g.done(exchangeLog{hop: traffic.HopNotification, client: o.Peer, account: account, target: host, path: "/" + path, typ: s.Type}, s.Code, detail)
}
