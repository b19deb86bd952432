// Package loadgen is the workbench's load generator: many closed-loop CoAP clients, each with
// its own UDP socket (and, through a gateway, its own session), sending confirmable GETs for a
// fixed time and recording every latency. It is deliberately lean — pre-encoded requests,
// no per-request allocation — so that on a small machine it measures the server, not itself.
package loadgen

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/udp/coder"
)

// Target is where one client sends its requests.
type Target struct {
	// Server is the UDP address requests go to (a device, a gateway or another proxy).
	Server netip.AddrPort
	// ProxyURI, when set, makes the request a forward-proxy request; otherwise Path is used.
	ProxyURI string
	// Path is the path and query of a direct request, e.g. "/sys/stats?mod=pwr".
	Path string
	// Token, when set, is POSTed to /sessions before the run (a gateway session).
	Token string
}

// Config describes a run.
type Config struct {
	Clients  int
	Duration time.Duration
	// Target returns the target of client i.
	Target func(i int) Target
	// Timeout is how long a client waits for an answer before counting a timeout. Default 2 s.
	Timeout time.Duration
	// Rate, when positive, paces each client to this many requests per second (a model of
	// many quiet sessions); zero sends the next request as soon as the last is answered.
	Rate float64
	// Second, when set, is called once a second with the number of answers in that second.
	Second func(second int, answers uint64)
}

// Result is what a run measured.
type Result struct {
	Clients   int
	Duration  time.Duration
	Requests  uint64 // answered with a 2.xx code
	Errors    uint64 // answered with another code
	Timeouts  uint64 // not answered in time
	PerSecond []uint64
	latencies []time.Duration // sorted
}

// Rate is the successful requests per second over the run.
func (r Result) Rate() float64 {
	if r.Duration <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Duration.Seconds()
}

// Percentile returns the latency below which p (0..100) percent of answers came.
func (r Result) Percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	i := int(float64(len(r.latencies)-1) * p / 100)
	return r.latencies[i]
}

// Steadiness compares the answers of the last 10 seconds with those of the first 10 (after a
// 1-second warm-up): 1.0 is perfectly steady, below 0.9 a decline. 0 if the run is too short.
func (r Result) Steadiness() float64 {
	n := len(r.PerSecond)
	if n < 21 {
		return 0
	}
	var first, last uint64
	for _, c := range r.PerSecond[1:11] {
		first += c
	}
	for _, c := range r.PerSecond[n-10:] {
		last += c
	}
	if first == 0 {
		return 0
	}
	return float64(last) / float64(first)
}

// Run logs every client in (if it has a token), then runs the load for cfg.Duration.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Clients < 1 {
		return Result{}, fmt.Errorf("need at least one client, got %d", cfg.Clients)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 2 * time.Second
	}
	clients := make([]*loadClient, cfg.Clients)
	for i := range clients {
		c, err := newLoadClient(cfg.Target(i), cfg.Timeout, cfg.Rate)
		if err != nil {
			closeAll(clients)
			return Result{}, fmt.Errorf("client %d: %w", i, err)
		}
		clients[i] = c
	}
	defer closeAll(clients)
	for i, c := range clients {
		if err := c.login(); err != nil {
			return Result{}, fmt.Errorf("client %d: %w", i, err)
		}
	}

	var answered atomic.Uint64
	runCtx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.loop(runCtx, &answered)
		}()
	}
	perSecond := sampleSeconds(runCtx, &answered, cfg.Second)
	wg.Wait()
	elapsed := time.Since(start)
	for _, c := range clients {
		c.logout()
	}

	res := Result{Clients: cfg.Clients, Duration: elapsed, PerSecond: <-perSecond}
	for _, c := range clients {
		res.Requests += c.ok
		res.Errors += c.errors
		res.Timeouts += c.timeouts
		res.latencies = append(res.latencies, c.latencies...)
	}
	slices.Sort(res.latencies)
	return res, ctx.Err()
}

func sampleSeconds(ctx context.Context, answered *atomic.Uint64, report func(int, uint64)) <-chan []uint64 {
	out := make(chan []uint64, 1)
	go func() {
		ticker := time.NewTicker(time.Second)
		defer ticker.Stop()
		var seconds []uint64
		var last uint64
		for {
			select {
			case <-ctx.Done():
				out <- seconds
				return
			case <-ticker.C:
				now := answered.Load()
				seconds = append(seconds, now-last)
				last = now
				if report != nil {
					report(len(seconds), seconds[len(seconds)-1])
				}
			}
		}
	}()
	return out
}

func closeAll(clients []*loadClient) {
	for _, c := range clients {
		if c != nil {
			c.sock.Close()
		}
	}
}

// loadClient is one closed-loop client on its own socket.
type loadClient struct {
	target  Target
	timeout time.Duration
	period  time.Duration // 0: closed loop without pause
	sock    *net.UDPConn
	request []byte // pre-encoded; message ID and token are patched in place
	midAt   int
	tokenAt int
	mid     uint16
	seq     uint32
	buf     []byte
	decoded message.Message

	ok, errors, timeouts uint64
	latencies            []time.Duration
}

const tokenLen = 4

func newLoadClient(t Target, timeout time.Duration, rate float64) (*loadClient, error) {
	sock, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(t.Server))
	if err != nil {
		return nil, err
	}
	_ = sock.SetReadBuffer(1 << 20)
	c := &loadClient{target: t, timeout: timeout, sock: sock, buf: make([]byte, 2048)}
	if rate > 0 {
		c.period = time.Duration(float64(time.Second) / rate)
	}
	c.decoded.Options = make(message.Options, 0, 16)
	var r [2]byte
	_, _ = rand.Read(r[:])
	c.mid = binary.BigEndian.Uint16(r[:])
	c.request, err = encodeGet(t)
	if err != nil {
		sock.Close()
		return nil, err
	}
	c.midAt, c.tokenAt = 2, 4
	c.latencies = make([]time.Duration, 0, 1024)
	return c, nil
}

func encodeGet(t Target) ([]byte, error) {
	opts := message.Options{}
	if t.ProxyURI != "" {
		opts = append(opts, message.Option{ID: message.ProxyURI, Value: []byte(t.ProxyURI)})
	} else {
		path, query, _ := bytes.Cut([]byte(t.Path), []byte("?"))
		for _, seg := range bytes.Split(bytes.Trim(path, "/"), []byte("/")) {
			if len(seg) > 0 {
				opts = append(opts, message.Option{ID: message.URIPath, Value: seg})
			}
		}
		if len(query) > 0 {
			for _, q := range bytes.Split(query, []byte("&")) {
				opts = append(opts, message.Option{ID: message.URIQuery, Value: q})
			}
		}
	}
	return encode(message.Message{Type: message.Confirmable, Code: codes.GET, Token: make([]byte, tokenLen), Options: opts})
}

func encode(m message.Message) ([]byte, error) {
	size, err := coder.DefaultCoder.Size(m)
	if err != nil {
		return nil, err
	}
	b := make([]byte, size)
	n, err := coder.DefaultCoder.Encode(m, b)
	return b[:n], err
}

// login POSTs the client's token to /sessions on its own socket.
func (c *loadClient) login() error {
	if c.target.Token == "" {
		return nil
	}
	c.mid++
	req, err := encode(message.Message{Type: message.Confirmable, Code: codes.POST, MessageID: int32(c.mid), Token: []byte{0x10, 0x61},
		Options: message.Options{{ID: message.URIPath, Value: []byte("sessions")}}, Payload: []byte(c.target.Token)})
	if err != nil {
		return err
	}
	for attempt := 0; attempt < 3; attempt++ {
		if _, err := c.sock.Write(req); err != nil {
			return err
		}
		m, err := c.read(time.Now().Add(c.timeout), func(m *message.Message) bool { return bytes.Equal(m.Token, []byte{0x10, 0x61}) })
		if errors.Is(err, errTimeout) {
			continue
		}
		if err != nil {
			return err
		}
		if m.Code != codes.Created {
			return fmt.Errorf("login refused with %d.%02d: %s", m.Code>>5, m.Code&0x1f, m.Payload)
		}
		return nil
	}
	return errors.New("login: the gateway did not answer")
}

// logout ends the client's gateway session (DELETE /sessions), so that a run leaves none
// behind; it waits briefly and ignores failures.
func (c *loadClient) logout() {
	if c.target.Token == "" {
		return
	}
	c.mid++
	req, err := encode(message.Message{Type: message.Confirmable, Code: codes.DELETE, MessageID: int32(c.mid), Token: []byte{0x10, 0x62},
		Options: message.Options{{ID: message.URIPath, Value: []byte("sessions")}}})
	if err != nil {
		return
	}
	if _, err := c.sock.Write(req); err == nil {
		_, _ = c.read(time.Now().Add(500*time.Millisecond), func(m *message.Message) bool { return bytes.Equal(m.Token, []byte{0x10, 0x62}) })
	}
}

var errTimeout = errors.New("timeout")

// pause waits a little after a socket error, or until the run ends.
func pause(ctx context.Context) {
	select {
	case <-time.After(10 * time.Millisecond):
	case <-ctx.Done():
	}
}

// read returns the first message that matches; confirmable messages are acknowledged.
func (c *loadClient) read(deadline time.Time, match func(*message.Message) bool) (*message.Message, error) {
	_ = c.sock.SetReadDeadline(deadline)
	for {
		n, err := c.sock.Read(c.buf)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return nil, errTimeout
			}
			return nil, err
		}
		c.decoded.Options = c.decoded.Options[:0]
		if _, err := coder.DefaultCoder.Decode(c.buf[:n], &c.decoded); err != nil {
			continue
		}
		m := &c.decoded
		if m.Type == message.Confirmable {
			// A separate response: acknowledge it, as a client must.
			ack := []byte{0x60, 0x00, byte(m.MessageID >> 8), byte(m.MessageID)}
			_, _ = c.sock.Write(ack)
		}
		if match(m) {
			return m, nil
		}
	}
}

func (c *loadClient) loop(ctx context.Context, answered *atomic.Uint64) {
	end, _ := ctx.Deadline()
	next := time.Now()
	if c.period > 0 {
		// Spread the clients' first requests over one period.
		next = next.Add(c.period * time.Duration(c.mid) / 65536) // c.mid starts random
	}
	for ctx.Err() == nil {
		if c.period > 0 {
			if wait := time.Until(next); wait > 0 {
				select {
				case <-time.After(wait):
				case <-ctx.Done():
					return
				}
			}
			next = next.Add(c.period)
		}
		c.mid++
		c.seq++
		binary.BigEndian.PutUint16(c.request[c.midAt:], c.mid)
		binary.BigEndian.PutUint32(c.request[c.tokenAt:], c.seq)
		token := c.request[c.tokenAt : c.tokenAt+tokenLen]
		mid := c.mid
		start := time.Now()
		if _, err := c.sock.Write(c.request); err != nil {
			c.errors++
			pause(ctx) // a socket error repeats: do not spin on it
			continue
		}
		deadline := start.Add(c.timeout)
		if !end.IsZero() && end.Before(deadline) {
			deadline = end
		}
		m, err := c.read(deadline, func(m *message.Message) bool {
			// The piggybacked answer matches the message ID; a separate one the token. An
			// empty ACK only promises a separate answer.
			if m.Code == codes.Empty {
				return false
			}
			return bytes.Equal(m.Token, token) && (m.Type != message.Acknowledgement || uint16(m.MessageID) == mid)
		})
		switch {
		case err != nil:
			// A read cut short by the end of the run is not a timeout (ctx may not say so yet).
			if ctx.Err() != nil || (!end.IsZero() && !time.Now().Before(end)) {
				return
			}
			c.timeouts++
			if !errors.Is(err, errTimeout) {
				pause(ctx) // e.g. "connection refused": nobody listens; do not spin
			}
		case m.Code >= codes.Created && m.Code < codes.BadRequest:
			c.ok++
			c.latencies = append(c.latencies, time.Since(start))
			answered.Add(1)
		default:
			c.errors++
		}
	}
}
