// Package linkformat parses CoRE Link Format (RFC 6690), the format of /.well-known/core and
// of the "next level down" listings of Starfish devices. No maintained Go parser exists; this
// one follows the RFC's grammar — quoted strings with escapes, commas and semicolons inside
// quotes, attributes without values, repeated attributes, relative references — and tolerates
// what real devices send: empty parameters such as the HDK's trailing ";," and stray commas.
package linkformat

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Param is one link parameter (attribute) of a link, e.g. rt="ssn.stats.pwr" or obs.
type Param struct {
	Name     string // lower case, as RFC 6690 makes parameter names case-insensitive
	Value    string // unquoted and unescaped
	HasValue bool
}

// Link is one link-value: a target and its parameters in order.
type Link struct {
	Target string // the URI-Reference between < and >, as written
	Params []Param
}

// Get returns the value of the first parameter called name.
func (l Link) Get(name string) (string, bool) {
	name = strings.ToLower(name)
	for _, p := range l.Params {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

// Has reports whether the link has a parameter called name, with or without a value.
func (l Link) Has(name string) bool {
	_, ok := l.Get(name)
	return ok
}

// Values returns every value of the parameters called name, split at spaces: rt, if and ct
// may hold several values ("core.s core.p") and may be repeated.
func (l Link) Values(name string) []string {
	name = strings.ToLower(name)
	var out []string
	for _, p := range l.Params {
		if p.Name == name && p.HasValue {
			out = append(out, strings.Fields(p.Value)...)
		}
	}
	return out
}

// ResourceTypes returns the rt values.
func (l Link) ResourceTypes() []string { return l.Values("rt") }

// Interfaces returns the if values.
func (l Link) Interfaces() []string { return l.Values("if") }

// Title returns the title.
func (l Link) Title() string {
	t, _ := l.Get("title")
	return t
}

// ContentFormats returns the ct values that are numbers.
func (l Link) ContentFormats() []int {
	var out []int
	for _, v := range l.Values("ct") {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 && n <= 65535 {
			out = append(out, n)
		}
	}
	return out
}

// Observable reports whether the link carries obs (RFC 7641 §6).
func (l Link) Observable() bool { return l.Has("obs") }

// Size returns sz, the estimated size of the representation, and whether it is there.
func (l Link) Size() (int, bool) {
	v, ok := l.Get("sz")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}

// Resolve returns the target as an absolute path and query ("/sys/stats?mod=pwr"), resolved
// against base, the path of the resource the links came from. Targets naming another host
// keep their scheme and host.
func (l Link) Resolve(base string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("base %q: %w", base, err)
	}
	t, err := url.Parse(l.Target)
	if err != nil {
		return "", fmt.Errorf("target %q: %w", l.Target, err)
	}
	return b.ResolveReference(t).String(), nil
}

// SyntaxError says where and why a document is not link format.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("link format: %s at byte %d", e.Msg, e.Offset)
}

// Parse reads a link-format document. Links before a syntax error are returned with it.
func Parse(doc string) ([]Link, error) {
	p := &parser{s: doc}
	var links []Link
	for {
		p.skip(" \t\r\n,")
		if p.done() {
			return links, nil
		}
		link, err := p.link()
		if err != nil {
			return links, err
		}
		links = append(links, link)
	}
}

type parser struct {
	s   string
	pos int
}

func (p *parser) done() bool { return p.pos >= len(p.s) }

func (p *parser) peek() byte { return p.s[p.pos] }

func (p *parser) skip(set string) {
	for !p.done() && strings.IndexByte(set, p.peek()) >= 0 {
		p.pos++
	}
}

func (p *parser) errorf(format string, args ...any) error {
	return &SyntaxError{Offset: p.pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) link() (Link, error) {
	if p.peek() != '<' {
		return Link{}, p.errorf("want '<' to start a link, found %q", p.peek())
	}
	p.pos++
	end := strings.IndexByte(p.s[p.pos:], '>')
	if end < 0 {
		return Link{}, p.errorf("unterminated '<'")
	}
	target := p.s[p.pos : p.pos+end]
	if strings.ContainsAny(target, "<\"") {
		return Link{}, p.errorf("target %q holds '<' or '\"'", target)
	}
	p.pos += end + 1
	link := Link{Target: target}
	for {
		p.skip(" \t\r\n")
		if p.done() {
			return link, nil
		}
		switch p.peek() {
		case ',':
			p.pos++
			return link, nil
		case ';':
			p.pos++
			p.skip(" \t\r\n")
			if p.done() || p.peek() == ',' || p.peek() == ';' {
				continue // an empty parameter, as the HDK writes before every comma
			}
			param, err := p.param()
			if err != nil {
				return link, err
			}
			link.Params = append(link.Params, param)
		default:
			return link, p.errorf("want ';' or ',' after a link, found %q", p.peek())
		}
	}
}

func (p *parser) param() (Param, error) {
	start := p.pos
	for !p.done() && isParamNameChar(p.peek()) {
		p.pos++
	}
	if p.pos == start {
		return Param{}, p.errorf("want a parameter name, found %q", p.peek())
	}
	param := Param{Name: strings.ToLower(p.s[start:p.pos])}
	p.skip(" \t")
	if p.done() || p.peek() != '=' {
		return param, nil
	}
	p.pos++
	p.skip(" \t")
	param.HasValue = true
	if p.done() {
		return param, nil
	}
	if p.peek() == '"' {
		v, err := p.quoted()
		if err != nil {
			return param, err
		}
		param.Value = v
		return param, nil
	}
	start = p.pos
	for !p.done() && p.peek() != ';' && p.peek() != ',' {
		p.pos++
	}
	param.Value = strings.TrimRight(p.s[start:p.pos], " \t\r\n")
	return param, nil
}

// quoted reads a quoted-string (RFC 7230): backslash escapes any character.
func (p *parser) quoted() (string, error) {
	open := p.pos
	p.pos++ // the opening quote
	var b strings.Builder
	for !p.done() {
		c := p.peek()
		switch c {
		case '"':
			p.pos++
			return b.String(), nil
		case '\\':
			p.pos++
			if p.done() {
				return "", &SyntaxError{Offset: open, Msg: "unterminated quoted string"}
			}
			b.WriteByte(p.peek())
		default:
			b.WriteByte(c)
		}
		p.pos++
	}
	return "", &SyntaxError{Offset: open, Msg: "unterminated quoted string"}
}

// isParamNameChar accepts parmname characters (RFC 5987 attr-char) and '*' of ext names.
func isParamNameChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~*", c) >= 0
}

// Format writes links back in link format, quoting values that need it.
func Format(links []Link) string {
	var b strings.Builder
	for i, l := range links {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('<')
		b.WriteString(l.Target)
		b.WriteByte('>')
		for _, p := range l.Params {
			b.WriteByte(';')
			b.WriteString(p.Name)
			if !p.HasValue {
				continue
			}
			b.WriteByte('=')
			if isToken(p.Value) {
				b.WriteString(p.Value)
			} else {
				b.WriteString(quote(p.Value))
			}
		}
	}
	return b.String()
}

func isToken(v string) bool {
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		if !isParamNameChar(v[i]) && v[i] != '/' && v[i] != ':' {
			return false
		}
	}
	return true
}

// quote writes a quoted-string: only the quote and the backslash need escaping.
func quote(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
}
