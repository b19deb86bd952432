package coapengine

import (
	"testing"

	"github.com/plgd-dev/go-coap/v3/message/codes"

	"github.com/coap-workbench/coap-workbench/coapengine/decode"
	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
)

func TestAnErrorsPayloadIsDecodedAsItsDiagnosticText(t *testing.T) {
	reg := decode.NewRegistry()
	x := Exchange{Path: "/snsr/arduino/temp", Response: &MessageRecord{Code: codes.MethodNotAllowed, Payload: []byte("arduino/temp needs a query: ?sens to read")}}
	d := x.Decode(reg)
	if d.Err != nil || d.Text != "arduino/temp needs a query: ?sens to read" {
		t.Fatalf("decoded as %s: %q, %v", d.Decoder, d.Text, d.Err)
	}
	// The same path answered 2.05 goes to the resource's decoder.
	body, _ := ssn.PowerStats{TotalTime: 8, BatteryMicrovolts: 3_000_000}.MarshalBinary()
	ok := Exchange{Path: "/sys/stats?mod=pwr", Response: &MessageRecord{Code: codes.Content, Payload: body}}
	if d := ok.Decode(reg); d.Decoder != "power-stats" || d.Err != nil {
		t.Fatalf("a 2.05 decoded as %s, %v", d.Decoder, d.Err)
	}
}
