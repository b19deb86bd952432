package views

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/decode"
	"github.com/coap-workbench/coap-workbench/internal/coapfmt"
	"github.com/coap-workbench/coap-workbench/internal/human"
	"github.com/plgd-dev/go-coap/v3/message/codes"
)

// maxDiffKeys bounds how many resources' previous responses the inspector keeps for diffs.
const maxDiffKeys = 1000

// The inspector's payload views.
const (
	ViewDecoded = "Decoded"
	ViewText    = "Text"
	ViewHex     = "Hex"
	ViewCBOR    = "CBOR"
	ViewDiff    = "Diff"
	ViewMessage = "Message"
)

// Inspector shows one exchange: the code with its meaning and the hop that answered, and
// the answer as decoded (power statistics as a table with units), as text, as hex in 16-byte
// rows, as CBOR diagnostic notation, as a diff against the previous response of the same
// resource, and both messages as they went on the wire (type, code, message ID, token, every
// option decoded). Everything long scrolls inside it; a new answer starts at the top.
type Inspector struct {
	decoders *decode.Registry
	root     fyne.CanvasObject

	empty    *widget.Label
	cancel   *widget.Button
	emptyBox *fyne.Container
	body     *fyne.Container
	// bodyScroll holds the body, so that it never asks for more height than its pane has.
	bodyScroll  *container.Scroll
	emptyScroll *container.Scroll
	title       *FitLabel
	code        *widget.Label
	metrics     *FitLabel
	explain     *widget.Label
	explainS    *container.Scroll
	views       *container.AppTabs

	fields   *denseTable
	fieldBox *fyne.Container
	decoded  *widget.Label
	decodedS *container.Scroll
	text     *widget.Label
	textS    *container.Scroll
	hexDump  *hexView
	cbor     *widget.Label
	cborS    *container.Scroll
	diff     *diffView
	message  *denseTable

	observe *widget.Button

	shown coapengine.Exchange
	state InspectorState

	// OnObserve is called with the exchange on show when its Observe button is pressed.
	OnObserve func(coapengine.Exchange)
	// previous holds the latest responses of each resource (profile and URI), for diffs.
	previous map[string]*resourceResponses
	order    []string
}

// NewInspector builds an inspector that decodes with decoders.
func NewInspector(decoders *decode.Registry) *Inspector {
	i := &Inspector{decoders: decoders, previous: map[string]*resourceResponses{}}
	i.empty = widget.NewLabel(inspectorEmptyText)
	i.empty.Wrapping = fyne.TextWrapWord
	i.title = NewFitLabel("")
	i.code = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	i.metrics = NewFitLabel("")
	i.metrics.Cut = CutEnd
	i.explain = widget.NewLabel("")
	i.explain.Wrapping = fyne.TextWrapWord
	i.explainS = container.NewVScroll(i.explain)

	i.fields = newDenseTable([]string{"Field", "Value"}, []float32{190})
	i.fieldBox = container.NewStack(i.fields.Object())
	i.decoded = monoLabel()
	i.decodedS = container.NewScroll(i.decoded)
	decodedView := container.NewStack(i.fieldBox, i.decodedS)
	i.text = monoLabel()
	i.textS = container.NewScroll(i.text)
	i.hexDump = newHexView()
	i.cbor = monoLabel()
	i.cborS = container.NewScroll(i.cbor)
	i.diff = newDiffView()
	i.message = newDenseTable([]string{"Field", "Value", "Bytes"}, []float32{190, 0})

	i.views = container.NewAppTabs(
		container.NewTabItem(ViewDecoded, decodedView),
		container.NewTabItem(ViewText, i.textS),
		container.NewTabItem(ViewHex, i.hexDump.Object()),
		container.NewTabItem(ViewCBOR, i.cborS),
		container.NewTabItem(ViewDiff, i.diff.Object()),
		container.NewTabItem(ViewMessage, i.message.Object()),
	)
	i.observe = widget.NewButtonWithIcon("Observe", theme.VisibilityIcon(), func() {
		if i.OnObserve != nil {
			i.OnObserve(i.shown)
		}
	})
	i.observe.Importance = widget.LowImportance
	head := container.NewVBox(
		container.NewBorder(nil, nil, i.code, i.observe, i.title),
		i.metrics,
		container.New(&cappedHeight{lines: 3, label: i.explain}, i.explainS),
	)
	// The header and the views' tab bar are drawn at the compact density: the room goes to
	// the answer itself.
	i.body = container.NewBorder(container.NewThemeOverride(head, NewTheme(true)), nil, nil, nil, container.NewThemeOverride(i.views, NewTheme(true)))
	i.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), nil)
	i.cancel.Hide()
	i.emptyBox = container.NewPadded(container.NewVBox(i.empty, container.NewHBox(i.cancel)))
	// The answer scrolls as a whole only when its pane is smaller than its header and tabs
	// need; otherwise each view scrolls on its own.
	i.bodyScroll = container.NewVScroll(i.body)
	i.emptyScroll = container.NewVScroll(i.emptyBox)
	i.bodyScroll.Hide()
	i.root = container.NewStack(i.emptyScroll, i.bodyScroll)
	return i
}

const inspectorEmptyText = "No response yet: pick a resource in the tree and press Send (Ctrl+Enter), or select an exchange in the History tab."

func monoLabel() *widget.Label {
	l := widget.NewLabel("")
	l.TextStyle = fyne.TextStyle{Monospace: true}
	l.Wrapping = fyne.TextWrapBreak
	l.Selectable = true
	return l
}

// Object is the inspector.
func (i *Inspector) Object() fyne.CanvasObject { return i.root }

// Shown is the exchange on show.
func (i *Inspector) Shown() coapengine.Exchange { return i.shown }

// SelectView switches to one of the payload views (ViewDecoded, ViewText ...).
func (i *Inspector) SelectView(name string) {
	for _, t := range i.views.Items {
		if t.Text == name {
			i.views.Select(t)
		}
	}
}

// SelectedView is the name of the payload view in front.
func (i *Inspector) SelectedView() string { return i.views.Selected().Text }

// InspectorState is what the inspector shows: nothing yet, a request on its way, a problem,
// or an exchange. A request tab keeps its own while another is in front.
type InspectorState struct {
	kind   inspectorKind
	text   string
	cancel func()
	x      coapengine.Exchange
}

type inspectorKind int

const (
	inspectorEmpty inspectorKind = iota
	inspectorPending
	inspectorProblem
	inspectorExchange
)

// State is what the inspector shows now.
func (i *Inspector) State() InspectorState { return i.state }

// SetState shows a state taken with State (an empty state shows the empty text).
func (i *Inspector) SetState(s InspectorState) {
	switch s.kind {
	case inspectorPending:
		i.ShowPending(s.text, s.cancel)
	case inspectorProblem:
		i.ShowProblem(s.text)
	case inspectorExchange:
		i.Show(s.x)
	default:
		i.ShowEmpty()
	}
}

// ShowEmpty shows the inspector's first words: what to do to see an answer.
func (i *Inspector) ShowEmpty() {
	i.state = InspectorState{}
	i.shown = coapengine.Exchange{}
	i.showMessage(inspectorEmptyText, widget.MediumImportance, nil)
}

// ShowPending says that a request is on its way; with cancel, a Cancel button calls it.
func (i *Inspector) ShowPending(summary string, cancel func()) {
	i.state = InspectorState{kind: inspectorPending, text: summary, cancel: cancel}
	i.showMessage("Sending "+summary+" …", widget.MediumImportance, cancel)
}

// ShowProblem shows a request that could not be sent, in place of a response.
func (i *Inspector) ShowProblem(text string) {
	i.state = InspectorState{kind: inspectorProblem, text: text}
	i.showMessage(text, widget.DangerImportance, nil)
}

func (i *Inspector) showMessage(text string, importance widget.Importance, cancel func()) {
	i.empty.Text, i.empty.Importance = text, importance
	i.empty.Refresh()
	i.cancel.OnTapped = func() {
		i.cancel.Hide()
		if cancel != nil {
			cancel()
		}
	}
	i.cancel.Hidden = cancel == nil
	i.bodyScroll.Hide()
	i.emptyScroll.Show()
	i.emptyBox.Refresh()
}

// Message is the text shown in place of a response ("" while a response is shown).
func (i *Inspector) Message() string {
	if i.bodyScroll.Visible() {
		return ""
	}
	return i.empty.Text
}

// CancelButton is the Cancel button of a pending request (for tests).
func (i *Inspector) CancelButton() *widget.Button { return i.cancel }

// Show shows an exchange, every view from its top; a response also becomes the previous one
// of its resource for the next diff.
func (i *Inspector) Show(x coapengine.Exchange) {
	i.shown = x
	i.state = InspectorState{kind: inspectorExchange, x: x}
	i.cancel.Hide()
	i.emptyScroll.Hide()
	i.bodyScroll.Show()
	i.bodyScroll.ScrollToTop()
	i.title.SetText(RequestTitle(coapengine.MethodName(x.Method()), x.URI))
	i.title.Tip = coapengine.MethodName(x.Method()) + " " + x.URI
	// A resource answered to a GET can be observed from here (its notifications then chart).
	i.observe.Hidden = !x.OK() || x.Method() != codes.GET || x.Notification
	i.showCode(x)
	d := x.Decode(i.decoders)
	metrics := metricsOf(x)
	if name := d.Decoder; name != "" && len(d.Fields) > 0 {
		metrics += " · decoded as " + name
	}
	i.metrics.SetText(metrics)
	i.metrics.Tip = metrics
	var payload []byte
	if x.Response != nil {
		payload = x.Response.Payload
	}
	rows := make([][]string, 0, len(d.Fields))
	for _, f := range d.Fields {
		rows = append(rows, []string{f.Name, f.Display})
	}
	i.fields.SetRows(rows)
	i.fieldBox.Hidden = len(rows) == 0
	showIf(i.decodedS, len(rows) == 0)
	switch {
	case x.Response == nil:
		i.decoded.SetText("No response.")
	case len(payload) == 0:
		i.decoded.SetText("The response has no payload.")
	case d.Err != nil:
		i.decoded.SetText(fmt.Sprintf("Not a valid %s payload: %v\n\n%s", d.Decoder, d.Err, d.Text))
	case len(d.Fields) > 0:
		i.decoded.SetText("")
	default:
		i.decoded.SetText(d.Text)
	}
	i.text.SetText(textOf(payload))
	i.hexDump.SetPayload(payload)
	i.cbor.SetText(cborOf(payload))
	i.message.SetRows(messageRows(x))
	i.showDiff(x, d)
	i.toTop()
}

// toTop scrolls every view to its beginning: a new answer is read from its first line.
func (i *Inspector) toTop() {
	i.fields.ScrollToTop()
	i.decodedS.ScrollToTop()
	i.textS.ScrollToTop()
	i.cborS.ScrollToTop()
	i.hexDump.ScrollToTop()
	i.diff.ScrollToTop()
	i.message.ScrollToTop()
	i.explainS.ScrollToTop()
}

func (i *Inspector) showCode(x coapengine.Exchange) {
	switch {
	case x.Response != nil:
		c := x.Response.Code
		i.code.SetText(fmt.Sprintf("%s %s", coapfmt.CodeString(c), coapengine.CodeName(c)))
		i.code.Importance = importanceOf(x)
	case x.Err != "":
		i.code.SetText("No response")
		i.code.Importance = widget.DangerImportance
	default:
		i.code.SetText("")
	}
	i.code.Refresh()
	switch {
	case x.Explanation != "":
		i.explain.SetText(x.Explanation)
	case x.Err != "":
		i.explain.SetText(x.Err)
	default:
		i.explain.SetText("")
	}
	showIf(i.explainS, i.explain.Text != "")
}

// Hop says which hop answered the exchange on show ("" without an answer).
func (i *Inspector) Hop() string { return hopOf(i.shown.AnsweredBy) }

func importanceOf(x coapengine.Exchange) widget.Importance {
	switch {
	case x.OK():
		return widget.SuccessImportance
	case x.Response != nil && x.Response.Code < 5<<5:
		return widget.WarningImportance
	}
	return widget.DangerImportance
}

// hopOf says which hop answered, in the words of the mesh.
func hopOf(a coapengine.Answerer) string {
	switch a {
	case coapengine.AnsweredByGateway:
		return "answered by the gateway"
	case coapengine.AnsweredByDevice:
		return "answered by the device, through the gateway"
	case coapengine.AnsweredByServer:
		return "answered by the server"
	}
	return ""
}

// metricsOf is the hop, time, size, retransmissions and blocks on one line.
func metricsOf(x coapengine.Exchange) string {
	var parts []string
	if h := hopOf(x.AnsweredBy); h != "" {
		parts = append(parts, h)
	}
	parts = append(parts, "RTT "+human.RTT(x.RTT))
	if x.Response != nil {
		parts = append(parts, human.Plural(len(x.Response.Payload), "byte"), x.Response.Type)
		if cf := x.Response.ContentFormat(); cf != coapengine.NoFormat {
			parts = append(parts, coapengine.ContentFormatName(cf))
		}
	}
	if x.Retransmissions > 0 {
		parts = append(parts, human.Plural(x.Retransmissions, "retransmission"))
	}
	if x.Blocks > 0 {
		parts = append(parts, human.Plural(x.Blocks, "block"))
	}
	if x.Notification {
		parts = append(parts, fmt.Sprintf("notification #%d", x.ObserveSeq))
	}
	if x.Retried {
		parts = append(parts, "sent again after logging in")
	}
	parts = append(parts, x.Start.Local().Format("15:04:05.000"), "profile "+x.Profile)
	return strings.Join(parts, " · ")
}

func textOf(p []byte) string {
	switch {
	case len(p) == 0:
		return "(no payload)"
	case !utf8.Valid(p):
		return strings.ToValidUTF8(string(p), "�") + "\n\n(not valid UTF-8: see Hex)"
	}
	return string(p)
}

func cborOf(p []byte) string {
	if len(p) == 0 {
		return "(no payload)"
	}
	diag, err := decode.DiagnoseCBOR(p)
	if err != nil {
		return "Not CBOR: " + err.Error()
	}
	return diag
}

// cappedHeight lays one object out at the height of its label's text, up to lines lines:
// an explanation shows whole when it is short and scrolls when it is long, and never
// heightens the pane.
type cappedHeight struct {
	lines int
	label *widget.Label
}

func (c *cappedHeight) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (c *cappedHeight) MinSize(objects []fyne.CanvasObject) fyne.Size {
	if len(objects) == 0 || !objects[0].Visible() {
		return fyne.Size{}
	}
	line := fyne.MeasureText("Ag", theme.TextSize(), c.label.TextStyle).Height + theme.LineSpacing()
	want := c.label.MinSize().Height
	most := float32(c.lines)*line + 2*theme.InnerPadding()
	return fyne.NewSize(0, min(want, most))
}

// showIf shows o when cond holds and hides it otherwise.
func showIf(o fyne.CanvasObject, cond bool) {
	if cond {
		o.Show()
	} else {
		o.Hide()
	}
}
