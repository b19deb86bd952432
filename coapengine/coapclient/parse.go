package coapclient

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"mvdan.cc/sh/v3/expand"
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

// maxLineLength bounds a pasted line.
const maxLineLength = 64 << 10

// shellWords splits a line into words as a POSIX shell does, with quote removal. It expands
// nothing: a line that relies on the shell (variables, command substitution, arithmetic,
// brace or glob patterns are taken literally) gets an error or its literal text, never the
// workbench's own environment or files.
func shellWords(line string) ([]string, error) {
	if len(line) > maxLineLength {
		return nil, fmt.Errorf("the command line is %d bytes long; a coap-client line is at most %d", len(line), maxLineLength)
	}
	var words []string
	var problems []string
	for w, err := range syntax.NewParser().WordsSeq(strings.NewReader(line)) {
		if err != nil {
			return nil, fmt.Errorf("cannot read the command line: %w", err)
		}
		syntax.Walk(w, func(n syntax.Node) bool {
			switch n := n.(type) {
			case *syntax.ParamExp:
				name := "$"
				if n.Param != nil {
					name += n.Param.Value
				}
				problems = append(problems, "uses the shell variable "+name+": put its value in instead")
			case *syntax.CmdSubst, *syntax.ProcSubst:
				problems = append(problems, "runs a command inside it: run that yourself and paste its output")
			case *syntax.ArithmExp:
				problems = append(problems, "uses shell arithmetic: put the number in instead")
			case *syntax.ExtGlob:
				problems = append(problems, "uses a shell pattern")
			}
			return true
		})
		if len(problems) > 0 {
			return nil, fmt.Errorf("the command line %s", problems[0])
		}
		lit, err := expand.Literal(nil, w)
		if err != nil {
			return nil, fmt.Errorf("cannot read the command line: %w", err)
		}
		words = append(words, lit)
	}
	return words, nil
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
func Parse(line string) (Command, []string, error) {
	words, err := shellWords(line)
	if err != nil {
		return Command{}, nil, err
	}
	if len(words) == 0 {
		return Command{}, nil, fmt.Errorf("%w: the line is empty", ErrNotCoapClient)
	}
	if !strings.HasPrefix(path.Base(words[0]), "coap-client") {
		return Command{}, nil, fmt.Errorf("%w: it runs %q (paste a line that starts with coap-client)", ErrNotCoapClient, words[0])
	}
	p := parser{cmd: Command{Request: coapengine.NewRequest(codes.GET, "")}}
	var uris []string
	args := words[1:]
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
