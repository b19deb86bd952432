package app

import "strconv"

// The preference keys of what the window remembers.
const (
	prefWidth       = "window.width"
	prefHeight      = "window.height"
	prefSplit       = "window.split."
	prefTab         = "window.tab"
	prefLastProfile = "profile.last"
)

// restoreLayout puts the split positions and the tab back where the user left them.
func (g *gui) restoreLayout() {
	prefs := g.app.Preferences()
	for i, s := range g.workspace.Splits {
		if v := prefs.FloatWithFallback(prefSplit+strconv.Itoa(i), -1); v > 0.05 && v < 0.95 {
			s.SetOffset(v)
		}
	}
	if tab := prefs.String(prefTab); tab != "" {
		g.workspace.ShowTab(tab)
	}
}

// saveLayout remembers the window's size and split positions.
func (g *gui) saveLayout() {
	prefs := g.app.Preferences()
	size := g.window.Canvas().Size()
	if size.Width > 100 && size.Height > 100 {
		prefs.SetFloat(prefWidth, float64(size.Width))
		prefs.SetFloat(prefHeight, float64(size.Height))
	}
	for i, s := range g.workspace.Splits {
		prefs.SetFloat(prefSplit+strconv.Itoa(i), s.Offset)
	}
}
