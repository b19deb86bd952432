package udpendpoint

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/message/pool"
	coapNet "github.com/plgd-dev/go-coap/v3/net"
	"github.com/plgd-dev/go-coap/v3/udp/client"
	"github.com/plgd-dev/go-coap/v3/udp/coder"
)

// peerSession is go-coap's view of one peer of the endpoint: it writes to the peer through the
// endpoint's shared socket and never reads (the endpoint's receive loop feeds the conn).
type peerSession struct {
	endpoint *Endpoint
	addr     netip.AddrPort
	udpAddr  *net.UDPAddr

	ctx     atomic.Pointer[context.Context]
	cancel  context.CancelFunc
	mu      sync.Mutex
	done    chan struct{}
	closed  bool
	onClose []client.EventFunc

	notifications sentNotifications
}

var _ client.Session = (*peerSession)(nil)

func newPeerSession(e *Endpoint, addr netip.AddrPort) *peerSession {
	ctx, cancel := context.WithCancel(e.ctx)
	s := &peerSession{
		endpoint: e,
		addr:     addr,
		udpAddr:  net.UDPAddrFromAddrPort(addr),
		cancel:   cancel,
		done:     make(chan struct{}),
	}
	s.ctx.Store(&ctx)
	return s
}

func (s *peerSession) Context() context.Context { return *s.ctx.Load() }

func (s *peerSession) SetContextValue(key, val any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ctx := context.WithValue(*s.ctx.Load(), key, val)
	s.ctx.Store(&ctx)
}

// Close ends the session: the conn's context is cancelled and the close callbacks run once.
func (s *peerSession) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	callbacks := s.onClose
	s.onClose = nil
	s.mu.Unlock()
	s.cancel()
	for _, f := range callbacks {
		f()
	}
	close(s.done)
	return nil
}

func (s *peerSession) AddOnClose(f client.EventFunc) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		f()
		return
	}
	s.onClose = append(s.onClose, f)
	s.mu.Unlock()
}

func (s *peerSession) Done() <-chan struct{} { return s.done }

func (s *peerSession) MaxMessageSize() uint32 { return s.endpoint.cfg.MaxMessageSize }

func (s *peerSession) RemoteAddr() net.Addr { return s.udpAddr }

func (s *peerSession) LocalAddr() net.Addr { return s.endpoint.sock.LocalAddr() }

func (s *peerSession) NetConn() net.Conn { return s.endpoint.sock }

func (s *peerSession) WriteMessage(req *pool.Message) error {
	data, err := req.MarshalWithEncoder(coder.DefaultCoder)
	if err != nil {
		return fmt.Errorf("cannot marshal message for %v: %w", s.addr, err)
	}
	if req.Code() >= codes.Created && req.HasOption(message.Observe) {
		s.notifications.record(req.MessageID(), req.Token())
	}
	if hook := s.endpoint.cfg.OnWrite; hook != nil {
		hook(s.addr, req)
	}
	return s.endpoint.send(data, s.addr)
}

// sentNotifications remembers the message IDs of the last notifications sent to a peer, so
// that a Reset (which carries only a message ID) can be traced to the observation it rejects.
// go-coap assigns a notification's message ID as it sends it, so this is the one place that
// knows it.
type sentNotifications struct {
	mu   sync.Mutex
	ring [32]struct {
		mid   int32
		token []byte
	}
	next int
}

func (n *sentNotifications) record(mid int32, token message.Token) {
	n.mu.Lock()
	slot := &n.ring[n.next%len(n.ring)]
	slot.mid = mid
	slot.token = append(slot.token[:0], token...)
	n.next++
	n.mu.Unlock()
}

func (n *sentNotifications) token(mid int32) ([]byte, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for i := range min(n.next, len(n.ring)) {
		if slot := n.ring[i]; slot.mid == mid {
			return append([]byte(nil), slot.token...), true
		}
	}
	return nil, false
}

func (s *peerSession) WriteMulticastMessage(*pool.Message, *net.UDPAddr, ...coapNet.MulticastOption) error {
	return errors.New("multicast is not supported by this endpoint")
}

// Run is never called: the endpoint's receive loop feeds every peer.
func (s *peerSession) Run(*client.Conn) error {
	<-s.done
	return nil
}
