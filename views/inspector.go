package views

import (
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/coap-workbench/coap-workbench/internal/human"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/decode"
	"github.com/coap-workbench/coap-workbench/internal/coapfmt"
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
)

// Inspector shows one exchange: the code with its meaning and the hop that answered, every
// option decoded, and the payload as decoded, text, hex, CBOR diagnostic notation, and as a
// diff against the previous response of the same resource.
type Inspector struct {
	decoders *decode.Registry
	root     fyne.CanvasObject

	empty    *widget.Label
	cancel   *widget.Button
	emptyBox *fyne.Container
	body     *fyne.Container
	title    *widget.Label
	code     *widget.Label
	hop      *widget.Label
	explain  *widget.Label
	metrics  *widget.Label
	options  *widget.Table
	optRows  [][3]string
	views    *container.AppTabs
	fields   *widget.Table
	fieldRow [][2]string
	decoded  *widget.Label
	text     *widget.Label
	hexDump  *widget.Label
	cbor     *widget.Label
	diff     *widget.RichText

	observe *widget.Button

	shown coapengine.Exchange

	// OnObserve is called with the exchange on show when its Observe button is pressed.
	OnObserve func(coapengine.Exchange)
	// previous holds the latest responses of each resource (profile and URI), for diffs.
	previous map[string]*resourceResponses
	order    []string
}

// NewInspector builds an inspector that decodes with decoders.
func NewInspector(decoders *decode.Registry) *Inspector {
	i := &Inspector{decoders: decoders, previous: map[string]*resourceResponses{}}
	i.empty = widget.NewLabel("No response yet: pick a resource in the tree and press Send (Ctrl+Enter), or select an exchange in the History tab.")
	i.empty.Wrapping = fyne.TextWrapWord
	i.title = widget.NewLabel("")
	i.title.Truncation = fyne.TextTruncateEllipsis
	i.code = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	i.hop = widget.NewLabel("")
	i.explain = widget.NewLabel("")
	i.explain.Wrapping = fyne.TextWrapWord
	i.metrics = widget.NewLabel("")
	i.metrics.Importance = widget.LowImportance
	i.metrics.Truncation = fyne.TextTruncateEllipsis

	i.options = widget.NewTable(
		func() (int, int) { return len(i.optRows), 3 },
		func() fyne.CanvasObject {
			l := widget.NewLabel("Content-Format (12)")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(i.optRows[id.Row][id.Col])
		},
	)
	i.options.ShowHeaderRow = true
	i.options.CreateHeader = func() fyne.CanvasObject { return boldLabel("") }
	i.options.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		o.(*widget.Label).SetText([]string{"Option", "Value", "Bytes"}[id.Col])
	}
	i.options.SetColumnWidth(0, 170)
	i.options.SetColumnWidth(1, 260)
	i.options.SetColumnWidth(2, 160)

	i.fields = widget.NewTable(
		func() (int, int) { return len(i.fieldRow), 2 },
		func() fyne.CanvasObject {
			l := widget.NewLabel("battery volts")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(i.fieldRow[id.Row][id.Col])
		},
	)
	i.fields.SetColumnWidth(0, 200)
	i.fields.SetColumnWidth(1, 320)
	i.decoded = monoLabel()
	i.text = monoLabel()
	i.hexDump = monoLabel()
	i.cbor = monoLabel()
	i.diff = widget.NewRichText()
	i.diff.Wrapping = fyne.TextWrapBreak

	decodedView := container.NewBorder(i.decoded, nil, nil, nil, i.fields)
	i.views = container.NewAppTabs(
		container.NewTabItem(ViewDecoded, decodedView),
		container.NewTabItem(ViewText, container.NewScroll(i.text)),
		container.NewTabItem(ViewHex, container.NewScroll(i.hexDump)),
		container.NewTabItem(ViewCBOR, container.NewScroll(i.cbor)),
		container.NewTabItem(ViewDiff, container.NewScroll(i.diff)),
		container.NewTabItem("Options", i.options),
	)
	i.observe = widget.NewButtonWithIcon("Observe", theme.VisibilityIcon(), func() {
		if i.OnObserve != nil {
			i.OnObserve(i.shown)
		}
	})
	i.observe.Importance = widget.LowImportance
	head := container.NewVBox(container.NewBorder(nil, nil, nil, i.observe, i.title), container.NewHBox(i.code, i.hop), i.explain, i.metrics)
	i.body = container.NewBorder(head, nil, nil, nil, i.views)
	i.body.Hide()
	i.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), nil)
	i.cancel.Hide()
	i.emptyBox = container.NewPadded(container.NewVBox(i.empty, container.NewHBox(i.cancel)))
	i.root = container.NewStack(i.emptyBox, i.body)
	return i
}

func monoLabel() *widget.Label {
	l := widget.NewLabel("")
	l.TextStyle = fyne.TextStyle{Monospace: true}
	l.Wrapping = fyne.TextWrapBreak
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

// ShowPending says that a request is on its way; with cancel, a Cancel button calls it.
func (i *Inspector) ShowPending(summary string, cancel func()) {
	i.empty.SetText("Sending " + summary + " …")
	i.empty.Importance = widget.MediumImportance
	i.empty.Refresh()
	i.cancel.OnTapped = func() {
		i.cancel.Hide()
		if cancel != nil {
			cancel()
		}
	}
	i.cancel.Hidden = cancel == nil
	i.body.Hide()
	i.empty.Show()
	i.emptyBox.Refresh()
}

// Message is the text shown in place of a response ("" while a response is shown).
func (i *Inspector) Message() string {
	if !i.empty.Visible() {
		return ""
	}
	return i.empty.Text
}

// CancelButton is the Cancel button of a pending request (for tests).
func (i *Inspector) CancelButton() *widget.Button { return i.cancel }

// ShowProblem shows a request that could not be sent, in place of a response.
func (i *Inspector) ShowProblem(text string) {
	i.cancel.Hide()
	i.empty.SetText(text)
	i.empty.Importance = widget.DangerImportance
	i.empty.Refresh()
	i.body.Hide()
	i.empty.Show()
}

// Show shows an exchange; a response also becomes the previous one of its resource for the
// next diff.
func (i *Inspector) Show(x coapengine.Exchange) {
	i.shown = x
	i.cancel.Hide()
	i.empty.Hide()
	i.body.Show()
	i.title.SetText(fmt.Sprintf("%s %s", coapengine.MethodName(x.Method()), x.URI))
	// A resource answered to a GET can be observed from here (its notifications then chart).
	i.observe.Hidden = x.Response == nil || x.Method() != codes.GET || x.Notification
	i.showCode(x)
	i.metrics.SetText(metricsOf(x))
	i.optRows = i.optRows[:0]
	var payload []byte
	if x.Response != nil {
		payload = x.Response.Payload
		for _, o := range x.Response.Options {
			i.optRows = append(i.optRows, [3]string{fmt.Sprintf("%s (%d)", o.Name, o.Number), o.Display, fmt.Sprintf("%x", o.Value)})
		}
	}
	i.options.Refresh()
	d := x.Decode(i.decoders)
	i.fieldRow = i.fieldRow[:0]
	for _, f := range d.Fields {
		i.fieldRow = append(i.fieldRow, [2]string{f.Name, f.Display})
	}
	i.fields.Refresh()
	switch {
	case x.Response == nil:
		i.decoded.SetText("No response.")
	case len(payload) == 0:
		i.decoded.SetText("The response has no payload.")
	case d.Err != nil:
		i.decoded.SetText(fmt.Sprintf("Not a valid %s payload: %v\n\n%s", d.Decoder, d.Err, d.Text))
	case len(d.Fields) > 0:
		i.decoded.SetText(fmt.Sprintf("Decoded as %s:", d.Decoder))
	default:
		i.decoded.SetText(d.Text)
	}
	i.text.SetText(textOf(payload))
	i.hexDump.SetText(hexOf(payload))
	i.cbor.SetText(cborOf(payload))
	i.showDiff(x, d.Text)
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
	i.hop.SetText(hopOf(x.AnsweredBy))
	switch {
	case x.Explanation != "":
		i.explain.SetText(x.Explanation)
	case x.Err != "":
		i.explain.SetText(x.Err)
	default:
		i.explain.SetText("")
	}
	i.explain.Hidden = i.explain.Text == ""
}

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

// metricsOf is the exchange's size, time, retransmissions and blocks on one line.
func metricsOf(x coapengine.Exchange) string {
	parts := []string{x.Start.Local().Format("15:04:05.000"), "RTT " + human.RTT(x.RTT)}
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
	parts = append(parts, "profile "+x.Profile)
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

func hexOf(p []byte) string {
	if len(p) == 0 {
		return "(no payload)"
	}
	return hex.Dump(p)
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

// resourceResponses are the two latest responses of a resource the inspector has seen, by
// the time they were received: the diff compares the latest with the one before it.
type resourceResponses struct {
	latest, before seenResponse
}

type seenResponse struct {
	at   time.Time
	text string
}

// showDiff compares the decoded payload with the response of the same resource that came
// before it. A response shown again (a history entry selected twice) keeps its comparison;
// one older than the two kept (an old history entry) is not compared.
func (i *Inspector) showDiff(x coapengine.Exchange, decoded string) {
	say := func(text string) {
		i.diff.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: text}}
	}
	defer i.diff.Refresh()
	if x.Response == nil {
		say("No response to compare.")
		return
	}
	key := x.Profile + " " + x.URI
	at := x.Start.Add(x.RTT)
	r, seen := i.previous[key]
	if !seen {
		i.order = append(i.order, key)
		if len(i.order) > maxDiffKeys {
			delete(i.previous, i.order[0])
			i.order = i.order[1:]
		}
		r = &resourceResponses{}
		i.previous[key] = r
	}
	var before seenResponse
	switch {
	case at.After(r.latest.at):
		r.before, r.latest = r.latest, seenResponse{at, decoded}
		before = r.before
	case at.Equal(r.latest.at):
		before = r.before
	case at.Equal(r.before.at):
		say("An earlier response of this resource: the Diff of the latest one compares the two.")
		return
	default:
		say("An older response than the ones compared here: select the response after it to compare them.")
		return
	}
	switch {
	case before.at.IsZero():
		say("First response of this resource: the next one will be compared with it.")
	case before.text == decoded:
		say("Same as the previous response of this resource.")
	default:
		i.diff.Segments = diffSegments(before.text, decoded)
	}
}
