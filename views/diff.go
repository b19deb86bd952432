package views

import (
	"strings"
	"time"

	"fyne.io/fyne/v2/container"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/decode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/sergi/go-diff/diffmatchpatch"
)

// diffSegments is a line diff of before and after: removed lines in the error colour with
// "- ", added ones in the success colour with "+ ", the rest as they are.
func diffSegments(before, after string) []widget.RichTextSegment {
	dmp := diffmatchpatch.New()
	a, b, lines := dmp.DiffLinesToChars(before, after)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), lines)
	var segs []widget.RichTextSegment
	for _, d := range diffs {
		prefix, colour := "  ", theme.ColorNameForeground
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			prefix, colour = "- ", theme.ColorNameError
		case diffmatchpatch.DiffInsert:
			prefix, colour = "+ ", theme.ColorNameSuccess
		}
		for _, line := range strings.SplitAfter(d.Text, "\n") {
			if line == "" {
				continue
			}
			segs = append(segs, &widget.TextSegment{
				Text:  prefix + strings.TrimSuffix(line, "\n"),
				Style: widget.RichTextStyle{ColorName: colour, TextStyle: fyne.TextStyle{Monospace: true}},
			})
		}
	}
	return segs
}

// diffView shows how an answer differs from the previous one of its resource: a table of the
// fields that changed for a decoded payload, a line diff for text.
type diffView struct {
	text   *widget.RichText
	scroll *container.Scroll
	root   fyne.CanvasObject
}

func newDiffView() *diffView {
	v := &diffView{text: widget.NewRichText()}
	v.text.Wrapping = fyne.TextWrapBreak
	v.scroll = container.NewScroll(v.text)
	v.root = v.scroll
	return v
}

// Object is the view.
func (v *diffView) Object() fyne.CanvasObject { return v.root }

// Say shows a sentence instead of a diff.
func (v *diffView) Say(text string) {
	v.text.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: text}}
	v.text.Refresh()
}

// ShowLines shows a line diff of two texts.
func (v *diffView) ShowLines(before, after string) {
	v.text.Segments = diffSegments(before, after)
	v.text.Refresh()
}

// Segments are what the view shows (for tests).
func (v *diffView) Segments() []widget.RichTextSegment { return v.text.Segments }

// ScrollToTop shows the diff's beginning.
func (v *diffView) ScrollToTop() { v.scroll.ScrollToTop() }

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
func (i *Inspector) showDiff(x coapengine.Exchange, d decode.Decoded) {
	if x.Response == nil {
		i.diff.Say("No response to compare.")
		return
	}
	decoded := d.Text
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
		i.diff.Say("An earlier response of this resource: the Diff of the latest one compares the two.")
		return
	default:
		i.diff.Say("An older response than the ones compared here: select the response after it to compare them.")
		return
	}
	switch {
	case before.at.IsZero():
		i.diff.Say("First response of this resource: the next one will be compared with it.")
	case before.text == decoded:
		i.diff.Say("Same as the previous response of this resource.")
	default:
		i.diff.ShowLines(before.text, decoded)
	}
}
