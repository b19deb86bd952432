package udpendpoint

import (
	"log/slog"
	"net/netip"
	"time"

	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/message/pool"
	"github.com/plgd-dev/go-coap/v3/net/blockwise"
	"github.com/plgd-dev/go-coap/v3/udp/client"
)

// Config describes an endpoint. Zero values take the defaults noted on each field.
type Config struct {
	// Handler serves requests from peers. Default: 4.04 for every request.
	Handler HandlerFunc
	// Process receives every message before Handler and decides where it runs. It must end by
	// calling cc.ProcessReceivedMessageWithHandler(req, handler), directly or later. Default
	// ProcessAsync.
	Process ProcessFunc
	// NonConfirmableReplies answers a non-confirmable request with a non-confirmable response,
	// as RFC 7252 §5.2.3 recommends (go-coap alone answers them with confirmable ones).
	NonConfirmableReplies bool
	// OnWrite, when set, sees every message the endpoint sends, retransmissions included (a
	// client counts them from it). It must be quick and must not keep m.
	OnWrite func(to netip.AddrPort, m *pool.Message)
	// OnReceive, when set, sees every CoAP datagram the endpoint processes (duplicates and empty
	// acknowledgements included) before go-coap processes it, as it came off the wire. It
	// must be quick and must not keep datagram.
	OnReceive func(from netip.AddrPort, datagram []byte)
	// Link shapes the traffic (fault injection). Default: none.
	Link Link
	// Logger receives errors of the protocol layer at debug level. Default: slog.Default().
	Logger *slog.Logger

	// MaxMessageSize bounds a datagram. Default 64 KiB.
	MaxMessageSize uint32
	// DisableBlockwise leaves block-wise transfers to the caller: responses and requests carry
	// their Block options untouched.
	DisableBlockwise bool
	// BlockwiseSZX is the largest block this endpoint sends. Default 1024 bytes.
	BlockwiseSZX blockwise.SZX
	// MaxBlock1Size caps a block-wise upload; larger ones get 4.13. Default 64 KiB.
	MaxBlock1Size int64
	// BlockwiseTransferTimeout bounds a block-wise transfer. Default 10 s.
	BlockwiseTransferTimeout time.Duration

	// NStart is the number of outstanding confirmable requests to one peer. Default 1.
	NStart uint32
	// AckTimeout is the CoAP ACK_TIMEOUT. Default 2 s.
	AckTimeout time.Duration
	// MaxRetransmit is the CoAP MAX_RETRANSMIT. Default 4.
	MaxRetransmit uint32

	// ResponseLifetime is how long a response is kept to answer duplicates. Default 247 s
	// (EXCHANGE_LIFETIME).
	ResponseLifetime time.Duration
	// IdempotentResponseLifetime is how long a response to an idempotent request (GET, PUT,
	// DELETE, FETCH, iPATCH) is kept: long enough for the first retransmissions, after which
	// RFC 7252 §4.5 allows the request to be processed again. Default 10 s.
	IdempotentResponseLifetime time.Duration
	// ResponseCacheEntries bounds the responses kept per peer. Default 8192.
	ResponseCacheEntries int
	// SweepInterval is the period of retransmissions and expirations. Default 100 ms.
	SweepInterval time.Duration
	// MaxPeers bounds the peers the endpoint keeps state for; datagrams from further addresses
	// are dropped. Default 10000.
	MaxPeers int
	// IdlePeerTimeout forgets a peer's protocol state after this long without traffic; a
	// negative value never does (for the few peers whose conns hold observations). Default
	// 5 minutes. The application's own state (sessions, observations) is not affected.
	IdlePeerTimeout time.Duration
	// ReceiveBuffer is the socket receive buffer requested from the kernel. Default 4 MiB.
	ReceiveBuffer int
	// Sweeper, when set, runs this endpoint's periodic work together with other endpoints
	// (one goroutine for a whole simulated mesh instead of one per device).
	Sweeper *Sweeper
}

func (c *Config) setDefaults() {
	if c.Handler == nil {
		c.Handler = func(w *ResponseWriter, r *pool.Message) {
			if r.Code() >= codes.GET && r.Code() <= codes.IPATCH {
				_ = w.SetResponse(codes.NotFound, message.TextPlain, nil)
			}
		}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Process == nil {
		c.Process = ProcessAsync
	}
	if c.MaxMessageSize == 0 {
		c.MaxMessageSize = 64 * 1024
	}
	if c.BlockwiseSZX == 0 {
		c.BlockwiseSZX = blockwise.SZX1024
	}
	if c.MaxBlock1Size == 0 {
		c.MaxBlock1Size = 64 * 1024
	}
	if c.BlockwiseTransferTimeout == 0 {
		c.BlockwiseTransferTimeout = 10 * time.Second
	}
	if c.NStart == 0 {
		c.NStart = 1
	}
	if c.AckTimeout == 0 {
		c.AckTimeout = 2 * time.Second
	}
	if c.MaxRetransmit == 0 {
		c.MaxRetransmit = 4
	}
	if c.ResponseLifetime == 0 {
		c.ResponseLifetime = client.ExchangeLifetime
	}
	if c.IdempotentResponseLifetime == 0 {
		c.IdempotentResponseLifetime = 10 * time.Second
	}
	if c.ResponseCacheEntries == 0 {
		c.ResponseCacheEntries = 8192
	}
	if c.SweepInterval == 0 {
		c.SweepInterval = 100 * time.Millisecond
	}
	if c.MaxPeers == 0 {
		c.MaxPeers = 10000
	}
	if c.IdlePeerTimeout == 0 {
		c.IdlePeerTimeout = 5 * time.Minute
	}
	if c.ReceiveBuffer == 0 {
		c.ReceiveBuffer = 4 << 20
	}
}
