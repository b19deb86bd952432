package gatewaylite

import (
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coap-workbench/coap-workbench/internal/udpendpoint"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
)

func datagram(m message.Message) []byte {
	sortOptions(m.Options)
	b, err := udpendpoint.EncodeMessage(m)
	if err != nil {
		panic(err)
	}
	return b
}

// FuzzGatewayDatagram feeds whole datagrams to the gateway's receive path, from a logged-in
// socket and from an anonymous one: whatever arrives, the gateway must not crash and must keep
// answering.
func FuzzGatewayDatagram(f *testing.F) {
	for _, seed := range []message.Message{
		{Type: message.Confirmable, Code: codes.GET, MessageID: 1, Token: []byte{1}, Options: message.Options{{ID: message.URIPath, Value: []byte("help")}}},
		{Type: message.Confirmable, Code: codes.POST, MessageID: 2, Options: message.Options{{ID: message.URIPath, Value: []byte("sessions")}, {ID: message.URIQuery, Value: []byte("sticky=true")}}, Payload: []byte("eyJhbGciOiJub25lIn0.e30.")},
		{Type: message.Confirmable, Code: codes.DELETE, MessageID: 3, Options: message.Options{{ID: message.URIPath, Value: []byte("sessions")}}},
		{Type: message.NonConfirmable, Code: codes.GET, MessageID: 4, Token: []byte{4}, Options: message.Options{proxyURIOption(seedURI("/sys/stats?mod=pwr")), {ID: message.Observe}}},
		{Type: message.Confirmable, Code: codes.PUT, MessageID: 5, Token: []byte{5}, Options: message.Options{proxyURIOption(seedURI("/snsr/sys/time")), {ID: HopLimit, Value: []byte{2}}}, Payload: []byte{6, 8, 0, 0, 0, 1, 0, 0, 0, 0}},
		{Type: message.Confirmable, Code: codes.GET, MessageID: 6, Token: []byte{6}, Options: message.Options{{ID: message.URIHost, Value: []byte(seedHost)}, {ID: message.ProxyScheme, Value: []byte("coap")}, {ID: message.Block2, Value: []byte{0x13}}}},
		{Type: message.Reset, MessageID: 7},
	} {
		f.Add(datagram(seed), true)
		f.Add(datagram(seed), false)
	}
	f.Add([]byte{0x48, 0x01, 0, 1, 0xAA}, true)
	f.Add([]byte{0x40, 0x01, 0, 1, 0xF0}, false)

	g := startGateway(f, nil)
	probe := g.raw(f)
	var runs atomic.Int64
	f.Fuzz(func(t *testing.T, input []byte, loggedIn bool) {
		from := netip.MustParseAddrPort("127.0.0.1:9") // discard: answers go nowhere
		if loggedIn {
			g.Sessions().Login(from, "dev", 10, false, time.Now().Add(time.Hour))
		} else {
			g.Sessions().Logout(from)
		}
		// Observations registered by inputs would notify the discard port forever. Handlers run
		// on goroutines of their own, so a registration may land after its input returned:
		// clear before and after each input.
		g.relays.LeavePeer(from)
		g.listener.Inject(from, input)
		g.relays.LeavePeer(from)
		if runs.Add(1)%200 == 0 {
			probe.t = t
			probe.send(message.Message{Type: message.Confirmable, Code: codes.GET, Token: []byte{0xEE}, Options: message.Options{{ID: message.URIPath, Value: []byte("help")}}})
			if m := probe.recv(5 * time.Second); m.Code != codes.Content {
				t.Fatalf("gateway stopped answering: %v", m.Code)
			}
		}
	})
}
