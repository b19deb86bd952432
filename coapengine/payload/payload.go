// Package payload builds request payloads from what a person types: text as it is, hex digits,
// or JSON converted to CBOR; and the Starfish records a person should not have to pack by hand,
// such as the Device IC's time-set record from a date.
package payload

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/fxamacker/cbor/v2"
)

// Mode is how typed input becomes payload bytes.
type Mode string

// The input modes.
const (
	Text     Mode = "text"      // UTF-8 as typed
	Hex      Mode = "hex"       // hex digits; spaces, colons and a 0x prefix are ignored
	JSONCBOR Mode = "json-cbor" // JSON, sent as CBOR
)

// Modes lists the input modes.
var Modes = []Mode{Text, Hex, JSONCBOR}

// Encode turns input into payload bytes according to mode.
func Encode(mode Mode, input string) ([]byte, error) {
	switch mode {
	case Text, "":
		return []byte(input), nil
	case Hex:
		return FromHex(input)
	case JSONCBOR:
		return JSONToCBOR(input)
	}
	return nil, fmt.Errorf("unknown payload mode %q (use text, hex or json-cbor)", mode)
}

// FromHex reads hex digits, ignoring white space, colons, dashes and "0x" prefixes.
func FromHex(s string) ([]byte, error) {
	clean := strings.NewReplacer(" ", "", "\t", "", "\n", "", "\r", "", ":", "", "-", "", "0x", "", "0X", "").Replace(s)
	if len(clean)%2 != 0 {
		return nil, fmt.Errorf("hex payload has an odd number of digits (%d): each byte is two digits", len(clean))
	}
	b, err := hex.DecodeString(clean)
	if err != nil {
		return nil, fmt.Errorf("hex payload: %w", err)
	}
	return b, nil
}

// cborEncoding writes integers as integers and maps in a stable order, so the same JSON always
// gives the same bytes.
var cborEncoding = func() cbor.EncMode {
	m, err := cbor.EncOptions{Sort: cbor.SortCoreDeterministic, ShortestFloat: cbor.ShortestFloat16}.EncMode()
	if err != nil {
		panic(err)
	}
	return m
}()

// JSONToCBOR converts a JSON document to CBOR: numbers without a fraction become integers.
func JSONToCBOR(s string) ([]byte, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("payload is not valid JSON: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("payload holds more than one JSON value")
	}
	return cborEncoding.Marshal(fromJSON(v))
}

func fromJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = fromJSON(e)
		}
		return out
	case []any:
		for i, e := range x {
			x[i] = fromJSON(e)
		}
		return x
	}
	return v
}

// TimeSet returns the PUT sys/time record that sets a Device IC's clock to t.
func TimeSet(t time.Time) []byte {
	b, _ := ssn.AbsoluteTimeSet(t).MarshalBinary()
	return b
}

// ParseTime reads a date for TimeSet: "now", RFC 3339 ("2026-11-25T12:00:00Z"), or
// "2006-01-02 15:04:05" (UTC).
func ParseTime(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "now") || s == "" {
		return now, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateTime, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date: write now, 2026-11-25T12:00:00Z or 2026-11-25 12:00:00 (UTC)", s)
}
