package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/coapengine/decode"
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
