package coapengine

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
)

// ContentFormatDef names a content format of the CoAP registry.
type ContentFormatDef struct {
	Number    int
	MediaType string
	// Short is the name libcoap's coap-client (4.3) takes with -t and -A ("" when it has
	// none: coap-client then silently sends no Content-Format, so a number must be used).
	Short string
}

// ContentFormats are the formats the engine names: RFC 7252's and the common later ones.
var ContentFormats = []ContentFormatDef{
	{ssn.FormatText, "text/plain; charset=utf-8", "text"},
	{ssn.FormatLinkFormat, "application/link-format", "link"},
	{41, "application/xml", "xml"},
	{ssn.FormatOctets, "application/octet-stream", "octet-stream"},
	{47, "application/exi", "exi"},
	{ssn.FormatJSON, "application/json", "json"},
	{51, "application/json-patch+json", ""},
	{52, "application/merge-patch+json", ""},
	{ssn.FormatCBOR, "application/cbor", "cbor"},
	{61, "application/cwt", ""},
	{110, "application/senml+json", ""},
	{111, "application/sensml+json", ""},
	{112, "application/senml+cbor", ""},
	{113, "application/sensml+cbor", ""},
}

// otherFormatNames are further names coap-client accepts.
var otherFormatNames = map[string]int{"plain": ssn.FormatText, "link-format": ssn.FormatLinkFormat, "binary": ssn.FormatOctets, "octet": ssn.FormatOctets}

// ContentFormatName names a content format: its media type, or its number.
func ContentFormatName(n int) string {
	for _, d := range ContentFormats {
		if d.Number == n {
			return d.MediaType
		}
	}
	return strconv.Itoa(n)
}

// ShortFormatName is the name coap-client takes for n, or n as a number.
func ShortFormatName(n int) string {
	for _, d := range ContentFormats {
		if d.Number == n && d.Short != "" {
			return d.Short
		}
	}
	return strconv.Itoa(n)
}

// ParseContentFormat reads a content format as a number (0..65535), a media type or one of
// coap-client's short names.
func ParseContentFormat(s string) (int, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseUint(s, 10, 16); err == nil {
		return int(n), nil
	}
	key := strings.ToLower(s)
	for _, d := range ContentFormats {
		if key == d.Short || key == d.MediaType || key == strings.TrimPrefix(d.MediaType, "application/") || (d.Number == ssn.FormatText && key == "text/plain") {
			return d.Number, nil
		}
	}
	if n, ok := otherFormatNames[key]; ok {
		return n, nil
	}
	return 0, fmt.Errorf("unknown content format %q: give a number (e.g. 60) or a name such as text, json, cbor, link, octet-stream", s)
}
