package views

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2/widget"
	"github.com/plgd-dev/go-coap/v3/message/codes"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/payload"
	"github.com/coap-workbench/coap-workbench/internal/human"
)

// selectOrAdd selects value, adding it to the choices first when it is not one of them (a
// pasted command's unregistered Content-Format): a Select ignores values it does not offer.
func selectOrAdd(s *widget.Select, value string) {
	if !slices.Contains(s.Options, value) {
		s.Options = append(s.Options, value)
	}
	s.SetSelected(value)
}

// SetRequest puts a request into the fields (a replay, a pasted command, a history entry).
func (c *Composer) SetRequest(r ComposedRequest) {
	c.loading = true
	req := r.Request
	c.method.SetSelected(coapengine.MethodName(req.Method))
	c.uri.SetText(req.URI)
	c.showURIEnd()
	c.nonConfirm.SetSelected(map[bool]string{false: typeCON, true: typeNON}[req.NonConfirmable])
	selectOrAdd(c.contentFormat, formatChoice(req.ContentFormat))
	selectOrAdd(c.accept, formatChoice(req.Accept))
	if req.BlockSize == 0 {
		c.blockSize.SetSelected(blockAuto)
	} else {
		selectOrAdd(c.blockSize, strconv.Itoa(req.BlockSize))
	}
	c.timeout.SetText(defaultWait)
	if req.Timeout > 0 {
		c.timeout.SetText(strconv.FormatFloat(req.Timeout.Seconds(), 'f', -1, 64))
	}
	c.token.SetText(tokenText(req.Token))
	c.observe.SetChecked(r.Observe)
	c.observeFor.SetText("")
	if r.ObserveFor > 0 {
		c.observeFor.SetText(strconv.FormatFloat(r.ObserveFor.Seconds(), 'f', -1, 64))
	}
	c.clearOptions()
	for _, o := range req.Options {
		name, format, value := optionFields(o)
		c.addRow(name, format, value, true)
	}
	mode, text := payloadFields(req.Payload, req.ContentFormat)
	c.payloadMode.SetSelected(mode)
	c.payloadEntry.SetText(text)
	c.loading = false
	c.validate()
}

// validate reads the fields into a request, marks what is wrong in place and says in the
// hint line why Send is disabled.
func (c *Composer) validate() {
	if c.settings == nil || c.loading {
		return
	}
	c.problems = c.problems[:0]
	c.warning = ""
	mark := func(l *widget.Label, err error) {
		if err == nil {
			l.Hide()
			return
		}
		l.SetText(err.Error())
		l.Show()
		c.problems = append(c.problems, err.Error())
	}
	method, err := coapengine.ParseMethod(c.method.Selected)
	if err != nil {
		method = codes.GET
	}
	req := coapengine.NewRequest(method, c.URI())
	c.uriError = ""
	if req.URI == "" {
		// An empty box is not a mistake yet: Send says what it needs.
		c.problems = append(c.problems, "enter a URI or pick a resource in the tree")
	} else if err := uriProblem(req.URI); err != nil {
		c.uriError = err.Error()
		c.problems = append(c.problems, c.uriError)
	}
	req.NonConfirmable = c.nonConfirm.Selected == typeNON
	req.ContentFormat = parseFormatChoice(c.contentFormat.Selected)
	req.Accept = parseFormatChoice(c.accept.Selected)
	if c.blockSize.Selected != blockAuto {
		req.BlockSize, _ = strconv.Atoi(c.blockSize.Selected)
	}
	var other error
	if secs, err := strconv.ParseFloat(strings.TrimSpace(c.timeout.Text), 64); err != nil || secs <= 0 || secs > 3600 {
		other = errors.New("timeout: give seconds between 0 and 3600, e.g. 45 or 2.5")
	} else {
		req.Timeout = time.Duration(secs * float64(time.Second))
	}
	if tok, err := parseToken(c.token.Text); err != nil {
		other = errors.Join(other, err)
	} else {
		req.Token = tok
	}
	observeFor, err := parseObserveFor(c.observeFor.Text)
	other = errors.Join(other, err)
	if c.observe.Checked {
		other = errors.Join(other, coapengine.CheckObservable(method))
	}
	mark(c.otherError, other)
	req.Options = c.readOptions()
	body, err := payload.Encode(payloadModes[c.payloadMode.Selected], c.payloadEntry.Text)
	mark(c.payloadError, err)
	if err == nil && len(body) > 0 && (method == codes.GET || method == codes.DELETE) {
		// coap-client sends one too; most servers ignore it, some refuse it.
		c.warning = fmt.Sprintf("A %s with a payload: it is sent (as coap-client sends it), but most servers ignore or refuse it.", coapengine.MethodName(method))
	}
	req.Payload = body
	c.preview.SetText(previewOf(body, c.payloadMode.Selected, req.ContentFormat))
	if len(c.problems) == 0 {
		if err := req.Validate(); err != nil {
			c.problems = append(c.problems, err.Error())
		}
	}
	c.composed = ComposedRequest{Request: req, Observe: c.observe.Checked, ObserveFor: observeFor}
	c.valid = len(c.problems) == 0
	c.markTabs()
	c.showHint()
	if c.OnChanged != nil {
		c.OnChanged()
	}
}

// showHint fills the line under the bar: the reason Send is disabled, whole; a warning; or
// what Send does.
func (c *Composer) showHint() {
	text, importance := "Ctrl+Enter sends", widget.LowImportance
	switch {
	case !c.valid:
		text, importance = "Send is disabled: "+c.problems[0], widget.DangerImportance
		if c.URI() == "" {
			importance = widget.LowImportance
		}
		c.sendButton.Disable()
	case c.warning != "":
		text, importance = c.warning, widget.WarningImportance
		c.sendButton.Enable()
	default:
		if c.composed.Observe {
			text = "Ctrl+Enter starts observing"
			if c.composed.ObserveFor > 0 {
				text += " for " + human.Duration(c.composed.ObserveFor)
			}
		}
		c.sendButton.Enable()
	}
	if c.hint.Text != text || c.hint.Importance != importance {
		c.hint.Text, c.hint.Importance = text, importance
		c.hint.Refresh()
	}
}

// markTabs puts a warning sign on the settings tabs whose fields have a problem.
func (c *Composer) markTabs() {
	bad := map[string]bool{
		ComposerOptions:  c.optionsError.Visible() || c.optionsInvalid(),
		ComposerPayload:  c.payloadError.Visible(),
		ComposerSettings: c.otherError.Visible(),
	}
	changed := false
	for _, t := range c.settings.Items {
		name := strings.TrimSuffix(t.Text, " ⚠")
		if strings.HasPrefix(name, ComposerOptions) {
			name = ComposerOptions
			if n := c.filledOptions(); n > 0 {
				name = fmt.Sprintf("%s (%d)", ComposerOptions, n)
			}
		}
		want := name
		if bad[strings.SplitN(name, " ", 2)[0]] {
			want += " ⚠"
		}
		if t.Text != want {
			t.Text = want
			changed = true
		}
	}
	if changed {
		c.settings.Refresh()
	}
}

// parseObserveFor reads the Observe-for box: seconds, or empty for "until stopped".
func parseObserveFor(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	secs, err := strconv.ParseFloat(s, 64)
	if err != nil || secs <= 0 || secs > 7*24*3600 {
		return 0, errors.New("observe for: give seconds (e.g. 60), or leave it empty to observe until stopped")
	}
	return time.Duration(secs * float64(time.Second)), nil
}
