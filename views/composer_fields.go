package views

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/coap-workbench/coap-workbench/internal/human"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/decode"
	"github.com/coap-workbench/coap-workbench/coapengine/payload"
	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/plgd-dev/go-coap/v3/message"
)

func formatOfDef(def coapengine.OptionDef) string {
	switch def.Format {
	case coapengine.FormatUint:
		return valueUint
	case coapengine.FormatOpaque:
		return valueHex
	}
	return valueText
}

func formatChoice(n int) string {
	if n == coapengine.NoFormat {
		return formatNone
	}
	for _, f := range coapengine.ContentFormats {
		if f.Number == n {
			return fmt.Sprintf("%d %s", f.Number, f.MediaType)
		}
	}
	return strconv.Itoa(n)
}

// tokenText writes a token as text when it is printable, else as 0x-hex.
func tokenText(t []byte) string {
	if len(t) == 0 {
		return ""
	}
	if printable(t) {
		return string(t)
	}
	return fmt.Sprintf("0x%x", t)
}

func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// optionFields writes an option as the table shows it.
func optionFields(o message.Option) (name, format, value string) {
	def, ok := coapengine.LookupOption(strconv.Itoa(int(o.ID)))
	name = strconv.Itoa(int(o.ID))
	if ok && !strings.HasPrefix(def.Name, "Option ") {
		name = def.Name
	}
	switch {
	case ok && def.Format == coapengine.FormatUint && len(o.Value) <= 4:
		return name, valueUint, strconv.FormatUint(uint64(coapengine.DecodeUint(o.Value)), 10)
	case printable(o.Value) && (!ok || def.Format != coapengine.FormatOpaque):
		return name, valueText, string(o.Value)
	}
	return name, valueHex, fmt.Sprintf("%x", o.Value)
}

// payloadFields picks the editor mode a payload reads best in.
func payloadFields(p []byte, contentFormat int) (mode, text string) {
	if len(p) == 0 {
		return modeText, ""
	}
	if printable(p) || (contentFormat != coapengine.NoFormat && isTextFormat(contentFormat) && utf8Valid(p)) {
		return modeText, string(p)
	}
	return modeHex, fmt.Sprintf("% x", p)
}

func isTextFormat(n int) bool { return n == 0 || n == 40 || n == 41 || n == 50 || n == 51 || n == 52 }

func utf8Valid(p []byte) bool { return strings.ToValidUTF8(string(p), "\uFFFD") == string(p) }

func parseFormatChoice(s string) int {
	if s == formatNone || s == "" {
		return coapengine.NoFormat
	}
	n, _ := strconv.Atoi(strings.Fields(s)[0])
	return n
}

// uriProblem says what is wrong with a URI, in the words a user needs.
func uriProblem(uri string) error {
	if uri == "" {
		return errors.New("enter a URI, e.g. coap://SSN001350050005E7D6.sim.starfish.test:4849/sys/stats?mod=pwr, or pick a resource in the tree")
	}
	if _, err := coapengine.ParseTarget(uri); err != nil {
		return err
	}
	return nil
}

// parseToken reads the token box: text, or 0x followed by hex digits; at most 8 bytes.
func parseToken(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var tok []byte
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		b, err := payload.FromHex(s)
		if err != nil {
			return nil, fmt.Errorf("token: %w", err)
		}
		tok = b
	} else {
		tok = []byte(s)
	}
	if len(tok) > 8 {
		return nil, fmt.Errorf("token: at most 8 bytes, this one has %d", len(tok))
	}
	return tok, nil
}

// previewOf shows what the payload bytes are: their size, and CBOR in diagnostic notation.
func previewOf(body []byte, mode string, contentFormat int) string {
	if len(body) == 0 {
		return ""
	}
	size := human.Plural(len(body), "byte")
	if mode == modeJSON || contentFormat == 60 {
		if diag, err := decode.DiagnoseCBOR(body); err == nil {
			return size + " of CBOR: " + diag
		}
	}
	if mode == modeHex && printable(body) {
		return size + ": " + strconv.Quote(string(body))
	}
	var clock ssn.TimeSet
	if len(body) == ssn.TimeSetSize && clock.UnmarshalBinary(body) == nil {
		return size + ": a Device IC clock record, " + clock.Time().Format("2006-01-02 15:04:05.000") + " UTC"
	}
	return size
}
