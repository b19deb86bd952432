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
	if row := rowNamed(i.message.Rows(), "Max-Age (14)"); row == nil || row[1] != "60 s (1 min)" || row[2] != "3c" {
		t.Fatalf("the Max-Age option in the message view: %v", row)
	}
	if lines := i.hexDump.Lines(); len(lines) != 3 || lines[0] != "0000  09 2c 00 00 00 00 1f 40  00 00 17 70 00 00 01 90  .,.....@...p...." {
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
	changed := i.diff.Rows()
	sleep := rowNamed(changed, "sleep_time")
	if sleep == nil || sleep[1] == sleep[2] || !strings.HasPrefix(sleep[3], "+") || !strings.Contains(diffText(i), "changed") {
		t.Fatalf("the field diff %q (%q): want sleep_time grown", changed, diffText(i))
	}
	if rowNamed(changed, "bat_voltage") != nil {
		t.Fatalf("an unchanged field is listed: %q", changed)
	}
	// Shown again (selected twice in the history), it keeps its comparison.
	i.Show(newest)
	if again := i.diff.Rows(); len(again) != len(changed) {
		t.Fatalf("shown again: %q", again)
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

func diffText(i *Inspector) string { return i.diff.Note() }

func TestTextAnswersAreComparedLineByLine(t *testing.T) {
	i, _ := newTestInspector(t)
	x := powerStatsExchange(0)
	x.Response = &coapengine.MessageRecord{Code: codes.Content, Type: "ACK", Payload: []byte("</a>,\n</b>\n"), Options: []coapengine.OptionRecord{{Number: 12, Name: "Content-Format", Value: []byte{0}}}}
	i.Show(x)
	y := x
	y.Start = x.Start.Add(time.Second)
	y.Response = &coapengine.MessageRecord{Code: codes.Content, Type: "ACK", Payload: []byte("</a>,\n</c>\n"), Options: x.Response.Options}
	i.Show(y)
	removed, added := diffLines(i)
	if len(removed) != 1 || len(added) != 1 || !strings.Contains(removed[0], "</b>") || !strings.Contains(added[0], "</c>") {
		t.Fatalf("line diff: removed %q, added %q", removed, added)
	}
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
	if strings.Join(sections, ", ") != "Request as sent, Answer as received (piggybacked), Exchange" {
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
