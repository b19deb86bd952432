// Package workbench ties the engine together for the GUI and the headless commands: the
// connections of several profiles at once, the history every exchange is recorded in, the
// decoders, and the fan-out of exchanges and events to whoever shows them.
package workbench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/decode"
	"github.com/coap-workbench/coap-workbench/coapengine/history"
)

// Options configure a workbench.
type Options struct {
	// DataDir holds the history (history.db).
	DataDir string
	// NoHistory runs without recording anything.
	NoHistory bool
	History   history.Options
	Logger    *slog.Logger
}

// Workbench is the engine in use.
type Workbench struct {
	logger   *slog.Logger
	decoders *decode.Registry
	history  *history.Store // nil without a history
	notice   string

	mu    sync.Mutex
	conns map[string]*coapengine.Connection

	subsMu    sync.Mutex
	nextSub   int
	exchanges map[int]func(coapengine.Exchange)
	events    map[int]func(coapengine.Event)
}

// Open starts a workbench. It never fails for the history's sake: when the history cannot
// be opened (another workbench holds it, or its directory cannot be written), the
// workbench runs without one and HistoryNotice says why; a corrupt history is moved aside
// and HistoryNotice says where.
func Open(opts Options) *Workbench {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.History.Decoders == nil {
		opts.History.Decoders = decode.NewRegistry()
	}
	if opts.History.Logger == nil {
		opts.History.Logger = opts.Logger
	}
	w := &Workbench{
		logger: opts.Logger, decoders: opts.History.Decoders,
		conns: map[string]*coapengine.Connection{}, exchanges: map[int]func(coapengine.Exchange){}, events: map[int]func(coapengine.Event){},
	}
	if !opts.NoHistory {
		store, notice, err := history.Open(opts.DataDir, opts.History)
		w.history, w.notice = store, notice
		if err != nil {
			w.notice = "Running without history, so nothing is recorded: " + err.Error()
		}
	}
	return w
}

// History is the history, or nil when the workbench runs without one.
func (w *Workbench) History() *history.Store { return w.history }

// HistoryNotice says what happened to the history on opening ("" when all went well).
func (w *Workbench) HistoryNotice() string { return w.notice }

// Decoders is the decoder registry.
func (w *Workbench) Decoders() *decode.Registry { return w.decoders }

// ErrAlreadyConnected is returned when a profile of that name is connected.
var ErrAlreadyConnected = errors.New("a profile of that name is already connected")

// Connect opens a connection for the profile and, when it has a gateway and a token source,
// logs in. Several profiles can be connected at once; names must differ.
func (w *Workbench) Connect(ctx context.Context, p coapengine.Profile) (*coapengine.Connection, error) {
	if p.Name == "" {
		p.Name = "default"
	}
	w.mu.Lock()
	_, taken := w.conns[p.Name]
	w.mu.Unlock()
	if taken {
		return nil, fmt.Errorf("profile %q: %w", p.Name, ErrAlreadyConnected)
	}
	// ctx bounds the connecting; the connection lives until Disconnect or Close.
	c, err := coapengine.Dial(context.WithoutCancel(ctx), p, coapengine.Hooks{Exchange: w.recordExchange, Event: w.publishEvent}, w.logger)
	if err != nil {
		return nil, err
	}
	if c.ViaGateway() && p.Tokens != nil {
		if err := c.Login(ctx); err != nil {
			c.Close()
			return nil, err
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, taken := w.conns[p.Name]; taken {
		c.Close()
		return nil, fmt.Errorf("profile %q: %w", p.Name, ErrAlreadyConnected)
	}
	w.conns[p.Name] = c
	return c, nil
}

// Connection returns the connected profile called name.
func (w *Workbench) Connection(name string) (*coapengine.Connection, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	c, ok := w.conns[name]
	return c, ok
}

// Connections lists the connected profiles by name.
func (w *Workbench) Connections() []*coapengine.Connection {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]*coapengine.Connection, 0, len(w.conns))
	for _, c := range w.conns {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Profile().Name < out[j].Profile().Name })
	return out
}

// Disconnect logs the profile out and closes its socket.
func (w *Workbench) Disconnect(name string) error {
	w.mu.Lock()
	c, ok := w.conns[name]
	delete(w.conns, name)
	w.mu.Unlock()
	if !ok {
		return fmt.Errorf("profile %q is not connected", name)
	}
	c.Close()
	return nil
}

// Replay sends the history entry id again through the connection of the profile that sent
// it (or through profile, when not ""), and returns the new exchange.
func (w *Workbench) Replay(ctx context.Context, id uint64, profile string) (coapengine.Exchange, error) {
	if w.history == nil {
		return coapengine.Exchange{}, errors.New("there is no history to replay from: " + w.notice)
	}
	x, err := w.history.Get(id)
	if err != nil {
		return coapengine.Exchange{}, err
	}
	if profile == "" {
		profile = x.Profile
	}
	c, ok := w.Connection(profile)
	if !ok {
		return coapengine.Exchange{}, fmt.Errorf("entry %d was sent with profile %q, which is not connected: connect it, or replay with another profile", id, profile)
	}
	return c.Do(ctx, coapengine.RequestOf(x))
}

// SubscribeExchanges calls fn with every exchange and notification of every connection,
// until the returned function is called. fn must not block; it may call the workbench.
func (w *Workbench) SubscribeExchanges(fn func(coapengine.Exchange)) (cancel func()) {
	w.subsMu.Lock()
	defer w.subsMu.Unlock()
	id := w.nextSub
	w.nextSub++
	w.exchanges[id] = fn
	return func() { w.subsMu.Lock(); delete(w.exchanges, id); w.subsMu.Unlock() }
}

// SubscribeEvents calls fn with every event of every connection (logins, closed sessions,
// re-authentications), until the returned function is called. fn must not block; it may call the workbench.
func (w *Workbench) SubscribeEvents(fn func(coapengine.Event)) (cancel func()) {
	w.subsMu.Lock()
	defer w.subsMu.Unlock()
	id := w.nextSub
	w.nextSub++
	w.events[id] = fn
	return func() { w.subsMu.Lock(); delete(w.events, id); w.subsMu.Unlock() }
}

func (w *Workbench) recordExchange(x coapengine.Exchange) {
	if w.history != nil {
		w.history.Append(x)
	}
	for _, fn := range subscribers(&w.subsMu, w.exchanges) {
		fn(x)
	}
}

func (w *Workbench) publishEvent(e coapengine.Event) {
	for _, fn := range subscribers(&w.subsMu, w.events) {
		fn(e)
	}
}

// subscribers copies the subscribers out under mu, so that they are called without it: a
// subscriber may unsubscribe, subscribe, or cause exchanges and events itself.
func subscribers[F any](mu *sync.Mutex, subs map[int]F) []F {
	mu.Lock()
	defer mu.Unlock()
	out := make([]F, 0, len(subs))
	for _, fn := range subs {
		out = append(out, fn)
	}
	return out
}

// Close logs every profile out, closes the connections, and commits and closes the history.
func (w *Workbench) Close() error {
	w.mu.Lock()
	conns := w.conns
	w.conns = map[string]*coapengine.Connection{}
	w.mu.Unlock()
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() { defer wg.Done(); c.Close() }()
	}
	wg.Wait()
	if w.history != nil {
		return w.history.Close()
	}
	return nil
}
