// Package decode turns CoAP payloads into something a person can read and a chart can plot. A
// Registry picks the decoder by resource first (the Starfish devices' binary records say nothing
// about themselves) and by content format second: text, link format, JSON (pretty), CBOR in
// diagnostic notation, a hex dump for anything else; and the SSN decoders — power statistics,
// the Device IC's clock, its CoAP statistics, sensor readings, system information and events —
// with named fields, units and derived values.
package decode

import (
	"strings"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
)

// Input is a payload and what is known about it.
type Input struct {
	// Path is the resource's path and query on the device, e.g. "/sys/stats?mod=pwr".
	Path string
	// ContentFormat is the response's Content-Format, or -1 when it had none.
	ContentFormat int
	Payload       []byte
	// ReceivedAt is when the payload arrived (the reference for clock drift).
	ReceivedAt time.Time
}

// Field is one named value of a decoded payload: a row of a table, a series of a chart.
type Field struct {
	Name    string  `json:"name"`
	Display string  `json:"display"`         // the value as shown, with its unit
	Value   float64 `json:"value,omitempty"` // the value as a number, when Numeric
	Numeric bool    `json:"numeric,omitempty"`
	Unit    string  `json:"unit,omitempty"` // "s", "V", "%", "B", ... ("" for plain counts and text)
}

// Decoded is a payload decoded for display.
type Decoded struct {
	// Decoder names the decoder that produced it, e.g. "power-stats" or "cbor".
	Decoder string
	// Text is the rendering for a text view: several lines for records.
	Text string
	// Fields are the named values, for tables and charts (empty for plain text).
	Fields []Field
	// Err says why the payload could not be decoded as its decoder expected; Text then holds
	// a hex dump so that nothing is hidden.
	Err error
}

// Number returns the numeric field called name.
func (d Decoded) Number(name string) (float64, bool) {
	for _, f := range d.Fields {
		if f.Name == name && f.Numeric {
			return f.Value, true
		}
	}
	return 0, false
}

// Decoder decodes one kind of payload.
type Decoder interface {
	Name() string
	Decode(in Input) (Decoded, error)
}

// rule routes a resource to a decoder.
type rule struct {
	path    string // without query
	query   string // a query item that must be present ("" for any)
	decoder Decoder
}

// Registry chooses decoders.
type Registry struct {
	rules    []rule
	byFormat map[int]Decoder
	fallback Decoder
}

// NewRegistry returns a registry with the standard decoders and the SSN ones.
func NewRegistry() *Registry {
	r := &Registry{byFormat: map[int]Decoder{}, fallback: Hex{}}
	r.ForFormat(ssn.FormatText, Text{})
	r.ForFormat(ssn.FormatLinkFormat, LinkFormat{})
	r.ForFormat(ssn.FormatOctets, Hex{})
	r.ForFormat(ssn.FormatJSON, JSON{})
	r.ForFormat(ssn.FormatCBOR, CBOR{})
	r.ForResource("/sys/stats", "mod=pwr", PowerStats{})
	r.ForResource("/snsr/sys/stats", "mod=coap", CoapStats{})
	r.ForResource("/snsr/sys/time", "", ICTime{})
	r.ForResource("/snsr/sys/info", "", SystemInfo{})
	r.ForResource("/snsr/sys/event", "", Events{})
	r.ForResource("/snsr/arduino/temp", "", SensorReading{})
	return r
}

// ForFormat makes d the decoder of content format cf.
func (r *Registry) ForFormat(cf int, d Decoder) { r.byFormat[cf] = d }

// ForResource makes d the decoder of path (and, when query is not "", only when the request had
// that query item). Resource rules win over content formats.
func (r *Registry) ForResource(path, query string, d Decoder) {
	r.rules = append(r.rules, rule{path: path, query: query, decoder: d})
}

// Choose returns the decoder for in, without decoding.
func (r *Registry) Choose(in Input) Decoder {
	path, query, _ := strings.Cut(in.Path, "?")
	for _, rl := range r.rules {
		if rl.path == path && (rl.query == "" || hasQueryItem(query, rl.query)) {
			return rl.decoder
		}
	}
	if d, ok := r.byFormat[in.ContentFormat]; ok {
		return d
	}
	return r.fallback
}

func hasQueryItem(query, item string) bool {
	for _, q := range strings.Split(query, "&") {
		if q == item {
			return true
		}
	}
	return false
}

// Decode decodes in with the chosen decoder. An empty payload decodes to an empty text. When
// the chosen decoder fails, the result carries its error and a hex dump.
func (r *Registry) Decode(in Input) Decoded {
	if len(in.Payload) == 0 {
		return Decoded{Decoder: "empty", Text: ""}
	}
	d := r.Choose(in)
	out, err := d.Decode(in)
	if err != nil {
		hex, _ := Hex{}.Decode(in)
		hex.Decoder = d.Name()
		hex.Err = err
		return hex
	}
	out.Decoder = d.Name()
	return out
}
