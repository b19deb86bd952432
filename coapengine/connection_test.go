package coapengine

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/coap-workbench/coap-workbench/gatewaylite"
	"github.com/coap-workbench/coap-workbench/gatewaylite/mesh"
	"github.com/coap-workbench/coap-workbench/internal/testwait"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
)

func TestRequestThroughTheGatewayInBothProxyForms(t *testing.T) {
	b := startTestbed(t, nil)
	for _, form := range []ProxyForm{ProxyURIForm, ProxySchemeForm} {
		rec := &recorder{}
		c := b.connect(t, rec, func(p *Profile) { p.Form = form })
		x, err := c.Do(ctx10s(t), NewRequest(codes.GET, seedURI("/sys/stats?mod=pwr")))
		if err != nil {
			t.Fatal(err)
		}
		var p ssn.PowerStats
		if x.Code() != codes.Content || p.UnmarshalBinary(x.Response.Payload) != nil {
			t.Fatalf("form %d: %v %x", form, x.Code(), x.Response.Payload)
		}
		if x.AnsweredBy != AnsweredByDevice || x.Device != seedHost || x.Path != "/sys/stats?mod=pwr" || x.RTT <= 0 || x.Explanation != "" {
			t.Fatalf("form %d: exchange %+v", form, x)
		}
		_, proxyURI := x.Request.Option(message.ProxyURI)
		_, proxyScheme := x.Request.Option(message.ProxyScheme)
		if proxyURI != (form == ProxyURIForm) || proxyScheme != (form == ProxySchemeForm) {
			t.Fatalf("form %d sent Proxy-Uri %v Proxy-Scheme %v", form, proxyURI, proxyScheme)
		}
		if rec.count() < 2 || !rec.hasEvent(EventLoggedIn) {
			t.Fatalf("recorded %d exchanges, events %+v", rec.count(), rec.events)
		}
	}
}

func TestTheGatewaysOwnAnswersAreAttributedAndExplained(t *testing.T) {
	b := startTestbed(t, func(c *gatewaylite.Config) { c.UpstreamTimeout = 300 * time.Millisecond })
	b.mesh.Devices()[1].SetLinkFaults(mesh.LinkFaults{Offline: true})
	c := b.connect(t, nil, nil)
	cases := []struct {
		uri  string
		code codes.Code
		by   Answerer
		says string
	}{
		{"coap://SSN00AA00AA00AA00AA.sim.starfish.test:4849/", codes.BadGateway, AnsweredByGateway, "cannot reach that device"},
		{"coap://" + b.mesh.Devices()[1].Name + ":4849/", codes.GatewayTimeout, AnsweredByGateway, "did not answer the gateway"},
		{seedURI("/dummy"), codes.NotImplemented, AnsweredByDevice, "does not implement"},
		{seedURI("/snsr/nothing"), codes.NotFound, AnsweredByDevice, "No such resource"},
	}
	for _, tc := range cases {
		x, err := c.Do(ctx10s(t), NewRequest(codes.GET, tc.uri))
		if err != nil {
			t.Fatal(err)
		}
		if x.Code() != tc.code || x.AnsweredBy != tc.by || !strings.Contains(x.Explanation, tc.says) {
			t.Errorf("%s: %v by %s: %q", tc.uri, x.Code(), x.AnsweredBy, x.Explanation)
		}
	}
	// The gateway's own resources are the gateway's, and are not proxied.
	x, err := c.Do(ctx10s(t), NewRequest(codes.GET, "coap://"+b.gw.Addr().String()+"/help"))
	if err != nil || x.Code() != codes.Content || x.AnsweredBy != AnsweredByGateway || !strings.Contains(string(x.Response.Payload), "To login") {
		t.Fatalf("/help: %+v %v", x, err)
	}
}

func TestWithoutRenewableTokenA401SaysLogInAgain(t *testing.T) {
	b := startTestbed(t, nil)
	tok, _ := b.gw.IssueToken("dev", time.Hour)
	c := b.connect(t, nil, func(p *Profile) { p.Tokens = PastedToken(tok.Raw) })
	if st := c.Status(); !st.LoggedIn || st.TokenExpires.Sub(tok.ExpiresAt).Abs() > time.Second {
		t.Fatalf("status %+v", st)
	}
	b.gw.Sessions().Logout(clientAddr(c))
	x, err := c.Do(ctx10s(t), NewRequest(codes.GET, seedURI("/")))
	if !errors.Is(err, ErrLoginNeeded) || x.Code() != codes.Unauthorized || !strings.Contains(err.Error(), "log in again") {
		t.Fatalf("got %v %v", x.Code(), err)
	}
	if c.Status().LoggedIn {
		t.Fatal("still shown as logged in after a 4.01")
	}
}

func TestA401IsCuredByLoggingInAgainAndRetryingOnce(t *testing.T) {
	b := startTestbed(t, nil)
	rec := &recorder{}
	c := b.connect(t, rec, nil)
	b.gw.Sessions().Logout(clientAddr(c)) // the gateway forgets the session
	x, err := c.Do(ctx10s(t), NewRequest(codes.GET, seedURI("/")))
	if err != nil || x.Code() != codes.Content || !x.Retried {
		t.Fatalf("got %v retried %v: %v", x.Code(), x.Retried, err)
	}
	if !rec.hasEvent(EventReauthenticated) {
		t.Fatalf("events %+v", rec.events)
	}
}

func TestSessionClosedByTheGatewayIsReopened(t *testing.T) {
	b := startTestbed(t, func(c *gatewaylite.Config) { c.MaxSessionIdle = time.Hour; c.SessionGrace = time.Minute })
	rec := &recorder{}
	c := b.connect(t, rec, nil)
	b.Clock.Advance(2 * time.Hour)
	b.gw.ExpireIdleSessions() // the NON 5.03 goes to the client
	testwait.For(t, "the client to hear that its session closed", func() bool { return rec.hasEvent(EventSessionClosed) })
	testwait.For(t, "the client to log in again", func() bool { return rec.hasEvent(EventReauthenticated) })
	if b.gw.Sessions().Lookup(clientAddr(c)) == nil {
		t.Fatal("no session at the gateway after the re-login")
	}
}

func TestTokenURLSource(t *testing.T) {
	b := startTestbed(t, nil)
	secret := devSecret(t, b)
	c := b.connect(t, nil, func(p *Profile) {
		p.Tokens = TokenURL{URL: b.gw.TokenEndpoint(), ClientID: "dev", ClientSecret: secret}
	})
	if x, err := c.Do(ctx10s(t), NewRequest(codes.GET, seedURI("/"))); err != nil || !x.OK() {
		t.Fatalf("%v %v", x.Code(), err)
	}
	bad := TokenURL{URL: b.gw.TokenEndpoint(), ClientID: "dev", ClientSecret: "wrong"}
	if _, err := bad.Token(t.Context()); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("wrong secret: %v", err)
	}
}

func TestSeveralProfilesAtOnce(t *testing.T) {
	one, two := startTestbed(t, nil), startTestbed(t, nil)
	a := one.connect(t, nil, func(p *Profile) { p.Name = "one" })
	b := two.connect(t, nil, func(p *Profile) { p.Name = "two" })
	for _, c := range []*Connection{a, b} {
		if x, err := c.Do(ctx10s(t), NewRequest(codes.GET, seedURI("/"))); err != nil || !x.OK() || x.Profile != c.Profile().Name {
			t.Fatalf("%s: %v %v", c.Profile().Name, x.Code(), err)
		}
	}
}

func TestManyRequestsInFlightOnOneSocket(t *testing.T) {
	b := startTestbed(t, nil)
	b.mesh.Devices()[0].SetLinkFaults(mesh.LinkFaults{Delay: 200 * time.Millisecond})
	c := b.connect(t, nil, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	start := time.Now()
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x, err := c.Do(ctx10s(t), NewRequest(codes.GET, seedURI("/")))
			if err == nil && !x.OK() {
				err = fmt.Errorf("request %d: %v", i, x.Code())
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// 64 requests to a device 200 ms away, 16 outstanding at once: four rounds, not 64.
	if elapsed := time.Since(start); elapsed > 6*time.Second {
		t.Fatalf("64 concurrent requests took %v: they were serialised", elapsed)
	}
}

func TestRetransmissionsAreCounted(t *testing.T) {
	b := startTestbed(t, func(c *gatewaylite.Config) { c.UpstreamTimeout = 10 * time.Second })
	b.mesh.Devices()[0].SetLinkFaults(mesh.LinkFaults{Delay: 3500 * time.Millisecond})
	c := b.connect(t, nil, nil)
	x, err := c.Do(ctx10s(t), NewRequest(codes.GET, seedURI("/")))
	if err != nil || !x.OK() {
		t.Fatalf("%v %v", x.Code(), err)
	}
	// The gateway answers only when the device does, 3.5 s later: the client sent its CON
	// again after 2-3 s.
	if x.Retransmissions < 1 {
		t.Fatalf("retransmissions %d after %v", x.Retransmissions, x.RTT)
	}
}

func TestBlockwiseBothWays(t *testing.T) {
	b := startTestbed(t, nil)
	c := b.connect(t, nil, nil)
	whole, err := c.Do(ctx10s(t), NewRequest(codes.GET, seedURI("/.well-known/core")))
	if err != nil {
		t.Fatal(err)
	}
	req := NewRequest(codes.GET, seedURI("/.well-known/core"))
	req.BlockSize = 128
	blocked, err := c.Do(ctx10s(t), req)
	if err != nil || !bytes.Equal(blocked.Response.Payload, whole.Response.Payload) {
		t.Fatalf("128-byte blocks: %v, %d bytes vs %d", err, len(blocked.Response.Payload), len(whole.Response.Payload))
	}
	if want := (len(whole.Response.Payload) + 127) / 128; blocked.Blocks < want {
		t.Fatalf("blocks %d, want at least %d", blocked.Blocks, want)
	}
	up := NewRequest(codes.POST, "coap://"+b.gw.Addr().String()+"/echo")
	up.Payload = bytes.Repeat([]byte("0123456789"), 30)
	up.ContentFormat = 0
	up.BlockSize = 64
	echo, err := c.Do(ctx10s(t), up)
	if err != nil || !bytes.Equal(echo.Response.Payload, up.Payload) || echo.Blocks < 5 {
		t.Fatalf("Block1 upload: %v, %d bytes back, %d blocks", err, len(echo.Response.Payload), echo.Blocks)
	}
}

func TestNonConfirmableRequest(t *testing.T) {
	b := startTestbed(t, nil)
	c := b.connect(t, nil, nil)
	req := NewRequest(codes.GET, seedURI("/"))
	req.NonConfirmable = true
	x, err := c.Do(ctx10s(t), req)
	if err != nil || !x.OK() || x.Request.Type != "NON" || x.Response.Type != "NON" {
		t.Fatalf("%+v %v", x, err)
	}
}

func TestDirectToAPlainServer(t *testing.T) {
	b := startTestbed(t, nil)
	c, err := Dial(t.Context(), Profile{Name: "direct"}, Hooks{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	d := b.mesh.Devices()[0]
	x, err := c.Do(ctx10s(t), NewRequest(codes.GET, "coap://"+d.Addr().String()+"/sys/stats?mod=pwr"))
	if err != nil || !x.OK() || x.AnsweredBy != AnsweredByServer {
		t.Fatalf("%+v %v", x, err)
	}
	if _, err := c.Do(ctx10s(t), NewRequest(codes.GET, seedURI("/"))); err == nil {
		t.Fatal("a device name resolved without a gateway")
	}
}

func TestFixedLocalPortAndItsConflict(t *testing.T) {
	b := startTestbed(t, nil)
	first := b.connect(t, nil, nil)
	port := int(first.LocalAddr().Port())
	_, err := Dial(t.Context(), Profile{Gateway: b.gw.Addr().String(), LocalPort: port}, Hooks{}, nil)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("local port %d", port)) {
		t.Fatalf("got %v", err)
	}
}

func TestInvalidRequestsAreExplained(t *testing.T) {
	for name, req := range map[string]Request{
		"http":       NewRequest(codes.GET, "http://x/"),
		"no host":    NewRequest(codes.GET, "coap:///x"),
		"bad port":   NewRequest(codes.GET, "coap://x:70000/"),
		"block 100":  {Method: codes.GET, URI: "coap://x/", BlockSize: 100},
		"long token": {Method: codes.GET, URI: "coap://x/", Token: make([]byte, 9)},
		"no method":  {URI: "coap://x/"},
		"bad accept": {Method: codes.GET, URI: "coap://x/", Accept: 70000},
	} {
		if err := req.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestAGetWithAPayloadIsValidAsCoapClientSendsOne(t *testing.T) {
	if err := (Request{Method: codes.GET, URI: "coap://x/", Payload: []byte("x")}).Validate(); err != nil {
		t.Fatalf("refused: %v", err)
	}
}

func TestTheHistoryNeverHoldsALoginsToken(t *testing.T) {
	b := startTestbed(t, nil)
	rec := &recorder{}
	c := b.connect(t, rec, nil)
	if err := c.Login(ctx10s(t)); err != nil {
		t.Fatal(err)
	}
	// A login composed by hand is withheld too.
	tok, err := b.issuer().Token(ctx10s(t))
	if err != nil {
		t.Fatal(err)
	}
	req := NewRequest(codes.POST, "coap://"+b.gw.Addr().String()+"/sessions?sticky=true")
	req.Payload = []byte(tok.Raw)
	if x, err := c.Do(ctx10s(t), req); err != nil || x.Code() != codes.Created {
		t.Fatalf("hand-made login: %v %v", x.Code(), err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	logins := 0
	for _, x := range rec.exchanges {
		if strings.HasPrefix(x.Path, "/sessions") && x.Method() == codes.POST {
			logins++
			if string(x.Request.Payload) != WithheldToken {
				t.Fatalf("a login was recorded with its payload %q", x.Request.Payload)
			}
		}
	}
	if logins < 2 {
		t.Fatalf("%d logins recorded, want at least 2", logins)
	}
}
