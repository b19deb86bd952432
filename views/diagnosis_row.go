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
// wrap: they are the answer, and a cut sentence is no answer.
type diagnosisRow struct {
	box         *fyne.Container
	verdict     *widget.Label
	title       *FitLabel
	explanation *widget.Label
	action      *widget.Label
}

func newDiagnosisRow() *diagnosisRow {
	r := &diagnosisRow{
		verdict:     widget.NewLabelWithStyle("…", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		title:       NewFitLabel(""),
		explanation: widget.NewLabel(""),
		action:      widget.NewLabel(""),
	}
	r.title.SetTextStyle(fyne.TextStyle{Bold: true})
	r.explanation.Wrapping = fyne.TextWrapWord
	r.action.Wrapping = fyne.TextWrapWord
	r.action.Hide()
	verdictColumn := container.NewGridWrap(fyne.NewSize(70, r.verdict.MinSize().Height), r.verdict)
	r.box = container.NewBorder(nil, nil, verdictColumn, nil, container.NewVBox(r.title, r.explanation, r.action))
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
	title := s.Title
	if s.Hop != diagnosis.HopNone {
		title += "  ·  " + string(s.Hop)
	}
	r.title.SetText(title)
	what := s.Explanation
	if s.Verdict == "" {
		what = "running…"
	}
	r.explanation.SetText(what)
	if (s.Verdict == diagnosis.Warn || s.Verdict == diagnosis.Fail) && s.Action != "" {
		r.action.SetText("What to do: " + s.Action)
		r.action.Show()
	} else {
		r.action.Hide()
	}
}
