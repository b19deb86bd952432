package views

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/coapengine/diagnosis"
)

// diagnosisRow shows one step: its verdict beside its title (and the hop a problem lies on),
// what happened, and for a warning or failure what to do. The explanation and the advice
// wrap: they are the answer, and a cut sentence is no answer. One rich text holds the three,
// so that they read as a paragraph rather than three padded labels.
type diagnosisRow struct {
	box     *fyne.Container
	verdict *widget.Label
	text    *widget.RichText
}

func newDiagnosisRow() *diagnosisRow {
	r := &diagnosisRow{
		verdict: widget.NewLabelWithStyle("…", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		text:    widget.NewRichText(),
	}
	r.text.Wrapping = fyne.TextWrapWord
	verdictColumn := container.NewGridWrap(fyne.NewSize(70, r.verdict.MinSize().Height), r.verdict)
	r.box = container.NewBorder(nil, nil, verdictColumn, nil, r.text)
	return r
}

// show puts s in the row.
func (r *diagnosisRow) show(s diagnosis.Step) {
	text, imp := strings.ToUpper(string(s.Verdict)), verdictImportance(s.Verdict)
	if s.Verdict == "" {
		text, imp = "…", widget.LowImportance
	}
	if r.verdict.Text != text || r.verdict.Importance != imp {
		r.verdict.Importance = imp
		r.verdict.SetText(text)
	}
	what := s.Explanation
	if s.Verdict == "" {
		what = "running…"
	}
	// The title's line ends with its hop, in the regular face: the bold one has no ↔.
	heading := widget.RichTextStyleStrong
	segments := []widget.RichTextSegment{&widget.TextSegment{Text: s.Title, Style: heading}}
	if s.Hop != diagnosis.HopNone {
		segments = append(segments, &widget.TextSegment{Text: "  ·  " + string(s.Hop), Style: widget.RichTextStyleParagraph})
	} else {
		heading.Inline = false
		segments[0].(*widget.TextSegment).Style = heading
	}
	segments = append(segments, &widget.TextSegment{Text: what, Style: widget.RichTextStyleParagraph})
	if (s.Verdict == diagnosis.Warn || s.Verdict == diagnosis.Fail) && s.Action != "" {
		strong := widget.RichTextStyleStrong
		strong.Inline = true
		plain := widget.RichTextStyleInline
		segments = append(segments, &widget.TextSegment{Text: "What to do: ", Style: strong}, &widget.TextSegment{Text: s.Action, Style: plain})
	}
	r.text.Segments = segments
	r.text.Refresh()
}

// plainText is what the row says, its segments one after the other (for tests).
func (r *diagnosisRow) plainText() string {
	var b strings.Builder
	for _, s := range r.text.Segments {
		b.WriteString(s.Textual())
		if !s.Inline() {
			b.WriteString("\n")
		}
	}
	return b.String()
}
