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

// OptionDef names a CoAP option.
type OptionDef struct {
	Number message.OptionID
	Name   string
	Format OptionFormat
}

// HopLimit is RFC 8768's option, which go-coap does not name.
const HopLimit message.OptionID = 16

// OptionDefs are the options the engine knows by name: RFC 7252, 7641, 7959, 8768, 9175 and
// the no-response option.
var OptionDefs = []OptionDef{
	{message.IfMatch, "If-Match", FormatOpaque},
	{message.URIHost, "Uri-Host", FormatString},
	{message.ETag, "ETag", FormatOpaque},
	{message.IfNoneMatch, "If-None-Match", FormatEmpty},
	{message.Observe, "Observe", FormatUint},
	{message.URIPort, "Uri-Port", FormatUint},
	{message.LocationPath, "Location-Path", FormatString},
	{message.URIPath, "Uri-Path", FormatString},
	{message.ContentFormat, "Content-Format", FormatUint},
	{message.MaxAge, "Max-Age", FormatUint},
	{message.URIQuery, "Uri-Query", FormatString},
	{HopLimit, "Hop-Limit", FormatUint},
	{message.Accept, "Accept", FormatUint},
	{message.LocationQuery, "Location-Query", FormatString},
	{message.Block2, "Block2", FormatUint},
	{message.Block1, "Block1", FormatUint},
	{message.Size2, "Size2", FormatUint},
	{message.ProxyURI, "Proxy-Uri", FormatString},
	{message.ProxyScheme, "Proxy-Scheme", FormatString},
	{message.Size1, "Size1", FormatUint},
	{message.Echo, "Echo", FormatOpaque},
	{message.NoResponse, "No-Response", FormatUint},
	{message.RequestTag, "Request-Tag", FormatOpaque},
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

// DisplayOption renders an option's value for people: numbers for uint options, text for
// string ones, hex for opaque ones (and text that is not printable).
func DisplayOption(o message.Option) string {
	def, _ := LookupOption(strconv.Itoa(int(o.ID)))
	switch def.Format {
	case FormatEmpty:
		return ""
	case FormatUint:
		return strconv.FormatUint(uint64(DecodeUint(o.Value)), 10)
	case FormatString:
		if printable(o.Value) {
			return string(o.Value)
		}
	}
	return "0x" + hex.EncodeToString(o.Value)
}

func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}
