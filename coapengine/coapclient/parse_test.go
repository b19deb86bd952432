package coapclient

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/plgd-dev/go-coap/v3/message/codes"
)

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
		"coap-workbench token | coap-client-notls -m post -p 12345 -t text -f - coap://127.0.0.1:5683/sessions && \\\ncoap-client-notls -m get -p 12345 -P coap://127.0.0.1:5683 coap://x:4849/sys",
		"echo -n \"$TOKEN\" | coap-client -m post -t 0 -f - -p 1 coap://g/sessions; coap-client -p 2 coap://d/ >/dev/null",
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

// TestParseLeavesOutTheLoginBeforeTheRequest reads a login and a request pasted together, as
// the developer pages and a shell history give them: the request is read, and the note says
// why the login is left out, and when the two ports differ, that the session would not serve.
func TestParseLeavesOutTheLoginBeforeTheRequest(t *testing.T) {
	for _, tc := range []struct {
		text  string
		port  int
		notes []string
	}{
		{"export TOKEN=eyJhbGciOi.x.y\n" +
			`echo -n "$TOKEN" | coap-client -m post -t 0 -f - -p 12345 coap://gatewayhost/sessions` + "\n" +
			"coap-client -m get -p 12345 -P coap://gatewayhost:5683 coap://devicehost:4849/.well-known/core\n",
			12345, []string{"login (POST /sessions from port 12345) is left out"}},
		{"coap-workbench token --data-dir /tmp/d | coap-client-notls -m post -t 0 -f - -p 12345 coap://127.0.0.1/sessions; coap-client-notls -m get -p 9999 -P coap://127.0.0.1 coap://devicehost:4849/",
			9999, []string{"from port 9999 would get 4.01"}},
		{"cd /tmp && coap-client -m get coap://devicehost/x > out.bin 2>&1",
			0, []string{"also runs cd: left out", "redirection"}},
	} {
		c, notes, err := Parse(tc.text)
		if err != nil {
			t.Errorf("%s: %v", tc.text, err)
			continue
		}
		if c.Request.Method != codes.GET || c.LocalPort != tc.port || c.PayloadFile != "" || len(notes) != len(tc.notes) {
			t.Errorf("%s: got %+v, notes %q", tc.text, c, notes)
			continue
		}
		for i, want := range tc.notes {
			if !strings.Contains(notes[i], want) {
				t.Errorf("%s: note %q, want one saying %q", tc.text, notes[i], want)
			}
		}
	}
}

func TestParseRefusesLinesThatRunSeveralRequestsOrShellPrograms(t *testing.T) {
	for text, want := range map[string]string{
		"coap-client coap://a/x && coap-client coap://a/y":                     "run 2 coap-client requests: paste one",
		"coap-client coap://a/x\ncoap-client -k key coap://a/y":                "DTLS",
		"if true; then coap-client coap://a/x; fi":                             "shell syntax",
		"(coap-client coap://a/x)":                                             "shell syntax",
		"export TOKEN=x":                                                       "empty",
		"$CLIENT -m get coap://a/x":                                            `runs "$CLIENT"`,
		"coap-client -m post -e \"$(coap-workbench token)\" coap://g/sessions": "runs a command inside it",
	} {
		_, _, err := Parse(text)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want an error saying %q", text, err, want)
		}
	}
}
