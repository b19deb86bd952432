package views

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// denseSizes are the paddings of a table: a row of one line takes 29 px instead of 39, so
// that a pane 250 px high still lists several devices or exchanges.
var denseSizes = map[fyne.ThemeSizeName]float32{
	theme.SizeNamePadding:      2,
	theme.SizeNameInnerPadding: 4,
}

// denseTheme is the window's current theme with the paddings of a table. It never makes a
// size larger than the current theme's, so a theme that is compact already stays as it is,
// and it reads the current theme on every call, so a change of variant reaches it.
type denseTheme struct{}

func (denseTheme) current() fyne.Theme { return fyne.CurrentApp().Settings().Theme() }

// Color is the current theme's colour.
func (t denseTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	return t.current().Color(n, v)
}

// Font is the current theme's font.
func (t denseTheme) Font(s fyne.TextStyle) fyne.Resource { return t.current().Font(s) }

// Icon is the current theme's icon.
func (t denseTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return t.current().Icon(n) }

// Size is the current theme's size, or the table's padding where that is smaller.
func (t denseTheme) Size(n fyne.ThemeSizeName) float32 {
	size := t.current().Size(n)
	if dense, ok := denseSizes[n]; ok {
		return min(size, dense)
	}
	return size
}

// dense lays o out with the paddings of a table (lists of rows and their column heads).
func dense(o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewThemeOverride(o, denseTheme{})
}
