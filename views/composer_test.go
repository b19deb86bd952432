package views

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
)

const statsURI = "coap://SSN001350050005E7D6.sim.starfish.test:4849/sys/stats?mod=pwr"

func newTestComposer(t *testing.T) (*Composer, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	c := NewComposer(func(typed string) []string {
		var out []string
		for _, u := range []string{statsURI, "coap://SSN001350050005E7D6.sim.starfish.test:4849/snsr/arduino/temp"} {
			if strings.Contains(u, typed) {
				out = append(out, u)
			}
		}
		return out
	})
	return c, showInTestWindow(t, c.Object(), 700, 700)
}

func TestTypingAURIAndPressingSendSendsIt(t *testing.T) {
	c, _ := newTestComposer(t)
	var sent []ComposedRequest
	c.OnSend = func(r ComposedRequest) { sent = append(sent, r) }
	if !c.SendButton().Disabled() || !strings.Contains(c.SendReason(), "enter a URI") {
		t.Fatalf("an empty composer: send enabled=%v, reason %q", !c.SendButton().Disabled(), c.SendReason())
	}
	test.Type(c.URIEntry(), statsURI)
	if c.SendButton().Disabled() {
		t.Fatalf("send disabled for a valid URI: %q", c.SendReason())
	}
	test.Tap(c.SendButton())
	if len(sent) != 1 || sent[0].Request.Method != codes.GET || sent[0].Request.URI != statsURI || sent[0].Observe {
		t.Fatalf("sent %+v", sent)
	}
	if sent[0].Request.Timeout != 45*time.Second {
		t.Fatalf("timeout %v", sent[0].Request.Timeout)
	}
}

func TestTheURIBoxCompletesFromTheTree(t *testing.T) {
	c, _ := newTestComposer(t)
	test.Type(c.URIEntry(), "arduino")
	if opts := c.Completions(); len(opts) != 1 || !strings.HasSuffix(opts[0], "/snsr/arduino/temp") {
		t.Fatalf("completions %q", opts)
	}
}

func TestInvalidInputIsMarkedInPlaceAndSendSaysWhy(t *testing.T) {
	c, _ := newTestComposer(t)
	cases := []struct {
		name   string
		set    func()
		where  func() string
		reason string
	}{
		{"not a coap URI", func() { c.SetURI("http://example.net/") }, func() string { return c.Hint() }, "coap"},
		{"bad hex", func() { c.SetURI(statsURI); c.SetMethod(codes.PUT); c.SetPayload(modeHex, "zz") }, func() string { return c.payloadError.Text }, "hex"},
		{"bad JSON", func() { c.SetPayload(modeJSON, "{oops") }, func() string { return c.payloadError.Text }, "JSON"},
		{"an unknown option name", func() { c.SetPayload(modeText, ""); c.AddOption("Colour", valueText, "red") }, func() string { return c.options[0].problem.Text }, "give its number"},
		{"a uint option with text", func() {
			c.options[0].name.SetText("Max-Age")
			c.options[0].format.SetSelected(valueUint)
			c.options[0].value.SetText("soon")
		}, func() string { return c.options[0].problem.Text }, "not a number"},
		{"a bad timeout", func() { c.options[0].value.SetText("60"); c.timeout.SetText("-3") }, func() string { return c.otherError.Text }, "timeout"},
		{"a long token", func() { c.timeout.SetText("45"); c.token.SetText("123456789") }, func() string { return c.otherError.Text }, "at most 8 bytes"},
		{"observing a PUT", func() { c.token.SetText(""); c.SetObserve(true) }, func() string { return c.otherError.Text }, "only a GET or a FETCH"},
	}
	for _, tc := range cases {
		tc.set()
		if !strings.Contains(tc.where(), tc.reason) {
			t.Fatalf("%s: marked %q, want it to mention %q", tc.name, tc.where(), tc.reason)
		}
		if !c.SendButton().Disabled() || !strings.Contains(c.SendReason(), tc.reason) {
			t.Fatalf("%s: send enabled=%v, reason %q", tc.name, !c.SendButton().Disabled(), c.SendReason())
		}
	}
	c.SetObserve(false)
	if c.SendButton().Disabled() {
		t.Fatalf("after fixing everything send is still disabled: %q", c.SendReason())
	}
	r, _ := c.Request()
	if len(r.Request.Options) != 1 || r.Request.Options[0].ID != message.MaxAge || !bytes.Equal(r.Request.Options[0].Value, []byte{60}) {
		t.Fatalf("options %+v", r.Request.Options)
	}
}

func TestJSONPayloadsAreSentAsCBORWithAPreview(t *testing.T) {
	c, _ := newTestComposer(t)
	c.SetMethod(codes.PUT)
	c.SetURI(statsURI)
	c.SetPayload(modeJSON, `{"interval": 60, "unit": "s"}`)
	r, ok := c.Request()
	if !ok {
		t.Fatalf("invalid: %q", c.SendReason())
	}
	// Deterministic CBOR (RFC 8949 §4.2): the shorter key first.
	want := []byte{0xa2, 0x64, 'u', 'n', 'i', 't', 0x61, 's', 0x68, 'i', 'n', 't', 'e', 'r', 'v', 'a', 'l', 0x18, 60}
	if !bytes.Equal(r.Request.Payload, want) {
		t.Fatalf("payload % x, want % x", r.Request.Payload, want)
	}
	if c.preview.Text != `19 bytes of CBOR: {"unit": "s", "interval": 60}` {
		t.Fatalf("preview %q", c.preview.Text)
	}
}

func TestCopyAsCoapClientAndPasteItBackGiveTheSameRequest(t *testing.T) {
	c, _ := newTestComposer(t)
	c.Gateway = func() (string, int) { return "127.0.0.1:5683", 40000 }
	req := coapengine.NewRequest(codes.PUT, "coap://SSN001350050005E7D6.sim.starfish.test:4849/snsr/sys/time")
	req.NonConfirmable = true
	req.ContentFormat = 42
	req.Accept = 0
	req.BlockSize = 64
	req.Timeout = 10 * time.Second
	req.Token = []byte("tok1")
	req.Options = []message.Option{{ID: message.ETag, Value: []byte{0xca, 0xfe}}, {ID: 2000, Value: []byte("x")}}
	req.Payload = []byte{0x01, 0x02, 0xff}
	c.SetRequest(ComposedRequest{Request: req})
	before, ok := c.Request()
	if !ok {
		t.Fatalf("invalid after SetRequest: %q", c.SendReason())
	}
	var note string
	c.Notify = func(s string) { note = s }
	c.CopyAsCoapClient()
	line := fyne.CurrentApp().Clipboard().Content()
	if !strings.HasPrefix(line, "coap-client ") || !strings.Contains(note, line) {
		t.Fatalf("clipboard %q, note %q", line, note)
	}
	if !strings.Contains(line, "-P coap://127.0.0.1:5683") || !strings.Contains(line, "-p 40000") {
		t.Fatalf("the line does not name the gateway and client port: %q", line)
	}

	c.SetRequest(ComposedRequest{Request: coapengine.NewRequest(codes.GET, "coap://elsewhere/")})
	if err := c.PasteCoapClient(line); err != nil {
		t.Fatal(err)
	}
	after, _ := c.Request()
	b, a := before.Request, after.Request
	if a.Method != b.Method || a.URI != b.URI || a.NonConfirmable != b.NonConfirmable || a.ContentFormat != b.ContentFormat ||
		a.Accept != b.Accept || a.BlockSize != b.BlockSize || !bytes.Equal(a.Token, b.Token) || !bytes.Equal(a.Payload, b.Payload) || len(a.Options) != len(b.Options) {
		t.Fatalf("round trip changed the request:\nbefore %+v\nafter  %+v", b, a)
	}
	for i := range a.Options {
		if a.Options[i].ID != b.Options[i].ID || !bytes.Equal(a.Options[i].Value, b.Options[i].Value) {
			t.Fatalf("option %d: %+v, want %+v", i, a.Options[i], b.Options[i])
		}
	}
	if err := c.PasteCoapClient("curl http://example.net"); err == nil {
		t.Fatal("a curl line was accepted")
	}
}

func TestThePasteDialogStaysOpenWithTheReason(t *testing.T) {
	c, w := newTestComposer(t)
	fyne.CurrentApp().Clipboard().SetContent("coap-client -m get coap://[::1]/x")
	c.ShowPasteDialog()
	overlay := w.Canvas().Overlays().Top()
	if overlay == nil {
		t.Fatal("no dialog")
	}
	var entry *DialogEntry
	for _, o := range test.LaidOutObjects(overlay) {
		if e, ok := o.(*DialogEntry); ok && e.MultiLine {
			entry = e
		}
	}
	if entry == nil || entry.Text != "coap-client -m get coap://[::1]/x" {
		t.Fatalf("the dialog does not offer the clipboard's command: %+v", entry)
	}
	entry.SetText("coap-client -m frobnicate coap://[::1]/x")
	test.Tap(findButton(overlay, "Import"))
	if w.Canvas().Overlays().Top() == nil || !hasLabelContaining(overlay, "frobnicate") {
		t.Fatal("a bad command closed the dialog or gave no reason")
	}
	entry.SetText("coap-client -m delete coap://[::1]/x")
	test.Tap(findButton(overlay, "Import"))
	if r, _ := c.Request(); r.Request.Method != codes.DELETE || r.Request.URI != "coap://[::1]/x" {
		t.Fatalf("imported %+v", r.Request)
	}
}

// hasLabelContaining reports whether a label under o shows text within its own.
func hasLabelContaining(o fyne.CanvasObject, text string) bool {
	for _, x := range test.LaidOutObjects(o) {
		if l, ok := x.(*widget.Label); ok && l.Visible() && strings.Contains(l.Text, text) {
			return true
		}
	}
	return false
}

func TestAPastedUnregisteredContentFormatIsKept(t *testing.T) {
	c, _ := newTestComposer(t)
	c.contentFormat.SetSelected("60 application/cbor")
	if err := c.PasteCoapClient("coap-client -m put -t 11542 -A 65000 -e x coap://[::1]/cfg"); err != nil {
		t.Fatal(err)
	}
	r, ok := c.Request()
	if !ok || r.Request.ContentFormat != 11542 || r.Request.Accept != 65000 {
		t.Fatalf("content format %d, accept %d (valid %v: %q)", r.Request.ContentFormat, r.Request.Accept, ok, c.SendReason())
	}
}

func TestAPastedObserveDurationIsKeptAndCopiedBack(t *testing.T) {
	c, _ := newTestComposer(t)
	if err := c.PasteCoapClient("coap-client -m get -s 20 " + statsURI); err != nil {
		t.Fatal(err)
	}
	r, ok := c.Request()
	if !ok || !r.Observe || r.ObserveFor != 20*time.Second {
		t.Fatalf("pasted -s 20: observe %v for %v (valid %v: %q)", r.Observe, r.ObserveFor, ok, c.SendReason())
	}
	if !strings.Contains(c.Hint(), "observing for 20 s") {
		t.Fatalf("hint %q", c.Hint())
	}
	line, _ := c.CoapClientLine()
	if !strings.Contains(line, "-s 20") {
		t.Fatalf("copied back as %q", line)
	}
}

func TestANewOptionRowIsCheckedWhenItsFieldIsLeftNotWhenItIsAdded(t *testing.T) {
	c, w := newTestComposer(t)
	c.SetURI(statsURI)
	c.addRow("", valueText, "", false)
	if c.SendButton().Disabled() || c.options[0].problem.Visible() {
		t.Fatalf("an empty new row: send disabled %v, marked %q", c.SendButton().Disabled(), c.options[0].problem.Text)
	}
	w.Canvas().Focus(c.options[0].name)
	test.Type(c.options[0].name, "Colour")
	if c.options[0].problem.Visible() {
		t.Fatalf("marked while typing: %q", c.options[0].problem.Text)
	}
	if !c.SendButton().Disabled() || !strings.Contains(c.SendReason(), "give its number") {
		t.Fatalf("send enabled with an unknown option, reason %q", c.SendReason())
	}
	w.Canvas().Unfocus()
	if !c.options[0].problem.Visible() || !strings.Contains(c.options[0].problem.Text, "give its number") {
		t.Fatalf("left the field: marked %q", c.options[0].problem.Text)
	}
	c.options[0].name.SetText("Max-Age (14)")
	c.options[0].value.SetText("60")
	r, ok := c.Request()
	if !ok || len(r.Request.Options) != 1 || r.Request.Options[0].ID != message.MaxAge {
		t.Fatalf("a picked option: %+v (valid %v)", r.Request.Options, ok)
	}
	if !c.options[0].about.Visible() || c.options[0].about.Text == "" {
		t.Fatal("a known option does not say what it is for")
	}
}

func TestAGetWithAPayloadIsSentWithAWarning(t *testing.T) {
	c, _ := newTestComposer(t)
	c.SetURI(statsURI)
	c.SetPayload(modeText, "hello")
	if c.SendButton().Disabled() || !strings.Contains(c.Hint(), "with a payload") {
		t.Fatalf("send disabled %v, hint %q", c.SendButton().Disabled(), c.Hint())
	}
	r, _ := c.Request()
	if string(r.Request.Payload) != "hello" {
		t.Fatalf("payload %q", r.Request.Payload)
	}
}

func TestTheClockPresetIsBuiltAgainAtTheTimeOfSending(t *testing.T) {
	c, _ := newTestComposer(t)
	at := time.Date(2026, 12, 2, 18, 0, 0, 0, time.UTC)
	c.clock = func() time.Time { return at }
	c.SetURI("coap://SSN001350050005E7D6.sim.starfish.test:4849/snsr/sys/time")
	c.UsePreset(coapengine.SSNPresets()[0])
	first, ok := c.Request()
	if !ok || first.Request.Method != codes.PUT || len(first.Request.Payload) != ssn.TimeSetSize || !strings.Contains(c.preview.Text, "clock record") {
		t.Fatalf("the preset: %+v (valid %v), preview %q", first.Request, ok, c.preview.Text)
	}
	at = at.Add(7 * time.Second) // sent a while after it was chosen
	var sent ComposedRequest
	c.OnSend = func(r ComposedRequest) { sent = r }
	c.Send()
	var a, b ssn.TimeSet
	if a.UnmarshalBinary(first.Request.Payload) != nil || b.UnmarshalBinary(sent.Request.Payload) != nil || !b.Time().Equal(a.Time().Add(7*time.Second)) {
		t.Fatalf("sent the clock record %x, built %x at first", sent.Request.Payload, first.Request.Payload)
	}
}
