package app

import (
	"fyne.io/fyne/v2"

	"github.com/coap-workbench/coap-workbench/views"
)

// viewMenu shows or hides the bottom panel, places the answer, and picks the density.
func (g *gui) viewMenu() *fyne.Menu {
	panel := item("Bottom panel", shortcut(fyne.KeyJ, false), g.workspace.TogglePanel)
	placements := []struct {
		label string
		p     views.ResponsePlacement
	}{
		{"Answer beside or below, by the width", views.PlaceAuto},
		{"Answer beside the request", views.PlaceBeside},
		{"Answer below the request", views.PlaceBelow},
	}
	menu := fyne.NewMenu("View", panel, fyne.NewMenuItemSeparator())
	var items []*fyne.MenuItem
	for _, pl := range placements {
		i := fyne.NewMenuItem(pl.label, nil)
		i.Action = func() {
			g.workspace.SetPlacement(pl.p)
			g.app.Preferences().SetString(prefPlacement, string(pl.p))
			for j, other := range items {
				other.Checked = placements[j].p == pl.p
			}
			menu.Refresh()
		}
		i.Checked = g.workspace.Placement() == pl.p
		items = append(items, i)
	}
	menu.Items = append(menu.Items, items...)
	compact := fyne.NewMenuItem("Compact density", nil)
	compact.Checked = g.app.Preferences().Bool(prefCompact)
	compact.Action = func() {
		on := !g.app.Preferences().Bool(prefCompact)
		g.app.Preferences().SetBool(prefCompact, on)
		g.app.Settings().SetTheme(views.NewTheme(on))
		compact.Checked = on
		menu.Refresh()
	}
	panel.Checked = g.workspace.PanelShown()
	g.workspace.OnPanelToggled = func(shown bool) {
		panel.Checked = shown
		g.ctrl.status.SetPanelShown(shown)
		g.app.Preferences().SetBool(prefPanelHidden, !shown)
		menu.Refresh()
	}
	g.ctrl.status.SetPanelShown(g.workspace.PanelShown())
	menu.Items = append(menu.Items, fyne.NewMenuItemSeparator(), compact)
	return menu
}
