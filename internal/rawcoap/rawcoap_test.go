package rawcoap

import (
	"bytes"
	"testing"

	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/message/pool"
	"github.com/plgd-dev/go-coap/v3/udp/coder"
)

func TestAHandBuiltMessageReadsBackAsGoCoapReadsIt(t *testing.T) {
	m := Message{Type: CON, Code: codes.GET, MessageID: 0x1234, Token: []byte{1, 2, 3},
		Options: []Option{{Number: 11, Value: []byte("sys")}, {Number: 35, Value: []byte("coap://x/" + string(bytes.Repeat([]byte("y"), 300)))}, {Number: 65001, Value: Uint(7)}, {Number: 11, Value: []byte("stats")}},
		Payload: []byte("hi")}
	raw := m.Bytes()
	back, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if back.MessageID != 0x1234 || back.Type != CON || len(back.Options) != 4 || back.Options[0].Number != 11 || string(back.Options[1].Value) != "stats" || back.Options[3].Number != 65001 || string(back.Payload) != "hi" {
		t.Fatalf("read back %+v", back)
	}
	g := pool.NewMessage(t.Context())
	if _, err := g.UnmarshalWithDecoder(coder.DefaultCoder, raw); err != nil {
		t.Fatalf("go-coap cannot read it: %v", err)
	}
	if p, _ := g.Options().Path(); p != "/sys/stats" {
		t.Fatalf("go-coap reads the path %q", p)
	}
}

func TestParseRefusesWhatIsNoCoAP(t *testing.T) {
	for _, b := range [][]byte{{}, {0x40}, {0x80, 1, 0, 0}, {0x49, 1, 0, 0}, {0x40, 1, 0, 0, 0xff}, {0x40, 1, 0, 0, 0xf0}} {
		if _, err := Parse(b); err == nil {
			t.Errorf("% x parsed", b)
		}
	}
}
