package views

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/plgd-dev/go-coap/v3/message/codes"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/coapclient"
	"github.com/coap-workbench/coap-workbench/coapengine/payload"
)

// The choices of the composer's pickers.
const (
	formatNone  = "none"
	blockAuto   = "auto"
	typeCON     = "CON"
	typeNON     = "NON"
	modeText    = "Text"
	modeHex     = "Hex"
	modeJSON    = "JSON as CBOR"
	valueText   = "text"
	valueUint   = "uint"
	valueHex    = "hex"
	maxMatches  = 12
	defaultWait = "45"
)

var payloadModes = map[string]payload.Mode{modeText: payload.Text, modeHex: payload.Hex, modeJSON: payload.JSONCBOR}

// ComposedRequest is what the composer's Send hands over.
type ComposedRequest struct {
	Request coapengine.Request
	// Observe asks for an observation instead of a single request.
	Observe bool
}

// Composer edits one request with every knob of coap-client, checks it as it is typed and
// sends it. Copy as coap-client and Paste coap-client command translate both ways.
type Composer struct {
	root fyne.CanvasObject

	method        *widget.Select
	uri           *widget.SelectEntry
	nonConfirm    *widget.RadioGroup
	contentFormat *widget.Select
	accept        *widget.Select
	blockSize     *widget.Select
	timeout       *widget.Entry
	observe       *widget.Check
	token         *widget.Entry
	options       []*optionRow
	optionsBox    *fyne.Container
	payloadMode   *widget.RadioGroup
	payloadEntry  *widget.Entry
	preview       *widget.Label

	uriError     *widget.Label
	optionsError *widget.Label
	payloadError *widget.Label
	otherError   *widget.Label
	sendButton   *widget.Button
	sendReason   *widget.Label

	completions func(typed string) []string
	offered     []string // the completions the URI box offers now
	composed    ComposedRequest
	valid       bool
	// loading suppresses validation while a request is put into the fields.
	loading bool

	// OnSend is called with a valid request when Send is pressed (or Ctrl+Enter).
	OnSend func(ComposedRequest)
	// Gateway is the current profile's gateway (host:port, "" when direct) and client port,
	// for Copy as coap-client.
	Gateway func() (gateway string, localPort int)
	// Notify shows a short message to the user (copied, pasted with notes).
	Notify func(string)
}

// optionRow is one row of the options table.
type optionRow struct {
	name   *widget.Entry
	format *widget.Select
	value  *widget.Entry
	row    *fyne.Container
}

// NewComposer builds an empty composer; completions lists the URIs that start with (or
// contain) what was typed.
func NewComposer(completions func(typed string) []string) *Composer {
	c := &Composer{completions: completions}
	methods := make([]string, len(coapengine.Methods))
	for i, m := range coapengine.Methods {
		methods[i] = coapengine.MethodName(m)
	}
	c.method = widget.NewSelect(methods, func(string) { c.validate() })
	c.method.SetSelected("GET")
	c.uri = widget.NewSelectEntry(nil)
	c.uri.SetPlaceHolder("coap://SSN001350050005E7D6.sim.starfish.test:4849/sys/stats?mod=pwr")
	c.uri.OnChanged = func(s string) {
		if c.completions != nil {
			c.offered = limit(c.completions(s), maxMatches)
			c.uri.SetOptions(c.offered)
		}
		c.validate()
	}
	c.uri.OnSubmitted = func(string) { c.Send() }
	c.nonConfirm = widget.NewRadioGroup([]string{typeCON, typeNON}, func(string) { c.validate() })
	c.nonConfirm.Horizontal = true
	c.nonConfirm.Required = true
	c.nonConfirm.SetSelected(typeCON)
	formats := []string{formatNone}
	for _, f := range coapengine.ContentFormats {
		formats = append(formats, fmt.Sprintf("%d %s", f.Number, f.MediaType))
	}
	c.contentFormat = widget.NewSelect(formats, func(string) { c.validate() })
	c.contentFormat.SetSelected(formatNone)
	c.accept = widget.NewSelect(formats, func(string) { c.validate() })
	c.accept.SetSelected(formatNone)
	c.blockSize = widget.NewSelect([]string{blockAuto, "16", "32", "64", "128", "256", "512", "1024"}, func(string) { c.validate() })
	c.blockSize.SetSelected(blockAuto)
	c.timeout = widget.NewEntry()
	c.timeout.SetText(defaultWait)
	c.timeout.OnChanged = func(string) { c.validate() }
	c.token = widget.NewEntry()
	c.token.SetPlaceHolder("random")
	c.token.OnChanged = func(string) { c.validate() }
	c.observe = widget.NewCheck("Observe", func(bool) { c.validate() })

	c.optionsBox = container.NewVBox()
	addOption := widget.NewButtonWithIcon("Add option", theme.ContentAddIcon(), func() { c.AddOption("", valueText, "") })

	c.payloadMode = widget.NewRadioGroup([]string{modeText, modeHex, modeJSON}, func(string) { c.validate() })
	c.payloadMode.Horizontal = true
	c.payloadMode.Required = true
	c.payloadMode.SetSelected(modeText)
	c.payloadEntry = widget.NewMultiLineEntry()
	c.payloadEntry.SetPlaceHolder("Payload (none)")
	c.payloadEntry.SetMinRowsVisible(4)
	c.payloadEntry.OnChanged = func(string) { c.validate() }
	c.preview = widget.NewLabel("")
	c.preview.TextStyle = fyne.TextStyle{Monospace: true}
	c.preview.Wrapping = fyne.TextWrapBreak

	c.uriError = errorLabel()
	c.optionsError = errorLabel()
	c.payloadError = errorLabel()
	c.otherError = errorLabel()
	c.sendButton = widget.NewButtonWithIcon("Send", theme.MailSendIcon(), c.Send)
	c.sendButton.Importance = widget.HighImportance
	c.sendReason = widget.NewLabel("")
	c.sendReason.Importance = widget.LowImportance
	c.sendReason.Truncation = fyne.TextTruncateEllipsis
	copyButton := widget.NewButtonWithIcon("Copy as coap-client", theme.ContentCopyIcon(), c.copyAsCoapClient)
	pasteButton := widget.NewButtonWithIcon("Paste coap-client command…", theme.ContentPasteIcon(), c.ShowPasteDialog)

	line := container.NewBorder(nil, nil, c.method, container.NewHBox(c.observe, c.sendButton), c.uri)
	settings := container.NewGridWithColumns(2,
		container.New(layout.NewFormLayout(),
			widget.NewLabel("Type"), c.nonConfirm,
			widget.NewLabel("Content-Format"), c.contentFormat,
			widget.NewLabel("Accept"), c.accept,
		),
		container.New(layout.NewFormLayout(),
			widget.NewLabel("Block size"), c.blockSize,
			widget.NewLabel("Timeout (s)"), c.timeout,
			widget.NewLabel("Token"), c.token,
		),
	)
	optionsHead := container.NewBorder(nil, nil, boldLabel("Options"), container.NewHBox(addOption))
	payloadHead := container.NewBorder(nil, nil, boldLabel("Payload"), nil, c.payloadMode)
	form := container.NewVBox(
		line, c.uriError,
		settings, c.otherError,
		optionsHead, c.optionsBox, c.optionsError,
		payloadHead, c.payloadEntry, c.payloadError, c.preview,
	)
	footer := container.NewBorder(widget.NewSeparator(), nil, nil, container.NewHBox(pasteButton, copyButton), c.sendReason)
	c.root = container.NewBorder(nil, footer, nil, nil, container.NewVScroll(form))
	c.validate()
	return c
}

func errorLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}

func boldLabel(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func limit(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Object is the composer.
func (c *Composer) Object() fyne.CanvasObject { return c.root }

// FocusURI puts the keyboard focus in the URI box.
func (c *Composer) FocusURI() {
	if cv := fyne.CurrentApp().Driver().CanvasForObject(c.uri); cv != nil {
		cv.Focus(c.uri)
	}
}

// URIEntry is the URI box (for tests and focus).
func (c *Composer) URIEntry() *widget.SelectEntry { return c.uri }

// Completions are the URIs the URI box offers for what is typed in it.
func (c *Composer) Completions() []string { return c.offered }

// SendButton is the Send button (for tests).
func (c *Composer) SendButton() *widget.Button { return c.sendButton }

// SendReason says why Send is disabled ("" when it is not).
func (c *Composer) SendReason() string {
	if c.valid {
		return ""
	}
	return c.sendReason.Text
}

// AddOption adds a row to the options table: name is a name or number, format one of
// "text", "uint", "hex".
func (c *Composer) AddOption(name, format, value string) {
	r := &optionRow{name: widget.NewEntry(), value: widget.NewEntry()}
	r.name.SetPlaceHolder("name or number")
	r.name.SetText(name)
	r.value.SetPlaceHolder("value")
	r.value.SetText(value)
	r.format = widget.NewSelect([]string{valueText, valueUint, valueHex}, func(string) { c.validate() })
	r.format.SetSelected(format)
	r.name.OnChanged = func(s string) {
		// A known option brings its format along.
		if def, ok := coapengine.LookupOption(s); ok && r.value.Text == "" {
			r.format.SetSelected(formatOfDef(def))
		}
		c.validate()
	}
	r.value.OnChanged = func(string) { c.validate() }
	remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
		for i, o := range c.options {
			if o == r {
				c.options = append(c.options[:i], c.options[i+1:]...)
				break
			}
		}
		c.optionsBox.Remove(r.row)
		c.validate()
	})
	left := container.NewGridWithColumns(2, r.name, r.format)
	r.row = container.NewBorder(nil, nil, left, remove, r.value)
	c.options = append(c.options, r)
	c.optionsBox.Add(r.row)
	c.validate()
}

// SetURI puts uri in the URI box.
func (c *Composer) SetURI(uri string) { c.uri.SetText(uri) }

// SetMethod picks the method.
func (c *Composer) SetMethod(m codes.Code) { c.method.SetSelected(coapengine.MethodName(m)) }

// SetObserve ticks or clears the Observe box.
func (c *Composer) SetObserve(on bool) { c.observe.SetChecked(on) }

// SetPayload puts text in the payload editor in a mode ("Text", "Hex", "JSON as CBOR").
func (c *Composer) SetPayload(mode, text string) {
	c.payloadMode.SetSelected(mode)
	c.payloadEntry.SetText(text)
}

// selectOrAdd selects value, adding it to the choices first when it is not one of them (a
// pasted command's unregistered Content-Format): a Select ignores values it does not offer.
func selectOrAdd(s *widget.Select, value string) {
	if !slices.Contains(s.Options, value) {
		s.Options = append(s.Options, value)
	}
	s.SetSelected(value)
}

// Request is the request the fields describe, and whether it is valid.
func (c *Composer) Request() (ComposedRequest, bool) { return c.composed, c.valid }

// SetRequest puts a request into the fields (a replay, a pasted command, a history entry).
func (c *Composer) SetRequest(r ComposedRequest) {
	c.loading = true
	req := r.Request
	c.method.SetSelected(coapengine.MethodName(req.Method))
	c.uri.SetText(req.URI)
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
	for _, o := range c.options {
		c.optionsBox.Remove(o.row)
	}
	c.options = nil
	for _, o := range req.Options {
		name, format, value := optionFields(o)
		c.AddOption(name, format, value)
	}
	mode, text := payloadFields(req.Payload, req.ContentFormat)
	c.payloadMode.SetSelected(mode)
	c.payloadEntry.SetText(text)
	c.loading = false
	c.validate()
}

// validate reads the fields into a request and marks what is wrong, in place.
func (c *Composer) validate() {
	if c.sendButton == nil || c.loading {
		return
	}
	var req coapengine.Request
	var problems []string
	mark := func(l *widget.Label, err error) {
		if err == nil {
			l.Hide()
			return
		}
		l.SetText(err.Error())
		l.Show()
		problems = append(problems, err.Error())
	}
	method, err := coapengine.ParseMethod(c.method.Selected)
	if err != nil {
		method = codes.GET
	}
	req = coapengine.NewRequest(method, strings.TrimSpace(c.uri.Text))
	if req.URI == "" {
		// An empty box is not a mistake yet: Send says what it needs.
		c.uriError.Hide()
		problems = append(problems, "enter a URI or pick a resource in the tree")
	} else {
		mark(c.uriError, uriProblem(req.URI))
	}
	req.NonConfirmable = c.nonConfirm.Selected == typeNON
	req.ContentFormat = parseFormatChoice(c.contentFormat.Selected)
	req.Accept = parseFormatChoice(c.accept.Selected)
	var other error
	if c.blockSize.Selected != blockAuto {
		req.BlockSize, _ = strconv.Atoi(c.blockSize.Selected)
	}
	if secs, err := strconv.ParseFloat(strings.TrimSpace(c.timeout.Text), 64); err != nil || secs <= 0 || secs > 3600 {
		other = fmt.Errorf("timeout: give seconds between 0 and 3600, e.g. 45 or 2.5")
	} else {
		req.Timeout = time.Duration(secs * float64(time.Second))
	}
	if tok, err := parseToken(c.token.Text); err != nil {
		other = errors.Join(other, err)
	} else {
		req.Token = tok
	}
	if c.observe.Checked && method != codes.GET && method != codes.FETCH {
		other = errors.Join(other, errors.New("observe: only GET and FETCH can observe a resource"))
	}
	mark(c.otherError, other)
	var optErr error
	for i, o := range c.options {
		opt, err := o.option()
		if err != nil {
			optErr = errors.Join(optErr, fmt.Errorf("option %d: %w", i+1, err))
			continue
		}
		req.Options = append(req.Options, opt)
	}
	mark(c.optionsError, optErr)
	body, err := payload.Encode(payloadModes[c.payloadMode.Selected], c.payloadEntry.Text)
	if err == nil && len(body) > 0 && (method == codes.GET || method == codes.DELETE) {
		err = fmt.Errorf("a %s request carries no payload: choose POST, PUT, FETCH, PATCH or iPATCH, or clear the payload", coapengine.MethodName(method))
	}
	mark(c.payloadError, err)
	req.Payload = body
	c.preview.SetText(previewOf(body, c.payloadMode.Selected, req.ContentFormat))
	if len(problems) == 0 {
		if err := req.Validate(); err != nil {
			problems = append(problems, err.Error())
		}
	}
	c.composed = ComposedRequest{Request: req, Observe: c.observe.Checked}
	c.valid = len(problems) == 0
	if c.valid {
		c.sendButton.Enable()
		c.sendReason.SetText("Ctrl+Enter sends")
		return
	}
	c.sendButton.Disable()
	c.sendReason.SetText("Send is disabled: " + problems[0])
}

// Send hands the request over when it is valid; otherwise the reason stays shown.
func (c *Composer) Send() {
	c.validate()
	if !c.valid || c.OnSend == nil {
		return
	}
	c.OnSend(c.composed)
}

// CoapClientLine is the coap-client command line that sends the composed request, with
// notes on what it cannot express exactly.
func (c *Composer) CoapClientLine() (string, []string) {
	cmd := coapclient.Command{Request: c.composed.Request}
	if c.Gateway != nil {
		cmd.Gateway, cmd.LocalPort = c.Gateway()
	}
	if c.composed.Observe {
		cmd.Observe = 60 * time.Second
	}
	return coapclient.Render(cmd)
}

func (c *Composer) copyAsCoapClient() {
	if !c.valid {
		c.notify("Nothing copied: " + strings.TrimPrefix(c.sendReason.Text, "Send is disabled: "))
		return
	}
	line, notes := c.CoapClientLine()
	fyne.CurrentApp().Clipboard().SetContent(line)
	msg := "Copied: " + line
	if len(notes) > 0 {
		msg += " (" + strings.Join(notes, "; ") + ")"
	}
	c.notify(msg)
}

func (c *Composer) notify(msg string) {
	if c.Notify != nil {
		c.Notify(msg)
	}
}

// PasteCoapClient reads a coap-client command line into the fields; the error says what in
// the line could not be read.
func (c *Composer) PasteCoapClient(line string) error {
	cmd, notes, err := coapclient.Parse(line)
	if err != nil {
		return err
	}
	if cmd.PayloadFile != "" {
		return fmt.Errorf("the command reads its payload from %q (-f): paste the payload into the editor instead, and drop -f", cmd.PayloadFile)
	}
	c.SetRequest(ComposedRequest{Request: cmd.Request, Observe: cmd.Observe > 0})
	msg := "Pasted the coap-client command"
	if cmd.Gateway != "" {
		msg += " (its gateway -P " + cmd.Gateway + " is not switched to: the current profile sends it)"
	}
	if len(notes) > 0 {
		msg += ": " + strings.Join(notes, "; ")
	}
	c.notify(msg)
	return nil
}

// ShowPasteDialog asks for a coap-client command line and reads it into the fields.
func (c *Composer) ShowPasteDialog() {
	cv := fyne.CurrentApp().Driver().CanvasForObject(c.root)
	if cv == nil {
		return
	}
	if w := windowOf(cv); w != nil {
		showPasteDialog(w, fyne.CurrentApp().Clipboard().Content(), c.PasteCoapClient)
	}
}
