package gatewaylite

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/coap-workbench/coap-workbench/gatewaylite/auth"
	"github.com/coap-workbench/coap-workbench/gatewaylite/mesh"
	"github.com/coap-workbench/coap-workbench/gatewaylite/traffic"
	"github.com/coap-workbench/coap-workbench/internal/testwait"
	"github.com/coap-workbench/coap-workbench/internal/udpendpoint"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/message/pool"
	"github.com/plgd-dev/go-coap/v3/net/blockwise"
	"github.com/plgd-dev/go-coap/v3/options"
	"github.com/plgd-dev/go-coap/v3/udp"
)

func TestProxyUriAndProxySchemeReachTheSeedNIC(t *testing.T) {
	g := startGateway(t, nil)
	cc := g.loggedIn(t)
	code, body := proxyGet(t, cc, seedURI("/.well-known/core"))
	if code != codes.Content || !strings.Contains(string(body), "</sys/stats?mod=pwr>") {
		t.Fatalf("Proxy-Uri: %v %s", code, body)
	}
	// Proxy-Scheme + Uri-Host/Uri-Port/Uri-Path/Uri-Query, sent by hand.
	resp, err := cc.Get(timeout(t, 5*time.Second), "/sys/stats",
		message.Option{ID: message.URIHost, Value: []byte(strings.ToLower(seedHost))},
		message.Option{ID: message.URIPort, Value: []byte{0x12, 0xF1}},
		message.Option{ID: message.URIQuery, Value: []byte("mod=pwr")},
		message.Option{ID: message.ProxyScheme, Value: []byte("coap")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ = resp.ReadBody()
	var p ssn.PowerStats
	if resp.Code() != codes.Content || p.UnmarshalBinary(body) != nil {
		t.Fatalf("Proxy-Scheme: %v %x", resp.Code(), body)
	}
	if code, _ := proxyGet(t, cc, seedURI("/dummy")); code != codes.NotImplemented {
		t.Fatalf("/dummy: %v, want the NIC's 5.01", code)
	}
}

func TestEveryMethodIsForwarded(t *testing.T) {
	g := startGateway(t, nil)
	cc := g.loggedIn(t)
	// The NIC names the method in its 5.01 diagnostic: proof the method arrived unchanged.
	for _, method := range []codes.Code{codes.GET, codes.POST, codes.PUT, codes.DELETE, codes.FETCH, codes.PATCH, codes.IPATCH} {
		resp, body := proxy(t, cc, method, seedURI("/dummy"), []byte("x"))
		if resp.Code() != codes.NotImplemented || !strings.Contains(string(body), method.String()+" /dummy") {
			t.Errorf("%v: %v %q", method, resp.Code(), body)
		}
	}
	if resp, _ := proxy(t, cc, codes.PUT, seedURI("/sys/stats?mod=pwr"), nil); resp.Code() != codes.Changed {
		t.Errorf("PUT clear: %v", resp.Code())
	}
	if resp, _ := proxy(t, cc, codes.DELETE, seedURI("/sys/stats?mod=pwr"), nil); resp.Code() != codes.Deleted {
		t.Errorf("DELETE clear: %v", resp.Code())
	}
}

// origin is a CoAP server standing for a real device of the static host table: it records what
// reached it and answers with options of its own.
type origin struct {
	*udpendpoint.Endpoint
	mu   sync.Mutex
	seen []*pool.Message
}

func startOrigin(t *testing.T) *origin {
	t.Helper()
	o := &origin{}
	ep, err := udpendpoint.Listen(t.Context(), "127.0.0.1:0", udpendpoint.Config{Handler: func(w *udpendpoint.ResponseWriter, r *pool.Message) {
		if r.Code() < codes.GET {
			return
		}
		clone := pool.NewMessage(r.Context())
		_ = r.Clone(clone)
		o.mu.Lock()
		o.seen = append(o.seen, clone)
		o.mu.Unlock()
		body, _ := r.ReadBody()
		_ = w.SetResponse(codes.Changed, message.AppCBOR, bytes.NewReader(append([]byte("echo:"), body...)),
			message.Option{ID: message.ETag, Value: []byte{1, 2, 3, 4}},
			message.Option{ID: message.LocationPath, Value: []byte("made")},
			message.Option{ID: message.MaxAge, Value: []byte{30}},
			message.Option{ID: 65001, Value: []byte("custom")})
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ep.Close)
	o.Endpoint = ep
	return o
}

func (o *origin) last() *pool.Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.seen[len(o.seen)-1]
}

// withConfigFile writes gateway.json into the data directory before the gateway starts.
func withConfigFile(t *testing.T, edit func(*FileConfig)) func(*Config) {
	return func(c *Config) {
		cfg, _, err := LoadOrCreateFileConfig(c.DataDir)
		if err != nil {
			t.Fatal(err)
		}
		edit(&cfg)
		b, _ := json.Marshal(cfg)
		if err := os.WriteFile(filepath.Join(c.DataDir, ConfigFile), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func TestStaticHostGetsTypeOptionsAndPayloadUnchanged(t *testing.T) {
	o := startOrigin(t)
	g := startGateway(t, withConfigFile(t, func(c *FileConfig) {
		c.Hosts = map[string]string{"Real-Device.example.net": o.LocalAddr().String()}
	}))
	raw := g.raw(t)
	raw.login(g.token(t))
	raw.send(message.Message{Type: message.NonConfirmable, Code: codes.POST, Token: []byte{7, 7},
		Options: message.Options{
			proxyURIOption("coap://real-device.EXAMPLE.net:4849/a/b?q=1"),
			{ID: message.ContentFormat, Value: []byte{60}},
			{ID: message.IfMatch, Value: []byte{9}},
			{ID: HopLimit, Value: []byte{16}},
		},
		Payload: []byte("hello")})
	resp := raw.recv(5 * time.Second)
	if resp.Type != message.NonConfirmable || resp.Code != codes.Changed || string(resp.Payload) != "echo:hello" {
		t.Fatalf("response: %v %v %q", resp.Type, resp.Code, resp.Payload)
	}
	if !bytes.Equal(resp.Token, []byte{7, 7}) {
		t.Fatalf("token %x", resp.Token)
	}
	for _, id := range []message.OptionID{message.ETag, message.LocationPath, message.MaxAge, message.ContentFormat, 65001} {
		if !resp.Options.HasOption(id) {
			t.Errorf("response lost option %v", id)
		}
	}
	seen := o.last()
	if seen.Type() != message.NonConfirmable {
		t.Errorf("origin got %v, want the client's NON", seen.Type())
	}
	path, _ := seen.Path()
	queries, _ := seen.Queries()
	hop, _ := seen.Options().GetUint32(HopLimit)
	if path != "/a/b" || len(queries) != 1 || queries[0] != "q=1" || hop != 15 || !seen.HasOption(message.IfMatch) || seen.HasOption(message.ProxyURI) {
		t.Errorf("origin got path %q queries %v hop %d options %v", path, queries, hop, seen.Options())
	}
}

func TestGatewayOwnAnswers(t *testing.T) {
	g := startGateway(t, func(c *Config) { c.UpstreamTimeout = 300 * time.Millisecond })
	cc := g.loggedIn(t)
	offline := g.mesh.Devices()[1]
	offline.SetLinkFaults(mesh.LinkFaults{Offline: true})
	cases := []struct {
		name  string
		uri   string
		extra []message.Option
		code  codes.Code
		says  string
	}{
		{"unknown host", "coap://SSN00AA00AA00AA00AA.sim.starfish.test:4849/", nil, codes.BadGateway, "not a device this gateway knows"},
		{"Milli on 5683", "coap://" + seedHost + "/", nil, codes.BadGateway, "only on port 4849"},
		{"offline device", "coap://" + offline.Name + ":4849/", nil, codes.GatewayTimeout, "did not answer within"},
		{"http scheme", "http://" + seedHost + ":4849/", nil, codes.ProxyingNotSupported, "coap:// only"},
		{"relative Proxy-Uri", "/sys", nil, codes.BadRequest, "not absolute"},
		{"fragment", seedURI("/sys#x"), nil, codes.BadRequest, "fragment"},
		{"hop limit 1", seedURI("/"), []message.Option{{ID: HopLimit, Value: []byte{1}}}, HopLimitReached, "hop limit"},
	}
	for _, c := range cases {
		code, body := proxyGet(t, cc, c.uri, c.extra...)
		if code != c.code || !strings.Contains(string(body), c.says) {
			t.Errorf("%s: %v %q, want %v saying %q", c.name, code, body, c.code, c.says)
		}
	}
	if code, _ := proxyGet(t, cc, seedURI("/"), message.Option{ID: HopLimit, Value: []byte{2}}); code != codes.Content {
		t.Errorf("hop limit 2: %v", code)
	}
}

func TestAccountWithoutPermissionGets401(t *testing.T) {
	g := startGateway(t, withConfigFile(t, func(c *FileConfig) {
		c.Accounts = append(c.Accounts, auth.Account{ID: "ops", Devices: []string{"SSN001350050005*"}})
	}))
	tok, err := g.IssueToken("ops", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cc := g.dial(t)
	if code, _ := login(t, cc, tok.Raw); code != codes.Created {
		t.Fatal(code)
	}
	if code, _ := proxyGet(t, cc, seedURI("/")); code != codes.Content {
		t.Fatalf("permitted device: %v", code)
	}
	other := g.mesh.Devices()[2].Name
	if code, body := proxyGet(t, cc, "coap://"+other+":4849/"); code != codes.Unauthorized || !strings.Contains(string(body), "no permission") {
		t.Fatalf("forbidden device: %v %s", code, body)
	}
}

// A device that never answers holds up neither other clients nor the same client's requests
// to other devices.
func TestSilentDeviceBlocksNobody(t *testing.T) {
	g := startGateway(t, func(c *Config) { c.UpstreamTimeout = 20 * time.Second })
	silent := g.mesh.Devices()[1]
	silent.SetLinkFaults(mesh.LinkFaults{Offline: true})
	stuck := g.raw(t)
	stuck.login(g.token(t))
	for i := range 40 {
		stuck.send(message.Message{Type: message.Confirmable, Code: codes.GET, Token: []byte{0x51, byte(i)},
			Options: message.Options{proxyURIOption("coap://" + silent.Name + ":4849/")}})
	}
	testwait.For(t, "the 40 requests to reach the gateway", func() bool { return g.Stats().Proxied.Load() >= 40 })
	for i := range 20 {
		other := g.loggedIn(t)
		if code, _ := proxyGet(t, other, seedURI("/")); code != codes.Content {
			t.Fatalf("client %d: %v", i, code)
		}
		// Log out: the dev account allows 10 sessions.
		if resp, err := other.Delete(timeout(t, 5*time.Second), "/sessions"); err != nil || resp.Code() != codes.Deleted {
			t.Fatalf("logout %d: %v", i, err)
		}
	}
	stuck.send(message.Message{Type: message.Confirmable, Code: codes.GET, Token: []byte{0x52},
		Options: message.Options{proxyURIOption(seedURI("/"))}})
	for {
		m := stuck.recv(5 * time.Second)
		if len(m.Token) == 2 && m.Token[0] == 0x51 {
			t.Fatalf("the silent device answered (%v) while others were served", m.Code)
		}
		if bytes.Equal(m.Token, []byte{0x52}) {
			if m.Code != codes.Content {
				t.Fatalf("the stuck client's request to another device: %v", m.Code)
			}
			break
		}
	}
}

func TestBlock2At128ThroughTheProxy(t *testing.T) {
	g := startGateway(t, nil)
	cc := g.loggedIn(t)
	_, whole := proxyGet(t, cc, seedURI("/.well-known/core"))
	if len(whole) < 600 {
		t.Fatalf("representation of %d bytes is too small for the test", len(whole))
	}
	raw := g.raw(t)
	raw.login(g.token(t))
	var got []byte
	for num := uint32(0); ; num++ {
		block2, _ := blockwise.EncodeBlockOption(blockwise.SZX128, int64(num), false)
		raw.send(message.Message{Type: message.Confirmable, Code: codes.GET, Token: []byte{0xB2, byte(num)},
			Options: message.Options{proxyURIOption(seedURI("/.well-known/core")), {ID: message.Block2, Value: encodeUint32(block2)}}})
		resp := raw.recv(5 * time.Second)
		v, err := resp.Options.GetUint32(message.Block2)
		if resp.Code != codes.Content || err != nil {
			t.Fatalf("block %d: %v, Block2 %v", num, resp.Code, err)
		}
		szx, n, more, _ := blockwise.DecodeBlockOption(v)
		if szx != blockwise.SZX128 || n != int64(num) {
			t.Fatalf("block %d came as szx %v num %d", num, szx, n)
		}
		if more && len(resp.Payload) != 128 {
			t.Fatalf("block %d has %d bytes", num, len(resp.Payload))
		}
		got = append(got, resp.Payload...)
		if !more {
			break
		}
	}
	if !bytes.Equal(got, whole) {
		t.Fatalf("128-byte blocks reassemble to %d bytes, the whole is %d", len(got), len(whole))
	}
}

func encodeUint32(v uint32) []byte {
	buf := make([]byte, 4)
	n, _ := message.EncodeUint32(buf, v)
	return buf[:n]
}

func TestBlock1UploadBeyondTheCapGets413(t *testing.T) {
	o := startOrigin(t)
	g := startGateway(t, func(c *Config) {
		c.MaxUpload = 1024
		withConfigFile(t, func(f *FileConfig) { f.Hosts = map[string]string{"big.example.net": o.LocalAddr().String()} })(c)
	})
	cc, err := udp.Dial(g.Addr().String(), options.WithBlockwise(true, blockwise.SZX128, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	if code, _ := login(t, cc, g.token(t)); code != codes.Created {
		t.Fatal(code)
	}
	resp, body := proxy(t, cc, codes.PUT, "coap://big.example.net/up", bytes.Repeat([]byte("a"), 1000))
	if resp.Code() != codes.Changed || len(body) != 1005 {
		t.Fatalf("1000 bytes: %v, %d bytes back", resp.Code(), len(body))
	}
	resp, _ = proxy(t, cc, codes.PUT, "coap://big.example.net/up", bytes.Repeat([]byte("a"), 5000))
	if resp.Code() != codes.RequestEntityTooLarge {
		t.Fatalf("5000 bytes: %v, want 4.13", resp.Code())
	}
}

func TestExchangesArePublished(t *testing.T) {
	g := startGateway(t, nil)
	exchanges, stop := g.Traffic().Subscribe(100)
	defer stop()
	cc := g.loggedIn(t)
	proxyGet(t, cc, seedURI("/sys/stats?mod=pwr"))
	deadline := time.After(3 * time.Second)
	for {
		select {
		case e := <-exchanges:
			if e.Hop != traffic.HopDevice {
				continue
			}
			if e.Account != "dev" || e.Target != seedHost+":4849" || e.Method != "GET" || e.Path != "/sys/stats?mod=pwr" ||
				e.Code != codes.Content || e.UpstreamRTT <= 0 || e.Client != netip.MustParseAddrPort(cc.LocalAddr().String()) || e.Type != "CON" {
				t.Fatalf("exchange %+v", e)
			}
			return
		case <-deadline:
			t.Fatal("no device exchange published")
		}
	}
}

func TestICRebootThroughTheGatewaySetsItsTime(t *testing.T) {
	g := startGateway(t, nil)
	exchanges, stop := g.Traffic().Subscribe(200)
	defer stop()
	cc := g.loggedIn(t)
	d := g.mesh.Devices()[0]
	d.SkewClock(-2 * time.Hour)
	if resp, _ := proxy(t, cc, codes.POST, seedURI("/snsr/sys/reset"), nil); resp.Code() != codes.Changed {
		t.Fatalf("reset: %v", resp.Code())
	}
	var sequence []string
	deadline := time.After(5 * time.Second)
	for len(sequence) < 2 {
		select {
		case e := <-exchanges:
			if e.Hop == traffic.HopICToNIC || (e.Hop == traffic.HopNICToIC && e.Path == "/sys/time") {
				sequence = append(sequence, fmt.Sprintf("%s %s %s", e.Hop, e.Method, e.Path))
			}
		case <-deadline:
			t.Fatalf("sequence so far: %v", sequence)
		}
	}
	if sequence[0] != "ic→nic PUT /sys/snsr?ev=rbt" || sequence[1] != "nic→ic PUT /sys/time" {
		t.Fatalf("sequence %v", sequence)
	}
	testwait.For(t, "the IC to answer again", func() bool { return !d.Rebooting() })
	_, body := proxyGet(t, cc, seedURI("/snsr/sys/time"))
	icTime, err := ssn.DecodeSystemTime(body)
	if err != nil || time.Since(icTime).Abs() > 3*time.Second {
		t.Fatalf("IC time after the reboot: %v %v", icTime, err)
	}
}
