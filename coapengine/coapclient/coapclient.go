// Package coapclient translates between the engine's requests and command lines of libcoap's
// coap-client (4.3), the tool the Starfish developer pages use: Render gives the command line
// that sends the same request, Pasteable the lines that run it as pasted into a terminal (with
// the login a Starfish gateway needs, from a port the workbench does not hold), Parse reads
// either (as pasted from a page or a shell history) back into a request.
//
// It follows what coap-client 4.3.1 really puts on the wire, checked against the binary:
//   - -O num,text sends text's bytes as they are, even for a uint option ("-O 6,60" sends the
//     two characters "60"); "-O num,0x0102" sends the bytes 01 02.
//   - -T token is the token before the first: coap-client reads its bytes as a big-endian
//     number and sends that number plus one ("-T abc" sends the token "abd"). So a token
//     can be written for -T when the token minus one reads as text.
//   - -e text percent-decodes its argument, so any payload can be written with it.
//   - -P takes scheme://host[:port]; older pages write host[:port], which Parse also reads.
//   - -t and -A take a number or one of a few names (text, link, xml, octet-stream, exi, json,
//     cbor); coap-client ignores other names silently, so Render writes numbers for them.
package coapclient

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/plgd-dev/go-coap/v3/message"
	"mvdan.cc/sh/v3/syntax"
)

// Program is the name Render writes (Debian's binary is coap-client-notls).
const Program = "coap-client"

// Command is a coap-client invocation: a request and how it is sent.
type Command struct {
	Request coapengine.Request
	// LocalPort is the client's UDP port (-p), 0 for any.
	LocalPort int
	// Gateway is the proxy (-P) as host:port, "" to send directly.
	Gateway string
	// Observe is how long to observe (-s), 0 for a plain request.
	Observe time.Duration
	// PayloadFile is the file the payload comes from (-f, "-" for standard input). Parse
	// leaves Request.Payload empty then: the caller reads the file.
	PayloadFile string
}

// Render returns the coap-client command line that sends c, and notes on what the command
// line cannot express exactly. For a line to paste into a terminal, with the login the
// gateway needs, see Pasteable.
func Render(c Command) (line string, notes []string) {
	return render(Program, c)
}

// render is Render with program as coap-client's name.
func render(program string, c Command) (line string, notes []string) {
	r := c.Request
	args := []string{program, "-m", strings.ToLower(coapengine.MethodName(r.Method))}
	if r.NonConfirmable {
		args = append(args, "-N")
	}
	if c.LocalPort > 0 {
		args = append(args, "-p", strconv.Itoa(c.LocalPort))
	}
	if c.Gateway != "" {
		args = append(args, "-P", "coap://"+c.Gateway)
	}
	if r.ContentFormat != coapengine.NoFormat {
		args = append(args, "-t", coapengine.ShortFormatName(r.ContentFormat))
	}
	if r.Accept != coapengine.NoFormat {
		args = append(args, "-A", coapengine.ShortFormatName(r.Accept))
	}
	if r.BlockSize > 0 {
		args = append(args, "-b", strconv.Itoa(r.BlockSize))
	}
	if len(r.Token) > 0 {
		if arg, ok := tokenArgument(r.Token); ok {
			args = append(args, "-T", arg)
		} else {
			notes = append(notes, fmt.Sprintf("coap-client's -T cannot give the token 0x%x (it sends the text of -T plus one), so it is left out: coap-client picks its own", r.Token))
		}
	}
	for _, o := range r.Options {
		args = append(args, "-O", renderOption(o))
	}
	if c.Observe > 0 {
		args = append(args, "-s", wholeSeconds(c.Observe, "the observation", &notes))
	}
	if r.Timeout > 0 {
		args = append(args, "-B", wholeSeconds(r.Timeout, "the timeout", &notes))
	}
	switch {
	case c.PayloadFile != "":
		args = append(args, "-f", c.PayloadFile)
	case len(r.Payload) > 0:
		args = append(args, "-e", percentEncode(r.Payload))
	}
	args = append(args, r.URI)
	return shellLine(args), notes
}

// shellLine writes args as a POSIX shell command line, each argument quoted where the shell
// would otherwise read it differently.
func shellLine(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		q, err := syntax.Quote(a, syntax.LangPOSIX)
		if err != nil { // only NUL bytes fail, and no argument written here has one
			q = "'" + a + "'"
		}
		quoted[i] = q
	}
	return strings.Join(quoted, " ")
}

// tokenArgument is the -T argument that makes coap-client send the token t: the text whose
// bytes, read as a number, are t minus one.
func tokenArgument(t []byte) (string, bool) {
	if len(t) > 8 || t[0] == 0 {
		return "", false
	}
	var v uint64
	for _, c := range t {
		v = v<<8 | uint64(c)
	}
	arg := minimalBytes(v - 1)
	if len(arg) == 0 || !printableASCII(arg) {
		return "", false
	}
	return string(arg), true
}

// tokenOf is the token coap-client sends for the -T argument arg.
func tokenOf(arg string) []byte {
	var v uint64
	for i := 0; i < len(arg); i++ {
		v = v<<8 | uint64(arg[i])
	}
	return minimalBytes(v + 1)
}

// minimalBytes encodes v big-endian without leading zero bytes (0 is empty), as libcoap
// encodes tokens.
func minimalBytes(v uint64) []byte {
	var b []byte
	for ; v > 0; v >>= 8 {
		b = append([]byte{byte(v)}, b...)
	}
	return b
}

func wholeSeconds(d time.Duration, what string, notes *[]string) string {
	s := (d + time.Second - 1) / time.Second
	if d%time.Second != 0 {
		*notes = append(*notes, fmt.Sprintf("coap-client counts %s in whole seconds: %v becomes %ds", what, d, s))
	}
	return strconv.Itoa(int(s))
}

// renderOption writes an option for -O: as text when it is a text option whose value reads as
// text (and does not itself begin with 0x), as hex otherwise.
func renderOption(o message.Option) string {
	def, _ := coapengine.LookupOption(strconv.Itoa(int(o.ID)))
	prefix := strconv.Itoa(int(o.ID)) + ","
	if len(o.Value) == 0 {
		return prefix
	}
	if def.Format == coapengine.FormatString && printableASCII(o.Value) && !strings.HasPrefix(string(o.Value), "0x") {
		return prefix + string(o.Value)
	}
	return prefix + "0x" + hex.EncodeToString(o.Value)
}

func printableASCII(b []byte) bool {
	for _, c := range b {
		if c < ' ' || c > '~' {
			return false
		}
	}
	return true
}

// percentEncode writes a payload for -e: printable ASCII as it is, every other byte and "%"
// as %XX.
func percentEncode(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		if c < ' ' || c > '~' || c == '%' {
			fmt.Fprintf(&s, "%%%02X", c)
		} else {
			s.WriteByte(c)
		}
	}
	return s.String()
}
