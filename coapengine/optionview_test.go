package coapengine

import (
	"testing"

	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
)

func TestOptionsAreDecodedByWhatTheyMean(t *testing.T) {
	block := func(num, more, szx uint32) []byte { return EncodeUint(num<<4 | more<<3 | szx) }
	for _, c := range []struct {
		name      string
		opt       message.Option
		inRequest bool
		wantName  string
		want      string
		wantHex   string
	}{
		{"content format by name", message.Option{ID: message.ContentFormat, Value: []byte{42}}, false, "Content-Format", "42 application/octet-stream", "2a"},
		{"text/plain is format 0, an empty value", message.Option{ID: message.ContentFormat}, false, "Content-Format", "0 text/plain; charset=utf-8", ""},
		{"an unregistered format is its number", message.Option{ID: message.ContentFormat, Value: EncodeUint(12345)}, false, "Content-Format", "12345", "3039"},
		{"accept by name", message.Option{ID: message.Accept, Value: []byte{60}}, true, "Accept", "60 application/cbor", "3c"},
		{"max-age in seconds", message.Option{ID: message.MaxAge, Value: []byte{30}}, false, "Max-Age", "30 s", "1e"},
		{"a long max-age also for people", message.Option{ID: message.MaxAge, Value: EncodeUint(3600)}, false, "Max-Age", "3600 s (1 h)", "0e10"},
		{"a middle block", message.Option{ID: message.Block2, Value: block(3, 1, 3)}, false, "Block2", "num 3 · more · 128 B", "3b"},
		{"an answer's last block", message.Option{ID: message.Block2, Value: block(7, 0, 2)}, false, "Block2", "num 7 · last · 64 B", "72"},
		{"a request's Block2 asks for a block", message.Option{ID: message.Block2, Value: block(1, 0, 6)}, true, "Block2", "num 1 · 1024 B", "16"},
		{"an upload's last block", message.Option{ID: message.Block1, Value: block(4, 0, 2)}, true, "Block1", "num 4 · last · 64 B", "42"},
		{"block 0 is an empty value", message.Option{ID: message.Block1}, true, "Block1", "num 0 · last · 16 B", ""},
		{"the reserved block size", message.Option{ID: message.Block2, Value: block(0, 0, 7)}, false, "Block2", "num 0 · last · reserved size (SZX 7)", "07"},
		{"size in bytes", message.Option{ID: message.Size2, Value: EncodeUint(955)}, false, "Size2", "955 B", "03bb"},
		{"a request's Size2 0 asks for the size", message.Option{ID: message.Size2}, true, "Size2", "0 (asks for the size)", ""},
		{"upload size", message.Option{ID: message.Size1, Value: EncodeUint(300)}, true, "Size1", "300 B", "012c"},
		{"observe registers", message.Option{ID: message.Observe}, true, "Observe", "0 register", ""},
		{"observe deregisters", message.Option{ID: message.Observe, Value: []byte{1}}, true, "Observe", "1 deregister", "01"},
		{"a notification's sequence number", message.Option{ID: message.Observe, Value: EncodeUint(70000)}, false, "Observe", "seq 70000", "011170"},
		{"hop limit", message.Option{ID: HopLimit, Value: []byte{16}}, true, "Hop-Limit", "16", "10"},
		{"etag in hex", message.Option{ID: message.ETag, Value: []byte{0xde, 0xad, 0xbe, 0xef}}, false, "ETag", "0xdeadbeef", "deadbeef"},
		{"if-match in hex", message.Option{ID: message.IfMatch, Value: []byte{1, 2}}, true, "If-Match", "0x0102", "0102"},
		{"an empty if-match", message.Option{ID: message.IfMatch}, true, "If-Match", "(empty: if the resource exists)", ""},
		{"if-none-match has no value", message.Option{ID: message.IfNoneMatch}, true, "If-None-Match", "(empty)", ""},
		{"uri-path as text", message.Option{ID: message.URIPath, Value: []byte("stats")}, true, "Uri-Path", "stats", "7374617473"},
		{"uri-query as text", message.Option{ID: message.URIQuery, Value: []byte("mod=pwr")}, true, "Uri-Query", "mod=pwr", "6d6f643d707772"},
		{"uri-host as text", message.Option{ID: message.URIHost, Value: []byte("h.test")}, true, "Uri-Host", "h.test", "682e74657374"},
		{"uri-port as a number", message.Option{ID: message.URIPort, Value: EncodeUint(4849)}, true, "Uri-Port", "4849", "12f1"},
		{"proxy-uri as text", message.Option{ID: message.ProxyURI, Value: []byte("coap://h:4849/sys")}, true, "Proxy-Uri", "coap://h:4849/sys", "636f61703a2f2f683a343834392f737973"},
		{"proxy-scheme as text", message.Option{ID: message.ProxyScheme, Value: []byte("coap")}, true, "Proxy-Scheme", "coap", "636f6170"},
		{"location-path as text", message.Option{ID: message.LocationPath, Value: []byte("new")}, false, "Location-Path", "new", "6e6577"},
		{"location-query as text", message.Option{ID: message.LocationQuery, Value: []byte("id=3")}, false, "Location-Query", "id=3", "69643d33"},
		{"text that is not printable is hex", message.Option{ID: message.URIPath, Value: []byte{0x01, 'a'}}, true, "Uri-Path", "0x0161", "0161"},
		{"no-response names the classes", message.Option{ID: message.NoResponse, Value: []byte{26}}, true, "No-Response", "26 (no 2.xx, 4.xx, 5.xx)", "1a"},
		{"an over-long uint is hex", message.Option{ID: message.MaxAge, Value: []byte{1, 2, 3, 4, 5}}, false, "Max-Age", "0x0102030405", "0102030405"},
		{"an unknown option is hex", message.Option{ID: 2049, Value: []byte("hi")}, true, "Option 2049", "0x6869", "6869"},
	} {
		v := DescribeOption(c.opt, c.inRequest)
		if v.Name != c.wantName || v.Value != c.want || v.Hex != c.wantHex || v.Number != uint16(c.opt.ID) {
			t.Errorf("%s: got %s (%d) %q hex %q, want %s %q hex %q", c.name, v.Name, v.Number, v.Value, v.Hex, c.wantName, c.want, c.wantHex)
		}
	}
}

// RFC 7252 §5.4.6 and its Figure 11: the class of an option comes from its number's bits.
func TestAnOptionsClassComesFromItsNumber(t *testing.T) {
	for _, c := range []struct {
		number message.OptionID
		want   string
	}{
		{message.IfMatch, "critical, safe to forward"},
		{message.URIHost, "critical, unsafe"},
		{message.ETag, "elective, safe to forward"},
		{message.MaxAge, "elective, unsafe"},
		{message.Size1, "elective, safe to forward, no cache key"},
		{message.Size2, "elective, safe to forward, no cache key"},
		{message.Block2, "critical, unsafe"},
		{HopLimit, "elective, safe to forward"},
		{2049, "critical, safe to forward"},
		{2050, "elective, unsafe"},
		{2076, "elective, safe to forward, no cache key"},
	} {
		if got := ClassOf(c.number).String(); got != c.want {
			t.Errorf("option %d: %q, want %q", c.number, got, c.want)
		}
	}
	if v := DescribeOption(message.Option{ID: 2049, Value: []byte{1}}, true); v.Known || !v.Class.Critical || v.Class.Unsafe {
		t.Errorf("an unknown option 2049 is described as %+v", v)
	}
	if v := DescribeOption(message.Option{ID: message.ETag}, false); !v.Known {
		t.Error("ETag is not known")
	}
}

// A recorded message says whether it is a request by its code: a request's Observe 0
// registers, a response's is a sequence number.
func TestARecordedMessageDecodesItsOptionsInItsOwnRole(t *testing.T) {
	obs := OptionRecord{Number: uint16(message.Observe), Value: nil}
	req := MessageRecord{Code: codes.GET, Options: []OptionRecord{obs}}
	resp := MessageRecord{Code: codes.Content, Options: []OptionRecord{obs, {Number: uint16(message.ContentFormat), Value: []byte{42}}}}
	if got := req.DescribeOptions(); len(got) != 1 || got[0].Value != "0 register" {
		t.Fatalf("request options %+v", got)
	}
	got := resp.DescribeOptions()
	if len(got) != 2 || got[0].Value != "seq 0" || got[1].Value != "42 application/octet-stream" || got[1].Name != "Content-Format" {
		t.Fatalf("response options %+v", got)
	}
}

func TestEveryKnownOptionIsReadyForAPicker(t *testing.T) {
	seen := map[message.OptionID]bool{}
	for i, d := range OptionDefs {
		if d.Name == "" || d.Description == "" || seen[d.Number] {
			t.Errorf("option %d (%s): name, description and a number of its own are needed", d.Number, d.Name)
		}
		if i > 0 && OptionDefs[i-1].Number >= d.Number {
			t.Errorf("%s is out of number order", d.Name)
		}
		seen[d.Number] = true
		if got, ok := LookupOption(d.Name); !ok || got.Number != d.Number {
			t.Errorf("%s does not look up by its name", d.Name)
		}
	}
	for name, want := range map[string]bool{"Uri-Path": true, "ETag": true, "If-Match": true, "Max-Age": false, "Observe": false} {
		d, _ := LookupOption(name)
		if d.Repeatable != want {
			t.Errorf("%s repeatable %v, want %v", name, d.Repeatable, want)
		}
	}
	for name, want := range map[string]bool{"Uri-Path": true, "Proxy-Uri": true, "Block2": true, "Accept": true, "ETag": false, "Hop-Limit": false} {
		d, _ := LookupOption(name)
		if d.Derived() != want {
			t.Errorf("%s derived %v, want %v", name, d.Derived(), want)
		}
	}
	if FormatUint.String() != "uint" || FormatOpaque.String() != "opaque" || FormatString.String() != "string" || FormatEmpty.String() != "empty" {
		t.Error("format names")
	}
}
