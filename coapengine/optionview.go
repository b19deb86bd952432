package coapengine

import (
	"encoding/hex"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/coap-workbench/coap-workbench/internal/human"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
)

// OptionClass is what an option's number alone says about it (RFC 7252 §5.4.6), which is all
// a recipient knows of an option it does not implement.
type OptionClass struct {
	// Critical: a recipient that does not know the option must reject the message (odd
	// numbers); otherwise it is elective and may be ignored.
	Critical bool
	// Unsafe: a proxy that does not know the option must not forward the message; otherwise
	// it is safe to forward.
	Unsafe bool
	// NoCacheKey: a safe-to-forward option that is not part of the cache key.
	NoCacheKey bool
}

// ClassOf reads the class bits of an option number.
func ClassOf(n message.OptionID) OptionClass {
	c := OptionClass{Critical: n&1 != 0, Unsafe: n&2 != 0}
	c.NoCacheKey = !c.Unsafe && n&0x1e == 0x1c
	return c
}

// String writes the class as "critical, unsafe" or "elective, safe to forward, no cache key".
func (c OptionClass) String() string {
	parts := []string{"elective"}
	if c.Critical {
		parts[0] = "critical"
	}
	if c.Unsafe {
		parts = append(parts, "unsafe")
	} else {
		parts = append(parts, "safe to forward")
	}
	if c.NoCacheKey {
		parts = append(parts, "no cache key")
	}
	return strings.Join(parts, ", ")
}

// OptionView is one option as an inspector shows it.
type OptionView struct {
	Name   string // "Content-Format", or "Option 2049" for one the engine does not know
	Number uint16
	// Value is the value decoded for people: "42 application/octet-stream", "60 s",
	// "num 3 · more · 128 B", "0 register", "seq 17", text for Uri-* and Location-*, 0x-hex
	// for ETag, If-Match and options the engine does not know.
	Value string
	// Hex is the raw value in hex, "2a" ("" for an empty value).
	Hex   string
	Class OptionClass
	// Known is false for an option the engine has no name for.
	Known bool
}

// DescribeOption decodes an option for display. inRequest says whether it is a request's:
// Observe and Size2 mean different things in a request and in a response.
func DescribeOption(o message.Option, inRequest bool) OptionView {
	def, _ := LookupOption(strconv.Itoa(int(o.ID)))
	return OptionView{
		Name:   def.Name,
		Number: uint16(o.ID),
		Value:  DisplayOption(o, inRequest),
		Hex:    hex.EncodeToString(o.Value),
		Class:  ClassOf(o.ID),
		Known:  isKnownOption(o.ID),
	}
}

// DescribeOption decodes a recorded option for display (see the function DescribeOption).
func (o OptionRecord) DescribeOption(inRequest bool) OptionView {
	return DescribeOption(message.Option{ID: message.OptionID(o.Number), Value: o.Value}, inRequest)
}

// DescribeOptions decodes the message's options for display, in their order; whether they
// are a request's is read from the message's code. Entries of any age decode the same way,
// from the values they kept.
func (m MessageRecord) DescribeOptions() []OptionView {
	inRequest := isRequestCode(m.Code)
	out := make([]OptionView, len(m.Options))
	for i, o := range m.Options {
		out[i] = o.DescribeOption(inRequest)
	}
	return out
}

func isRequestCode(c codes.Code) bool { return c >= codes.GET && c <= 31 }

func isKnownOption(n message.OptionID) bool {
	for _, d := range OptionDefs {
		if d.Number == n {
			return true
		}
	}
	return false
}

// DisplayOption renders an option's value for people, decoded by what the option means (see
// OptionView.Value). A value too long for its option's number, or text that is not printable,
// is shown in hex.
func DisplayOption(o message.Option, inRequest bool) string {
	def, _ := LookupOption(strconv.Itoa(int(o.ID)))
	if def.Format == FormatUint && len(o.Value) > 4 {
		return hexValue(o.Value)
	}
	v := DecodeUint(o.Value)
	n := strconv.FormatUint(uint64(v), 10)
	switch o.ID {
	case message.ContentFormat, message.Accept:
		if name := ContentFormatName(int(v)); name != n {
			return n + " " + name
		}
		return n
	case message.MaxAge:
		if v >= 60 {
			return n + " s (" + human.Duration(time.Duration(v)*time.Second) + ")"
		}
		return n + " s"
	case message.Block1, message.Block2:
		return BlockValue(o.ID, v, inRequest)
	case message.Size1, message.Size2:
		if v == 0 && inRequest && o.ID == message.Size2 {
			return "0 (asks for the size)"
		}
		return n + " B"
	case message.Observe:
		switch {
		case inRequest && v == 0:
			return "0 register"
		case inRequest && v == 1:
			return "1 deregister"
		case inRequest:
			return n
		}
		return "seq " + n
	case message.NoResponse:
		return n + " " + noResponseText(v)
	case message.IfMatch:
		if len(o.Value) == 0 {
			return "(empty: if the resource exists)"
		}
	}
	switch def.Format {
	case FormatEmpty:
		if len(o.Value) == 0 {
			return "(empty)"
		}
	case FormatUint:
		return n
	case FormatString:
		if printable(o.Value) {
			return string(o.Value)
		}
	}
	return hexValue(o.Value)
}

func hexValue(b []byte) string {
	if len(b) == 0 {
		return "(empty)"
	}
	return "0x" + hex.EncodeToString(b)
}

// BlockValue decodes a Block1 or Block2 value (RFC 7959 §2.2): "num 3 · more · 128 B". The
// last block of a transfer says so: a Block1 without the more-flag in a request, a Block2
// without it in a response.
func BlockValue(id message.OptionID, v uint32, inRequest bool) string {
	num, more, szx := v>>4, v>>3&1 == 1, v&7
	parts := []string{"num " + strconv.FormatUint(uint64(num), 10)}
	switch {
	case more:
		parts = append(parts, "more")
	case (id == message.Block1) == inRequest:
		parts = append(parts, "last")
	}
	if szx == 7 {
		parts = append(parts, "reserved size (SZX 7)")
	} else {
		parts = append(parts, strconv.Itoa(1<<(szx+4))+" B")
	}
	return strings.Join(parts, " · ")
}

// noResponseText says which answers a No-Response value suppresses (RFC 7967 §2).
func noResponseText(v uint32) string {
	if v == 0 {
		return "(wants every answer)"
	}
	var classes []string
	for _, c := range []struct {
		bit  uint32
		name string
	}{{2, "2.xx"}, {8, "4.xx"}, {16, "5.xx"}} {
		if v&c.bit != 0 {
			classes = append(classes, c.name)
		}
	}
	if len(classes) == 0 {
		return "(suppresses nothing known)"
	}
	return "(no " + strings.Join(classes, ", ") + ")"
}

func printable(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range string(b) {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}
