package app

import (
	"strconv"

	"github.com/coap-workbench/coap-workbench/views"
)

// The preference keys of what the window remembers.
const (
	prefWidth        = "window.width"
	prefHeight       = "window.height"
	prefSplit        = "window.split."
	prefAnswerBeside = "window.split.answer.beside"
	prefAnswerBelow  = "window.split.answer.below"
	prefObserveSplit = "window.split.observe"
	prefTab          = "window.tab"
	prefPanelHidden  = "window.panel.hidden"
	prefPlacement    = "window.answer.placement"
	prefCompact      = "window.compact"
	prefLastProfile  = "profile.last"
)

// restoreLayout puts the splits, the bottom panel, the answer's place and the tab back where
// the user left them.
func (g *gui) restoreLayout() {
	prefs := g.app.Preferences()
	for i, s := range g.workspace.Splits[:2] {
		if v := prefs.FloatWithFallback(prefSplit+strconv.Itoa(i), -1); v > 0.05 && v < 0.95 {
			s.SetOffset(v)
		}
	}
	g.workspace.SetResponseOffsets(prefs.FloatWithFallback(prefAnswerBeside, -1), prefs.FloatWithFallback(prefAnswerBelow, -1))
	if v := prefs.FloatWithFallback(prefObserveSplit, -1); v > 0.05 && v < 0.95 {
		g.ctrl.observe.SetSplitOffset(v)
	}
	if p := prefs.String(prefPlacement); p != "" {
		g.workspace.SetPlacement(views.ResponsePlacement(p))
	}
	if tab := prefs.String(prefTab); tab != "" {
		g.workspace.ShowTab(tab)
	}
	g.workspace.SetPanelShown(!prefs.Bool(prefPanelHidden))
}

// saveLayout remembers the window's size and split positions.
func (g *gui) saveLayout() {
	prefs := g.app.Preferences()
	size := g.window.Canvas().Size()
	if size.Width > 100 && size.Height > 100 {
		prefs.SetFloat(prefWidth, float64(size.Width))
		prefs.SetFloat(prefHeight, float64(size.Height))
	}
	for i, s := range g.workspace.Splits[:2] {
		prefs.SetFloat(prefSplit+strconv.Itoa(i), s.Offset)
	}
	prefs.SetFloat(prefObserveSplit, g.ctrl.observe.SplitOffset())
	beside, below := g.workspace.ResponseOffsets()
	prefs.SetFloat(prefAnswerBeside, beside)
	prefs.SetFloat(prefAnswerBelow, below)
}
