package proxytarget

import (
	"errors"
	"reflect"
	"sort"
	"testing"

	"github.com/plgd-dev/go-coap/v3/message"
)

func TestParseURIDecomposesAsRFC7252(t *testing.T) {
	cases := map[string]Target{
		"coap://SSN001350050005E7D6.sim.starfish.test:4849/.well-known/core": {
			Scheme: "coap", Host: "SSN001350050005E7D6.sim.starfish.test", Port: 4849, Path: []string{".well-known", "core"}},
		"coap://host/sys/stats?mod=pwr": {Scheme: "coap", Host: "host", Port: 5683, Path: []string{"sys", "stats"}, Query: []string{"mod=pwr"}},
		"COAP://host:1/":                {Scheme: "coap", Host: "host", Port: 1},
		"coap://host":                   {Scheme: "coap", Host: "host", Port: 5683},
		"coap://[::1]:4849/a%2Fb/c?x=1&y=%26": {
			Scheme: "coap", Host: "::1", Port: 4849, Path: []string{"a/b", "c"}, Query: []string{"x=1", "y=&"}},
		"coap://h/snsr/arduino/temp?sens": {Scheme: "coap", Host: "h", Port: 5683, Path: []string{"snsr", "arduino", "temp"}, Query: []string{"sens"}},
	}
	for raw, want := range cases {
		got, err := ParseURI(raw)
		if err != nil {
			t.Errorf("%s: %v", raw, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", raw, got, want)
		}
	}
}

func TestParseURIErrors(t *testing.T) {
	malformed := []string{"", "/relative/path", "coap://", "coap://h:99999/x", "coap://h:0/", "coap://h/x#frag",
		"coap://user@h/x", "coap:opaque", "coap://h:/x", "coap://h/%zz", "://h/x", "coap://[::1/x"}
	for _, raw := range malformed {
		if _, err := ParseURI(raw); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: want ErrMalformed, got %v", raw, err)
		}
	}
	for _, raw := range []string{"http://h/x", "coaps://h/x", "coap+tcp://h/x"} {
		if _, err := ParseURI(raw); !errors.Is(err, ErrUnsupportedScheme) {
			t.Errorf("%q: want ErrUnsupportedScheme, got %v", raw, err)
		}
	}
}

func TestFromOptionsWithProxyScheme(t *testing.T) {
	opts := message.Options{
		{ID: message.URIHost, Value: []byte("SSN001350050005E7D6.sim.starfish.test")},
		{ID: message.URIPort, Value: []byte{0x12, 0xF1}},
		{ID: message.URIPath, Value: []byte("sys")},
		{ID: message.URIPath, Value: []byte("stats")},
		{ID: message.URIQuery, Value: []byte("mod=pwr")},
		{ID: message.ProxyScheme, Value: []byte("coap")},
	}
	got, err := FromOptions(opts)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != "coap://SSN001350050005E7D6.sim.starfish.test:4849/sys/stats?mod=pwr" {
		t.Fatalf("got %s", got)
	}
	noHost := message.Options{{ID: message.ProxyScheme, Value: []byte("coap")}}
	if _, err := FromOptions(noHost); !errors.Is(err, ErrMalformed) {
		t.Fatalf("no host: %v", err)
	}
	http := message.Options{{ID: message.URIHost, Value: []byte("h")}, {ID: message.ProxyScheme, Value: []byte("http")}}
	if _, err := FromOptions(http); !errors.Is(err, ErrUnsupportedScheme) {
		t.Fatalf("http: %v", err)
	}
}

func TestTargetOptionsRoundTrip(t *testing.T) {
	target, _ := ParseURI("coap://h:4849/a%2Fb/c?x=1&y=2")
	opts := target.Options()
	opts = append(opts, message.Option{ID: message.URIHost, Value: []byte("h")}, message.Option{ID: message.URIPort, Value: []byte{0x12, 0xF1}})
	sort.SliceStable(opts, func(i, j int) bool { return opts[i].ID < opts[j].ID })
	rebuilt, err := fromParts("coap", opts)
	if err != nil || !reflect.DeepEqual(rebuilt, target) {
		t.Fatalf("got %+v %v", rebuilt, err)
	}
}

func FuzzParseURI(f *testing.F) {
	for _, seed := range []string{
		"coap://SSN001350050005E7D6.sim.starfish.test:4849/.well-known/core",
		"coap://h/sys/stats?mod=pwr", "coap://[::1]:1/a%2F?b&c", "http://x", "coap://h#f", "%", "coap://h:99999",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		target, err := ParseURI(raw)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnsupportedScheme) {
				t.Fatalf("%q: unclassified error %v", raw, err)
			}
			return
		}
		if target.Host == "" || target.Port == 0 || target.Scheme != "coap" {
			t.Fatalf("%q: accepted an incomplete target %+v", raw, target)
		}
		// What the proxy forwards must parse back to the same target.
		again, err := ParseURI(target.String())
		if err != nil {
			t.Fatalf("%q → %q does not parse: %v", raw, target.String(), err)
		}
		if again.String() != target.String() {
			t.Fatalf("%q: %q re-parses as %q", raw, target.String(), again.String())
		}
	})
}
