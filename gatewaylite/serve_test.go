package gatewaylite

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/coap-workbench/coap-workbench/gatewaylite/auth"
	"github.com/coap-workbench/coap-workbench/gatewaylite/auth/authtest"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/udp/client"
)

func TestGatewayResources(t *testing.T) {
	g := startGateway(t, nil)
	cc := g.dial(t)
	ctx := timeout(t, 5*time.Second)

	resp, err := cc.Get(ctx, "/help")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := resp.ReadBody()
	if resp.Code() != codes.Content || string(body) != HelpText {
		t.Fatalf("/help: %v %q", resp.Code(), body)
	}
	if lines := strings.Split(string(body), "\n"); len(lines) != 4 || !strings.Contains(lines[1], "&sticky=true") {
		t.Fatalf("/help must be the seed's four lines: %q", lines)
	}

	resp, err = cc.Post(ctx, "/echo", message.AppJSON, bytes.NewReader([]byte(`{"a":1}`)))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = resp.ReadBody()
	cf, _ := resp.ContentFormat()
	if resp.Code() != codes.Content || string(body) != `{"a":1}` || cf != message.AppJSON {
		t.Fatalf("/echo: %v %q cf %v", resp.Code(), body, cf)
	}

	resp, err = cc.Get(ctx, "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = resp.ReadBody()
	if resp.Code() != codes.Content || !strings.Contains(string(body), "gateway-lite") || !strings.Contains(string(body), "5 devices") {
		t.Fatalf("/: %v %q", resp.Code(), body)
	}

	resp, err = cc.Get(ctx, "/.well-known/core")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = resp.ReadBody()
	cf, _ = resp.ContentFormat()
	for _, want := range []string{"</sessions>", "</help>", "</echo>", `proxy="coap"`, "35,39"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("well-known lacks %q: %s", want, body)
		}
	}
	if cf != message.AppLinkFormat {
		t.Errorf("well-known content format %v", cf)
	}

	if resp, _ := cc.Get(ctx, "/nothing"); resp.Code() != codes.NotFound {
		t.Errorf("unknown resource: %v", resp.Code())
	}
	if resp, _ := cc.Delete(ctx, "/help"); resp.Code() != codes.MethodNotAllowed {
		t.Errorf("DELETE /help: %v", resp.Code())
	}
}

func TestLoginLogout(t *testing.T) {
	g := startGateway(t, nil)
	cc := g.dial(t)
	code, body := login(t, cc, g.token(t))
	if code != codes.Created || !strings.Contains(body, "account dev") {
		t.Fatalf("login: %v %s", code, body)
	}
	if g.Sessions().Count() != 1 {
		t.Fatalf("sessions %d", g.Sessions().Count())
	}
	if code, _ := proxyGet(t, cc, seedURI("/")); code != codes.Content {
		t.Fatalf("request in session: %v", code)
	}
	ctx := timeout(t, 5*time.Second)
	resp, err := cc.Delete(ctx, "/sessions")
	if err != nil || resp.Code() != codes.Deleted {
		t.Fatalf("logout: %v %v", resp.Code(), err)
	}
	resp, err = cc.Delete(ctx, "/sessions")
	if err != nil || resp.Code() != codes.PreconditionFailed {
		t.Fatalf("second logout: %v %v", resp.Code(), err)
	}
	if code, body := proxyGet(t, cc, seedURI("/")); code != codes.Unauthorized || !strings.Contains(string(body), "re-authenticate") {
		t.Fatalf("after logout: %v %s", code, body)
	}
}

func TestEveryBadTokenGets401WithItsReason(t *testing.T) {
	g := startGateway(t, nil)
	key, err := auth.LoadOrCreateSigningKey(g.Config().DataDir)
	if err != nil {
		t.Fatal(err)
	}
	cc := g.dial(t)
	for _, bad := range authtest.BadTokens(key, "dev") {
		code, body := login(t, cc, bad.Raw)
		if code != codes.Unauthorized || !strings.Contains(body, bad.Reason) {
			t.Errorf("%s: %v %q, want 4.01 saying %q", bad.Name, code, body, bad.Reason)
		}
	}
	if code, _ := login(t, cc, ""); code != codes.Unauthorized {
		t.Errorf("empty token: %v", code)
	}
	// A valid signature for an account the gateway does not have.
	tok, _ := auth.NewTokenAuthority(key, nil).Issue("stranger", time.Hour)
	if code, body := login(t, cc, tok.Raw); code != codes.Unauthorized || !strings.Contains(body, "stranger") {
		t.Errorf("unknown account: %v %s", code, body)
	}
	if g.Sessions().Count() != 0 {
		t.Fatalf("a bad token made a session")
	}
}

func TestSessionIsBoundToItsSocket(t *testing.T) {
	g := startGateway(t, nil)
	g.loggedIn(t)
	other := g.dial(t)
	if code, _ := proxyGet(t, other, seedURI("/")); code != codes.Unauthorized {
		t.Fatalf("another socket used the session: %v", code)
	}
}

func TestEleventhSessionIsRefusedAndTheTenKeepWorking(t *testing.T) {
	g := startGateway(t, nil)
	token := g.token(t)
	var clients []*client.Conn
	for range 10 {
		cc := g.dial(t)
		if code, body := login(t, cc, token); code != codes.Created {
			t.Fatalf("login: %v %s", code, body)
		}
		clients = append(clients, cc)
	}
	eleventh := g.dial(t)
	code, body := login(t, eleventh, token)
	if code != codes.Forbidden || !strings.Contains(body, "10 sessions") {
		t.Fatalf("11th: %v %q", code, body)
	}
	// Re-login from a socket that has a session replaces it: same count, accepted.
	if code, body := login(t, clients[3], token); code != codes.Created || !strings.Contains(body, "replaced") {
		t.Fatalf("re-login: %v %s", code, body)
	}
	if g.Sessions().Count() != 10 {
		t.Fatalf("sessions %d", g.Sessions().Count())
	}
	for i, cc := range clients {
		if code, _ := proxyGet(t, cc, seedURI("/")); code != codes.Content {
			t.Fatalf("client %d after the refusal: %v", i, code)
		}
	}
}

func TestStickySessionMovesToTheNewSocket(t *testing.T) {
	g := startGateway(t, nil)
	token := g.token(t)
	first := g.dial(t)
	if code, _ := login(t, first, token, "sticky=true"); code != codes.Created {
		t.Fatal(code)
	}
	plain := g.dial(t)
	if code, _ := login(t, plain, token); code != codes.Created {
		t.Fatal(code)
	}
	second := g.dial(t)
	code, body := login(t, second, token, "x=1", "sticky=true")
	if code != codes.Created || !strings.Contains(body, "moved here from") {
		t.Fatalf("sticky move: %v %s", code, body)
	}
	if g.Sessions().Count() != 2 {
		t.Fatalf("sessions %d, want 2 (the sticky one moved, not copied)", g.Sessions().Count())
	}
	if code, _ := proxyGet(t, second, seedURI("/")); code != codes.Content {
		t.Fatalf("new socket: %v", code)
	}
	if code, _ := proxyGet(t, first, seedURI("/")); code != codes.Unauthorized {
		t.Fatalf("old socket after the move: %v", code)
	}
	if code, _ := proxyGet(t, plain, seedURI("/")); code != codes.Content {
		t.Fatalf("the non-sticky session was disturbed: %v", code)
	}
}

func TestIdleSessionGraceThenNON503Then401(t *testing.T) {
	g := startGateway(t, func(c *Config) { c.MaxSessionIdle = time.Hour; c.SessionGrace = 10 * time.Minute })
	raw := g.raw(t)
	raw.login(g.token(t))
	session := g.Sessions().Lookup(raw.addr())

	g.clock.Advance(59 * time.Minute)
	g.ExpireIdleSessions()
	if g.Sessions().State(session) != SessionActive {
		t.Fatal("not active before the idle time")
	}
	g.clock.Advance(2 * time.Minute)
	g.ExpireIdleSessions()
	if g.Sessions().Count() != 1 || g.Sessions().State(session) != SessionGrace {
		t.Fatal("a session idle past the maximum must be in grace, not gone")
	}
	// Traffic during grace revives it.
	raw.send(message.Message{Type: message.Confirmable, Code: codes.GET, Token: []byte{1}, Options: message.Options{proxyURIOption(seedURI("/"))}})
	if m := raw.recv(3 * time.Second); m.Code != codes.Content {
		t.Fatalf("request in grace: %v", m.Code)
	}
	if g.Sessions().State(session) != SessionActive {
		t.Fatal("traffic did not revive the session")
	}
	g.clock.Advance(time.Hour + 11*time.Minute)
	g.ExpireIdleSessions()
	closed := raw.recv(3 * time.Second)
	if closed.Type != message.NonConfirmable || closed.Code != codes.ServiceUnavailable || !strings.Contains(string(closed.Payload), "log in again") {
		t.Fatalf("want NON 5.03, got %v %v %q", closed.Type, closed.Code, closed.Payload)
	}
	raw.send(message.Message{Type: message.Confirmable, Code: codes.GET, Token: []byte{2}, Options: message.Options{proxyURIOption(seedURI("/"))}})
	if m := raw.recv(3 * time.Second); m.Code != codes.Unauthorized {
		t.Fatalf("after expiry: %v", m.Code)
	}
}

func TestMalformedDatagramsDoNotStopTheGateway(t *testing.T) {
	g := startGateway(t, nil)
	raw := g.raw(t)
	for _, garbage := range [][]byte{
		{}, {0xFF}, {0x40}, {0x40, 0x01},
		{0x48, 0x01, 0x00, 0x01, 0xAA},             // token length 8, 1 byte present
		{0x40, 0x01, 0x00, 0x02, 0xFF},             // payload marker without payload
		{0x40, 0x01, 0x00, 0x03, 0xF0},             // reserved option delta 15
		{0x80, 0x01, 0x00, 0x04},                   // version 2
		bytes.Repeat([]byte{0x41}, 1500),           // noise
		{0x40, 0x01, 0x00, 0x05, 0xBD, 0xFF, 0x01}, // option length runs off the end
	} {
		raw.sendBytes(garbage)
	}
	cc := g.dial(t)
	resp, err := cc.Get(timeout(t, 5*time.Second), "/help")
	if err != nil || resp.Code() != codes.Content {
		t.Fatalf("gateway stopped answering: %v %v", resp, err)
	}
}

func TestTokenFromTheHTTPEndpointOpensASession(t *testing.T) {
	g := startGateway(t, nil)
	secret, err := readDevSecret(g.Config().DataDir)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := fetchToken(g.TokenEndpoint(), "dev", secret)
	if err != nil {
		t.Fatal(err)
	}
	cc := g.dial(t)
	if code, body := login(t, cc, tok); code != codes.Created {
		t.Fatalf("login with fetched token: %v %s", code, body)
	}
	if _, err := fetchToken(g.TokenEndpoint(), "dev", "wrong"); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("wrong secret: %v", err)
	}
}

func TestSecondGatewayOnTheSamePortSaysSo(t *testing.T) {
	g := startGateway(t, nil)
	_, err := Start(t.Context(), Config{Listen: g.Addr().String(), TokenListen: "off", DataDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "another gateway running") {
		t.Fatalf("got %v", err)
	}
}

func TestCorruptConfigIsReportedAndKept(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ConfigFile)
	for _, bad := range []string{`{"accounts": [`, `{"accounts": [{"id": ""}]}`, `{"hosts": {"x": "not an address"}}`, `{"acounts": []}`} {
		if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Start(t.Context(), Config{Listen: "127.0.0.1:0", TokenListen: "off", DataDir: dir})
		if err == nil || !strings.Contains(err.Error(), ConfigFile) {
			t.Errorf("%s: got %v", bad, err)
		}
		if kept, _ := os.ReadFile(path); string(kept) != bad {
			t.Errorf("%s: the file was changed", bad)
		}
	}
}

func TestEventsPutThroughTheGateway(t *testing.T) {
	g := startGateway(t, nil)
	cc := g.loggedIn(t)
	tamper, _ := ssn.EventTamper.MarshalBinary()
	if resp, _ := proxy(t, cc, codes.PUT, seedURI("/snsr/sys/event"), tamper); resp.Code() != codes.Changed {
		t.Fatalf("tamper event: %v", resp.Code())
	}
	if events := g.mesh.Devices()[0].Events(); len(events) != 1 || events[0].Event != ssn.EventTamper {
		t.Fatalf("events %v", events)
	}
	for name, payload := range map[string][]byte{"2 bytes": {4, 0}, "unknown event": {9, 0, 0, 0}} {
		if resp, body := proxy(t, cc, codes.PUT, seedURI("/snsr/sys/event"), payload); resp.Code() != codes.BadRequest {
			t.Errorf("%s: %v %s", name, resp.Code(), body)
		}
	}
}
