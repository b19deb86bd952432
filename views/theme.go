package views

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Theme is Fyne's default theme with the colours a workbench is read by made readable: text,
// secondary text (Fyne's "disabled" colour, which low-importance labels use), the status
// colours (success, warning, error), placeholders and the primary buttons all reach WCAG's
// 4.5:1 contrast against their backgrounds in the light and the dark variant (Fyne's own
// light success green is 1.5:1 on white). Compact density takes the paddings down by half
// and the text by a point, for more rows on a small screen.
type Theme struct {
	base    fyne.Theme
	compact bool
	// sizes override the base sizes (compactSizes, or tableSizes for the dense tables).
	sizes map[fyne.ThemeSizeName]float32
}

// NewTheme is the workbench's theme, in the normal or the compact density. It follows the
// variant (light or dark) the system or FYNE_THEME asks for.
func NewTheme(compact bool) *Theme {
	t := &Theme{base: theme.DefaultTheme(), compact: compact}
	if compact {
		t.sizes = compactSizes
	}
	return t
}

// tableTheme is the theme of the packet-detail tables (the decoded fields, the messages,
// hex rows): the compact density with still less padding around a cell, so that a NIC's
// power statistics show whole in a pane of 1280×800.
func tableTheme() *Theme {
	return &Theme{base: theme.DefaultTheme(), compact: true, sizes: tableSizes}
}

// Compact reports whether the theme is the compact density.
func (t *Theme) Compact() bool { return t.compact }

// readable are the colours changed for contrast, per variant.
var readable = map[fyne.ThemeVariant]map[fyne.ThemeColorName]color.Color{
	theme.VariantLight: {
		theme.ColorNameForeground:  color.NRGBA{R: 0x24, G: 0x24, B: 0x24, A: 0xff},
		theme.ColorNameDisabled:    color.NRGBA{R: 0x6e, G: 0x6e, B: 0x6e, A: 0xff},
		theme.ColorNamePlaceHolder: color.NRGBA{R: 0x69, G: 0x69, B: 0x69, A: 0xff},
		theme.ColorNameSuccess:     color.NRGBA{R: 0x1b, G: 0x7a, B: 0x2b, A: 0xff},
		theme.ColorNameWarning:     color.NRGBA{R: 0xa8, G: 0x52, B: 0x00, A: 0xff},
		theme.ColorNameError:       color.NRGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff},
		theme.ColorNamePrimary:     color.NRGBA{R: 0x15, G: 0x65, B: 0xc0, A: 0xff},
		theme.ColorNameHyperlink:   color.NRGBA{R: 0x15, G: 0x65, B: 0xc0, A: 0xff},
	},
	theme.VariantDark: {
		theme.ColorNameDisabled:    color.NRGBA{R: 0x9a, G: 0x9a, B: 0x9e, A: 0xff},
		theme.ColorNamePlaceHolder: color.NRGBA{R: 0xa8, G: 0xa8, B: 0xa8, A: 0xff},
		theme.ColorNameSuccess:     color.NRGBA{R: 0x5c, G: 0xd6, B: 0x5c, A: 0xff},
		theme.ColorNameWarning:     color.NRGBA{R: 0xff, G: 0xa7, B: 0x26, A: 0xff},
		theme.ColorNameError:       color.NRGBA{R: 0xff, G: 0x6e, B: 0x63, A: 0xff},
		theme.ColorNamePrimary:     color.NRGBA{R: 0x1e, G: 0x6f, B: 0xd9, A: 0xff},
		theme.ColorNameHyperlink:   color.NRGBA{R: 0x64, G: 0xb0, B: 0xff, A: 0xff},
	},
}

// compactSizes are the sizes of the compact density.
var compactSizes = map[fyne.ThemeSizeName]float32{
	theme.SizeNamePadding:      2,
	theme.SizeNameInnerPadding: 4,
	theme.SizeNameLineSpacing:  2,
	theme.SizeNameText:         13,
	theme.SizeNameInlineIcon:   18,
	theme.SizeNameScrollBar:    10,
}

// tableSizes are the sizes of the dense tables.
var tableSizes = map[fyne.ThemeSizeName]float32{
	theme.SizeNamePadding:      1,
	theme.SizeNameInnerPadding: 2,
	theme.SizeNameLineSpacing:  2,
	theme.SizeNameText:         13,
	theme.SizeNameInlineIcon:   16,
	theme.SizeNameScrollBar:    10,
}

// Color is the default colour, or its readable replacement.
func (t *Theme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if c, ok := readable[v][n]; ok {
		return c
	}
	return t.base.Color(n, v)
}

// Font is the default font.
func (t *Theme) Font(s fyne.TextStyle) fyne.Resource { return t.base.Font(s) }

// Icon is the default icon.
func (t *Theme) Icon(n fyne.ThemeIconName) fyne.Resource { return t.base.Icon(n) }

// Size is the default size, or the compact one.
func (t *Theme) Size(n fyne.ThemeSizeName) float32 {
	if s, ok := t.sizes[n]; ok {
		return s
	}
	return t.base.Size(n)
}
