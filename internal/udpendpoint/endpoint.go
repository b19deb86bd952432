// Package udpendpoint runs CoAP over one unconnected UDP socket shared by many peers, as a
// server, as a client, or both at once.
//
// go-coap does the protocol work (message layer, deduplication, retransmission, block-wise,
// observe on the client side); this package owns the receive loop and the per-peer state. It
// exists because go-coap's UDP server scans every cached response of a peer on every datagram
// from that peer, which makes a busy server slow down second by second. Here each peer's
// response cache is expiry-ordered, and expirations run on a periodic sweep instead of on the
// read path, so the read loop costs the same at the first request and at the millionth.
package udpendpoint

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/pool"
	"github.com/plgd-dev/go-coap/v3/net/blockwise"
	"github.com/plgd-dev/go-coap/v3/net/monitor/inactivity"
	"github.com/plgd-dev/go-coap/v3/net/responsewriter"
	"github.com/plgd-dev/go-coap/v3/options/config"
	"github.com/plgd-dev/go-coap/v3/udp/client"
	"github.com/plgd-dev/go-coap/v3/udp/coder"
)

// ResponseWriter is the writer handlers of this endpoint receive.
type ResponseWriter = responsewriter.ResponseWriter[*client.Conn]

// HandlerFunc handles a request (or an unmatched message) from a peer.
type HandlerFunc = func(w *ResponseWriter, r *pool.Message)

// ProcessFunc decides where a received request is processed; see Config.Process.
type ProcessFunc = config.ProcessReceivedMessageFunc[*client.Conn]

// Link shapes the datagrams of an endpoint the way a network does: it may drop or delay them.
// A nil Link delivers everything at once.
type Link interface {
	// Receive is called for every datagram read from the socket.
	Receive(from netip.AddrPort, size int) (deliver bool, delay time.Duration)
	// Send is called for every datagram about to be written to the socket.
	Send(to netip.AddrPort, size int) (deliver bool, delay time.Duration)
}

// Endpoint is a CoAP endpoint on one UDP socket.
type Endpoint struct {
	cfg    Config
	sock   *net.UDPConn
	ctx    context.Context
	cancel context.CancelFunc
	pool   *pool.Pool

	mu    sync.RWMutex
	peers map[netip.AddrPort]*peer

	sweepSnapshot []*peer
	readDone      chan struct{}
	startOnce     sync.Once
	started       atomic.Bool
	closeOnce     sync.Once
	stats         Stats
}

type peer struct {
	cc       *client.Conn
	session  *peerSession
	lastSeen atomic.Int64 // unix nanoseconds of the last datagram either way
}

// Stats counts what an endpoint did.
type Stats struct {
	DatagramsIn  atomic.Uint64
	DatagramsOut atomic.Uint64
	Malformed    atomic.Uint64
	Dropped      atomic.Uint64 // by the Link
	// RefusedPeers counts datagrams from new addresses dropped because MaxPeers were known.
	RefusedPeers atomic.Uint64
}

// Listen opens a UDP socket on addr ("127.0.0.1:0" picks a free port) and starts serving.
func Listen(ctx context.Context, addr string, cfg Config) (*Endpoint, error) {
	e, err := Open(ctx, addr, cfg)
	if err != nil {
		return nil, err
	}
	e.Start()
	return e, nil
}

// Open opens a UDP socket on addr without reading from it yet, so that what the handler needs
// can be built around the endpoint first; Start begins serving. Close releases the socket
// either way.
func Open(ctx context.Context, addr string, cfg Config) (*Endpoint, error) {
	udpAddr, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("invalid listen address %q: %w", addr, err)
	}
	sock, err := net.ListenUDP("udp", udpAddr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on udp %s: %w", addr, unwrapOpError(err))
	}
	cfg.setDefaults()
	if err := sock.SetReadBuffer(cfg.ReceiveBuffer); err != nil {
		cfg.Logger.Debug("cannot raise socket receive buffer", "err", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	e := &Endpoint{
		cfg:      cfg,
		sock:     sock,
		ctx:      ctx,
		cancel:   cancel,
		pool:     pool.New(1024, 2048),
		peers:    make(map[netip.AddrPort]*peer),
		readDone: make(chan struct{}),
	}
	context.AfterFunc(ctx, e.Close)
	return e, nil
}

// Start begins reading and the periodic work; calling it again does nothing.
func (e *Endpoint) Start() {
	e.startOnce.Do(func() {
		e.started.Store(true)
		go e.readLoop()
		if e.cfg.Sweeper != nil {
			e.cfg.Sweeper.add(e)
		} else {
			go e.sweepLoop()
		}
	})
}

// unwrapOpError drops net.OpError's restatement of the operation and address.
func unwrapOpError(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err
	}
	return err
}

// LocalAddr is the address the endpoint's socket is bound to.
func (e *Endpoint) LocalAddr() netip.AddrPort {
	return e.sock.LocalAddr().(*net.UDPAddr).AddrPort()
}

// Stats returns the endpoint's counters.
func (e *Endpoint) Stats() *Stats { return &e.stats }

// Done is closed once the endpoint has stopped reading.
func (e *Endpoint) Done() <-chan struct{} { return e.readDone }

// Close stops the endpoint, closes every peer's conn and the socket.
func (e *Endpoint) Close() {
	e.closeOnce.Do(func() {
		e.cancel()
		_ = e.sock.Close()
		if e.started.Load() {
			<-e.readDone
		}
		if e.cfg.Sweeper != nil {
			e.cfg.Sweeper.remove(e)
		}
		e.mu.Lock()
		peers := make([]*peer, 0, len(e.peers))
		for _, p := range e.peers {
			peers = append(peers, p)
		}
		e.mu.Unlock()
		for _, p := range peers {
			_ = p.cc.Close()
		}
	})
}

// Conn returns the conn to addr, creating it if needed, for sending requests or notifications.
func (e *Endpoint) Conn(addr netip.AddrPort) (*client.Conn, error) {
	if e.ctx.Err() != nil {
		return nil, errors.New("endpoint is closed")
	}
	p, _ := e.peer(unmap(addr))
	if p == nil {
		return nil, fmt.Errorf("cannot talk to %v: the endpoint already knows %d peers, its limit", addr, e.cfg.MaxPeers)
	}
	p.lastSeen.Store(time.Now().UnixNano())
	return p.cc, nil
}

// NotificationToken returns the token of the notification sent to peer with message ID mid,
// if it was among the last few: what a Reset from peer rejects.
func (e *Endpoint) NotificationToken(peer netip.AddrPort, mid int32) ([]byte, bool) {
	p := e.existingPeer(unmap(peer))
	if p == nil {
		return nil, false
	}
	return p.session.notifications.token(mid)
}

// PeerCount returns how many peers have protocol state.
func (e *Endpoint) PeerCount() int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return len(e.peers)
}

// ForgetPeer drops the protocol state of addr (its conn is closed).
func (e *Endpoint) ForgetPeer(addr netip.AddrPort) {
	e.mu.RLock()
	p := e.peers[unmap(addr)]
	e.mu.RUnlock()
	if p != nil {
		_ = p.cc.Close()
	}
}

// unmap turns an IPv4-mapped IPv6 address into plain IPv4 so that one peer has one key.
func unmap(addr netip.AddrPort) netip.AddrPort {
	if addr.Addr().Is4In6() {
		return netip.AddrPortFrom(addr.Addr().Unmap(), addr.Port())
	}
	return addr
}

// peer returns the state of addr, creating it (created is then true) unless the endpoint
// already knows MaxPeers peers (p is then nil).
func (e *Endpoint) peer(addr netip.AddrPort) (p *peer, created bool) {
	e.mu.RLock()
	p = e.peers[addr]
	e.mu.RUnlock()
	if p != nil && p.cc.Context().Err() == nil {
		return p, false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if p = e.peers[addr]; p != nil && p.cc.Context().Err() == nil {
		return p, false
	}
	if p == nil && len(e.peers) >= e.cfg.MaxPeers {
		e.stats.RefusedPeers.Add(1)
		return nil, false
	}
	p = e.newPeer(addr)
	e.peers[addr] = p
	return p, true
}

func (e *Endpoint) newPeer(addr netip.AddrPort) *peer {
	session := newPeerSession(e, addr)
	cfg := client.DefaultConfig
	cfg.Ctx = e.ctx
	cache := NewResponseCache(e.cfg.ResponseLifetime, e.cfg.IdempotentResponseLifetime, e.cfg.ResponseCacheEntries)
	handler := e.cfg.Handler
	if e.cfg.NonConfirmableReplies {
		handler = replyInKind(handler)
	}
	cfg.Handler = func(w *ResponseWriter, r *pool.Message) {
		if isIdempotent(r.Code()) {
			cache.MarkIdempotent(r.MessageID())
		}
		handler(w, r)
	}
	cfg.Errors = func(err error) { e.cfg.Logger.Debug("coap", "peer", addr, "err", err) }
	cfg.MessagePool = e.pool
	cfg.MaxMessageSize = e.cfg.MaxMessageSize
	cfg.BlockwiseEnable = !e.cfg.DisableBlockwise
	cfg.BlockwiseSZX = e.cfg.BlockwiseSZX
	cfg.BlockwiseTransferTimeout = e.cfg.BlockwiseTransferTimeout
	cfg.ProcessReceivedMessage = e.cfg.Process
	cfg.TransmissionNStart = e.cfg.NStart
	cfg.TransmissionAcknowledgeTimeout = e.cfg.AckTimeout
	cfg.TransmissionMaxRetransmit = e.cfg.MaxRetransmit
	// Parallel requests are bounded by NStart alone; go-coap's default limiter would also
	// serialise every request sharing a Uri-Path (all Proxy-Uri requests look alike).
	cfg.LimitClientParallelRequests = 0
	cfg.LimitClientEndpointParallelRequests = 0
	cfg.CreateInactivityMonitor = func() client.InactivityMonitor { return inactivity.NewNilMonitor[*client.Conn]() }
	p := &peer{session: session}
	p.cc = client.NewConnWithOpts(session, &cfg,
		client.WithResponseMessageCache(cache),
		client.WithBlockWise(func(cc *client.Conn) *blockwise.BlockWise[*client.Conn] {
			if e.cfg.DisableBlockwise {
				return nil
			}
			// A closure: cc's client part does not exist yet when block-wise is created.
			sentRequest := func(token message.Token) (*pool.Message, bool) { return cc.GetObservationRequest(token) }
			bw := blockwise.New(cc, e.cfg.BlockwiseTransferTimeout, cfg.Errors, sentRequest)
			bw.SetMaxReceiveBodySize(e.cfg.MaxBlock1Size)
			return bw
		}),
	)
	p.lastSeen.Store(time.Now().UnixNano())
	p.cc.AddOnClose(func() {
		e.mu.Lock()
		if e.peers[addr] == p {
			delete(e.peers, addr)
		}
		e.mu.Unlock()
	})
	return p
}

func (e *Endpoint) readLoop() {
	defer close(e.readDone)
	buf := make([]byte, int(e.cfg.MaxMessageSize)+1)
	for {
		n, from, err := e.sock.ReadFromUDPAddrPort(buf)
		if err != nil {
			if e.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			e.cfg.Logger.Debug("udp read", "err", err)
			continue
		}
		e.stats.DatagramsIn.Add(1)
		if n > int(e.cfg.MaxMessageSize) {
			e.stats.Malformed.Add(1)
			continue
		}
		from = unmap(from)
		if e.cfg.Link != nil {
			deliver, delay := e.cfg.Link.Receive(from, n)
			if !deliver {
				e.stats.Dropped.Add(1)
				continue
			}
			if delay > 0 {
				datagram := append([]byte(nil), buf[:n]...)
				time.AfterFunc(delay, func() { e.process(from, datagram) })
				continue
			}
		}
		e.process(from, buf[:n])
	}
}

// Inject processes datagram as if it had been received from from (which receives any answer).
// Fuzz tests use it to reach the whole receive path without a socket per input.
func (e *Endpoint) Inject(from netip.AddrPort, datagram []byte) {
	e.process(unmap(from), append([]byte(nil), datagram...))
}

func (e *Endpoint) process(from netip.AddrPort, datagram []byte) {
	if e.ctx.Err() != nil {
		return
	}
	if len(datagram) < 4 || datagram[0]>>6 != 1 {
		// No CoAP header, or another version: nothing to answer (RFC 7252 §3, §4.2), and no
		// reason to keep state for the sender.
		e.stats.Malformed.Add(1)
		return
	}
	p, created := e.peer(from)
	if p == nil {
		return
	}
	if hook := e.cfg.OnReceive; hook != nil {
		hook(from, datagram)
	}
	p.lastSeen.Store(time.Now().UnixNano())
	err := p.cc.Process(nil, datagram)
	if err == nil {
		return
	}
	var malformed *client.MalformedMessageError
	if errors.As(err, &malformed) {
		e.stats.Malformed.Add(1)
		e.rejectMalformed(from, malformed)
		if created {
			_ = p.cc.Close() // a stranger's garbage leaves no state behind
		}
		return
	}
	e.cfg.Logger.Debug("cannot process datagram; peer state reset", "peer", from, "err", err)
	_ = p.cc.Close()
}

// rejectMalformed answers a malformed confirmable message whose header could be read with a
// Reset, as RFC 7252 §4.2 asks; anything else is silently dropped.
func (e *Endpoint) rejectMalformed(to netip.AddrPort, m *client.MalformedMessageError) {
	if m.InvalidVersion || !m.HasHeader || m.Type != message.Confirmable || !message.ValidateMID(m.MessageID) {
		return
	}
	rst := []byte{0x70, 0x00, byte(m.MessageID >> 8), byte(m.MessageID)}
	_ = e.send(rst, to)
}

func (e *Endpoint) send(data []byte, to netip.AddrPort) error {
	if e.cfg.Link != nil {
		deliver, delay := e.cfg.Link.Send(to, len(data))
		if !deliver {
			e.stats.Dropped.Add(1)
			return nil
		}
		if delay > 0 {
			datagram := append([]byte(nil), data...)
			time.AfterFunc(delay, func() { _ = e.write(datagram, to) })
			return nil
		}
	}
	return e.write(data, to)
}

func (e *Endpoint) write(data []byte, to netip.AddrPort) error {
	if _, err := e.sock.WriteToUDPAddrPort(data, to); err != nil {
		return fmt.Errorf("cannot send to %v: %w", to, err)
	}
	e.stats.DatagramsOut.Add(1)
	if p := e.existingPeer(to); p != nil {
		p.lastSeen.Store(time.Now().UnixNano())
	}
	return nil
}

func (e *Endpoint) existingPeer(addr netip.AddrPort) *peer {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.peers[addr]
}

// WriteRaw sends a datagram built by the caller (for example a message go-coap would refuse
// to build) to addr.
func (e *Endpoint) WriteRaw(datagram []byte, to netip.AddrPort) error {
	return e.send(datagram, unmap(to))
}

// EncodeMessage marshals m for WriteRaw.
func EncodeMessage(m message.Message) ([]byte, error) {
	size, err := coder.DefaultCoder.Size(m)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, size)
	n, err := coder.DefaultCoder.Encode(m, buf)
	if err != nil {
		return nil, err
	}
	return buf[:n], nil
}

func (e *Endpoint) sweepLoop() {
	ticker := time.NewTicker(e.cfg.SweepInterval)
	defer ticker.Stop()
	for {
		select {
		case <-e.ctx.Done():
			return
		case now := <-ticker.C:
			e.sweep(now)
		}
	}
}

// sweep runs retransmissions and expirations, and forgets idle peers.
func (e *Endpoint) sweep(now time.Time) {
	e.mu.RLock()
	peers := e.sweepSnapshot[:0]
	for _, p := range e.peers {
		peers = append(peers, p)
	}
	e.mu.RUnlock()
	idleBefore := now.Add(-e.cfg.IdlePeerTimeout).UnixNano()
	for _, p := range peers {
		if e.cfg.IdlePeerTimeout > 0 && p.lastSeen.Load() < idleBefore {
			_ = p.cc.Close()
			continue
		}
		p.cc.CheckExpirations(now)
	}
	clear(peers)
	e.sweepSnapshot = peers[:0]
}
