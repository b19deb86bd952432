package coapengine

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/plgd-dev/go-coap/v3/message"
)

// OptionFormat is how an option's value is written (RFC 7252 §3.2).
type OptionFormat int

// The option value formats.
const (
	FormatEmpty OptionFormat = iota
	FormatOpaque
	FormatUint
	FormatString
)

// String names the format as RFC 7252 §3.2 does: "empty", "opaque", "uint" or "string".
func (f OptionFormat) String() string {
	switch f {
	case FormatEmpty:
		return "empty"
	case FormatUint:
		return "uint"
	case FormatString:
		return "string"
	}
	return "opaque"
}

// OptionDef names a CoAP option and says how it is used: what an option picker lists.
type OptionDef struct {
	Number message.OptionID
	Name   string
	Format OptionFormat
	// Repeatable options may occur more than once in a message (Uri-Path, ETag ...).
	Repeatable bool
	// Description says in one line what the option is for.
	Description string
}

// Derived reports whether the engine sets the option itself, from the request's URI, route,
// formats or block-wise transfer (Uri-*, Proxy-*, Content-Format, Accept, Block1/2,
// Size1/2): a composer offers the field that sets it rather than a raw option.
func (d OptionDef) Derived() bool { return derivedOptions[d.Number] }

// HopLimit is RFC 8768's option, which go-coap does not name.
const HopLimit message.OptionID = 16

// OptionDefs are the options the engine knows by name, in the order of their numbers: RFC
// 7252, 7641, 7959, 8768, 9175 and the no-response option (RFC 7967).
var OptionDefs = []OptionDef{
	{Number: message.IfMatch, Name: "If-Match", Format: FormatOpaque, Repeatable: true, Description: "Act only if the resource's ETag is one of these (an empty value: only if it exists)"},
	{Number: message.URIHost, Name: "Uri-Host", Format: FormatString, Description: "Host of the target (set from the URI)"},
	{Number: message.ETag, Name: "ETag", Format: FormatOpaque, Repeatable: true, Description: "Version tag of a representation: in a request, the versions the client already holds"},
	{Number: message.IfNoneMatch, Name: "If-None-Match", Format: FormatEmpty, Description: "Act only if the resource does not exist yet (create, never overwrite)"},
	{Number: message.Observe, Name: "Observe", Format: FormatUint, Description: "0 registers for notifications, 1 deregisters; in a notification, its sequence number"},
	{Number: message.URIPort, Name: "Uri-Port", Format: FormatUint, Description: "Port of the target (set from the URI)"},
	{Number: message.LocationPath, Name: "Location-Path", Format: FormatString, Repeatable: true, Description: "Where a created resource lives: one path segment each"},
	{Number: message.URIPath, Name: "Uri-Path", Format: FormatString, Repeatable: true, Description: "One segment of the target's path (set from the URI)"},
	{Number: message.ContentFormat, Name: "Content-Format", Format: FormatUint, Description: "Format of the payload, e.g. 42 application/octet-stream (set from the payload's format)"},
	{Number: message.MaxAge, Name: "Max-Age", Format: FormatUint, Description: "Seconds the answer stays fresh (60 when absent)"},
	{Number: message.URIQuery, Name: "Uri-Query", Format: FormatString, Repeatable: true, Description: "One item of the target's query (set from the URI)"},
	{Number: HopLimit, Name: "Hop-Limit", Format: FormatUint, Description: "Proxy hops the request may still take before it is dropped (16 when absent)"},
	{Number: message.Accept, Name: "Accept", Format: FormatUint, Description: "Format the client wants the answer in (set from the Accept field)"},
	{Number: message.LocationQuery, Name: "Location-Query", Format: FormatString, Repeatable: true, Description: "Query of a created resource: one item each"},
	{Number: message.Block2, Name: "Block2", Format: FormatUint, Description: "Block of the answer: number, more-flag and size (set by block-wise transfers)"},
	{Number: message.Block1, Name: "Block1", Format: FormatUint, Description: "Block of the request's payload: number, more-flag and size (set by block-wise transfers)"},
	{Number: message.Size2, Name: "Size2", Format: FormatUint, Description: "Size of the whole answer in bytes; 0 in a request asks for it"},
	{Number: message.ProxyURI, Name: "Proxy-Uri", Format: FormatString, Description: "The whole target URI, for a forward proxy (set from the URI and the gateway)"},
	{Number: message.ProxyScheme, Name: "Proxy-Scheme", Format: FormatString, Description: "Scheme of the target for a proxy, with Uri-Host, Uri-Port and Uri-Path (set from the URI)"},
	{Number: message.Size1, Name: "Size1", Format: FormatUint, Description: "Size of the whole request payload in bytes; in a 4.13 answer, the largest accepted"},
	{Number: message.Echo, Name: "Echo", Format: FormatOpaque, Description: "Freshness value from the server, to be sent back with the request (RFC 9175)"},
	{Number: message.NoResponse, Name: "No-Response", Format: FormatUint, Description: "Answers the client does not want: 2 for 2.xx, 8 for 4.xx, 16 for 5.xx, added up (RFC 7967)"},
	{Number: message.RequestTag, Name: "Request-Tag", Format: FormatOpaque, Repeatable: true, Description: "Tells apart block-wise uploads of one client to one resource (RFC 9175)"},
}

// LookupOption finds an option by name (case-insensitive, with or without dashes) or number.
func LookupOption(nameOrNumber string) (OptionDef, bool) {
	if n, err := strconv.ParseUint(strings.TrimSpace(nameOrNumber), 10, 16); err == nil {
		for _, d := range OptionDefs {
			if d.Number == message.OptionID(n) {
				return d, true
			}
		}
		return OptionDef{Number: message.OptionID(n), Name: fmt.Sprintf("Option %d", n), Format: FormatOpaque}, true
	}
	key := normaliseName(nameOrNumber)
	for _, d := range OptionDefs {
		if normaliseName(d.Name) == key {
			return d, true
		}
	}
	return OptionDef{}, false
}

// OptionName names an option number.
func OptionName(n message.OptionID) string {
	d, _ := LookupOption(strconv.Itoa(int(n)))
	return d.Name
}

func normaliseName(s string) string {
	return strings.ToLower(strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.TrimSpace(s)))
}

// ParseOption reads an option as a person writes it: "NAME_OR_NUMBER,VALUE" (coap-client's -O)
// or "NAME=VALUE". A value "0x..." is hex; otherwise a uint option takes a decimal number and
// any other option the text itself.
func ParseOption(spec string) (message.Option, error) {
	name, value, ok := strings.Cut(spec, ",")
	if !ok {
		name, value, ok = strings.Cut(spec, "=")
	}
	def, found := LookupOption(name)
	if !found {
		return message.Option{}, fmt.Errorf("option %q: unknown name (use a number, e.g. 2049,text, or a name such as Max-Age)", name)
	}
	if !ok {
		if def.Format != FormatEmpty && def.Format != FormatOpaque {
			return message.Option{}, fmt.Errorf("option %s needs a value: %s,VALUE", def.Name, def.Name)
		}
		return message.Option{ID: def.Number}, nil
	}
	v, err := OptionValue(def, value)
	if err != nil {
		return message.Option{}, err
	}
	return message.Option{ID: def.Number, Value: v}, nil
}

// OptionValue encodes a value for the option def.
func OptionValue(def OptionDef, value string) ([]byte, error) {
	if strings.HasPrefix(value, "0x") || strings.HasPrefix(value, "0X") {
		b, err := hex.DecodeString(value[2:])
		if err != nil {
			return nil, fmt.Errorf("option %s: %q is not hex: %w", def.Name, value, err)
		}
		return b, nil
	}
	switch def.Format {
	case FormatUint:
		n, err := strconv.ParseUint(strings.TrimSpace(value), 10, 32)
		if err != nil {
			return nil, fmt.Errorf("option %s takes a number, not %q", def.Name, value)
		}
		return EncodeUint(uint32(n)), nil
	case FormatEmpty:
		if value != "" {
			return nil, fmt.Errorf("option %s takes no value", def.Name)
		}
		return nil, nil
	}
	return []byte(value), nil
}

// EncodeUint encodes a uint option value in the fewest bytes.
func EncodeUint(v uint32) []byte {
	buf := make([]byte, 4)
	n, _ := message.EncodeUint32(buf, v)
	return buf[:n]
}

// DecodeUint reads a uint option value (big-endian, without leading zeros).
func DecodeUint(b []byte) uint32 {
	var v uint32
	for _, c := range b {
		v = v<<8 | uint32(c)
	}
	return v
}
