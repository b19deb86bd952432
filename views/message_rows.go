package views

import (
	"fmt"

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
		rows = append(rows, []string{sectionMark + "Answer as received", "", ""})
		rows = append(rows, messageRecordRows(*x.Response)...)
	} else {
		rows = append(rows, []string{sectionMark + "No answer", "", ""})
		if x.Err != "" {
			rows = append(rows, []string{"Error", x.Err, ""})
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
		{"Code", coapfmt.CodeString(m.Code) + " " + coapengine.CodeName(m.Code), fmt.Sprintf("%02x", uint8(m.Code))},
	}
	if len(m.Token) > 0 {
		rows = append(rows, []string{"Token", human.Plural(len(m.Token), "byte"), fmt.Sprintf("%x", m.Token)})
	} else {
		rows = append(rows, []string{"Token", "empty", ""})
	}
	for _, o := range m.Options {
		rows = append(rows, []string{fmt.Sprintf("%s (%d)", o.Name, o.Number), o.Display, fmt.Sprintf("%x", o.Value)})
	}
	rows = append(rows, []string{"Payload", human.Plural(len(m.Payload), "byte"), ""})
	return rows
}
