package views

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/plgd-dev/go-coap/v3/message/codes"

	"github.com/coap-workbench/coap-workbench/coapengine"
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

// The names of the composer's setting tabs.
const (
	ComposerOptions  = "Options"
	ComposerPayload  = "Payload"
	ComposerSettings = "Settings"
)

var payloadModes = map[string]payload.Mode{modeText: payload.Text, modeHex: payload.Hex, modeJSON: payload.JSONCBOR}

// ComposedRequest is what the composer's Send hands over.
type ComposedRequest struct {
	Request coapengine.Request
	// Observe asks for an observation instead of a single request.
	Observe bool
	// ObserveFor ends the observation after this long (coap-client's -s); 0 observes until
	// it is stopped.
	ObserveFor time.Duration
}

// Composer edits one request with every knob of coap-client, checks it as it is typed and
// sends it. It has two parts that the window places apart: the request bar (method, URI,
// Observe, Send, and the line that says why Send is disabled) spanning the width, and the
// request's settings in tabs (options, payload, settings). Copy as coap-client and Paste
// coap-client command translate both ways.
type Composer struct {
	bar      fyne.CanvasObject
	settings *container.AppTabs

	method        *widget.Select
	uri           *widget.SelectEntry
	nonConfirm    *widget.RadioGroup
	contentFormat *widget.Select
	accept        *widget.Select
	blockSize     *widget.Select
	timeout       *widget.Entry
	observe       *widget.Check
	observeFor    *widget.Entry
	token         *widget.Entry
	options       []*optionRow
	optionsBox    *fyne.Container
	payloadMode   *widget.Select
	payloadEntry  *widget.Entry
	preview       *widget.Label
	templates     *widget.Button

	optionsError *widget.Label
	payloadError *widget.Label
	otherError   *widget.Label
	sendButton   *widget.Button
	more         *widget.Button
	// hint is the line under the bar: what Send does, why it is disabled, or a warning.
	hint *widget.Label
	// uriError is the URI's own problem ("" when none), shown in the hint line under it.
	uriError string
	warning  string

	completions func(typed string) []string
	offered     []string // the completions the URI box offers now
	composed    ComposedRequest
	valid       bool
	problems    []string
	// loading suppresses validation while a request is put into the fields.
	loading bool
	// now is the "now" preset last used, rebuilt when it is sent unchanged.
	now *nowPreset
	// clock is what "now" means for the presets (tests set it).
	clock func() time.Time

	// OnSend is called with a valid request when Send is pressed (or Ctrl+Enter).
	OnSend func(ComposedRequest)
	// OnChanged is called after any field changed (the request tabs retitle themselves).
	OnChanged func()
	// Gateway is the current profile's gateway (host:port, "" when direct) and client port,
	// for Copy as coap-client when CopyLine is not set.
	Gateway func() (gateway string, localPort int)
	// CopyLine, when set, writes the coap-client line(s) Copy as coap-client puts on the
	// clipboard (the window adds the login it needs); otherwise the line is the request's
	// alone.
	CopyLine func(ComposedRequest) (string, []string)
	// Notify shows a short message to the user (copied, pasted with notes).
	Notify func(string)
}

// NewComposer builds an empty composer; completions lists the URIs that start with (or
// contain) what was typed.
func NewComposer(completions func(typed string) []string) *Composer {
	c := &Composer{completions: completions, clock: time.Now}
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
	c.observe = widget.NewCheck("Observe", func(bool) { c.validate() })
	c.sendButton = widget.NewButtonWithIcon("Send", theme.MailSendIcon(), c.Send)
	c.sendButton.Importance = widget.HighImportance
	c.more = widget.NewButtonWithIcon("", theme.MoreVerticalIcon(), c.showMoreMenu)
	c.hint = widget.NewLabel("")
	c.hint.Wrapping = fyne.TextWrapWord
	c.hint.Importance = widget.LowImportance

	c.newSettingFields()
	c.optionsBox = container.NewVBox()
	c.optionsError = errorLabel()
	c.payloadError = errorLabel()
	c.otherError = errorLabel()
	c.newPayloadFields()

	right := container.NewHBox(c.observe, c.sendButton, c.more)
	line := container.NewBorder(nil, nil, container.New(fixedWidth{110}, c.method), right, c.uri)
	// The reason Send is disabled shows whole; a very long one (a URI of a hundred words)
	// scrolls after three lines rather than pushing the request down.
	hint := container.New(&cappedHeight{lines: 3, label: c.hint}, container.NewVScroll(c.hint))
	c.bar = container.NewVBox(line, hint)
	c.settings = container.NewAppTabs(
		container.NewTabItemWithIcon(ComposerOptions, theme.ListIcon(), c.optionsTab()),
		container.NewTabItemWithIcon(ComposerPayload, theme.DocumentIcon(), c.payloadTab()),
		container.NewTabItemWithIcon(ComposerSettings, theme.SettingsIcon(), c.settingsTab()),
	)
	c.validate()
	return c
}

// newSettingFields builds the fields of the Settings tab.
func (c *Composer) newSettingFields() {
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
	c.observeFor = widget.NewEntry()
	c.observeFor.SetPlaceHolder("until stopped")
	c.observeFor.OnChanged = func(string) { c.validate() }
}

// newPayloadFields builds the fields of the Payload tab.
func (c *Composer) newPayloadFields() {
	c.payloadMode = widget.NewSelect([]string{modeText, modeHex, modeJSON}, func(string) { c.validate() })
	c.payloadMode.SetSelected(modeText)
	c.payloadEntry = widget.NewMultiLineEntry()
	c.payloadEntry.SetPlaceHolder("Payload (none)")
	c.payloadEntry.SetMinRowsVisible(2)
	c.payloadEntry.Wrapping = fyne.TextWrapBreak
	c.payloadEntry.OnChanged = func(string) { c.validate() }
	c.preview = widget.NewLabel("")
	c.preview.TextStyle = fyne.TextStyle{Monospace: true}
	c.preview.Wrapping = fyne.TextWrapBreak
	c.templates = widget.NewButtonWithIcon("Device payloads", theme.MenuDropDownIcon(), c.showTemplates)
}

func (c *Composer) optionsTab() fyne.CanvasObject {
	add := widget.NewButtonWithIcon("Add option", theme.ContentAddIcon(), func() { c.addRow("", valueText, "", false) })
	return container.NewVScroll(container.NewBorder(container.NewHBox(add), nil, nil, nil, container.NewVBox(c.optionsBox, c.optionsError)))
}

func (c *Composer) payloadTab() fyne.CanvasObject {
	head := container.NewBorder(nil, nil, container.NewHBox(widget.NewLabel("As"), container.New(fixedWidth{150}, c.payloadMode)), c.templates)
	foot := container.NewVBox(c.payloadError, container.NewHScroll(c.preview))
	return container.NewVScroll(container.NewBorder(head, foot, nil, nil, c.payloadEntry))
}

func (c *Composer) settingsTab() fyne.CanvasObject {
	form := container.New(layout.NewFormLayout(),
		widget.NewLabel("Type"), c.nonConfirm,
		widget.NewLabel("Content-Format"), c.contentFormat,
		widget.NewLabel("Accept"), c.accept,
		widget.NewLabel("Block size"), c.blockSize,
		widget.NewLabel("Timeout (s)"), c.timeout,
		widget.NewLabel("Token"), c.token,
		widget.NewLabel("Observe for (s)"), c.observeFor,
	)
	return container.NewVScroll(container.NewVBox(form, c.otherError))
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

// secondaryLabel is a wrapping hint in the secondary colour.
func secondaryLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Importance = widget.LowImportance
	l.Wrapping = fyne.TextWrapWord
	return l
}

func limit(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Bar is the request bar: method, URI, Observe, Send, the more menu and the hint line.
func (c *Composer) Bar() fyne.CanvasObject { return c.bar }

// Settings are the request's settings in tabs: options, payload, settings.
func (c *Composer) Settings() *container.AppTabs { return c.settings }

// Object is the whole composer, the bar above the settings (for tests and narrow places).
func (c *Composer) Object() fyne.CanvasObject {
	return container.NewBorder(c.bar, nil, nil, nil, c.settings)
}

// SelectSettings brings a settings tab (ComposerOptions …) to the front.
func (c *Composer) SelectSettings(name string) {
	for _, t := range c.settings.Items {
		if strings.HasPrefix(t.Text, name) {
			c.settings.Select(t)
		}
	}
}

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
	return c.hint.Text
}

// Hint is the line under the request bar as shown: what Send does, why it is disabled, or
// a warning about the request.
func (c *Composer) Hint() string { return c.hint.Text }

// SetURI puts uri in the URI box.
func (c *Composer) SetURI(uri string) {
	c.uri.SetText(uri)
	c.showURIEnd()
}

// showURIEnd puts the URI box's cursor at its end, so that a URI longer than the box shows
// its path and query (the part that tells resources apart; the device is in the tab's
// title). A box the user is typing in is left alone.
func (c *Composer) showURIEnd() {
	if cv := fyne.CurrentApp().Driver().CanvasForObject(c.uri); cv != nil && cv.Focused() == c.uri {
		return
	}
	c.uri.CursorRow, c.uri.CursorColumn = 0, len([]rune(c.uri.Text))
	c.uri.Refresh()
}

// URI is what the URI box holds.
func (c *Composer) URI() string { return strings.TrimSpace(c.uri.Text) }

// SetMethod picks the method.
func (c *Composer) SetMethod(m codes.Code) { c.method.SetSelected(coapengine.MethodName(m)) }

// SetObserve ticks or clears the Observe box.
func (c *Composer) SetObserve(on bool) { c.observe.SetChecked(on) }

// SetPayload puts text in the payload editor in a mode ("Text", "Hex", "JSON as CBOR").
func (c *Composer) SetPayload(mode, text string) {
	c.payloadMode.SetSelected(mode)
	c.payloadEntry.SetText(text)
}

// Request is the request the fields describe, and whether it is valid.
func (c *Composer) Request() (ComposedRequest, bool) { return c.composed, c.valid }

// Send hands the request over when it is valid; otherwise the reason stays shown, and every
// field's problem is marked in place.
func (c *Composer) Send() {
	for _, o := range c.options {
		o.touched = true
	}
	c.refreshNow()
	c.validate()
	if !c.valid || c.OnSend == nil {
		return
	}
	c.OnSend(c.composed)
}

// showMoreMenu opens the menu of the bar's ⋮ button.
func (c *Composer) showMoreMenu() {
	cv := fyne.CurrentApp().Driver().CanvasForObject(c.more)
	if cv == nil {
		return
	}
	menu := fyne.NewMenu("",
		fyne.NewMenuItem("Copy as coap-client", c.CopyAsCoapClient),
		fyne.NewMenuItem("Paste coap-client command…", c.ShowPasteDialog),
	)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(c.more).Add(fyne.NewPos(0, c.more.Size().Height))
	widget.ShowPopUpMenuAtPosition(menu, cv, pos)
}

// fixedWidth lays its objects out at a fixed width (and reports it as their minimum), so
// that a picker keeps its size whatever its choice.
type fixedWidth struct{ width float32 }

func (f fixedWidth) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (f fixedWidth) MinSize(objects []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objects {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(f.width, h)
}
