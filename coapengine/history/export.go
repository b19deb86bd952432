package history

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/decode"
	"github.com/coap-workbench/coap-workbench/internal/coapfmt"
)

// Export formats.
const (
	FormatJSONLines = "jsonl"
	FormatCSV       = "csv"
)

// ExportedEntry is one line of a JSON Lines export: the exchange and its decoded response.
type ExportedEntry struct {
	coapengine.Exchange
	// Finished is when the exchange ended (see Finished): the export's order.
	Finished time.Time `json:"finished"`
	// MethodName and CodeText repeat the request's method and the response's code as text
	// ("GET", "2.05 Content"): the records hold them as numbers.
	MethodName string         `json:"method"`
	CodeText   string         `json:"code,omitempty"`
	Decoder    string         `json:"decoder,omitempty"`
	Decoded    string         `json:"decoded,omitempty"`
	Fields     []decode.Field `json:"fields,omitempty"`
	DecodeErr  string         `json:"decodeError,omitempty"`
}

// NewExportedEntry is x with its method, code and decoded response written out.
func NewExportedEntry(x coapengine.Exchange, reg *decode.Registry) ExportedEntry {
	d := x.Decode(reg)
	e := ExportedEntry{Exchange: x, Finished: Finished(x), MethodName: coapengine.MethodName(x.Method()), Decoder: d.Decoder, Decoded: d.Text, Fields: d.Fields}
	if d.Err != nil {
		e.DecodeErr = d.Err.Error()
	}
	if x.Response != nil {
		e.CodeText = coapfmt.CodeString(x.Response.Code) + " " + coapengine.CodeName(x.Response.Code)
	}
	return e
}

// CSVHeader is the first row of a CSV export. "finished" (when the exchange ended, the rows'
// order) comes last, so that readers of the columns before it need not change.
var CSVHeader = []string{"id", "start", "profile", "device", "method", "uri", "type", "code", "code_name", "answered_by", "rtt_ms", "retransmissions", "blocks", "notification", "observe_seq", "error", "explanation", "payload_hex", "decoded", "finished"}

// Export writes the entries matching f, newest first in the order they finished (as the
// listing), as JSON Lines or CSV, and returns how many it wrote.
func (s *Store) Export(ctx context.Context, w io.Writer, format string, f Filter) (int, error) {
	bw := bufio.NewWriter(w)
	var write func(x coapengine.Exchange) error
	var cw *csv.Writer
	switch format {
	case FormatJSONLines:
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		write = func(x coapengine.Exchange) error { return enc.Encode(NewExportedEntry(x, s.opts.Decoders)) }
	case FormatCSV:
		cw = csv.NewWriter(bw)
		if err := cw.Write(CSVHeader); err != nil {
			return 0, err
		}
		write = func(x coapengine.Exchange) error { return cw.Write(s.csvRow(x)) }
	default:
		return 0, fmt.Errorf("unknown export format %q: use %s or %s", format, FormatJSONLines, FormatCSV)
	}
	n := 0
	for before := uint64(0); ; {
		page, err := s.List(ctx, f, before, 1000)
		if err != nil {
			return n, err
		}
		for _, x := range page.Entries {
			if err := write(x); err != nil {
				return n, err
			}
			n++
		}
		if page.Next == 0 {
			break
		}
		before = page.Next
	}
	if cw != nil {
		cw.Flush()
		if err := cw.Error(); err != nil {
			return n, err
		}
	}
	return n, bw.Flush()
}

func (s *Store) csvRow(x coapengine.Exchange) []string {
	code, codeName, payload := "", "", ""
	if x.Response != nil {
		code, codeName = coapfmt.CodeString(x.Response.Code), coapengine.CodeName(x.Response.Code)
		payload = hex.EncodeToString(x.Response.Payload)
	}
	seq := ""
	if x.Notification {
		seq = strconv.FormatUint(uint64(x.ObserveSeq), 10)
	}
	return []string{
		strconv.FormatUint(x.ID, 10),
		x.Start.UTC().Format(time.RFC3339Nano),
		x.Profile,
		x.Device,
		coapengine.MethodName(x.Method()),
		x.URI,
		x.Request.Type,
		code,
		codeName,
		string(x.AnsweredBy),
		strconv.FormatFloat(float64(x.RTT)/float64(time.Millisecond), 'f', 3, 64),
		strconv.Itoa(x.Retransmissions),
		strconv.Itoa(x.Blocks),
		strconv.FormatBool(x.Notification),
		seq,
		x.Err,
		x.Explanation,
		payload,
		x.Decode(s.opts.Decoders).Text,
		Finished(x).UTC().Format(time.RFC3339Nano),
	}
}
