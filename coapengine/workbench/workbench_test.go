package workbench

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/history"
	"github.com/coap-workbench/coap-workbench/internal/testbed"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
)

func profileFor(name string, bed *testbed.Bed) coapengine.Profile {
	return coapengine.Profile{Name: name, Gateway: bed.Gateway.Addr().String(), Tokens: coapengine.IssuerFunc(func(ctx context.Context) (coapengine.Token, error) {
		raw, exp, err := bed.IssueToken(ctx)
		return coapengine.Token{Raw: raw, ExpiresAt: exp}, err
	})}
}

func ctx10s(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestTwoProfilesAtOnceShareOneHistory(t *testing.T) {
	embedded, remote := testbed.Start(t, nil), testbed.Start(t, nil)
	w := Open(Options{DataDir: t.TempDir()})
	defer w.Close()
	if w.HistoryNotice() != "" || w.History() == nil {
		t.Fatalf("history: %q", w.HistoryNotice())
	}
	var mu sync.Mutex
	var events []coapengine.Event
	var seen []coapengine.Exchange
	stopEvents := w.SubscribeEvents(func(e coapengine.Event) { mu.Lock(); events = append(events, e); mu.Unlock() })
	defer stopEvents()
	stopExchanges := w.SubscribeExchanges(func(x coapengine.Exchange) { mu.Lock(); seen = append(seen, x); mu.Unlock() })

	ctx := ctx10s(t)
	for name, bed := range map[string]*testbed.Bed{"embedded": embedded, "remote": remote} {
		if _, err := w.Connect(ctx, profileFor(name, bed)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Connect(ctx, profileFor("remote", remote)); !errors.Is(err, ErrAlreadyConnected) {
		t.Fatalf("the same name twice: %v", err)
	}
	if got := len(w.Connections()); got != 2 {
		t.Fatalf("%d connections", got)
	}
	for _, name := range []string{"embedded", "remote"} {
		c, _ := w.Connection(name)
		x, err := c.Do(ctx, coapengine.NewRequest(codes.GET, testbed.SeedURI("/.well-known/core")))
		if err != nil || !x.OK() {
			t.Fatalf("%s: %v %v", name, x.Summary(), err)
		}
	}
	if embedded.Gateway.Sessions().Count() != 1 || remote.Gateway.Sessions().Count() != 1 {
		t.Fatal("each gateway should hold one session")
	}
	stopExchanges()
	if err := w.History().Flush(); err != nil {
		t.Fatal(err)
	}
	page, err := w.History().List(ctx, history.Filter{Profile: "remote", PathContains: "/.well-known/core"}, 0, 10)
	if err != nil || len(page.Entries) != 1 || page.Entries[0].Device != testbed.SeedHost {
		t.Fatalf("remote's entries: %+v %v", page.Entries, err)
	}
	mu.Lock()
	if len(events) != 2 || events[0].Kind != coapengine.EventLoggedIn {
		t.Errorf("events %+v", events)
	}
	if len(seen) != 4 { // two logins, two requests
		t.Errorf("subscribers saw %d exchanges", len(seen))
	}
	mu.Unlock()

	if err := w.Disconnect("remote"); err != nil {
		t.Fatal(err)
	}
	if remote.Gateway.Sessions().Count() != 0 {
		t.Fatal("disconnecting did not log out")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if embedded.Gateway.Sessions().Count() != 0 {
		t.Fatal("closing did not log out")
	}
}

// A subscriber may unsubscribe itself, and may act on the workbench from its callback.
func TestSubscribersMayCallTheWorkbench(t *testing.T) {
	bed := testbed.Start(t, nil)
	w := Open(Options{DataDir: t.TempDir()})
	defer w.Close()
	var stop func()
	calls := 0
	stop = w.SubscribeExchanges(func(coapengine.Exchange) { calls++; stop() })
	w.SubscribeExchanges(func(x coapengine.Exchange) {
		if strings.HasSuffix(x.Path, "/.well-known/core") {
			w.Disconnect(x.Profile) // logs out: an exchange and an event, from inside a callback
			w.SubscribeEvents(func(coapengine.Event) {})
		}
	})
	c, err := w.Connect(ctx10s(t), profileFor("lab", bed))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(ctx10s(t), coapengine.NewRequest(codes.GET, testbed.SeedURI("/.well-known/core"))); err != nil {
		t.Fatal(err)
	}
	if calls != 1 || len(w.Connections()) != 0 || bed.Gateway.Sessions().Count() != 0 {
		t.Fatalf("calls %d, connections %d, sessions %d", calls, len(w.Connections()), bed.Gateway.Sessions().Count())
	}
}

func TestReplaySendsTheSameRequestAgain(t *testing.T) {
	bed := testbed.Start(t, nil)
	w := Open(Options{DataDir: t.TempDir()})
	defer w.Close()
	ctx := ctx10s(t)
	c, err := w.Connect(ctx, profileFor("lab", bed))
	if err != nil {
		t.Fatal(err)
	}
	req := coapengine.NewRequest(codes.GET, testbed.SeedURI("/sys/stats?mod=pwr"))
	req.Accept = 42
	req.Options = []message.Option{{ID: message.ETag, Value: []byte{1, 2, 3}}}
	req.BlockSize = 64
	req.Timeout = 7 * time.Second
	first, err := c.Do(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	w.History().Flush()
	page, _ := w.History().List(ctx, history.Filter{PathContains: "mod=pwr"}, 0, 1)
	if len(page.Entries) != 1 {
		t.Fatal("the request was not recorded")
	}
	again, err := w.Replay(ctx, page.Entries[0].ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if again.URI != first.URI || again.Method() != codes.GET || again.BlockSize != 64 || again.Timeout != 7*time.Second || !again.OK() {
		t.Fatalf("replayed %+v", again)
	}
	for _, n := range []message.OptionID{message.Accept, message.ETag, message.ProxyURI} {
		a, _ := first.Request.Option(n)
		b, ok := again.Request.Option(n)
		if !ok || string(a.Value) != string(b.Value) {
			t.Fatalf("option %d: first %x, replay %x", n, a.Value, b.Value)
		}
	}
	if string(first.Request.Token) == string(again.Request.Token) {
		t.Fatal("a replay needs a new token")
	}
	if _, err := w.Replay(ctx, page.Entries[0].ID, "nobody"); err == nil || !strings.Contains(err.Error(), "not connected") {
		t.Fatalf("replay with an unknown profile: %v", err)
	}
	if _, err := w.Replay(ctx, 9999, ""); !errors.Is(err, history.ErrNotFound) {
		t.Fatalf("replay of a missing entry: %v", err)
	}
}

func TestASecondWorkbenchRunsWithoutHistoryAndSaysSo(t *testing.T) {
	bed := testbed.Start(t, nil)
	dir := t.TempDir()
	first := Open(Options{DataDir: dir})
	defer first.Close()
	start := time.Now()
	second := Open(Options{DataDir: dir})
	defer second.Close()
	if second.History() != nil || !strings.Contains(second.HistoryNotice(), "in use by another running workbench") {
		t.Fatalf("notice %q", second.HistoryNotice())
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("opening took %v", took)
	}
	ctx := ctx10s(t)
	c, err := second.Connect(ctx, profileFor("lab", bed))
	if err != nil {
		t.Fatal(err)
	}
	if x, err := c.Do(ctx, coapengine.NewRequest(codes.GET, testbed.SeedURI("/.well-known/core"))); err != nil || !x.OK() {
		t.Fatalf("without history: %v %v", x.Summary(), err)
	}
	if _, err := second.Replay(ctx, 1, ""); err == nil || !strings.Contains(err.Error(), "no history") {
		t.Fatalf("replay without history: %v", err)
	}
}
