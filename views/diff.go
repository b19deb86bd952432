package views

import (
	"strings"

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
