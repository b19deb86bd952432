package coapclient

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
)

// randomCommand is a request of every kind coap-client can express exactly.
func randomCommand(rng *rand.Rand) Command {
	hosts := []string{"SSN001350050005E7D6.sim.starfish.test:4849", "127.0.0.1:5683", "[::1]:5700", "dev-1.example"}
	paths := []string{"", "/", "/sys/stats?mod=pwr", "/.well-known/core?rt=x&if=y", "/snsr/temp%20c", "/a/b/c"}
	r := coapengine.NewRequest(coapengine.Methods[rng.IntN(len(coapengine.Methods))], "coap://"+hosts[rng.IntN(len(hosts))]+paths[rng.IntN(len(paths))])
	r.NonConfirmable = rng.IntN(2) == 0
	formats := []int{coapengine.NoFormat, 0, 40, 42, 50, 60, 112, 11542}
	r.ContentFormat = formats[rng.IntN(len(formats))]
	r.Accept = formats[rng.IntN(len(formats))]
	for n := rng.IntN(4); n > 0; n-- {
		o := message.Option{ID: message.OptionID(rng.IntN(3000))}
		if rng.IntN(5) > 0 {
			o.Value = randomBytes(rng, rng.IntN(12)+1)
		}
		r.Options = append(r.Options, o)
	}
	if rng.IntN(2) == 0 {
		r.Payload = randomBytes(rng, rng.IntN(64)+1)
	}
	if rng.IntN(3) == 0 {
		r.BlockSize = 16 << rng.IntN(7)
	}
	if rng.IntN(2) == 0 {
		// A token coap-client can send: one more than a text of printable characters.
		arg := make([]byte, rng.IntN(8)+1)
		for i := range arg {
			arg[i] = byte(' ' + rng.IntN('~'-' '+1))
		}
		arg[0] = byte('!' + rng.IntN('~'-'!'))
		r.Token = tokenOf(string(arg))
	}
	if rng.IntN(2) == 0 {
		r.Timeout = time.Duration(rng.IntN(120)+1) * time.Second
	}
	c := Command{Request: r}
	if rng.IntN(2) == 0 {
		c.LocalPort = rng.IntN(65535) + 1
	}
	if rng.IntN(2) == 0 {
		c.Gateway = []string{"gateway.example:5683", "127.0.0.1:5683", "[::1]:6000"}[rng.IntN(3)]
	}
	if rng.IntN(4) == 0 {
		c.Observe = time.Duration(rng.IntN(600)+1) * time.Second
	}
	return c
}

// randomBytes mixes text, shell metacharacters, "%" and binary.
func randomBytes(rng *rand.Rand, n int) []byte {
	alphabets := []string{"abcXYZ019 ", "'\"$`\\!*?{}[]~#&;|<>() %", "\x00\x01\xff\x80\n\t"}
	b := make([]byte, n)
	for i := range b {
		a := alphabets[rng.IntN(len(alphabets))]
		b[i] = a[rng.IntN(len(a))]
	}
	return b
}

// normalised makes empty and nil slices compare equal.
func normalised(c Command) Command {
	if len(c.Request.Payload) == 0 {
		c.Request.Payload = nil
	}
	if len(c.Request.Token) == 0 {
		c.Request.Token = nil
	}
	for i := range c.Request.Options {
		if len(c.Request.Options[i].Value) == 0 {
			c.Request.Options[i].Value = nil
		}
	}
	if len(c.Request.Options) == 0 {
		c.Request.Options = nil
	}
	return c
}

func TestRenderThenParseGivesTheSameCommand(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 5000; i++ {
		want := randomCommand(rng)
		line, notes := Render(want)
		if len(notes) != 0 {
			t.Fatalf("%s: notes %v", line, notes)
		}
		got, notes, err := Parse(line)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if len(notes) != 0 {
			t.Fatalf("%s: notes %v", line, notes)
		}
		if !reflect.DeepEqual(normalised(got), normalised(want)) {
			t.Fatalf("round trip of %s\n got %+v\nwant %+v", line, normalised(got), normalised(want))
		}
	}
}

func TestRenderWritesWhatAPersonWould(t *testing.T) {
	r := coapengine.NewRequest(codes.PUT, "coap://SSN001350050005E7D6.sim.starfish.test:4849/sys/time")
	r.ContentFormat = 42
	r.Payload = []byte{0x65, 0x5f, 0x10, 0x00}
	r.Options = []message.Option{{ID: message.URIQuery, Value: []byte("mod=pwr")}, {ID: message.MaxAge, Value: []byte{0x3c}}}
	line, notes := Render(Command{Request: r, LocalPort: 12345, Gateway: "gateway.example:5683"})
	want := "coap-client -m put -p 12345 -P coap://gateway.example:5683 -t octet-stream -O '15,mod=pwr' -O 14,0x3c -e e_%10%00 coap://SSN001350050005E7D6.sim.starfish.test:4849/sys/time"
	if line != want || len(notes) != 0 {
		t.Fatalf("got  %s\nwant %s\nnotes %v", line, want, notes)
	}
}

func TestRenderSaysWhatCoapClientCannotExpress(t *testing.T) {
	r := coapengine.NewRequest(codes.GET, "coap://dev.example/x")
	r.Token = []byte{0, 1, 2}
	r.Timeout = 1500 * time.Millisecond
	line, notes := Render(Command{Request: r, Observe: 2500 * time.Millisecond})
	if strings.Contains(line, "-T") || !strings.Contains(line, "-B 2") || !strings.Contains(line, "-s 3") {
		t.Fatalf("line %s", line)
	}
	if len(notes) != 3 || !strings.Contains(notes[0], "token 0x000102") || !strings.Contains(notes[2], "1.5s becomes 2s") {
		t.Fatalf("notes %q", notes)
	}
}
