package coapfmt

import (
	"testing"

	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
)

func TestCodeString(t *testing.T) {
	for c, want := range map[codes.Code]string{codes.Content: "2.05", codes.Unauthorized: "4.01", codes.ProxyingNotSupported: "5.05", codes.Created: "2.01"} {
		if got := CodeString(c); got != want {
			t.Errorf("%v: %s", c, got)
		}
	}
}

func TestTypeName(t *testing.T) {
	for typ, want := range map[message.Type]string{message.Confirmable: "CON", message.NonConfirmable: "NON", message.Acknowledgement: "ACK", message.Reset: "RST", message.Type(9): ""} {
		if got := TypeName(typ); got != want {
			t.Errorf("%v: %q", typ, got)
		}
	}
}
