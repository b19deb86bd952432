package views

import (
	"net/url"
	"strings"

	"github.com/coap-workbench/coap-workbench/internal/human"
)

// ComposerState is every field of the composer as typed, valid or not: what a request tab
// keeps while another tab is in front.
type ComposerState struct {
	Method, URI, Type                string
	ContentFormat, Accept, BlockSize string
	Timeout, Token, ObserveFor       string
	Observe                          bool
	Options                          []OptionState
	PayloadMode, Payload             string
	SettingsTab                      string
	optionsTouched                   []bool
}

// OptionState is one row of the options table as typed.
type OptionState struct{ Name, Format, Value string }

// NewComposerState is the state of an empty composer: a GET with the default settings.
func NewComposerState() ComposerState {
	return ComposerState{Method: "GET", Type: typeCON, ContentFormat: formatNone, Accept: formatNone, BlockSize: blockAuto,
		Timeout: defaultWait, PayloadMode: modeText, SettingsTab: ComposerOptions}
}

// State is what the fields hold now.
func (c *Composer) State() ComposerState {
	s := ComposerState{
		Method: c.method.Selected, URI: c.uri.Text, Type: c.nonConfirm.Selected,
		ContentFormat: c.contentFormat.Selected, Accept: c.accept.Selected, BlockSize: c.blockSize.Selected,
		Timeout: c.timeout.Text, Token: c.token.Text, ObserveFor: c.observeFor.Text, Observe: c.observe.Checked,
		PayloadMode: c.payloadMode.Selected, Payload: c.payloadEntry.Text,
	}
	if t := c.settings.Selected(); t != nil {
		s.SettingsTab = strings.SplitN(t.Text, " ", 2)[0]
	}
	for _, o := range c.options {
		s.Options = append(s.Options, OptionState{Name: o.name.Text, Format: o.format.Selected, Value: o.value.Text})
		s.optionsTouched = append(s.optionsTouched, o.touched)
	}
	return s
}

// SetState puts a saved state back into the fields, as it was typed.
func (c *Composer) SetState(s ComposerState) {
	c.loading = true
	c.now = nil
	c.method.SetSelected(s.Method)
	c.uri.SetText(s.URI)
	c.showURIEnd()
	c.nonConfirm.SetSelected(s.Type)
	selectOrAdd(c.contentFormat, s.ContentFormat)
	selectOrAdd(c.accept, s.Accept)
	selectOrAdd(c.blockSize, s.BlockSize)
	c.timeout.SetText(s.Timeout)
	c.token.SetText(s.Token)
	c.observeFor.SetText(s.ObserveFor)
	c.observe.SetChecked(s.Observe)
	c.clearOptions()
	for i, o := range s.Options {
		touched := i < len(s.optionsTouched) && s.optionsTouched[i]
		c.addRow(o.Name, o.Format, o.Value, touched)
	}
	c.payloadMode.SetSelected(s.PayloadMode)
	c.payloadEntry.SetText(s.Payload)
	if s.SettingsTab != "" {
		c.SelectSettings(s.SettingsTab)
	}
	c.loading = false
	c.validate()
}

// RequestTitle names a request by what tells requests apart: its path first, then the tail
// of its device ("/sys/stats?mod=pwr · …0005E7D6"); "New request" for an empty URI.
func RequestTitle(method, uri string) string {
	uri = strings.TrimSpace(uri)
	if uri == "" {
		return "New request"
	}
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" {
		return human.Middle(uri, 40)
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	host := human.ShortHost(u.Hostname())
	if r := []rune(host); len(r) > 9 {
		host = "…" + string(r[len(r)-8:])
	}
	title := path + " · " + host
	if method != "" && method != "GET" {
		title = method + " " + title
	}
	return title
}
