package coapclient

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"mvdan.cc/sh/v3/syntax"
)

func percentDecode(s string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			out = append(out, s[i])
			continue
		}
		if i+2 >= len(s) {
			return nil, fmt.Errorf("-e %q: %% at byte %d must be followed by two hex digits (write %%25 for %%)", s, i)
		}
		b, err := hex.DecodeString(s[i+1 : i+3])
		if err != nil {
			return nil, fmt.Errorf("-e %q: %% at byte %d must be followed by two hex digits (write %%25 for %%)", s, i)
		}
		out = append(out, b[0])
		i += 2
	}
	return out, nil
}

// Flags coap-client takes with an argument, and without one (coap-client 4.3.1).
const (
	flagsWithArgument    = "abefhjklmopstuvABCGHJKLMOPRSTX"
	flagsWithoutArgument = "nrwNU"
)

// ErrNotCoapClient is returned for a line that does not run coap-client.
var ErrNotCoapClient = errors.New("not a coap-client command line")

// Parse reads a coap-client command line: the program (coap-client or a build of it such as
// coap-client-notls), its flags in any order as getopt takes them, and the URI. Flags that
// only change coap-client's output (-v, -w, -o) are ignored with a note; DTLS/TLS and TCP
// flags are errors, since the workbench speaks plain CoAP over UDP.
//
// The line may be preceded by a login, as Pasteable.Render writes it and the developer pages
// show: a coap-client POST to /sessions on its own line or before "&&", fed the token through
// a pipe (coap-workbench token | …, echo -n "$TOKEN" | …). The login is left out with a note,
// since the workbench logs in with its profile's own token; the request is what Parse returns.
// A login alone is returned as the request it is.
func Parse(line string) (Command, []string, error) {
	commands, err := shellCommands(line)
	if err != nil {
		return Command{}, nil, err
	}
	if len(commands) == 0 {
		return Command{}, nil, fmt.Errorf("%w: the line is empty", ErrNotCoapClient)
	}
	var logins, requests []readCommand
	var others []string
	for _, c := range commands {
		if !c.runsCoapClient() {
			if !c.feedsPipe {
				others = append(others, c.program())
			}
			continue
		}
		r := readCoapClient(c)
		if r.isLogin() {
			logins = append(logins, r)
		} else {
			requests = append(requests, r)
		}
	}
	var kept readCommand
	switch {
	case len(logins) == 0 && len(requests) == 0:
		return Command{}, nil, fmt.Errorf("%w: it runs %q (paste a line that starts with coap-client)", ErrNotCoapClient, commands[0].program())
	case len(requests) == 0:
		kept, logins = logins[len(logins)-1], logins[:len(logins)-1]
	case len(requests) == 1:
		kept = requests[0]
	default:
		for _, r := range requests {
			if r.err != nil {
				return Command{}, nil, r.err
			}
		}
		return Command{}, nil, fmt.Errorf("the lines run %d coap-client requests: paste one (a login before it is fine)", len(requests))
	}
	if kept.err != nil {
		return Command{}, nil, kept.err
	}
	notes := kept.notes
	for _, l := range logins {
		note := fmt.Sprintf("the login (POST /sessions from %s) is left out: the workbench logs in with its profile's own token", portName(l.cmd.LocalPort))
		if l.cmd.LocalPort != kept.cmd.LocalPort || l.cmd.LocalPort == 0 {
			note += fmt.Sprintf("; in a shell, the request from %s would get 4.01, since a Starfish session belongs to the port that logged in", portName(kept.cmd.LocalPort))
		}
		notes = append(notes, note)
	}
	if len(others) > 0 {
		notes = append(notes, fmt.Sprintf("the line also runs %s: left out", strings.Join(others, ", ")))
	}
	if kept.redirected {
		notes = append(notes, "the redirection of coap-client's input or output is left out: the answer shows in the workbench")
	}
	if len(kept.assigns) > 0 {
		notes = append(notes, "the shell variables set for coap-client are left out")
	}
	return kept.cmd, notes, nil
}

// portName names a -p port for a note.
func portName(port int) string {
	if port == 0 {
		return "a port coap-client picks"
	}
	return "port " + strconv.Itoa(port)
}

// readCommand is a coap-client command of a pasted line, read.
type readCommand struct {
	cmd        Command
	notes      []string
	err        error
	redirected bool
	assigns    []*syntax.Assign
}

// isLogin tells a login: a POST to the gateway's /sessions itself (not through -P).
func (r readCommand) isLogin() bool {
	if r.err != nil || r.cmd.Request.Method != codes.POST || r.cmd.Gateway != "" {
		return false
	}
	u, err := url.Parse(r.cmd.Request.URI)
	return err == nil && u.Path == "/sessions"
}

// readCoapClient reads the coap-client command c.
func readCoapClient(c shellCommand) readCommand {
	r := readCommand{redirected: c.redirected, assigns: c.call.Assigns}
	words, err := c.words()
	if err != nil {
		r.err = err
		return r
	}
	r.cmd, r.notes, r.err = parseArguments(words[1:])
	return r
}

// parseArguments reads coap-client's arguments (the words after the program's name).
func parseArguments(args []string) (Command, []string, error) {
	p := parser{cmd: Command{Request: coapengine.NewRequest(codes.GET, "")}}
	var uris []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			uris = append(uris, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			uris = append(uris, a)
			continue
		}
		// A word holds one or more flags; a flag that takes an argument takes the rest of
		// the word, or the next word.
		for j := 1; j < len(a); j++ {
			flag := a[j]
			switch {
			case strings.IndexByte(flagsWithoutArgument, flag) >= 0:
				if err := p.flag(flag, ""); err != nil {
					return Command{}, nil, err
				}
				continue
			case strings.IndexByte(flagsWithArgument, flag) >= 0:
				value := a[j+1:]
				if value == "" {
					if i+1 >= len(args) {
						return Command{}, nil, fmt.Errorf("-%c needs a value", flag)
					}
					i++
					value = args[i]
				}
				if err := p.flag(flag, value); err != nil {
					return Command{}, nil, err
				}
			default:
				return Command{}, nil, fmt.Errorf("coap-client has no flag -%c", flag)
			}
			break
		}
	}
	switch len(uris) {
	case 0:
		return Command{}, nil, errors.New("the command line names no URI (e.g. coap://SSN001350050005E7D6.example:4849/sys)")
	case 1:
	default:
		return Command{}, nil, fmt.Errorf("the command line names %d URIs (%s): coap-client takes one", len(uris), strings.Join(uris, ", "))
	}
	p.cmd.Request.URI = uris[0]
	if _, err := coapengine.ParseTarget(uris[0]); err != nil {
		return Command{}, nil, err
	}
	return p.cmd, p.notes, nil
}

type parser struct {
	cmd        Command
	notes      []string
	hasPayload bool
}

func (p *parser) flag(flag byte, value string) error {
	r := &p.cmd.Request
	switch flag {
	case 'm':
		m, err := coapengine.ParseMethod(value)
		if err != nil {
			return fmt.Errorf("-m: %w", err)
		}
		r.Method = m
	case 'N':
		r.NonConfirmable = true
	case 'p':
		n, err := strconv.ParseUint(value, 10, 16)
		if err != nil || n == 0 {
			return fmt.Errorf("-p %q: give a UDP port, 1 to 65535", value)
		}
		p.cmd.LocalPort = int(n)
	case 'P':
		gw, err := ParseProxy(value)
		if err != nil {
			return err
		}
		p.cmd.Gateway = gw
	case 't', 'A':
		cf, err := coapengine.ParseContentFormat(value)
		if err != nil {
			return fmt.Errorf("-%c: %w", flag, err)
		}
		if flag == 't' {
			r.ContentFormat = cf
		} else {
			r.Accept = cf
		}
	case 'b':
		num, size, hasNum := strings.Cut(value, ",")
		if !hasNum {
			size = num
		} else if num != "0" {
			p.notes = append(p.notes, fmt.Sprintf("-b %s: the workbench starts a transfer at block 0, not %s", value, num))
		}
		n, err := strconv.Atoi(size)
		if err != nil || n < 16 || n > 1024 || n&(n-1) != 0 {
			return fmt.Errorf("-b %q: the block size is 16, 32, 64, 128, 256, 512 or 1024", value)
		}
		r.BlockSize = n
	case 'T':
		if len(value) > 8 {
			return fmt.Errorf("-T %q: a token has at most 8 bytes", value)
		}
		r.Token = tokenOf(value)
	case 'O':
		o, err := parseOption(value)
		if err != nil {
			return err
		}
		r.Options = append(r.Options, o)
	case 'H':
		n, err := strconv.ParseUint(value, 10, 8)
		if err != nil || n == 0 {
			return fmt.Errorf("-H %q: the hop limit is 1 to 255", value)
		}
		r.Options = append(r.Options, message.Option{ID: coapengine.HopLimit, Value: coapengine.EncodeUint(uint32(n))})
	case 's', 'B':
		n, err := strconv.ParseUint(value, 10, 31)
		if err != nil || n == 0 {
			return fmt.Errorf("-%c %q: give a number of seconds", flag, value)
		}
		if flag == 's' {
			p.cmd.Observe = time.Duration(n) * time.Second
		} else {
			r.Timeout = time.Duration(n) * time.Second
		}
	case 'e', 'f':
		if p.hasPayload {
			return errors.New("the command line gives the payload twice (-e and -f): keep one")
		}
		p.hasPayload = true
		if flag == 'f' {
			p.cmd.PayloadFile = value
			return nil
		}
		b, err := percentDecode(value)
		if err != nil {
			return err
		}
		r.Payload = b
	case 'v', 'w', 'o':
		p.notes = append(p.notes, fmt.Sprintf("-%c only changes coap-client's own output: ignored", flag))
	case 'a', 'G', 'K', 'L', 'l', 'U', 'X':
		p.notes = append(p.notes, fmt.Sprintf("-%c is not used by the workbench: ignored", flag))
	case 'r':
		return errors.New("-r asks for CoAP over TCP: the workbench speaks CoAP over UDP")
	default: // the DTLS/TLS flags
		return fmt.Errorf("-%c configures DTLS/TLS: the workbench speaks plain CoAP over UDP", flag)
	}
	return nil
}

// ParseProxy reads a proxy as -P takes it, coap://host[:port] (coap-client 4.3) or
// host[:port] (older pages), and returns host:port (port 5683 when not given).
func ParseProxy(value string) (string, error) {
	hostPort := value
	if scheme, rest, ok := strings.Cut(value, "://"); ok {
		if scheme != "coap" {
			return "", fmt.Errorf("-P %q: the workbench reaches gateways over coap://, not %s://", value, scheme)
		}
		hostPort = strings.TrimSuffix(rest, "/")
	}
	host, port, err := net.SplitHostPort(hostPort)
	if err != nil {
		host, port = strings.Trim(hostPort, "[]"), "5683"
	}
	n, perr := strconv.ParseUint(port, 10, 16)
	if host == "" || strings.ContainsAny(host, "/ ") || perr != nil || n == 0 {
		return "", fmt.Errorf("-P %q: give the gateway as coap://HOST[:PORT]", value)
	}
	return net.JoinHostPort(host, port), nil
}

// parseOption reads -O num,text|num,0xHEX the way coap-client does.
func parseOption(value string) (message.Option, error) {
	num, text, _ := strings.Cut(value, ",")
	n, err := strconv.ParseUint(num, 10, 16)
	if err != nil {
		return message.Option{}, fmt.Errorf("-O %q: write the option as NUMBER,TEXT or NUMBER,0xHEX (coap-client takes numbers only)", value)
	}
	o := message.Option{ID: message.OptionID(n)}
	if strings.HasPrefix(text, "0x") {
		b, err := hex.DecodeString(text[2:])
		if err != nil {
			return message.Option{}, fmt.Errorf("-O %q: %q is not hex", value, text)
		}
		o.Value = b
	} else if text != "" {
		o.Value = []byte(text)
	}
	return o, nil
}
