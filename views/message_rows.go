package views

import (
	"fmt"

	"github.com/plgd-dev/go-coap/v3/message/codes"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/internal/coapfmt"
	"github.com/coap-workbench/coap-workbench/internal/human"
)

// messageRows are the Message view's rows: the request as sent and the answer as received,
// field by field as Wireshark's packet details show them (type, code, token, every option
// by name with its decoded value and its bytes, the payload's size), then what the exchange
// took.
func messageRows(x coapengine.Exchange) [][]string {
	rows := [][]string{{sectionMark + "Request as sent", "", ""}}
	rows = append(rows, messageRecordRows(x.Request)...)
	if x.Response != nil {
		title := "Answer as received"
		if d := x.ResponseDelivery(); d != "" {
			title += " (" + d + ")"
		}
		rows = append(rows, []string{sectionMark + title, "", ""})
		rows = append(rows, messageRecordRows(*x.Response)...)
	} else {
		rows = append(rows, []string{sectionMark + "No answer", "", ""})
		if x.Err != "" {
			rows = append(rows, []string{"Error", x.Err, ""})
		}
	}
	if len(x.Wire) > 0 {
		rows = append(rows, []string{sectionMark + "Datagrams, in order", "", ""})
		for _, w := range x.Wire {
			rows = append(rows, []string{"+" + human.RTT(w.At), w.String(), ""})
		}
		if x.WireOmitted > 0 {
			rows = append(rows, []string{"…", human.Plural(x.WireOmitted, "more datagram") + " not kept", ""})
		}
	}
	rows = append(rows, []string{sectionMark + "Exchange", "", ""},
		[]string{"Sent at", x.Start.Local().Format("2006-01-02 15:04:05.000"), ""},
		[]string{"Round trip", human.RTT(x.RTT), ""},
		[]string{"Retransmissions", fmt.Sprint(x.Retransmissions), ""},
	)
	if x.Blocks > 0 {
		rows = append(rows, []string{"Blocks", fmt.Sprint(x.Blocks), ""})
	}
	if h := hopOf(x.AnsweredBy); h != "" {
		rows = append(rows, []string{"Answered by", h, ""})
	}
	if x.Notification {
		rows = append(rows, []string{"Notification", fmt.Sprintf("#%d of an observation", x.ObserveSeq), ""})
	}
	rows = append(rows, []string{"Profile", x.Profile, ""}, []string{"URI", x.URI, ""})
	return rows
}

// messageRecordRows are one message's rows.
func messageRecordRows(m coapengine.MessageRecord) [][]string {
	rows := [][]string{
		{"Type", m.Type, ""},
		{"Code", coapfmt.CodeString(m.Code) + " " + codeWords(m.Code), fmt.Sprintf("%02x", uint8(m.Code))},
	}
	if m.MessageID != nil {
		rows = append(rows, []string{"Message ID", coapengine.MessageIDText(*m.MessageID), fmt.Sprintf("%04x", *m.MessageID)})
	}
	if len(m.Token) > 0 {
		rows = append(rows, []string{"Token", human.Plural(len(m.Token), "byte"), fmt.Sprintf("%x", m.Token)})
	} else {
		rows = append(rows, []string{"Token", "empty", ""})
	}
	for _, o := range m.DescribeOptions() {
		value := o.Value
		if !o.Known {
			value += " (" + o.Class.String() + ")"
		}
		rows = append(rows, []string{fmt.Sprintf("%s (%d)", o.Name, o.Number), value, o.Hex})
	}
	rows = append(rows, []string{"Payload", human.Plural(len(m.Payload), "byte"), ""})
	return rows
}

// codeWords names a request's method or a response's code.
func codeWords(c codes.Code) string {
	if c >= codes.GET && c < 32 {
		return coapengine.MethodName(c)
	}
	return coapengine.CodeName(c)
}
