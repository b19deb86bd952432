package views

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// contrast is WCAG 2's contrast ratio of two opaque colours.
func contrast(a, b color.Color) float64 {
	lum := func(c color.Color) float64 {
		r, g, bl, _ := c.RGBA()
		ch := func(v uint32) float64 {
			s := float64(v) / 0xffff
			if s <= 0.03928 {
				return s / 12.92
			}
			return math.Pow((s+0.055)/1.055, 2.4)
		}
		return 0.2126*ch(r) + 0.7152*ch(g) + 0.0722*ch(bl)
	}
	la, lb := lum(a), lum(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func TestTextAndStatusColoursReachFourAndAHalfToOneInBothVariants(t *testing.T) {
	th := NewTheme(false)
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		bg := th.Color(theme.ColorNameBackground, v)
		for _, n := range []fyne.ThemeColorName{theme.ColorNameForeground, theme.ColorNameDisabled, theme.ColorNameSuccess,
			theme.ColorNameWarning, theme.ColorNameError, theme.ColorNameHyperlink} {
			if c := contrast(th.Color(n, v), bg); c < 4.5 {
				t.Errorf("variant %d: %s on the background is %.2f:1", v, n, c)
			}
		}
		for _, pair := range [][2]fyne.ThemeColorName{
			{theme.ColorNamePlaceHolder, theme.ColorNameInputBackground},
			{theme.ColorNameForeground, theme.ColorNameInputBackground},
			{theme.ColorNameForegroundOnPrimary, theme.ColorNamePrimary},
			{theme.ColorNameDisabled, theme.ColorNameHeaderBackground},
		} {
			if c := contrast(th.Color(pair[0], v), th.Color(pair[1], v)); c < 4.5 {
				t.Errorf("variant %d: %s on %s is %.2f:1", v, pair[0], pair[1], c)
			}
		}
	}
}

func TestDisabledTextStaysDistinctFromText(t *testing.T) {
	th := NewTheme(false)
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		if c := contrast(th.Color(theme.ColorNameDisabled, v), th.Color(theme.ColorNameForeground, v)); c < 2 {
			t.Errorf("variant %d: disabled and normal text differ by only %.2f:1", v, c)
		}
	}
}

func TestTheCompactDensityHalvesThePaddings(t *testing.T) {
	normal, compact := NewTheme(false), NewTheme(true)
	if compact.Size(theme.SizeNamePadding) >= normal.Size(theme.SizeNamePadding) || compact.Size(theme.SizeNameText) >= normal.Size(theme.SizeNameText) {
		t.Fatalf("compact padding %v text %v", compact.Size(theme.SizeNamePadding), compact.Size(theme.SizeNameText))
	}
	if compact.Size(theme.SizeNameHeadingText) != normal.Size(theme.SizeNameHeadingText) {
		t.Fatal("compact changed a size it does not own")
	}
}
