package coapclient

import (
	"bytes"
	"errors"
	"fmt"
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

// TestParseReadsTheDeveloperPagesLines reads the lines of the Starfish pages as they are.
func TestParseReadsTheDeveloperPagesLines(t *testing.T) {
	for _, tc := range []struct {
		line  string
		check func(Command) bool
		notes int
	}{
		{"coap-client -m get -p 12345 -P gatewayhost:5683 coap://devicehost:4849/.well-known/core", func(c Command) bool {
			return c.Gateway == "gatewayhost:5683" && c.LocalPort == 12345 && c.Request.Method == codes.GET && c.Request.URI == "coap://devicehost:4849/.well-known/core"
		}, 0},
		{"coap-client -m get -p 12345 -P gatewayhost coap://devicehost:4849/.well-known/core", func(c Command) bool { return c.Gateway == "gatewayhost:5683" }, 0},
		{`coap-client -v 10 -m delete -p 12345 "coap://gatewayhost:5683/sessions"`, func(c Command) bool {
			return c.Request.Method == codes.DELETE && c.Gateway == "" && c.Request.URI == "coap://gatewayhost:5683/sessions"
		}, 1},
		{"coap-client -m post -t 0 -f - -p 12345 coap://GATEWAY/sessions", func(c Command) bool {
			return c.Request.Method == codes.POST && c.Request.ContentFormat == 0 && c.PayloadFile == "-"
		}, 0},
		{"/usr/bin/coap-client-notls -Nm get -p54321 -s 30 -b 1,64 coap://[::1]/sys", func(c Command) bool {
			return c.Request.NonConfirmable && c.LocalPort == 54321 && c.Observe == 30*time.Second && c.Request.BlockSize == 64
		}, 1},
		{"coap-client -m fetch -A cbor -t application/json -e '{\"a\":1}' -O 6,60 -H 3 coap://dev/x -B 5", func(c Command) bool {
			r := c.Request
			return r.Method == codes.FETCH && r.Accept == 60 && r.ContentFormat == 50 && string(r.Payload) == `{"a":1}` &&
				len(r.Options) == 2 && string(r.Options[0].Value) == "60" && bytes.Equal(r.Options[1].Value, []byte{3}) && r.Timeout == 5*time.Second
		}, 0},
	} {
		c, notes, err := Parse(tc.line)
		if err != nil {
			t.Errorf("%s: %v", tc.line, err)
			continue
		}
		if !tc.check(c) || len(notes) != tc.notes {
			t.Errorf("%s: got %+v, notes %q", tc.line, c, notes)
		}
	}
}

func TestParseExplainsWhatItCannotRead(t *testing.T) {
	for line, want := range map[string]string{
		"":                                  "empty",
		"curl http://example.com":           "not a coap-client command line",
		"coap-client -m get":                "names no URI",
		"coap-client coap://a/x coap://b/y": "names 2 URIs",
		"coap-client -m get -e \"$TOKEN\" coap://a/": "$TOKEN",
		"coap-client -m 'get coap://a/":              "cannot read the command line",
		"coap-client -m shout coap://a/":             "unknown method",
		"coap-client -b 100 coap://a/":               "block size",
		"coap-client -O x,1 coap://a/":               "NUMBER,TEXT",
		"coap-client -O 4,0xzz coap://a/":            "not hex",
		"coap-client -k secret coap://a/":            "DTLS",
		"coap-client -r coap://a/":                   "TCP",
		"coap-client -q coap://a/":                   "no flag -q",
		"coap-client -e %4 coap://a/":                "two hex digits",
		"coap-client -e a -f b coap://a/":            "payload twice",
		"coap-client -T 123456789 coap://a/":         "at most 8 bytes",
		"coap-client -P coaps://gw coap://a/":        "not coaps://",
		"coap-client -p 70000 coap://a/":             "1 to 65535",
		"coap-client -t chinese coap://a/":           "unknown content format",
		"coap-client http://a/":                      "coap://",
		"coap-client -m":                             "-m needs a value",
	} {
		_, _, err := Parse(line)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want an error saying %q", line, err, want)
		}
	}
	if _, _, err := Parse("ls -l"); !errors.Is(err, ErrNotCoapClient) {
		t.Errorf("ls: %v", err)
	}
}

// TestParseTakesShellPatternsLiterally: braces and globs are not expanded (a JSON payload
// pasted without quotes stays one argument; no file names are read).
func TestParseTakesShellPatternsLiterally(t *testing.T) {
	c, _, err := Parse(`coap-client -m put -e {"a":1,"b":[2,3]} coap://dev/*`)
	if err != nil {
		t.Fatal(err)
	}
	if string(c.Request.Payload) != `{a:1,b:[2,3]}` || c.Request.URI != "coap://dev/*" {
		t.Fatalf("payload %q, URI %q", c.Request.Payload, c.Request.URI)
	}
	if _, _, err := Parse(strings.Repeat("a", maxLineLength+1)); err == nil || !strings.Contains(err.Error(), "bytes long") {
		t.Fatalf("a huge line: %v", err)
	}
}

// FuzzParse: Parse never panics, and what it reads renders to a line that reads the same.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"coap-client -m get -p 12345 -P gatewayhost:5683 coap://devicehost:4849/.well-known/core",
		"coap-client -Nm put -t cbor -e 'a%00b' -O 65000,0x01 -T tok coap://[::1]:5683/a?b=c",
		"coap-client -s 10 -B 3 -b 64 -A 60 coap://x/y -- coap://z",
		`coap-client -e "{\"x\":1}" 'coap://a/b c'`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		c, _, err := Parse(line)
		if err != nil {
			return
		}
		again, notes := Render(c)
		c2, _, err := Parse(again)
		if err != nil {
			t.Fatalf("%q → %q: %v", line, again, err)
		}
		// Tokens coap-client cannot express and sub-second times are reported, not kept.
		if len(notes) == 0 && !reflect.DeepEqual(normalised(c), normalised(c2)) {
			t.Fatalf("%q → %q\n%+v\n%+v", line, again, c, c2)
		}
		_ = fmt.Sprint(c2)
	})
}
