// Package coapfmt writes CoAP message fields the way people and RFC 7252 write them: codes as
// "2.05", types as "CON". The gateway's traffic stream and the engine's records share it.
package coapfmt

import (
	"fmt"

	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
)

// CodeString formats a code as its class and detail, "2.05".
func CodeString(c codes.Code) string { return fmt.Sprintf("%d.%02d", uint8(c)>>5, uint8(c)&0x1f) }

// TypeName names a message type: CON, NON, ACK or RST ("" for anything else).
func TypeName(t message.Type) string {
	switch t {
	case message.Confirmable:
		return "CON"
	case message.NonConfirmable:
		return "NON"
	case message.Acknowledgement:
		return "ACK"
	case message.Reset:
		return "RST"
	}
	return ""
}
