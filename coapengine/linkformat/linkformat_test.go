package linkformat

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestRFC6690Examples(t *testing.T) {
	// RFC 6690 §5, examples 1 and 2.
	links, err := Parse(`</sensors/temp>;if="sensor",</sensors/light>;if="sensor"`)
	if err != nil || len(links) != 2 || links[1].Target != "/sensors/light" || links[1].Interfaces()[0] != "sensor" {
		t.Fatalf("example 1: %+v %v", links, err)
	}
	links, err = Parse(`</sensors/temp>;rt="temperature-c";if="sensor",` + "\n" +
		`</sensors/light>;rt="light-lux";if="sensor",` +
		`<http://www.example.com/sensors/t123>;anchor="/sensors/temp";rel="describedby",` +
		`</t>;anchor="/sensors/temp";rel="alternate"`)
	if err != nil || len(links) != 4 {
		t.Fatalf("example 2: %d links, %v", len(links), err)
	}
	if a, _ := links[2].Get("anchor"); a != "/sensors/temp" || links[2].Target != "http://www.example.com/sensors/t123" {
		t.Fatalf("anchor: %+v", links[2])
	}
}

func TestQuotedValuesHoldCommasSemicolonsAndEscapes(t *testing.T) {
	links, err := Parse(`</a>;title="one, two; three";rt="x \"quoted\" \\ y",</b>;ct="40 50";obs;sz=512`)
	if err != nil || len(links) != 2 {
		t.Fatalf("%+v %v", links, err)
	}
	if got := links[0].Title(); got != "one, two; three" {
		t.Fatalf("title %q", got)
	}
	if got, _ := links[0].Get("rt"); got != `x "quoted" \ y` {
		t.Fatalf("rt %q", got)
	}
	if !reflect.DeepEqual(links[1].ContentFormats(), []int{40, 50}) || !links[1].Observable() {
		t.Fatalf("ct %v obs %v", links[1].ContentFormats(), links[1].Observable())
	}
	if sz, ok := links[1].Size(); !ok || sz != 512 {
		t.Fatalf("sz %d %v", sz, ok)
	}
}

func TestRepeatedAndMultiValueAttributes(t *testing.T) {
	links, _ := Parse(`</x>;rt="core.s core.p";rt=extra;IF=a;If="b c"`)
	if got := links[0].ResourceTypes(); !reflect.DeepEqual(got, []string{"core.s", "core.p", "extra"}) {
		t.Fatalf("rt %v", got)
	}
	if got := links[0].Interfaces(); !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Fatalf("if (names are case-insensitive) %v", got)
	}
}

// The HDK's reference server ends every link with ";," and the list with a comma.
func TestHDKQuirksAreTolerated(t *testing.T) {
	doc := `</sys>;if="sys";title="System";ct=42;rev=1;,</arduino>;if="arduino";title="Arduino Sensors";ct=42;,`
	links, err := Parse(doc)
	if err != nil || len(links) != 2 {
		t.Fatalf("%+v %v", links, err)
	}
	if links[1].Title() != "Arduino Sensors" || links[0].ContentFormats()[0] != 42 {
		t.Fatalf("%+v", links)
	}
	if _, err := Parse(" , ,</a>,,</b>;;;,  "); err != nil {
		t.Fatalf("stray separators: %v", err)
	}
}

func TestSyntaxErrors(t *testing.T) {
	for _, bad := range []string{`/a>`, `</a`, `</a>;title="open`, `</a>;title="x\`, `</a> junk`, `</a>;=x`, `<"a">`} {
		links, err := Parse(bad)
		var se *SyntaxError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), "link format") {
			t.Errorf("%q: %v (%d links)", bad, err, len(links))
		}
	}
	links, err := Parse(`</good>,</bad`)
	if err == nil || len(links) != 1 || links[0].Target != "/good" {
		t.Fatalf("links before an error must be kept: %+v %v", links, err)
	}
}

func TestResolve(t *testing.T) {
	cases := map[[2]string]string{
		{"/sys/stats?mod=pwr", "/.well-known/core"}: "/sys/stats?mod=pwr",
		{"info", "/snsr/sys/"}:                      "/snsr/sys/info",
		{"../x", "/snsr/sys/info"}:                  "/snsr/x",
		{"coap://other:5683/y", "/"}:                "coap://other:5683/y",
	}
	for in, want := range cases {
		got, err := Link{Target: in[0]}.Resolve(in[1])
		if err != nil || got != want {
			t.Errorf("%v: %q %v", in, got, err)
		}
	}
}

func TestFormatRoundTrip(t *testing.T) {
	doc := `</a>;rt="x y";title="a, b";obs;ct=40,</b/c?d=1>;if=sensor;title="q\"uote"`
	links, err := Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse(Format(links))
	if err != nil || !reflect.DeepEqual(again, links) {
		t.Fatalf("%s\n%+v\n%+v %v", Format(links), links, again, err)
	}
}

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`</sys/stats?mod=pwr>;rt="ssn.stats.pwr";if="core.s";ct=42;obs;title="Power statistics"`,
		`</sys>;if="sys";title="System";ct=42;rev=1;,</arduino>;if="arduino";ct=42;,`,
		`</a>;title="x, y";rt="\"q\""`, `<`, `</a>;t="`, `,,,`, `</a>;b=c;d`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		links, err := Parse(doc)
		if err != nil {
			return
		}
		// What parses must format and parse back to the same links.
		again, err := Parse(Format(links))
		if err != nil {
			t.Fatalf("%q formats to %q, which does not parse: %v", doc, Format(links), err)
		}
		if !reflect.DeepEqual(again, links) {
			t.Fatalf("%q: round trip changed\n%+v\n%+v", doc, links, again)
		}
	})
}
