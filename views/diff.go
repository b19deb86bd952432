package views

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/decode"
	"github.com/coap-workbench/coap-workbench/internal/human"
)

// diffSegments draws decode.DiffLines of before and after: removed lines in the error colour
// with "- ", added ones in the success colour with "+ ", the rest as they are.
func diffSegments(before, after string) []widget.RichTextSegment {
	var segs []widget.RichTextSegment
	for _, l := range decode.DiffLines(before, after) {
		prefix, colour := "  ", theme.ColorNameForeground
		switch l.Kind {
		case decode.Removed:
			prefix, colour = "- ", theme.ColorNameError
		case decode.Added:
			prefix, colour = "+ ", theme.ColorNameSuccess
		}
		segs = append(segs, &widget.TextSegment{
			Text:  prefix + l.Text,
			Style: widget.RichTextStyle{ColorName: colour, TextStyle: fyne.TextStyle{Monospace: true}},
		})
	}
	return segs
}

// diffView shows how an answer differs from the previous one of its resource: for a decoded
// payload, a table of the fields that changed (field, before, after, and the change in the
// field's unit); for text, a line diff.
type diffView struct {
	note   *widget.Label
	table  *denseTable
	text   *widget.RichText
	scroll *container.Scroll
	root   fyne.CanvasObject
}

func newDiffView() *diffView {
	v := &diffView{note: widget.NewLabel(""), text: widget.NewRichText()}
	v.note.Wrapping = fyne.TextWrapWord
	v.text.Wrapping = fyne.TextWrapBreak
	v.table = newDenseTable([]string{"Field", "Before", "After", "Change"}, []float32{150, 0, 0})
	v.scroll = container.NewScroll(v.text)
	v.root = container.NewBorder(v.note, nil, nil, nil, container.NewStack(v.table.Object(), v.scroll))
	v.table.Object().Hide()
	return v
}

// Object is the view.
func (v *diffView) Object() fyne.CanvasObject { return v.root }

// Say shows a sentence instead of a diff.
func (v *diffView) Say(text string) {
	v.note.SetText(text)
	v.table.SetRows(nil)
	v.table.Object().Hide()
	v.text.Segments = nil
	v.text.Refresh()
}

// Show shows how after differs from before: the fields that changed, or the lines.
func (v *diffView) Show(before, after decode.Decoded) {
	c := decode.Compare(before, after)
	var rows [][]string
	unchanged := 0
	for _, f := range c.Fields {
		if f.Kind == decode.Unchanged {
			unchanged++
			continue
		}
		change := f.Change
		if change == "" {
			change = changeWords[f.Kind]
		}
		rows = append(rows, []string{f.Field, f.Before, f.After, change})
	}
	if len(c.Fields) > 0 && len(rows) > 0 {
		v.note.SetText(fmt.Sprintf("%s changed since the previous response of this resource, %s not.",
			human.Count(len(rows), "field", "fields"), human.Count(unchanged, "field", "fields")))
		v.table.SetRows(rows)
		v.table.Object().Show()
		v.text.Segments = nil
		v.text.Refresh()
		return
	}
	v.note.SetText("Changed lines since the previous response of this resource:")
	v.table.Object().Hide()
	v.text.Segments = diffSegments(before.Text, after.Text)
	v.text.Refresh()
}

// changeWords say a change that has no number.
var changeWords = map[decode.ChangeKind]string{decode.Changed: "changed", decode.Added: "added", decode.Removed: "removed"}

// Rows are the changed fields shown (for tests).
func (v *diffView) Rows() [][]string { return v.table.Rows() }

// Note is the sentence above the diff.
func (v *diffView) Note() string { return v.note.Text }

// Segments are the lines of a text diff shown (for tests).
func (v *diffView) Segments() []widget.RichTextSegment { return v.text.Segments }

// ScrollToTop shows the diff's beginning.
func (v *diffView) ScrollToTop() {
	v.scroll.ScrollToTop()
	v.table.ScrollToTop()
}

// resourceResponses are the two latest responses of a resource the inspector has seen, by
// the time they were received: the diff compares the latest with the one before it.
type resourceResponses struct {
	latest, before seenResponse
}

type seenResponse struct {
	at      time.Time
	decoded decode.Decoded
}

// showDiff compares the decoded payload with the response of the same resource that came
// before it. A response shown again (a history entry selected twice) keeps its comparison;
// one older than the two kept (an old history entry) is not compared.
func (i *Inspector) showDiff(x coapengine.Exchange, d decode.Decoded) {
	if x.Response == nil {
		i.diff.Say("No response to compare.")
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
		r.before, r.latest = r.latest, seenResponse{at, d}
		before = r.before
	case at.Equal(r.latest.at):
		before = r.before
	case at.Equal(r.before.at):
		i.diff.Say("An earlier response of this resource: the Diff of the latest one compares the two.")
		return
	default:
		i.diff.Say("An older response than the ones compared here: select the response after it to compare them.")
		return
	}
	switch {
	case before.at.IsZero():
		i.diff.Say("First response of this resource: the next one will be compared with it.")
	case before.decoded.Text == d.Text:
		i.diff.Say("Same as the previous response of this resource.")
	default:
		i.diff.Show(before.decoded, d)
	}
}
