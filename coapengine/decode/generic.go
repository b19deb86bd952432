package decode

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/coap-workbench/coap-workbench/coapengine/linkformat"
	"github.com/fxamacker/cbor/v2"
)

// Text decodes UTF-8 text.
type Text struct{}

// Name implements Decoder.
func (Text) Name() string { return "text" }

// Decode implements Decoder.
func (Text) Decode(in Input) (Decoded, error) {
	if !utf8.Valid(in.Payload) {
		return Decoded{}, errors.New("the payload is not valid UTF-8 text")
	}
	return Decoded{Text: string(in.Payload)}, nil
}

// Hex shows any payload as a hex dump.
type Hex struct{}

// Name implements Decoder.
func (Hex) Name() string { return "hex" }

// Decode implements Decoder.
func (Hex) Decode(in Input) (Decoded, error) {
	return Decoded{Text: strings.TrimRight(hex.Dump(in.Payload), "\n")}, nil
}

// LinkFormat shows a link-format document one link a line.
type LinkFormat struct{}

// Name implements Decoder.
func (LinkFormat) Name() string { return "link-format" }

// Decode implements Decoder.
func (LinkFormat) Decode(in Input) (Decoded, error) {
	links, err := linkformat.Parse(string(in.Payload))
	if err != nil {
		return Decoded{}, err
	}
	var b strings.Builder
	for i, l := range links {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l.Target)
		for _, p := range l.Params {
			b.WriteString("  ")
			b.WriteString(p.Name)
			if p.HasValue {
				b.WriteString("=")
				b.WriteString(p.Value)
			}
		}
	}
	return Decoded{Text: b.String()}, nil
}

// JSON pretty-prints JSON and exposes its numbers as fields named by their paths.
type JSON struct{}

// Name implements Decoder.
func (JSON) Name() string { return "json" }

// Decode implements Decoder.
func (JSON) Decode(in Input) (Decoded, error) {
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, in.Payload, "", "  "); err != nil {
		return Decoded{}, fmt.Errorf("not valid JSON: %w", err)
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(in.Payload))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return Decoded{}, fmt.Errorf("not valid JSON: %w", err)
	}
	return Decoded{Text: pretty.String(), Fields: numericFields(v, "")}, nil
}

// Limits for CBOR from devices: small records; a hostile payload must not make the decoder
// allocate without bound.
var (
	cborDiag = mustDiag(cbor.DiagOptions{
		ByteStringEncoding: cbor.ByteStringBase16Encoding,
		MaxNestedLevels:    16,
		MaxArrayElements:   4096,
		MaxMapPairs:        4096,
	})
	cborValues = mustDec(cbor.DecOptions{
		MaxNestedLevels:  16,
		MaxArrayElements: 4096,
		MaxMapPairs:      4096,
		IndefLength:      cbor.IndefLengthAllowed,
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		DefaultMapType:   nil,
	})
)

func mustDiag(o cbor.DiagOptions) cbor.DiagMode {
	m, err := o.DiagMode()
	if err != nil {
		panic(err)
	}
	return m
}

func mustDec(o cbor.DecOptions) cbor.DecMode {
	m, err := o.DecMode()
	if err != nil {
		panic(err)
	}
	return m
}

// CBOR shows CBOR in diagnostic notation (RFC 8949 §8) and exposes its numbers as fields.
type CBOR struct{}

// Name implements Decoder.
func (CBOR) Name() string { return "cbor" }

// Decode implements Decoder.
func (CBOR) Decode(in Input) (Decoded, error) {
	diag, err := cborDiag.Diagnose(in.Payload)
	if err != nil {
		return Decoded{}, fmt.Errorf("not valid CBOR: %w", err)
	}
	var v any
	if err := cborValues.Unmarshal(in.Payload, &v); err != nil {
		return Decoded{Text: diag}, nil
	}
	return Decoded{Text: diag, Fields: numericFields(v, "")}, nil
}

// DiagnoseCBOR renders a CBOR payload in diagnostic notation with the decoder's limits.
func DiagnoseCBOR(b []byte) (string, error) { return cborDiag.Diagnose(b) }

// numericFields lists the numbers inside a decoded JSON or CBOR value, each named by its path:
// "battery.volts", "readings[2]", "0".
func numericFields(v any, path string) []Field {
	var out []Field
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			out = append(out, numericFields(x[k], join(path, k))...)
		}
	case map[any]any:
		keys := make([]string, 0, len(x))
		byName := make(map[string]any, len(x))
		for k, val := range x {
			name := fmt.Sprint(k)
			keys = append(keys, name)
			byName[name] = val
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, numericFields(byName[k], join(path, k))...)
		}
	case []any:
		for i, e := range x {
			out = append(out, numericFields(e, fmt.Sprintf("%s[%d]", path, i))...)
		}
	default:
		if f, ok := toFloat(x); ok {
			out = append(out, Field{Name: path, Display: fmt.Sprint(x), Value: f, Numeric: true})
		}
	}
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case int:
		return float64(n), true
	case string:
		// Sensors often send numbers as text ("21.50").
		f, err := strconv.ParseFloat(n, 64)
		return f, err == nil
	}
	return 0, false
}
