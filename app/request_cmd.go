package app

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/coapclient"
	"github.com/coap-workbench/coap-workbench/coapengine/decode"
	"github.com/coap-workbench/coap-workbench/coapengine/history"
	"github.com/coap-workbench/coap-workbench/coapengine/payload"
	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/coap-workbench/coap-workbench/internal/coapfmt"
)

// requestFlags are the request knobs, named as coap-client names them.
type requestFlags struct {
	method        string
	contentFormat string
	accept        string
	options       multiFlag
	non           bool
	coapToken     string
	blockSize     int
	text          string
	textSet       bool
	payloadMode   string
	payloadFile   string
	timeSet       string
	timeout       string
}

func (r *requestFlags) register(fs *flag.FlagSet, withPayload bool) {
	fs.StringVar(&r.method, "m", "get", "method: get, post, put, delete, fetch, patch or ipatch")
	fs.StringVar(&r.contentFormat, "t", "", "Content-Format of the payload: a number or text, link, xml, octet-stream, exi, json, cbor")
	fs.StringVar(&r.accept, "A", "", "Accept: the content format wanted back (as -t)")
	fs.Var(&r.options, "O", "an option, NUMBER_OR_NAME,VALUE (repeatable): VALUE is 0xHEX, a number for uint options, else text,\ne.g. -O ETag,0x0102 -O Max-Age,60 -O 2049,hello")
	fs.BoolVar(&r.non, "N", false, "send the request non-confirmable (NON)")
	fs.StringVar(&r.coapToken, "T", "", "the CoAP token, as text or 0xHEX (up to 8 bytes; default: a random one).\nUnlike coap-client's -T, it is sent as given")
	fs.IntVar(&r.blockSize, "b", 0, "block size for block-wise transfers: 16, 32, ..., 1024 (0: let the peers choose)")
	fs.StringVar(&r.timeout, "B", "", "give up after this long: seconds as coap-client takes them, or a duration (default 45s)")
	if withPayload {
		fs.Func("e", "the payload (see --payload-mode)", func(v string) error { r.text, r.textSet = v, true; return nil })
		fs.StringVar(&r.payloadMode, "payload-mode", string(payload.Text), "how -e is written: text, hex, or json-cbor (JSON sent as CBOR)")
		fs.StringVar(&r.payloadFile, "f", "", "read the payload from this file (\"-\": standard input)")
		fs.StringVar(&r.timeSet, "time-set", "", "the payload is the Device IC's time-set record for this date (RFC 3339, \"2026-11-25 12:00\", or now)")
	}
}

// build makes the request for uri.
func (r *requestFlags) build(uri string, stdin io.Reader) (coapengine.Request, error) {
	method, err := coapengine.ParseMethod(r.method)
	if err != nil {
		return coapengine.Request{}, fmt.Errorf("-m: %w", err)
	}
	req := coapengine.NewRequest(method, uri)
	req.NonConfirmable = r.non
	req.BlockSize = r.blockSize
	if r.contentFormat != "" {
		if req.ContentFormat, err = coapengine.ParseContentFormat(r.contentFormat); err != nil {
			return req, fmt.Errorf("-t: %w", err)
		}
	}
	if r.accept != "" {
		if req.Accept, err = coapengine.ParseContentFormat(r.accept); err != nil {
			return req, fmt.Errorf("-A: %w", err)
		}
	}
	for _, spec := range r.options {
		o, err := coapengine.ParseOption(spec)
		if err != nil {
			return req, fmt.Errorf("-O: %w", err)
		}
		req.Options = append(req.Options, o)
	}
	if r.coapToken != "" {
		if req.Token, err = payload.Encode(tokenMode(r.coapToken), r.coapToken); err != nil {
			return req, fmt.Errorf("-T: %w", err)
		}
	}
	if r.timeout != "" {
		if req.Timeout, err = secondsOrDuration(r.timeout); err != nil {
			return req, fmt.Errorf("-B %w", err)
		}
	}
	given := 0
	for _, set := range []bool{r.textSet, r.payloadFile != "", r.timeSet != ""} {
		if set {
			given++
		}
	}
	if given > 1 {
		return req, errors.New("give the payload one way: -e, -f or --time-set")
	}
	switch {
	case r.textSet:
		if req.Payload, err = payload.Encode(payload.Mode(r.payloadMode), r.text); err != nil {
			return req, fmt.Errorf("-e: %w", err)
		}
		if payload.Mode(r.payloadMode) == payload.JSONCBOR && req.ContentFormat == coapengine.NoFormat {
			req.ContentFormat = ssn.FormatCBOR
		}
	case r.payloadFile != "":
		if req.Payload, err = readPayloadFile(r.payloadFile, stdin); err != nil {
			return req, err
		}
	case r.timeSet != "":
		at, err := payload.ParseTime(r.timeSet, time.Now())
		if err != nil {
			return req, fmt.Errorf("--time-set: %w", err)
		}
		req.Payload = payload.TimeSet(at)
		if req.ContentFormat == coapengine.NoFormat {
			req.ContentFormat = ssn.FormatOctets
		}
	}
	return req, req.Validate()
}

func tokenMode(v string) payload.Mode {
	if strings.HasPrefix(v, "0x") {
		return payload.Hex
	}
	return payload.Text
}

// outputFlags choose how an exchange is printed.
type outputFlags struct {
	raw     bool
	json    bool
	verbose bool
}

func (o *outputFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&o.raw, "raw", false, "print the payload's bytes as they came, undecoded")
	fs.BoolVar(&o.json, "json", false, "print the whole exchange as JSON: request, response, timing, decoded fields")
	fs.BoolVar(&o.verbose, "v", false, "also print the exchange's summary and the response's options to standard error")
}

func (o *outputFlags) check() error {
	if o.raw && o.json {
		return errors.New("--raw or --json, not both")
	}
	return nil
}

// print writes an exchange: the decoded payload (or raw bytes, or JSON) to stdout when it
// succeeded; what went wrong, in plain words, to stderr when it did not.
func (o *outputFlags) print(stdout, stderr io.Writer, x coapengine.Exchange, reg *decode.Registry) {
	if o.verbose {
		fmt.Fprintln(stderr, x.Summary())
		if x.Response != nil {
			for _, opt := range x.Response.Options {
				fmt.Fprintf(stderr, "  %s: %s\n", opt.Name, opt.Display)
			}
		}
		if x.Retransmissions > 0 || x.Blocks > 0 {
			fmt.Fprintf(stderr, "  %d retransmissions, %d blocks\n", x.Retransmissions, x.Blocks)
		}
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		_ = enc.Encode(history.NewExportedEntry(x, reg))
		return
	}
	if x.Response == nil {
		fmt.Fprintf(stderr, "%s\n", x.Err)
		if x.Explanation != "" {
			fmt.Fprintf(stderr, "  %s\n", x.Explanation)
		}
		return
	}
	if !x.OK() {
		who := ""
		if x.AnsweredBy != "" {
			who = fmt.Sprintf(" (answered by the %s)", x.AnsweredBy)
		}
		fmt.Fprintf(stderr, "%s %s%s", coapfmt.CodeString(x.Code()), coapengine.CodeName(x.Code()), who)
		if len(x.Response.Payload) > 0 {
			fmt.Fprintf(stderr, ": %s", x.Response.Payload)
		}
		fmt.Fprintln(stderr)
		if x.Explanation != "" {
			fmt.Fprintf(stderr, "  %s\n", x.Explanation)
		}
		return
	}
	if o.raw {
		_, _ = stdout.Write(x.Response.Payload)
		return
	}
	d := x.Decode(reg)
	if d.Err != nil {
		fmt.Fprintf(stderr, "the payload is not what %s expects (%v): a hex dump follows\n", d.Decoder, d.Err)
	}
	if d.Text != "" {
		fmt.Fprintln(stdout, strings.TrimRight(d.Text, "\n"))
	}
}

func runRequest(args []string, stdout, stderr io.Writer) int {
	return runRequestWith(args, os.Stdin, stdout, stderr)
}

func runRequestWith(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("request [flags] URI", "Sends one request through the gateway (or, with --direct, to a plain CoAP server), records it in\n"+
		"the history, and prints the decoded payload. The flags are coap-client's where it has them:\n\n"+
		"  coap-workbench request -m get 'coap://SSN001350050005E7D6.sim.starfish.test:4849/sys/stats?mod=pwr'\n"+
		"  coap-workbench request -m put --time-set now coap://SSN001350050005E7D6.sim.starfish.test:4849/snsr/sys/time\n"+
		"  coap-workbench request --coap-client 'coap-client -m get -p 12345 -P coap://gw:5683 coap://SSN...:4849/sys'\n\n"+
		"Without --token or --token-url, a gateway on this computer (coap-workbench gateway) is logged in to with\n"+
		"its own key from --data-dir.\n\n"+exitStatusHelp)
	var conn connectionFlags
	var reqFlags requestFlags
	var out outputFlags
	conn.register(fs)
	reqFlags.register(fs, true)
	out.register(fs)
	fromLine := fs.String("coap-client", "", "take the request from a coap-client command line (its -p and -P too)")
	asLine := fs.Bool("as-coap-client", false, "print the coap-client command line that sends this request, and exit without sending")
	positional, exit, stop := parseInterspersed(fs, args, stderr)
	if stop {
		return exit
	}
	if err := out.check(); err != nil {
		fmt.Fprintln(stderr, "request:", err)
		return ExitUsage
	}
	cmd, ok := requestOf("request", *fromLine, positional, fs, &reqFlags, &conn, stdin, stderr)
	if !ok {
		return ExitUsage
	}
	if cmd.Observe > 0 {
		fmt.Fprintln(stderr, "request: the line observes (-s): use coap-workbench observe --coap-client")
		return ExitUsage
	}
	req := cmd.Request
	if *asLine {
		c := coapclient.Command{Request: req, LocalPort: conn.localPort}
		if !conn.direct {
			c.Gateway = conn.gateway
		}
		line, notes := coapclient.Render(c)
		fmt.Fprintln(stdout, line)
		for _, n := range notes {
			fmt.Fprintln(stderr, "request: note:", n)
		}
		return ExitOK
	}
	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stopSignals()
	s, exit := conn.open(ctx, "request", stdin, stderr)
	if s == nil {
		return exit
	}
	defer s.close("request", stderr)
	x, err := s.conn.Do(ctx, req)
	if err != nil && x.URI == "" { // refused before sending
		fmt.Fprintln(stderr, "request:", err)
		return ExitNetwork
	}
	if errors.Is(err, coapengine.ErrLoginNeeded) {
		fmt.Fprintln(stderr, "request:", err)
	}
	out.print(stdout, stderr, x, s.wb.Decoders())
	return exitFor(x, err)
}

// errStdinTwice is the error of a command line that reads two things from standard input.
var errStdinTwice = errors.New("the payload (-f -) and the token (--token -) cannot both come from standard input")

// requestFlagNames are the flags of requestFlags, which a pasted coap-client line replaces.
var requestFlagNames = map[string]bool{"m": true, "t": true, "A": true, "O": true, "N": true, "T": true, "b": true, "B": true, "e": true, "payload-mode": true, "f": true, "time-set": true}

// requestOf is the request a command sends: from a pasted coap-client line, or built from
// the request flags and the one URI. It prints what is wrong.
func requestOf(name, fromLine string, positional []string, fs *flag.FlagSet, reqFlags *requestFlags, conn *connectionFlags, stdin io.Reader, stderr io.Writer) (coapclient.Command, bool) {
	if fromLine != "" {
		var clash []string
		fs.Visit(func(f *flag.Flag) {
			if requestFlagNames[f.Name] {
				clash = append(clash, "-"+f.Name)
			}
		})
		switch {
		case len(positional) > 0:
			fmt.Fprintf(stderr, "%s: --coap-client names the URI itself; drop %s\n", name, positional[0])
			return coapclient.Command{}, false
		case len(clash) > 0:
			fmt.Fprintf(stderr, "%s: --coap-client carries the whole request; drop %s (or put it in the line)\n", name, strings.Join(clash, " "))
			return coapclient.Command{}, false
		}
		cmd, ok := conn.fromCoapClient(name, fromLine, stdin, stderr)
		if ok {
			if err := cmd.Request.Validate(); err != nil {
				fmt.Fprintf(stderr, "%s: --coap-client: %v\n", name, err)
				return cmd, false
			}
		}
		return cmd, ok
	}
	if reqFlags.payloadFile == "-" && conn.token == "-" {
		fmt.Fprintf(stderr, "%s: %s\n", name, errStdinTwice)
		return coapclient.Command{}, false
	}
	if len(positional) != 1 {
		fmt.Fprintf(stderr, "%s: give one URI, e.g. 'coap://SSN001350050005E7D6.sim.starfish.test:4849/sys/stats?mod=pwr' (--help for more)\n", name)
		return coapclient.Command{}, false
	}
	req, err := reqFlags.build(positional[0], stdin)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return coapclient.Command{}, false
	}
	return coapclient.Command{Request: req}, true
}

// fromCoapClient reads a pasted coap-client line for command name: the request (with the
// payload of its -f), and its -p and -P into the connection flags. A line without -P sends
// straight to its URI's host, unless the flags name a gateway or a token (which only a
// gateway takes). It prints what went wrong,
// and the notes on what the line asks that the workbench does not do.
func (f *connectionFlags) fromCoapClient(name, line string, stdin io.Reader, stderr io.Writer) (coapclient.Command, bool) {
	cmd, notes, err := coapclient.Parse(line)
	if err != nil {
		fmt.Fprintf(stderr, "%s: --coap-client: %v\n", name, err)
		return cmd, false
	}
	for _, n := range notes {
		fmt.Fprintf(stderr, "%s: note: %s\n", name, n)
	}
	if cmd.PayloadFile == "-" && f.token == "-" {
		fmt.Fprintf(stderr, "%s: %s\n", name, errStdinTwice)
		return cmd, false
	}
	if cmd.PayloadFile != "" {
		if cmd.Request.Payload, err = readPayloadFile(cmd.PayloadFile, stdin); err != nil {
			fmt.Fprintf(stderr, "%s: --coap-client: %v\n", name, err)
			return cmd, false
		}
	}
	if cmd.LocalPort != 0 {
		f.localPort = cmd.LocalPort
	}
	switch {
	case cmd.Gateway != "":
		f.gateway, f.gatewaySet, f.direct = cmd.Gateway, true, false
	case !f.gatewaySet && f.token == "" && f.tokenURL == "":
		f.direct = true
	}
	return cmd, true
}

func readPayloadFile(name string, stdin io.Reader) ([]byte, error) {
	b, err := readFileOrStdin(name, stdin)
	if err != nil {
		return nil, fmt.Errorf("-f: %w", err)
	}
	return b, nil
}
