package views

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/plgd-dev/go-coap/v3/message/codes"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/decode"
	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
)

var inspectorStart = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// powerStatsExchange is a GET of the seed NIC's power statistics answered by the device.
func powerStatsExchange(sleep uint32) coapengine.Exchange {
	body, _ := ssn.PowerStats{TotalTime: 8000, SleepTime: sleep, StandbyTime: 400, RFCTime: 100, TxBytes: 5120, BatteryMicrovolts: 3_600_000}.MarshalBinary()
	return coapengine.Exchange{
		Profile: "embedded", Device: "SSN001350050005E7D6.sim.starfish.test", Path: "/sys/stats?mod=pwr", URI: statsURI,
		Request: coapengine.MessageRecord{Code: codes.GET, Type: "CON"},
		Response: &coapengine.MessageRecord{Code: codes.Content, Type: "ACK", Payload: body, Options: []coapengine.OptionRecord{
			{Number: 12, Name: "Content-Format", Value: []byte{42}, Display: "42 (application/octet-stream)"},
			{Number: 14, Name: "Max-Age", Value: []byte{60}, Display: "60"},
		}},
		Start: inspectorStart, RTT: 312 * time.Millisecond, AnsweredBy: coapengine.AnsweredByDevice, Retransmissions: 1,
	}
}

func newTestInspector(t *testing.T) (*Inspector, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	i := NewInspector(decode.NewRegistry())
	return i, showInTestWindow(t, i.Object(), 700, 600)
}

func TestTheInspectorShowsPowerStatsAsATableWithTheHopThatAnswered(t *testing.T) {
	i, _ := newTestInspector(t)
	if !i.empty.Visible() || !strings.Contains(i.empty.Text, "No response yet") {
		t.Fatalf("empty state %q", i.empty.Text)
	}
	i.Show(powerStatsExchange(6000))
	if i.code.Text != "2.05 Content" || i.Hop() != "answered by the device, through the gateway" {
		t.Fatalf("code %q hop %q", i.code.Text, i.Hop())
	}
	for _, want := range []string{"answered by the device", "RTT 312 ms", "48 bytes", "1 retransmission", "ACK"} {
		if !strings.Contains(i.metrics.Text(), want) {
			t.Fatalf("metrics %q lack %q", i.metrics.Text(), want)
		}
	}
	fields := map[string]string{}
	for _, r := range i.fields.Rows() {
		fields[r[0]] = r[1]
	}
	if fields["bat_voltage"] != "3.600 V (3600000 µV)" || fields["sleep_pct"] != "75.00 %" {
		t.Fatalf("decoded rows %v", fields)
	}
	if row := rowNamed(i.message.Rows(), "Max-Age (14)"); row == nil || row[1] != "60" || row[2] != "3c" {
		t.Fatalf("the Max-Age option in the message view: %v", row)
	}
	if lines := i.hexDump.Lines(); len(lines) != 3 || !strings.HasPrefix(lines[0], "00000000  09 2c 00 00 00 00 1f 40") {
		t.Fatalf("hex view %q", lines)
	}
}

func TestTheInspectorExplainsAGatewayTimeout(t *testing.T) {
	i, _ := newTestInspector(t)
	x := powerStatsExchange(0)
	x.Response = &coapengine.MessageRecord{Code: codes.GatewayTimeout, Type: "ACK"}
	x.AnsweredBy = coapengine.AnsweredByGateway
	x.Explanation = coapengine.Explain(codes.GatewayTimeout, coapengine.AnsweredByGateway)
	i.Show(x)
	if i.code.Text != "5.04 Gateway Timeout" || i.code.Importance != widget.DangerImportance || i.Hop() != "answered by the gateway" {
		t.Fatalf("code %q (%v), hop %q", i.code.Text, i.code.Importance, i.Hop())
	}
	if !i.explain.Visible() || !strings.Contains(i.explain.Text, "did not answer") {
		t.Fatalf("explanation %q", i.explain.Text)
	}
	if i.decoded.Text != "The response has no payload." {
		t.Fatalf("decoded %q", i.decoded.Text)
	}
}

func TestTheDiffComparesWithThePreviousResponseOfTheSameResource(t *testing.T) {
	i, _ := newTestInspector(t)
	at := func(x coapengine.Exchange, seconds int) coapengine.Exchange {
		x.Start = inspectorStart.Add(time.Duration(seconds) * time.Second)
		return x
	}
	i.Show(at(powerStatsExchange(6000), 0))
	if !strings.HasPrefix(diffText(i), "First response of this resource") {
		t.Fatalf("first diff %q", diffText(i))
	}
	i.Show(at(powerStatsExchange(6000), 10))
	if diffText(i) != "Same as the previous response of this resource." {
		t.Fatalf("same diff %q", diffText(i))
	}
	newest := at(powerStatsExchange(7000), 20)
	i.Show(newest)
	removed, added := diffLines(i)
	if len(removed) == 0 || len(removed) != len(added) || !strings.Contains(strings.Join(removed, "\n"), "sleep") {
		t.Fatalf("diff removed %q added %q", removed, added)
	}
	// Shown again (selected twice in the history), it keeps its comparison.
	i.Show(newest)
	if r, a := diffLines(i); len(r) != len(removed) || len(a) != len(added) {
		t.Fatalf("shown again: removed %q added %q", r, a)
	}
	// An old entry is not compared backwards.
	i.Show(at(powerStatsExchange(5000), 5))
	if !strings.HasPrefix(diffText(i), "An older response") {
		t.Fatalf("an old entry: %q", diffText(i))
	}
}

func diffLines(i *Inspector) (removed, added []string) {
	for _, s := range i.diff.Segments() {
		ts := s.(*widget.TextSegment)
		switch {
		case strings.HasPrefix(ts.Text, "- "):
			removed = append(removed, ts.Text)
		case strings.HasPrefix(ts.Text, "+ "):
			added = append(added, ts.Text)
		}
	}
	return removed, added
}

func diffText(i *Inspector) string {
	var b strings.Builder
	for _, s := range i.diff.Segments() {
		b.WriteString(s.(*widget.TextSegment).Text)
	}
	return b.String()
}

// rowNamed is the row whose first cell is name (nil if none is).
func rowNamed(rows [][]string, name string) []string {
	for _, r := range rows {
		if r[0] == name {
			return r
		}
	}
	return nil
}

func TestTheMessageViewShowsTheRequestAsSentAndTheAnswerAsReceived(t *testing.T) {
	i, _ := newTestInspector(t)
	x := powerStatsExchange(6000)
	x.Request.Token = []byte{0x1c, 0x2a}
	x.Request.Options = []coapengine.OptionRecord{{Number: 3, Name: "Uri-Host", Value: []byte("SSN001350050005E7D6.sim.starfish.test"), Display: "SSN001350050005E7D6.sim.starfish.test"}}
	i.Show(x)
	rows := i.message.Rows()
	var sections []string
	for _, r := range rows {
		if strings.HasPrefix(r[0], sectionMark) {
			sections = append(sections, r[0][1:])
		}
	}
	if strings.Join(sections, ", ") != "Request as sent, Answer as received, Exchange" {
		t.Fatalf("sections %q", sections)
	}
	if row := rowNamed(rows, "Token"); row == nil || row[1] != "2 bytes" || row[2] != "1c2a" {
		t.Fatalf("token row %v", row)
	}
	if row := rowNamed(rows, "Uri-Host (3)"); row == nil || row[1] != "SSN001350050005E7D6.sim.starfish.test" {
		t.Fatalf("Uri-Host row %v", row)
	}
	if row := rowNamed(rows, "Retransmissions"); row == nil || row[1] != "1" {
		t.Fatalf("retransmissions row %v", row)
	}
}

func TestANewAnswerIsReadFromItsTop(t *testing.T) {
	i, _ := newTestInspector(t)
	long := powerStatsExchange(6000)
	long.Response.Payload = []byte(strings.Repeat("</sys/stats?mod=pwr>;obs;ct=42,", 200))
	long.Response.Options = nil
	i.Show(long)
	i.SelectView(ViewText)
	i.textS.Refresh()
	i.textS.ScrollToBottom()
	if i.textS.Offset.Y == 0 {
		t.Fatalf("the long text does not scroll: %v in %v", i.textS.Content.Size(), i.textS.Size())
	}
	i.Show(powerStatsExchange(6000))
	if i.textS.Offset.Y != 0 {
		t.Fatalf("the next answer starts %v down", i.textS.Offset.Y)
	}
}
